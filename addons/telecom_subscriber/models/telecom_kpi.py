import logging
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

KPI_UNITS = [
    ("percent", "%"),
    ("minutes", "Minutes"),
    ("hours", "Hours"),
    ("points", "NPS Points"),
]
# value = numerator / denominator * factor
UNIT_FACTORS = {"percent": 100.0, "minutes": 1.0, "hours": 1.0, "points": 100.0}
KPI_DIRECTIONS = [
    ("higher", "Higher is Better"),
    ("lower", "Lower is Better"),
]
# months measured before today, whatever the go-live date
HISTORY_MONTHS = 12


class TelecomKpi(models.Model):
    """A project KPI: what is measured, how (``formula``), its unit, target and
    the direction in which it improves.

    Each addon declares its KPIs as data records and computes them in a method
    ``_kpi_rows_<code>(date_from, date_to)`` on this model: one query over the
    whole period that returns the numerator and denominator per month, company
    and zone (and the breakdowns of :meth:`_kpi_dimension_fields`). An addon
    that is not installed has neither the records nor the methods, so its KPIs
    are absent. :meth:`_recompute` turns the rows into
    ``telecom.kpi.measurement`` records with their baseline, target and trend.
    """

    _name = "telecom.kpi"
    _description = "Project KPI"
    _order = "sequence, id"

    code = fields.Char(required=True, readonly=True)
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    formula = fields.Text(
        translate=True,
        help="How the figure is computed from the data the suite keeps.",
    )
    unit = fields.Selection(KPI_UNITS, required=True, default="percent")
    direction = fields.Selection(KPI_DIRECTIONS, required=True, default="higher")
    target = fields.Float(help="The value the project aims at, in the KPI's unit.")
    baseline_months = fields.Integer(
        default=3,
        help="Months before the company's go-live date whose figures make the "
        "baseline the later months are compared with.",
    )
    measurement_ids = fields.One2many("telecom.kpi.measurement", "kpi_id")
    measurement_count = fields.Integer(compute="_compute_measurement_count")

    _sql_constraints = [
        ("code_uniq", "unique(code)", "A KPI code is used once."),
        (
            "baseline_months_positive",
            "CHECK(baseline_months > 0)",
            "The baseline covers at least one month.",
        ),
    ]

    def _compute_measurement_count(self):
        counts = dict(
            self.env["telecom.kpi.measurement"]._read_group(
                [("kpi_id", "in", self.ids)], ["kpi_id"], ["__count"]
            )
        )
        for kpi in self:
            kpi.measurement_count = counts.get(kpi, 0)

    def action_view_measurements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_subscriber.telecom_kpi_measurement_action"
        )
        action["domain"] = [("kpi_id", "=", self.id)]
        action["context"] = {"search_default_groupby_period": 1}
        return action

    def action_recompute(self):
        """Measure the selected KPIs (all active ones when none is selected)."""
        self.check_access("write")
        kpis = self or self.search([])
        kpis._recompute()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s KPIs measured.", count=len(kpis.filtered("active"))
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _cron_recompute(self):
        """Measure every active KPI, one KPI (one query) at a time."""
        kpis = self.search([])
        for done, kpi in enumerate(kpis, start=1):
            kpi._recompute()
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(kpis) - done)

    # ------------------------------------------------------------------
    # measurement
    # ------------------------------------------------------------------
    @api.model
    def _kpi_dimension_fields(self):
        """Breakdowns of a measurement besides its month, company and zone
        (hook: other addons add theirs, e.g. team and priority)."""
        return ["channel"]

    @api.model
    def _kpi_period(self, today=None):
        """First day of the first month measured, first day of the next month."""
        today = today or fields.Date.context_today(self)
        date_to = today.replace(day=1) + relativedelta(months=1)
        date_from = today.replace(day=1) - relativedelta(months=HISTORY_MONTHS)
        max_months = max(self.search([]).mapped("baseline_months") or [0])
        for go_live in (
            self.env["res.company"].search([]).mapped("telecom_kpi_go_live_date")
        ):
            if go_live:
                date_from = min(
                    date_from, go_live.replace(day=1) - relativedelta(months=max_months)
                )
        return date_from, date_to

    def _recompute(self, today=None):
        """Replace the measurements of these KPIs over the measured period: one
        query per KPI, then one insert of all its rows."""
        date_from, date_to = self._kpi_period(today)
        Measurement = self.env["telecom.kpi.measurement"]
        Measurement.search(
            [
                ("kpi_id", "in", self.ids),
                ("period_start", ">=", date_from),
                ("period_start", "<", date_to),
            ]
        ).unlink()
        for kpi in self.filtered("active"):
            compute = getattr(kpi, f"_kpi_rows_{kpi.code}", None)
            if compute is None:
                _logger.warning("KPI %s: no computation installed", kpi.code)
                continue
            rows = kpi._kpi_group_rows(compute(date_from, date_to))
            Measurement.create(kpi._prepare_measurement_vals_list(rows))
            _logger.info("KPI %s: %s measurements", kpi.code, len(rows))

    def _kpi_group_rows(self, rows):
        """Sum the query rows per measurement (month, company, zone and
        breakdown). A query may give the user who handled the work
        (``user_id``, dropped here): other addons map it to a breakdown
        first, e.g. the user's team."""
        totals = {}
        for row in rows:
            row.pop("user_id", None)
            key = (row["period_start"], *self._row_key(row))
            if key in totals:
                totals[key]["numerator"] += row["numerator"]
                totals[key]["denominator"] += row["denominator"]
            else:
                totals[key] = row
        return list(totals.values())

    def _prepare_measurement_vals_list(self, rows):
        """Measurement values of the query rows, each with the value, the
        baseline of its company, zone and breakdown, the target and the trend."""
        self.ensure_one()
        factor = UNIT_FACTORS[self.unit]
        go_lives = self._go_live_dates({row["company_id"] for row in rows})
        baselines = self._baselines(rows, go_lives)
        vals_list = []
        for row in rows:
            value = self._ratio(row["numerator"], row["denominator"], factor)
            baseline = baselines.get(self._row_key(row))
            change = value - baseline if baseline is not None else None
            vals_list.append(
                {
                    **row,
                    "kpi_id": self.id,
                    "value": value,
                    "baseline_value": baseline or 0.0,
                    "has_baseline": baseline is not None,
                    "change_vs_baseline": change or 0.0,
                    "trend": self._trend(change),
                    "target": self.target,
                    "target_met": self._meets(value, self.target),
                    **self._row_phase(row, go_lives.get(row["company_id"])),
                }
            )
        return vals_list

    def _row_phase(self, row, go_live):
        """Whether the row's month is before or after the go-live, and whether
        it is one of the baseline months."""
        if not go_live:
            return {"phase": "no_go_live", "is_baseline": False}
        start = go_live.replace(day=1) - relativedelta(months=self.baseline_months)
        before = row["period_start"] < go_live
        return {
            "phase": "before" if before else "after",
            "is_baseline": before and row["period_start"] >= start,
        }

    def _baselines(self, rows, go_lives):
        """Value of the baseline months (the ``baseline_months`` months before
        the company's go-live) per company, zone and breakdown: the sum of
        their numerators over the sum of their denominators."""
        sums = defaultdict(lambda: [0.0, 0.0])
        for row in rows:
            go_live = go_lives.get(row["company_id"])
            if go_live and self._row_phase(row, go_live)["is_baseline"]:
                total = sums[self._row_key(row)]
                total[0] += row["numerator"]
                total[1] += row["denominator"]
        factor = UNIT_FACTORS[self.unit]
        return {
            key: self._ratio(numerator, denominator, factor)
            for key, (numerator, denominator) in sums.items()
            if denominator
        }

    def _row_key(self, row):
        return (row["company_id"], row.get("region_id")) + tuple(
            row.get(name) or False for name in self._kpi_dimension_fields()
        )

    def _go_live_dates(self, company_ids):
        """Go-live date per company id; records without a company follow the
        current company (the cron's: the main one)."""
        companies = self.env["res.company"].browse(company_ids - {None, False})
        dates = {
            company.id: company.telecom_kpi_go_live_date
            for company in companies
            if company.telecom_kpi_go_live_date
        }
        if self.env.company.telecom_kpi_go_live_date:
            dates[None] = dates[False] = self.env.company.telecom_kpi_go_live_date
        return dates

    @staticmethod
    def _ratio(numerator, denominator, factor):
        return round(numerator / denominator * factor, 4) if denominator else 0.0

    def _trend(self, change):
        """Improving or worsening against the baseline, in the KPI's direction."""
        if change is None:
            return False
        if abs(change) < 0.005:
            return "stable"
        better = change > 0 if self.direction == "higher" else change < 0
        return "improving" if better else "worsening"

    def _meets(self, value, target):
        if not target:
            return False
        return value >= target if self.direction == "higher" else value <= target

    def _kpi_fetch(self, query):
        """Rows of a KPI query (an ``odoo.tools.SQL``) as dicts whose keys are
        measurement fields; the month comes as ``period_start``."""
        self.env.flush_all()
        self.env.cr.execute(query)
        rows = self.env.cr.dictfetchall()
        for row in rows:
            row["numerator"] = float(row["numerator"] or 0.0)
            row["denominator"] = float(row["denominator"] or 0.0)
        return rows
