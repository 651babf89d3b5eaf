from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    telecom_auto_complete = fields.Boolean(
        string="Complete Requests at Submission",
        default=True,
        help="Without a billing integration fulfilling them, simple requests (tariff "
        "or option change, block, SIM swap) take effect as soon as they are submitted. "
        "Disable it when a back office confirms them.",
    )
    telecom_mnp_min_days_person = fields.Integer(
        string="MNP Lead Time (individuals)",
        default=8,
        help="Earliest porting date, in days after the application, for an individual.",
    )
    telecom_mnp_min_days_company = fields.Integer(
        string="MNP Lead Time (legal entities)",
        default=29,
        help="Earliest porting date, in days after the application, for a legal "
        "entity.",
    )
    telecom_mnp_max_days = fields.Integer(
        string="MNP Latest Date",
        default=183,
        help="Latest porting date, in days after the application (six months).",
    )
    telecom_claim_days = fields.Integer(
        string="Claim Answer Time",
        default=30,
        help="Days the operator has to answer a claim after its registration "
        "(the Russian communications law allows at most 60).",
    )
    telecom_voluntary_block_max_days = fields.Integer(
        string="Voluntary Block Limit",
        default=90,
        help="Longest voluntary block a subscriber may ask for, in days.",
    )
