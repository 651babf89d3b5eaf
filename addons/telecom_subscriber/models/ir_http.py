from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        """Agents without a home action of their own land on their telecom home."""
        result = super().session_info()
        user = self.env.user
        if (
            not result.get("home_action_id")
            and result.get("is_internal_user")
            and user.has_group("telecom_subscriber.telecom_subscriber_group_user")
        ):
            result["home_action_id"] = self.env.ref(
                "telecom_subscriber.telecom_subscriber_action_home"
            ).id
        return result
