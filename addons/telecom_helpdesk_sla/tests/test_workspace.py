from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.telecom_subscriber.tests.common import GROUP
from odoo.addons.telecom_subscriber.tests.common_workspace import (
    WorkspaceAssertions,
)

from .common import TelecomHelpdeskCommon

WORKSPACE = "telecom_subscriber.telecom_workspace_"


@tagged("post_install", "-at_install")
class TestTicketWorkspaces(WorkspaceAssertions, TelecomHelpdeskCommon):
    """Ticket, SLA and incident widgets on the workspaces: figures as the user
    (zone rules applied) equal the tickets their drill opens."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        north, _account = cls._create_subscriber("North Ticket Sub")
        south, _account = cls._create_subscriber(
            "South Ticket Sub", zone=cls.zone_south
        )
        cls.north_at_risk = cls._ticket(
            north, team_id=cls.team_tech.id, user_id=cls.front_office.id
        )
        cls.north_breached = cls._ticket(north, team_id=cls.team_tech.id)
        cls.south_at_risk = cls._ticket(south, team_id=cls.team_tech.id)
        cls.north_on_track = cls._ticket(north, team_id=cls.team_tech.id)
        (cls.north_at_risk | cls.south_at_risk).write({"sla_status": "at_risk"})
        cls.north_breached.write(
            {"sla_status": "breached", "telecom_escalation_level": 1}
        )
        cls.north_breached.sla_line_ids[:1].write(
            {"breached": True, "deadline": fields.Datetime.now()}
        )
        Incident = cls.env["telecom.incident"]
        cls.north_incident = Incident.create(
            {"name": "North outage", "region_ids": [(6, 0, cls.zone_north_city.ids)]}
        )
        Incident.create(
            {"name": "South outage", "region_ids": [(6, 0, cls.zone_south.ids)]}
        )

    def test_supervisor_breaches_escalations_and_risk(self):
        widgets = self.assertWidgetsMatchDrill(self.supervisor)
        self.assertEqual(
            self._drilled(self.supervisor, widgets["Breaches Today"]),
            self.north_breached,
        )
        self.assertEqual(widgets["Escalations"]["value"], 1)
        at_risk = widgets["Tickets at Risk"]
        self.assertEqual(
            self._drilled(self.supervisor, at_risk, at_risk["groups"][0]),
            self.north_at_risk | self.north_breached,
        )

    def test_front_office_my_sla_at_risk(self):
        widgets = self.assertWidgetsMatchDrill(self.front_office)
        self.assertEqual(
            self._drilled(self.front_office, widgets["My SLA at Risk"]),
            self.north_at_risk,
        )

    def test_noc_incidents_by_zone(self):
        widgets = self.assertWidgetsMatchDrill(self.tech_support)
        incidents = widgets["Open Incidents by Zone"]
        self.assertEqual(
            {group["label"] for group in incidents["groups"]},
            {self.zone_north_city.display_name},
        )
        self.assertEqual(
            self._drilled(self.tech_support, incidents, incidents["groups"][0]),
            self.north_incident,
        )
        _data, widgets = self._workspace_widgets(self.head_office, WORKSPACE + "noc")
        incidents = widgets["Open Incidents by Zone"]
        drilled = self._drilled(self.head_office, incidents)
        self.assertEqual(incidents["value"], len(drilled))
        self.assertIn(self.north_incident, drilled)
        self.assertEqual(len(drilled.filtered(lambda i: "outage" in i.name)), 2)


@tagged("post_install", "-at_install")
class TestSupervisorWorkspaceTour(HttpCase):
    """A supervisor (not an administrator) lands on the workspace and drills
    from the widget of tickets at risk (their team's group) to the tickets
    behind it: the ticket at risk, not the one on track."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        zone = cls.env["telecom.region"].create({"name": "Tour Zone", "code": "T-WS"})
        cls.supervisor = new_test_user(
            cls.env,
            login="tour_ws_supervisor",
            groups=GROUP + "supervisor",
            telecom_region_ids=[(6, 0, zone.ids)],
        )
        if "tour_enabled" in cls.supervisor._fields:
            cls.supervisor.tour_enabled = False
        team = cls.env["helpdesk.ticket.team"].create(
            {"name": "Tour Team", "user_ids": [(6, 0, cls.supervisor.ids)]}
        )
        partner = cls.env["res.partner"].create(
            {
                "name": "Tour Subscriber",
                "telecom_is_subscriber": True,
                "telecom_region_id": zone.id,
            }
        )
        Ticket = cls.env["helpdesk.ticket"]
        for name, sla_status in (("At Risk", "at_risk"), ("Calm", "on_track")):
            Ticket.create(
                {
                    "name": f"Tour ticket {name}",
                    "description": "<p>Down</p>",
                    "partner_id": partner.id,
                    "team_id": team.id,
                }
            ).write({"sla_status": sla_status})

    def test_supervisor_drills_to_the_tickets_at_risk(self):
        self.start_tour(
            "/odoo", "telecom_workspace_supervisor_drill", login="tour_ws_supervisor"
        )
