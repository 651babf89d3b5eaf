from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    telecom_region_ids = fields.Many2many(
        "telecom.region",
        "telecom_region_res_users_rel",
        "user_id",
        "region_id",
        string="Zones of Responsibility",
        help="The agent sees subscribers, accounts, services and requests of these "
        "zones and of every zone below them.",
    )

    def write(self, vals):
        result = super().write(vals)
        if "telecom_region_ids" in vals:
            # record rules read the zones of the user: drop their cached domains
            self.env.registry.clear_cache()
        return result

    def _telecom_home_action(self):
        """The workspace of the user's main telecom role; without one (every
        workspace of their roles archived), the list of their role."""
        self.ensure_one()
        workspace = (
            self.env["telecom.workspace"].with_user(self)._telecom_workspaces_of_user()
        )
        if workspace:
            return workspace[:1].action_open_workspace()
        return self.env["ir.actions.act_window"]._for_xml_id(
            self._telecom_home_action_xmlid()
        )

    def _telecom_home_action_xmlid(self):
        prefix = "telecom_subscriber.telecom_subscriber_group_"
        dashboards = [
            ("supervisor", "telecom_subscriber.telecom_request_action_supervisor"),
            ("retention", "telecom_subscriber.telecom_request_action_termination"),
            ("b2b_sales", "telecom_subscriber.res_partner_action_telecom_business"),
            ("tech_support", "telecom_subscriber.telecom_service_action_attention"),
        ]
        for role, action_xmlid in dashboards:
            if self.has_group(prefix + role):
                return action_xmlid
        return "telecom_subscriber.telecom_request_action_my_work"
