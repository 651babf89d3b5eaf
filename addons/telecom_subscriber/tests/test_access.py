from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import GROUP, TelecomCommon


@tagged("post_install", "-at_install")
class TestAccess(TelecomCommon):
    """Record rules per zone, company and role, exercised as real users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.north_partner, cls.north_account = cls._create_subscriber("North Client")
        cls.north_line = cls._activate_line(cls.north_account)
        cls.south_partner, cls.south_account = cls._create_subscriber(
            "South Client", zone=cls.zone_south
        )
        cls.south_line = cls._activate_line(cls.south_account)
        cls.branch = cls.env["res.company"].create({"name": "Branch Two"})
        cls.zone_branch = cls.env["telecom.region"].create(
            {"name": "Branch Zone", "code": "T-B2", "company_id": cls.branch.id}
        )
        cls.branch_partner = cls.env["res.partner"].create(
            {
                "name": "Branch Client",
                "telecom_is_subscriber": True,
                "company_id": cls.branch.id,
            }
        )
        cls.branch_account = cls.env["telecom.account"].create(
            {
                "partner_id": cls.branch_partner.id,
                "company_id": cls.branch.id,
                "region_id": cls.zone_branch.id,
            }
        )

    def _visible(self, user, model, records):
        return self.env[model].with_user(user).search([("id", "in", records.ids)])

    def test_agent_sees_own_zone_and_below_only(self):
        services = self.north_line | self.south_line
        self.assertEqual(
            self._visible(self.front_office, "telecom.service", services),
            self.north_line,
        )
        self.assertEqual(
            self._visible(self.front_office_south, "telecom.service", services),
            self.south_line,
        )
        partners = self.north_partner | self.south_partner
        self.assertEqual(
            self._visible(self.front_office, "res.partner", partners),
            self.north_partner,
        )
        requests = self.north_line.request_ids | self.south_line.request_ids
        self.assertEqual(
            self._visible(self.front_office, "telecom.request", requests),
            self.north_line.request_ids,
        )
        timeline = self.env["telecom.interaction"].search(
            [("partner_id", "in", partners.ids)]
        )
        visible_timeline = self._visible(
            self.front_office, "telecom.interaction", timeline
        )
        self.assertEqual(visible_timeline.partner_id, self.north_partner)

    def test_events_follow_the_zone_of_their_fact(self):
        Event = self.env["telecom.event"]
        south = Event._emit("ticket.created", [{"partner_id": self.south_partner.id}])
        north = Event._emit("ticket.created", [{"partner_id": self.north_partner.id}])
        self.assertEqual(south.region_id, self.zone_south)
        self.assertEqual(north.region_id, self.zone_north_city)
        self.assertEqual(
            self._visible(self.front_office, "telecom.event", south | north), north
        )

    def test_agent_cannot_open_another_zone_record(self):
        with self.assertRaises(AccessError):
            self.south_line.with_user(self.front_office).read(["msisdn"])
        with self.assertRaises(AccessError):
            self.south_partner.with_user(self.front_office).read(["name"])

    def test_agent_cannot_create_in_another_zone(self):
        with self.assertRaises(AccessError):
            self.env["telecom.account"].with_user(self.front_office).create(
                {"partner_id": self.north_partner.id, "region_id": self.zone_south.id}
            )

    def test_supervisor_sees_their_zones_head_office_all(self):
        services = self.north_line | self.south_line
        self.assertEqual(
            self._visible(self.supervisor, "telecom.service", services), self.north_line
        )
        self.assertEqual(
            self._visible(self.head_office, "telecom.service", services), services
        )

    def test_zone_change_applies_immediately(self):
        self.front_office.telecom_region_ids = [(4, self.zone_south.id)]
        services = self.north_line | self.south_line
        self.assertEqual(
            self._visible(self.front_office, "telecom.service", services), services
        )

    def test_zone_change_from_the_zone_applies_immediately(self):
        services = self.north_line | self.south_line
        self._visible(self.front_office, "telecom.service", services)  # cached rules
        self.zone_south.user_ids = [(4, self.front_office.id)]
        self.assertEqual(
            self._visible(self.front_office, "telecom.service", services), services
        )

    def test_branch_records_need_the_branch_company(self):
        head = self._visible(self.head_office, "telecom.account", self.branch_account)
        self.assertFalse(head, "a user of the main company does not see another branch")
        self.head_office.write({"company_ids": [(4, self.branch.id)]})
        in_branch = (
            self.env["telecom.account"]
            .with_user(self.head_office)
            .with_context(allowed_company_ids=[self.branch.id, self.company.id])
            .search([("id", "=", self.branch_account.id)])
        )
        self.assertEqual(in_branch, self.branch_account)

    def test_roles(self):
        # only supervisors read the audit log and run imports
        with self.assertRaises(AccessError):
            self.env["telecom.audit.log"].with_user(self.front_office).search([])
        self.env["telecom.audit.log"].with_user(self.supervisor).search([])
        with self.assertRaises(AccessError):
            self.env["telecom.import"].with_user(self.front_office).search([])
        # agents read the catalog configuration but do not change it
        with self.assertRaises(AccessError):
            self.zone_north.with_user(self.front_office).write({"name": "Renamed"})
        # personal data is hidden from roles that do not need it
        with self.assertRaises(AccessError):
            self.north_partner.with_user(self.retention_agent).read(
                ["telecom_document_number"]
            )
        self.north_partner.with_user(self.front_office).read(
            ["telecom_document_number"]
        )
        # events are append-only, even for the administrator
        event = self.north_line.request_ids.event_ids[:1]
        with self.assertRaises(UserError):
            event.write({"summary": "forged"})
        with self.assertRaises(UserError):
            event.unlink()
        with self.assertRaises(AccessError):
            self.env["telecom.event"].with_user(self.supervisor).create(
                {"event_type": "forged"}
            )

    def test_integration_user_works_across_zones(self):
        integration = new_test_user(
            self.env, login="t_integration", groups=GROUP + "integration"
        )
        services = self.north_line | self.south_line
        self.assertEqual(
            self._visible(integration, "telecom.service", services), services
        )

    def test_home_dashboard_depends_on_role(self):
        """The home opens the workspace of the main role (see test_workspace)."""
        workspaces = {
            self.front_office: "front_office",
            self.retention_agent: "retention",
            self.tech_support: "noc",
        }
        for user, workspace in workspaces.items():
            with self.subTest(user=user.login):
                action = user._telecom_home_action()
                self.assertEqual(
                    action["params"]["workspace_id"],
                    self.env.ref(
                        f"telecom_subscriber.telecom_workspace_{workspace}"
                    ).id,
                )

    def test_home_runs_for_every_role(self):
        """The home server action runs as each role, through ir.actions.server.run."""
        home = self.env.ref("telecom_subscriber.telecom_subscriber_action_home")
        for user in (
            self.front_office,
            self.retention_agent,
            self.tech_support,
            self.supervisor,
            self.head_office,
        ):
            with self.subTest(user=user.login):
                action = home.with_user(user).run()
                self.assertEqual(action["type"], "ir.actions.client")
        accountant = new_test_user(
            self.env, login="t_accountant", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            home.with_user(accountant).run()

    def test_all_zones_rules_are_bound_to_the_all_zones_group(self):
        """One "all zones" group for every telecom addon, no drifting rule pairs."""
        all_zones = self.env.ref(GROUP + "all_zones")
        roles = self.env.ref(GROUP + "head_office") | self.env.ref(
            GROUP + "integration"
        )
        rules = self.env["ir.rule"].search([("groups", "in", roles.ids)])
        self.assertFalse(rules, "bind all-zones rules to the All Zones group")
        all_zone_rules = self.env["ir.rule"].search([("groups", "in", all_zones.ids)])
        self.assertIn("telecom.service", all_zone_rules.model_id.mapped("model"))
        for role in roles:
            self.assertIn(all_zones, role.trans_implied_ids)
        accountant = new_test_user(
            self.env, login="t_accountant", groups="base.group_user"
        )
        for model in ("telecom.service", "telecom.event", "telecom.request"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(accountant).search([])
