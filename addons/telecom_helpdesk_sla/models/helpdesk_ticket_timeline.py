from odoo import models


class HelpdeskTicket(models.Model):
    """Business events and subscriber timeline rows of tickets."""

    _inherit = "helpdesk.ticket"

    def _telecom_emit(self, event_type):
        """Business event and timeline row for the tickets of subscribers."""
        tickets = self.filtered(
            lambda t: t.partner_id.commercial_partner_id.telecom_is_subscriber
        )
        if not tickets:
            return
        self.env["telecom.event"]._emit(
            event_type,
            [ticket._telecom_prepare_event_vals(event_type) for ticket in tickets],
        )
        # sudo: the timeline row follows the ticket the user may create or close;
        # helpdesk users outside the telecom roles have no timeline rights
        self.env["telecom.interaction"].sudo().create(
            [ticket._telecom_prepare_interaction_vals(event_type) for ticket in tickets]
        )

    def _telecom_prepare_event_vals(self, event_type):
        self.ensure_one()
        return {
            "partner_id": self.partner_id.commercial_partner_id.id,
            "service_id": self.telecom_service_id.id,
            "res_model": self._name,
            "res_id": self.id,
            "summary": self.display_name,
            "company_id": self.company_id.id,
            "payload": {
                "number": self.number,
                "priority": self.priority,
                "team": self.team_id.name,
                "region_id": self.telecom_region_id.id,
                "sla_status": self.sla_status,
                "incident_id": self.incident_id.id,
            },
        }

    def _telecom_prepare_interaction_vals(self, event_type):
        self.ensure_one()
        closing = event_type == "ticket.closed"
        if closing:
            summary = self.env._(
                "Ticket %(number)s closed: %(name)s", number=self.number, name=self.name
            )
        else:
            summary = self.env._(
                "Ticket %(number)s opened: %(name)s", number=self.number, name=self.name
            )
        return {
            "partner_id": self.partner_id.commercial_partner_id.id,
            "service_id": self.telecom_service_id.id,
            "channel": "system"
            if closing
            else (self.channel_id.telecom_channel or "system"),
            "direction": "internal" if closing else "inbound",
            "summary": summary,
            "outcome": "resolved" if closing else "follow_up",
            "res_model": self._name,
            "res_id": self.id,
            "company_id": self.company_id.id,
        }
