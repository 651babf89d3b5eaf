from markupsafe import Markup, escape

from odoo import fields, models
from odoo.exceptions import UserError


class TelecomInteraction(models.Model):
    _inherit = "telecom.interaction"

    telegram_ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="Ticket",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="Ticket opened from this Telegram conversation.",
    )

    def action_telegram_create_ticket(self):
        """Agent: turn this Telegram conversation into a ticket (with the
        agent's rights) and open it."""
        self.ensure_one()
        if self.channel != "telegram":
            raise UserError(
                self.env._("Only a Telegram conversation becomes a ticket here.")
            )
        if self.telegram_ticket_id:
            raise UserError(
                self.env._(
                    "This conversation already has the ticket %(ticket)s.",
                    ticket=self.telegram_ticket_id.display_name,
                )
            )
        self.check_access("write")
        ticket = self.env["helpdesk.ticket"].create(
            self._telegram_prepare_ticket_vals(
                self.summary, self._telegram_transcript_html()
            )
        )
        self.write({"telegram_ticket_id": ticket.id, "outcome": "request_created"})
        return {
            "type": "ir.actions.act_window",
            "res_model": "helpdesk.ticket",
            "res_id": ticket.id,
            "view_mode": "form",
        }

    def _telegram_prepare_ticket_vals(self, name, description_html):
        self.ensure_one()
        channel = self.env.ref(
            "telecom_telegram_helpdesk.helpdesk_ticket_channel_telegram",
            raise_if_not_found=False,
        )
        return {
            "name": name,
            "description": description_html,
            "partner_id": self.partner_id.id,
            "telecom_service_id": self.service_id.id,
            "channel_id": channel.id if channel else False,
            "company_id": self.company_id.id,
        }

    def _telegram_transcript_html(self):
        """The conversation as the ticket's description."""
        self.ensure_one()
        rows = []
        for message in self.telegram_message_ids:
            who = (
                self.env._("Subscriber")
                if message.direction == "inbound"
                else self.env._("Bot")
            )
            rows.append(
                Markup("<p><b>%s</b> %s: %s</p>")
                % (
                    who,
                    fields.Datetime.to_string(message.date),
                    escape(message.text or ""),
                )
            )
        return Markup("").join(rows) or Markup("<p>%s</p>") % (self.summary or "")
