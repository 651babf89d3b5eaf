import re

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import TelecomHelpdeskCommon

CSRF_INPUT = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestPortalTicketRating(TelecomHelpdeskCommon, HttpCase):
    """Subscribers rate their own closed tickets (1-5) and answer the NPS
    question (0-10) on the portal, once; nobody rates another's ticket."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.north, _account = cls._create_subscriber("Rating North")
        cls.south, _account = cls._create_subscriber(
            "Rating South", zone=cls.zone_south
        )
        cls.north_user = new_test_user(
            cls.env,
            login="t_rate_north",
            groups="base.group_portal",
            partner_id=cls.north.id,
        )
        cls.south_user = new_test_user(
            cls.env,
            login="t_rate_south",
            groups="base.group_portal",
            partner_id=cls.south.id,
        )
        cls.closed_ticket = cls._ticket(cls.north, name="T Slow internet")
        cls.closed_ticket.stage_id = cls.stage_done
        cls.open_ticket = cls._ticket(cls.north, name="T No signal")
        cls.south_ticket = cls._ticket(cls.south, name="T South ticket")
        cls.south_ticket.stage_id = cls.stage_done

    def _login(self, user):
        self.authenticate(user.login, user.login)

    def _page(self, ticket_id):
        return self.url_open(f"/my/ticket/{ticket_id}", allow_redirects=False)

    def _rate(self, ticket_id, **form):
        token = CSRF_INPUT.search(self.url_open("/my").text).group(1)
        return self.url_open(
            f"/my/ticket/{ticket_id}/rate",
            data={"csrf_token": token, **form},
            allow_redirects=False,
        )

    def _assertRedirectsToMy(self, response):
        self.assertIn(response.status_code, (302, 303))
        self.assertRegex(response.headers["Location"], r"/my$")

    def test_subscriber_rates_own_closed_ticket_once(self):
        self.assertTrue(self.stage_done.closed)
        self._login(self.north_user)
        page = self._page(self.closed_ticket.id)
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_telecom_ticket_rating", page.text)
        response = self._rate(
            self.closed_ticket.id, satisfaction="5", recommendation="9"
        )
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("telecom_rated=1", response.headers["Location"])
        self.assertEqual(self.closed_ticket.telecom_satisfaction, "5")
        self.assertEqual(self.closed_ticket.telecom_recommendation, "9")
        self.assertTrue(self.closed_ticket.telecom_rated_date)
        page = self._page(self.closed_ticket.id)
        self.assertIn("o_telecom_ticket_rated", page.text)
        self.assertNotIn("o_telecom_ticket_rating", page.text)
        # once: a second rating is refused and changes nothing
        response = self._rate(
            self.closed_ticket.id, satisfaction="1", recommendation="0"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("You have already rated this ticket.", response.text)
        self.assertEqual(self.closed_ticket.telecom_satisfaction, "5")
        self.assertEqual(self.closed_ticket.telecom_recommendation, "9")

    def test_the_nps_question_is_optional(self):
        self.closed_ticket.with_user(self.north_user)._portal_rate("3")
        self.assertEqual(self.closed_ticket.telecom_satisfaction, "3")
        self.assertFalse(self.closed_ticket.telecom_recommendation)

    def test_open_ticket_is_not_rated(self):
        self._login(self.north_user)
        page = self._page(self.open_ticket.id)
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("o_telecom_ticket_rating", page.text)
        response = self._rate(self.open_ticket.id, satisfaction="4")
        self.assertEqual(response.status_code, 200)
        self.assertIn("You can rate a ticket once it is closed.", response.text)
        self.assertFalse(self.open_ticket.telecom_satisfaction)

    def test_another_subscribers_ticket_is_answered_as_absent(self):
        self._login(self.south_user)
        absent = self._rate(999999999, satisfaction="1")
        self._assertRedirectsToMy(absent)
        other = self._rate(self.closed_ticket.id, satisfaction="1", recommendation="0")
        self._assertRedirectsToMy(other)
        self.assertEqual(other.headers["Location"], absent.headers["Location"])
        self._assertRedirectsToMy(self._page(self.closed_ticket.id))
        self.assertFalse(self.closed_ticket.telecom_satisfaction)
        self.assertFalse(self.closed_ticket.telecom_recommendation)
        with self.assertRaises(AccessError):
            self.closed_ticket.with_user(self.south_user)._portal_rate("1")
        # their own closed ticket, yes
        self.south_ticket.with_user(self.south_user)._portal_rate("2", "7")
        self.assertEqual(self.south_ticket.telecom_recommendation, "7")

    def test_a_follower_does_not_rate(self):
        self.closed_ticket.message_subscribe(partner_ids=self.south.ids)
        ticket = self.closed_ticket.with_user(self.south_user)
        self.assertFalse(ticket._portal_can_rate())
        with self.assertRaises(UserError):
            ticket._portal_rate("1")
        self.assertFalse(self.closed_ticket.telecom_satisfaction)

    def test_scores_out_of_their_scale_are_refused(self):
        ticket = self.closed_ticket.with_user(self.north_user)
        for recommendation in ("11", "-1", "7.5", "ten"):
            with self.assertRaisesRegex(ValidationError, "from 0 to 10"):
                ticket._portal_rate("4", recommendation)
        for satisfaction in ("", "0", "6", None):
            with self.assertRaisesRegex(ValidationError, "from 1 to 5"):
                ticket._portal_rate(satisfaction, "8")
        self.assertFalse(self.closed_ticket.telecom_satisfaction)
        self._login(self.north_user)
        response = self._rate(
            self.closed_ticket.id, satisfaction="4", recommendation="11"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_telecom_rating_error", response.text)
        self.assertIn("from 0 to 10", response.text)
        self.assertFalse(self.closed_ticket.telecom_satisfaction)

    def test_error_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(
            ["telecom_helpdesk_sla"], ["ru_RU"], overwrite=True
        )
        self.north_user.lang = "ru_RU"
        self._login(self.north_user)
        response = self._rate(
            self.closed_ticket.id, satisfaction="4", recommendation="42"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_telecom_rating_error", response.text)
        self.assertIn("целое число от 0 до 10", response.text)
