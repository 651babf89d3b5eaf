import logging
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..adapters.base import (
    CircuitOpenError,
    RateLimiter,
    RejectedError,
    TransportError,
)
from .common import BssCommon


@tagged("post_install", "-at_install")
class TestBackend(BssCommon):
    """Backends: the one door to a system (breaker, journal, secrets, health)."""

    def _fail(self, backend=None, times=1, error=None):
        backend = backend or self.backend
        with self.patch_adapter(
            "get_account", side_effect=error or TransportError("billing error HTTP 503")
        ):
            for _index in range(times):
                # not assertRaises: its savepoint rollback would also undo the
                # journal, which the read path keeps (it never fails the request)
                try:
                    backend._bss_call("get_account", "LS1")
                except TransportError:
                    continue
                self.fail("the call did not fail")

    # ------------------------------------------------------------------
    # circuit breaker
    # ------------------------------------------------------------------
    def test_circuit_opens_after_threshold_and_short_circuits(self):
        self.backend.write({"circuit_threshold": 3, "circuit_cooldown": 60})
        self._fail(times=2)
        self.assertEqual(self.backend.circuit_state, "closed")
        self.assertEqual(self.backend.circuit_failure_count, 2)
        self._fail(times=1)
        self.assertEqual(self.backend.circuit_status, "open")
        with self.patch_adapter("get_account") as get_account:
            with self.assertRaises(CircuitOpenError):
                self.backend._bss_call("get_account", "LS1")
        get_account.assert_not_called()

    def test_half_open_probe_closes_or_reopens(self):
        self.backend.write({"circuit_threshold": 1, "circuit_cooldown": 30})
        self._fail()
        self.assertEqual(self.backend.circuit_status, "open")
        # after the pause one probe goes through: it fails, the circuit reopens
        self.backend.circuit_opened_at = fields.Datetime.now() - timedelta(seconds=31)
        self.assertEqual(self.backend.circuit_status, "half_open")
        self._fail()
        self.assertEqual(self.backend.circuit_status, "open")
        # the next probe succeeds: closed, counter reset
        self.backend.circuit_opened_at = fields.Datetime.now() - timedelta(seconds=31)
        with self.patch_adapter("get_account", return_value={"balance": 1}):
            self.backend._bss_call("get_account", "LS1")
        self.assertEqual(self.backend.circuit_status, "closed")
        self.assertEqual(self.backend.circuit_failure_count, 0)

    def test_functional_refusal_does_not_open_the_circuit(self):
        self.backend.write({"circuit_threshold": 1})
        with self.patch_adapter(
            "get_account", side_effect=RejectedError("unknown account")
        ):
            with self.assertRaises(RejectedError):
                self.backend._bss_call("get_account", "LS1")
        self.assertEqual(self.backend.circuit_state, "closed")

    def test_every_call_is_journaled(self):
        with self.patch_adapter("get_account", return_value={"balance": 1}):
            self.backend._bss_call("get_account", "LS1")
        self._fail(error=TransportError("billing error HTTP 503", http_status=503))
        calls = self.env["telecom.backend.call"].search(
            [("backend_id", "=", self.backend.id)], order="id"
        )
        self.assertEqual(calls.mapped("outcome"), ["ok", "error"])
        self.assertEqual(calls.mapped("operation"), ["get_account", "get_account"])
        self.assertEqual(calls[1].http_status, 503)
        self.assertIn("503", calls[1].error)

    def test_rate_limit_refuses_beyond_the_rate(self):
        key = ("test", self.backend.id)
        self.assertTrue(RateLimiter.acquire(key, 1.0, wait=0))
        self.assertFalse(RateLimiter.acquire(key, 1.0, wait=0))
        self.assertTrue(RateLimiter.acquire(("unlimited",), 0, wait=0))

    # ------------------------------------------------------------------
    # which backend serves an order
    # ------------------------------------------------------------------
    def test_find_prefers_the_zone_and_the_company(self):
        south = self.env["telecom.backend"].create(
            self._backend_vals(
                name="South Billing",
                url="http://127.0.0.1:9",
                region_ids=[(6, 0, self.zone_south.ids)],
            )
        )
        Backend = self.env["telecom.backend"]
        self.assertEqual(Backend._bss_find("billing", None, self.zone_south), south)
        self.assertEqual(
            Backend._bss_find("billing", None, self.zone_north_city), self.backend
        )
        south.active = False
        self.assertEqual(
            Backend._bss_find("billing", None, self.zone_south), self.backend
        )
        self.assertFalse(Backend._bss_find("catalog", None, self.zone_south))

    # ------------------------------------------------------------------
    # secrets
    # ------------------------------------------------------------------
    def test_secrets_are_for_administrators_only(self):
        backend = self.backend.with_user(self.supervisor)
        self.assertEqual(backend.name, "T Billing")
        with self.assertRaises(AccessError):
            backend.read(["token"])
        self.assertNotIn("token", backend.fields_get())
        with self.assertRaises(AccessError):
            backend.write({"url": "http://evil.example"})
        # the connector itself reads them to call billing, for any user
        config = self.backend.with_user(self.front_office)._bss_adapter_config()
        self.assertEqual(config["token"], "secret-token-123")

    def test_secrets_never_reach_the_log(self):
        with self.assertLogs(level="DEBUG") as logs:
            logging.getLogger(__name__).debug("capturing every logger")
            self._fail(error=TransportError("billing error HTTP 401", http_status=401))
            # a real call (connection refused on port 9) goes through requests
            self.backend.action_test_connection()
        self.assertNotIn("secret-token-123", "\n".join(logs.output))
        calls = self.env["telecom.backend.call"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(len(calls), 2)
        self.assertIn("401", calls.mapped("error")[-1] + calls.mapped("error")[0])
        self.assertNotIn("secret-token-123", " ".join(calls.mapped("error")))

    # ------------------------------------------------------------------
    # health and alerts
    # ------------------------------------------------------------------
    def _insert_calls(self, durations, outcome="ok", minutes_ago=1):
        self.env.cr.execute(
            """INSERT INTO telecom_backend_call
                   (backend_id, date, operation, duration_ms, outcome)
               SELECT %s, now() at time zone 'utc' - %s * interval '1 minute',
                      'get_account', d, %s
                 FROM unnest(%s::int[]) AS d""",
            [self.backend.id, minutes_ago, outcome, durations],
        )

    def test_health_figures(self):
        self._insert_calls(list(range(1, 101)))  # 1..100 ms
        self._insert_calls([5000] * 10, outcome="timeout")
        self._insert_calls([7] * 25, outcome="parse_error")
        self._insert_calls([9999] * 50, minutes_ago=600)  # outside the window
        backend = self.backend.with_user(self.supervisor)
        self.assertEqual(backend.health_call_count, 135)
        self.assertEqual(backend.health_timeout_count, 10)
        self.assertEqual(backend.health_parse_error_count, 25)
        self.assertAlmostEqual(backend.health_error_rate, 25.9, places=1)
        self.assertEqual(backend.health_latency_p50, 43)
        self.assertEqual(backend.health_latency_p99, 5000)
        self.assertTrue(backend.health_last_success_at)
        self.assertEqual(backend.health_state, "degraded")

    def test_alert_rule_fires_once_per_crossing(self):
        rule = self.env["telecom.backend.alert.rule"].create(
            {
                "backend_id": self.backend.id,
                "metric": "error_rate",
                "threshold": 50,
                "window_minutes": 15,
            }
        )
        self._insert_calls([10] * 10, outcome="error")
        Rule = self.env["telecom.backend.alert.rule"]
        Rule._cron_check()
        self.assertTrue(rule.is_crossed)
        self.assertEqual(rule.last_value, 100.0)
        self.assertEqual(len(self.backend.activity_ids), 1)
        Rule._cron_check()  # still crossed: no second alert
        self.assertEqual(len(self.backend.activity_ids), 1)
        self.backend.activity_ids.action_done()
        self._insert_calls([10] * 90)
        Rule._cron_check()  # back under: re-armed
        self.assertFalse(rule.is_crossed)
        self._insert_calls([10] * 200, outcome="timeout")
        Rule._cron_check()  # crosses again: alerts again
        self.assertTrue(rule.is_crossed)
        self.assertEqual(len(self.backend.activity_ids), 1)

    def test_outbox_figures_and_rule(self):
        rule = self.env["telecom.backend.alert.rule"].create(
            {
                "backend_id": self.backend.id,
                "metric": "outbox_depth",
                "threshold": 2,
                "window_minutes": 5,
            }
        )
        service = self._activate_without_billing()
        Outbox = self.env["telecom.outbox"]
        for index in range(3):
            Outbox.sudo().create(
                {
                    "idempotency_key": f"T-{index}",
                    "backend_id": self.backend.id,
                    "operation": "block",
                    "service_id": service.id,
                }
            )
        self.assertEqual(self.backend.health_outbox_pending, 3)
        rule._check_rules()
        self.assertTrue(rule.is_crossed)
