from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

# the line's terms billing gives (monthly pull, usage CSV)
BILLING_TERM_FIELDS = ("commitment_end_date", "promotion_name", "promotion_end_date")
# kind -> (event type, date column of the service, company's days-ahead column)
ENDING_FACTS = {
    "contract": (
        "billing.contract_ending",
        "commitment_end_date",
        "telecom_contract_ending_days",
    ),
    "promotion": (
        "billing.promotion_ending",
        "promotion_end_date",
        "telecom_promotion_ending_days",
    ),
}


class TelecomService(models.Model):
    """Commitment and promotion ends of a line, as billing gives them, and the
    ``billing.contract_ending`` / ``billing.promotion_ending`` events a daily job
    records once per (line, end date) when the end comes within the company's
    notice period."""

    _inherit = "telecom.service"

    commitment_end_date = fields.Date(
        string="Commitment Ends",
        copy=False,
        tracking=True,
        index="btree_not_null",
        help="End of the minimum term the subscriber committed to (from billing). "
        "A business event tells it the company's notice period ahead.",
    )
    promotion_name = fields.Char(
        string="Promotion",
        copy=False,
        tracking=True,
        help="Time-limited discount or option of the line (from billing).",
    )
    promotion_end_date = fields.Date(
        string="Promotion Ends",
        copy=False,
        tracking=True,
        index="btree_not_null",
        help="Last day of the promotion. A business event tells it the company's "
        "notice period ahead.",
    )

    @api.model
    def _apply_billing_terms(self, terms):
        """Write the terms billing gave: ``{service id: {field: value}}`` with
        fields of :data:`BILLING_TERM_FIELDS`; an empty value leaves the field
        as it is. Only changed lines are written, grouped by their new values
        (tracked on the line's chatter)."""
        changed = defaultdict(list)
        for service in self.browse(list(terms)).exists():
            changes = {
                name: value
                for name, value in terms[service.id].items()
                if name in BILLING_TERM_FIELDS and value and service[name] != value
            }
            if changes:
                changed[tuple(sorted(changes.items()))].append(service.id)
        for changes, service_ids in changed.items():
            self.browse(service_ids).write(dict(changes))
        return sum(len(ids) for ids in changed.values())

    @api.model
    def _cron_emit_ending_events(self, batch_size=1000):
        """Record the contract and promotion ends coming within each company's
        notice period, one batch of each kind; run again while some remain."""
        done, full = 0, False
        for kind in ENDING_FACTS:
            count = len(self._emit_ending_events(kind, batch_size))
            done += count
            full = full or count == batch_size
        self.env["ir.cron"]._notify_progress(done=done, remaining=1 if full else 0)
        return done

    @api.model
    def _emit_ending_events(self, kind, limit=1000):
        """One ``billing.<kind>_ending`` event for up to ``limit`` live lines whose
        end date is within their company's notice period and not told yet."""
        event_type, date_column, days_column = ENDING_FACTS[kind]
        today = fields.Date.context_today(self)
        rows = self._get_ending_rows(event_type, date_column, days_column, today, limit)
        return self.env["telecom.event"]._emit_once(
            event_type,
            [self._prepare_ending_event_vals(kind, row, today) for row in rows],
        )

    @api.model
    def _get_ending_rows(self, event_type, date_column, days_column, today, limit):
        """(service, subscriber, company, name, end date, promotion) rows due."""
        self.flush_model(
            ["state", "partner_id", "company_id", "name", "promotion_name", date_column]
        )
        self.env["res.company"].flush_model([days_column])
        self.env["telecom.event"].flush_model(["fact_key"])
        column = SQL.identifier("s", date_column)
        self.env.cr.execute(
            SQL(
                """SELECT s.id, s.partner_id, s.company_id, s.name, %(column)s,
                          s.promotion_name
                     FROM telecom_service s
                     JOIN res_company c ON c.id = s.company_id
                    WHERE s.state IN ('active', 'blocked')
                      AND %(column)s >= %(today)s
                      AND %(column)s <= %(today)s + %(days)s
                      AND %(days)s > 0
                      AND NOT EXISTS (
                          SELECT 1 FROM telecom_event e
                           WHERE e.fact_key = %(type)s || ':' || s.id || ':'
                                 || to_char(%(column)s, 'YYYY-MM-DD'))
                    ORDER BY %(column)s, s.id
                    LIMIT %(limit)s""",
                column=column,
                days=SQL.identifier("c", days_column),
                today=today,
                type=event_type,
                limit=limit,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _prepare_ending_event_vals(self, kind, row, today):
        service_id, partner_id, company_id, name, end_date, promotion = row
        event_type = ENDING_FACTS[kind][0]
        payload = {
            "end_date": end_date.isoformat(),
            "days_left": (end_date - today).days,
            "service": name,
        }
        if kind == "promotion":
            payload["promotion"] = promotion or ""
            summary = self.env._(
                "Promotion %(promotion)s of %(line)s ends on %(date)s",
                promotion=promotion or "",
                line=name,
                date=end_date,
            )
        else:
            summary = self.env._(
                "Commitment of %(line)s ends on %(date)s", line=name, date=end_date
            )
        return {
            "fact_key": f"{event_type}:{service_id}:{end_date.isoformat()}",
            "partner_id": partner_id,
            "service_id": service_id,
            "res_model": self._name,
            "res_id": service_id,
            "company_id": company_id,
            "payload": payload,
            "summary": summary,
        }
