"""``GET /product/{id}/balance`` of the subscriber API, against the simulator."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.telecom_subscriber.tests.common_subscriber_api import (
    SubscriberApiCommon,
)

from .common import SIMULATOR_TOKEN, SimulatorProcess
from .test_portal_billing import OTHER_REF, OWNER_REF, seeded_account


@tagged("post_install", "-at_install")
class TestSubscriberApiBalance(SubscriberApiCommon):
    """The holder reads the balance live, or stale with its age when billing is
    down (never a 5xx); the line user gets usage only; another subscriber's line
    is the same 404 as an absent one."""

    @classmethod
    def setUpClass(cls):
        SimulatorProcess.directory()  # skips, or fails, when not configured
        super().setUpClass()
        cls.simulator = SimulatorProcess().start()
        cls.addClassCleanup(cls.simulator.stop)
        cls.owner_account.billing_reference = OWNER_REF
        cls.other_account.billing_reference = OTHER_REF
        cls.env["telecom.backend"].create(
            {
                "name": "API billing",
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

    def _balance(self, line_id, key):
        return self._call("GET", f"/product/{line_id}/balance", key)

    def test_holder_reads_the_live_balance(self):
        response = self._balance(self.owner_line.id, self.owner_key)
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(body["product"]["id"], str(self.owner_line.id))
        billing = body["billing"]
        self.assertEqual(billing["balance"]["value"], 250.5)
        self.assertFalse(billing["isStale"])
        self.assertTrue(billing["fetchedAt"].endswith("Z"))
        self.assertEqual(billing["charge"][0]["description"], "Owner monthly fee")
        self.assertEqual(billing["charge"][0]["amount"]["value"], 300.0)
        self.assertEqual(
            {item["kind"] for item in body["usage"]["item"]}, {"data", "voice", "sms"}
        )
        self.assertNotIn("999.25", response.text)

    def test_billing_down_gives_the_last_balance_marked_stale(self):
        self._balance(self.owner_line.id, self.owner_key)
        self.owner_account.bss_snapshot_ids.fetched_at = (
            fields.Datetime.now() - timedelta(hours=2)
        )
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
                response = self._balance(self.owner_line.id, self.owner_key)
                self.assertEqual(response.status_code, 200, response.text)
                billing = response.json()["billing"]
                self.assertTrue(billing["isStale"])
                self.assertIn("2 h ago", billing["ageLabel"])
                self.assertEqual(billing["balance"]["value"], 250.5)
        self.simulator.configure(outage=False, latency_ms=0)
        billing = self._balance(self.owner_line.id, self.owner_key).json()["billing"]
        self.assertFalse(billing["isStale"])
        self.assertEqual(billing["balance"]["value"], 1.0)

    def test_never_loaded_and_billing_down_is_not_an_error(self):
        self.simulator.configure(outage=True)
        response = self._balance(self.owner_line.id, self.owner_key)
        self.assertEqual(response.status_code, 200, response.text)
        billing = response.json()["billing"]
        self.assertTrue(billing["isStale"])
        self.assertIsNone(billing["balance"])
        self.assertIsNone(billing["fetchedAt"])

    def test_line_user_gets_usage_not_the_holders_balance(self):
        response = self._balance(self.owner_line.id, self.line_user_key)
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertIsNone(body["billing"])
        self.assertNotIn("250.5", response.text)

    def test_another_subscribers_line_is_answered_as_absent(self):
        other = self._assertError(
            self._balance(self.owner_line.id, self.other_key), 404, "NOT_FOUND"
        )
        absent = self._assertError(
            self._balance(999999999, self.other_key), 404, "NOT_FOUND"
        )
        self.assertEqual(other, absent)
        self._assertError(self._balance("abc", self.other_key), 404, "NOT_FOUND")
        self._assertError(self._balance(self.owner_line.id, self.agent_key), 403)
        self._assertError(self._balance(self.owner_line.id, None), 401)

    def test_served_openapi_documents_the_route(self):
        document = self.url_open("/telecom/api/subscriber/v1/openapi.json").json()
        self.assertIn("/product/{id}/balance", document["paths"])
        self.assertIn("ProductBalance", document["components"]["schemas"])
