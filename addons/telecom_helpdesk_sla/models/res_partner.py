from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.telecom_subscriber.tools.sql import (
    card_count,
    card_counts,
    card_ranked_ids,
)

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
        string="Open Tickets", compute="_compute_telecom_card"
    )
    telecom_card_ticket_ids = fields.Many2many(
        "helpdesk.ticket",
        string="Recent Tickets",
        compute="_compute_telecom_card",
    )
    telecom_active_incident_ids = fields.Many2many(
        "telecom.incident",
        string="Active Incidents",
        compute="_compute_telecom_card",
        help="Open network incidents affecting this subscriber's zone and services.",
    )

    @api.depends("helpdesk_ticket_ids.stage_id")
    def _compute_telecom_card(self):
        return super()._compute_telecom_card()

    def _telecom_card_parts(self):
        """Open ticket count and the newest tickets, in the card's statement."""
        Ticket = self.env["helpdesk.ticket"]
        partners = [("commercial_partner_id", "in", self._origin.ids)]
        return super()._telecom_card_parts() + [
            card_counts(
                "open_tickets",
                Ticket,
                partners + [("closed", "=", False)],
                "commercial_partner_id",
            ),
            card_ranked_ids(
                "tickets",
                Ticket,
                partners,
                "commercial_partner_id",
                lambda alias: SQL("%s DESC", SQL.identifier(alias, "id")),
                CARD_TICKET_LIMIT,
            ),
            self._telecom_card_incidents_part(),
        ]

    def _telecom_card_incidents_part(self):
        Incident = self.env["telecom.incident"]
        for model in ("telecom.incident", "telecom.service", "telecom.region"):
            self.env[model].flush_model()
        self.flush_model(["telecom_region_id"])
        return SQL(
            "SELECT 'incidents', partner_id, id, 0 FROM (%s) incidents",
            Incident._active_for_partners_sql(self._origin.ids),
        )

    def _telecom_card_assign(self, rows):
        result = super()._telecom_card_assign(rows)
        Ticket = self.env["helpdesk.ticket"]
        incident_ids = {
            incident_id
            for (key, _partner_id), ids in rows.items()
            if key == "incidents"
            for incident_id in ids
        }
        incidents = (
            self.env["telecom.incident"].browse(incident_ids)._filtered_access("read")
        )
        for partner in self:
            partner_id = partner._origin.id
            partner.telecom_active_incident_ids = incidents.filtered(
                lambda incident, partner_id=partner_id: (
                    incident.id in rows.get(("incidents", partner_id), ())
                )
            )
            partner.telecom_open_ticket_count = card_count(
                rows, "open_tickets", partner_id
            )
            partner.telecom_card_ticket_ids = Ticket.browse(
                rows.get(("tickets", partner_id), [])
            )
        return result

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
