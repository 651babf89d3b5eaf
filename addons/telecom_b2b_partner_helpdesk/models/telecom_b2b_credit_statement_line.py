from odoo import api, fields, models
from odoo.exceptions import UserError

LINE_KINDS = [
    ("breach", "SLA Breaches"),
    ("downtime", "Incident Downtime"),
    ("cap", "Cap"),
]


class TelecomB2bCreditStatementLine(models.Model):
    """One credit of a statement and what it comes from: the breached tickets
    of one priority, the downtime beyond the guaranteed availability, or the
    cut that keeps the total under the cap."""

    _name = "telecom.b2b.credit.statement.line"
    _description = "B2B Service Credit Line"
    _order = "statement_id, sequence, id"

    statement_id = fields.Many2one(
        "telecom.b2b.credit.statement",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="statement_id.company_id", store=True)
    currency_id = fields.Many2one(related="statement_id.currency_id")
    sequence = fields.Integer(default=10)
    kind = fields.Selection(LINE_KINDS, required=True)
    priority = fields.Selection(
        selection=lambda self: (
            self.env["telecom.b2b.contract.sla"]._fields["priority"].selection
        )
    )
    quantity = fields.Float(
        help="Breached tickets, or hours of downtime beyond the allowance."
    )
    rate_percent = fields.Float(
        string="Rate (%)", help="Credit per unit, in % of the monthly fee."
    )
    amount = fields.Monetary()
    description = fields.Char()
    ticket_ids = fields.Many2many("helpdesk.ticket", string="Breached Tickets")
    incident_ids = fields.Many2many("telecom.incident", string="Incidents")

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._check_statement_draft()
        return lines

    def write(self, vals):
        self._check_statement_draft()
        return super().write(vals)

    def unlink(self):
        self._check_statement_draft()
        return super().unlink()

    def _check_statement_draft(self):
        if any(state != "draft" for state in self.statement_id.mapped("state")):
            raise UserError(
                self.env._(
                    "The lines of a credit statement change only while it is a draft."
                )
            )
