from datetime import timedelta

from odoo import fields, models


def _previous_month_start(wizard):
    return _previous_month_end(wizard).replace(day=1)


def _previous_month_end(wizard):
    return fields.Date.context_today(wizard).replace(day=1) - timedelta(days=1)


class TelecomB2bCommissionGenerate(models.TransientModel):
    """Compute the commission statements of a period (B2B sales managers)."""

    _name = "telecom.b2b.commission.generate"
    _description = "Compute Agent Commission Statements"

    date_from = fields.Date(string="From", required=True, default=_previous_month_start)
    date_to = fields.Date(string="To", required=True, default=_previous_month_end)
    agent_ids = fields.Many2many(
        "res.partner",
        string="Dealers / Agents",
        domain="[('telecom_b2b_agent_type', '!=', False), "
        "('telecom_b2b_commission_plan_id', '!=', False)]",
        help="Empty: every dealer and agent with a commission plan.",
    )

    def action_generate(self):
        self.ensure_one()
        statements = self.env["telecom.b2b.commission.statement"]._generate_statements(
            self.date_from, self.date_to, self.agent_ids or None
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_b2b_partner.telecom_b2b_commission_statement_action"
        )
        action["domain"] = [("id", "in", statements.ids)]
        return action
