from odoo import fields, models

from .sla_selections import PRIORITIES


class TelecomTicketPriority(models.Model):
    """P1..P4 as records, so policies and rules can match several priorities."""

    _name = "telecom.ticket.priority"
    _description = "Ticket Priority"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(PRIORITIES, required=True)
    sequence = fields.Integer(default=10)

    _sql_constraints = [
        ("code_uniq", "unique(code)", "Each priority exists once."),
    ]
