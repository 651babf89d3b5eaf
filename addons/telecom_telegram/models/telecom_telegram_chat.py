from datetime import timedelta

from odoo import api, fields, models

from .telecom_telegram_link_code import normalize_code

LIVE_SERVICE_STATES = ("pending", "active", "blocked")


class TelecomTelegramChat(models.Model):
    """A private chat of one Telegram user with one bot, and the subscriber it
    is linked to (by a one-time code, see ``telecom.telegram.link.code``).

    The chat answers the bot commands (``/link``, ``/balance``, ``/fault``,
    ``/unlink``, ``/help``) and keeps the current conversation: one
    ``telecom.interaction`` (channel Telegram) per conversation, a new one
    after ``session_timeout`` minutes of silence.
    """

    _name = "telecom.telegram.chat"
    _description = "Telegram Chat"
    _order = "last_message_date desc, id desc"
    _rec_name = "display_label"
    _check_company_auto = True

    bot_id = fields.Many2one(
        "telecom.telegram.bot",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    telegram_chat_id = fields.Char(
        string="Telegram Chat ID", required=True, readonly=True
    )
    username = fields.Char(readonly=True)
    first_name = fields.Char(readonly=True)
    last_name = fields.Char(readonly=True)
    language_code = fields.Char(readonly=True)
    display_label = fields.Char(string="Chat", compute="_compute_display_label")
    active = fields.Boolean(
        default=True, help="Archived when the user blocked the bot."
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    linked_date = fields.Datetime(readonly=True)
    region_id = fields.Many2one(
        "telecom.region",
        string="Zone",
        related="partner_id.telecom_region_id",
        store=True,
        index=True,
    )
    company_id = fields.Many2one(related="bot_id.company_id", store=True, index=True)
    link_failure_count = fields.Integer(
        string="Wrong Codes", readonly=True, help="Wrong codes since the last lock."
    )
    link_locked_until = fields.Datetime(readonly=True)
    pending_action = fields.Selection(
        [("fault", "Waiting for the fault description")], readonly=True
    )
    interaction_id = fields.Many2one(
        "telecom.interaction",
        string="Current Conversation",
        readonly=True,
        ondelete="set null",
    )
    last_message_date = fields.Datetime(readonly=True, index=True)
    message_ids = fields.One2many(
        "telecom.telegram.message", "chat_id", string="Messages", readonly=True
    )

    _sql_constraints = [
        (
            "chat_bot_uniq",
            "unique(bot_id, telegram_chat_id)",
            "One record per Telegram chat and bot.",
        ),
    ]

    @api.depends("username", "first_name", "last_name", "telegram_chat_id")
    def _compute_display_label(self):
        for chat in self:
            name = " ".join(filter(None, (chat.first_name, chat.last_name)))
            handle = f"@{chat.username}" if chat.username else chat.telegram_chat_id
            chat.display_label = f"{name} ({handle})" if name else handle

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_unlink_subscriber(self):
        """Agent: the chat no longer speaks for the subscriber."""
        self.check_access("write")
        self._telegram_unlink()
        return True

    # ------------------------------------------------------------------
    # chats of the webhook
    # ------------------------------------------------------------------
    @api.model
    def _telegram_find_or_create(self, bot, values):
        chat = self.with_context(active_test=False).search(
            [("bot_id", "=", bot.id), ("telegram_chat_id", "=", values["id"])],
            limit=1,
        )
        profile = {
            "username": values["username"] or False,
            "first_name": values["first_name"] or False,
            "last_name": values["last_name"] or False,
            "language_code": values["language_code"] or False,
        }
        if chat:
            changed = {
                key: value for key, value in profile.items() if chat[key] != value
            }
            if not chat.active:
                changed["active"] = True  # the user talks to the bot again
            if changed:
                chat.write(changed)
            return chat
        return self.create(
            {"bot_id": bot.id, "telegram_chat_id": values["id"], **profile}
        )

    # ------------------------------------------------------------------
    # conversation (the timeline row)
    # ------------------------------------------------------------------
    def _telegram_touch_session(self, when):
        """The conversation a message at ``when`` belongs to: the current one,
        or a new timeline row after a silence (linked chats only)."""
        self.ensure_one()
        timeout = timedelta(minutes=self.bot_id.session_timeout or 30)
        last = self.last_message_date
        stale = not last or when - last > timeout
        if stale:
            self.pending_action = False
        self.last_message_date = max(when, last) if last else when
        if not self.partner_id:
            return self.env["telecom.interaction"]
        interaction = self.interaction_id
        if stale or not interaction or interaction.partner_id != self.partner_id:
            interaction = self._telegram_open_conversation(when)
        return interaction

    def _telegram_open_conversation(self, when):
        self.ensure_one()
        interaction = self.env["telecom.interaction"].create(
            self._prepare_conversation_vals(when)
        )
        self.interaction_id = interaction
        return interaction

    def _prepare_conversation_vals(self, when):
        self.ensure_one()
        return {
            "partner_id": self.partner_id.id,
            "date": when,
            "channel": "telegram",
            "direction": "inbound",
            "agent_id": False,
            "summary": self.env._("Telegram conversation"),
            "res_model": self._name,
            "res_id": self.id,
            "company_id": self.company_id.id,
        }

    def _telegram_note_topic(self, topic, outcome=None):
        """Name what the conversation was about on its timeline row."""
        self.ensure_one()
        interaction = self.interaction_id
        if not interaction:
            return
        topics = (
            interaction.telegram_topics.split(", ")
            if interaction.telegram_topics
            else []
        )
        if topic not in topics:
            topics.append(topic)
        values = {
            "telegram_topics": ", ".join(topics),
            "summary": self.env._("Telegram: %(topics)s", topics=", ".join(topics)),
        }
        if outcome:
            values["outcome"] = outcome
        interaction.write(values)

    # ------------------------------------------------------------------
    # replies
    # ------------------------------------------------------------------
    def _telegram_reply(self, text):
        """Queue an answer in this chat (sent by the cron, never by the
        webhook); it joins the current conversation."""
        self.ensure_one()
        message = self.env["telecom.telegram.message"].create(
            {
                "bot_id": self.bot_id.id,
                "chat_id": self.id,
                "interaction_id": self.interaction_id.id,
                "direction": "outbound",
                "state": "queued",
                "text": text[:4096],
            }
        )
        if not self.env.context.get("telecom_telegram_in_cron"):
            message._telegram_wake_up()
        return message

    def _telegram_lang(self):
        """Language of the answers: the subscriber's, else the Telegram
        client's when installed, else the company's partner's."""
        self.ensure_one()
        if self.partner_id.lang:
            return self.partner_id.lang
        installed = dict(self.env["res.lang"].get_installed())
        code = (self.language_code or "").split("-")[0]
        for lang in installed:
            if code and lang.split("_")[0] == code:
                return lang
        return self.company_id.partner_id.lang or "en_US"

    # ------------------------------------------------------------------
    # commands
    # ------------------------------------------------------------------
    def _telegram_handle(self, message):
        """Answer one inbound text message."""
        self.ensure_one()
        chat = self.with_context(lang=self._telegram_lang())
        text = (message.text or "").strip()
        command, argument = chat._telegram_split_command(text)
        handler = chat._telegram_command_handlers().get(command)
        if handler:
            return handler(argument)
        if chat.pending_action == "fault" and text and not command:
            return chat._telegram_report_fault(text)
        return chat._telegram_command_unknown(text)

    @api.model
    def _telegram_split_command(self, text):
        if not text.startswith("/"):
            return None, text
        head, _, argument = text.partition(" ")
        command = head[1:].split("@")[0].lower()
        return command, argument.strip()

    def _telegram_command_handlers(self):
        """{command: method(argument)}: add commands by extending it."""
        return {
            "start": self._telegram_command_start,
            "help": self._telegram_command_help,
            "link": self._telegram_command_link,
            "unlink": self._telegram_command_unlink,
            "balance": self._telegram_command_balance,
            "fault": self._telegram_command_fault,
        }

    def _telegram_help_text(self):
        if self.partner_id:
            return self.env._(
                "Commands:\n"
                "/balance - your accounts and balance\n"
                "/fault <description> - report a fault\n"
                "/unlink - stop this chat speaking for your account\n"
                "/help - this list"
            )
        return self.env._(
            "To use this bot, link your account: get a one-time code in your "
            "personal area (Telegram page) or from our office, then send "
            "/link <code> here."
        )

    def _telegram_command_start(self, argument):
        if argument:  # deep link t.me/<bot>?start=<code>
            return self._telegram_command_link(argument)
        return self._telegram_reply(
            self.env._("Hello! I am the assistant of your operator.")
            + "\n"
            + self._telegram_help_text()
        )

    def _telegram_command_help(self, argument):
        return self._telegram_reply(self._telegram_help_text())

    def _telegram_command_unknown(self, text):
        if self.partner_id:
            self._telegram_note_topic(self.env._("message"))
            return self._telegram_reply(
                self.env._("Your message is recorded. I understand these commands:")
                + "\n"
                + self._telegram_help_text()
            )
        return self._telegram_reply(self._telegram_help_text())

    def _telegram_command_link(self, argument):
        code = normalize_code(argument)
        if not code:
            return self._telegram_reply(
                self.env._("Send the code with the command: /link <code>")
            )
        now = fields.Datetime.now()
        if self.link_locked_until and self.link_locked_until > now:
            return self._telegram_reply(
                self.env._(
                    "Too many wrong codes. Linking is locked for this chat; "
                    "try again later."
                )
            )
        link_code = self.env["telecom.telegram.link.code"]._telegram_redeem(
            code, self, now
        )
        if not link_code:
            return self._telegram_link_refused(now)
        self._telegram_link(link_code.partner_id, now)
        return self._telegram_reply(
            self.env._(
                "Done: this chat is linked to the account of %(name)s.",
                name=link_code.partner_id.name,
            )
            + "\n"
            + self._telegram_help_text()
        )

    def _telegram_link_refused(self, now):
        failures = self.link_failure_count + 1
        values = {"link_failure_count": failures}
        if failures >= self.bot_id.link_max_failures:
            values.update(
                link_failure_count=0,
                link_locked_until=now
                + timedelta(minutes=self.bot_id.link_lock_minutes or 60),
            )
        self.write(values)
        return self._telegram_reply(
            self.env._(
                "This code is wrong, expired or already used: nothing was "
                "linked. Get a new code and try again."
            )
        )

    def _telegram_link(self, partner, now):
        """Link the chat to ``partner``: the conversation goes on their
        timeline from this message on."""
        self.ensure_one()
        self.write(
            {
                "partner_id": partner.id,
                "linked_date": now,
                "link_failure_count": 0,
                "link_locked_until": False,
                "pending_action": False,
                "interaction_id": False,
            }
        )
        self._telegram_open_conversation(now)
        self._telegram_note_topic(self.env._("account linked"))

    def _telegram_command_unlink(self, argument):
        if not self.partner_id:
            return self._telegram_reply(self._telegram_help_text())
        self._telegram_note_topic(self.env._("account unlinked"))
        self._telegram_unlink()
        return self._telegram_reply(
            self.env._("This chat no longer speaks for your account.")
        )

    def _telegram_unlink(self):
        self.write(
            {
                "partner_id": False,
                "linked_date": False,
                "pending_action": False,
                "interaction_id": False,
            }
        )

    def _telegram_require_link(self):
        if self.partner_id:
            return True
        self._telegram_reply(self._telegram_help_text())
        return False

    def _telegram_command_balance(self, argument):
        if not self._telegram_require_link():
            return False
        self._telegram_note_topic(self.env._("balance"), outcome="information")
        return self._telegram_reply(self._telegram_balance_text())

    def _telegram_balance_text(self):
        """The answer to /balance. Here: the subscriber's accounts and lines
        as the CRM knows them; an addon that knows the billing figures (the
        connector's bridge) extends it."""
        self.ensure_one()
        accounts = self._telegram_accounts()
        if not accounts:
            return self.env._("No account is open in your name.")
        lines = [self._telegram_account_line(account) for account in accounts]
        return "\n\n".join(lines)

    def _telegram_accounts(self):
        # sudo: the chat speaks for this subscriber (linked by a one-time
        # code); the system reads their accounts on their behalf
        return (
            self.env["telecom.account"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.partner_id.id),
                    ("state", "!=", "closed"),
                ],
                order="name",
            )
        )

    def _telegram_account_line(self, account):
        services = account.service_ids.filtered(
            lambda service: service.state in LIVE_SERVICE_STATES
        )
        text = self.env._("Account %(account)s", account=account.name)
        for service in services:
            text += "\n" + self.env._(
                "- %(service)s: %(tariff)s (%(state)s)",
                service=service.name,
                tariff=service.tariff_id.name or "-",
                state=dict(
                    service._fields["state"]._description_selection(self.env)
                ).get(service.state),
            )
        return text

    def _telegram_command_fault(self, argument):
        if not self._telegram_require_link():
            return False
        if not argument:
            self.pending_action = "fault"
            return self._telegram_reply(
                self.env._(
                    "Describe the fault in one message: what does not work, "
                    "where and since when."
                )
            )
        return self._telegram_report_fault(argument)

    def _telegram_report_fault(self, description):
        """Record a fault reported in the chat and tell the subscriber where
        it went. Here: the conversation is flagged for follow-up on the
        timeline; the helpdesk bridge opens a ticket instead."""
        self.ensure_one()
        self.pending_action = False
        reference = self._telegram_record_fault(description)
        return self._telegram_reply(
            self.env._(
                "Thank you, your report is recorded (%(reference)s). We will "
                "contact you.",
                reference=reference,
            )
        )

    def _telegram_record_fault(self, description):
        """Record the fault; return the reference told to the subscriber."""
        self.ensure_one()
        self._telegram_note_topic(self.env._("fault report"), outcome="follow_up")
        interaction = self.interaction_id
        interaction.description = "\n".join(
            filter(None, (interaction.description, description))
        )
        return self.env._("contact %(number)s", number=interaction.id)

    # ------------------------------------------------------------------
    # helpers for other addons
    # ------------------------------------------------------------------
    @api.model
    def _telegram_linked_chats(self, partners):
        """Active linked chats of ``partners`` (for notices)."""
        return self.search(
            [("partner_id", "in", partners.ids), ("bot_id.active", "=", True)]
        )
