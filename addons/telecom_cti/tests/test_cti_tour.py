from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.telecom_subscriber.tests.common import GROUP


@tagged("post_install", "-at_install")
class TestCtiTour(HttpCase):
    """Headless Chromium: an incoming call pops the caller's card in the
    agent's browser and the agent registers a claim from it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        zone = cls.env["telecom.region"].create({"name": "Tour Zone", "code": "TOUR"})
        integration = new_test_user(
            cls.env, login="tour_cti_integration", groups=GROUP + "integration"
        )
        pbx = cls.env["telecom.pbx"].create(
            {
                "name": "Tour Exchange",
                "code": "TOUR",
                "ami_username": "telecom",
                "api_token": "tour-cti-token",
                "user_id": integration.id,
            }
        )
        cls.agent = new_test_user(
            cls.env,
            login="tour_cti_front",
            groups=GROUP + "front_office",
            telecom_region_ids=[(6, 0, zone.ids)],
            telecom_cti_extension="777",
            telecom_cti_pbx_id=pbx.id,
        )
        cls.env["telecom.cti.queue"].create(
            {
                "name": "tour-support",
                "pbx_id": pbx.id,
                "member_ids": [(4, cls.agent.id)],
            }
        )
        cls.caller = cls.env["res.partner"].create(
            {
                "name": "Tour Caller",
                "telecom_is_subscriber": True,
                "telecom_region_id": zone.id,
                "phone": "+79165557701",
            }
        )

    def test_screen_pop_and_claim_from_the_card(self):
        self.start_tour("/odoo", "telecom_cti_screen_pop", login="tour_cti_front")
        claim = self.env["telecom.request"].search(
            [("partner_id", "=", self.caller.id), ("request_type", "=", "claim")]
        )
        self.assertEqual(len(claim), 1)
        self.assertEqual(claim.claim_category, "quality")
        self.assertEqual(claim.user_id, self.agent)
        call = self.env["telecom.cti.call"].search([("linkedid", "=", "1765000000.77")])
        self.assertEqual(
            (call.partner_id, call.notified_user_ids), (self.caller, self.agent)
        )
