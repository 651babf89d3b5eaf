from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import TelecomHelpdeskCommon


@tagged("post_install", "-at_install")
class TestEscalation(TelecomHelpdeskCommon):
    """Escalation levels fire once per ticket, whatever the number of scans."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vip, _account = cls._create_subscriber("Viktor Vip", telecom_segment="vip")
        cls.team_front.user_id = cls.supervisor
        Rule = cls.env["telecom.escalation.rule"]
        cls.rule_noc = Rule.create(
            {
                "name": "T Half of the resolution: NOC",
                "level": "3",
                "trigger": "percent",
                "trigger_kind": "resolution",
                "trigger_percent": 50,
                "action_team_id": cls.team_noc.id,
                "notify_team_leader": True,
                "notify_assignee": False,
                "notify_activity": True,
                "notify_email": True,
            }
        )
        cls.rule_breach = Rule.create(
            {
                "name": "T First response breached: raise priority",
                "level": "2",
                "trigger": "breach",
                "trigger_kind": "first_response",
                "action_raise_priority": True,
                "notify_assignee": True,
                "notify_team_leader": False,
            }
        )

    def _activities(self, ticket, user):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "helpdesk.ticket"),
                ("res_id", "=", ticket.id),
                ("user_id", "=", user.id),
                (
                    "activity_type_id",
                    "=",
                    self.env.ref(
                        "telecom_helpdesk_sla.mail_activity_type_telecom_escalation"
                    ).id,
                ),
            ]
        )

    def test_percent_rule_fires_once_and_reassigns(self):
        Line = self.env["telecom.sla.line"]
        with freeze_time("2025-03-08 10:00:00"):  # VIP: 4 h resolution, 24/7
            ticket = self._ticket(
                self.vip, team_id=self.team_front.id, user_id=self.front_office.id
            )
        with freeze_time("2025-03-08 11:30:00"):  # 37.5 %
            Line._cron_scan()
        self.assertNotIn(self.rule_noc, ticket.telecom_escalation_firing_ids.rule_id)
        with freeze_time("2025-03-08 12:01:00"):  # 50 %
            Line._cron_scan()
            Line._cron_scan()
        with freeze_time("2025-03-08 12:30:00"):
            Line._cron_scan()
        self.assertEqual(
            ticket.telecom_escalation_firing_ids.filtered(
                lambda firing: firing.rule_id == self.rule_noc
            ).level,
            "3",
        )
        self.assertEqual(ticket.telecom_escalation_level, 3)
        self.assertEqual(ticket.team_id, self.team_noc)
        self.assertEqual(len(self._activities(ticket, self.noc_lead)), 1)
        mails = self.env["mail.mail"].search(
            [("model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(len(mails.filtered(lambda m: "Escalation" in m.subject)), 1)

    def test_breach_rule_raises_priority_once(self):
        Line = self.env["telecom.sla.line"]
        with freeze_time("2025-03-08 10:00:00"):
            ticket = self._ticket(
                self.vip,
                team_id=self.team_front.id,
                user_id=self.front_office.id,
                priority="1",
            )
        with freeze_time("2025-03-08 11:05:00"):  # first response (1 h) breached
            Line._cron_scan()
            Line._cron_scan()
        self.assertEqual(ticket.priority, "2")
        self.assertIn(self.rule_breach, ticket.telecom_escalation_firing_ids.rule_id)
        self.assertEqual(len(self._activities(ticket, self.front_office)), 1)

    def test_priority_rule_adds_followers(self):
        watcher = self.env["res.partner"].create({"name": "T Duty Manager"})
        rule = self.env["telecom.escalation.rule"].create(
            {
                "name": "T P1: management",
                "level": "4",
                "trigger": "priority",
                "priority_ids": [Command.set(self._priority("3").ids)],
                "follower_partner_ids": [Command.set(watcher.ids)],
                "notify_activity": False,
            }
        )
        with freeze_time("2025-03-08 10:00:00"):
            ticket = self._ticket(self.vip, telecom_impact="1", telecom_urgency="1")
            low = self._ticket(self.vip)
            self.env["telecom.sla.line"]._cron_scan()
        self.assertIn(watcher, ticket.message_partner_ids)
        self.assertEqual(ticket.telecom_escalation_firing_ids.rule_id, rule)
        self.assertNotIn(rule, low.telecom_escalation_firing_ids.rule_id)


@tagged("post_install", "-at_install")
class TestRouting(TelecomHelpdeskCommon):
    """Routing by zone, expertise and shift, balanced by open tickets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner_north, cls.account_north = cls._create_subscriber("North Client")
        cls.partner_south, _account = cls._create_subscriber(
            "South Client", zone=cls.zone_south
        )
        cls.evening_agent = cls._user("t_evening", ["tech_support"], cls.zone_north)
        cls.evening_agent.telecom_shift_calendar_id = cls.calendar_evening
        cls.day_agent = cls._user("t_day", ["tech_support"], cls.zone_north)
        cls.day_agent.telecom_shift_calendar_id = cls.calendar_business
        cls.team_tech.user_ids = [
            Command.set((cls.tech_support | cls.day_agent | cls.evening_agent).ids)
        ]
        cls.team_tech.user_id = cls.supervisor
        cls.team_south = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "T South Desk",
                "user_id": cls.supervisor.id,
                "user_ids": [Command.set(cls.evening_agent.ids)],
            }
        )
        Rule = cls.env["telecom.routing.rule"]
        cls.rule_north_internet = Rule.create(
            {
                "name": "T North internet",
                "sequence": 1,
                "region_ids": [Command.set(cls.zone_north.ids)],
                "category_ids": [Command.set(cls.category_internet.ids)],
                "team_id": cls.team_tech.id,
            }
        )
        cls.rule_south = Rule.create(
            {
                "name": "T South",
                "sequence": 2,
                "region_ids": [Command.set(cls.zone_south.ids)],
                "team_id": cls.team_south.id,
            }
        )
        cls.rule_default = Rule.create(
            {"name": "T Anything else", "sequence": 99, "team_id": cls.team_front.id}
        )

    def test_zone_and_expertise_choose_the_team(self):
        with freeze_time("2025-03-04 08:00:00"):
            internet = self._ticket(
                self.partner_north, category_id=self.category_no_service.id
            )
            billing = self._ticket(
                self.partner_north, category_id=self.category_billing.id
            )
        # a sub-category of Internet, in a city of the North
        self.assertEqual(internet.team_id, self.team_tech)
        self.assertEqual(billing.team_id, self.team_front)
        self.assertEqual(billing.user_id, self.front_office)

    def test_only_members_on_shift_and_least_loaded_first(self):
        # Tuesday 11:00 Moscow: the day agent works, the evening agent does not;
        # the NOC member without shift is always available
        with freeze_time("2025-03-04 08:00:00"):
            tickets = self.env["helpdesk.ticket"].create(
                [
                    {
                        "name": f"T outage {index}",
                        "description": "x",
                        "partner_id": self.partner_north.id,
                        "category_id": self.category_internet.id,
                    }
                    for index in range(4)
                ]
            )
        self.assertEqual(
            sorted(ticket.user_id.login for ticket in tickets),
            ["t_day", "t_day", "t_tech", "t_tech"],
        )
        # Tuesday 20:00 Moscow: the evening agent, the one without shift; the
        # day agent is off
        with freeze_time("2025-03-04 17:00:00"):
            evening = self.env["helpdesk.ticket"].create(
                [
                    {
                        "name": f"T evening {index}",
                        "description": "x",
                        "partner_id": self.partner_north.id,
                        "category_id": self.category_internet.id,
                    }
                    for index in range(2)
                ]
            )
        # the evening agent has no open ticket yet: first; then the least loaded
        self.assertEqual(evening[0].user_id, self.evening_agent)
        self.assertEqual(evening[1].user_id, self.evening_agent)

    def test_nobody_on_shift_leaves_the_ticket_in_the_queue(self):
        with freeze_time("2025-03-04 08:00:00"):  # 11:00 Moscow, evening shift off
            ticket = self._ticket(self.partner_south)
        self.assertEqual(ticket.team_id, self.team_south)
        self.assertFalse(ticket.user_id)
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(activity.user_id, self.supervisor)

    def test_explicit_team_is_kept(self):
        with freeze_time("2025-03-04 08:00:00"):
            ticket = self._ticket(self.partner_south, team_id=self.team_noc.id)
        self.assertEqual(ticket.team_id, self.team_noc)
