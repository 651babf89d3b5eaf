from odoo import fields, models

from .sla_selections import ESCALATION_LEVELS, PRIORITIES


class TelecomKpiMeasurement(models.Model):
    """The ticket KPIs' breakdowns: team, priority and escalation level."""

    _inherit = "telecom.kpi.measurement"

    team_id = fields.Many2one("helpdesk.ticket.team", index=True)
    priority = fields.Selection(PRIORITIES)
    escalation_level = fields.Selection(ESCALATION_LEVELS)
