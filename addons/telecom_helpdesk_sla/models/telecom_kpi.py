from odoo import api, models
from odoo.tools import SQL


class TelecomKpi(models.Model):
    """KPIs of tickets, measured from ``telecom.sla.line``,
    ``telecom.escalation.firing`` and ``helpdesk.ticket`` per zone, team and
    priority (formulas in the readme and on each KPI record), and the team
    breakdown of the contact and request KPIs. Months are calendar months in
    UTC."""

    _inherit = "telecom.kpi"

    @api.model
    def _kpi_dimension_fields(self):
        return super()._kpi_dimension_fields() + [
            "team_id",
            "priority",
            "escalation_level",
        ]

    def _kpi_group_rows(self, rows):
        """Contacts and requests count for the team of the user who handled
        them: the user's first helpdesk team, as helpdesk_mgmt assigns it."""
        users = self.env["res.users"].browse(
            {row["user_id"] for row in rows if row.get("user_id")}
        )
        team_of_user = {user.id: user.helpdesk_team_ids[:1].id for user in users}
        for row in rows:
            if row.get("user_id") and not row.get("team_id"):
                row["team_id"] = team_of_user.get(row["user_id"]) or False
        return super()._kpi_group_rows(rows)

    def _kpi_rows_sla_compliance(self, date_from, date_to):
        """SLA targets due in the month and decided (met, or breached) that
        were met in time / SLA targets due in the month and decided, per
        priority and team."""
        return self._kpi_fetch(
            SQL(
                """
            SELECT date_trunc('month', l.deadline)::date AS period_start,
                   t.company_id, t.telecom_region_id AS region_id, t.team_id,
                   t.priority,
                   COUNT(*) FILTER (WHERE NOT l.breached) AS numerator,
                   COUNT(*) AS denominator
              FROM telecom_sla_line l
              JOIN helpdesk_ticket t ON t.id = l.ticket_id
             WHERE l.deadline >= %(date_from)s AND l.deadline < %(date_to)s
               AND (l.status = 'met' OR l.breached)
             GROUP BY 1, 2, 3, 4, 5
            """,
                date_from=date_from,
                date_to=date_to,
            )
        )

    def _kpi_rows_escalation_speed(self, date_from, date_to):
        """Per escalation level: hours from the start of the ticket's SLA clock
        (its creation when it has none) to the level's firing / firings of the
        level, by month of the firing."""
        return self._kpi_fetch(
            SQL(
                """
            SELECT date_trunc('month', f.date)::date AS period_start,
                   t.company_id, t.telecom_region_id AS region_id, t.team_id,
                   f.level AS escalation_level,
                   SUM(EXTRACT(EPOCH FROM f.date - COALESCE(
                       t.telecom_sla_start_date, t.create_date)) / 3600
                   ) AS numerator,
                   COUNT(*) AS denominator
              FROM telecom_escalation_firing f
              JOIN helpdesk_ticket t ON t.id = f.ticket_id
             WHERE f.date >= %(date_from)s AND f.date < %(date_to)s
             GROUP BY 1, 2, 3, 4, 5
            """,
                date_from=date_from,
                date_to=date_to,
            )
        )

    def _kpi_rows_ticket_csat(self, date_from, date_to):
        """Rated tickets closed in the month with a rating of 4 or 5 / rated
        tickets closed in the month."""
        return self._kpi_fetch(
            SQL(
                """
            SELECT date_trunc('month', t.closed_date)::date AS period_start,
                   t.company_id, t.telecom_region_id AS region_id, t.team_id,
                   t.priority,
                   COUNT(*) FILTER (
                       WHERE t.telecom_satisfaction IN ('4', '5')
                   ) AS numerator,
                   COUNT(*) AS denominator
              FROM helpdesk_ticket t
             WHERE t.telecom_satisfaction IS NOT NULL
               AND t.closed_date >= %(date_from)s AND t.closed_date < %(date_to)s
             GROUP BY 1, 2, 3, 4, 5
            """,
                date_from=date_from,
                date_to=date_to,
            )
        )
