from odoo import fields, models
from odoo.tools import SQL


class TelecomBackend(models.Model):
    """Integration health of each system, computed set-based over its calls."""

    _inherit = "telecom.backend"

    health_call_count = fields.Integer(string="Calls", compute="_compute_health")
    health_error_rate = fields.Float(
        string="Error Rate (%)", compute="_compute_health", digits=(5, 1)
    )
    health_timeout_count = fields.Integer(string="Time-outs", compute="_compute_health")
    health_parse_error_count = fields.Integer(
        string="Parse Errors", compute="_compute_health"
    )
    health_latency_p50 = fields.Integer(
        string="Latency p50 (ms)", compute="_compute_health"
    )
    health_latency_p95 = fields.Integer(
        string="Latency p95 (ms)", compute="_compute_health"
    )
    health_latency_p99 = fields.Integer(
        string="Latency p99 (ms)", compute="_compute_health"
    )
    health_last_success_at = fields.Datetime(
        string="Last Success", compute="_compute_health"
    )
    health_outbox_pending = fields.Integer(
        string="Orders Waiting", compute="_compute_health"
    )
    health_outbox_oldest_minutes = fields.Integer(
        string="Oldest Waiting (min)", compute="_compute_health"
    )
    health_outbox_dead = fields.Integer(string="Dead Orders", compute="_compute_health")
    health_state = fields.Selection(
        [("ok", "Healthy"), ("degraded", "Degraded"), ("down", "Down")],
        string="Health",
        compute="_compute_health",
    )

    def _compute_health(self):
        figures = self._bss_health_figures()
        for backend in self:
            values = figures.get(backend.id, {})
            backend.health_call_count = values.get("calls", 0)
            backend.health_error_rate = values.get("error_rate", 0.0)
            backend.health_timeout_count = values.get("timeout_count", 0)
            backend.health_parse_error_count = values.get("parse_error_count", 0)
            backend.health_latency_p50 = values.get("latency_p50", 0)
            backend.health_latency_p95 = values.get("latency_p95", 0)
            backend.health_latency_p99 = values.get("latency_p99", 0)
            backend.health_last_success_at = values.get("last_success_at")
            backend.health_outbox_pending = values.get("outbox_depth", 0)
            backend.health_outbox_oldest_minutes = values.get("outbox_age_minutes", 0)
            backend.health_outbox_dead = values.get("dead_count", 0)
            backend.health_state = backend._bss_health_state(values)

    def _bss_health_state(self, values):
        if self.circuit_state == "open":
            return "down"
        if values.get("error_rate", 0) >= 20 or values.get("dead_count", 0):
            return "degraded"
        return "ok"

    def _bss_health_figures(self, window_minutes=None):
        """{backend id: figures} for these backends, in three queries.

        ``window_minutes``: the window of the call figures (default: each
        backend's own health window).
        """
        if not self.ids:
            return {}
        figures = {backend_id: {} for backend_id in self.ids}
        window = (
            SQL("%s", int(window_minutes))
            if window_minutes
            else SQL("b.health_window_minutes")
        )
        self.env.cr.execute(
            SQL(
                """SELECT c.backend_id, count(*),
                          count(*) FILTER (WHERE c.outcome IN
                                           ('error', 'timeout', 'parse_error')),
                          count(*) FILTER (WHERE c.outcome = 'timeout'),
                          count(*) FILTER (WHERE c.outcome = 'parse_error'),
                          percentile_cont(ARRAY[0.5, 0.95, 0.99])
                              WITHIN GROUP (ORDER BY c.duration_ms)
                     FROM telecom_backend_call c
                     JOIN telecom_backend b ON b.id = c.backend_id
                    WHERE c.backend_id = ANY(%(ids)s)
                      AND c.date >= now() at time zone 'utc'
                                    - %(window)s * interval '1 minute'
                    GROUP BY c.backend_id""",
                ids=self.ids,
                window=window,
            )
        )
        for (
            backend_id,
            calls,
            failed,
            timeouts,
            parse_errors,
            latency,
        ) in self.env.cr.fetchall():
            figures[backend_id].update(
                calls=calls,
                error_rate=round(100.0 * failed / calls, 1) if calls else 0.0,
                timeout_count=timeouts,
                parse_error_count=parse_errors,
                latency_p50=int(latency[0] or 0),
                latency_p95=int(latency[1] or 0),
                latency_p99=int(latency[2] or 0),
            )
        self.env.cr.execute(
            SQL(
                """SELECT b.id, (SELECT max(c.date) FROM telecom_backend_call c
                                  WHERE c.backend_id = b.id AND c.outcome = 'ok')
                     FROM telecom_backend b WHERE b.id = ANY(%s)""",
                self.ids,
            )
        )
        for backend_id, last_success in self.env.cr.fetchall():
            figures[backend_id]["last_success_at"] = last_success
        self.env.cr.execute(
            SQL(
                """SELECT backend_id,
                          count(*) FILTER (WHERE state = 'pending'),
                          extract(epoch FROM now() at time zone 'utc'
                                  - min(create_date) FILTER (WHERE state = 'pending')),
                          count(*) FILTER (WHERE state = 'dead')
                     FROM telecom_outbox
                    WHERE backend_id = ANY(%s) AND state IN ('pending', 'dead')
                    GROUP BY backend_id""",
                self.ids,
            )
        )
        for backend_id, depth, age_seconds, dead in self.env.cr.fetchall():
            figures[backend_id].update(
                outbox_depth=depth,
                outbox_age_minutes=int((age_seconds or 0) // 60),
                dead_count=dead,
            )
        for backend in self:
            figures[backend.id]["circuit_open"] = (
                1 if backend.circuit_state == "open" else 0
            )
        return figures

    def action_view_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_bss_connector.telecom_backend_call_action"
        )
        action["domain"] = [("backend_id", "=", self.id)]
        return action

    def action_view_outbox(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_bss_connector.telecom_outbox_action"
        )
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"search_default_filter_attention": 1}
        return action

    def action_retry_dead(self):
        """Send every dead order of this system again."""
        self.ensure_one()
        self._bss_check_monitor()
        dead = self.env["telecom.outbox"].search(
            [("backend_id", "=", self.id), ("state", "=", "dead")]
        )
        dead.action_retry()
        return True
