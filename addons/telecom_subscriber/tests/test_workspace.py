from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import GROUP, TelecomCommon
from .common_workspace import WorkspaceAssertions

WORKSPACE = "telecom_subscriber.telecom_workspace_"


@tagged("post_install", "-at_install")
class TestWorkspace(WorkspaceAssertions, TelecomCommon):
    """Role workspaces: each role lands on its own, every widget counts the
    records the user may see (zone rules applied) and opens exactly those."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _partner, north_account = cls._create_subscriber("North Sub")
        _partner, south_account = cls._create_subscriber(
            "South Sub", zone=cls.zone_south
        )
        north_lines = [cls._activate_line(north_account) for _i in range(4)]
        south_line = cls._activate_line(south_account)
        Request = cls.env["telecom.request"]

        def termination(service):
            request = Request.create(
                {
                    "request_type": "termination",
                    "partner_id": service.partner_id.id,
                    "service_id": service.id,
                    "termination_reason": "price",
                }
            )
            request.action_submit()
            return request

        cls.open_termination = termination(north_lines[0])
        termination(north_lines[1]).action_retain()
        termination(north_lines[2]).action_complete()
        cls.south_termination = termination(south_line)
        # the front office agent's queue: one request of theirs, one unassigned
        cls.my_request = Request.create(
            {
                "request_type": "block",
                "partner_id": north_lines[3].partner_id.id,
                "service_id": north_lines[3].id,
                "block_reason": "lost_sim",
                "user_id": cls.front_office.id,
                "date_deadline": "2000-01-01",
            }
        )
        cls.env["telecom.request"].search(
            [("id", "in", (cls.open_termination | cls.south_termination).ids)]
        ).write({"user_id": False})

    def test_home_is_the_workspace_of_the_main_role(self):
        expected = {
            self.front_office: "front_office",
            self.retention_agent: "retention",
            self.tech_support: "noc",
            self.supervisor: "supervisor",
            self.head_office: "supervisor",
        }
        for user, workspace in expected.items():
            with self.subTest(user=user.login):
                action = user._telecom_home_action()
                self.assertEqual(action["tag"], "telecom_workspace")
                self.assertEqual(
                    action["params"]["workspace_id"],
                    self.env.ref(WORKSPACE + workspace).id,
                )

    def test_home_without_workspace_falls_back_to_the_role_list(self):
        self.env["telecom.workspace"].search([]).active = False
        action = self.retention_agent._telecom_home_action()
        self.assertEqual(
            action["xml_id"], "telecom_subscriber.telecom_request_action_termination"
        )

    def test_retention_widgets_count_the_zone_of_the_user(self):
        _data, widgets = self._workspace_widgets(self.retention_agent)
        self.assertEqual(_data["name"], "Retention")
        # the south termination is outside the agent's zone
        self.assertEqual(widgets["Terminations to Save"]["value"], 1)
        self.assertEqual(
            self._drilled(self.retention_agent, widgets["Terminations to Save"]),
            self.open_termination,
        )
        # one retained, one lost
        self.assertEqual(widgets["Retention Success"]["value"], 50.0)
        self.assertEqual(widgets["Why They Leave"]["groups"][0]["count"], 1)
        self.assertWidgetsMatchDrill(self.retention_agent)
        # head office sees every zone
        _data, widgets = self._workspace_widgets(
            self.head_office, WORKSPACE + "retention"
        )
        drilled = self._drilled(self.head_office, widgets["Terminations to Save"])
        self.assertEqual(widgets["Terminations to Save"]["value"], len(drilled))
        self.assertIn(self.south_termination, drilled)

    def test_front_office_widgets(self):
        widgets = self.assertWidgetsMatchDrill(self.front_office)
        self.assertEqual(widgets["My Queue"]["value"], 1)
        self.assertEqual(widgets["My Overdue Requests"]["value"], 1)
        self.assertTrue(widgets["My Overdue Requests"]["alert"])
        self.assertEqual(widgets["Subscribers Waiting"]["value"], 1)
        self.assertEqual(
            self._drilled(self.front_office, widgets["My Queue"]), self.my_request
        )

    def test_supervisor_team_load_per_agent(self):
        widgets = self.assertWidgetsMatchDrill(self.supervisor)
        load = {g["label"]: g["count"] for g in widgets["Team Load"]["groups"]}
        self.assertEqual(load[self.front_office.name], 1)
        for role in ("noc", "front_office", "retention", "b2b"):
            with self.subTest(workspace=role):
                self.assertWidgetsMatchDrill(self.supervisor, WORKSPACE + role)

    def test_workspace_of_another_role_is_closed(self):
        with self.assertRaises(AccessError):
            self._workspace_widgets(self.front_office, WORKSPACE + "supervisor")
        widget = self.env.ref(
            "telecom_subscriber.telecom_workspace_widget_team_load"
        ).with_user(self.front_office)
        with self.assertRaises(AccessError):
            widget.action_drill()

    def test_head_office_adjusts_a_workspace_without_code(self):
        workspace = self.env.ref(WORKSPACE + "front_office")
        Widget = self.env["telecom.workspace.widget"]
        with self.assertRaises(AccessError):
            Widget.with_user(self.supervisor).create(
                {
                    "workspace_id": workspace.id,
                    "name": "Claims",
                    "model_id": self.env.ref(
                        "telecom_subscriber.model_telecom_request"
                    ).id,
                }
            )
        Widget.with_user(self.head_office).create(
            {
                "workspace_id": workspace.id,
                "name": "Open Claims",
                "model_id": self.env.ref("telecom_subscriber.model_telecom_request").id,
                "domain": "[('request_type', '=', 'claim'), ('is_closed', '=', False)]",
            }
        )
        _data, widgets = self._workspace_widgets(self.front_office)
        self.assertEqual(widgets["Open Claims"]["value"], 0)
        with self.assertRaises(ValidationError):
            Widget.with_user(self.head_office).create(
                {
                    "workspace_id": workspace.id,
                    "name": "Broken",
                    "model_id": self.env.ref(
                        "telecom_subscriber.model_telecom_request"
                    ).id,
                    "domain": "[('no_such_field', '=', 1)]",
                }
            )
        with self.assertRaises(ValidationError):
            Widget.with_user(self.head_office).create(
                {
                    "workspace_id": workspace.id,
                    "name": "Broken Group",
                    "kind": "group",
                    "group_by": "reason",
                    "model_id": self.env.ref(
                        "telecom_subscriber.model_telecom_request"
                    ).id,
                }
            )

    def test_widget_of_a_model_the_user_cannot_read_is_left_out(self):
        workspace = self.env.ref(WORKSPACE + "front_office")
        self.env["telecom.workspace.widget"].create(
            {
                "workspace_id": workspace.id,
                "name": "Audit Entries",
                "model_id": self.env.ref(
                    "telecom_subscriber.model_telecom_audit_log"
                ).id,
            }
        )
        _data, widgets = self._workspace_widgets(self.front_office)
        self.assertNotIn("Audit Entries", widgets)
        _data, widgets = self._workspace_widgets(
            self.supervisor, WORKSPACE + "front_office"
        )
        self.assertIn("Audit Entries", widgets)

    def test_plain_agent_lands_on_front_office(self):
        agent = new_test_user(
            self.env,
            login="t_ws_agent",
            groups=GROUP + "user",
            telecom_region_ids=[(6, 0, self.zone_north.ids)],
        )
        action = agent._telecom_home_action()
        self.assertEqual(
            action["params"]["workspace_id"],
            self.env.ref(WORKSPACE + "front_office").id,
        )
