from markupsafe import Markup

from odoo import models


class TelecomTelegramChat(models.Model):
    _inherit = "telecom.telegram.chat"

    def _telegram_record_fault(self, description):
        """A fault reported in the chat opens a ticket for the subscriber
        (channel Telegram); its number is the reference told back."""
        self.ensure_one()
        reference = super()._telegram_record_fault(description)
        interaction = self.interaction_id
        # sudo: the chat speaks for the subscriber it is linked to (by a
        # one-time code); the system files the ticket on their behalf
        interaction = interaction.sudo()
        vals = interaction._telegram_prepare_ticket_vals(
            self.env._("Fault reported in Telegram: %(text)s", text=description[:60]),
            Markup("<p>%s</p>") % description,
        )
        if not vals["telecom_service_id"]:
            vals["telecom_service_id"] = self._telegram_single_live_service().id
        ticket = self.env["helpdesk.ticket"].sudo().create(vals)
        interaction.write(
            {"telegram_ticket_id": ticket.id, "outcome": "request_created"}
        )
        return ticket.number or reference

    def _telegram_single_live_service(self):
        """The subscriber's only live line, when there is one (the ticket
        then names it)."""
        services = self._telegram_accounts().service_ids.filtered(
            lambda service: service.state in ("active", "blocked")
        )
        return services if len(services) == 1 else services.browse()
