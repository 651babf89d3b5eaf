"""Retention of personal data after the contract ends (152-FZ art. 5 p. 7).

Property-based: hypothesis generates subscribers with random services (active,
or terminated on a random day) and random periods per data category; the run
must anonymise or delete exactly what an independent evaluation in Python says
is due, the dry run must report the same and change nothing, and what the law
keeps (communication records within their period) must survive. The number of
examples follows ``TELECOM_TEST_PROFILE``.
"""

import os
from datetime import date, timedelta

from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import GROUP
from .common_retention import (
    DECLARED_CATEGORIES,
    REFERENCE_DATE,
    RetentionCommon,
)

PROFILE = os.environ.get("TELECOM_TEST_PROFILE", "full")
EXAMPLES = 10 if PROFILE == "ci" else 40

# a termination day within eight years before the reference day, or active
SERVICE_ENDS = st.one_of(
    st.none(),
    st.integers(0, 8 * 366).map(lambda days: REFERENCE_DATE - timedelta(days=days)),
)
SUBSCRIBERS = st.lists(st.lists(SERVICE_ENDS, min_size=1, max_size=3), max_size=6)


@st.composite
def periods(draw):
    """``{category: (years, action)}``, within the legal minimums."""
    result = {}
    for category in DECLARED_CATEGORIES:
        minimum = 3 if category == "communication" else 0
        years = draw(st.integers(minimum, 6))
        actions = ["anonymise", "keep"]
        if category == "interaction":
            actions.append("delete")
        result[category] = (years, draw(st.sampled_from(actions)))
    return result


@tagged("post_install", "-at_install")
class TestRetentionProperty(RetentionCommon):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=PROFILE == "ci",
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(subscribers=SUBSCRIBERS, policy_periods=periods())
    def test_run_processes_exactly_what_is_due(self, subscribers, policy_periods):
        with self._rolled_back():
            self._check_run(subscribers, policy_periods)

    def _check_run(self, subscribers, policy_periods):
        self._set_policies(policy_periods)
        partners = [self._create_ended_subscriber(services) for services in subscribers]
        expected = {
            (partner.id, category)
            for partner, services in zip(partners, subscribers, strict=True)
            for category in self._expected_due(services, policy_periods)
        }
        Run = self.env["telecom.retention.run"]
        before = self._snapshot(self.env["res.partner"].concat(*partners))

        # the dry run reports the set and changes nothing
        plan = Run._retention_plan(REFERENCE_DATE)
        planned = {
            (partner_id, category)
            for (category, _action, _model), (partner_ids, _count) in plan.items()
            for partner_id in partner_ids
        }
        self.assertEqual(planned, expected)
        self.assertEqual(
            self._snapshot(self.env["res.partner"].concat(*partners)), before
        )

        # the run, in small batches, processes that set and nothing else
        run = Run._apply_retention(REFERENCE_DATE, batch_size=2)
        self.assertEqual(run.state, "done")
        self.assertEqual(
            {(log.partner_id.id, log.category) for log in run.log_ids}, expected
        )
        after = self._snapshot(self.env["res.partner"].concat(*partners))
        for partner in partners:
            due = {
                category
                for partner_id, category in expected
                if partner_id == partner.id
            }
            self._check_subscriber(
                before[partner.id], after[partner.id], due, policy_periods
            )

        # nothing is due twice
        self.assertFalse(Run._due_rows(REFERENCE_DATE))

    def _check_subscriber(self, before, after, due, policy_periods):
        label = "Anonymised"
        checks = {
            "identity": [("name", label), ("birthdate", False)],
            "document": [("document", False)],
            "contact": [("email", False), ("phone", False)],
            "address": [("street", False)],
        }
        for category, values in checks.items():
            for key, anonymised in values:
                self.assertEqual(
                    after[key],
                    anonymised if category in due else before[key],
                    f"{key} ({category}, due: {sorted(due)})",
                )
        # communication records: the numbers are cleared once due, else kept
        self.assertEqual(
            after["msisdn"],
            (False,) * len(before["msisdn"])
            if "communication" in due
            else before["msisdn"],
        )
        self.assertEqual(
            after["addresses"],
            (False,) * len(before["addresses"])
            if "address" in due
            else before["addresses"],
        )
        action = policy_periods["interaction"][1]
        if "interaction" not in due:
            self.assertEqual(after["summaries"], before["summaries"])
        elif action == "delete":
            self.assertEqual(after["summaries"], ())
        else:
            self.assertEqual(after["summaries"], (label,) * len(before["summaries"]))


@tagged("post_install", "-at_install")
class TestRetention(RetentionCommon):
    def test_legal_minimum_cannot_be_shortened(self):
        with self.assertRaises(ValidationError):
            self.policies["communication"].years = 2
        self.assertEqual(self.policies["communication"].legal_minimum_years, 3)

    def test_communication_records_survive_their_legal_period(self):
        """Identity data goes after one year; the numbers of the lines stay
        until the three years the law requires have passed."""
        self._set_policies(
            {"identity": (1, "anonymise"), "communication": (3, "anonymise")}
        )
        partner = self._create_ended_subscriber([REFERENCE_DATE - timedelta(days=800)])
        numbers = partner.telecom_service_ids.mapped("msisdn")
        self.env["telecom.retention.run"]._apply_retention(REFERENCE_DATE)
        self.assertEqual(partner.name, "Anonymised")
        self.assertEqual(partner.telecom_service_ids.mapped("msisdn"), numbers)
        self.assertTrue(all(numbers))

    def test_active_subscriber_is_never_processed(self):
        self._set_policies({"identity": (0, "anonymise")})
        partner = self._create_ended_subscriber(
            [REFERENCE_DATE - timedelta(days=4000), None]
        )
        name = partner.name
        self.env["telecom.retention.run"]._apply_retention(REFERENCE_DATE)
        self.assertEqual(partner.name, name)

    def test_run_is_journaled(self):
        self._set_policies({"identity": (1, "anonymise")})
        partner = self._create_ended_subscriber([REFERENCE_DATE - timedelta(days=800)])
        run = self.env["telecom.retention.run"]._apply_retention(REFERENCE_DATE)
        line = run.line_ids.filtered(
            lambda line: line.category == "identity" and line.model == "res.partner"
        )
        self.assertEqual(line.subscriber_count, 1)
        self.assertEqual(line.record_count, 1)
        audit = self.env["telecom.audit.log"].search(
            [("partner_id", "=", partner.id), ("operation", "=", "anonymise")]
        )
        self.assertTrue(audit)
        self.assertIn("res.partner.name", audit[0].field_names)

    def test_cron_works_in_batches(self):
        self._set_policies({"identity": (1, "anonymise")})
        partners = [
            self._create_ended_subscriber([REFERENCE_DATE - timedelta(days=800)])
            for __ in range(3)
        ]
        Run = self.env["telecom.retention.run"]
        with freeze_time(REFERENCE_DATE):
            run = Run._cron_apply_retention(batch_size=2)
            self.assertEqual(run.state, "running")
            self.assertEqual(run.subscriber_count, 2)
            self.assertEqual(Run._cron_apply_retention(batch_size=2), run)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.subscriber_count, 3)
        self.assertEqual({partner.name for partner in partners}, {"Anonymised"})

    def test_dry_run_wizard_as_supervisor(self):
        self._set_policies({"identity": (1, "anonymise")})
        partner = self._create_ended_subscriber([REFERENCE_DATE - timedelta(days=800)])
        name = partner.name
        preview = (
            self.env["telecom.retention.preview"]
            .with_user(self.supervisor)
            .create({"reference_date": REFERENCE_DATE})
        )
        preview.action_preview()
        line = preview.line_ids.filtered(
            lambda line: line.category == "identity" and line.model == "res.partner"
        )
        self.assertEqual(line.subscriber_count, 1)
        self.assertEqual(preview.subscriber_count, 1)
        self.assertEqual(partner.name, name)
        # a supervisor previews; only an administrator applies
        with self.assertRaises(AccessError):
            preview.action_apply()

    def test_administrator_applies_today(self):
        self._set_policies({"identity": (1, "anonymise")})
        partner = self._create_ended_subscriber([REFERENCE_DATE - timedelta(days=800)])
        with freeze_time(REFERENCE_DATE):
            preview = (
                self.env["telecom.retention.preview"].with_user(self.manager).create({})
            )
            preview.action_preview()
            action = preview.action_apply()
        run = self.env["telecom.retention.run"].browse(action["res_id"])
        self.assertEqual(run.trigger, "manual")
        self.assertEqual(partner.name, "Anonymised")

    def test_front_office_cannot_preview_or_run(self):
        with self.assertRaises(AccessError):
            self.env["telecom.retention.preview"].with_user(self.front_office).create(
                {}
            )
        with self.assertRaises(AccessError):
            self.env["telecom.retention.run"].with_user(self.front_office).search([])
        with self.assertRaises(AccessError):
            self.env["telecom.retention.policy"].with_user(self.front_office).search([])
        with self.assertRaises(AccessError):
            self.policies["identity"].with_user(self.supervisor).years = 10


@tagged("post_install", "-at_install")
class TestRetentionTour(HttpCase):
    """Headless Chromium: a supervisor reads the register and its export."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        zone = cls.env["telecom.region"].create({"name": "Tour Zone", "code": "TRET"})
        new_test_user(
            cls.env,
            login="tour_compliance",
            groups=GROUP + "supervisor",
            telecom_region_ids=[(6, 0, zone.ids)],
        )
        partner = cls.env["res.partner"].create(
            {
                "name": "Tour Former Subscriber",
                "telecom_is_subscriber": True,
                "telecom_region_id": zone.id,
            }
        )
        account = cls.env["telecom.account"].create({"partner_id": partner.id})
        tariff = cls.env["product.product"].create(
            {
                "name": "T Tour",
                "type": "service",
                "telecom_kind": "tariff",
                "telecom_service_type": "broadband",
                "telecom_billing_code": "TOUR-RET",
            }
        )
        cls.env["telecom.service"].create(
            {
                "account_id": account.id,
                "service_type": "broadband",
                "tariff_id": tariff.id,
                "installation_address": "Mira 1",
                "state": "terminated",
                "termination_date": date(2001, 1, 1),
            }
        )
        cls.partner = partner

    def test_register_and_export(self):
        self.start_tour(
            "/odoo/action-telecom_subscriber.telecom_personal_data_register_action",
            "telecom_retention_register",
            login="tour_compliance",
        )
        self.assertEqual(self.partner.name, "Tour Former Subscriber")
