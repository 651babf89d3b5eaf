from odoo import api, fields, models
from odoo.tools import SQL

CARD_TICKET_LIMIT = 20


class ResPartner(models.Model):
    _inherit = "res.partner"

    telecom_incident_notify = fields.Boolean(
        string="Incident Notifications",
        default=True,
        help="Tell this subscriber about network incidents affecting their "
        "services (e-mail and SMS; the e-mail and phone blacklists still apply).",
    )
    telecom_open_ticket_count = fields.Integer(
        string="Open Tickets", compute="_compute_telecom_tickets"
    )
    telecom_card_ticket_ids = fields.Many2many(
        "helpdesk.ticket",
        string="Recent Tickets",
        compute="_compute_telecom_tickets",
    )
    telecom_active_incident_ids = fields.Many2many(
        "telecom.incident",
        string="Active Incidents",
        compute="_compute_telecom_active_incident_ids",
        help="Open network incidents affecting this subscriber's zone and services.",
    )

    @api.depends("helpdesk_ticket_ids.stage_id")
    def _compute_telecom_tickets(self):
        """Open ticket count and the newest tickets, bounded, in two queries."""
        Ticket = self.env["helpdesk.ticket"]
        counts = dict(
            Ticket._read_group(
                [
                    ("commercial_partner_id", "in", self.ids),
                    ("closed", "=", False),
                ],
                ["commercial_partner_id"],
                ["__count"],
            )
        )
        ticket_ids = []
        if self.ids:
            Ticket.flush_model(["commercial_partner_id"])
            self.env.cr.execute(
                SQL(
                    """SELECT id FROM (
                           SELECT id, row_number() OVER (
                               PARTITION BY commercial_partner_id
                               ORDER BY id DESC) AS position
                             FROM helpdesk_ticket
                            WHERE commercial_partner_id = ANY(%s)
                       ) ranked WHERE position <= %s""",
                    self.ids,
                    CARD_TICKET_LIMIT,
                )
            )
            ticket_ids = [row[0] for row in self.env.cr.fetchall()]
        tickets = Ticket.browse(ticket_ids)._filtered_access("read")
        by_partner = tickets.grouped("commercial_partner_id")
        for partner in self:
            partner.telecom_open_ticket_count = counts.get(partner, 0)
            partner.telecom_card_ticket_ids = by_partner.get(partner, Ticket)

    def _compute_telecom_active_incident_ids(self):
        Incident = self.env["telecom.incident"]
        by_partner = Incident._active_for_partners(self)
        incidents = Incident.browse(
            {i for ids in by_partner.values() for i in ids}
        )._filtered_access("read")
        for partner in self:
            partner.telecom_active_incident_ids = incidents.filtered(
                lambda incident, partner=partner: (
                    incident.id in by_partner.get(partner.id, ())
                )
            )

    def write(self, vals):
        result = super().write(vals)
        if "telecom_segment" in vals:
            # the segment chooses SLA policies: open tickets follow it
            self.env["helpdesk.ticket"].search(
                [
                    ("commercial_partner_id", "in", self.commercial_partner_id.ids),
                    ("closed", "=", False),
                ]
            )._sla_apply_policies()
        return result

    def action_telecom_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_mgmt.helpdesk_ticket_action"
        )
        action["domain"] = [("commercial_partner_id", "=", self.id)]
        action["context"] = {
            "default_partner_id": self.id,
            "search_default_open": 1,
        }
        return action

    def action_telecom_new_ticket(self):
        """New ticket for this subscriber; the agent has seen the incidents."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Ticket"),
            "res_model": "helpdesk.ticket",
            "view_mode": "form",
            "views": [(False, "form")],
            "context": {
                "default_partner_id": self.id,
                "default_partner_name": self.name,
                "default_partner_email": self.email,
                "default_incident_id": self.telecom_active_incident_ids[:1].id,
            },
        }
