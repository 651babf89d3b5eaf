from odoo import fields, models


class TelecomB2bContactRole(models.Model):
    """What a contact person of a corporate customer is for: decision maker,
    technical, billing, SLA contact…"""

    _name = "telecom.b2b.contact.role"
    _description = "Corporate Contact Role"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable identifier the code and the integrations refer to.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)

    _sql_constraints = [
        ("code_uniq", "unique(code)", "Each contact role code exists once."),
    ]
