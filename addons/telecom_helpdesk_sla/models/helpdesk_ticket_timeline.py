from odoo import models


class HelpdeskTicket(models.Model):
    """Business events and subscriber timeline rows of tickets."""

    _inherit = "helpdesk.ticket"

    def _telecom_emit(self, event_type):
        """Business event and timeline row for the tickets of subscribers. The
        timeline row of a complaint ticket has the outcome Complaint: it counts
        in the complaint figures and announces ``complaint.registered``."""
        tickets = self.filtered(
            lambda t: t.partner_id.commercial_partner_id.telecom_is_subscriber
        )
        if not tickets:
            return
        complaint_ids = tickets._telecom_complaint_ids()
        tickets = tickets.with_context(telecom_complaint_ticket_ids=complaint_ids)
        self.env["telecom.event"]._emit(
            event_type,
            [ticket._telecom_prepare_event_vals(event_type) for ticket in tickets],
        )
        # sudo: the timeline row follows the ticket the user may create or close;
        # helpdesk users outside the telecom roles have no timeline rights
        self.env["telecom.interaction"].sudo().create(
            [ticket._telecom_prepare_interaction_vals(event_type) for ticket in tickets]
        )

    def _telecom_complaint_ids(self):
        """Ids of the tickets of ``self`` filed in a complaint category."""
        complaint_categories = self.category_id._telecom_complaint_ids()
        return {
            ticket.id
            for ticket in self
            if ticket.category_id.id in complaint_categories
        }

    def _telecom_is_complaint(self):
        """Whether the ticket is a complaint (category flag), as computed once
        for the tickets being announced."""
        self.ensure_one()
        known = self.env.context.get("telecom_complaint_ticket_ids")
        if known is None:
            known = self._telecom_complaint_ids()
        return self.id in known

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
                "complaint": self._telecom_is_complaint(),
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
            "outcome": "resolved"
            if closing
            else ("complaint" if self._telecom_is_complaint() else "follow_up"),
            "res_model": self._name,
            "res_id": self.id,
            "company_id": self.company_id.id,
        }
