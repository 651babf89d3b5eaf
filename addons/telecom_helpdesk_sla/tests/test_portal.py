from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import TelecomHelpdeskCommon


@tagged("post_install", "-at_install")
class TestIncidentPortal(TelecomHelpdeskCommon, HttpCase):
    """Subscribers see the incidents of their zone on the portal, not others'."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.north, north_account = cls._create_subscriber("Portal North")
        cls._activate_line(north_account)
        cls.south, south_account = cls._create_subscriber(
            "Portal South", zone=cls.zone_south
        )
        cls._activate_line(south_account)
        for login, partner in (
            ("t_portal_north", cls.north),
            ("t_portal_south", cls.south),
        ):
            new_test_user(
                cls.env, login=login, groups="base.group_portal", partner_id=partner.id
            )
        cls.incident = cls.env["telecom.incident"].create(
            {
                "name": "T Tower down",
                "region_ids": [Command.set(cls.zone_north.ids)],
                "service_type": "mobile",
                "public_message": "Tower 17 is down, engineers are on their way.",
                "notify_email": False,
                "notify_sms": False,
            }
        )

    def test_affected_subscriber_sees_the_notice(self):
        self.authenticate("t_portal_north", "t_portal_north")
        response = self.url_open("/my")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Tower 17 is down", response.text)

    def test_other_zone_does_not_see_it(self):
        self.authenticate("t_portal_south", "t_portal_south")
        response = self.url_open("/my")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Tower 17 is down", response.text)

    def test_notice_disappears_when_resolved(self):
        self.incident.resolution = "Tower repaired."
        self.incident.action_resolve()
        self.authenticate("t_portal_north", "t_portal_north")
        self.assertNotIn("Tower 17 is down", self.url_open("/my").text)
