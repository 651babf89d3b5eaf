"""The billing figures of a line on the subscriber portal, against the simulator."""

import time
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, MissingError
from odoo.tests import tagged

from odoo.addons.telecom_subscriber.tests.common_portal import TelecomPortalCommon

from .common import SIMULATOR_TOKEN, SimulatorProcess

OWNER_REF = "PORTAL-BILL-OWNER"
OTHER_REF = "PORTAL-BILL-OTHER"


def seeded_account(reference, balance, charge):
    return {
        "account": reference,
        "balance": balance,
        "credit_limit": 100.0,
        "services": [],
        "charges": [
            {
                "date": "2026-11-01T00:00:00+00:00",
                "amount": 300.0,
                "description": charge,
            }
        ],
        "usage": [],
    }


@tagged("post_install", "-at_install")
class TestPortalBilling(TelecomPortalCommon):
    """Balance, usage and charges on /my/services/<id>: live when billing answers,
    the last snapshot marked stale with its age when it does not, never an error."""

    @classmethod
    def setUpClass(cls):
        SimulatorProcess.directory()  # skips, or fails, when not configured
        super().setUpClass()
        cls.simulator = SimulatorProcess().start()
        cls.addClassCleanup(cls.simulator.stop)
        cls.owner_account.billing_reference = OWNER_REF
        cls.other_account.billing_reference = OTHER_REF
        cls.backend = cls.env["telecom.backend"].create(
            {
                "name": "Portal billing",
                "kind": "billing",
                "protocol": "rest",
                "url": cls.simulator.url,
                "auth_type": "token",
                "token": SIMULATOR_TOKEN,
                "company_id": False,
                "read_timeout": 3,
                "live_timeout": 1,
                "max_attempts": 1,
                "circuit_threshold": 50,
            }
        )
        cls.env["telecom.usage.monthly"]._upsert_monthly(
            [
                {
                    "service_id": cls.owner_line.id,
                    "month": fields.Date.today().replace(day=1),
                    "data_mb": 512.0,
                    "voice_minutes": 42.0,
                    "sms_count": 3,
                }
            ],
            "billing",
        )

    def setUp(self):
        super().setUp()
        self.simulator.reset()
        self.simulator.admin(
            "POST",
            "seed",
            {
                "accounts": [
                    seeded_account(OWNER_REF, 250.5, "Owner monthly fee"),
                    seeded_account(OTHER_REF, 999.25, "Other monthly fee"),
                ]
            },
        )

    def _page(self, user, service):
        self._login(user)
        return self._get(f"/my/services/{service.id}")

    def _owner_snapshot(self):
        return self.owner_account.bss_snapshot_ids

    def test_fresh_balance_when_billing_answers(self):
        response = self._page(self.owner_user, self.owner_line)
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_telecom_billing_fresh", response.text)
        self.assertNotIn("o_telecom_billing_stale", response.text)
        self.assertIn("250.50", response.text)
        self.assertIn("Owner monthly fee", response.text)
        self.assertIn("As of just now", response.text)
        # usage of the month against the tariff's allowances
        self.assertIn("o_telecom_billing_usage", response.text)
        self.assertIn("Usage this month", response.text)
        self.assertIn("42.0", response.text)
        self.assertNotIn("999.25", response.text)
        self.assertEqual(self._owner_snapshot().balance, 250.5)

    def test_stale_balance_with_its_age_when_billing_is_down(self):
        self._page(self.owner_user, self.owner_line)
        self._owner_snapshot().fetched_at = fields.Datetime.now() - timedelta(hours=2)
        self.simulator.admin(
            "POST", "seed", {"accounts": [seeded_account(OWNER_REF, 1.0, "New fee")]}
        )
        for knobs in (
            {"outage": True},
            {"outage": True, "outage_mode": "reset"},
            {"outage": False, "latency_ms": 5000},
        ):
            with self.subTest(**knobs):
                self.simulator.configure(**knobs)
                started = time.monotonic()
                response = self._page(self.owner_user, self.owner_line)
                self.assertLess(time.monotonic() - started, 5)
                self.assertEqual(response.status_code, 200)
                self.assertIn("o_telecom_billing_stale", response.text)
                self.assertIn("2 h ago", response.text)
                self.assertIn("250.50", response.text)  # the last known value
                self.assertNotIn("New fee", response.text)
        self.simulator.configure(outage=False, latency_ms=0)
        response = self._page(self.owner_user, self.owner_line)
        self.assertIn("o_telecom_billing_fresh", response.text)
        self.assertIn("New fee", response.text)

    def test_never_loaded_and_billing_down_is_not_an_error(self):
        self.simulator.configure(outage=True)
        response = self._page(self.owner_user, self.owner_line)
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_telecom_billing_unknown", response.text)
        self.assertIn("o_telecom_billing_stale", response.text)

    def test_another_subscribers_line_is_answered_as_absent(self):
        other_page = self._page(self.other_user, self.owner_line)
        self._assertRedirectsToMy(other_page)
        absent_page = self._get("/my/services/999999999")
        self._assertRedirectsToMy(absent_page)
        self.assertEqual(
            other_page.headers["Location"], absent_page.headers["Location"]
        )
        self.assertNotIn("250.50", other_page.text)
        # the model method the JSON API reads
        Service = self.env["telecom.service"].with_user(self.other_user)
        with self.assertRaises(AccessError):
            Service.browse(self.owner_line.id)._portal_billing_summary()
        with self.assertRaises(MissingError):
            Service.browse(999999999)._portal_billing_summary()
        summary = Service.browse(self.other_line.id)._portal_billing_summary()
        self.assertEqual(summary["billing"]["balance"], 999.25)
        self.assertFalse(summary["billing"]["is_stale"])

    def test_line_user_sees_usage_not_the_holders_balance(self):
        summary = (
            self.env["telecom.service"]
            .with_user(self.line_user)
            .browse(self.owner_line.id)
            ._portal_billing_summary()
        )
        self.assertIsNone(summary["billing"])
        voice = next(i for i in summary["usage"]["items"] if i["kind"] == "voice")
        self.assertEqual(voice["used"], 42.0)
        response = self._page(self.line_user, self.owner_line)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("250.50", response.text)
        self.assertIn("o_telecom_billing_usage", response.text)

    def test_no_billing_system_no_billing_card(self):
        self.backend.region_ids = self.zone_north
        summary = (
            self.env["telecom.service"]
            .with_user(self.other_user)
            .browse(self.other_line.id)
            ._portal_billing_summary()
        )
        self.assertIsNone(summary["billing"])
        self.assertFalse(self.other_account.bss_snapshot_ids)
        response = self._page(self.other_user, self.other_line)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("o_telecom_portal_billing", response.text)
        # the owner's zone is served
        response = self._page(self.owner_user, self.owner_line)
        self.assertIn("o_telecom_billing_fresh", response.text)
