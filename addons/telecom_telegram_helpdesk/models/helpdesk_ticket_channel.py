from odoo import fields, models


class HelpdeskTicketChannel(models.Model):
    _inherit = "helpdesk.ticket.channel"

    telecom_channel = fields.Selection(
        selection_add=[("telegram", "Telegram")],
        ondelete={"telegram": "set null"},
    )
