from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TelecomHelpdeskCommon

HOUR = 3600


@tagged("post_install", "-at_install")
class TestIncident(TelecomHelpdeskCommon):
    """Mass incidents: linking, notifications with opt-outs, clock exclusion,
    cascade resolution, impact and the subscriber card."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def subscriber(name, serial, zone=None, **values):
            partner, account = cls._create_subscriber(
                name,
                zone=zone,
                email=f"t.incident.{serial}@example.com",
                mobile=f"+7916555{serial:04d}",
                **values,
            )
            line = cls._activate_line(account)
            return partner, line

        cls.anna, cls.anna_line = subscriber("Anna", 1)
        cls.boris, cls.boris_line = subscriber("Boris", 2)
        cls.clara, cls.clara_line = subscriber("Clara", 3)
        cls.denis, cls.denis_line = subscriber(
            "Denis", 4, telecom_incident_notify=False
        )
        cls.south, cls.south_line = subscriber("Sergey", 5, zone=cls.zone_south)
        cls.env["mail.blacklist"]._add(cls.boris.email)
        cls.env["phone.blacklist"]._add([cls.clara.mobile])
        cls.incident_values = {
            "name": "T Fibre cut in North City",
            "region_ids": [Command.set(cls.zone_north.ids)],
            "service_type": "mobile",
            "severity": "critical",
            "public_message": "Mobile service is down in North City.",
        }

    def _notifications(self, incident, **filters):
        domain = [("incident_id", "=", incident.id)]
        domain += [(key, "=", value) for key, value in filters.items()]
        return self.env["telecom.incident.notification"].search(domain)

    def test_opening_notifies_affected_subscribers_honouring_opt_outs(self):
        incident = self.env["telecom.incident"].create(self.incident_values)
        self.assertTrue(incident.reference.startswith("INC"))
        queued = self._notifications(incident, kind="opened", state="queued")
        skipped = self._notifications(incident, kind="opened", state="skipped")
        # 4 northern subscribers × (email, SMS); the south is not affected
        self.assertEqual(len(queued) + len(skipped), 8)
        self.assertNotIn(self.south, (queued | skipped).partner_id)
        self.assertEqual(
            {(n.partner_id.name, n.channel, n.skip_reason) for n in skipped},
            {
                ("Boris", "email", "email_blacklist"),
                ("Clara", "sms", "phone_blacklist"),
                ("Denis", "email", "partner"),
                ("Denis", "sms", "partner"),
            },
        )
        self.assertEqual(incident.notification_queued_count, 4)
        self.assertEqual(incident.notification_skipped_count, 4)
        self.assertEqual(incident.affected_subscriber_count, 4)

    def test_sending_creates_mails_and_sms_and_rechecks_opt_outs(self):
        incident = self.env["telecom.incident"].create(self.incident_values)
        # Anna opts out of e-mail after queueing
        self.env["mail.blacklist"]._add(self.anna.email)
        Notification = self.env["telecom.incident.notification"]
        mails_before = self.env["mail.mail"].search_count([])
        sms_before = self.env["sms.sms"].search_count([])
        Notification._cron_send()
        self.assertEqual(self.env["mail.mail"].search_count([]) - mails_before, 1)
        self.assertEqual(self.env["sms.sms"].search_count([]) - sms_before, 2)
        self.assertFalse(self._notifications(incident, state="queued"))
        anna_email = self._notifications(
            incident, partner_id=self.anna.id, channel="email"
        )
        self.assertEqual(anna_email.state, "skipped")
        sms = self.env["sms.sms"].search([("partner_id", "=", self.boris.id)])
        self.assertIn("Mobile service is down", sms.body)

    def test_new_ticket_of_the_zone_links_automatically(self):
        incident = self.env["telecom.incident"].create(self.incident_values)
        tickets = self.env["helpdesk.ticket"].create(
            [
                {
                    "name": "No signal",
                    "description": "x",
                    "partner_id": self.anna.id,
                    "telecom_service_id": self.anna_line.id,
                },
                {
                    "name": "No signal either",
                    "description": "x",
                    "partner_id": self.south.id,
                    "telecom_service_id": self.south_line.id,
                },
            ]
        )
        self.assertEqual(tickets[0].incident_id, incident)
        self.assertFalse(tickets[1].incident_id)
        # the card warns the agent before a duplicate ticket is opened
        self.assertEqual(self.anna.telecom_active_incident_ids, incident)
        self.assertFalse(self.south.telecom_active_incident_ids)
        card = self.anna.with_user(self.front_office)
        self.assertEqual(card.telecom_active_incident_ids, incident)
        self.assertEqual(card.telecom_open_ticket_count, 1)

    def test_bulk_link_wizard_and_clock_exclusion(self):
        with freeze_time("2025-03-04 07:00:00"):
            tickets = self.env["helpdesk.ticket"].create(
                [
                    {
                        "name": f"T no signal {index}",
                        "description": "x",
                        "partner_id": partner.id,
                        "telecom_impact": "1",
                        "telecom_urgency": "1",
                    }
                    for index, partner in enumerate((self.anna, self.boris))
                ]
            )
            self.assertEqual(tickets.sla_policy_id, self.policy_p1)
            incident = self.env["telecom.incident"].create(self.incident_values)
        with freeze_time("2025-03-04 08:00:00"):
            wizard = (
                self.env["telecom.incident.link"]
                .with_user(self.tech_support)
                .create(
                    {
                        "incident_id": incident.id,
                        "ticket_ids": [Command.set(tickets.ids)],
                    }
                )
            )
            wizard.action_link()
        self.assertEqual(tickets.incident_id, incident)
        # the P1 policy excludes incident time: the clocks stop
        self.assertEqual(set(tickets.mapped("sla_status")), {"paused"})
        incident.resolution = "Fibre spliced."
        with freeze_time("2025-03-04 10:00:00"):
            incident.action_resolve()
        self.assertEqual(incident.state, "resolved")
        for ticket in tickets:
            self.assertTrue(ticket.closed)
            self.assertIn("Fibre spliced.", ticket.message_ids[0].body)
            resolution = self._line(ticket, "resolution")
            # 1 h counted before the incident, 2 h excluded (24/7 calendar)
            self.assertEqual(resolution.status, "met")
            self.assertAlmostEqual(resolution.paused_work_seconds, 2 * HOUR)
        self.assertAlmostEqual(incident.sla_excluded_hours, 4.0)
        self.assertEqual(incident.open_ticket_count, 0)
        self.assertEqual(len(self._notifications(incident, kind="resolved")), 8)
        events = self.env["telecom.event"].search(
            [("res_model", "=", "telecom.incident"), ("res_id", "=", incident.id)]
        )
        self.assertEqual(
            set(events.mapped("event_type")),
            {"incident.opened", "incident.resolved", "incident.subscriber_resolved"},
        )
        # one event per subscriber hit, whose zone follows the subscriber
        hit = events.filtered(lambda e: e.event_type == "incident.subscriber_resolved")
        self.assertEqual(
            hit.partner_id, self.anna | self.boris | self.clara | self.denis
        )
        self.assertEqual(set(hit.mapped("region_id")), {self.zone_north_city})
        self.assertEqual(hit[0].payload["reference"], incident.reference)
        self.assertEqual(hit[0].payload["severity"], "critical")
        self.assertTrue(all(event.txid for event in hit))
        self.assertFalse(
            events.filtered(
                lambda e: e.event_type != "incident.subscriber_resolved"
            ).partner_id
        )

    def test_satisfaction_of_affected_and_other_subscribers(self):
        with freeze_time("2025-03-04 07:00:00"):
            incident = self.env["telecom.incident"].create(self.incident_values)
            affected = self._ticket(self.anna, telecom_satisfaction="2")
            other = self._ticket(self.south, telecom_satisfaction="5")
        with freeze_time("2025-03-04 08:00:00"):
            (affected | other).stage_id = self.stage_done
        incident.invalidate_recordset()
        self.assertAlmostEqual(incident.csat_affected, 2.0)
        self.assertAlmostEqual(incident.csat_unaffected, 5.0)

    def test_transitions_are_checked(self):
        incident = self.env["telecom.incident"].create(self.incident_values)
        with self.assertRaises(UserError):
            incident.action_resolve()  # no resolution yet
        incident.action_identify()
        with self.assertRaises(UserError):
            incident.action_identify()
        incident.action_cancel()
        with self.assertRaises(UserError):
            incident.action_monitor()
        self.assertFalse(self._notifications(incident, kind="resolved"))

    def test_updating_the_public_message_notifies_again(self):
        incident = self.env["telecom.incident"].create(self.incident_values)
        incident.public_message = "Engineers on site, back by 18:00."
        self.assertEqual(len(self._notifications(incident, kind="updated")), 8)

    def test_agent_of_another_zone_does_not_see_the_incident(self):
        incident = self.env["telecom.incident"].create(self.incident_values)
        Incident = self.env["telecom.incident"]
        self.assertEqual(
            Incident.with_user(self.front_office).search([("id", "=", incident.id)]),
            incident,
        )
        self.assertFalse(
            Incident.with_user(self.front_office_south).search(
                [("id", "=", incident.id)]
            )
        )

    def test_resolution_reaches_every_subscriber_hit_on_the_feed(self):
        """Resolved by a technician: the subscribers of the zone and the one
        whose ticket (of another zone) was linked get a ``subscriber_resolved``
        event, stamped with the transaction like the ORM's events (what the
        lossless consumers cut the feed by)."""
        incident = (
            self.env["telecom.incident"]
            .with_user(self.tech_support)
            .create(self.incident_values)
        )
        ticket = self._ticket(self.south, name="T no signal south")
        ticket.incident_id = incident
        incident.resolution = "Fibre spliced."
        incident.with_user(self.tech_support).action_resolve()
        Event = self.env["telecom.event"]
        events = Event.search(
            [
                ("event_type", "=", "incident.subscriber_resolved"),
                ("res_id", "=", incident.id),
            ]
        )
        self.assertEqual(
            events.partner_id,
            self.anna | self.boris | self.clara | self.denis | self.south,
        )
        self.assertEqual(
            events.filtered(lambda event: event.partner_id == self.south).region_id,
            self.zone_south,
        )
        self.assertEqual(set(events.mapped("txid")), {Event._current_txid()})
        self.assertEqual(events.user_id, self.tech_support)
