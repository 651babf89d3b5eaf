from odoo.tests import HttpCase, new_test_user, tagged

from .common import GROUP, make_iccid


@tagged("post_install", "-at_install")
class TestSubscriberTour(HttpCase):
    """Headless Chromium: a front-office agent changes a tariff from the card."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.telecom_auto_complete = True
        zone = cls.env["telecom.region"].create({"name": "Tour Zone", "code": "TOUR"})
        cls.agent = new_test_user(
            cls.env,
            login="tour_front",
            # reads the identity document in clear: opening the card is journaled
            groups=f"{GROUP}front_office,{GROUP}personal_data",
            telecom_region_ids=[(6, 0, zone.ids)],
        )
        Product = cls.env["product.product"]
        tariff_values = {
            "type": "service",
            "telecom_kind": "tariff",
            "telecom_service_type": "mobile",
        }
        cls.basic = Product.create(
            {"name": "T Basic", "telecom_billing_code": "TOUR-B", **tariff_values}
        )
        cls.unlimited = Product.create(
            {"name": "T Unlimited", "telecom_billing_code": "TOUR-U", **tariff_values}
        )
        partner = cls.env["res.partner"].create(
            {
                "name": "Tour Subscriber",
                "telecom_is_subscriber": True,
                "telecom_region_id": zone.id,
            }
        )
        account = cls.env["telecom.account"].create({"partner_id": partner.id})
        activation = cls.env["telecom.request"].create(
            {
                "request_type": "activation",
                "partner_id": partner.id,
                "account_id": account.id,
                "tariff_id": cls.basic.id,
                "msisdn": "+79167770001",
                "iccid": make_iccid(777001),
            }
        )
        activation.action_submit()
        cls.service = activation.service_id

    def test_tariff_change_from_the_card(self):
        self.start_tour(
            "/odoo/action-telecom_subscriber.res_partner_action_telecom_subscriber",
            "telecom_subscriber_tariff_change",
            login="tour_front",
        )
        self.assertEqual(self.service.tariff_id, self.unlimited)
        change = self.service.request_ids.filtered(
            lambda r: r.request_type == "tariff_change"
        )
        self.assertEqual((change.state, change.user_id), ("done", self.agent))
        self.assertEqual(change.previous_tariff_id, self.basic)
        card_views = self.env["telecom.audit.log"].search(
            [("user_id", "=", self.agent.id), ("operation", "=", "view")]
        )
        self.assertTrue(card_views, "opening the card journals the personal data shown")


@tagged("post_install", "-at_install")
class TestPortalTour(HttpCase):
    """Headless Chromium at phone width: a portal subscriber changes their tariff."""

    browser_size = "375x740"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.telecom_auto_complete = True
        zone = cls.env["telecom.region"].create(
            {"name": "Portal Zone", "code": "PTOUR"}
        )
        Product = cls.env["product.product"]
        tariff_values = {
            "type": "service",
            "telecom_kind": "tariff",
            "telecom_service_type": "mobile",
        }
        cls.basic = Product.create(
            {
                "name": "P Basic",
                "telecom_billing_code": "PTOUR-B",
                "telecom_monthly_fee": 300,
                **tariff_values,
            }
        )
        cls.unlimited = Product.create(
            {
                "name": "P Unlimited",
                "telecom_billing_code": "PTOUR-U",
                "telecom_monthly_fee": 900,
                **tariff_values,
            }
        )
        partner = cls.env["res.partner"].create(
            {
                "name": "Portal Tour Subscriber",
                "email": "portal.tour@example.com",
                "telecom_is_subscriber": True,
                "telecom_region_id": zone.id,
            }
        )
        account = cls.env["telecom.account"].create({"partner_id": partner.id})
        activation = cls.env["telecom.request"].create(
            {
                "request_type": "activation",
                "partner_id": partner.id,
                "account_id": account.id,
                "tariff_id": cls.basic.id,
                "msisdn": "+79167770011",
                "iccid": make_iccid(777011),
            }
        )
        activation.action_submit()
        cls.service = activation.service_id
        new_test_user(
            cls.env,
            login="tour_portal",
            groups="base.group_portal",
            partner_id=partner.id,
        )

    def test_subscriber_changes_tariff_and_sees_the_request(self):
        self.start_tour("/my", "telecom_portal_tariff_change", login="tour_portal")
        change = self.service.request_ids.filtered(
            lambda r: r.request_type == "tariff_change"
        )
        self.assertRecordValues(
            change,
            [{"state": "done", "channel": "portal", "tariff_id": self.unlimited.id}],
        )
        self.assertEqual(self.service.tariff_id, self.unlimited)
