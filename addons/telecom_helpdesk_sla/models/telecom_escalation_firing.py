from odoo import fields, models
from odoo.exceptions import UserError

from .sla_selections import ESCALATION_LEVELS


class TelecomEscalationFiring(models.Model):
    """That an escalation rule fired on a ticket: unique per (ticket, rule), which
    is what makes a level fire once whatever the number of overlapping scans."""

    _name = "telecom.escalation.firing"
    _description = "Escalation Firing"
    _order = "date desc, id desc"
    _log_access = False

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, readonly=True, ondelete="cascade"
    )
    rule_id = fields.Many2one(
        "telecom.escalation.rule", required=True, readonly=True, ondelete="cascade"
    )
    level = fields.Selection(ESCALATION_LEVELS, readonly=True)
    date = fields.Datetime(required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)

    _sql_constraints = [
        (
            "ticket_rule_uniq",
            "unique(ticket_id, rule_id)",
            "An escalation rule fires once per ticket.",
        ),
    ]

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(self.env._("Escalation firings cannot be changed."))
