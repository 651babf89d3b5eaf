from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    telecom_number_reservation_hours = fields.Integer(
        related="company_id.telecom_number_reservation_hours", readonly=False
    )
    telecom_number_quarantine_days = fields.Integer(
        related="company_id.telecom_number_quarantine_days", readonly=False
    )
    telecom_esim_smdp_address = fields.Char(
        related="company_id.telecom_esim_smdp_address", readonly=False
    )
