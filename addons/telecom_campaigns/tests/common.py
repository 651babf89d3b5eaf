from odoo.tests.common import new_test_user

from odoo.addons.telecom_subscriber.tests.common import TelecomCommon

CAMPAIGNS_GROUP = "telecom_campaigns.telecom_campaigns_group_"


class CampaignsCommon(TelecomCommon):
    """Marketing users of two zones on top of the suite's own test data."""

    @classmethod
    def _setup_users(cls):
        result = super()._setup_users()

        def marketer(login, role, zones):
            return new_test_user(
                cls.env,
                login=login,
                groups=CAMPAIGNS_GROUP + role,
                telecom_region_ids=[(6, 0, zones.ids)],
            )

        cls.marketer_north = marketer("t_marketer_north", "user", cls.zone_north)
        cls.marketer_south = marketer("t_marketer_south", "user", cls.zone_south)
        cls.marketing_manager = marketer(
            "t_marketing_manager", "manager", cls.zone_north
        )
        return result

    @classmethod
    def _only_own_subscribers(cls):
        """Other subscribers (demo data) are not subscribers during the test."""
        cls.env["res.partner"].flush_model()
        cls.env.cr.execute(
            "UPDATE res_partner SET telecom_is_subscriber = FALSE"
            " WHERE telecom_is_subscriber"
        )
        cls.env["res.partner"].invalidate_model(["telecom_is_subscriber"])
