from odoo import fields, models


class ResPartner(models.Model):
    """The subscriber's devices, on their card."""

    _inherit = "res.partner"

    telecom_device_ids = fields.One2many(
        "telecom.device", "partner_id", string="Devices"
    )
