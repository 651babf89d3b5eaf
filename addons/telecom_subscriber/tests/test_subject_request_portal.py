import json

from odoo.tests import tagged

from .common_portal import TelecomPortalCommon


@tagged("post_install", "-at_install")
class TestSubjectRequestPortal(TelecomPortalCommon):
    """The subject request pages: own requests only, files for the owner."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner_partner.telecom_document_number = "4510 777777"
        cls.other_partner.telecom_document_number = "4510 888888"
        Request = cls.env["telecom.subject.request"]
        cls.owner_request = Request.create(
            {"partner_id": cls.owner_partner.id, "request_type": "access"}
        )
        cls.owner_request.action_prepare_export()
        cls.other_request = Request.create(
            {"partner_id": cls.other_partner.id, "request_type": "access"}
        )
        cls.other_request.action_prepare_export()

    def test_owner_sees_own_requests_only(self):
        self._login(self.owner_user)
        response = self._get("/my/pd-requests")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.owner_request.name, response.text)
        self.assertNotIn(self.other_request.name, response.text)
        response = self._get(f"/my/pd-requests/{self.owner_request.id}")
        self.assertEqual(response.status_code, 200)
        self._assertRedirectsToMy(self._get(f"/my/pd-requests/{self.other_request.id}"))

    def test_owner_downloads_own_data_only(self):
        self._login(self.owner_user)
        response = self._get(f"/my/pd-requests/{self.owner_request.id}/export.json")
        self.assertEqual(response.status_code, 200)
        payload = json.loads(response.content)
        self.assertIn("4510 777777", response.text)
        self.assertNotIn("4510 888888", response.text)
        self.assertEqual(payload["subject"]["id"], self.owner_partner.id)
        self._assertRedirectsToMy(
            self._get(f"/my/pd-requests/{self.other_request.id}/export.json")
        )
        download = self.env["telecom.audit.log"].search(
            [("user_id", "=", self.owner_user.id), ("operation", "=", "export")]
        )
        self.assertEqual(download.res_id, self.owner_request.id)

    def test_anonymous_is_sent_to_login(self):
        response = self._get(f"/my/pd-requests/{self.owner_request.id}/export.json")
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    def test_form_files_a_request_and_reports_bad_input(self):
        self._login(self.owner_user)
        token = self._csrf_token("/my/pd-requests/new")
        response = self.url_open(
            "/my/pd-requests/new",
            data={
                "csrf_token": token,
                "request_type": "correction",
                "correction_field": "telecom_document_issuer",
                "correction_value": "",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_telecom_form_error", response.text)
        response = self.url_open(
            "/my/pd-requests/new",
            data={
                "csrf_token": token,
                "request_type": "correction",
                "correction_field": "telecom_document_issuer",
                "correction_value": "OVD Centre",
                # ignored: a subscriber files for themselves
                "partner_id": str(self.other_partner.id),
            },
        )
        self.assertEqual(response.status_code, 200)
        filed = self.env["telecom.subject.request"].search(
            [("request_type", "=", "correction")]
        )
        self.assertEqual(filed.partner_id, self.owner_partner)
        self.assertEqual(filed.channel, "portal")


@tagged("post_install", "-at_install")
class TestSubjectRequestPortalTour(TelecomPortalCommon):
    """Headless Chromium: a subscriber files an access request from /my."""

    def test_subscriber_files_an_access_request(self):
        self.start_tour(
            "/my", "telecom_portal_subject_request", login=self.owner_user.login
        )
        filed = self.env["telecom.subject.request"].search(
            [("partner_id", "=", self.owner_partner.id)]
        )
        self.assertRecordValues(
            filed,
            [{"request_type": "access", "channel": "portal", "state": "received"}],
        )
        self.assertTrue(filed.deadline)
