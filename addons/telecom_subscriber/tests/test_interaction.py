from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import TelecomCommon


@tagged("post_install", "-at_install")
class TestInteraction(TelecomCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner, cls.account = cls._create_subscriber()
        cls.line = cls._activate_line(cls.account)

    def test_agent_records_a_contact(self):
        Interaction = self.env["telecom.interaction"].with_user(self.front_office)
        contact = Interaction.create(
            {
                "partner_id": self.partner.id,
                "service_id": self.line.id,
                "channel": "call",
                "summary": "Asked about roaming prices",
                "outcome": "information",
            }
        )
        self.assertEqual(contact.agent_id, self.front_office)
        self.assertEqual(contact.region_id, self.zone_north_city)
        self.partner.invalidate_recordset(["telecom_interaction_ids"])
        self.assertEqual(
            self.partner.telecom_interaction_ids[0], contact, "newest first"
        )

    def test_api_records_by_msisdn_and_is_idempotent(self):
        payloads = [
            {
                "msisdn": "8" + self.line.msisdn[2:],
                "channel": "chat",
                "summary": "Chat about the bill",
                "outcome": "resolved",
                "external_reference": "chat-42",
            },
            {
                "partner_id": self.partner.id,
                "channel": "messenger",
                "direction": "outbound",
                "summary": "Payment reminder",
                "external_reference": "tg-7",
            },
        ]
        ids = self.env["telecom.interaction"].api_record(payloads)
        contacts = self.env["telecom.interaction"].browse(ids)
        self.assertEqual(contacts[0].service_id, self.line)
        self.assertEqual(contacts.partner_id, self.partner)
        self.assertEqual(contacts[1].direction, "outbound")
        again = self.env["telecom.interaction"].api_record(payloads)
        self.assertEqual(again, ids, "a resent contact is not recorded twice")

    def test_complaints_reach_the_event_feed_once(self):
        Event = self.env["telecom.event"]
        # only this test's events (demo data has complaints of its own)
        last_event = Event.search([], order="id desc", limit=1)
        domain = [
            ("event_type", "=", "complaint.registered"),
            ("id", ">", last_event.id),
        ]
        Interaction = self.env["telecom.interaction"].with_user(self.front_office)
        call, question = Interaction.create(
            [
                {
                    "partner_id": self.partner.id,
                    "service_id": self.line.id,
                    "channel": "call",
                    "summary": "Angry about the bill",
                    "outcome": "complaint",
                },
                {
                    "partner_id": self.partner.id,
                    "channel": "call",
                    "summary": "Asked for the balance",
                    "outcome": "information",
                },
            ]
        )
        registered = Event.search(domain)
        self.assertEqual(len(registered), 1)
        self.assertRecordValues(
            registered,
            [
                {
                    "partner_id": self.partner.id,
                    "service_id": self.line.id,
                    "res_model": "telecom.interaction",
                    "res_id": call.id,
                    "user_id": self.front_office.id,
                    "region_id": self.zone_north_city.id,
                }
            ],
        )
        self.assertEqual(
            registered.payload,
            {"interaction_id": call.id, "channel": "call", "source_model": None},
        )
        # requalified as a complaint: announced once; saved again: nothing more
        question.outcome = "complaint"
        question.write({"outcome": "complaint", "summary": "Complained after all"})
        self.assertEqual(Event.search(domain).mapped("res_id"), [question.id, call.id])
        # a contact centre's complaint too, resent or not
        payload = {
            "partner_id": self.partner.id,
            "channel": "chat",
            "summary": "Complaint in chat",
            "outcome": "complaint",
            "external_reference": "chat-complaint-1",
        }
        self.env["telecom.interaction"].api_record([payload])
        self.env["telecom.interaction"].api_record([payload])
        self.assertEqual(Event.search_count(domain), 3)

    def test_api_refuses_unknown_subscriber_and_keeps_nothing(self):
        before = self.env["telecom.interaction"].search_count([])
        with self.assertRaisesRegex(ValidationError, "Interaction 2: no subscriber"):
            self.env["telecom.interaction"].api_record(
                [
                    {"msisdn": self.line.msisdn, "channel": "sms", "summary": "ok"},
                    {"msisdn": "+79990000000", "channel": "sms", "summary": "unknown"},
                ]
            )
        with self.assertRaisesRegex(ValidationError, "Interaction 1"):
            self.env["telecom.interaction"].api_record(
                [{"msisdn": "12", "channel": "sms"}]
            )
        self.assertEqual(self.env["telecom.interaction"].search_count([]), before)

    def test_lookup_by_msisdn_account_and_iccid(self):
        Partner = self.env["res.partner"].with_user(self.front_office)
        for term in (
            self.line.msisdn,
            "8" + self.line.msisdn[2:],
            self.account.name,
            self.line.iccid,
        ):
            with self.subTest(term=term):
                self.assertEqual(
                    Partner.search([("telecom_lookup", "=", term)]), self.partner
                )
        self.assertFalse(Partner.search([("telecom_lookup", "=", "+79990000000")]))

    def test_lookup_hides_other_zones(self):
        south_partner, south_account = self._create_subscriber(
            "South", zone=self.zone_south
        )
        south_line = self._activate_line(south_account)
        found = (
            self.env["res.partner"]
            .with_user(self.front_office)
            .search([("telecom_lookup", "=", south_line.msisdn)])
        )
        self.assertFalse(found)

    def test_lookup_query_count(self):
        Partner = self.env["res.partner"].with_user(self.front_office)
        Partner.search([("telecom_lookup", "=", self.line.msisdn)])  # warm caches
        for term in (self.line.msisdn, self.account.name, self.line.iccid):
            with self.subTest(term=term), self.assertQueryCount(2):
                Partner.search([("telecom_lookup", "=", term)])
