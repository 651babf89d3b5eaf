import re

from odoo.tests import HttpCase, new_test_user

from .common import TelecomCommon

CSRF_INPUT = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


class TelecomPortalCommon(TelecomCommon, HttpCase):
    """Two portal subscribers with their lines, and the user of one line.

    ``TelecomCommon`` brings the zones and catalog (own data, never demo data);
    ``HttpCase`` runs the pages through a real HTTP server in the same transaction.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner_partner, cls.owner_account = cls._create_subscriber(
            "Portal Owner", email="portal.owner@example.com"
        )
        cls.owner_line = cls._activate_line(cls.owner_account)
        cls.owner_activation = cls.owner_line.request_ids
        cls.owner_home = cls._activate_home(cls.owner_account)
        cls.other_partner, cls.other_account = cls._create_subscriber(
            "Portal Other", zone=cls.zone_south, email="portal.other@example.com"
        )
        cls.other_line = cls._activate_line(cls.other_account)
        cls.owner_user = new_test_user(
            cls.env,
            login="t_portal_owner",
            groups="base.group_portal",
            partner_id=cls.owner_partner.id,
        )
        cls.other_user = new_test_user(
            cls.env,
            login="t_portal_other",
            groups="base.group_portal",
            partner_id=cls.other_partner.id,
        )
        # a relative who uses the owner's mobile line, with a portal login of
        # their own: they see the line, the holder changes it
        cls.line_user_partner = cls.env["res.partner"].create(
            {"name": "Portal Line User", "email": "portal.line.user@example.com"}
        )
        cls.owner_line.user_partner_id = cls.line_user_partner
        cls.line_user = new_test_user(
            cls.env,
            login="t_portal_line_user",
            groups="base.group_portal",
            partner_id=cls.line_user_partner.id,
        )

    @classmethod
    def _activate_home(cls, account):
        request = cls.env["telecom.request"].create(
            {
                "request_type": "activation",
                "partner_id": account.partner_id.id,
                "account_id": account.id,
                "new_service_type": "broadband",
                "tariff_id": cls.tariff_home.id,
                "installation_address": "Portal Street 1, flat 2",
                "access_technology": "ftth",
            }
        )
        request.action_submit()
        return request.service_id

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _login(self, user):
        self.authenticate(user.login, user.login)

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def _csrf_token(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        match = CSRF_INPUT.search(response.text)
        self.assertTrue(match, f"no CSRF token in {url}")
        return match.group(1)

    def _block_url(self, service):
        return f"/my/services/{service.id}/block_lost_sim"

    def _assertRedirectsToMy(self, response):
        self.assertIn(response.status_code, (302, 303))
        self.assertRegex(response.headers["Location"], r"/my$")
