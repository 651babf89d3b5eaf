from odoo import fields, models


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    telecom_calendar_id = fields.Many2one(
        "resource.calendar",
        string="SLA Working Calendar",
        check_company=True,
        help="Working time of the team's tickets when their SLA policy names no "
        "calendar.",
    )
    telecom_escalation_team = fields.Boolean(
        string="NOC / Escalation Team",
        help="Shown on the NOC dashboard.",
    )
