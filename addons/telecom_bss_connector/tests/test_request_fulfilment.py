from datetime import timedelta
from unittest import mock

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..adapters.base import TransportError
from ..hooks import uninstall_hook
from .common import BssCommon


@tagged("post_install", "-at_install")
class TestRequestFulfilment(BssCommon):
    """Billing fulfils requests through the hooks of telecom_subscriber only.

    The request state machine keeps its guards: the connector never completes,
    sends or queues anything for a request the base refuses to complete.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Outbox = cls.env["telecom.outbox"]

    def _block(self, service=None, env=None):
        return self._new_request(
            "block",
            service or self._activate_without_billing(),
            env=env or self.env(user=self.front_office),
            block_reason="lost_sim",
        )

    def _submitted_block(self):
        request = self._block()
        with trap_jobs():
            request.action_submit()
        return request

    def assertNothingSent(self, request, trap):
        trap.assert_jobs_count(0)
        self.assertFalse(self.Outbox.search([("request_id", "=", request.id)]))

    # ------------------------------------------------------------------
    # the guards run first, with the connector installed
    # ------------------------------------------------------------------
    def test_completing_a_draft_request_raises_and_sends_nothing(self):
        request = self._block()
        with trap_jobs() as trap:
            with self.assertRaisesRegex(UserError, "cannot go from"):
                request.action_complete()
            self.assertNothingSent(request, trap)
        self.assertEqual(request.state, "draft")
        self.assertEqual(request.fulfilment_status, "none")

    def test_completing_a_cancelled_request_raises_and_sends_nothing(self):
        request = self._block()
        request.action_cancel(reason="changed their mind")
        with trap_jobs() as trap:
            with self.assertRaisesRegex(UserError, "cannot go from"):
                request.action_complete()
            self.assertNothingSent(request, trap)
        self.assertEqual(request.state, "cancelled")

    def test_termination_of_a_terminated_line_is_refused_by_its_guard(self):
        service = self._activate_without_billing()
        request = self._new_request(
            "termination",
            service,
            env=self.env(user=self.retention_agent),
            termination_reason="price",
        )
        with trap_jobs():
            request.action_submit()
        service._apply_state("terminated")
        with trap_jobs() as trap:
            with self.assertRaisesRegex(UserError, "not possible"):
                request.action_complete()
            self.assertNothingSent(request, trap)
        self.assertEqual(request.state, "submitted")
        self.assertEqual(request.fulfilment_status, "none")

    # ------------------------------------------------------------------
    # waiting for billing: a status, not a text
    # ------------------------------------------------------------------
    def test_submitted_request_waits_for_billing_and_is_searchable(self):
        request = self._submitted_block()
        self.assertEqual(request.state, "submitted")
        self.assertEqual(request.fulfilment_status, "waiting")
        self.assertFalse(request.completion_error)
        Request = self.env["telecom.request"].with_user(self.front_office)
        self.assertEqual(
            Request.search([("fulfilment_status", "=", "waiting")]), request
        )
        # completing it again sends nothing more: the order is on its way
        with trap_jobs() as trap:
            request.action_complete()
            trap.assert_jobs_count(0)
        self.assertEqual(len(request.bss_outbox_ids), 1)
        self.assertEqual(request.fulfilment_status, "waiting")

    def test_delivery_completes_the_request_through_the_explicit_method(self):
        request = self._submitted_block()
        request_class = type(self.env["telecom.request"])
        with (
            self.patch_adapter("submit_order", return_value=self.order_answer()),
            mock.patch.object(
                request_class,
                "_complete_after_fulfilment",
                autospec=True,
                side_effect=request_class._complete_after_fulfilment,
            ) as complete,
        ):
            request.bss_outbox_ids._bss_deliver()
        complete.assert_called_once()
        self.assertEqual(complete.call_args.args[0], request)
        self.assertEqual(request.state, "done")
        self.assertEqual(request.fulfilment_status, "none")
        self.assertEqual(request.service_id.state, "blocked")

    def test_delivery_on_a_line_changed_meanwhile_fails_the_fulfilment(self):
        request = self._new_request(
            "tariff_change",
            self._activate_without_billing(),
            env=self.env(user=self.front_office),
            tariff_id=self.tariff_unlimited.id,
            remove_incompatible_options=True,
        )
        with trap_jobs():
            request.action_submit()
        request.service_id._apply_state("terminated")
        with self.patch_adapter("submit_order", return_value=self.order_answer()):
            request.bss_outbox_ids._bss_deliver()
        self.assertEqual(request.state, "submitted")
        self.assertEqual(request.fulfilment_status, "failed")
        self.assertIn("could not follow", request.completion_error)
        self.assertTrue(request.activity_ids)
        self.assertEqual(
            self.env["telecom.request"].search([("fulfilment_status", "=", "failed")]),
            request,
        )

    def test_dead_order_fails_the_fulfilment_and_a_retry_waits_again(self):
        request = self._submitted_block()
        order = request.bss_outbox_ids
        self.backend.max_attempts = 1
        with self.patch_adapter("submit_order", side_effect=TransportError("down")):
            order._bss_deliver()
        self.assertEqual(order.state, "dead")
        self.assertEqual(request.fulfilment_status, "failed")
        self.assertIn(order.idempotency_key, request.completion_error)
        with trap_jobs():
            order.with_user(self.monitor).action_retry()
        self.assertEqual(request.fulfilment_status, "waiting")
        self.assertFalse(request.completion_error)

    def test_cancelling_a_waiting_request_cancels_its_order(self):
        request = self._submitted_block()
        request.action_cancel(reason="changed their mind")
        self.assertEqual(request.fulfilment_status, "none")
        self.assertEqual(request.bss_outbox_ids.state, "cancelled")

    # ------------------------------------------------------------------
    # scheduled completion
    # ------------------------------------------------------------------
    def test_cron_domain_leaves_requests_whose_order_is_on_its_way(self):
        request = self._submitted_next_cycle_tariff_change()
        request.effective_date = fields.Date.today()
        Request = self.env["telecom.request"]
        self.assertIn(request, Request.search(Request._get_due_requests_domain()))
        with trap_jobs():
            Request._cron_complete_due_requests()
        self.assertEqual(request.fulfilment_status, "waiting")
        # even with its status reset by hand, the order on its way keeps it out
        request.fulfilment_status = "none"
        self.assertNotIn(request, Request.search(Request._get_due_requests_domain()))

    def test_order_delivered_before_its_day_completes_on_its_day(self):
        request = self._submitted_next_cycle_tariff_change()
        with trap_jobs():
            request.action_complete()  # by hand, before its day
        self.assertEqual(request.fulfilment_status, "waiting")
        with self.patch_adapter("submit_order", return_value=self.order_answer()):
            request.bss_outbox_ids._bss_deliver()
        self.assertEqual(request.state, "scheduled")
        self.assertEqual(request.fulfilment_status, "none")
        request.effective_date = fields.Date.today() - timedelta(days=1)
        with trap_jobs() as trap:
            self.env["telecom.request"]._cron_complete_due_requests()
            trap.assert_jobs_count(0)
        self.assertEqual(request.state, "done")
        self.assertEqual(len(request.bss_outbox_ids), 1)

    # ------------------------------------------------------------------
    # what billing receives
    # ------------------------------------------------------------------
    def test_order_payload_comes_from_the_mappers_not_the_timeline(self):
        request = self._block()
        request_class = type(self.env["telecom.request"])
        with (
            mock.patch.object(
                request_class,
                "_event_payload_block",
                lambda _request: {"block_reason": "shown on the timeline only"},
            ),
            trap_jobs(),
        ):
            request.action_submit()
        self.assertEqual(
            request.bss_outbox_ids.payload,
            {
                "request": request.name,
                "effective_date": None,
                "block_reason": "lost_sim",
                "block_until": "",
            },
        )
        submitted = request.event_ids.filtered(
            lambda event: event.event_type == "request.submitted"
        )
        self.assertEqual(
            submitted.payload["block_reason"], "shown on the timeline only"
        )

    # ------------------------------------------------------------------
    # uninstallation
    # ------------------------------------------------------------------
    def test_uninstall_hook_leaves_no_request_waiting_for_billing(self):
        waiting = self._submitted_block()
        failed = self._submitted_block()
        failed._fail_external_fulfilment("billing said no")
        uninstall_hook(self.env)
        self.assertEqual(waiting.fulfilment_status, "none")
        self.assertEqual(failed.fulfilment_status, "none")
        self.assertEqual(failed.completion_error, "billing said no")
        self.assertFalse(
            self.env["telecom.request"].search([("fulfilment_status", "!=", "none")])
        )
