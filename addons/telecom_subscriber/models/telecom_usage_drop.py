from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .telecom_usage_monthly import month_start

USAGE_DROP_EVENT = "billing.usage_drop"
USAGE_DROP_BASE_MONTHS = 3  # the months before the new one that make its baseline
USAGE_DROP_RECENT_MONTHS = (
    2  # older months than this (before the current one) are history
)


class TelecomUsageMonthly(models.Model):
    """A usage drop told when billing's months arrive, whatever brings them.

    After each upsert, the last month of every line written is compared with the
    average of the three months before it (all three needed); a fall of the data
    or the charges by at least the company's percentage records one
    ``billing.usage_drop`` event per (line, month), however often the month
    arrives again. Months older than the previous two (a history import) tell
    nothing.
    """

    _inherit = "telecom.usage.monthly"

    @api.model
    def _upsert_monthly(self, rows, source):
        written = super()._upsert_monthly(rows, source)
        if written:
            self._emit_usage_drops({row["service_id"] for row in rows})
        return written

    @api.model
    def _emit_usage_drops(self, service_ids):
        """Record the usage drops of the last months of ``service_ids``."""
        since = month_start(fields.Date.context_today(self)) - relativedelta(
            months=USAGE_DROP_RECENT_MONTHS
        )
        rows = self._get_usage_drop_rows(list(service_ids), since)
        return self.env["telecom.event"]._emit_once(
            USAGE_DROP_EVENT, [self._prepare_usage_drop_vals(row) for row in rows]
        )

    @api.model
    def _get_usage_drop_rows(self, service_ids, since):
        """Lines whose last month (from ``since``) fell against its baseline."""
        self.env["res.company"].flush_model(["telecom_usage_drop_percent"])
        self.env["telecom.service"].flush_model(["state", "name"])
        self.env.cr.execute(
            SQL(
                """WITH latest AS (
                       SELECT DISTINCT ON (u.service_id) u.service_id, u.month,
                              u.partner_id, u.company_id, u.data_mb,
                              u.charged_amount
                         FROM telecom_usage_monthly u
                        WHERE u.service_id = ANY(%(services)s)
                          AND u.month >= %(since)s
                        ORDER BY u.service_id, u.month DESC
                   ), base AS (
                       SELECT latest.service_id, count(*) AS months,
                              avg(earlier.data_mb)::numeric AS data_mb,
                              avg(earlier.charged_amount) AS charged_amount
                         FROM latest
                         JOIN telecom_usage_monthly earlier
                           ON earlier.service_id = latest.service_id
                          AND earlier.month < latest.month
                          AND earlier.month >= (
                              latest.month - make_interval(months => %(months)s)
                          )::date
                        GROUP BY latest.service_id
                   ), fell AS (
                       SELECT latest.*, s.name,
                              c.telecom_usage_drop_percent AS drop_limit,
                              base.data_mb AS data_mb_average,
                              base.charged_amount AS charged_average,
                              -- in numeric, rounded as shown: 400 against 500
                              -- is a fall of 20 percent, not 19.999...
                              CASE WHEN base.data_mb > 0 THEN round(100 * (1
                                  - COALESCE(latest.data_mb, 0)::numeric
                                    / base.data_mb), 1)
                              END AS data_drop,
                              CASE WHEN base.charged_amount > 0 THEN round(100 * (1
                                  - COALESCE(latest.charged_amount, 0)
                                    / base.charged_amount), 1)
                              END AS charged_drop
                         FROM latest
                         JOIN base ON base.service_id = latest.service_id
                                  AND base.months = %(months)s
                         JOIN telecom_service s ON s.id = latest.service_id
                         JOIN res_company c ON c.id = latest.company_id
                        WHERE s.state != 'terminated'
                   )
                   SELECT service_id, partner_id, company_id, name, month,
                          data_mb, data_mb_average::float, data_drop::float,
                          charged_amount::float, charged_average::float,
                          charged_drop::float
                     FROM fell
                    WHERE drop_limit > 0
                      AND GREATEST(data_drop, charged_drop) >= drop_limit
                    ORDER BY service_id""",
                services=service_ids,
                since=since,
                months=USAGE_DROP_BASE_MONTHS,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _prepare_usage_drop_vals(self, row):
        (
            service_id,
            partner_id,
            company_id,
            name,
            month,
            data_mb,
            data_average,
            data_drop,
            charged,
            charged_average,
            charged_drop,
        ) = row
        drop = max(value for value in (data_drop, charged_drop) if value is not None)
        month_text = month.isoformat()[:7]
        return {
            "fact_key": f"{USAGE_DROP_EVENT}:{service_id}:{month_text}",
            "partner_id": partner_id,
            "service_id": service_id,
            "res_model": "telecom.service",
            "res_id": service_id,
            "company_id": company_id,
            "payload": {
                "month": month_text,
                "drop_percent": round(drop, 1),
                "data_mb": round(data_mb or 0.0, 1),
                "data_mb_average": round(data_average or 0.0, 1),
                "data_drop_percent": _rounded(data_drop),
                "charged_amount": round(charged or 0.0, 2),
                "charged_average": round(charged_average or 0.0, 2),
                "charged_drop_percent": _rounded(charged_drop),
                "service": name,
            },
            "summary": self.env._(
                "Usage of %(line)s fell by %(percent)s%% in %(month)s",
                line=name,
                percent=round(drop),
                month=month_text,
            ),
        }


def _rounded(percent):
    return None if percent is None else round(percent, 1)
