from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_portal import TelecomPortalCommon


@tagged("post_install", "-at_install")
class TestPortal(TelecomPortalCommon):
    """Subscribers see and act on their own services and requests only."""

    # ------------------------------------------------------------------
    # reading
    # ------------------------------------------------------------------
    def test_owner_sees_own_service_and_request(self):
        self._login(self.owner_user)
        response = self._get(f"/my/services/{self.owner_line.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.owner_line.msisdn, response.text)
        self.assertIn(self.tariff_basic.name, response.text)
        response = self._get(f"/my/requests/{self.owner_activation.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.owner_activation.name, response.text)

    def test_service_list_shows_own_services_only(self):
        self._login(self.owner_user)
        response = self._get("/my/services")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.owner_line.msisdn, response.text)
        self.assertIn(self.owner_home.installation_address, response.text)
        self.assertNotIn(self.other_line.msisdn, response.text)
        response = self._get("/my/services?sortby=state&filterby=live")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.owner_line.msisdn, response.text)

    def test_request_list_shows_own_requests_only(self):
        self._login(self.owner_user)
        response = self._get("/my/requests")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.owner_activation.name, response.text)
        self.assertNotIn(self.other_line.request_ids.name, response.text)

    def test_home_counters(self):
        self._login(self.owner_user)
        response = self.make_jsonrpc_request(
            "/my/counters",
            {"counters": ["telecom_service_count", "telecom_request_count"]},
        )
        self.assertEqual(response["telecom_service_count"], 2)
        self.assertEqual(response["telecom_request_count"], 2)

    def test_other_subscriber_is_redirected(self):
        self._login(self.other_user)
        for url in (
            f"/my/services/{self.owner_line.id}",
            f"/my/requests/{self.owner_activation.id}",
        ):
            response = self._get(url)
            self._assertRedirectsToMy(response)
            self.assertNotIn(self.owner_line.msisdn, response.text)

    def test_draft_request_is_not_shown_to_the_subscriber(self):
        draft = self._new_request(
            "tariff_change", self.owner_line, tariff_id=self.tariff_unlimited.id
        )
        self._login(self.owner_user)
        self._assertRedirectsToMy(self._get(f"/my/requests/{draft.id}"))

    def test_missing_record_is_redirected(self):
        self._login(self.owner_user)
        self._assertRedirectsToMy(self._get("/my/services/999999999"))

    def test_anonymous_is_sent_to_login(self):
        for url in (
            "/my/services",
            f"/my/services/{self.owner_line.id}",
            "/my/requests",
            f"/my/requests/{self.owner_activation.id}",
        ):
            response = self._get(url)
            self.assertIn(response.status_code, (302, 303))
            self.assertIn("/web/login", response.headers["Location"])

    # ------------------------------------------------------------------
    # blocking a lost SIM card
    # ------------------------------------------------------------------
    def test_owner_blocks_lost_sim(self):
        self._login(self.owner_user)
        token = self._csrf_token(f"/my/services/{self.owner_line.id}")
        response = self.url_open(
            self._block_url(self.owner_line),
            data={"csrf_token": token},
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303))
        self.env.invalidate_all()
        self.assertEqual(self.owner_line.state, "blocked")
        self.assertEqual(self.owner_line.block_reason, "lost_sim")
        block = self.owner_line.request_ids.filtered(
            lambda r: r.request_type == "block"
        )
        self.assertEqual(len(block), 1)
        self.assertRecordValues(
            block,
            [{"state": "done", "channel": "portal", "block_reason": "lost_sim"}],
        )
        self.assertIn(f"/my/requests/{block.id}", response.headers["Location"])
        timeline = self.env["telecom.interaction"].search(
            [("partner_id", "=", self.owner_partner.id), ("request_id", "=", block.id)]
        )
        self.assertIn("portal", timeline.mapped("channel"))
        # the confirmation page
        response = self._get(response.headers["Location"])
        self.assertEqual(response.status_code, 200)
        self.assertIn(block.name, response.text)
        # a blocked line offers no block button any more
        response = self._get(f"/my/services/{self.owner_line.id}")
        self.assertNotIn(self._block_url(self.owner_line), response.text)

    def test_block_waits_for_the_back_office(self):
        self.company.telecom_auto_complete = False
        self._login(self.owner_user)
        token = self._csrf_token(f"/my/services/{self.owner_line.id}")
        response = self.url_open(
            self._block_url(self.owner_line),
            data={"csrf_token": token},
            allow_redirects=False,
        )
        self.env.invalidate_all()
        block = self.owner_line.request_ids.filtered(
            lambda r: r.request_type == "block"
        )
        self.assertEqual(block.state, "submitted")
        self.assertEqual(self.owner_line.state, "active")
        response = self._get(response.headers["Location"])
        self.assertIn("will be blocked shortly", response.text)

    def test_blocking_a_blocked_line_shows_an_error(self):
        self._login(self.owner_user)
        token = self._csrf_token(f"/my/services/{self.owner_line.id}")
        self.url_open(self._block_url(self.owner_line), data={"csrf_token": token})
        response = self.url_open(
            self._block_url(self.owner_line),
            data={"csrf_token": token},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("alert-danger", response.text)
        blocks = self.owner_line.request_ids.filtered(
            lambda r: r.request_type == "block"
        )
        self.assertEqual(len(blocks), 1)

    def test_broadband_has_no_lost_sim_block(self):
        self._login(self.owner_user)
        response = self._get(f"/my/services/{self.owner_home.id}")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(self._block_url(self.owner_home), response.text)
        # the CSRF token belongs to the session: take it from the mobile line's page
        token = self._csrf_token(f"/my/services/{self.owner_line.id}")
        response = self.url_open(
            self._block_url(self.owner_home),
            data={"csrf_token": token},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("alert-danger", response.text)
        self.env.invalidate_all()
        self.assertEqual(self.owner_home.state, "active")

    def test_other_subscriber_cannot_block(self):
        self._login(self.other_user)
        token = self._csrf_token(f"/my/services/{self.other_line.id}")
        requests_before = self.env["telecom.request"].search_count([])
        response = self.url_open(
            self._block_url(self.owner_line),
            data={"csrf_token": token},
            allow_redirects=False,
        )
        self._assertRedirectsToMy(response)
        self.env.invalidate_all()
        self.assertEqual(self.owner_line.state, "active")
        self.assertFalse(self.owner_line.block_reason)
        self.assertEqual(self.env["telecom.request"].search_count([]), requests_before)

    @mute_logger("odoo.http")
    def test_block_without_csrf_token_is_refused(self):
        self._login(self.owner_user)
        response = self.url_open(
            self._block_url(self.owner_line),
            data={"telecom_confirm": "1"},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 400)
        self.env.invalidate_all()
        self.assertEqual(self.owner_line.state, "active")
        self.assertFalse(
            self.owner_line.request_ids.filtered(lambda r: r.request_type == "block")
        )

    def test_block_by_get_is_refused(self):
        self._login(self.owner_user)
        response = self._get(self._block_url(self.owner_line))
        self.assertNotEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(self.owner_line.state, "active")

    # ------------------------------------------------------------------
    # the model method, as users
    # ------------------------------------------------------------------
    def test_method_refuses_other_users_and_agents(self):
        with self.assertRaises(AccessError):
            self.owner_line.with_user(self.other_user)._portal_request_block_lost_sim()
        with self.assertRaises(AccessError):
            self.owner_line.with_user(
                self.front_office
            )._portal_request_block_lost_sim()
        # even through a sudo record the owner is checked, not the superuser
        with self.assertRaises(AccessError):
            self.owner_line.with_user(
                self.other_user
            ).sudo()._portal_request_block_lost_sim()
        self.assertEqual(self.owner_line.state, "active")

    def test_method_as_owner(self):
        block = self.owner_line.with_user(
            self.owner_user
        )._portal_request_block_lost_sim()
        self.assertEqual(block.env.uid, self.owner_user.id)
        self.assertFalse(block.env.su)
        self.assertEqual(block.state, "done")
        self.assertEqual(self.owner_line.state, "blocked")
