from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from ..adapters.base import CallTimeout, ProtocolError, TransportError
from .common import BssCommon

ACCOUNT = {
    "account": "LS1",
    "balance": 123.45,
    "currency": "RUB",
    "credit_limit": 500.0,
    "debt": 0.0,
    "restrictions": ["outgoing_calls"],
    "status": "active",
    "services": [
        {
            "msisdn": "+79160000001",
            "tariff_code": "T-TAR-BASIC",
            "option_codes": ["T-OPT-ROAM"],
            "status": "active",
        }
    ],
}
CHARGES = [
    {
        "date": "2026-11-01T10:00:00+03:00",
        "amount": 300.0,
        "description": "Monthly fee",
        "msisdn": "+79160000001",
    }
]
USAGE = [
    {
        "start": "2026-11-02T09:00:00Z",
        "type": "voice",
        "msisdn": "+79160000001",
        "quantity": 120,
        "unit": "s",
        "amount": 0,
        "peer": "+79990000000",
    }
]


@tagged("post_install", "-at_install")
class TestSnapshot(BssCommon):
    """The read path: the card shows billing live, or the last known values."""

    def _refresh_ok(self, partner=None, user=None):
        partner = (partner or self.partner).with_user(user or self.front_office)
        with (
            self.patch_adapter("get_account", return_value=ACCOUNT),
            self.patch_adapter("get_charges", return_value=CHARGES),
            self.patch_adapter("get_usage", return_value=USAGE),
        ):
            return partner.action_telecom_refresh_billing()

    def test_refresh_fills_the_card(self):
        self.assertTrue(self.partner.with_user(self.front_office).telecom_billing_stale)
        self.assertEqual(self._refresh_ok(), {"refreshed": 1, "accounts": 1})
        partner = self.partner.with_user(self.front_office)
        snapshot = partner.telecom_billing_snapshot_ids
        self.assertEqual(snapshot.balance, 123.45)
        self.assertEqual(snapshot.credit_limit, 500.0)
        self.assertEqual(snapshot.restrictions_display, "outgoing_calls")
        self.assertEqual(snapshot.charges[0]["date"], "2026-11-01 07:00:00")
        self.assertEqual(snapshot.usage[0]["type"], "voice")
        self.assertIn("Monthly fee", snapshot.charges_html)
        self.assertIn("+79990000000", snapshot.usage_html)
        self.assertFalse(snapshot.is_stale)
        self.assertEqual(snapshot.age_label, "As of just now")
        self.assertFalse(partner.telecom_billing_stale)

    def test_billing_down_keeps_the_last_values_marked_stale(self):
        self._refresh_ok()
        snapshot = self.partner.telecom_billing_snapshot_ids
        snapshot.fetched_at = fields.Datetime.now() - timedelta(minutes=12)
        for error in (
            TransportError("billing error HTTP 503"),
            CallTimeout("no answer within 2 s"),
            ProtocolError("malformed JSON answer"),
        ):
            with self.patch_adapter("get_account", side_effect=error):
                result = self.partner.with_user(
                    self.front_office
                ).action_telecom_refresh_billing()
            self.assertEqual(result, {"refreshed": 0, "accounts": 1})
            self.assertEqual(snapshot.balance, 123.45)  # the last known value
            self.assertTrue(snapshot.is_stale)
            self.assertIn("Billing unavailable, showing data from", snapshot.age_label)
            self.assertIn("12 min ago", snapshot.age_label)

    def test_snapshot_expires_after_the_cache_ttl(self):
        self._refresh_ok()
        snapshot = self.partner.telecom_billing_snapshot_ids
        self.backend.cache_ttl = 60
        snapshot.fetched_at = fields.Datetime.now() - timedelta(seconds=59)
        self.assertFalse(snapshot.is_stale)
        snapshot.fetched_at = fields.Datetime.now() - timedelta(seconds=61)
        self.assertTrue(snapshot.is_stale)
        self.assertEqual(snapshot.age_label, "As of 1 min ago")

    def test_live_refresh_uses_the_interactive_timeout(self):
        self.backend.write({"live_timeout": 1.5, "read_timeout": 30})
        configs = []

        def capture(adapter, *args, **kwargs):
            configs.append(adapter.config)
            return ACCOUNT

        with (
            self.patch_adapter("get_account", side_effect=capture),
            self.patch_adapter("get_charges", return_value=[]),
            self.patch_adapter("get_usage", return_value=[]),
        ):
            self.partner.action_telecom_refresh_billing()
        self.assertEqual(configs[0]["read_timeout"], 1.5)
        self.assertEqual(configs[0]["total_timeout"], 1.5)

    def test_opening_the_card_never_calls_billing(self):
        self._refresh_ok()
        card = self.env.ref("telecom_subscriber.res_partner_view_form_telecom_card")
        partner = self.partner.with_user(self.front_office)
        with self.patch_adapter(
            "get_account", side_effect=AssertionError("the card called billing")
        ):
            partner.get_views([(card.id, "form")])
            data = partner.web_read(
                {
                    "telecom_billing_stale": {},
                    "telecom_billing_snapshot_ids": {
                        "fields": {
                            "balance": {},
                            "debt": {},
                            "credit_limit": {},
                            "restrictions_display": {},
                            "age_label": {},
                            "is_stale": {},
                        }
                    },
                }
            )
        self.assertEqual(data[0]["telecom_billing_snapshot_ids"][0]["balance"], 123.45)

    def test_agents_see_snapshots_of_their_zones_only(self):
        self._refresh_ok()
        snapshot = self.partner.telecom_billing_snapshot_ids
        Snapshot = self.env["telecom.billing.snapshot"]
        self.assertFalse(
            Snapshot.with_user(self.front_office_south).search(
                [("id", "=", snapshot.id)]
            )
        )
        self.assertEqual(
            Snapshot.with_user(self.front_office).search([("id", "=", snapshot.id)]),
            snapshot,
        )

    def test_service_shows_what_billing_says_of_the_line(self):
        service = self._activate_without_billing()
        line = dict(ACCOUNT["services"][0], msisdn=service.msisdn, status="blocked")
        account = dict(ACCOUNT, services=[line])
        with (
            self.patch_adapter("get_account", return_value=account),
            self.patch_adapter("get_charges", return_value=[]),
            self.patch_adapter("get_usage", return_value=[]),
        ):
            service.with_user(self.front_office).action_bss_refresh_billing()
        self.assertEqual(service.bss_billing_status, "blocked")
        self.assertEqual(service.bss_billing_tariff, "T-TAR-BASIC")
        self.assertEqual(service.bss_billing_options, "T-OPT-ROAM")

    def test_billing_event_invalidates_the_snapshot(self):
        self._refresh_ok()
        snapshot = self.partner.telecom_billing_snapshot_ids
        self.assertFalse(snapshot.is_stale)
        self.env["telecom.billing.event"].with_user(self.integration_user)._api_receive(
            [
                {
                    "event_id": "EV-T-1",
                    "type": "payment_received",
                    "account": self.account.name,
                    "amount": 500.0,
                    "currency": "RUB",
                    "occurred_at": "2026-11-27T10:00:00Z",
                }
            ]
        )
        snapshot.invalidate_recordset()
        self.assertTrue(snapshot.is_stale)
