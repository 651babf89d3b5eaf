from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import TelecomCommon, make_msisdn


@tagged("post_install", "-at_install")
class TestFrontOfficeProcesses(TelecomCommon):
    """Change of owner, number change, relocation and contract renewal, end to
    end as the front office (a supervisor approves the changes of owner)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.holder, cls.account = cls._create_subscriber("Old Holder")
        cls.new_owner, cls.new_owner_account = cls._create_subscriber("New Owner")
        cls.coverage = cls.env["telecom.coverage.area"].create(
            {
                "address_prefix": "North City,  Lenina st",
                "region_id": cls.zone_north_city.id,
                "access_technology": "ftth",
                "installation_lead_days": 3,
            }
        )
        cls.env["telecom.coverage.area"].create(
            {
                "address_prefix": "North City, Lenina st 99",
                "region_id": cls.zone_north_city.id,
                "is_feasible": False,
                "note": "No free port in the building",
            }
        )

    def setUp(self):
        super().setUp()
        self.agent_env = self.env(user=self.front_office)

    def _as_agent(self, request_type, service, **values):
        return self._new_request(request_type, service, env=self.agent_env, **values)

    def _events(self, request):
        events = self.env["telecom.event"].search(
            [("request_id", "=", request.id)], order="id"
        )
        return events.mapped("event_type")

    def _timeline(self, partner, request):
        return self.env["telecom.interaction"].search(
            [("partner_id", "=", partner.id), ("request_id", "=", request.id)]
        )

    def _fixed_line(self, address="North City, Old st 1"):
        activation = self.env["telecom.request"].create(
            {
                "request_type": "activation",
                "partner_id": self.holder.id,
                "account_id": self.account.id,
                "new_service_type": "broadband",
                "tariff_id": self.tariff_home.id,
                "installation_address": address,
                "access_technology": "adsl",
            }
        )
        activation.action_submit()
        return activation.service_id

    # ------------------------------------------------------------------
    # change of owner
    # ------------------------------------------------------------------
    def _owner_change(self, service, **values):
        return self._as_agent(
            "owner_change",
            service,
            **{
                "new_partner_id": self.new_owner.id,
                "identity_verified": True,
                "new_owner_identity_verified": True,
                "owner_consent": True,
                **values,
            },
        )

    def test_owner_change_front_office_submits_supervisor_approves(self):
        service = self._activate_line(self.account)
        request = self._owner_change(service)
        request.action_submit()
        self.assertEqual(request.state, "submitted", "waits for a supervisor")
        with self.assertRaisesRegex(UserError, "supervisor"):
            request.action_complete()
        request.with_user(self.supervisor).action_complete()
        self.assertEqual(request.state, "done")
        self.assertEqual(service.partner_id, self.new_owner)
        new_account = service.account_id
        self.assertNotEqual(new_account, self.account)
        self.assertEqual(new_account.partner_id, self.new_owner)
        self.assertEqual(new_account.company_id, self.account.company_id)
        self.assertEqual(request.previous_account_id, self.account)
        self.assertEqual(request.new_account_id, new_account)
        self.assertEqual(self.account.partner_id, self.holder, "the old account stays")
        # one event per move; history on both cards
        self.assertEqual(self._events(request), ["request.submitted", "request.done"])
        self.assertEqual(len(self._timeline(self.holder, request)), 2)
        taken_over = self._timeline(self.new_owner, request)
        self.assertEqual(len(taken_over), 1)
        self.assertIn("Old Holder", taken_over.summary)
        done = self.env["telecom.event"].search(
            [("request_id", "=", request.id), ("event_type", "=", "request.done")]
        )
        self.assertEqual(done.payload["new_account"], new_account.name)
        self.assertEqual(done.payload["scope"], "service")

    def test_owner_change_of_the_whole_account(self):
        service = self._activate_line(self.account)
        request = self._owner_change(service, owner_change_scope="account")
        request.action_submit()
        request.with_user(self.supervisor).action_complete()
        self.assertEqual(service.account_id, self.account)
        self.assertEqual(self.account.partner_id, self.new_owner)
        self.assertEqual(self.account.payer_id, self.new_owner)
        self.assertEqual(service.partner_id, self.new_owner)

    def test_owner_change_into_an_existing_account_of_the_new_owner(self):
        service = self._activate_line(self.account)
        request = self._owner_change(service, new_account_id=self.new_owner_account.id)
        request.action_submit()
        request.with_user(self.supervisor).action_complete()
        self.assertEqual(service.account_id, self.new_owner_account)

    def test_owner_change_refused_while_a_debt_is_unpaid(self):
        service = self._activate_line(self.account)
        Usage = self.env["telecom.usage.monthly"]
        Usage._upsert_monthly(
            [{"service_id": service.id, "month": "2026-10-01", "debt_amount": 150}],
            "import",
        )
        request = self._owner_change(service)
        with self.assertRaisesRegex(UserError, "debt of 150"):
            request.action_submit()
        self.assertEqual(request.state, "draft")
        self.assertFalse(self._events(request))
        # the next month is paid: the debt is settled
        Usage._upsert_monthly(
            [{"service_id": service.id, "month": "2026-11-01", "debt_amount": 0}],
            "import",
        )
        request.action_submit()
        self.assertEqual(request.state, "submitted")

    def test_owner_change_needs_consent_identities_and_another_owner(self):
        service = self._activate_line(self.account)
        request = self._owner_change(service, owner_consent=False)
        with self.assertRaisesRegex(UserError, "consent"):
            request.action_submit()
        request.write({"owner_consent": True, "new_owner_identity_verified": False})
        with self.assertRaisesRegex(UserError, "identity documents"):
            request.action_submit()
        request.write(
            {"new_owner_identity_verified": True, "new_partner_id": self.holder.id}
        )
        with self.assertRaisesRegex(UserError, "another subscriber"):
            request.action_submit()

    def test_owner_change_refused_while_another_request_is_open(self):
        self.company.telecom_auto_complete = False
        service = self._activate_line(self.account)
        service.request_ids.action_complete()
        block = self._as_agent("block", service, block_reason="lost_sim")
        block.action_submit()
        with self.assertRaisesRegex(UserError, "open requests"):
            self._owner_change(service).action_submit()

    # ------------------------------------------------------------------
    # number change
    # ------------------------------------------------------------------
    def test_number_change_typed_number(self):
        service = self._activate_line(self.account)
        old_msisdn = service.msisdn
        request = self._as_agent("number_change", service, msisdn="8 916 444-00-01")
        request.action_submit()
        self.assertEqual(request.state, "done")
        self.assertEqual(service.msisdn, "+79164440001")
        self.assertEqual(request.previous_msisdn, old_msisdn)
        self.assertEqual(self._events(request), ["request.submitted", "request.done"])
        self.assertEqual(service.name, "+79164440001")

    def test_number_change_refuses_missing_taken_and_bad_numbers(self):
        service = self._activate_line(self.account)
        other = self._activate_line(self.account)
        request = self._as_agent("number_change", service)
        # the guard itself: submitting picks a number when an inventory is installed
        with self.assertRaisesRegex(UserError, "Type the new number"):
            request._check_new_number()
        request.msisdn = other.msisdn
        with self.assertRaisesRegex(UserError, "already used"):
            request.action_submit()
        with self.assertRaises(ValidationError):
            request.msisdn = "12"
        fixed = self._fixed_line()
        with self.assertRaisesRegex(UserError, "Only a mobile line"):
            self._as_agent(
                "number_change", fixed, msisdn=make_msisdn(444002)
            ).action_submit()

    # ------------------------------------------------------------------
    # relocation
    # ------------------------------------------------------------------
    def test_relocation_feasible_is_scheduled_then_moves_the_service(self):
        with freeze_time("2026-03-10 09:00:00"):
            service = self._fixed_line()
            request = self._as_agent(
                "relocation", service, relocation_address="north city, lenina st 5"
            )
            request.action_check_feasibility()
            self.assertEqual(request.feasibility_state, "feasible")
            request.action_submit()
            self.assertEqual(request.state, "scheduled")
            self.assertEqual(request.effective_date, date(2026, 3, 13))
            self.assertEqual(request.relocation_technology, "ftth")
            self.assertEqual(request.previous_address, "North City, Old st 1")
        with freeze_time("2026-03-13 09:00:00"):
            self.env["telecom.request"]._cron_complete_due_requests()
        self.assertEqual(request.state, "done")
        self.assertRecordValues(
            service,
            [
                {
                    "installation_address": "north city, lenina st 5",
                    "access_technology": "ftth",
                    "region_id": self.zone_north_city.id,
                }
            ],
        )
        self.assertEqual(
            self._events(request),
            ["request.submitted", "request.scheduled", "request.done"],
        )

    def test_relocation_keeps_a_later_installation_date(self):
        with freeze_time("2026-03-10 09:00:00"):
            service = self._fixed_line()
            request = self._as_agent(
                "relocation",
                service,
                relocation_address="North City, Lenina st 7",
                effective_date="2026-03-20",
            )
            request.action_submit()
        self.assertEqual(request.effective_date, date(2026, 3, 20))
        self.assertEqual(request.state, "scheduled")

    def test_relocation_not_feasible_is_rejected_with_its_reason(self):
        service = self._fixed_line()
        request = self._as_agent(
            "relocation", service, relocation_address="South Town, Main st 1"
        )
        request.action_submit()
        self.assertEqual(request.state, "rejected")
        self.assertIn("No coverage at South Town", request.rejection_reason)
        self.assertEqual(service.installation_address, "North City, Old st 1")
        self.assertEqual(
            self._events(request), ["request.submitted", "request.rejected"]
        )
        building = self._as_agent(
            "relocation", service, relocation_address="North City, Lenina st 99"
        )
        building.action_submit()
        self.assertEqual(building.state, "rejected")
        self.assertEqual(building.rejection_reason, "No free port in the building")

    def test_relocation_refuses_mobile_lines_and_same_address(self):
        with self.assertRaisesRegex(UserError, "Only a fixed service"):
            self._as_agent(
                "relocation",
                self._activate_line(self.account),
                relocation_address="North City, Lenina st 5",
            ).action_submit()
        service = self._fixed_line()
        with self.assertRaisesRegex(UserError, "already installed"):
            self._as_agent(
                "relocation", service, relocation_address="North City, Old st 1"
            ).action_submit()

    def test_coverage_is_kept_by_supervisors(self):
        Area = self.env["telecom.coverage.area"]
        with self.assertRaises(AccessError):
            Area.with_user(self.front_office).create(
                {"address_prefix": "X", "region_id": self.zone_north.id}
            )
        self.assertEqual(
            Area.with_user(self.front_office).search_count([]), 2, "own zone only"
        )
        self.assertFalse(Area.with_user(self.front_office_south).search([]))
        Area.with_user(self.supervisor).create(
            {
                "address_prefix": "North City, Pushkina st",
                "region_id": self.zone_north.id,
            }
        )

    # ------------------------------------------------------------------
    # contract renewal
    # ------------------------------------------------------------------
    def test_renewal_extends_the_commitment_and_changes_the_tariff(self):
        service = self._activate_line(self.account)
        service.commitment_end_date = self._today() + timedelta(days=10)
        request = self._as_agent(
            "renewal",
            service,
            renewal_months=12,
            tariff_id=self.tariff_unlimited.id,
            remove_incompatible_options=True,
        )
        expected_end = service.commitment_end_date + relativedelta(months=12)
        self.assertEqual(request.new_commitment_end_date, expected_end)
        request.action_submit()
        self.assertEqual(request.state, "done")
        self.assertEqual(service.commitment_end_date, expected_end)
        self.assertEqual(service.tariff_id, self.tariff_unlimited)
        self.assertEqual(request.previous_tariff_id, self.tariff_basic)
        self.assertEqual(self._events(request), ["request.submitted", "request.done"])

    def test_renewal_refuses_an_end_that_does_not_extend(self):
        service = self._activate_line(self.account)
        request = self._as_agent(
            "renewal", service, new_commitment_end_date="2020-01-01"
        )
        with self.assertRaisesRegex(UserError, "must come after"):
            request.action_submit()

    def test_renewal_from_retention_saves_the_termination(self):
        service = self._activate_line(self.account)
        termination = self._new_request(
            "termination",
            service,
            env=self.env(user=self.retention_agent),
            termination_reason="price",
        )
        termination.action_submit()
        self.assertEqual(termination.state, "submitted")
        action = termination.with_user(self.retention_agent).action_offer_renewal()
        context = action["context"]
        self.assertEqual(context["default_request_type"], "renewal")
        self.assertEqual(context["default_retained_termination_id"], termination.id)
        renewal = (
            self.env["telecom.request"]
            .with_user(self.retention_agent)
            .create(
                {
                    "request_type": "renewal",
                    "partner_id": self.holder.id,
                    "service_id": service.id,
                    "retained_termination_id": termination.id,
                    "renewal_months": 24,
                }
            )
        )
        renewal.action_submit()
        self.assertEqual(renewal.state, "done")
        self.assertEqual(termination.state, "cancelled")
        self.assertEqual(termination.retention_outcome, "retained")
        self.assertEqual(service.state, "active")

    # ------------------------------------------------------------------
    # zones
    # ------------------------------------------------------------------
    def test_agent_of_another_zone_cannot_start_them(self):
        service = self._activate_line(self.account)
        for request_type in ("owner_change", "number_change", "relocation", "renewal"):
            with self.assertRaises(AccessError):
                self._new_request(
                    request_type, service, env=self.env(user=self.front_office_south)
                )
