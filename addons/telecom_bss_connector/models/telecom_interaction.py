from odoo import fields, models


class TelecomInteraction(models.Model):
    _inherit = "telecom.interaction"

    channel = fields.Selection(
        selection_add=[("billing", "Billing")], ondelete={"billing": "set default"}
    )
