from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models import helpdesk_ticket_sla
from .common import TelecomHelpdeskCommon, utc

TRACKING = {"tracking_disable": False, "mail_notrack": False}


@tagged("post_install", "-at_install")
class TestEngineWrites(TelecomHelpdeskCommon):
    """The engine changes tickets through the ORM: access rules on the tickets,
    ``write_date`` and tracking hold for the incident link and the escalation
    level; public methods check the caller's rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner, _account = cls._create_subscriber("Irina Link")
        cls.vip, _account = cls._create_subscriber("Vera Vip", telecom_segment="vip")
        cls.incident = cls.env["telecom.incident"].create(
            {
                "name": "T Cable cut",
                "region_ids": [Command.set(cls.zone_north.ids)],
                "notify_email": False,
                "notify_sms": False,
                "auto_link": False,
                "date_start": "2025-01-01 00:00:00",
            }
        )

    def _flush_tracking(self):
        """What a commit does: tracking messages of the transaction."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _age(self, tickets):
        """Date the tickets' last change long ago (ORM dates are the
        transaction's, shared by the whole test)."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET write_date = '2000-01-01' WHERE id = ANY(%s)",
            [tickets.ids],
        )
        tickets.invalidate_recordset(["write_date", "write_uid"])

    def _assert_written_now(self, tickets):
        self.env.flush_all()
        tickets.invalidate_recordset(["write_date"])
        for ticket in tickets:
            self.assertEqual(ticket.write_date, self.env.cr.now())

    def _tracked(self, ticket, field_name):
        return self.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", "helpdesk.ticket"),
                ("mail_message_id.res_id", "=", ticket.id),
                ("field_id.name", "=", field_name),
            ]
        )

    def _link_wizard(self, user, tickets):
        return (
            self.env["telecom.incident.link"]
            .with_user(user)
            .with_context(**TRACKING)
            .create(
                {
                    "incident_id": self.incident.id,
                    "ticket_ids": [Command.set(tickets.ids)],
                }
            )
        )

    def test_link_wizard_dates_and_tracks_the_link(self):
        with freeze_time("2025-03-04 07:00:00"):
            tickets = self._ticket(self.partner) | self._ticket(self.partner)
        self._flush_tracking()  # the tickets were created in a former transaction
        self._age(tickets)
        with freeze_time("2025-03-04 08:00:00"):
            self._link_wizard(self.tech_support, tickets).action_link()
            self._flush_tracking()
        self.assertEqual(tickets.incident_id, self.incident)
        self._assert_written_now(tickets)
        for ticket in tickets:
            self.assertEqual(ticket.write_uid, self.tech_support)
            tracked = self._tracked(ticket, "incident_id")
            self.assertEqual(len(tracked), 1)
            self.assertEqual(tracked.new_value_integer, self.incident.id)
            # one line in the chatter: the link, not the incident's fields
            self.assertEqual(
                tracked.mail_message_id.tracking_value_ids.field_id.mapped("name"),
                ["incident_id"],
            )

    def test_link_wizard_checks_write_access_on_the_tickets(self):
        with freeze_time("2025-03-04 07:00:00"):
            frozen, free = self._ticket(self.partner), self._ticket(self.partner)
        # another module forbids changing one ticket (reading it stays allowed)
        self.env["ir.rule"].create(
            {
                "name": "T frozen ticket",
                "model_id": self.env["ir.model"]._get_id("helpdesk.ticket"),
                "domain_force": f"[('id', '!=', {frozen.id})]",
                "perm_read": False,
                "perm_create": False,
                "perm_unlink": False,
            }
        )
        wizard = self._link_wizard(self.tech_support, frozen | free)
        with self.assertRaises(AccessError):
            wizard.action_link()
        self.assertFalse((frozen | free).incident_id)

    def test_link_wizard_refused_to_a_reader_of_the_incident(self):
        with freeze_time("2025-03-04 07:00:00"):
            ticket = self._ticket(self.partner)
        # the front office may change the ticket, not the incident
        with self.assertRaises(AccessError):
            self.incident.with_user(self.front_office)._link_tickets(ticket)
        self.assertFalse(ticket.incident_id)

    def test_escalation_level_is_tracked_and_dated(self):
        self.env["telecom.escalation.rule"].create(
            {
                "name": "T Half of the resolution",
                "level": "3",
                "trigger": "percent",
                "trigger_kind": "resolution",
                "trigger_percent": 50,
                "notify_activity": False,
            }
        )
        with freeze_time("2025-03-08 10:00:00"):  # VIP: 4 h resolution, 24/7
            ticket = self._ticket(self.vip)
        self._flush_tracking()
        self._age(ticket)
        Line = self.env["telecom.sla.line"].with_context(**TRACKING)
        with freeze_time("2025-03-08 12:01:00"):
            Line._cron_scan()
            self._flush_tracking()
        self.assertEqual(ticket.telecom_escalation_level, 3)
        self._assert_written_now(ticket)
        tracked = self._tracked(ticket, "telecom_escalation_level")
        self.assertEqual(tracked.mapped("new_value_integer"), [3])

    def test_pending_writes_flushed_in_one_update_per_value(self):
        """Many tickets written with the same values go to the database in one
        UPDATE per distinct set of values, with the ORM's values and dates."""
        tickets = self._ticket(self.partner) | self._ticket(self.partner)
        tickets |= self._ticket(self.vip)
        self._age(tickets)
        first, second, third = tickets
        engine = tickets.with_context(telecom_sla_skip=True)
        engine.browse((first | second).ids).write({"telecom_escalation_level": 2})
        engine.browse(third.ids).write({"telecom_escalation_level": 4})
        with patch.object(helpdesk_ticket_sla, "GROUPED_FLUSH_MIN", 2):
            before = self.env.cr.sql_log_count
            tickets.flush_recordset(["telecom_escalation_level"])
            statements = self.env.cr.sql_log_count - before
        self.assertEqual(statements, 2)
        self.assertFalse(self.env.cache.has_dirty_fields(tickets))
        self.env.cr.execute(
            """SELECT id, telecom_escalation_level, write_date, write_uid
                 FROM helpdesk_ticket WHERE id = ANY(%s)""",
            [tickets.ids],
        )
        now, uid = self.env.cr.now(), self.env.uid
        self.assertEqual(
            sorted(self.env.cr.fetchall()),
            [
                (first.id, 2, now, uid),
                (second.id, 2, now, uid),
                (third.id, 4, now, uid),
            ],
        )

    def test_policy_given_to_an_existing_ticket_dates_it(self):
        """An open ticket without SLA (a helpdesk that existed before the
        addon) gets its policy through ``write``."""
        with freeze_time("2025-03-04 07:00:00"):
            ticket = self._ticket(self.partner)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET sla_policy_id = NULL WHERE id = %s",
            [ticket.id],
        )
        ticket.invalidate_recordset()
        self._age(ticket)
        self.env["helpdesk.ticket"]._sla_start_existing_tickets()
        self.assertEqual(ticket.sla_policy_id, self.policy_fallback)
        self._assert_written_now(ticket)

    # ------------------------------------------------------------------
    # public methods as an unprivileged user
    # ------------------------------------------------------------------
    def test_incident_transitions_need_write_access(self):
        self.incident.resolution = "Spliced."
        incident = self.incident.with_user(self.front_office)
        for action in (
            incident.action_identify,
            incident.action_monitor,
            incident.action_resolve,
            incident.action_cancel,
        ):
            with self.subTest(action=action.__name__), self.assertRaises(AccessError):
                action()
        self.assertEqual(self.incident.state, "open")

    def test_agents_cannot_change_holidays(self):
        holiday = self.env["resource.calendar.leaves"].create(
            {
                "name": "T Holiday",
                "date_from": utc(2025, 3, 9, 21, 0),
                "date_to": utc(2025, 3, 10, 20, 59, 59),
            }
        )
        with self.assertRaises(AccessError):
            holiday.with_user(self.supervisor).write({"name": "T Changed"})
        with self.assertRaises(AccessError):
            holiday.with_user(self.supervisor).unlink()
