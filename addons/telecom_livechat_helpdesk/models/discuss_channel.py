import textwrap

from markupsafe import Markup

from odoo import fields, models
from odoo.tools import html2plaintext

SUBJECT_LENGTH = 80


class DiscussChannel(models.Model):
    _inherit = "discuss.channel"

    telecom_ticket_ids = fields.One2many(
        "helpdesk.ticket",
        "telecom_livechat_channel_id",
        string="Tickets",
        groups="base.group_user",
    )

    def action_telecom_create_ticket(self):
        """A service desk ticket of the subscriber with the transcript of the
        conversation (its first one again when one exists); the conversation is
        told its number and the timeline row marked Follow-up Needed."""
        self.ensure_one()
        self._telecom_check_agent()
        ticket = self.telecom_ticket_ids[:1] or self._telecom_create_ticket()
        return {
            "type": "ir.actions.act_window",
            "res_model": "helpdesk.ticket",
            "res_id": ticket.id,
            "views": [(False, "form")],
        }

    def _telecom_create_ticket(self):
        partner = self._telecom_subscriber()
        visitor = self._telecom_visitor_partners().filtered(
            lambda member: member.commercial_partner_id == partner
        )[:1]
        ticket = self.env["helpdesk.ticket"].create(
            self._telecom_prepare_ticket_vals(visitor or partner)
        )
        if self.telecom_interaction_id.outcome != "request_created":
            self.telecom_interaction_id.outcome = "follow_up"
        self.message_post(
            body=self.env._("Ticket %(number)s created.", number=ticket.number),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return ticket

    def _telecom_prepare_ticket_vals(self, partner):
        self.ensure_one()
        return {
            "name": self.env._(
                "Live chat: %(subject)s", subject=self._telecom_ticket_subject()
            ),
            "description": self._get_channel_history() or Markup("<p></p>"),
            "partner_id": partner.id,
            "channel_id": self.env.ref(
                "telecom_livechat_helpdesk.helpdesk_ticket_channel_livechat"
            ).id,
            "telecom_livechat_channel_id": self.id,
            # the agent who answered the chat follows the ticket up
            "user_id": self.env.uid,
            "company_id": (partner.company_id or self.env.company).id,
        }

    def _telecom_ticket_subject(self):
        """The first message of the visitor, shortened; else the channel name."""
        operator = self.livechat_operator_id
        for message in self._telecom_messages():
            if message.author_id != operator:
                text = html2plaintext(message.body or "").strip()
                if text:
                    return textwrap.shorten(
                        " ".join(text.split()), SUBJECT_LENGTH, placeholder="…"
                    )
        return self.name
