from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TelecomCommon, make_iccid, make_msisdn

TODAY = date(2026, 5, 4)


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestPorting(TelecomCommon):
    """Mobile number portability: recipient (port-in) and donor (port-out) sides."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "telecom_mnp_min_days_person": 8,
                "telecom_mnp_min_days_company": 29,
                "telecom_mnp_max_days": 183,
            }
        )
        cls.partner, cls.account = cls._create_subscriber()
        cls.company_partner, cls.company_account = cls._create_subscriber(
            "Horns and Hooves LLC", is_company=True
        )

    def _port_in(self, partner=None, account=None, port_date=None, **values):
        partner = partner or self.partner
        return self.env["telecom.request"].create(
            {
                "request_type": "port_in",
                "partner_id": partner.id,
                "account_id": (account or self.account).id,
                "tariff_id": self.tariff_basic.id,
                "msisdn": make_msisdn(800001),
                "iccid": make_iccid(800001),
                "donor_operator_id": self.operator_other.id,
                "effective_date": port_date or TODAY + timedelta(days=8),
                **values,
            }
        )

    def test_port_in_full_procedure(self):
        request = self._port_in()
        request.action_submit()
        service = request.service_id
        self.assertEqual((request.state, service.state), ("submitted", "pending"))
        self.assertTrue(service.ported_in)
        self.assertEqual(service.msisdn, make_msisdn(800001))
        request.action_validate()
        request.action_schedule()
        self.assertEqual(request.state, "scheduled")
        request.action_complete()
        self.assertEqual((request.state, service.state), ("done", "active"))
        self.assertEqual(
            request.event_ids.sorted("id").mapped("event_type"),
            [
                "request.submitted",
                "request.validated",
                "request.scheduled",
                "request.done",
            ],
        )
        self.assertEqual(request.event_ids[0].payload["donor"], "T-OTHER")

    def test_port_in_is_never_completed_at_submission(self):
        request = self._port_in()
        request.action_submit()
        self.assertEqual(request.state, "submitted")
        with self.assertRaisesRegex(UserError, "cannot go"):
            request.action_complete()
        with self.assertRaisesRegex(UserError, "cannot go"):
            request.action_schedule()

    def test_port_date_window_for_individuals(self):
        too_early = self._port_in(port_date=TODAY + timedelta(days=7))
        with self.assertRaisesRegex(UserError, "porting date"):
            too_early.action_submit()
        too_late = self._port_in(port_date=TODAY + timedelta(days=184))
        with self.assertRaisesRegex(UserError, "porting date"):
            too_late.action_submit()
        self.assertEqual(too_early.port_earliest_date, TODAY + timedelta(days=8))
        self.assertEqual(too_early.port_latest_date, TODAY + timedelta(days=183))
        latest = self._port_in(port_date=TODAY + timedelta(days=183))
        latest.action_submit()
        self.assertEqual(latest.state, "submitted")

    def test_port_date_window_for_legal_entities(self):
        request = self._port_in(
            partner=self.company_partner,
            account=self.company_account,
            port_date=TODAY + timedelta(days=20),
        )
        with self.assertRaisesRegex(UserError, "porting date"):
            request.action_submit()
        request.effective_date = TODAY + timedelta(days=29)
        request.action_submit()
        self.assertEqual(request.state, "submitted")

    def test_port_date_is_checked_again_when_scheduling(self):
        request = self._port_in()
        request.action_submit()
        request.action_validate()
        request.effective_date = TODAY + timedelta(days=2)
        with self.assertRaisesRegex(UserError, "porting date"):
            request.action_schedule()
        self.assertEqual(request.state, "validated")

    def test_port_in_needs_another_operator_and_a_single_open_request(self):
        own = self._port_in(donor_operator_id=self.operator_own.id)
        with self.assertRaisesRegex(UserError, "not our network"):
            own.action_submit()
        first = self._port_in()
        first.action_submit()
        second = self._port_in(iccid=make_iccid(800002))
        with self.assertRaisesRegex(UserError, "Another porting request"):
            second.action_submit()

    def test_rejected_port_in_releases_the_number(self):
        request = self._port_in()
        request.action_submit()
        wizard = self.env["telecom.request.refuse"].create(
            {
                "request_id": request.id,
                "outcome": "rejected",
                "reason": "Donor reports a debt",
                "port_rejection_code": "debt",
            }
        )
        wizard.action_confirm()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(request.port_rejection_code, "debt")
        self.assertEqual(request.service_id.state, "terminated")
        retry = self._port_in(iccid=make_iccid(800003))
        retry.action_submit()
        self.assertEqual(retry.service_id.state, "pending")

    def test_port_out_full_procedure(self):
        service = self._activate_line(self.account)
        request = self._new_request(
            "port_out",
            service,
            recipient_operator_id=self.operator_other.id,
            effective_date=TODAY + timedelta(days=8),
        )
        request.action_submit()
        request.action_validate()
        request.action_schedule()
        self.assertEqual(service.state, "active")
        request.action_complete()
        self.assertEqual(service.state, "terminated")
        service.invalidate_recordset(["state_log_ids"])
        self.assertEqual(service.state_log_ids[0].request_id, request)

    def test_port_out_donor_refuses_a_line_blocked_for_debt(self):
        service = self._activate_line(self.account)
        self._new_request("block", service, block_reason="debt").action_submit()
        request = self._new_request(
            "port_out",
            service,
            recipient_operator_id=self.operator_other.id,
            effective_date=TODAY + timedelta(days=10),
        )
        request.action_submit()
        with self.assertRaisesRegex(UserError, "debt"):
            request.action_validate()
        request.action_reject("Debt of 1200 RUB")
        self.assertEqual(service.state, "blocked")

    def test_port_out_of_a_fixed_line_is_refused(self):
        service = self._activate_line(self.account)
        service.with_context(telecom_request_apply=True).service_type = "broadband"
        request = self._new_request(
            "port_out",
            service,
            recipient_operator_id=self.operator_other.id,
            effective_date=TODAY + timedelta(days=8),
        )
        with self.assertRaisesRegex(UserError, "Only mobile"):
            request.action_submit()

    def test_cancel_scheduled_port_out_keeps_the_line(self):
        service = self._activate_line(self.account)
        request = self._new_request(
            "port_out",
            service,
            recipient_operator_id=self.operator_other.id,
            effective_date=TODAY + timedelta(days=8),
        )
        request.action_submit()
        request.action_validate()
        request.action_schedule()
        request.action_cancel(reason="Subscriber withdrew")
        self.assertEqual((request.state, service.state), ("cancelled", "active"))
