from odoo import fields, models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    telecom_livechat_channel_id = fields.Many2one(
        "discuss.channel",
        string="Live Chat Conversation",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        help="The live chat conversation the ticket was created from.",
    )
