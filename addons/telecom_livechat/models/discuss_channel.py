from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import html2plaintext

AGENT_GROUP = "telecom_subscriber.telecom_subscriber_group_user"


class DiscussChannel(models.Model):
    """A live chat conversation of a logged-in subscriber: linked to their
    partner and recorded on their timeline (one row per conversation, completed
    with the transcript and the duration when the conversation ends)."""

    _inherit = "discuss.channel"

    telecom_partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        groups="base.group_user",
        help="The subscriber who started the conversation from the portal.",
    )
    telecom_interaction_id = fields.Many2one(
        "telecom.interaction",
        string="Timeline Row",
        readonly=True,
        ondelete="set null",
        groups="base.group_user",
    )

    @api.model_create_multi
    def create(self, vals_list):
        channels = super().create(vals_list)
        channels.filtered(
            lambda channel: channel.channel_type == "livechat"
        )._telecom_link_subscriber()
        return channels

    def _close_livechat_session(self, **kwargs):
        # sudo: the visitor's session ends the conversation; its timeline row,
        # hidden from the visitor, follows
        channel_sudo = self.sudo()
        active = channel_sudo.livechat_active
        result = super()._close_livechat_session(**kwargs)
        if active and channel_sudo.telecom_interaction_id:
            channel_sudo._telecom_update_interaction()
        return result

    # ------------------------------------------------------------------
    # Actions (agents, from the chat window or the session form)
    # ------------------------------------------------------------------
    def action_telecom_new_request(self):
        """A lifecycle request of the subscriber of the conversation (a claim by
        default; the agent may choose another type in the draft)."""
        self.ensure_one()
        self._telecom_check_agent()
        partner = self._telecom_subscriber()
        action = self.env["telecom.request"]._action_new(
            self.env.context.get("telecom_request_type") or "claim",
            {
                "partner_id": partner.id,
                "account_id": partner.telecom_account_ids[:1].id,
            },
        )
        action["context"]["telecom_livechat_interaction_id"] = (
            self.telecom_interaction_id.id
        )
        return action

    def action_telecom_open_subscriber(self):
        self.ensure_one()
        self._telecom_check_agent()
        partner = self._telecom_subscriber()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": partner.id,
            "views": [
                (
                    self.env.ref(
                        "telecom_subscriber.res_partner_view_form_telecom_card"
                    ).id,
                    "form",
                )
            ],
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _telecom_check_agent(self):
        """Public actions reachable over RPC: agents of the telecom roles who
        may read the conversation (its operator, a live chat manager)."""
        if not self.env.user.has_group(AGENT_GROUP):
            raise AccessError(
                self.env._("Only agents turn a conversation into a request.")
            )
        self.check_access("read")

    def _telecom_subscriber(self):
        self.ensure_one()
        if not self.telecom_partner_id:
            raise UserError(
                self.env._("This conversation is not with a known subscriber.")
            )
        return self.telecom_partner_id

    def _telecom_visitor_partners(self):
        """The partners of the conversation other than its operator."""
        self.ensure_one()
        return self.channel_member_ids.partner_id - self.livechat_operator_id

    def _telecom_link_subscriber(self):
        """Link each conversation started by a subscriber's login to the
        subscriber and open its timeline row."""
        vals_list, channels = [], self.browse()
        for channel in self:
            subscriber = channel._telecom_visitor_partners().commercial_partner_id
            subscriber = subscriber.filtered("telecom_is_subscriber")[:1]
            if subscriber:
                channel.telecom_partner_id = subscriber
                channels |= channel
                vals_list.append(channel._telecom_prepare_interaction_vals(subscriber))
        if not vals_list:
            return
        # sudo: the conversation is created by the subscriber's portal session
        # (or Odoo's live chat controller as superuser), who has no right on the
        # timeline; the row follows the conversation
        interactions = self.env["telecom.interaction"].sudo().create(vals_list)
        for channel, interaction in zip(channels, interactions, strict=True):
            channel.telecom_interaction_id = interaction

    def _telecom_prepare_interaction_vals(self, subscriber):
        self.ensure_one()
        operator = self.livechat_operator_id
        return {
            "partner_id": subscriber.id,
            "channel": "chat",
            "direction": "inbound",
            "date": self.create_date or fields.Datetime.now(),
            "agent_id": operator.user_ids[:1].id,
            "summary": self.env._(
                "Live chat with %(operator)s",
                operator=operator.user_livechat_username or operator.name or "-",
            ),
            "res_model": self._name,
            "res_id": self.id,
            "company_id": (subscriber.company_id or self.env.company).id,
        }

    def _telecom_update_interaction(self):
        """The conversation ended: its row gets the transcript and duration."""
        self.ensure_one()
        self.telecom_interaction_id.write(
            {
                "description": self._telecom_transcript(),
                "duration": round(self._telecom_duration_minutes(), 2),
            }
        )

    def _telecom_duration_minutes(self):
        self.ensure_one()
        end = fields.Datetime.now()
        return max((end - self.create_date).total_seconds() / 60.0, 0.0)

    def _telecom_transcript(self):
        """The conversation as plain text, one line per message."""
        self.ensure_one()
        lines = []
        for message in self._telecom_messages():
            author = message.author_id.name or message.author_guest_id.name
            body = html2plaintext(message.body or "").strip()
            if body:
                lines.append(f"{author or '-'}: {body}")
        return "\n".join(lines)

    def _telecom_messages(self):
        """The messages written in the conversation, oldest first."""
        self.ensure_one()
        # sudo: read for the timeline row or the ticket of the conversation, by
        # its visitor or its operator, whose access to the messages Odoo checked
        # on the conversation (its one2many may be read already, filtered by
        # the visitor's rights)
        return (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("message_type", "=", "comment"),
                ],
                order="id",
            )
        )
