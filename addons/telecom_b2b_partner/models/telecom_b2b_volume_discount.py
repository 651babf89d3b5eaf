from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TelecomB2bVolumeDiscount(models.Model):
    """A volume tier: from this quantity of one product in a quotation (all
    its lines and sites together), corporate customers get this discount on
    that product (a tier without product: on any product)."""

    _name = "telecom.b2b.volume.discount"
    _description = "B2B Volume Discount Tier"
    _order = "company_id, product_tmpl_id, min_quantity desc, id"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    product_tmpl_id = fields.Many2one(
        "product.template",
        string="Product",
        index="btree_not_null",
        ondelete="cascade",
        check_company=True,
        help="Empty: the tier applies to every product.",
    )
    min_quantity = fields.Float(
        string="From Quantity", required=True, digits="Product Unit of Measure"
    )
    discount = fields.Float(string="Discount (%)", required=True, digits="Discount")
    active = fields.Boolean(default=True)

    @api.constrains("min_quantity", "discount")
    def _check_tier(self):
        for tier in self:
            if tier.min_quantity <= 0 or not 0 < tier.discount <= 100:
                raise ValidationError(
                    self.env._(
                        "A volume tier starts at a positive quantity and gives a "
                        "discount between 0 and 100 %%."
                    )
                )

    @api.model
    def _get_discounts(self, lines):
        """{sale line id: best tier discount}. A tier counts the quantity of
        the line's product over its whole quotation (every line and site of
        that product), so a deal split over sites gets the tier of its total;
        one search for all the lines' companies."""
        tiers = self.search(
            [
                ("company_id", "in", lines.company_id.ids),
                "|",
                ("product_tmpl_id", "=", False),
                ("product_tmpl_id", "in", lines.product_template_id.ids),
            ]
        )
        quantities = self._get_quotation_quantities(lines)
        return {
            line.id: max(
                (
                    tier.discount
                    for tier in tiers
                    if tier.company_id == line.company_id
                    and tier.product_tmpl_id
                    in (line.product_template_id, tier.product_tmpl_id.browse())
                    and tier.min_quantity
                    <= quantities[line.order_id, line.product_template_id]
                ),
                default=0.0,
            )
            for line in lines
        }

    @api.model
    def _get_quotation_quantities(self, lines):
        """{(order, product template): quantity} over the product lines of the
        lines' quotations, the lines included (being created, they are not in
        their quotation's lines yet)."""
        quantities = defaultdict(float)
        for line in lines.order_id.order_line | lines:
            if line.product_id and not line.display_type:
                quantities[line.order_id, line.product_template_id] += (
                    line.product_uom_qty
                )
        return quantities
