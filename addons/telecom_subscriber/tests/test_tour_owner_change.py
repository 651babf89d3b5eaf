from odoo.tests import HttpCase, new_test_user, tagged

from .common import GROUP, make_iccid


@tagged("post_install", "-at_install")
class TestOwnerChangeTour(HttpCase):
    """Headless Chromium: a front-office agent starts a change of owner from the
    holder's card; a supervisor approves it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.telecom_auto_complete = True
        zone = cls.env["telecom.region"].create({"name": "OC Zone", "code": "OCTOUR"})
        zones = [(6, 0, zone.ids)]
        new_test_user(
            cls.env,
            login="tour_owner_front",
            groups=GROUP + "front_office",
            telecom_region_ids=zones,
        )
        cls.supervisor = new_test_user(
            cls.env,
            login="tour_owner_supervisor",
            groups=GROUP + "supervisor",
            telecom_region_ids=zones,
        )
        tariff = cls.env["product.product"].create(
            {
                "name": "OC Basic",
                "type": "service",
                "telecom_kind": "tariff",
                "telecom_service_type": "mobile",
                "telecom_billing_code": "OCTOUR-B",
            }
        )
        Partner = cls.env["res.partner"]
        subscriber = {"telecom_is_subscriber": True, "telecom_region_id": zone.id}
        cls.holder = Partner.create({"name": "Tour Old Holder", **subscriber})
        cls.new_owner = Partner.create({"name": "Tour New Owner", **subscriber})
        account = cls.env["telecom.account"].create({"partner_id": cls.holder.id})
        activation = cls.env["telecom.request"].create(
            {
                "request_type": "activation",
                "partner_id": cls.holder.id,
                "account_id": account.id,
                "tariff_id": tariff.id,
                "msisdn": "+79167770101",
                "iccid": make_iccid(777101),
            }
        )
        activation.action_submit()
        cls.service = activation.service_id

    def test_owner_change_from_the_card(self):
        self.start_tour(
            "/odoo/action-telecom_subscriber.res_partner_action_telecom_subscriber/"
            f"{self.holder.id}",
            "telecom_subscriber_owner_change",
            login="tour_owner_front",
        )
        request = self.service.request_ids.filtered(
            lambda r: r.request_type == "owner_change"
        )
        self.assertRecordValues(
            request,
            [
                {
                    "state": "submitted",
                    "new_partner_id": self.new_owner.id,
                    "owner_consent": True,
                    "identity_verified": True,
                    "new_owner_identity_verified": True,
                }
            ],
        )
        request.with_user(self.supervisor).action_complete()
        self.assertEqual(self.service.partner_id, self.new_owner)
