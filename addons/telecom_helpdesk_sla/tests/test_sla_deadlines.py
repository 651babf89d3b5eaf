from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import TelecomHelpdeskCommon, utc

HOUR = 3600


@tagged("post_install", "-at_install")
class TestSlaDeadlines(TelecomHelpdeskCommon):
    """Deadlines in working time: nights, weekends, holidays, time zones, 24/7.

    The business calendar works Monday to Friday, 09:00-18:00 Moscow time
    (06:00-15:00 UTC); all datetimes below are UTC.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner, cls.account = cls._create_subscriber("Anna Smirnova")
        cls.partner_south, _account = cls._create_subscriber(
            "Oleg Sibirtsev", zone=cls.zone_south
        )
        cls.vip, _account = cls._create_subscriber("Viktor Vip", telecom_segment="vip")

    def _holiday(self, name, start, end, **values):
        return self.env["resource.calendar.leaves"].create(
            {"name": name, "date_from": start, "date_to": end, **values}
        )

    def test_deadline_across_the_night(self):
        # Tuesday 17:00 Moscow: one working hour left today
        with freeze_time("2025-03-04 14:00:00"):
            ticket = self._ticket(self.partner)
        self.assertEqual(ticket.sla_policy_id, self.policy_fallback)
        # 8 h: 1 h on Tuesday, 7 h on Wednesday from 09:00 -> Wednesday 16:00 MSK
        self.assertEqual(
            self._line(ticket, "first_response").deadline, utc(2025, 3, 5, 13, 0)
        )
        # 40 h: Tue 1 + Wed 9 + Thu 9 + Fri 9 + Mon 9 + Tue 3 -> Tuesday 12:00 MSK
        self.assertEqual(
            self._line(ticket, "resolution").deadline, utc(2025, 3, 11, 9, 0)
        )
        self.assertEqual(ticket.sla_deadline, utc(2025, 3, 5, 13, 0))
        self.assertEqual(ticket.sla_status, "on_track")

    def test_deadline_across_the_weekend(self):
        # Friday 17:00 Moscow
        with freeze_time("2025-03-07 14:00:00"):
            ticket = self._ticket(self.partner)
        # 1 h on Friday, nothing on Saturday and Sunday, 7 h on Monday
        self.assertEqual(
            self._line(ticket, "first_response").deadline, utc(2025, 3, 10, 13, 0)
        )

    def test_deadline_across_a_public_holiday(self):
        # Monday 10 March is a holiday of the whole company (Moscow day)
        self._holiday("T Holiday", utc(2025, 3, 9, 21, 0), utc(2025, 3, 10, 20, 59, 59))
        with freeze_time("2025-03-07 14:00:00"):
            ticket = self._ticket(self.partner)
        # Friday 1 h, Monday off, Tuesday 7 h -> Tuesday 16:00 MSK
        self.assertEqual(
            self._line(ticket, "first_response").deadline, utc(2025, 3, 11, 13, 0)
        )

    def test_time_zone_and_regional_holiday_of_the_zone(self):
        self.policy_fallback.tz_source = "region"
        with freeze_time("2025-03-07 07:00:00"):  # 10:00 Moscow, 14:00 Novosibirsk
            north = self._ticket(self.partner)
            south = self._ticket(self.partner_south)
        # Moscow: 10:00 + 8 h = Friday 18:00 MSK
        self.assertEqual(
            self._line(north, "first_response").deadline, utc(2025, 3, 7, 15, 0)
        )
        # Novosibirsk: 4 h on Friday (14-18), 4 h on Monday -> 13:00 NSK
        self.assertEqual(
            self._line(south, "first_response").deadline, utc(2025, 3, 10, 6, 0)
        )
        self.assertEqual(
            self._line(south, "first_response").calendar_region_id,
            south.telecom_region_id,
        )
        # a holiday of the southern zone only, on Monday (Novosibirsk day)
        self._holiday(
            "T Southern Day",
            utc(2025, 3, 9, 17, 0),
            utc(2025, 3, 10, 16, 59, 59),
            telecom_region_id=self.zone_south.id,
        )
        with freeze_time("2025-03-07 07:00:00"):
            self.env["telecom.sla.line"]._cron_recompute()
        self.assertEqual(
            self._line(south, "first_response").deadline, utc(2025, 3, 11, 6, 0)
        )
        self.assertEqual(
            self._line(north, "first_response").deadline, utc(2025, 3, 7, 15, 0)
        )

    def test_company_holiday_follows_the_wall_clock_of_each_zone(self):
        """A national holiday entered as a Moscow day is the whole local day in
        Novosibirsk too, not 04:00 to 04:00."""
        self.policy_fallback.tz_source = "region"
        self._holiday("T Holiday", utc(2025, 3, 9, 21, 0), utc(2025, 3, 10, 20, 59, 59))
        with freeze_time("2025-03-07 07:00:00"):
            south = self._ticket(self.partner_south)
        self.assertEqual(
            self._line(south, "first_response").deadline, utc(2025, 3, 11, 6, 0)
        )

    def test_round_the_clock_policy_ignores_nights_and_holidays(self):
        self._holiday("T Holiday", utc(2025, 3, 7, 21, 0), utc(2025, 3, 8, 20, 59, 59))
        with freeze_time("2025-03-08 10:00:00"):  # Saturday, a holiday
            ticket = self._ticket(self.vip)
        self.assertEqual(ticket.sla_policy_id, self.policy_vip)
        self.assertEqual(
            self._line(ticket, "first_response").deadline, utc(2025, 3, 8, 11, 0)
        )
        self.assertEqual(
            self._line(ticket, "resolution").deadline, utc(2025, 3, 8, 14, 0)
        )

    def test_warning_date_at_the_threshold(self):
        with freeze_time("2025-03-08 10:00:00"):
            ticket = self._ticket(self.vip)
        # 75 % of one hour
        self.assertEqual(
            self._line(ticket, "first_response").warning_date, utc(2025, 3, 8, 10, 45)
        )

    def test_policy_precedence_and_matrix(self):
        with freeze_time("2025-03-04 07:00:00"):
            critical = self._ticket(
                self.partner, telecom_impact="1", telecom_urgency="1"
            )
            vip_critical = self._ticket(
                self.vip, telecom_impact="1", telecom_urgency="2"
            )
            minor = self._ticket(self.partner, telecom_impact="4", telecom_urgency="4")
        # impact × urgency -> P1 (helpdesk_mgmt's "3")
        self.assertEqual(critical.priority, "3")
        self.assertEqual(critical.sla_policy_id, self.policy_p1)
        # VIP (sequence 10) comes before P1 (sequence 20)
        self.assertEqual(vip_critical.priority, "3")
        self.assertEqual(vip_critical.sla_policy_id, self.policy_vip)
        self.assertEqual(minor.priority, "0")
        self.assertEqual(minor.sla_policy_id, self.policy_fallback)

    def test_priority_change_retargets_the_open_ticket(self):
        with freeze_time("2025-03-04 07:00:00"):
            ticket = self._ticket(self.partner)
        with freeze_time("2025-03-04 08:00:00"):
            ticket.write({"telecom_impact": "1", "telecom_urgency": "1"})
        self.assertEqual(ticket.sla_policy_id, self.policy_p1)
        resolution = self._line(ticket, "resolution")
        self.assertEqual(resolution.policy_id, self.policy_p1)
        # the clock keeps its start: 8 h round the clock from 07:00
        self.assertEqual(resolution.start_date, utc(2025, 3, 4, 7, 0))
        self.assertEqual(resolution.deadline, utc(2025, 3, 4, 15, 0))
        self.assertTrue(self._events(ticket, "recomputed", "resolution"))

    def test_target_change_recomputes_open_tickets(self):
        with freeze_time("2025-03-08 10:00:00"):
            ticket = self._ticket(self.vip)
            target = self.policy_vip.target_ids.filtered(
                lambda t: t.kind == "resolution"
            )
            target.hours = 6
            self.env["telecom.sla.line"]._cron_recompute()
        self.assertEqual(
            self._line(ticket, "resolution").deadline, utc(2025, 3, 8, 16, 0)
        )

    def test_calendar_change_recomputes_open_tickets(self):
        with freeze_time("2025-03-07 14:00:00"):
            ticket = self._ticket(self.partner)
            # Saturday becomes a working day 09:00-18:00
            self.calendar_business.attendance_ids = [
                Command.create(
                    {
                        "name": "Saturday",
                        "dayofweek": "5",
                        "hour_from": 9,
                        "hour_to": 18,
                        "day_period": "morning",
                    }
                )
            ]
            self.assertTrue(self._line(ticket, "first_response").needs_recompute)
            self.env["telecom.sla.line"]._cron_recompute()
        self.assertEqual(
            self._line(ticket, "first_response").deadline, utc(2025, 3, 8, 13, 0)
        )

    def test_created_in_a_closed_stage_has_no_running_clock(self):
        with freeze_time("2025-03-04 07:00:00"):
            ticket = self._ticket(self.partner, stage_id=self.stage_done.id)
        self.assertFalse(ticket.sla_line_ids)

    def test_explanation_names_policy_calendar_holidays_and_pauses(self):
        self._holiday("T Holiday", utc(2025, 3, 9, 21, 0), utc(2025, 3, 10, 20, 59, 59))
        with freeze_time("2025-03-07 14:00:00"):
            ticket = self._ticket(self.partner)
        with freeze_time("2025-03-07 14:30:00"):
            ticket.stage_id = self.stage_waiting
        with freeze_time("2025-03-11 07:00:00"):
            ticket.stage_id = self.stage_progress
            explanation = str(ticket.sla_explanation)
        self.assertIn("T Standard", explanation)
        self.assertIn("fallback", explanation)
        self.assertIn("T VIP 24/7", explanation)  # tried first, did not match
        self.assertIn("T Business Hours", explanation)
        self.assertIn("Europe/Moscow", explanation)
        self.assertIn("T Holiday", explanation)
        self.assertIn("Paused", explanation)
        # 30 min on Friday + 1 h on Tuesday: 1.5 working hours not counted
        self.assertIn("1.5 working hours not counted", explanation)
