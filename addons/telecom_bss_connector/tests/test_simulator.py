"""Against the real billing/OSS simulator (a process on loopback): no patching."""

import time
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..adapters.base import (
    CallTimeout,
    NotFoundError,
    ProtocolError,
    RejectedError,
    TransportError,
)
from .common import SIMULATOR_TOKEN, BssCommon, SimulatorProcess


def offer(code, kind, **extra):
    return {
        "code": code,
        "name": code,
        "kind": kind,
        "service_type": "mobile",
        "monthly_fee": 100.0,
        "compatible_options": extra.pop("compatible_options", []),
        "active": True,
        **extra,
    }


@tagged("post_install", "-at_install")
class TestWithSimulator(BssCommon):
    @classmethod
    def setUpClass(cls):
        SimulatorProcess.directory()  # skips, or fails, when not configured
        super().setUpClass()
        cls.simulator = SimulatorProcess().start()
        cls.addClassCleanup(cls.simulator.stop)
        cls.backend.write(
            {
                "url": cls.simulator.url,
                "token": SIMULATOR_TOKEN,
                "read_timeout": 3,
                "live_timeout": 1,
            }
        )
        cls.soap = cls.env["telecom.backend"].create(
            cls._backend_vals(
                name="T Billing SOAP",
                protocol="soap",
                url=cls.simulator.url,
                auth_type="basic",
                username="billing",
                password="billing",
                read_timeout=3,
                sequence=50,
            )
        )

    def setUp(self):
        super().setUp()
        self.simulator.reset()
        self.simulator.admin(
            "POST",
            "seed",
            {
                "offers": [
                    offer("T-TAR-BASIC", "tariff"),
                    offer("T-TAR-UNLIM", "tariff"),
                    offer("T-OPT-ROAM", "option"),
                    offer("T-OPT-DATA", "option"),
                ]
            },
        )

    def _deliver(self, order):
        """One run of the delivery job: its result, or the retry it asks for."""
        try:
            return order._bss_deliver()
        except RetryableJobError as error:
            return error

    def _new_lines(self, count):
        with trap_jobs():
            services = [self._activate_line(self.account) for _index in range(count)]
        return self.env["telecom.service"].concat(*services)

    def _orders(self, services):
        return services.request_ids.bss_outbox_ids

    # ------------------------------------------------------------------
    # write path
    # ------------------------------------------------------------------
    def test_outage_then_replay_applies_every_order_exactly_once(self):
        services = self._new_lines(5)
        orders = self._orders(services)
        self.assertEqual(len(orders), 5)
        self.simulator.configure(outage=True)
        for order in orders:
            self.assertIsInstance(self._deliver(order), RetryableJobError)
        self.simulator.configure(outage=True, outage_mode="reset")
        for order in orders:
            self.assertIsInstance(self._deliver(order), RetryableJobError)
        orders.invalidate_recordset()
        self.assertEqual(set(orders.mapped("attempt_count")), {2})
        self.assertEqual(set(orders.mapped("state")), {"pending"})
        self.assertEqual(set(services.mapped("state")), {"pending"})
        self.simulator.configure(outage=False)
        for order in orders:
            self._deliver(order)
            self._deliver(order)  # a duplicate job: nothing more happens
        self.assertEqual(set(orders.mapped("state")), {"done"})
        self.assertEqual(set(services.mapped("state")), {"active"})
        state = self.simulator.state()["orders"]
        for order in orders:
            self.assertEqual(state[order.idempotency_key]["applied_count"], 1)
            self.assertEqual(state[order.idempotency_key]["submissions"], 1)

    def test_option_until_a_date_is_added_then_removed_in_billing(self):
        service = self._new_lines(1)
        self._deliver(self._orders(service))
        until = fields.Date.today() + timedelta(days=30)
        with trap_jobs():
            add = self._new_request(
                "option_change",
                service,
                option_id=self.option_roaming.id,
                option_date_end=until,
            )
            add.action_submit()
        self._deliver(add.bss_outbox_ids)
        self.assertEqual(add.state, "done")
        self.assertEqual(self._billed_options(service), ["T-OPT-ROAM"])
        # its end is a request of its own: billing gets it on its day
        removal = service.request_ids.filtered(lambda r: r.option_action == "remove")
        self.assertEqual((removal.state, removal.effective_date), ("scheduled", until))
        self.assertFalse(removal.bss_outbox_ids)
        removal.effective_date = fields.Date.today()  # the day has come
        with trap_jobs():
            self.env["telecom.request"]._cron_complete_due_requests()
        self.assertEqual(removal.fulfilment_status, "waiting")
        self._deliver(removal.bss_outbox_ids)
        self.assertEqual(removal.state, "done")
        self.assertFalse(service.option_ids)
        self.assertEqual(self._billed_options(service), [])

    def _billed_options(self, service):
        return [
            line["option_codes"]
            for account in self.simulator.state()["accounts"]
            for line in account["services"]
            if line["msisdn"] == service.msisdn
        ][0]

    def test_lost_answer_is_replayed_by_key_not_applied_twice(self):
        order = self._orders(self._new_lines(1))
        # billing applied the order but its answer never reached us
        with self.backend._bss_get_adapter() as adapter:
            first = adapter.submit_order(
                order.idempotency_key,
                order.operation,
                order.account_ref,
                order.msisdn,
                order.payload,
            )
        self._deliver(order)
        self.assertEqual(order.state, "done")
        self.assertEqual(order.external_order_id, first["order_id"])
        applied = self.simulator.state()["orders"][order.idempotency_key]
        self.assertEqual(applied["applied_count"], 1)
        self.assertEqual(applied["submissions"], 2)

    def test_business_refusal_rejects_without_retry(self):
        service = self._new_lines(1)
        request = service.request_ids
        order = request.bss_outbox_ids
        order.sudo().payload = dict(order.payload, tariff_code="T-UNKNOWN")
        result = self._deliver(order)
        self.assertIsInstance(result, str)  # no retry asked
        self.assertEqual(order.state, "rejected")
        self.assertIn("T-UNKNOWN", order.response_message)
        self.assertEqual(request.state, "rejected")
        self.assertEqual(service.state, "terminated")  # the number is free again

    # ------------------------------------------------------------------
    # adjustments (credits)
    # ------------------------------------------------------------------
    def _adjustment(self, key, backend=None, amount=750.0):
        self.account.billing_reference = f"BILL-{key}"
        self.simulator.admin(
            "POST",
            "seed",
            {
                "accounts": [
                    {
                        "account": self.account.billing_reference,
                        "balance": 0,
                        "currency": self.account.currency_id.name,
                    }
                ]
            },
        )
        vals = self.env["telecom.outbox"]._bss_prepare_adjustment_vals(
            backend or self.backend, key, self.account, amount, "Service credit"
        )
        with trap_jobs():
            return self.env["telecom.outbox"]._bss_create([vals])

    def _billed_adjustments(self, order):
        return self.simulator.state()["adjustments"].get(order.idempotency_key)

    def test_adjustment_survives_an_outage_and_is_posted_once(self):
        order = self._adjustment("T-SIM-ADJ-1")
        self.simulator.configure(error_rate=1.0)
        self.assertIsInstance(self._deliver(order), RetryableJobError)
        self.simulator.configure(error_rate=0.0, outage=True, outage_mode="reset")
        self.assertIsInstance(self._deliver(order), RetryableJobError)
        order.invalidate_recordset()
        self.assertEqual((order.state, order.attempt_count), ("pending", 2))
        self.assertIsNone(self._billed_adjustments(order))
        self.simulator.configure(outage=False)
        self._deliver(order)
        self.assertEqual(order.state, "done")
        self.assertTrue(order.external_order_id.startswith("ADJ-"))
        [billed] = [
            account
            for account in self.simulator.state()["accounts"]
            if account["account"] == order.account_ref
        ]
        self.assertEqual(billed["balance"], 750.0)
        self.assertEqual(
            billed["adjustments"][0]["adjustment_id"], order.external_order_id
        )

    def test_adjustment_whose_answer_was_lost_is_replayed_not_posted_twice(self):
        order = self._adjustment("T-SIM-ADJ-2")
        # billing posted it but its answer came back broken
        self.simulator.configure(malformed_rate=1.0)
        self.assertIsInstance(self._deliver(order), RetryableJobError)
        self.simulator.configure(malformed_rate=0.0)
        self._deliver(order)
        self.assertEqual(order.state, "done")
        billed = self._billed_adjustments(order)
        self.assertEqual(billed["adjustment_id"], order.external_order_id)
        self.assertEqual((billed["applied_count"], billed["submissions"]), (1, 2))

    def test_soap_adjustment_and_refusal(self):
        self.backend.active = False
        order = self._adjustment("T-SIM-ADJ-3", backend=self.soap, amount=99.99)
        self._deliver(order)
        self.assertEqual((order.state, order.external_status), ("done", "posted"))
        self.assertEqual(self._billed_adjustments(order)["amount"], 99.99)
        vals = self.env["telecom.outbox"]._bss_prepare_adjustment_vals(
            self.soap, "T-SIM-ADJ-4", self.account, 10, "Service credit"
        )
        vals["account_ref"] = "NO-SUCH-ACCOUNT"
        with trap_jobs():
            refused = self.env["telecom.outbox"]._bss_create([vals])
        self.assertIsInstance(self._deliver(refused), str)  # no retry asked
        self.assertEqual(refused.state, "rejected")
        self.assertEqual(refused.external_status, "UNKNOWN_ACCOUNT")

    # ------------------------------------------------------------------
    # adapters: SOAP faults, malformed, oversized, dangerous XML, time-outs
    # ------------------------------------------------------------------
    def test_soap_faults_become_clear_errors(self):
        with self.soap._bss_get_adapter() as adapter:
            with self.assertRaises(NotFoundError):
                adapter.get_account("NO-SUCH-ACCOUNT")
            with self.assertRaises(RejectedError) as refused:
                adapter.submit_order(
                    "T-SOAP-1", "tariff_change", "NO-SUCH", "+79160000000", {}
                )
            self.assertTrue(refused.exception.message)
            self.simulator.configure(error_rate=1.0)
            with self.assertRaises(TransportError) as server_fault:
                adapter.get_account("NO-SUCH-ACCOUNT")
            self.assertIn("Server", server_fault.exception.message)
            self.assertTrue(server_fault.exception.retryable)

    def test_soap_order_refused_is_not_retried_server_fault_is(self):
        order = self._orders(self._new_lines(1))
        order.sudo().backend_id = self.soap
        self.simulator.configure(error_rate=1.0)
        self.assertIsInstance(self._deliver(order), RetryableJobError)
        self.simulator.configure(error_rate=0.0)
        order.sudo().payload = dict(order.payload, tariff_code="T-UNKNOWN")
        self.assertIsInstance(self._deliver(order), str)
        self.assertEqual(order.state, "rejected")

    def test_malformed_oversized_and_bomb_answers_are_refused(self):
        cases = [
            (self.backend, {"malformed_rate": 1.0}, "malformed JSON"),
            (self.backend, {"oversized": True}, "refused"),
            (self.soap, {"malformed_rate": 1.0}, "malformed SOAP"),
            (self.soap, {"oversized": True}, "refused"),
            (self.soap, {"xml_bomb": True}, "dangerous XML"),
        ]
        for backend, knobs, message in cases:
            self.simulator.reset()
            self.simulator.configure(**knobs)
            with self.subTest(backend=backend.protocol, **knobs):
                with backend._bss_get_adapter() as adapter:
                    start = time.monotonic()
                    with self.assertRaises(ProtocolError) as refused:
                        adapter.get_account("BILL-MSK-0001001")
                    self.assertLess(time.monotonic() - start, 5)
                self.assertIn(message, refused.exception.message)

    def test_timeouts_are_bounded(self):
        self.simulator.configure(latency_ms=5000)
        self.backend.read_timeout = 1
        for backend in (self.backend, self.soap):
            backend.read_timeout = 1
            with backend._bss_get_adapter() as adapter:
                if backend.protocol == "soap":
                    # the WSDL loads before the slow answer is waited for
                    self.simulator.configure(latency_ms=0)
                    adapter.health()
                    self.simulator.configure(latency_ms=5000)
                start = time.monotonic()
                with self.assertRaises(CallTimeout):
                    adapter.get_account("BILL-MSK-0001001")
                self.assertLess(time.monotonic() - start, 2.0)

    # ------------------------------------------------------------------
    # read path
    # ------------------------------------------------------------------
    def test_card_shows_billing_live_then_stale_when_down(self):
        self.account.billing_reference = "BILL-MSK-0001001"  # seeded account
        partner = self.partner.with_user(self.front_office)
        self.assertEqual(
            partner.action_telecom_refresh_billing(), {"refreshed": 1, "accounts": 1}
        )
        snapshot = partner.telecom_billing_snapshot_ids
        balance = snapshot.balance
        self.assertTrue(snapshot.charges)
        self.assertTrue(snapshot.usage)
        self.assertFalse(snapshot.is_stale)
        self.simulator.configure(latency_ms=5000)
        start = time.monotonic()
        result = partner.action_telecom_refresh_billing()
        self.assertLess(time.monotonic() - start, 3.5)  # 1 s time-out, one call
        self.assertEqual(result["refreshed"], 0)
        self.assertEqual(snapshot.balance, balance)
        self.assertTrue(snapshot.is_stale)
        self.assertIn("Billing unavailable", snapshot.age_label)

    def test_soap_read_path(self):
        self.backend.active = False
        self.account.billing_reference = "BILL-MSK-0001001"
        self.soap.flush_recordset()
        result = self.partner.action_telecom_refresh_billing()
        self.assertEqual(result["refreshed"], 1)
        snapshot = self.partner.telecom_billing_snapshot_ids
        self.assertEqual(snapshot.backend_id, self.soap)
        self.assertTrue(snapshot.charges)
        self.assertFalse(snapshot.usage)  # SOAP billing has no usage details
