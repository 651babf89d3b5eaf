from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    telecom_shift_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Shift",
        help="Working hours of the agent's shift (24/7 desk, evening shift, NOC "
        "on-call rota). Automatic routing assigns tickets only to the team members "
        "on shift. Empty: always available.",
    )
