from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    telecom_livechat_channel_id = fields.Many2one(
        related="company_id.telecom_livechat_channel_id", readonly=False
    )
