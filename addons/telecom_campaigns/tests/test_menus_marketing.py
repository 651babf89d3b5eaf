from odoo.tests import new_test_user, tagged

from odoo.addons.telecom_subscriber.tests.test_menus_by_role import (
    CLICKBOT_TAG,
    TELECOM_APP,
    MenusByRoleCommon,
)

from .common import CAMPAIGNS_GROUP


@tagged("post_install", "-at_install", CLICKBOT_TAG)
class TestMenusMarketing(MenusByRoleCommon):
    """The suite's clickbot (telecom_subscriber) walks the roles of that addon;
    this walks the Telecom app as the marketing roles: every menu (segments,
    reports, A/B tests...), view switch and filter opens without an error. In the
    CI profile, once per distinct set of menus (``distinct_menu_roles``: the
    marketing user and manager see the same menus today)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for role in ("user", "manager"):
            user = new_test_user(
                cls.env,
                login=f"click_marketing_{role}",
                groups=CAMPAIGNS_GROUP + role,
                telecom_region_ids=[(6, 0, cls.zone.ids)],
            )
            if "tour_enabled" in user._fields:
                user.tour_enabled = False
            cls.users[f"marketing_{role}"] = user

    def test_telecom_app_menus_as_marketing(self):
        for role in self.distinct_menu_roles(("marketing_user", "marketing_manager")):
            with self.subTest(role=role):
                self._walk(role, TELECOM_APP)
