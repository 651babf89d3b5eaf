from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.sla_selections import ACTIVE_INCIDENT_STATES

CHUNK = 20000


class TelecomIncidentLink(models.TransientModel):
    """Link tickets selected in the list to a mass incident, in chunks."""

    _name = "telecom.incident.link"
    _description = "Link Tickets to a Mass Incident"

    incident_id = fields.Many2one(
        "telecom.incident",
        string="Mass Incident",
        required=True,
        domain=[("state", "in", ACTIVE_INCIDENT_STATES)],
    )
    ticket_ids = fields.Many2many("helpdesk.ticket", string="Tickets")
    ticket_count = fields.Integer(compute="_compute_ticket_count")

    @api.depends("ticket_ids")
    def _compute_ticket_count(self):
        for wizard in self:
            wizard.ticket_count = len(wizard.ticket_ids)

    def action_link(self):
        """Link the open selected tickets: the user must be allowed to write
        the incident and every one of these tickets."""
        self.ensure_one()
        tickets = self.ticket_ids.filtered(lambda ticket: not ticket.closed)
        if not tickets:
            raise UserError(self.env._("Select at least one open ticket."))
        self.incident_id.check_access("write")
        tickets.check_access("write")
        linked = 0
        for start in range(0, len(tickets), CHUNK):
            linked += self.incident_id._link_tickets(tickets[start : start + CHUNK])
        self.incident_id.message_post(
            body=self.env._(
                "%(count)s tickets linked by %(user)s.",
                count=linked,
                user=self.env.user.name,
            )
        )
        return {"type": "ir.actions.act_window_close"}
