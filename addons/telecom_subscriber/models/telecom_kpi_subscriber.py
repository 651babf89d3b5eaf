from odoo import models
from odoo.tools import SQL

# channels where a person handles the contact; ``portal`` is self-service,
# ``system`` the steps of a process
ASSISTED_CHANNELS = ("call", "chat", "messenger", "email", "sms", "shop")
REPEAT_WINDOW = "7 days"


class TelecomKpi(models.Model):
    """KPIs of contacts and requests, measured from ``telecom.interaction``,
    ``telecom.request`` and ``telecom.service`` (formulas in the readme and on
    each KPI record). Months are calendar months in UTC. Contacts carry their
    agent and requests their responsible as ``user_id``, which other addons may
    turn into a breakdown (:meth:`_kpi_group_rows`)."""

    _inherit = "telecom.kpi"

    def _kpi_rows_handling_time(self, date_from, date_to):
        """Average handling time per channel: minutes of the timed contacts
        (duration > 0, process steps left out) / their number."""
        return self._kpi_fetch(
            SQL(
                """
            SELECT date_trunc('month', i.date)::date AS period_start,
                   i.company_id, i.region_id, i.channel, i.agent_id AS user_id,
                   SUM(i.duration) AS numerator, COUNT(*) AS denominator
              FROM telecom_interaction i
             WHERE i.date >= %(date_from)s AND i.date < %(date_to)s
               AND i.channel != 'system' AND i.duration > 0
             GROUP BY 1, 2, 3, 4, 5
            """,
                date_from=date_from,
                date_to=date_to,
            )
        )

    def _kpi_rows_first_contact_resolution(self, date_from, date_to):
        """Inbound assisted contacts resolved there (outcome Resolved or
        Information Given) and not followed by another inbound contact of the
        subscriber within 7 days / inbound assisted contacts."""
        return self._kpi_contact_rows(
            date_from,
            date_to,
            SQL(
                "i.outcome IN ('resolved', 'information') AND NOT %s",
                self._kpi_repeat_exists(),
            ),
        )

    def _kpi_rows_repeat_contact(self, date_from, date_to):
        """Inbound assisted contacts followed by another inbound contact of the
        same subscriber (any channel but process steps) within 7 days /
        inbound assisted contacts."""
        return self._kpi_contact_rows(date_from, date_to, self._kpi_repeat_exists())

    def _kpi_contact_rows(self, date_from, date_to, counted):
        return self._kpi_fetch(
            SQL(
                """
            SELECT date_trunc('month', i.date)::date AS period_start,
                   i.company_id, i.region_id, i.agent_id AS user_id,
                   COUNT(*) FILTER (WHERE %(counted)s) AS numerator,
                   COUNT(*) AS denominator
              FROM telecom_interaction i
             WHERE i.date >= %(date_from)s AND i.date < %(date_to)s
               AND i.direction = 'inbound' AND i.channel IN %(assisted)s
             GROUP BY 1, 2, 3, 4
            """,
                counted=counted,
                date_from=date_from,
                date_to=date_to,
                assisted=ASSISTED_CHANNELS,
            )
        )

    def _kpi_repeat_exists(self):
        """Condition on ``i``: the subscriber came back within the window."""
        return SQL(
            """EXISTS (
                SELECT 1 FROM telecom_interaction later
                 WHERE later.partner_id = i.partner_id
                   AND later.direction = 'inbound' AND later.channel != 'system'
                   AND later.date > i.date
                   AND later.date <= i.date + %s::interval
                   AND later.id != i.id)""",
            REPEAT_WINDOW,
        )

    def _kpi_rows_self_service(self, date_from, date_to):
        """Deflection: requests submitted through the portal or app / requests
        submitted, by month of submission."""
        return self._kpi_fetch(
            SQL(
                """
            SELECT date_trunc('month', r.date_submitted)::date AS period_start,
                   r.company_id, r.region_id, r.user_id,
                   COUNT(*) FILTER (WHERE r.channel = 'portal') AS numerator,
                   COUNT(*) AS denominator
              FROM telecom_request r
             WHERE r.date_submitted >= %(date_from)s
               AND r.date_submitted < %(date_to)s
             GROUP BY 1, 2, 3, 4
            """,
                date_from=date_from,
                date_to=date_to,
            )
        )

    def _kpi_rows_churn(self, date_from, date_to):
        """Churn: lines active on the first day of the month and terminated in
        the month / lines active on the first day of the month."""
        return self._kpi_fetch(
            SQL(
                """
            WITH months AS (
                SELECT generate_series(%(date_from)s::date,
                                       %(date_to)s::date - interval '1 month',
                                       interval '1 month')::date AS month
            )
            SELECT m.month AS period_start, s.company_id, s.region_id,
                   COUNT(*) FILTER (
                       WHERE s.termination_date < m.month + interval '1 month'
                   ) AS numerator,
                   COUNT(*) AS denominator
              FROM months m
              JOIN telecom_service s
                ON s.activation_date < m.month
               AND (s.termination_date IS NULL OR s.termination_date >= m.month)
             GROUP BY 1, 2, 3
            """,
                date_from=date_from,
                date_to=date_to,
            )
        )

    def _kpi_rows_retention_save(self, date_from, date_to):
        """Retention saves: terminations closed as retained / terminations
        closed with a retention outcome (retained or lost), by month closed."""
        return self._kpi_fetch(
            SQL(
                """
            SELECT date_trunc('month', r.date_closed)::date AS period_start,
                   r.company_id, r.region_id, r.user_id,
                   COUNT(*) FILTER (
                       WHERE r.retention_outcome = 'retained'
                   ) AS numerator,
                   COUNT(*) AS denominator
              FROM telecom_request r
             WHERE r.request_type = 'termination'
               AND r.retention_outcome IS NOT NULL
               AND r.date_closed >= %(date_from)s AND r.date_closed < %(date_to)s
             GROUP BY 1, 2, 3, 4
            """,
                date_from=date_from,
                date_to=date_to,
            )
        )
