"""Trouble tickets and incident notices of the subscriber JSON API."""

import json

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.telecom_subscriber.tools.subscriber_api import (
    API_BASE,
    API_SCOPE,
    RATE_LIMIT_PARAM,
)

from .common import TelecomHelpdeskCommon


@tagged("post_install", "-at_install")
class TestSubscriberApiTickets(TelecomHelpdeskCommon, HttpCase):
    """Each subscriber lists and reads their own tickets (another's id is the 404
    of an absent one), rates a closed one once, and sees the incidents of
    their zone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param(RATE_LIMIT_PARAM, "1000")
        cls.north, north_account = cls._create_subscriber("Api North")
        north_line = cls._activate_line(north_account)
        cls.south, south_account = cls._create_subscriber(
            "Api South", zone=cls.zone_south
        )
        cls._activate_line(south_account)
        cls.north_key = cls._api_key(cls._portal_user("t_api_north", cls.north))
        cls.south_key = cls._api_key(cls._portal_user("t_api_south", cls.south))
        # a relative who uses the north subscriber's line: not the subscriber
        line_user_partner = cls.env["res.partner"].create({"name": "Api Line User"})
        north_line.user_partner_id = line_user_partner
        cls.line_user_key = cls._api_key(
            cls._portal_user("t_api_line_user", line_user_partner)
        )
        cls.closed_ticket = cls._ticket(cls.north, name="T Slow internet")
        cls.closed_ticket.stage_id = cls.stage_done
        cls.open_ticket = cls._ticket(cls.north, name="T No signal")
        cls.south_ticket = cls._ticket(cls.south, name="T South ticket")
        cls.south_ticket.stage_id = cls.stage_done
        cls.incident = cls.env["telecom.incident"].create(
            {
                "name": "T Tower down",
                "region_ids": [Command.set(cls.zone_north.ids)],
                "service_type": "mobile",
                "public_message": "Tower 17 is down, engineers are on their way.",
                "date_estimated_end": "2030-01-01 12:00:00",
                "notify_email": False,
                "notify_sms": False,
            }
        )

    @classmethod
    def _portal_user(cls, login, partner):
        return new_test_user(
            cls.env, login=login, groups="base.group_portal", partner_id=partner.id
        )

    @classmethod
    def _api_key(cls, user):
        # sudo: a key without expiration needs it, as the portal's own wizard
        return (
            cls.env["res.users.apikeys"]
            .with_user(user)
            .sudo()
            ._generate(API_SCOPE, "Operator app", None)
        )

    def _call(self, method, path, key, body=None):
        headers = {"Authorization": f"Bearer {key}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        return self.opener.request(
            method,
            self.base_url() + API_BASE + path,
            data=None if body is None else json.dumps(body),
            headers=headers,
            timeout=30,
        )

    def _assertError(self, response, status, code=None):
        self.assertEqual(response.status_code, status, response.text)
        body = response.json()
        if code:
            self.assertEqual(body["code"], code)
        return body

    def test_lists_and_reads_own_tickets_only(self):
        response = self._call("GET", "/troubleTicket", self.north_key)
        self.assertEqual(response.status_code, 200, response.text)
        ids = {item["id"] for item in response.json()}
        self.assertEqual(ids, {str(self.closed_ticket.id), str(self.open_ticket.id)})
        self.assertEqual(response.headers["X-Total-Count"], "2")
        body = self._call(
            "GET", f"/troubleTicket/{self.closed_ticket.id}", self.north_key
        ).json()
        self.assertEqual(body["name"], "T Slow internet")
        self.assertEqual(body["status"], "closed")
        self.assertTrue(body["rating"]["canRate"])
        open_body = self._call(
            "GET", f"/troubleTicket/{self.open_ticket.id}", self.north_key
        ).json()
        self.assertEqual(open_body["status"], "inProgress")
        self.assertFalse(open_body["rating"]["canRate"])

    def test_another_subscribers_ticket_is_answered_as_absent(self):
        other = self._assertError(
            self._call(
                "GET", f"/troubleTicket/{self.closed_ticket.id}", self.south_key
            ),
            404,
            "NOT_FOUND",
        )
        absent = self._assertError(
            self._call("GET", "/troubleTicket/999999999", self.south_key), 404
        )
        self.assertEqual(other, absent)
        rated = self._call(
            "POST",
            f"/troubleTicket/{self.closed_ticket.id}/rating",
            self.south_key,
            {"satisfaction": 1},
        )
        self.assertEqual(self._assertError(rated, 404), absent)
        self.assertFalse(self.closed_ticket.telecom_satisfaction)

    def test_line_user_sees_and_rates_none_of_the_holders_tickets(self):
        listed = self._call("GET", "/troubleTicket", self.line_user_key)
        self.assertEqual(listed.status_code, 200, listed.text)
        self.assertEqual(listed.json(), [])
        absent = self._call("GET", "/troubleTicket/999999999", self.line_user_key)
        holders = self._call(
            "GET", f"/troubleTicket/{self.closed_ticket.id}", self.line_user_key
        )
        self.assertEqual(self._assertError(holders, 404), absent.json())
        rated = self._call(
            "POST",
            f"/troubleTicket/{self.closed_ticket.id}/rating",
            self.line_user_key,
            {"satisfaction": 1},
        )
        self._assertError(rated, 404)
        self.assertFalse(self.closed_ticket.telecom_satisfaction)

    def test_rates_a_closed_ticket_once(self):
        path = f"/troubleTicket/{self.closed_ticket.id}/rating"
        response = self._call(
            "POST", path, self.north_key, {"satisfaction": 5, "recommendation": 9}
        )
        self.assertEqual(response.status_code, 201, response.text)
        rating = response.json()["rating"]
        self.assertEqual((rating["satisfaction"], rating["recommendation"]), (5, 9))
        self.assertFalse(rating["canRate"])
        self.assertEqual(self.closed_ticket.telecom_satisfaction, "5")
        self.assertEqual(self.closed_ticket.telecom_recommendation, "9")
        again = self._call("POST", path, self.north_key, {"satisfaction": 1})
        self._assertError(again, 409, "CONFLICT")
        self.assertEqual(self.closed_ticket.telecom_satisfaction, "5")

    def test_rating_validation(self):
        path = f"/troubleTicket/{self.closed_ticket.id}/rating"
        for body in (
            {},
            {"satisfaction": 6},
            {"satisfaction": 0},
            {"satisfaction": "5"},
            {"satisfaction": True},
            {"satisfaction": 4, "recommendation": 11},
            {"satisfaction": 4, "recommendation": -1},
        ):
            with self.subTest(body=body):
                self._assertError(self._call("POST", path, self.north_key, body), 400)
        self.assertFalse(self.closed_ticket.telecom_satisfaction)
        self._assertError(
            self._call(
                "POST",
                f"/troubleTicket/{self.open_ticket.id}/rating",
                self.north_key,
                {"satisfaction": 4},
            ),
            409,
            "CONFLICT",
        )
        self._assertError(self._call("GET", path, self.north_key), 405)

    def test_incident_notices_of_the_subscribers_zone(self):
        response = self._call("GET", "/incidentNotice", self.north_key)
        self.assertEqual(response.status_code, 200, response.text)
        (notice,) = response.json()
        self.assertEqual(notice["name"], "T Tower down")
        self.assertIn("Tower 17", notice["description"])
        self.assertEqual(notice["expectedRestoreDate"], "2030-01-01T12:00:00Z")
        south = self._call("GET", "/incidentNotice", self.south_key)
        self.assertEqual(south.json(), [])

    def test_served_openapi_documents_the_routes(self):
        document = self.url_open(f"{API_BASE}/openapi.json").json()
        for path in (
            "/troubleTicket",
            "/troubleTicket/{id}",
            "/troubleTicket/{id}/rating",
            "/incidentNotice",
        ):
            self.assertIn(path, document["paths"])
        try:
            from openapi_spec_validator import validate
        except ImportError:
            return
        validate(document)
