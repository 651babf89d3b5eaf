from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmLead(models.Model):
    """B2B opportunities: sold directly or brought by a dealer or agent."""

    _inherit = "crm.lead"

    telecom_b2b_channel = fields.Selection(
        [("direct", "Direct Sales"), ("partner", "Partner Channel")],
        string="Sales Channel",
        default="direct",
        index=True,
        tracking=True,
    )
    telecom_b2b_referrer_id = fields.Many2one(
        "res.partner",
        string="Brought By",
        index="btree_not_null",
        tracking=True,
        help="The dealer or agent who brought the deal (partner channel).",
    )
    telecom_b2b_contract_ids = fields.One2many(
        "telecom.b2b.contract", "opportunity_id", string="B2B Contracts"
    )

    @api.constrains("telecom_b2b_channel", "telecom_b2b_referrer_id")
    def _check_telecom_b2b_referrer(self):
        for lead in self:
            if (
                lead.telecom_b2b_channel == "partner"
                and not lead.telecom_b2b_referrer_id
            ):
                raise ValidationError(
                    self.env._(
                        "Opportunity %(lead)s comes through the partner channel: "
                        "say which partner brought it.",
                        lead=lead.name,
                    )
                )
