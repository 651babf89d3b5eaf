from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class TelecomIncidentPortal(CustomerPortal):
    """Portal pages show the open incidents affecting the subscriber."""

    def _prepare_portal_layout_values(self):
        values = super()._prepare_portal_layout_values()
        user = request.env.user
        if user._is_portal():
            values["telecom_incidents"] = request.env[
                "telecom.incident"
            ]._portal_incidents(user.partner_id.commercial_partner_id)
        return values
