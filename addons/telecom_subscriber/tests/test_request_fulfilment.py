import contextlib
from datetime import timedelta
from unittest import mock

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TelecomCommon


@tagged("post_install", "-at_install")
class TestRequestFulfilment(TelecomCommon):
    """The extension points an integration fulfilling requests builds on.

    An external system is played by patching the two hooks: every completion is
    held, and asking for the fulfilment is recorded.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner, cls.account = cls._create_subscriber()
        cls.company.telecom_auto_complete = False
        cls.Request = cls.env["telecom.request"].with_user(cls.front_office)

    @contextlib.contextmanager
    def external_system(self):
        """Hold every completion for an external system; yield the requests asked."""
        asked = self.env["telecom.request"]
        request_class = type(self.env["telecom.request"])
        original = request_class._request_external_fulfilment

        def request_fulfilment(requests):
            nonlocal asked
            asked |= requests
            return original(requests)

        with (
            mock.patch.object(
                request_class,
                "_get_external_fulfilment_requests",
                lambda requests: requests,
            ),
            mock.patch.object(
                request_class, "_request_external_fulfilment", request_fulfilment
            ),
        ):
            yield lambda: asked

    def _line(self):
        self.company.telecom_auto_complete = True
        service = self._activate_line(self.account)
        self.company.telecom_auto_complete = False
        return service

    def _block(self, service, env=None):
        return self._new_request(
            "block", service, env=env or self.Request.env, block_reason="lost_sim"
        )

    # ------------------------------------------------------------------
    # guards first, in one place
    # ------------------------------------------------------------------
    def test_guards_run_before_any_hook(self):
        service = self._line()
        draft = self._block(service)
        cancelled = self._block(service)
        cancelled.action_cancel()
        with self.external_system() as asked:
            for request in (draft, cancelled):
                with self.assertRaisesRegex(UserError, "cannot go from"):
                    request.action_complete()
        self.assertFalse(asked())
        self.assertEqual(draft.fulfilment_status, "none")
        self.assertEqual(cancelled.fulfilment_status, "none")

    def test_type_guard_runs_before_the_hold(self):
        service = self._line()
        termination = self._new_request(
            "termination",
            service,
            env=self.Request.env,
            termination_reason="price",
        )
        termination.action_submit()
        service._apply_state("terminated")
        with self.external_system() as asked:
            with self.assertRaisesRegex(UserError, "not possible"):
                termination.action_complete()
        self.assertFalse(asked())
        self.assertEqual(termination.fulfilment_status, "none")

    # ------------------------------------------------------------------
    # held, visible, searchable, completed by the explicit method
    # ------------------------------------------------------------------
    def test_held_request_waits_and_is_searchable(self):
        service = self._line()
        request = self._block(service)
        request.action_submit()
        # a record is tracked from the transaction after its creation
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = request.with_context(tracking_disable=False, mail_notrack=False)
        with self.external_system() as asked:
            tracked.action_complete()
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written at commit time
        self.assertEqual(asked(), request)
        self.assertEqual(request.state, "submitted")
        self.assertEqual(request.service_id.state, "active")
        self.assertEqual(request.fulfilment_status, "waiting")
        self.assertFalse(request.completion_error)  # errors only
        self.assertEqual(
            self.Request.search([("fulfilment_status", "=", "waiting")]), request
        )
        self.assertFalse(self.Request.search([("fulfilment_status", "=", "failed")]))
        tracking = self.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", "telecom.request"),
                ("mail_message_id.res_id", "=", request.id),
                ("field_id.name", "=", "fulfilment_status"),
            ]
        )
        self.assertEqual(tracking.new_value_char, "Waiting for Fulfilment")

    def test_complete_after_fulfilment_completes_with_the_guards(self):
        service = self._line()
        request = self._block(service)
        request.action_submit()
        with self.external_system():
            request.action_complete()
            request._complete_after_fulfilment()
        self.assertEqual(request.state, "done")
        self.assertEqual(request.fulfilment_status, "none")
        self.assertEqual(service.state, "blocked")
        # the guards still apply: a second completion is refused
        with self.assertRaisesRegex(UserError, "cannot go from"):
            request._complete_after_fulfilment()

    def test_failed_fulfilment_keeps_its_error_and_a_user_can_act(self):
        service = self._line()
        request = self._block(service)
        request.action_submit()
        with self.external_system():
            request.action_complete()
        request._fail_external_fulfilment("billing said no")
        self.assertEqual(request.fulfilment_status, "failed")
        self.assertEqual(request.completion_error, "billing said no")
        request.action_complete()  # no external system any more
        self.assertEqual(request.state, "done")
        self.assertEqual(request.fulfilment_status, "none")
        self.assertFalse(request.completion_error)

    def test_cancelling_a_held_request_withdraws_it(self):
        service = self._line()
        request = self._block(service)
        request.action_submit()
        request_class = type(self.env["telecom.request"])
        with self.external_system():
            request.action_complete()
        with mock.patch.object(
            request_class, "_cancel_external_fulfilment", autospec=True
        ) as withdraw:
            request.action_cancel(reason="changed their mind")
        withdraw.assert_called_once()
        self.assertEqual(request.state, "cancelled")
        self.assertEqual(request.fulfilment_status, "none")

    # ------------------------------------------------------------------
    # scheduled completion
    # ------------------------------------------------------------------
    def test_cron_skips_waiting_requests_through_the_domain_method(self):
        service = self._line()
        requests = self.env["telecom.request"]
        for _index in range(2):
            request = self._block(service, env=self.env)
            request.block_reason = "voluntary"
            request.block_until = self._today() + timedelta(days=5)
            request.effective_date = self._today() + timedelta(days=1)
            request.action_submit()
            requests |= request
        self.assertEqual(requests.mapped("state"), ["scheduled", "scheduled"])
        waiting, due = requests
        requests.effective_date = self._today()
        waiting.fulfilment_status = "waiting"
        Request = self.env["telecom.request"]
        domain = Request._get_due_requests_domain()
        self.assertEqual(Request.search(domain) & requests, due)
        Request._cron_complete_due_requests()
        self.assertEqual(waiting.state, "scheduled")
        self.assertEqual(due.state, "done")


@tagged("post_install", "-at_install")
class TestSubscriberData(TelecomCommon):
    def test_crons_are_not_overwritten_by_upgrades(self):
        crons = self.env["ir.model.data"].search(
            [("module", "=", "telecom_subscriber"), ("model", "=", "ir.cron")]
        )
        self.assertIn(
            self.env.ref("telecom_subscriber.ir_cron_complete_due_requests"),
            self.env["ir.cron"].browse(crons.mapped("res_id")),
        )
        self.assertEqual(set(crons.mapped("noupdate")), {True})
