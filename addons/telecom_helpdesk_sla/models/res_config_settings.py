from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    telecom_survey_request_enabled = fields.Boolean(
        related="company_id.telecom_survey_request_enabled", readonly=False
    )
    telecom_survey_request_delay_hours = fields.Integer(
        related="company_id.telecom_survey_request_delay_hours", readonly=False
    )
