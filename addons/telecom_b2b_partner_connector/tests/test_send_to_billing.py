import time
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.telecom_b2b_partner.tests.common import B2bCommon
from odoo.addons.telecom_bss_connector.tests.common import (
    SIMULATOR_TOKEN,
    SimulatorProcess,
)

MARCH = date(2026, 3, 1)


@tagged("post_install", "-at_install")
class TestSendToBilling(B2bCommon):
    """Approved service credits of a contract covering the whole holding (a
    line in North, a line in South: two billing accounts) go to the billing
    simulator as adjustments, as a B2B manager of North would send them."""

    @classmethod
    def setUpClass(cls):
        SimulatorProcess.directory()  # skips, or fails, when not configured
        super().setUpClass()
        # the short transactions of a retried delivery run on the test's cursor
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.simulator = SimulatorProcess().start()
        cls.addClassCleanup(cls.simulator.stop)
        cls.backend = cls.env["telecom.backend"].create(
            {
                "name": "T Billing",
                "kind": "billing",
                "protocol": "rest",
                "url": cls.simulator.url,
                "auth_type": "token",
                "token": SIMULATOR_TOKEN,
                "company_id": False,
                "owner_id": cls.env.ref("base.user_admin").id,
                "read_timeout": 1,
                "max_attempts": 5,
                "circuit_threshold": 50,
            }
        )
        cls.account_north = cls.line_north.account_id
        cls.account_south = cls.line_south.account_id
        cls.account_north.billing_reference = "BILL-T-NORTH"
        cls.account_south.billing_reference = "BILL-T-SOUTH"
        cls.contract = cls._create_contract(cls.holding)
        cls.contract.action_activate()

    def setUp(self):
        super().setUp()
        self.simulator.reset()
        self._seed_billing(self.account_north, self.account_south)

    # ------------------------------------------------------------------
    # builders
    # ------------------------------------------------------------------
    def _seed_billing(self, *accounts):
        self.simulator.admin(
            "POST",
            "seed",
            {
                "accounts": [
                    {
                        "account": account.billing_reference,
                        "balance": 0,
                        "currency": account.currency_id.name,
                    }
                    for account in accounts
                ]
            },
        )

    def _approved_statement(self, amount=1000.01, period_start=MARCH):
        statement = self.env["telecom.b2b.credit.statement"].create(
            {"contract_id": self.contract.id, "period_start": period_start}
        )
        if amount:
            statement.line_ids = [
                Command.create({"kind": "downtime", "quantity": 1, "amount": amount})
            ]
        statement.action_submit()
        statement.with_user(self.b2b_manager).action_approve()
        return statement.with_user(self.b2b_manager)

    def _send(self, statement):
        """Send to billing; the orders queued now (one job each)."""
        before = statement.sudo().billing_order_ids
        with trap_jobs() as trap:
            statement.action_send_to_billing()
        orders = statement.sudo().billing_order_ids - before
        # one delivery job takes the orders of the system (batches of 50)
        self.assertEqual(len(trap.enqueued_jobs), 1)
        return orders

    def _deliver(self, order):
        """One run of the delivery job, as queue_job runs it (sudo'd order of
        the user who queued it): its result, or the retry it asks for."""
        try:
            return order.with_user(self.b2b_manager).sudo()._bss_deliver()
        except RetryableJobError as error:
            return error

    def _wait_until_billed(self, order, seconds=10):
        deadline = time.monotonic() + seconds
        while order.idempotency_key not in self._billed():
            self.assertLess(time.monotonic(), deadline, "billing never got it")
            time.sleep(0.1)

    def _billed(self):
        return self.simulator.state()["adjustments"]

    def _balance(self, account):
        [billed] = [
            row
            for row in self.simulator.state()["accounts"]
            if row["account"] == account.billing_reference
        ]
        return billed["balance"]

    # ------------------------------------------------------------------
    # tests
    # ------------------------------------------------------------------
    def test_manager_sends_credit_one_adjustment_per_account(self):
        statement = self._approved_statement(1000.01)
        orders = self._send(statement)
        self.assertEqual(len(orders), 2)
        self.assertEqual(set(orders.mapped("operation")), {"adjustment"})
        self.assertEqual(
            sorted(orders.mapped("account_ref")), ["BILL-T-NORTH", "BILL-T-SOUTH"]
        )
        self.assertAlmostEqual(sum(o.payload["amount"] for o in orders), 1000.01)
        self.assertEqual(set(o.payload["period"] for o in orders), {"2026-03"})
        self.assertEqual(
            (statement.state, statement.billing_status), ("approved", "pending")
        )
        # a second click sends nothing more
        with self.assertRaises(UserError):
            statement.action_send_to_billing()
        self._deliver(orders[0])
        self.assertEqual(statement.state, "approved")  # not all posted yet
        self._deliver(orders[1])
        self.assertEqual((statement.state, statement.billing_status), ("sent", "done"))
        adjustment_ids = set(orders.mapped("external_order_id"))
        self.assertEqual(
            adjustment_ids,
            {billed["adjustment_id"] for billed in self._billed().values()},
        )
        for adjustment_id in adjustment_ids:
            self.assertIn(adjustment_id, statement.billing_adjustment_refs)
        self.assertAlmostEqual(
            self._balance(self.account_north) + self._balance(self.account_south),
            1000.01,
        )
        # journaled on the contract's timeline
        interaction = self.env["telecom.interaction"].search(
            [
                ("res_model", "=", "telecom.b2b.contract"),
                ("res_id", "=", self.contract.id),
                ("summary", "ilike", "sent to billing"),
            ]
        )
        self.assertEqual(len(interaction), 1)
        self.assertEqual(interaction.partner_id, self.holding)
        event = self.env["telecom.event"].search(
            [("event_type", "=", "b2b_credit.sent"), ("res_id", "=", self.contract.id)]
        )
        self.assertEqual(event.payload["amount"], 1000.01)

    def test_billing_down_keeps_the_adjustment_queued_then_posts_it(self):
        statement = self._approved_statement()
        order_north, order_south = self._send(statement).sorted("account_ref")
        self.simulator.configure(error_rate=1.0)  # 503
        self.assertIsInstance(self._deliver(order_north), RetryableJobError)
        order_north.invalidate_recordset()
        statement.invalidate_recordset()
        self.assertEqual((order_north.state, order_north.attempt_count), ("pending", 1))
        self.assertEqual(statement.billing_status, "pending")
        self.assertIn("503", statement.billing_error)
        self.assertEqual(self._billed(), {})
        # billing answers too late: the client gives up, billing posts it anyway
        self.simulator.configure(error_rate=0.0, latency_ms=1500)
        self.assertIsInstance(self._deliver(order_north), RetryableJobError)
        self.simulator.configure(latency_ms=0)
        self._wait_until_billed(order_north)
        self._deliver(order_north)
        self._deliver(order_south)
        self.assertEqual(statement.state, "sent")
        self.assertFalse(statement.billing_error)
        billed = self._billed()[order_north.idempotency_key]
        self.assertEqual(billed["adjustment_id"], order_north.external_order_id)
        self.assertEqual(billed["applied_count"], 1)  # posted once, replayed once
        self.assertEqual(billed["submissions"], 2)

    def test_replayed_delivery_posts_once(self):
        statement = self._approved_statement()
        orders = self._send(statement)
        # billing posts the adjustment but its answer is lost
        self.simulator.configure(malformed_rate=1.0)
        for order in orders:
            self.assertIsInstance(self._deliver(order), RetryableJobError)
        self.simulator.configure(malformed_rate=0.0)
        for order in orders:
            self._deliver(order)
            self._deliver(order)  # a duplicate job: nothing more happens
        self.assertEqual(statement.state, "sent")
        for order in orders:
            billed = self._billed()[order.idempotency_key]
            self.assertEqual(billed["adjustment_id"], order.external_order_id)
            self.assertEqual((billed["applied_count"], billed["submissions"]), (1, 2))
        self.assertAlmostEqual(
            self._balance(self.account_north) + self._balance(self.account_south),
            1000.01,
        )

    def test_refusal_is_visible_then_sent_again_under_a_new_key(self):
        self.simulator.admin("POST", "reset", {"initial": True})
        self._seed_billing(self.account_north)  # billing does not know South
        statement = self._approved_statement()
        orders = self._send(statement)
        for order in orders:
            self._deliver(order)
        statement.invalidate_recordset()
        self.assertEqual(
            (statement.state, statement.billing_status), ("approved", "failed")
        )
        self.assertIn("BILL-T-SOUTH", statement.billing_error)
        self.assertIn("BILL-T-SOUTH", statement.message_ids[0].body)
        self.assertIn(self.b2b_manager.partner_id, statement.message_ids[0].partner_ids)
        # billing opens the account; the manager sends the rest again
        self._seed_billing(self.account_south)
        resent = self._send(statement)
        self.assertEqual(resent.account_ref, "BILL-T-SOUTH")
        self.assertTrue(resent.idempotency_key.endswith("-1"))
        self._deliver(resent)
        self.assertEqual(statement.state, "sent")

    def test_b2b_sales_user_cannot_send(self):
        statement = self._approved_statement().with_user(self.seller_north)
        with self.assertRaises(AccessError):
            statement.action_send_to_billing()
        self.assertFalse(statement.sudo().billing_order_ids)
        self.assertEqual(statement.state, "approved")

    def test_refusing_is_impossible_once_sent(self):
        statement = self._approved_statement()
        self._send(statement)
        with self.assertRaises(UserError):
            statement.action_refuse()

    def test_cron_sends_approved_statements_and_closes_those_without_credit(self):
        with_credit = self._approved_statement()
        without_credit = self._approved_statement(
            amount=0, period_start=date(2026, 4, 1)
        )
        draft = self.env["telecom.b2b.credit.statement"].create(
            {"contract_id": self.contract.id, "period_start": date(2026, 5, 1)}
        )
        with trap_jobs() as trap:
            self.env["telecom.b2b.credit.statement"]._cron_send_to_billing()
            trap.assert_jobs_count(1)  # one delivery job for both orders
        self.assertEqual(len(with_credit.sudo().billing_order_ids), 2)
        self.assertEqual(without_credit.state, "sent")
        self.assertFalse(draft.billing_order_ids)
        with trap_jobs() as trap:  # a second run finds nothing left to send
            self.env["telecom.b2b.credit.statement"]._cron_send_to_billing()
            trap.assert_jobs_count(0)
