from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import TelecomHelpdeskCommon


@tagged("post_install", "-at_install")
class TestHelpdeskAccess(TelecomHelpdeskCommon):
    """Record rules by zone and role, as real users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.north, _account = cls._create_subscriber("North Client")
        cls.south, _account = cls._create_subscriber(
            "South Client", zone=cls.zone_south
        )
        with freeze_time("2025-03-04 07:00:00"):
            cls.ticket_north = cls._ticket(cls.north)
            cls.ticket_south = cls._ticket(cls.south)
        cls.tickets = cls.ticket_north | cls.ticket_south

    def _visible(self, user, model, records):
        return self.env[model].with_user(user).search([("id", "in", records.ids)])

    def test_agents_see_the_tickets_of_their_zones(self):
        Ticket = "helpdesk.ticket"
        self.assertEqual(
            self._visible(self.front_office, Ticket, self.tickets), self.ticket_north
        )
        self.assertEqual(
            self._visible(self.front_office_south, Ticket, self.tickets),
            self.ticket_south,
        )
        self.assertEqual(
            self._visible(self.head_office, Ticket, self.tickets), self.tickets
        )
        with self.assertRaises(AccessError):
            self.ticket_south.with_user(self.front_office).read(["name"])

    def test_an_agent_also_sees_the_tickets_assigned_to_them(self):
        self.ticket_south.write(
            {"team_id": self.team_front.id, "user_id": self.front_office.id}
        )
        self.assertEqual(
            self._visible(self.front_office, "helpdesk.ticket", self.tickets),
            self.tickets,
        )

    def test_sla_lines_events_and_report_follow_the_zones(self):
        lines = self.tickets.sla_line_ids
        self.assertEqual(
            self._visible(self.front_office, "telecom.sla.line", lines),
            self.ticket_north.sla_line_ids,
        )
        events = self.tickets.sla_event_ids
        self.assertEqual(
            self._visible(self.front_office, "telecom.sla.event", events),
            self.ticket_north.sla_event_ids,
        )
        report = self.env["telecom.sla.report"].with_user(self.front_office)
        rows = report.search([("ticket_id", "in", self.tickets.ids)])
        self.assertEqual(rows.ticket_id, self.ticket_north)
        rows = (
            self.env["telecom.sla.report"]
            .with_user(self.head_office)
            .search([("ticket_id", "in", self.tickets.ids)])
        )
        self.assertEqual(rows.ticket_id, self.tickets)

    def test_internal_users_outside_telecom_see_no_zone_data(self):
        """An accountant (internal user, no telecom role) reads no zone's SLA data."""
        accountant = new_test_user(
            self.env, login="t_accountant", groups="base.group_user"
        )
        incident = self.env["telecom.incident"].create(
            {"name": "T South outage", "region_ids": [Command.set(self.zone_south.ids)]}
        )
        zone_data = {
            "telecom.sla.line": self.tickets.sla_line_ids,
            "telecom.sla.event": self.tickets.sla_event_ids,
            "telecom.incident": incident,
            "telecom.sla.report": self.env["telecom.sla.report"].search(
                [("ticket_id", "in", self.tickets.ids)]
            ),
        }
        for model, records in zone_data.items():
            self.assertTrue(records, model)
            with self.subTest(model=model), self.assertRaises(AccessError):
                self._visible(accountant, model, records)
        # the all-zones group (head office, integrations) still sees every zone
        self.assertEqual(
            self._visible(
                self.head_office, "telecom.sla.line", self.tickets.sla_line_ids
            ),
            self.tickets.sla_line_ids,
        )

    def test_only_the_administrator_configures_slas(self):
        policy = self.policy_vip.with_user(self.supervisor)
        self.assertTrue(policy.name)  # readable
        with self.assertRaises(AccessError):
            policy.write({"sequence": 1})
        with self.assertRaises(AccessError):
            self.env["telecom.escalation.rule"].with_user(self.supervisor).create(
                {"name": "x", "trigger": "breach", "trigger_kind": "resolution"}
            )
        manager = self._user("t_sla_admin", ["manager"], self.zone_north)
        self.policy_vip.with_user(manager).write({"sequence": 11})
        self.assertEqual(self.policy_vip.sequence, 11)

    def test_sla_journal_cannot_be_written_by_agents(self):
        event = self.ticket_north.sla_event_ids[:1]
        with self.assertRaises(AccessError):
            self.env["telecom.sla.event"].with_user(self.supervisor).create(
                {
                    "ticket_id": self.ticket_north.id,
                    "event_type": "met",
                    "date": event.date,
                }
            )
        with self.assertRaises(AccessError):
            event.with_user(self.supervisor).unlink()

    def test_incidents_by_role(self):
        values = {
            "name": "T outage",
            "region_ids": [Command.set(self.zone_north.ids)],
        }
        with self.assertRaises(AccessError):
            self.env["telecom.incident"].with_user(self.front_office).create(values)
        incident = (
            self.env["telecom.incident"].with_user(self.tech_support).create(values)
        )
        # notifications carry subscribers' addresses: supervisors only
        with self.assertRaises(AccessError):
            self.env["telecom.incident.notification"].with_user(
                self.tech_support
            ).search([])
        self.assertEqual(
            incident.with_user(self.tech_support).notification_sent_count, 0
        )
