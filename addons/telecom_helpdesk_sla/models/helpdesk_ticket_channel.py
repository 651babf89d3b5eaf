from odoo import fields, models

from odoo.addons.telecom_subscriber.tools.selections import CHANNELS


class HelpdeskTicketChannel(models.Model):
    _inherit = "helpdesk.ticket.channel"

    telecom_channel = fields.Selection(
        CHANNELS,
        string="Timeline Channel",
        help="Channel of the subscriber's timeline row recorded for a ticket "
        "opened through this channel.",
    )
