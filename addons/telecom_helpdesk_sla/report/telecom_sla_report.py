from odoo import fields, models, tools

from ..models.sla_selections import (
    LINE_STATUSES,
    PRIORITIES,
    SEGMENTS,
    TARGET_KINDS,
)


class TelecomSlaReport(models.Model):
    """SLA analysis: one row per SLA target of a ticket, with the ticket's team,
    zone, priority, policy and subscriber (pivot, graph, list)."""

    _name = "telecom.sla.report"
    _description = "SLA Analysis"
    _auto = False
    _order = "deadline desc"
    _rec_name = "ticket_id"

    ticket_id = fields.Many2one("helpdesk.ticket", readonly=True)
    line_id = fields.Many2one("telecom.sla.line", string="SLA Target", readonly=True)
    kind = fields.Selection(TARGET_KINDS, string="Target", readonly=True)
    status = fields.Selection(LINE_STATUSES, readonly=True)
    policy_id = fields.Many2one("telecom.sla.policy", readonly=True)
    team_id = fields.Many2one("helpdesk.ticket.team", readonly=True)
    user_id = fields.Many2one("res.users", string="Assignee", readonly=True)
    region_id = fields.Many2one("telecom.region", string="Zone", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    segment = fields.Selection(SEGMENTS, readonly=True)
    priority = fields.Selection(PRIORITIES, readonly=True)
    category_id = fields.Many2one("helpdesk.ticket.category", readonly=True)
    incident_id = fields.Many2one("telecom.incident", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    start_date = fields.Datetime(string="Clock Started", readonly=True)
    deadline = fields.Datetime(readonly=True)
    done_date = fields.Datetime(string="Reached On", readonly=True)
    is_open = fields.Boolean(string="Open", readonly=True)
    at_risk = fields.Boolean(readonly=True)
    breached = fields.Boolean(readonly=True)
    met_count = fields.Integer(string="Met in Time", readonly=True)
    breach_count = fields.Integer(string="Breaches", readonly=True)
    target_count = fields.Integer(string="Targets", readonly=True)
    compliance = fields.Float(string="Compliance (%)", readonly=True, aggregator="avg")
    target_hours = fields.Float(readonly=True, aggregator="avg")
    paused_hours = fields.Float(readonly=True)

    @property
    def _table_query(self):
        return """
            SELECT l.id, l.id AS line_id, l.ticket_id, l.kind, l.status,
                   l.policy_id, t.team_id, t.user_id, t.telecom_region_id AS region_id,
                   t.commercial_partner_id AS partner_id,
                   t.telecom_segment AS segment, t.priority, t.category_id,
                   t.incident_id, l.company_id, l.start_date, l.deadline,
                   l.done_date, l.status IN ('running', 'paused') AS is_open,
                   l.at_risk AND l.status IN ('running', 'paused') AS at_risk,
                   l.breached,
                   CASE WHEN l.status = 'met' THEN 1 ELSE 0 END AS met_count,
                   CASE WHEN l.breached THEN 1 ELSE 0 END AS breach_count,
                   1 AS target_count,
                   CASE WHEN l.breached THEN 0.0 ELSE 100.0 END AS compliance,
                   l.target_hours, l.paused_work_seconds / 3600 AS paused_hours
              FROM telecom_sla_line l
              JOIN helpdesk_ticket t ON t.id = l.ticket_id
             WHERE l.status != 'cancelled'
        """

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
