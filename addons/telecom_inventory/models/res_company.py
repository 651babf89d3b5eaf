from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    telecom_number_reservation_hours = fields.Integer(
        string="Number Reservation Time",
        default=24,
        help="Hours a number picked for a draft activation stays reserved; after "
        "that it returns to the free pool.",
    )
    telecom_number_quarantine_days = fields.Integer(
        string="Number Quarantine",
        default=180,
        help="Days a number of a terminated line rests before it is offered again.",
    )
    telecom_esim_smdp_address = fields.Char(
        string="eSIM SM-DP+ Address",
        default="smdp.example",
        help="Address of the SM-DP+ server written into eSIM activation codes.",
    )
