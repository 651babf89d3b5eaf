from freezegun import freeze_time

from odoo.tests import tagged

from .common import TelecomHelpdeskCommon


@tagged("post_install", "-at_install")
class TestTicketTimeline(TelecomHelpdeskCommon):
    """Tickets appear on the subscriber's timeline, card and business events."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner, cls.account = cls._create_subscriber("Anna Smirnova")
        cls.line = cls._activate_line(cls.account)

    def test_opening_and_closing_are_recorded(self):
        with freeze_time("2025-03-04 07:00:00"):
            ticket = self._ticket(
                self.partner,
                telecom_service_id=self.line.id,
                channel_id=self.channel_phone.id,
            )
        self.assertEqual(ticket.telecom_account_id, self.account)
        self.assertEqual(ticket.telecom_region_id, self.line.region_id)
        self.assertEqual(ticket.telecom_service_type, "mobile")
        Event = self.env["telecom.event"]
        Interaction = self.env["telecom.interaction"]
        domain = [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        created = Event.search(domain)
        self.assertEqual(created.event_type, "ticket.created")
        self.assertEqual(created.partner_id, self.partner)
        self.assertEqual(created.service_id, self.line)
        opened = Interaction.search(domain)
        self.assertEqual(opened.channel, "call")
        self.assertIn(ticket.number, opened.summary)
        with freeze_time("2025-03-04 09:00:00"):
            ticket.stage_id = self.stage_done
        self.assertEqual(
            sorted(Event.search(domain).mapped("event_type")),
            ["ticket.closed", "ticket.created"],
        )
        self.assertEqual(len(Interaction.search(domain)), 2)
        # the card: recent tickets and the open counter
        self.partner.invalidate_recordset()  # a new request
        card = self.partner.with_user(self.front_office)
        self.assertEqual(card.telecom_card_ticket_ids, ticket)
        self.assertEqual(card.telecom_open_ticket_count, 0)
        self.assertTrue(
            any(
                ticket.number in row
                for row in card.telecom_timeline_ids.mapped("summary")
            )
        )

    def test_complaint_tickets_are_complaints_on_the_feed_and_timeline(self):
        self.category_billing.telecom_complaint = True
        sub_category = self.env["helpdesk.ticket.category"].create(
            {"name": "T Wrong charge", "parent_id": self.category_billing.id}
        )
        # only the events of this test (demo data has complaints of its own)
        last_event = self.env["telecom.event"].search([], order="id desc", limit=1)
        complaint, question = (
            self.env["helpdesk.ticket"]
            .with_user(self.front_office)
            .create(
                [
                    {
                        "name": "Charged twice",
                        "description": "x",
                        "partner_id": self.partner.id,
                        "category_id": sub_category.id,
                        "channel_id": self.channel_phone.id,
                    },
                    {
                        "name": "How to top up",
                        "description": "x",
                        "partner_id": self.partner.id,
                        "category_id": self.category_internet.id,
                    },
                ]
            )
        )
        Event = self.env["telecom.event"]
        registered = Event.search(
            [("event_type", "=", "complaint.registered"), ("id", ">", last_event.id)]
        )
        self.assertEqual(registered.res_id, complaint.id)
        self.assertEqual(registered.partner_id, self.partner)
        self.assertEqual(registered.res_model, "helpdesk.ticket")
        self.assertEqual(registered.payload["source_model"], "helpdesk.ticket")
        self.assertEqual(registered.payload["channel"], "call")
        self.assertEqual(registered.user_id, self.front_office)
        created = Event.search(
            [("event_type", "=", "ticket.created"), ("id", ">", last_event.id)]
        )
        self.assertEqual(
            {event.res_id: event.payload["complaint"] for event in created},
            {complaint.id: True, question.id: False},
        )
        # the complaint counts as such on the timeline (and in the figures)
        outcomes = {
            row.res_id: row.outcome
            for row in self.env["telecom.interaction"].search(
                [
                    ("res_model", "=", "helpdesk.ticket"),
                    ("res_id", "in", (complaint + question).ids),
                ]
            )
        }
        self.assertEqual(
            outcomes, {complaint.id: "complaint", question.id: "follow_up"}
        )
