from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    telecom_livechat_channel_id = fields.Many2one(
        "im_livechat.channel",
        string="Portal Live Chat Channel",
        help="The live chat channel whose button the company's subscribers see on "
        "their portal pages (logged in). Empty: no live chat on the portal.",
    )
