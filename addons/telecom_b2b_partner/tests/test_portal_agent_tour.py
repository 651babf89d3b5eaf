from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT


@tagged("post_install", "-at_install")
class TestAgentPortalTour(HttpCase):
    """Headless Chromium: an agent logs in to the portal, submits a lead and
    sees it in their list."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        zone = cls.env["telecom.region"].create({"name": "Tour Zone", "code": "TOURA"})
        seller = new_test_user(
            cls.env,
            login="t_tour_seller",
            groups="telecom_b2b_partner.telecom_b2b_partner_group_user",
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Tour Team",
                "user_id": seller.id,
                "telecom_region_ids": [(6, 0, zone.ids)],
            }
        )
        cls.agent = cls.env["res.partner"].create(
            {
                "name": "Tour Agent Co",
                "is_company": True,
                "telecom_region_id": zone.id,
                "telecom_b2b_agent_type": "dealer",
            }
        )
        contact = cls.env["res.partner"].create(
            {"name": "Tour Agent", "parent_id": cls.agent.id}
        )
        new_test_user(
            cls.env,
            login="t_tour_agent",
            groups="base.group_portal",
            partner_id=contact.id,
        )

    def test_agent_submits_a_lead(self):
        self.start_tour("/web/login", "telecom_b2b_agent_portal_submit_lead")
        lead = self.env["crm.lead"].search([("partner_name", "=", "Tour Prospect LLC")])
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.telecom_b2b_referrer_id, self.agent)
        self.assertEqual(lead.team_id, self.team)
        self.assertEqual(lead.telecom_inn, "7708123450")
