from odoo.tests import tagged

from .common_portal import TelecomPortalCommon


@tagged("post_install", "-at_install")
class TestPortalConsent(TelecomPortalCommon):
    """/my/consents: subscribers see their own consents and give or withdraw
    their marketing consents; nobody else's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Consent = cls.env["telecom.consent"]
        cls.owner_sms = Consent._give(cls.owner_partner, "marketing_sms", "shop")
        cls.owner_service = Consent._give(cls.owner_partner, "service", "contract")
        cls.other_sms = Consent._give(cls.other_partner, "marketing_sms", "call")

    def _post(self, url, data=None):
        token = self._csrf_token("/my/consents")
        return self.url_open(
            url, data={"csrf_token": token, **(data or {})}, allow_redirects=False
        )

    def test_owner_sees_own_consents_only(self):
        self._login(self.owner_user)
        response = self._get("/my/consents")
        self.assertEqual(response.status_code, 200)
        self.assertIn(f"/my/consents/{self.owner_sms.id}/withdraw", response.text)
        self.assertNotIn(f"/my/consents/{self.other_sms.id}/withdraw", response.text)
        self.assertEqual(response.text.count("o_telecom_consent_history_row"), 2)
        # the home page leads there
        self.assertIn('href="/my/consents"', self._get("/my/home").text)

    def test_owner_withdraws_and_gives(self):
        self._login(self.owner_user)
        response = self._post(f"/my/consents/{self.owner_sms.id}/withdraw")
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/my/consents?telecom_saved=1", response.headers["Location"])
        self.env.invalidate_all()
        self.assertEqual(self.owner_sms.state, "withdrawn")
        self.assertEqual(self.owner_sms.withdrawal_source, "portal")
        self.assertFalse(self.owner_partner.telecom_consent_sms)
        response = self._post("/my/consents/give", {"purpose": "marketing_email"})
        self.assertIn(response.status_code, (302, 303))
        self.env.invalidate_all()
        self.assertTrue(self.owner_partner.telecom_consent_email)

    def test_other_subscriber_cannot_withdraw(self):
        self._login(self.other_user)
        response = self._post(f"/my/consents/{self.owner_sms.id}/withdraw")
        self.assertIn(response.status_code, (302, 303))
        self.assertRegex(response.headers["Location"], r"/my/consents$")
        self.env.invalidate_all()
        self.assertEqual(self.owner_sms.state, "given")
        self.assertTrue(self.owner_partner.telecom_consent_sms)

    def test_service_consent_is_not_withdrawn_on_the_portal(self):
        self._login(self.owner_user)
        response = self._post(f"/my/consents/{self.owner_service.id}/withdraw")
        self.env.invalidate_all()
        self.assertEqual(self.owner_service.state, "given")
        self.assertIn(response.status_code, (200, 302, 303))
        response = self._post("/my/consents/give", {"purpose": "cross_border"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_telecom_consent_error", response.text)

    def test_withdraw_by_get_is_refused(self):
        self._login(self.owner_user)
        response = self._get(f"/my/consents/{self.owner_sms.id}/withdraw")
        self.assertNotEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(self.owner_sms.state, "given")

    def test_anonymous_is_sent_to_login(self):
        response = self._get("/my/consents")
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    def test_tour_withdraws_a_consent(self):
        self.start_tour("/my", "telecom_portal_consent", login=self.owner_user.login)
        self.env.invalidate_all()
        self.assertEqual(self.owner_sms.state, "withdrawn")
        self.assertTrue(self.owner_partner.telecom_consent_email)
        self.assertEqual(
            self.owner_partner.telecom_consent_ids.filtered(
                lambda consent: consent.purpose == "marketing_email"
            ).source,
            "portal",
        )
