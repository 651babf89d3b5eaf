from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TelecomHelpdeskCommon, utc

HOUR = 3600


@tagged("post_install", "-at_install")
class TestSlaClock(TelecomHelpdeskCommon):
    """Pauses, replies, closing and reopening; warnings and breaches once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner, cls.account = cls._create_subscriber("Anna Smirnova")
        cls.vip, _account = cls._create_subscriber("Viktor Vip", telecom_segment="vip")
        cls.team_front.user_id = cls.supervisor

    def test_pause_in_waiting_stage_and_resume(self):
        with freeze_time("2025-03-04 07:00:00"):  # Tuesday 10:00 Moscow
            ticket = self._ticket(self.partner, team_id=self.team_front.id)
        resolution = self._line(ticket, "resolution")
        # 40 working hours -> Monday 14:00 Moscow
        self.assertEqual(resolution.deadline, utc(2025, 3, 10, 11, 0))
        with freeze_time("2025-03-04 08:00:00"):
            ticket.stage_id = self.stage_waiting
        self.assertEqual(resolution.status, "paused")
        self.assertEqual(ticket.sla_status, "paused")
        with freeze_time("2025-03-05 08:00:00"):  # Wednesday 11:00 Moscow
            ticket.stage_id = self.stage_progress
        # paused: Tuesday 11:00-18:00 (7 h) + Wednesday 09:00-11:00 (2 h)
        self.assertEqual(resolution.status, "running")
        self.assertAlmostEqual(resolution.paused_work_seconds, 9 * HOUR)
        self.assertEqual(resolution.deadline, utc(2025, 3, 11, 11, 0))
        self.assertEqual(len(self._events(ticket, "paused", "resolution")), 1)
        resumed = self._events(ticket, "resumed", "resolution")
        self.assertEqual(len(resumed), 1)
        self.assertAlmostEqual(resumed.work_seconds, 9 * HOUR)
        # consumed: 1 h on Tuesday, nothing more (clock frozen at 11:00 Wed)
        with freeze_time("2025-03-05 08:00:00"):
            resolution.invalidate_recordset(["consumed_hours"])
            self.assertAlmostEqual(resolution.consumed_hours, 1.0)

    def test_subscriber_reply_resumes_the_clock(self):
        with freeze_time("2025-03-04 07:00:00"):
            ticket = self._ticket(self.partner)
        with freeze_time("2025-03-04 08:00:00"):
            ticket.stage_id = self.stage_waiting
        with freeze_time("2025-03-04 09:00:00"):
            ticket.message_post(
                body="It works again but slowly",
                author_id=self.partner.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(ticket.stage_id, self.stage_progress)
        resolution = self._line(ticket, "resolution")
        self.assertEqual(resolution.status, "running")
        self.assertAlmostEqual(resolution.paused_work_seconds, 1 * HOUR)

    def test_first_response_met_by_public_reply_not_by_note(self):
        with freeze_time("2025-03-04 07:00:00"):
            ticket = self._ticket(self.partner, team_id=self.team_front.id)
        agent_ticket = ticket.with_user(self.front_office)
        with freeze_time("2025-03-04 07:10:00"):
            agent_ticket.message_post(body="checking", subtype_xmlid="mail.mt_note")
        self.assertEqual(self._line(ticket, "first_response").status, "running")
        with freeze_time("2025-03-04 07:20:00"):
            agent_ticket.message_post(
                body="We are on it",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        first = self._line(ticket, "first_response")
        self.assertEqual(first.status, "met")
        self.assertEqual(first.done_date, utc(2025, 3, 4, 7, 20))
        self.assertEqual(ticket.telecom_first_response_date, utc(2025, 3, 4, 7, 20))
        self.assertEqual(self._line(ticket, "resolution").status, "running")

    def test_update_target_restarts_at_each_public_reply(self):
        with freeze_time("2025-03-08 10:00:00"):
            ticket = self._ticket(self.vip)
        update = self._line(ticket, "update")
        self.assertEqual(update.deadline, utc(2025, 3, 8, 12, 0))
        with freeze_time("2025-03-08 11:30:00"):
            ticket.message_post(
                body="Engineer dispatched",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(update.status, "running")
        self.assertEqual(update.start_date, utc(2025, 3, 8, 11, 30))
        self.assertEqual(update.deadline, utc(2025, 3, 8, 13, 30))
        self.assertEqual(len(self._events(ticket, "met", "update")), 1)
        self.assertEqual(len(self._events(ticket, "started", "update")), 2)

    def test_close_meets_targets_and_reopen_keeps_consumed_time(self):
        with freeze_time("2025-03-08 10:00:00"):
            ticket = self._ticket(self.vip)
        with freeze_time("2025-03-08 11:00:00"):
            ticket.stage_id = self.stage_done
        resolution = self._line(ticket, "resolution")
        self.assertEqual(resolution.status, "met")
        self.assertEqual(ticket.sla_status, "met")
        self.assertFalse(ticket.sla_deadline)
        with freeze_time("2025-03-08 20:00:00"):  # 9 h later, 24/7 calendar
            ticket.stage_id = self.stage_progress
        self.assertEqual(resolution.status, "running")
        self.assertEqual(len(self._events(ticket, "reopened", "resolution")), 1)
        # 1 h consumed before closing, the 9 closed hours do not count: 3 h left
        self.assertEqual(resolution.deadline, utc(2025, 3, 8, 23, 0))

    def test_warning_and_breach_fire_exactly_once(self):
        Line = self.env["telecom.sla.line"]
        with freeze_time("2025-03-08 10:00:00"):
            ticket = self._ticket(
                self.vip, team_id=self.team_front.id, user_id=self.front_office.id
            )
        with freeze_time("2025-03-08 10:50:00"):
            warned, breached = Line._cron_scan()
            self.assertEqual([row[2] for row in warned], ["first_response"])
            self.assertFalse(breached)
            again = Line._cron_scan()
            self.assertEqual(again, ([], []))
        self.assertEqual(ticket.sla_status, "at_risk")
        self.assertEqual(len(self._events(ticket, "warned")), 1)
        reminders = self.env["mail.activity"].search(
            [
                ("res_model", "=", "helpdesk.ticket"),
                ("res_id", "=", ticket.id),
                (
                    "activity_type_id",
                    "=",
                    self.env.ref(
                        "telecom_helpdesk_sla.mail_activity_type_telecom_sla_risk"
                    ).id,
                ),
            ]
        )
        # the assignee and the team leader, once
        self.assertEqual(reminders.user_id, self.front_office | self.supervisor)
        with freeze_time("2025-03-08 11:01:00"):
            warned, breached = Line._cron_scan()
            self.assertEqual([row[2] for row in breached], ["first_response"])
            self.assertEqual(Line._cron_scan(), ([], []))
        self.assertEqual(ticket.sla_status, "breached")
        self.assertEqual(len(self._events(ticket, "breached")), 1)
        first = self._line(ticket, "first_response")
        self.assertTrue(first.breached)
        self.assertEqual(first.breach_count, 1)
        # answered late: the target is reached, but stays breached
        with freeze_time("2025-03-08 11:10:00"):
            ticket.message_post(
                body="Sorry", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.assertEqual(first.status, "breached")

    def test_paused_clock_never_breaches(self):
        Line = self.env["telecom.sla.line"]
        with freeze_time("2025-03-08 10:00:00"):
            ticket = self._ticket(self.vip)
        with freeze_time("2025-03-08 10:10:00"):
            ticket.stage_id = self.stage_waiting
        with freeze_time("2025-03-09 10:00:00"):
            self.assertEqual(Line._cron_scan(), ([], []))
        self.assertEqual(ticket.sla_status, "paused")

    def test_events_are_append_only(self):
        with freeze_time("2025-03-08 10:00:00"):
            ticket = self._ticket(self.vip)
        event = ticket.sla_event_ids[:1]
        with self.assertRaises(UserError):
            event.write({"reason": "rewritten"})
        with self.assertRaises(UserError):
            event.unlink()

    def test_single_fallback_per_company(self):
        from odoo.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            self._policy("T Second Fallback", {"resolution": 10}, is_fallback=True)

    def test_bad_target_is_refused(self):
        from odoo.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            self._policy("T Bad", {"resolution": 0})
        with self.assertRaises(ValidationError):
            self._policy("T Too Long", {"resolution": 5000})

    def test_open_tickets_of_an_existing_helpdesk_get_their_sla(self):
        ticket = self._ticket()
        closed = self._ticket(stage_id=self.stage_done.id)
        # as a helpdesk_mgmt ticket created before this addon was installed
        self.env.cr.execute(
            "DELETE FROM telecom_sla_line WHERE ticket_id IN %s",
            [(ticket.id, closed.id)],
        )
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET sla_policy_id = NULL WHERE id IN %s",
            [(ticket.id, closed.id)],
        )
        self.env.invalidate_all()
        self.env["helpdesk.ticket"]._sla_start_existing_tickets()
        self.assertEqual(ticket.sla_policy_id, self.policy_fallback)
        self.assertTrue(self._line(ticket, "resolution").deadline)
        self.assertFalse(closed.sla_line_ids, "closed tickets are left alone")
        self.assertFalse(closed.sla_policy_id)
