from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..adapters.base import (
    CallTimeout,
    ProtocolError,
    RejectedError,
    TransportError,
)
from .common import GROUP, BssCommon


@tagged("post_install", "-at_install")
class TestOutbox(BssCommon):
    """The write path: orders written with the fact, delivered exactly once."""

    def deliver_expecting_retry(self, order):
        """Run the job; it must ask queue_job for a retry.

        Not ``assertRaises``: Odoo's rolls back a savepoint, which in test mode
        would also undo the attempt journal the connector commits in its own
        (here: shared) transaction.
        """
        try:
            order._bss_deliver()
        except RetryableJobError as error:
            return error
        self.fail("the delivery did not ask for a retry")

    def _block_request(self, service=None, env=None, **values):
        service = service or self._activate_without_billing()
        return self._new_request(
            "block",
            service,
            env=env,
            block_reason=values.pop("block_reason", "lost_sim"),
            **values,
        )

    # ------------------------------------------------------------------
    # written with the fact
    # ------------------------------------------------------------------
    def test_submit_writes_one_order_and_queues_one_job(self):
        request = self._block_request(env=self.env(user=self.front_office))
        with trap_jobs() as trap:
            request.action_submit()
            order = request.bss_outbox_ids
            trap.assert_jobs_count(1)
            trap.assert_enqueued_job(
                self.env["telecom.outbox"]._bss_deliver_batch,
                args=(self.backend.id, 0),
                properties={
                    "channel": "root.telecom_bss",
                    "max_retries": self.backend.max_attempts + 2,
                },
            )
        self.assertEqual(len(order), 1)
        self.assertEqual(order.idempotency_key, f"{request.name}:block")
        self.assertEqual(order.state, "pending")
        self.assertEqual(order.payload["block_reason"], "lost_sim")
        self.assertEqual(order.msisdn, request.service_id.msisdn)
        self.assertEqual(order.account_ref, self.account.name)
        # billing has not confirmed: nothing changed on the line yet
        self.assertEqual(request.state, "submitted")
        self.assertEqual(request.service_id.state, "active")
        self.assertEqual(request.bss_delivery_state, "pending")

    def test_order_is_written_in_the_transaction_of_the_fact(self):
        request = self._block_request()
        with trap_jobs(), self.assertRaises(ZeroDivisionError):
            with self.env.cr.savepoint():
                request.action_submit()
                self.assertTrue(request.bss_outbox_ids)
                _fails_later = 1 / 0  # the user's transaction fails after the submit
        request.invalidate_recordset()
        self.assertEqual(request.state, "draft")
        self.assertFalse(
            self.env["telecom.outbox"].search([("request_id", "=", request.id)])
        )

    def test_same_key_twice_makes_one_order(self):
        request = self._block_request()
        with trap_jobs():
            request.action_submit()
            vals = request._bss_prepare_order_vals(self.backend, "block")
            again = self.env["telecom.outbox"]._bss_create([vals])
        self.assertFalse(again)
        self.assertEqual(len(request.bss_outbox_ids), 1)

    def test_without_billing_backend_requests_complete_on_submit(self):
        self.backend.active = False
        request = self._block_request()
        with trap_jobs() as trap:
            request.action_submit()
            trap.assert_jobs_count(0)
        self.assertEqual(request.state, "done")
        self.assertEqual(request.service_id.state, "blocked")
        self.assertFalse(request.bss_outbox_ids)

    # ------------------------------------------------------------------
    # delivery
    # ------------------------------------------------------------------
    def test_delivery_completes_the_request_once(self):
        request = self._block_request()
        with trap_jobs():
            request.action_submit()
        order = request.bss_outbox_ids
        with self.patch_adapter(
            "submit_order", return_value=self.order_answer("ORD-7")
        ) as submit:
            order._bss_deliver()
            # a second run of the job (duplicate, replay) does nothing
            self.assertIn("nothing to do", order._bss_deliver())
        self.assertEqual(submit.call_count, 1)
        _adapter, key, operation, account, msisdn, payload = submit.call_args.args
        self.assertEqual(key, f"{request.name}:block")
        self.assertEqual(operation, "block")
        self.assertEqual((account, msisdn), (self.account.name, order.msisdn))
        self.assertEqual(order.state, "done")
        self.assertEqual(order.external_order_id, "ORD-7")
        self.assertEqual(request.state, "done")
        self.assertEqual(request.service_id.state, "blocked")
        self.assertEqual(request.service_id.bss_delivery_state, "done")
        calls = self.env["telecom.backend.call"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(calls.mapped("outcome"), ["ok"])

    def test_transport_error_retries_with_backoff_and_keeps_the_key(self):
        request = self._block_request()
        with trap_jobs():
            request.action_submit()
        order = request.bss_outbox_ids
        with self.patch_adapter(
            "submit_order", side_effect=TransportError("billing error HTTP 503")
        ):
            raised = self.deliver_expecting_retry(order)
        # first retry after ~backoff_base (10 s, +-10 % jitter)
        self.assertTrue(9 <= raised.seconds <= 11)
        self.assertFalse(raised.ignore_retry)
        # the attempt was journaled in its own transaction: it survives the
        # rollback queue_job does when a job asks for a retry
        order.invalidate_recordset()
        self.assertEqual(order.attempt_count, 1)
        self.assertEqual(order.state, "pending")
        self.assertIn("503", order.last_error)
        self.assertEqual(order.delivery_label, "Billing: pending (1 attempts)")
        self.assertEqual(request.state, "submitted")
        self.assertEqual(request.service_id.state, "active")
        with self.patch_adapter("submit_order", side_effect=CallTimeout("slow")):
            raised = self.deliver_expecting_retry(order)
        self.assertTrue(18 <= raised.seconds <= 22)  # base x factor
        with self.patch_adapter(
            "submit_order", return_value=self.order_answer()
        ) as submit:
            order._bss_deliver()
        self.assertEqual(submit.call_args.args[1], f"{request.name}:block")
        self.assertEqual(order.state, "done")
        self.assertEqual(request.state, "done")

    def test_malformed_answer_is_retried_not_applied_twice(self):
        request = self._block_request()
        with trap_jobs():
            request.action_submit()
        order = request.bss_outbox_ids
        with self.patch_adapter(
            "submit_order", side_effect=ProtocolError("malformed JSON answer")
        ):
            self.deliver_expecting_retry(order)
        order.invalidate_recordset()
        self.assertEqual(order.attempt_count, 1)
        self.assertEqual(order.state, "pending")

    def test_dead_letter_after_max_attempts_alerts_owner_then_manual_retry(self):
        request = self._block_request()
        with trap_jobs():
            request.action_submit()
        order = request.bss_outbox_ids
        with self.patch_adapter("submit_order", side_effect=TransportError("down")):
            for _attempt in range(self.backend.max_attempts - 1):
                self.deliver_expecting_retry(order)
                order.invalidate_recordset()
            result = order._bss_deliver()
        self.assertIn("dead", result)
        self.assertEqual(order.state, "dead")
        self.assertEqual(order.attempt_count, self.backend.max_attempts)
        self.assertEqual(request.state, "submitted")
        self.assertEqual(request.bss_delivery_state, "dead")
        activity = self.backend.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.env.ref("base.user_admin"))
        self.assertIn(order.idempotency_key, activity.note)
        # an agent may not retry; the integration team may
        with self.assertRaises(UserError):
            order.with_user(self.front_office).action_retry()
        with trap_jobs() as trap:
            order.with_user(self.monitor).action_retry()
            trap.assert_jobs_count(1)
        self.assertEqual(order.state, "pending")
        self.assertEqual(order.attempt_count, 0)
        with self.patch_adapter(
            "submit_order", return_value=self.order_answer()
        ) as submit:
            order._bss_deliver()
        self.assertEqual(submit.call_args.args[1], f"{request.name}:block")
        self.assertEqual(request.state, "done")

    def test_alerts_need_no_e_mail_address_of_the_job_user(self):
        """Jobs run as the agent who submitted: one without e-mail still alerts."""
        agent = new_test_user(
            self.env,
            login="t_front_no_mail",
            groups=f"{GROUP}front_office",
            email=False,
            telecom_region_ids=[(6, 0, self.zone_north.ids)],
        )
        self.backend.max_attempts = 1
        with trap_jobs():
            dead = self._block_request(env=self.env(user=agent))
            dead.action_submit()
            refused = self._block_request(env=self.env(user=agent))
            refused.action_submit()
        with self.patch_adapter("submit_order", side_effect=TransportError("down")):
            dead.bss_outbox_ids.with_user(agent)._bss_deliver()
        with self.patch_adapter(
            "submit_order", side_effect=RejectedError("Line blocked for debt")
        ):
            refused.bss_outbox_ids.with_user(agent)._bss_deliver()
        self.assertEqual(dead.bss_outbox_ids.state, "dead")
        self.assertEqual(len(self.backend.activity_ids), 1)
        self.assertEqual(refused.state, "rejected")
        self.assertEqual(len(refused.activity_ids), 1)

    def test_second_dead_order_adds_to_the_open_alert(self):
        with trap_jobs():
            first = self._block_request()
            first.action_submit()
            second = self._block_request()
            second.action_submit()
        self.backend.max_attempts = 1
        with self.patch_adapter("submit_order", side_effect=TransportError("down")):
            first.bss_outbox_ids._bss_deliver()
            second.bss_outbox_ids._bss_deliver()
        self.assertEqual(len(self.backend.activity_ids), 1)

    def test_business_refusal_is_not_retried_and_rejects_the_request(self):
        request = self._block_request()
        with trap_jobs():
            request.action_submit()
        order = request.bss_outbox_ids
        refusal = RejectedError("Line is blocked for debt", http_status=422)
        with self.patch_adapter("submit_order", side_effect=refusal) as submit:
            result = order._bss_deliver()  # no RetryableJobError: not retried
            order._bss_deliver()
        self.assertEqual(submit.call_count, 1)
        self.assertIn("rejected", result)
        self.assertEqual(order.state, "rejected")
        self.assertEqual(order.response_message, "Line is blocked for debt")
        self.assertEqual(request.state, "rejected")
        self.assertIn("Line is blocked for debt", request.rejection_reason)
        self.assertEqual(request.service_id.state, "active")
        self.assertTrue(request.activity_ids)

    def test_refused_activation_frees_the_number(self):
        with trap_jobs():
            service = self._activate_line(self.account)
        request = service.request_ids
        self.assertEqual(service.state, "pending")
        with self.patch_adapter(
            "submit_order", side_effect=RejectedError("Unknown tariff")
        ):
            request.bss_outbox_ids._bss_deliver()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(service.state, "terminated")

    def test_confirmed_activation_makes_the_line_live(self):
        with trap_jobs():
            service = self._activate_line(self.account)
        order = service.request_ids.bss_outbox_ids
        self.assertEqual(order.operation, "activation")
        self.assertEqual(order.payload["tariff_code"], "T-TAR-BASIC")
        with self.patch_adapter("submit_order", return_value=self.order_answer()):
            order._bss_deliver()
        self.assertEqual(service.state, "active")

    def test_open_circuit_postpones_without_calling_or_counting(self):
        request = self._block_request()
        with trap_jobs():
            request.action_submit()
        order = request.bss_outbox_ids
        self.backend.write({"circuit_threshold": 1})
        self.env.flush_all()  # committed configuration, as in production
        with self.patch_adapter("submit_order", side_effect=TransportError("down")):
            self.deliver_expecting_retry(order)
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.circuit_state, "open")
        with self.patch_adapter("submit_order") as submit:
            raised = self.deliver_expecting_retry(order)
        submit.assert_not_called()
        self.assertTrue(raised.ignore_retry)
        order.invalidate_recordset()
        self.assertEqual(order.attempt_count, 1)

    def test_cancelled_request_never_sends_its_order(self):
        request = self._block_request()
        with trap_jobs():
            request.action_submit()
        order = request.bss_outbox_ids
        request.action_cancel(reason="changed their mind")
        self.assertEqual(order.state, "cancelled")
        with self.patch_adapter("submit_order") as submit:
            self.assertIn("nothing to do", order._bss_deliver())
        submit.assert_not_called()

    # ------------------------------------------------------------------
    # requests completed by hand or by the scheduled-request cron
    # ------------------------------------------------------------------
    def test_termination_goes_to_billing_when_retention_lets_it_go(self):
        service = self._activate_without_billing()
        request = self._new_request("termination", service, termination_reason="price")
        with trap_jobs():
            request.action_submit()
            self.assertFalse(request.bss_outbox_ids)  # retention first
            request.action_complete()
        self.assertEqual(request.state, "submitted")
        self.assertEqual(request.bss_outbox_ids.operation, "termination")
        self.assertEqual(request.fulfilment_status, "waiting")
        self.assertFalse(request.completion_error)
        with self.patch_adapter("submit_order", return_value=self.order_answer()):
            request.bss_outbox_ids._bss_deliver()
        self.assertEqual(request.state, "done")
        self.assertEqual(request.fulfilment_status, "none")
        self.assertEqual(service.state, "terminated")

    def test_next_cycle_tariff_change_goes_to_billing_on_its_day(self):
        request = self._submitted_next_cycle_tariff_change()
        service = request.service_id
        self.assertEqual(request.state, "scheduled")
        # billing applies what it gets: nothing is sent before the day
        self.assertFalse(request.bss_outbox_ids)
        request.effective_date = fields.Date.today() - timedelta(days=1)
        with trap_jobs() as trap:
            self.env["telecom.request"]._cron_complete_due_requests()
            trap.assert_jobs_count(1)
        order = request.bss_outbox_ids
        self.assertEqual(order.payload["tariff_code"], "T-TAR-UNLIM")
        self.assertEqual(request.state, "scheduled")  # until billing confirms
        self.assertEqual(request.fulfilment_status, "waiting")
        with self.patch_adapter("submit_order", return_value=self.order_answer()):
            order._bss_deliver()
        self.assertEqual(request.state, "done")
        self.assertEqual(request.fulfilment_status, "none")
        self.assertEqual(service.tariff_id, self.tariff_unlimited)

    def test_voluntary_block_schedules_its_unblock_without_sending_it(self):
        service = self._activate_without_billing()
        request = self._block_request(
            service,
            block_reason="voluntary",
            block_until=fields.Date.today() + timedelta(days=10),
        )
        with trap_jobs():
            request.action_submit()
        with self.patch_adapter("submit_order", return_value=self.order_answer()):
            request.bss_outbox_ids._bss_deliver()
        self.assertEqual(service.state, "blocked")
        unblock = service.request_ids.filtered(
            lambda other: other.request_type == "unblock"
        )
        self.assertEqual(unblock.state, "scheduled")
        self.assertFalse(unblock.bss_outbox_ids)

    def test_due_request_waits_for_billing_and_leaves_the_cron_batch(self):
        """A due request whose order is not delivered is not retried by the cron."""
        request = self._submitted_next_cycle_tariff_change()
        request.effective_date = fields.Date.today()
        Request = self.env["telecom.request"]
        with trap_jobs():
            Request._cron_complete_due_requests()
        self.assertEqual(request.state, "scheduled")
        self.assertEqual(request.fulfilment_status, "waiting")
        self.assertFalse(request.completion_error)
        # the next runs leave it alone: no second order, no batch stuck on it
        self.assertNotIn(request, Request.search(Request._get_due_requests_domain()))
        with trap_jobs() as trap:
            Request._cron_complete_due_requests()
            trap.assert_jobs_count(0)
        self.assertEqual(len(request.bss_outbox_ids), 1)
        with self.patch_adapter("submit_order", return_value=self.order_answer()):
            request.bss_outbox_ids._bss_deliver()
        self.assertEqual(request.state, "done")

    # ------------------------------------------------------------------
    # safety net and access
    # ------------------------------------------------------------------
    def test_requeue_cron_queues_orders_without_a_live_job(self):
        request = self._block_request()
        with trap_jobs():
            request.action_submit()
        order = request.bss_outbox_ids
        order.job_uuid = False
        self.env.cr.execute(
            "UPDATE telecom_outbox SET create_date = now() - interval '1 hour' "
            "WHERE id = %s",
            [order.id],
        )
        with trap_jobs() as trap:
            self.env["telecom.outbox"]._cron_requeue_stalled()
            trap.assert_jobs_count(1)
            trap.assert_enqueued_job(
                self.env["telecom.outbox"]._bss_deliver_batch,
                args=(self.backend.id, 0),
            )
        # an order waiting for its next attempt is not stalled: its wake-up is
        order.next_attempt_at = fields.Datetime.now() + timedelta(minutes=10)
        order.job_uuid = False
        with trap_jobs() as trap:
            self.env["telecom.outbox"]._cron_requeue_stalled()
            trap.assert_jobs_count(0)

    def test_agents_read_orders_of_their_zones_only_and_never_write(self):
        request = self._block_request()
        with trap_jobs():
            request.action_submit()
        order = request.bss_outbox_ids
        self.assertTrue(order.with_user(self.front_office).read(["state"]))
        with self.assertRaises(AccessError):
            order.with_user(self.front_office_south).read(["state"])
        with self.assertRaises(AccessError):
            order.with_user(self.front_office).write({"state": "done"})
        with self.assertRaises(AccessError):
            self.env["telecom.outbox"].with_user(self.front_office).create(
                {
                    "idempotency_key": "forged",
                    "backend_id": self.backend.id,
                    "operation": "block",
                }
            )
