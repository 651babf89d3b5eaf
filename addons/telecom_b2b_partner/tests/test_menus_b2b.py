from odoo.tests import new_test_user, tagged

from odoo.addons.telecom_subscriber.tests.test_menus_by_role import (
    CLICKBOT_TAG,
    TELECOM_APP,
    MenusByRoleCommon,
)

from .common import B2B_GROUP


@tagged("post_install", "-at_install", CLICKBOT_TAG)
class TestMenusB2b(MenusByRoleCommon):
    """The suite's clickbot walks the Telecom app as the B2B roles: corporate
    customers, contracts and contact roles, every view switch and filter, open
    without an error. In the CI profile, once per distinct set of menus
    (``distinct_menu_roles``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for role in ("user", "manager"):
            user = new_test_user(
                cls.env,
                login=f"click_b2b_{role}",
                groups=B2B_GROUP + role,
                telecom_region_ids=[(6, 0, cls.zone.ids)],
            )
            if "tour_enabled" in user._fields:
                user.tour_enabled = False
            cls.users[f"b2b_{role}"] = user

    def test_telecom_app_menus_as_b2b(self):
        for role in self.distinct_menu_roles(("b2b_user", "b2b_manager")):
            with self.subTest(role=role):
                self._walk(role, TELECOM_APP)
