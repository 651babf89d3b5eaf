from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    telecom_cti_extension = fields.Char(
        string="Phone Extension",
        index="btree_not_null",
        help="Extension of the agent's phone on the exchange: incoming calls "
        "ringing it pop the caller's card, click-to-call rings it first.",
    )
    telecom_cti_pbx_id = fields.Many2one(
        "telecom.pbx",
        string="Telephone Exchange",
        help="Exchange of the extension (empty: any).",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + [
            "telecom_cti_extension",
            "telecom_cti_pbx_id",
        ]
