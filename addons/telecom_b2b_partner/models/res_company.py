from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    telecom_b2b_discount_threshold = fields.Float(
        string="B2B Discount Approval Threshold (%)",
        digits="Discount",
        default=15.0,
        help="A corporate quotation with a line discounted more than this needs "
        "the approval of a B2B sales manager before it is sent or confirmed.",
    )
