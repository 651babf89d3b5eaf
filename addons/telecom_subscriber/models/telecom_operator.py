from odoo import fields, models


class TelecomOperator(models.Model):
    """A network operator: donor or recipient in number porting, target of churn."""

    _name = "telecom.operator"
    _description = "Telecom Operator"
    _order = "name"

    name = fields.Char(required=True)
    code = fields.Char(
        required=True, help="Routing number / operator code in the porting database."
    )
    is_own = fields.Boolean(
        string="Our Network",
        help="The operator running this CRM (recipient of port-ins).",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_uniq", "unique(code)", "An operator code must be unique.")
    ]
