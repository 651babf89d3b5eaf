"""Every telecom role in the browser: lands on its home, opens every menu it sees.

Odoo's own clickbot (``web/static/src/webclient/clickbot``) is run as a user of
each role. It clicks every menu entry of an app, switches every view and clicks
every filter; an error dialog (an access error, a traceback) or any error logged
by the web client fails the test. It walks whatever is installed: the menus that
other telecom addons add to the Telecom app are walked too.

- ``TestMenusByRole`` (every run): the Telecom app, for every role. In the CI
  profile (``TELECOM_TEST_PROFILE=ci``) a role that sees exactly the same Telecom
  menus as a role walked before it is not walked again (``distinct_menu_roles``):
  contact centre walks as front office (same groups, other zones), head office as
  supervisor (the same menus); the full profile walks every role.
- ``TestMenusByRoleAllApps`` (tag ``telecom_click_all``, not in the standard
  run): every app each role sees, e.g.
  ``TELECOM_TEST_TAGS=telecom_click_all TELECOM_E2E=0 tools/test``.
"""

import json
import logging
import os

from odoo.tests import HttpCase, new_test_user, tagged

from .common import GROUP

_logger = logging.getLogger(__name__)

TELECOM_APP = "telecom_subscriber.telecom_subscriber_menu_root"
CLICKBOT_SIGNAL = "clickbot test succeeded"
PROFILE = os.environ.get("TELECOM_TEST_PROFILE", "full")
HOME_SIGNAL = "telecom home reached"
# Tag of the clickbot walks of every run (not the all-apps one): tools/test runs
# them in a copy of the together stage's database, beside its other tests.
CLICKBOT_TAG = "telecom_clickbot"

# role -> (groups, zones: "one" zone or "all" top zones, expected home workspace)
ROLES = {
    "front_office": ("front_office", "one", "telecom_workspace_front_office"),
    "contact_centre": ("front_office", "all", "telecom_workspace_front_office"),
    "retention": ("retention", "all", "telecom_workspace_retention"),
    "b2b_sales": ("b2b_sales", "all", "telecom_workspace_b2b"),
    "tech_support": ("tech_support", "all", "telecom_workspace_noc"),
    "supervisor": ("supervisor", "one", "telecom_workspace_supervisor"),
    "head_office": ("head_office", "one", "telecom_workspace_supervisor"),
}
WORKSPACE_ACTION = "telecom_subscriber.telecom_workspace_action_client"

# Checks, once the web client is ready, that the user landed on the workspace
# of their role (not Discuss), its widgets shown, and that no error dialog is open.
LANDING_JS = """
(async () => {
    const expected = %(expected)s;
    const expectedWorkspace = %(workspace)s;
    const actionService = odoo.__WOWL_DEBUG__.root.env.services.action;
    for (let i = 0; i < 200; i++) {
        if (document.querySelector(".o_error_dialog")) {
            console.error("error dialog at login: " +
                document.querySelector(".o_error_dialog").innerText);
            return;
        }
        const action = actionService.currentController?.action;
        if (action && action.xml_id && document.querySelector(".o_telecom_widget")) {
            const workspace = action.params?.workspace_id;
            if (action.xml_id === expected && workspace === expectedWorkspace) {
                console.log(%(signal)s);
            } else {
                console.error(
                    `landed on ${action.xml_id} (${workspace}), ` +
                    `expected ${expected} (${expectedWorkspace})`
                );
            }
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.error("no action loaded after login");
})();
"""

CLICKBOT_JS = (
    "odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader')"
    ".startClickEverywhere(%s, false);"
)


class MenusByRoleCommon(HttpCase):
    """One user per telecom role, made here (no demo data needed)."""

    allow_end_on_form = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Region = cls.env["telecom.region"]
        cls.zone = Region.create({"name": "Click Zone", "code": "T-CLICK"})
        other_zone = Region.create({"name": "Click Zone 2", "code": "T-CLICK2"})
        cls.users = {}
        for role, (group, zones, _home) in ROLES.items():
            zone_ids = cls.zone.ids if zones == "one" else (cls.zone | other_zone).ids
            user = new_test_user(
                cls.env,
                login=f"click_{role}",
                name=f"Click {role}",
                groups=GROUP + group,
                telecom_region_ids=[(6, 0, zone_ids)],
            )
            if "tour_enabled" in user._fields:
                # no onboarding tour popping over the menus
                user.tour_enabled = False
            cls.users[role] = user

    def _telecom_menus(self, role):
        """The xmlids of the Telecom app's menus ROLE sees."""
        menus = self.env["ir.ui.menu"].with_user(self.users[role]).load_menus(False)
        app = self.env.ref(TELECOM_APP)
        seen, todo = set(), list(menus.get(app.id, {}).get("children", []))
        while todo:
            menu = menus[todo.pop()]
            seen.add(menu["xmlid"] or menu["id"])
            todo.extend(menu["children"])
        return frozenset(seen)

    def distinct_menu_roles(self, roles):
        """ROLES to walk the Telecom app as: all of them, but in the CI profile
        only the first role of each set of menus (the clickbot clicks the menus,
        their views and filters: a second role with the same menus walks the same
        path again)."""
        if PROFILE != "ci":
            return list(roles)
        walked = {}
        for role in roles:
            menus = self._telecom_menus(role)
            if menus in walked:
                _logger.info(
                    "clickbot: %s sees the menus of %s, not walked again (profile ci)",
                    role,
                    walked[menus],
                )
                continue
            walked[menus] = role
        return list(walked.values())

    def _walk(self, role, app_xmlid):
        _logger.info("clickbot: %s as %s", app_xmlid, role)
        self.browser_js(
            "/odoo",
            CLICKBOT_JS % json.dumps(app_xmlid),
            "odoo.isReady === true",
            login=self.users[role].login,
            timeout=900,
            success_signal=CLICKBOT_SIGNAL,
        )


@tagged("post_install", "-at_install", CLICKBOT_TAG)
class TestMenusByRole(MenusByRoleCommon):
    def test_home_after_login(self):
        """Each role lands on the workspace of its role, without an error."""
        for role, (_group, _zones, home) in ROLES.items():
            with self.subTest(role=role):
                workspace = self.env.ref(f"telecom_subscriber.{home}")
                self.browser_js(
                    "/odoo",
                    LANDING_JS
                    % {
                        "expected": json.dumps(WORKSPACE_ACTION),
                        "workspace": json.dumps(workspace.id),
                        "signal": json.dumps(HOME_SIGNAL),
                    },
                    "odoo.isReady === true",
                    login=self.users[role].login,
                    timeout=120,
                    success_signal=HOME_SIGNAL,
                )

    def _roles_to_walk(self):
        """Every role; in the CI profile one role per distinct set of menus
        (distinct_menu_roles), and with this addon installed alone, the supervisor
        only (CI walks the roles again, over a superset of these menus, where all
        telecom addons are installed together)."""
        others = self.env["ir.module.module"].search_count(
            [
                ("name", "=like", "telecom%"),
                ("name", "!=", "telecom_subscriber"),
                ("state", "=", "installed"),
            ]
        )
        if PROFILE == "ci" and not others:
            return ["supervisor"]
        return self.distinct_menu_roles(ROLES)

    def test_telecom_app_menus(self):
        """Every menu of the Telecom app, views and filters, as every role."""
        for role in self._roles_to_walk():
            with self.subTest(role=role):
                self._walk(role, TELECOM_APP)


@tagged("post_install", "-at_install", "-standard", "telecom_click_all")
class TestMenusByRoleAllApps(MenusByRoleCommon):
    def test_all_apps_menus(self):
        """Every app each role sees, every menu, view and filter."""
        Menu = self.env["ir.ui.menu"]
        for role, user in self.users.items():
            menus = Menu.with_user(user).load_menus(False)
            for app_id in menus["root"]["children"]:
                app_xmlid = menus[app_id]["xmlid"]
                with self.subTest(role=role, app=app_xmlid):
                    self._walk(role, app_xmlid)
