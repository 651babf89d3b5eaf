from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.telecom_subscriber.tests.common import GROUP

from .common import SIMULATOR_TOKEN, SimulatorProcess


@tagged("post_install", "-at_install")
class TestCardBillingTour(HttpCase):
    """Headless Chromium: the card's Billing tab refreshes live from the simulator."""

    @classmethod
    def setUpClass(cls):
        SimulatorProcess.directory()  # skips, or fails, when not configured
        super().setUpClass()
        cls.simulator = SimulatorProcess().start()
        cls.addClassCleanup(cls.simulator.stop)
        zone = cls.env["telecom.region"].create(
            {"name": "Billing Tour Zone", "code": "T-BTOUR"}
        )
        new_test_user(
            cls.env,
            login="tour_billing_front",
            groups=GROUP + "front_office",
            telecom_region_ids=[(6, 0, zone.ids)],
        )
        partner = cls.env["res.partner"].create(
            {
                "name": "Billing Tour Subscriber",
                "telecom_is_subscriber": True,
                "telecom_region_id": zone.id,
            }
        )
        cls.account = cls.env["telecom.account"].create(
            {"partner_id": partner.id, "billing_reference": "BILL-TOUR-1"}
        )
        cls.env["telecom.backend"].create(
            {
                "name": "Tour billing",
                "kind": "billing",
                "protocol": "rest",
                "url": cls.simulator.url,
                "auth_type": "token",
                "token": SIMULATOR_TOKEN,
                "company_id": False,
                "region_ids": [(6, 0, zone.ids)],
            }
        )
        cls.simulator.admin(
            "POST",
            "seed",
            {
                "accounts": [
                    {
                        "account": "BILL-TOUR-1",
                        "balance": 250.5,
                        "credit_limit": 100.0,
                        "services": [],
                        "charges": [
                            {
                                "date": "2026-11-01T00:00:00+00:00",
                                "amount": 300.0,
                                "description": "Tour monthly fee",
                            }
                        ],
                        "usage": [],
                    }
                ]
            },
        )

    def test_card_billing_tab(self):
        self.start_tour(
            "/odoo/action-telecom_subscriber.res_partner_action_telecom_subscriber",
            "telecom_bss_connector_card_billing",
            login="tour_billing_front",
        )
        snapshot = self.account.bss_snapshot_ids
        self.assertEqual(snapshot.balance, 250.5)
