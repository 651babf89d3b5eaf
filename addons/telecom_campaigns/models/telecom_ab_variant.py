from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TelecomAbVariant(models.Model):
    """One arm of an A/B test with its share of the non-holdout subscribers."""

    _name = "telecom.ab.variant"
    _description = "A/B Test Variant"
    _order = "sequence, id"

    test_id = fields.Many2one(
        "telecom.ab.test", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="test_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)
    weight = fields.Integer(
        default=1, help="Relative share: weights 1 and 3 give 25 % and 75 %."
    )
    offer_id = fields.Many2one(
        "telecom.offer",
        ondelete="restrict",
        help="What the subscribers of this variant are offered by a campaign.",
    )

    @api.constrains("weight")
    def _check_weight(self):
        if any(variant.weight <= 0 for variant in self):
            raise ValidationError(self.env._("A variant's weight must be positive."))
