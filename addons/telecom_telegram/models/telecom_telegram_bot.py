import hmac
import os
import secrets

from odoo import api, fields, models, tools
from odoo.exceptions import UserError

from ..tools.bot_api import TelegramBotApi, TelegramError

TOKEN_ENVIRONMENT = "TELECOM_TELEGRAM_TOKEN"
TOKEN_CONFIG_KEY = "telecom_telegram_token"
WEBHOOK_ROUTE = "/telecom/telegram/{bot_id}/webhook"


def _new_secret():
    # the Bot API allows 1-256 characters A-Z, a-z, 0-9, _ and -
    return secrets.token_urlsafe(32)


class TelecomTelegramBot(models.Model):
    """A Telegram bot of the operator: where its API is, its token, its webhook.

    The token comes from the bot's own field (administrators only), else the
    ``TELECOM_TELEGRAM_TOKEN`` environment variable, else the
    ``telecom_telegram_token`` option of Odoo's configuration file: production
    keeps it out of the database. ``api_base_url`` points to Telegram, or to
    the project's simulator in tests and the demo.
    """

    _name = "telecom.telegram.bot"
    _description = "Telegram Bot"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    username = fields.Char(
        string="Bot Username",
        help="The bot's @username, filled when the webhook is registered.",
    )
    api_base_url = fields.Char(
        string="Bot API URL",
        required=True,
        default="https://api.telegram.org",
        help="Telegram's Bot API, or the simulator's address (no internet in "
        "tests and the demo).",
    )
    token = fields.Char(
        groups="base.group_system",
        copy=False,
        help="Bot token from @BotFather. Leave empty to take it from the "
        "TELECOM_TELEGRAM_TOKEN environment variable or the "
        "telecom_telegram_token option of the Odoo configuration file.",
    )
    webhook_secret = fields.Char(
        groups="base.group_system",
        copy=False,
        default=lambda self: _new_secret(),
        help="Telegram sends it in the X-Telegram-Bot-Api-Secret-Token header of "
        "every update; updates without it are refused.",
    )
    webhook_base_url = fields.Char(
        string="Public Odoo URL",
        help="Address Telegram (or the simulator) reaches Odoo at; the "
        "web.base.url parameter when empty.",
    )
    webhook_url = fields.Char(compute="_compute_webhook_url")
    webhook_registered_at = fields.Datetime(readonly=True, copy=False)
    timeout = fields.Float(
        string="Time-out (s)",
        default=10.0,
        help="Seconds a call to the Bot API may take before it is retried later.",
    )
    max_attempts = fields.Integer(
        default=5, help="Attempts to send a message before it is marked failed."
    )
    retry_delay = fields.Integer(
        string="First Retry Delay (s)",
        default=30,
        help="Seconds before the first retry; each further retry waits twice as long.",
    )
    code_validity = fields.Integer(
        string="Linking Code Validity (min)",
        default=15,
        help="Minutes a one-time linking code stays valid.",
    )
    link_max_failures = fields.Integer(
        string="Wrong Codes Allowed",
        default=5,
        help="Wrong or expired codes a chat may send before linking is "
        "locked for that chat.",
    )
    link_lock_minutes = fields.Integer(
        string="Lock After Wrong Codes (min)",
        default=60,
        help="Minutes a chat may not link after too many wrong codes.",
    )
    session_timeout = fields.Integer(
        string="Conversation Timeout (min)",
        default=30,
        help="A message after that much silence starts a new conversation "
        "(a new row on the subscriber's timeline).",
    )
    chat_count = fields.Integer(compute="_compute_chat_count")

    _sql_constraints = [
        (
            "positive_settings",
            "CHECK(max_attempts > 0 AND code_validity > 0 AND link_max_failures > 0"
            " AND session_timeout > 0)",
            "Attempts, validity, wrong codes allowed and timeout must be positive.",
        ),
    ]

    @api.depends("webhook_base_url")
    def _compute_webhook_url(self):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        for bot in self:
            root = (bot.webhook_base_url or base_url or "").rstrip("/")
            bot.webhook_url = (
                root + WEBHOOK_ROUTE.format(bot_id=bot.id) if bot.id else False
            )

    def _compute_chat_count(self):
        counts = dict(
            self.env["telecom.telegram.chat"]._read_group(
                [("bot_id", "in", self.ids)], ["bot_id"], ["__count"]
            )
        )
        for bot in self:
            bot.chat_count = counts.get(bot, 0)

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_register_webhook(self):
        """Tell Telegram where to send the updates (setWebhook, with the
        secret) and note the bot's username (getMe). The administrator waits:
        one short call each, an error is shown, nothing is retried."""
        self.ensure_one()
        self.check_access("write")
        api = self._telegram_api()
        try:
            me = api.get_me() or {}
            api.set_webhook(self.webhook_url, self._telegram_secret())
        except TelegramError as error:
            raise UserError(
                self.env._(
                    "Telegram refused or did not answer: %(error)s",
                    error=error.message,
                )
            ) from None
        self.write(
            {
                "username": me.get("username") or self.username,
                "webhook_registered_at": fields.Datetime.now(),
            }
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Telegram now sends the updates of the bot to %(url)s.",
                    url=self.webhook_url,
                ),
            },
        }

    def action_new_webhook_secret(self):
        """A new webhook secret; register the webhook again afterwards."""
        self.ensure_one()
        self.check_access("write")
        # sudo: the secret is readable by administrators only; the user was
        # checked for write access on the bot above
        self.sudo().write(
            {"webhook_secret": _new_secret(), "webhook_registered_at": False}
        )
        return True

    def action_view_chats(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_telegram.telecom_telegram_chat_action"
        )
        action["domain"] = [("bot_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------
    # the Bot API
    # ------------------------------------------------------------------
    def _telegram_token(self):
        self.ensure_one()
        # sudo: the token is an administrator's field; the system uses it to
        # call the Bot API on the bot's behalf and never shows it
        return (
            self.sudo().token
            or os.environ.get(TOKEN_ENVIRONMENT)
            or tools.config.get(TOKEN_CONFIG_KEY)
            or ""
        )

    def _telegram_secret(self):
        self.ensure_one()
        # sudo: the secret is an administrator's field, used by the system only
        return self.sudo().webhook_secret or ""

    def _telegram_api(self):
        self.ensure_one()
        token = self._telegram_token()
        if not token:
            raise UserError(
                self.env._(
                    "The bot %(bot)s has no token: set it on the bot or in the "
                    "TELECOM_TELEGRAM_TOKEN environment variable.",
                    bot=self.name,
                )
            )
        return TelegramBotApi(
            self.api_base_url, token, timeout=(3.05, self.timeout or 10.0)
        )

    def _telegram_secret_matches(self, given):
        """Whether ``given`` (the header of an update) is the bot's secret."""
        self.ensure_one()
        expected = self._telegram_secret()
        return bool(expected and given) and hmac.compare_digest(
            given.encode(), expected.encode()
        )

    # ------------------------------------------------------------------
    # updates from the webhook
    # ------------------------------------------------------------------
    def _api_receive_update(self, update):
        """Record one update of the webhook (already authenticated) and wake
        the processing cron; nothing else happens in the HTTP request. Updates
        are recorded once: Telegram sends an update again until it gets 200.
        Returns the inbound message, or an empty recordset when the update is
        no text message (edits, stickers, joins... are ignored)."""
        self.ensure_one()
        Message = self.env["telecom.telegram.message"]
        parsed = self._telegram_parse_update(update)
        if not parsed:
            return Message
        known = Message.search(
            [("bot_id", "=", self.id), ("update_id", "=", parsed["update_id"])],
            limit=1,
        )
        if known:
            return known
        chat = self.env["telecom.telegram.chat"]._telegram_find_or_create(
            self, parsed["chat"]
        )
        message = Message.create(
            {
                "bot_id": self.id,
                "chat_id": chat.id,
                "direction": "inbound",
                "state": "received",
                "update_id": parsed["update_id"],
                "telegram_message_id": parsed["message_id"],
                "text": parsed["text"],
            }
        )
        Message._telegram_wake_up()
        return message

    @api.model
    def _telegram_parse_update(self, update):
        """``{"update_id", "message_id", "text", "chat": {...}}`` of a text
        message update, else ``None``."""
        if not isinstance(update, dict):
            return None
        message = update.get("message")
        update_id = update.get("update_id")
        if not isinstance(message, dict) or not isinstance(update_id, int):
            return None
        chat = message.get("chat")
        text = message.get("text")
        if not isinstance(chat, dict) or not isinstance(text, str):
            return None
        if chat.get("type", "private") != "private" or "id" not in chat:
            return None  # the bot talks to people, not to groups or channels
        sender = message.get("from") if isinstance(message.get("from"), dict) else {}
        return {
            "update_id": update_id,
            "message_id": message.get("message_id"),
            "text": text[:4096],
            "chat": {
                "id": str(chat["id"]),
                "username": str(chat.get("username") or sender.get("username") or "")[
                    :64
                ],
                "first_name": str(chat.get("first_name") or "")[:64],
                "last_name": str(chat.get("last_name") or "")[:64],
                "language_code": str(sender.get("language_code") or "")[:8],
            },
        }
