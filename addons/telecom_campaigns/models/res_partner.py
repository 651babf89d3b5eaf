from odoo import api, fields, models

from .telecom_subscriber_metric import RISK_LEVELS

AGENT_GROUP = "telecom_subscriber.telecom_subscriber_group_user"


class ResPartner(models.Model):
    _inherit = "res.partner"

    telecom_churn_risk = fields.Integer(
        string="Churn Risk",
        compute="_compute_telecom_churn_risk",
        groups=AGENT_GROUP,
    )
    telecom_churn_risk_level = fields.Selection(
        RISK_LEVELS,
        string="Churn Risk Level",
        compute="_compute_telecom_churn_risk",
        groups=AGENT_GROUP,
    )

    telecom_arpu_last_month = fields.Float(
        string="ARPU",
        compute="_compute_telecom_churn_risk",
        groups=AGENT_GROUP,
        help="Charged by billing last month (all lines).",
    )

    @api.ondelete(at_uninstall=False)
    def _unlink_segment_members(self):
        # the member rows have no foreign key (see telecom.segment.member)
        self.env["telecom.segment.member"]._delete_partners(self.ids)

    @api.ondelete(at_uninstall=False)
    def _unlink_campaign_messages(self):
        # the queue rows have no foreign key (see telecom.campaign.message)
        self.env["telecom.campaign.message"]._delete_partners(self.ids)

    def _compute_telecom_churn_risk(self):
        # one query for the whole recordset: the card's cost stays constant
        metrics = self.env["telecom.subscriber.metric"].search_fetch(
            [("partner_id", "in", self.ids)],
            ["partner_id", "churn_risk", "churn_risk_level", "arpu_last_month"],
        )
        by_partner = {metric.partner_id.id: metric for metric in metrics}
        for partner in self:
            metric = by_partner.get(partner.id)
            partner.telecom_churn_risk = metric.churn_risk if metric else 0
            partner.telecom_churn_risk_level = (
                metric.churn_risk_level if metric else False
            )
            partner.telecom_arpu_last_month = metric.arpu_last_month if metric else 0.0

    def action_view_telecom_metric(self):
        self.ensure_one()
        metric = self.env["telecom.subscriber.metric"].search(
            [("partner_id", "=", self.id)], limit=1
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Metrics of %s", self.display_name),
            "res_model": "telecom.subscriber.metric",
            "res_id": metric.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
