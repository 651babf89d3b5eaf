from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    telecom_auto_complete = fields.Boolean(
        related="company_id.telecom_auto_complete", readonly=False
    )
    telecom_mnp_min_days_person = fields.Integer(
        related="company_id.telecom_mnp_min_days_person", readonly=False
    )
    telecom_mnp_min_days_company = fields.Integer(
        related="company_id.telecom_mnp_min_days_company", readonly=False
    )
    telecom_mnp_max_days = fields.Integer(
        related="company_id.telecom_mnp_max_days", readonly=False
    )
    telecom_claim_days = fields.Integer(
        related="company_id.telecom_claim_days", readonly=False
    )
    telecom_voluntary_block_max_days = fields.Integer(
        related="company_id.telecom_voluntary_block_max_days", readonly=False
    )
