from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..adapters.base import CallTimeout, RejectedError, TransportError
from .common import BssCommon


@tagged("post_install", "-at_install")
class TestAdjustmentOutbox(BssCommon):
    """Adjustments (credits) go through the outbox like orders: one row per key,
    the same key on every attempt, retried on transport errors, never lost."""

    def _adjust(self, key="T-ADJ-1", amount=1200.5, period=None):
        vals = self.env["telecom.outbox"]._bss_prepare_adjustment_vals(
            self.backend, key, self.account, amount, "Service credit", period
        )
        with trap_jobs() as trap:
            order = self.env["telecom.outbox"]._bss_create([vals])
            self.assertEqual(len(trap.enqueued_jobs), len(order))
        return order

    def _deliver(self, order):
        try:
            return order._bss_deliver()
        except RetryableJobError as error:
            return error

    @staticmethod
    def adjustment_answer(adjustment_id="ADJ-000001"):
        return {"adjustment_id": adjustment_id, "status": "posted", "message": "ok"}

    def test_adjustment_is_queued_with_its_payload(self):
        self.account.billing_reference = "BILL-T-1"
        order = self._adjust(period=self.env.cr.now().date().replace(day=1))
        self.assertEqual(
            (order.operation, order.state, order.account_ref),
            ("adjustment", "pending", "BILL-T-1"),
        )
        self.assertEqual(order.payload["amount"], 1200.5)
        self.assertEqual(order.payload["currency"], self.account.currency_id.name)
        self.assertRegex(order.payload["period"], r"^\d{4}-\d{2}$")
        # the same key again is the same order: never two credits
        self.assertFalse(self._adjust())
        self.assertEqual(
            self.env["telecom.outbox"].search_count(
                [("idempotency_key", "=", "T-ADJ-1")]
            ),
            1,
        )

    def test_a_credit_is_positive(self):
        with self.assertRaises(UserError):
            self._adjust(amount=0)

    def test_billing_down_keeps_it_queued_then_posts_it_with_the_same_key(self):
        order = self._adjust()
        with self.patch_adapter(
            "post_adjustment", side_effect=TransportError("billing error HTTP 503")
        ):
            self.assertIsInstance(self._deliver(order), RetryableJobError)
        with self.patch_adapter("post_adjustment", side_effect=CallTimeout("slow")):
            self.assertIsInstance(self._deliver(order), RetryableJobError)
        order.invalidate_recordset()
        self.assertEqual((order.state, order.attempt_count), ("pending", 2))
        self.assertIn("in time", order.last_error)
        with self.patch_adapter(
            "post_adjustment", return_value=self.adjustment_answer()
        ) as post:
            self._deliver(order)
            self._deliver(order)  # a duplicate job: nothing more is sent
        self.assertEqual(post.call_count, 1)
        args = post.call_args.args
        currency = self.account.currency_id.name
        self.assertEqual(
            args[1:],
            ("T-ADJ-1", self.account.name, 1200.5, currency, "Service credit", None),
        )
        self.assertEqual(
            (order.state, order.external_order_id, order.external_status),
            ("done", "ADJ-000001", "posted"),
        )

    def test_refusal_is_not_retried(self):
        order = self._adjust()
        with self.patch_adapter(
            "post_adjustment",
            side_effect=RejectedError("unknown account", code="UNKNOWN_ACCOUNT"),
        ):
            result = self._deliver(order)
        self.assertIsInstance(result, str)
        self.assertEqual(order.state, "rejected")
        self.assertEqual(order.response_message, "unknown account")
