from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TelecomB2bContractPrice(models.Model):
    """A price term of a contract: what the customer pays for a service or
    bundle, per month and once, after the negotiated discount."""

    _name = "telecom.b2b.contract.price"
    _description = "B2B Contract Price Term"
    _order = "contract_id, sequence, id"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "telecom.b2b.contract", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product",
        required=True,
        check_company=True,
        ondelete="restrict",
    )
    name = fields.Char(string="Description")
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure")
    monthly_price = fields.Monetary(
        string="Monthly Fee (Unit)", currency_field="currency_id"
    )
    one_off_price = fields.Monetary(
        string="One-off Fee (Unit)", currency_field="currency_id"
    )
    discount = fields.Float(string="Discount (%)", digits="Discount")
    monthly_subtotal = fields.Monetary(
        compute="_compute_monthly_subtotal", store=True, currency_field="currency_id"
    )

    @api.depends("quantity", "monthly_price", "discount")
    def _compute_monthly_subtotal(self):
        for price in self:
            price.monthly_subtotal = (
                price.quantity * price.monthly_price * (1 - price.discount / 100)
            )

    @api.constrains("quantity", "monthly_price", "one_off_price", "discount")
    def _check_amounts(self):
        for price in self:
            if min(price.quantity, price.monthly_price, price.one_off_price) < 0:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s: quantities and fees cannot be "
                        "negative (%(product)s).",
                        contract=price.contract_id.name,
                        product=price.product_id.display_name,
                    )
                )
            if not 0 <= price.discount <= 100:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s: a discount is between 0 and 100 %% "
                        "(%(product)s).",
                        contract=price.contract_id.name,
                        product=price.product_id.display_name,
                    )
                )
