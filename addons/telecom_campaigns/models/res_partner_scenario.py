from odoo import fields, models


class ResPartner(models.Model):
    """The scenario runs of a subscriber, from the card."""

    _inherit = "res.partner"

    telecom_scenario_run_count = fields.Integer(
        string="Scenario Runs",
        compute="_compute_telecom_scenario_run_count",
        groups="telecom_campaigns.telecom_campaigns_group_user",
    )

    def _compute_telecom_scenario_run_count(self):
        # one query for the whole recordset
        counts = dict(
            self.env["telecom.scenario.run"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.telecom_scenario_run_count = counts.get(partner._origin, 0)

    def action_view_telecom_scenario_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_campaigns.telecom_scenario_run_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        return action
