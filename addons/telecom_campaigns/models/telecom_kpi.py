from odoo import models
from odoo.tools import SQL


class TelecomKpi(models.Model):
    """NPS and CSAT, measured from ``telecom.satisfaction.answer`` by month
    of the answer and zone of the subscriber, and the save rate of the
    retention cases (formulas in the readme)."""

    _inherit = "telecom.kpi"

    def _kpi_rows_nps(self, date_from, date_to):
        """NPS answers scoring 9-10 minus answers scoring 0-6 / NPS answers
        (× 100: points from -100 to 100)."""
        return self._kpi_satisfaction_rows(
            date_from,
            date_to,
            "nps",
            SQL(
                "COUNT(*) FILTER (WHERE a.score >= 9)"
                " - COUNT(*) FILTER (WHERE a.score <= 6)"
            ),
        )

    def _kpi_rows_csat(self, date_from, date_to):
        """CSAT answers scoring 4 or 5 / CSAT answers."""
        return self._kpi_satisfaction_rows(
            date_from, date_to, "csat", SQL("COUNT(*) FILTER (WHERE a.score >= 4)")
        )

    def _kpi_satisfaction_rows(self, date_from, date_to, kind, numerator):
        return self._kpi_fetch(
            SQL(
                """
            SELECT date_trunc('month', a.date)::date AS period_start,
                   a.company_id, a.region_id,
                   %(numerator)s AS numerator, COUNT(*) AS denominator
              FROM telecom_satisfaction_answer a
             WHERE a.kind = %(kind)s
               AND a.date >= %(date_from)s AND a.date < %(date_to)s
             GROUP BY 1, 2, 3
            """,
                numerator=numerator,
                kind=kind,
                date_from=date_from,
                date_to=date_to,
            )
        )

    def _kpi_rows_retention_case_save(self, date_from, date_to):
        """Retention cases (port-outs and terminations) closed as retained /
        retention cases closed, by month their request closed."""
        return self._kpi_fetch(
            SQL(
                """
            SELECT date_trunc('month', r.date_closed)::date AS period_start,
                   c.company_id, c.region_id, c.user_id,
                   COUNT(*) FILTER (WHERE c.state = 'retained') AS numerator,
                   COUNT(*) AS denominator
              FROM telecom_retention_case c
              JOIN telecom_request r ON r.id = c.request_id
             WHERE c.state IN ('retained', 'lost')
               AND r.date_closed >= %(date_from)s AND r.date_closed < %(date_to)s
             GROUP BY 1, 2, 3, 4
            """,
                date_from=date_from,
                date_to=date_to,
            )
        )
