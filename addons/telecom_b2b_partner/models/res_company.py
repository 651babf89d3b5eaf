from odoo import fields, models

CONFLICT_RULES = [
    ("first_registered", "First Registered Partner Wins"),
    ("manager", "A Manager Decides"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    telecom_b2b_discount_threshold = fields.Float(
        string="B2B Discount Approval Threshold (%)",
        digits="Discount",
        default=15.0,
        help="A corporate quotation with a line discounted more than this needs "
        "the approval of a B2B sales manager before it is sent or confirmed.",
    )
    telecom_b2b_protection_days = fields.Integer(
        string="Partner Protection Window (Days)",
        default=90,
        help="A customer registered by a dealer or agent is theirs for this many "
        "days: another partner registering the same customer (same company or "
        "INN) meanwhile is a channel conflict. 0: no protection.",
    )
    telecom_b2b_conflict_rule = fields.Selection(
        CONFLICT_RULES,
        string="Channel Conflict Rule",
        default="first_registered",
        required=True,
        help="First Registered Partner Wins: the later registration loses at once "
        "(a manager can reassign the customer to it). A Manager Decides: the "
        "later registration waits for a manager, its commissions held.",
    )
