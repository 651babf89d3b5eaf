from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..adapters.base import RejectedError, TransportError
from .common import BssCommon


@tagged("post_install", "-at_install")
class TestRefundBilling(BssCommon):
    """An approved refund credited to its account goes to billing as an
    adjustment; billing's confirmation marks it paid."""

    def _approved_refund(self, amount=300):
        claim = self.env["telecom.request"].create(
            {
                "request_type": "claim",
                "partner_id": self.partner.id,
                "account_id": self.account.id,
                "claim_category": "billing",
                "claim_amount": 500,
                "reason": "Charged twice for roaming",
            }
        )
        refund = self.env["telecom.refund"].create(
            {"claim_id": claim.id, "account_id": self.account.id, "amount": amount}
        )
        refund.with_user(self.supervisor).action_approve()
        return refund.with_user(self.supervisor)

    def _send(self, refund):
        with trap_jobs() as trap:
            refund.action_send_to_billing()
            trap.assert_jobs_count(1)
        return refund.sudo().bss_outbox_ids

    def _deliver(self, order):
        try:
            return order.with_user(self.supervisor).sudo()._bss_deliver()
        except RetryableJobError as error:
            return error

    def test_supervisor_sends_refund_and_billing_pays_it(self):
        refund = self._approved_refund()
        order = self._send(refund)
        self.assertEqual(
            (order.operation, order.payload["amount"], order.account_ref),
            ("adjustment", 300, self.account.name),
        )
        self.assertEqual(order.idempotency_key, f"{refund.name}:adjustment")
        with self.assertRaises(UserError):  # already on its way
            refund.action_send_to_billing()
        with self.patch_adapter(
            "post_adjustment", side_effect=TransportError("billing error HTTP 503")
        ):
            self.assertIsInstance(self._deliver(order), RetryableJobError)
        self.env.invalidate_all()  # the attempt was written in its own transaction
        self.assertEqual(refund.state, "approved")
        self.assertEqual(refund.bss_delivery_label, "Billing: pending (1 attempts)")
        answer = {"adjustment_id": "ADJ-000042", "status": "posted", "message": ""}
        with self.patch_adapter("post_adjustment", return_value=answer) as post:
            self._deliver(order)
            self._deliver(order)  # a duplicate job sends nothing more
        self.assertEqual(post.call_count, 1)
        self.assertEqual(post.call_args.args[1], order.idempotency_key)
        self.assertEqual(
            (refund.state, refund.payment_reference), ("paid", "ADJ-000042")
        )

    def test_refusal_is_told_on_the_refund_and_can_be_sent_again(self):
        refund = self._approved_refund()
        order = self._send(refund)
        with self.patch_adapter(
            "post_adjustment", side_effect=RejectedError("unknown account")
        ):
            self._deliver(order)
        self.assertEqual(refund.state, "approved")
        self.assertIn("unknown account", refund.message_ids[0].body)
        again = self._send(refund) - order
        self.assertEqual(again.idempotency_key, f"{refund.name}:adjustment:1")

    def test_only_a_supervisor_sends_approved_refunds(self):
        refund = self._approved_refund()
        with self.assertRaises(UserError):
            refund.with_user(self.front_office).action_send_to_billing()
        self.assertFalse(refund.sudo().bss_outbox_ids)

    def test_cron_sends_approved_refunds_once(self):
        refund = self._approved_refund()
        # demo data may hold approved refunds of its own: the cron sends those
        # too, so the second run is judged against the first, not against 1
        with trap_jobs() as trap:
            self.env["telecom.refund"]._cron_send_to_billing()
            queued_by_first_run = len(trap.enqueued_jobs)
            self.env["telecom.refund"]._cron_send_to_billing()
            self.assertEqual(len(trap.enqueued_jobs), queued_by_first_run)
        self.assertEqual(len(refund.sudo().bss_outbox_ids), 1)
