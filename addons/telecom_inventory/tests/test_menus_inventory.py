"""The inventory menus open for the roles.

- ``TestInventoryMenus`` (fast, no browser): each inventory menu a role sees
  opens its views and first page of records as that role.
- ``TestMenusInventory`` (clickbot, tag ``telecom_clickbot``): the Telecom app
  walked by Odoo's clickbot as the front office and the supervisor (the
  supervisor only in the CI profile), when this
  addon is installed without other telecom addons (each-addon stage); where
  they are installed together, telecom_subscriber's walk of the Telecom app
  covers these menus already (the test checks that it reaches them).
"""

from odoo.tests import tagged

from odoo.addons.telecom_subscriber.tests.test_menus_by_role import (
    CLICKBOT_TAG,
    PROFILE,
    TELECOM_APP,
    MenusByRoleCommon,
)

from .common import InventoryCommon

INVENTORY_MENU = "telecom_inventory.telecom_inventory_menu_root"
LOAD_MENUS = {
    "telecom_inventory.telecom_inventory_menu_number_load",
    "telecom_inventory.telecom_inventory_menu_sim_load",
}


class TestInventoryMenus(InventoryCommon):
    def _inventory_menus(self, user):
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(False)
        root = self.env.ref(INVENTORY_MENU).id
        return {
            menus[menu_id]["xmlid"]: menus[menu_id]
            for menu_id in menus[root]["children"]
        }

    def _open(self, user, menu):
        model, action_id = menu["action"].split(",")
        action = (
            self.env[model]
            .browse(int(action_id))
            .read(["res_model", "view_mode", "target"])[0]
        )
        Model = self.env[action["res_model"]].with_user(user)
        views = [(False, mode) for mode in action["view_mode"].split(",")]
        Model.get_views(views, {"search": True})
        if action.get("target") != "new":
            Model.web_search_read([], {"display_name": {}}, limit=80)

    def test_front_office_and_supervisor_open_their_menus(self):
        expected = {
            self.front_office: {
                "telecom_inventory.telecom_inventory_menu_numbers",
                "telecom_inventory.telecom_inventory_menu_sims",
                "telecom_inventory.telecom_inventory_menu_locations",
                "telecom_inventory.telecom_inventory_menu_devices",
                "telecom_inventory.telecom_inventory_menu_device_models",
            },
            self.supervisor: None,
        }
        for user, only in expected.items():
            menus = self._inventory_menus(user)
            if only is not None:
                self.assertEqual(set(menus), only)
            else:
                self.assertTrue(LOAD_MENUS <= set(menus))
            for xmlid, menu in menus.items():
                with self.subTest(user=user.login, menu=xmlid):
                    self._open(user, menu)


@tagged("post_install", "-at_install", CLICKBOT_TAG)
class TestMenusInventory(MenusByRoleCommon):
    def test_telecom_app_with_inventory(self):
        others = self.env["ir.module.module"].search_count(
            [
                ("name", "=like", "telecom%"),
                ("name", "not in", ("telecom_subscriber", "telecom_inventory")),
                ("state", "=", "installed"),
            ]
        )
        # the supervisor's menus hold the front office's: in the CI profile the
        # supervisor only (TestInventoryMenus opens the front office's as them)
        roles = ("supervisor",) if PROFILE == "ci" else ("front_office", "supervisor")
        for role in roles:
            with self.subTest(role=role):
                if others:
                    # walked there: check that walk reaches the inventory menus
                    self.assertIn(INVENTORY_MENU, self._telecom_menus(role))
                else:
                    self._walk(role, TELECOM_APP)
