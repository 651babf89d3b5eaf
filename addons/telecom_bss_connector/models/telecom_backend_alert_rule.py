from collections import defaultdict

from odoo import api, fields, models

METRICS = [
    ("error_rate", "Error Rate (%)"),
    ("timeout_count", "Time-outs"),
    ("parse_error_count", "Parse Errors"),
    ("latency_p95", "Latency p95 (ms)"),
    ("latency_p99", "Latency p99 (ms)"),
    ("outbox_depth", "Orders Waiting"),
    ("outbox_age_minutes", "Oldest Waiting Order (min)"),
    ("dead_count", "Dead Orders"),
    ("circuit_open", "Circuit Open (1 = open)"),
]


class TelecomBackendAlertRule(models.Model):
    """A threshold on a health figure; crossing it alerts the owner once.

    The check cron compares each rule with the figures of its window; the
    first time the threshold is reached the integration owner gets an
    activity (and its e-mail); the rule re-arms when the figure falls back
    under the threshold.
    """

    _name = "telecom.backend.alert.rule"
    _description = "Integration Alert Rule"
    _order = "backend_id, metric"

    name = fields.Char(compute="_compute_name", store=True)
    active = fields.Boolean(default=True)
    backend_id = fields.Many2one(
        "telecom.backend", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    metric = fields.Selection(METRICS, required=True, default="error_rate")
    threshold = fields.Float(required=True, default=20.0)
    window_minutes = fields.Integer(
        string="Window (min)",
        required=True,
        default=15,
        help="Calls of this last period count (order figures are always current).",
    )
    is_crossed = fields.Boolean(string="Crossed", readonly=True, copy=False)
    last_value = fields.Float(readonly=True, copy=False)
    last_crossed_at = fields.Datetime(readonly=True, copy=False)

    _sql_constraints = [
        (
            "window_positive",
            "CHECK(window_minutes > 0)",
            "The window of an alert rule must be positive.",
        ),
    ]

    @api.depends("backend_id.name", "metric", "threshold")
    def _compute_name(self):
        labels = dict(self._fields["metric"]._description_selection(self.env))
        for rule in self:
            rule.name = (
                f"{rule.backend_id.name}: {labels[rule.metric]} ≥ {rule.threshold:g}"
            )

    @api.model
    def _cron_check(self, batch_size=200):
        """Evaluate the active rules, one batch of rules per run."""
        rules = self.search([("active", "=", True)], order="id")
        done = 0
        for start in range(0, len(rules), batch_size):
            batch = rules[start : start + batch_size]
            batch._check_rules()
            done += len(batch)
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(rules) - done)

    def _check_rules(self):
        """Compare each rule with its figure: alert on crossing, re-arm under it."""
        by_window = defaultdict(lambda: self.browse())
        for rule in self:
            by_window[rule.window_minutes] |= rule
        for window, rules in by_window.items():
            figures = rules.backend_id._bss_health_figures(window_minutes=window)
            for rule in rules:
                value = float(figures.get(rule.backend_id.id, {}).get(rule.metric, 0))
                rule._apply_value(value)

    def _apply_value(self, value):
        self.ensure_one()
        crossed = value >= self.threshold
        values = {"last_value": value}
        if crossed and not self.is_crossed:
            values.update(is_crossed=True, last_crossed_at=fields.Datetime.now())
            self._alert(value)
        elif not crossed and self.is_crossed:
            values["is_crossed"] = False
            self.backend_id._message_log(
                body=self.env._(
                    "Back to normal: %(rule)s (now %(value)s).",
                    rule=self.name,
                    value=round(value, 2),
                )
            )
        if values.get("is_crossed") is not None or value != self.last_value:
            self.write(values)

    def _alert(self, value):
        labels = dict(self._fields["metric"]._description_selection(self.env))
        self.backend_id._bss_alert_owner(
            self.env._(
                "%(backend)s: %(metric)s is %(value)s",
                backend=self.backend_id.name,
                metric=labels[self.metric],
                value=round(value, 2),
            ),
            self.env._(
                "Threshold %(threshold)s crossed over the last %(window)s minutes.",
                threshold=self.threshold,
                window=self.window_minutes,
            ),
        )
