from odoo import fields, models


class TelecomRequest(models.Model):
    """Activation requests created by a won B2B deal keep their origin."""

    _inherit = "telecom.request"

    telecom_b2b_sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Quotation Line",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    telecom_b2b_contract_id = fields.Many2one(
        "telecom.b2b.contract",
        string="B2B Contract",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    telecom_b2b_lead_id = fields.Many2one(
        "crm.lead",
        string="B2B Opportunity",
        related="telecom_b2b_sale_line_id.order_id.opportunity_id",
        store=True,
        index="btree_not_null",
        help="The deal the activation comes from: its dealer or agent earns the "
        "commission.",
    )
