from odoo import fields, models

from .telecom_api import SCOPE_TMF621


class TelecomApiKeyWizard(models.TransientModel):
    _inherit = "telecom.api.key.wizard"

    scope = fields.Selection(
        selection_add=[(SCOPE_TMF621, "TMF621 Trouble Tickets")],
        ondelete={SCOPE_TMF621: "cascade"},
    )
