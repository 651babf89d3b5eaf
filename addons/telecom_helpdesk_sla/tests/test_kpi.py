from odoo.tests import tagged

from odoo.addons.telecom_subscriber.tests.common_kpi import TelecomKpiCommon

from .common import TelecomHelpdeskCommon


@tagged("post_install", "-at_install")
class TestKpiTickets(TelecomHelpdeskCommon, TelecomKpiCommon):
    """The ticket KPIs against hand-computed examples (formulas in the readme):
    per zone, team, priority and escalation level."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner, _account = cls._create_subscriber("Ticket KPIs")
        cls.partner_south, _account = cls._create_subscriber(
            "Ticket KPIs South", zone=cls.zone_south
        )

    def _ticket_in(self, team, priority, partner=None):
        return self._ticket(partner or self.partner, team_id=team.id, priority=priority)

    def _decide(self, ticket, kind, deadline, status, breached=False):
        self._line(ticket, kind).write(
            {"deadline": deadline, "status": status, "breached": breached}
        )

    def test_sla_compliance_per_priority_and_team(self):
        first = self._ticket_in(self.team_tech, "2")
        self._decide(first, "first_response", self.at(4, 2), "met")
        self._decide(first, "resolution", self.at(4, 5), "breached", breached=True)
        second = self._ticket_in(self.team_tech, "2")
        # still running, not breached: not decided, not counted
        self._decide(second, "first_response", self.at(4, 3), "running")
        # met, but late
        self._decide(second, "resolution", self.at(4, 8), "met", breached=True)
        critical = self._ticket_in(self.team_noc, "3")
        self._decide(critical, "first_response", self.at(4, 4), "met")
        self._decide(critical, "resolution", self.at(4, 9), "cancelled")
        south = self._ticket_in(self.team_noc, "3", partner=self.partner_south)
        self._decide(south, "first_response", self.at(4, 4), "met", breached=True)
        kpi = self._measure("sla_compliance")
        zone = self.zone_north_city
        self.assertEqual(
            self._figures(kpi, zone, team_id=self.team_tech.id, priority="2"),
            {(2024, 4): (1.0, 3.0, 33.33)},
        )
        self.assertEqual(
            self._figures(kpi, zone, team_id=self.team_noc.id, priority="3"),
            {(2024, 4): (1.0, 1.0, 100.0)},
        )
        self.assertEqual(
            self._figures(kpi, self.zone_south, team_id=self.team_noc.id),
            {(2024, 4): (0.0, 1.0, 0.0)},
        )
        # the supervisor of the north does not see the south's figures
        seen = self.Measurement.with_user(self.supervisor).search(
            [("kpi_id", "=", kpi.id)]
        )
        self.assertIn(zone, seen.region_id)
        self.assertNotIn(self.zone_south, seen.region_id)

    def test_time_to_each_escalation_level(self):
        rules = {
            level: self.env["telecom.escalation.rule"].create(
                {"name": f"T Level {level}", "level": level, "active": False}
            )
            for level in ("2", "3")
        }
        first = self._ticket_in(self.team_tech, "2")
        second = self._ticket_in(self.team_tech, "2")
        first.telecom_sla_start_date = self.at(4, 1, 8)
        second.telecom_sla_start_date = self.at(4, 3, 8)
        Firing = self.env["telecom.escalation.firing"]
        for ticket, level, when in (
            (first, "2", self.at(4, 1, 10)),  # 2 h
            (first, "3", self.at(4, 1, 14)),  # 6 h
            (second, "2", self.at(4, 3, 12)),  # 4 h
        ):
            Firing.create(
                {
                    "ticket_id": ticket.id,
                    "rule_id": rules[level].id,
                    "level": level,
                    "date": when,
                    "company_id": ticket.company_id.id,
                }
            )
        kpi = self._measure("escalation_speed")
        zone, team = self.zone_north_city, self.team_tech.id
        self.assertEqual(
            self._figures(kpi, zone, team_id=team, escalation_level="2"),
            {(2024, 4): (6.0, 2.0, 3.0)},
        )
        self.assertEqual(
            self._figures(kpi, zone, team_id=team, escalation_level="3"),
            {(2024, 4): (6.0, 1.0, 6.0)},
        )
        level_3 = self._measurement(kpi, zone, 4, escalation_level="3")
        self.assertEqual((level_3.target, level_3.target_met), (8.0, True))

    def test_ticket_csat(self):
        for team, priority, rating, month in (
            (self.team_tech, "2", "5", 4),
            (self.team_tech, "2", "3", 4),
            (self.team_tech, "2", "4", 2),
            (self.team_tech, "2", "2", 3),
        ):
            ticket = self._ticket_in(team, priority)
            ticket.write(
                {"telecom_satisfaction": rating, "closed_date": self.at(month, 10)}
            )
        # rated but still open: not counted
        self._ticket_in(self.team_tech, "2").telecom_satisfaction = "1"
        kpi = self._measure("ticket_csat")
        zone, team = self.zone_north_city, self.team_tech.id
        self.assertEqual(
            self._figures(kpi, zone, team_id=team, priority="2"),
            {
                (2024, 2): (1.0, 1.0, 100.0),
                (2024, 3): (0.0, 1.0, 0.0),
                (2024, 4): (1.0, 2.0, 50.0),
            },
        )
        april = self._measurement(kpi, zone, 4, team_id=team, priority="2")
        # baseline February-March: 1 of 2 = 50 %, so April is stable
        self.assertEqual(
            (april.baseline_value, april.change_vs_baseline, april.trend),
            (50.0, 0.0, "stable"),
        )

    def test_contact_kpis_per_team_of_the_agent(self):
        """Contacts count for the helpdesk team of their agent."""
        for agent, duration in (
            (self.front_office, 4),
            (self.front_office, 6),
            (self.tech_support, 10),
            (self.retention_agent, 3),  # in no team
        ):
            self.env["telecom.interaction"].create(
                {
                    "partner_id": self.partner.id,
                    "date": self.at(4, 2),
                    "channel": "call",
                    "agent_id": agent.id,
                    "summary": "KPI example",
                    "duration": duration,
                }
            )
        kpi = self._measure("handling_time")
        zone = self.zone_north_city
        self.assertEqual(
            self._figures(kpi, zone, channel="call", team_id=self.team_front.id),
            {(2024, 4): (10.0, 2.0, 5.0)},
        )
        self.assertEqual(
            self._figures(kpi, zone, channel="call", team_id=self.team_tech.id),
            {(2024, 4): (10.0, 1.0, 10.0)},
        )
        self.assertEqual(
            self._figures(kpi, zone, channel="call", team_id=False),
            {(2024, 4): (3.0, 1.0, 3.0)},
        )
