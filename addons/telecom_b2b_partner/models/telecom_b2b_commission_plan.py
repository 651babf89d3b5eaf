from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TelecomB2bCommissionPlan(models.Model):
    """How a dealer or agent is paid for the services activated through the
    deals they brought: a share of the revenue billed in the first months of
    each service, a fixed bonus per activation, better rates from a number of
    activations in the period (tiers), and the bonus clawed back when the
    service is terminated early. The plan also sets the agent rating bands."""

    _name = "telecom.b2b.commission.plan"
    _description = "Agent Commission Plan"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    revenue_percent = fields.Float(
        string="Revenue Share (%)",
        digits=(5, 2),
        help="Share of what billing charged for each service in its first months.",
    )
    revenue_months = fields.Integer(
        default=6,
        help="How many billed months of a service earn the revenue share, the "
        "month of its activation being the first.",
    )
    activation_bonus = fields.Monetary(
        string="Bonus per Activation",
        help="Paid once per service activated through the agent's deals.",
    )
    clawback_months = fields.Integer(
        default=6,
        help="A service terminated less than this many months after its "
        "activation takes its bonus back, as a negative line of the next "
        "statement (no bonus at all if it ended before its first statement).",
    )
    tier_ids = fields.One2many(
        "telecom.b2b.commission.tier", "plan_id", string="Volume Tiers", copy=True
    )
    rating_silver_activations = fields.Integer(
        string="Silver From (Activations)",
        default=10,
        help="Activations over the last twelve months that make an agent Silver.",
    )
    rating_gold_activations = fields.Integer(
        string="Gold From (Activations)",
        default=50,
        help="Activations over the last twelve months that make an agent Gold.",
    )
    rating_churn_limit = fields.Float(
        string="Highest Early Churn (%)",
        default=20.0,
        digits=(5, 2),
        help="An agent whose services end within the clawback months more often "
        "than this stays Bronze whatever the volume.",
    )
    agent_ids = fields.One2many(
        "res.partner", "telecom_b2b_commission_plan_id", string="Agents"
    )

    @api.constrains(
        "revenue_percent",
        "revenue_months",
        "activation_bonus",
        "clawback_months",
        "rating_churn_limit",
    )
    def _check_figures(self):
        for plan in self:
            if not 0 <= plan.revenue_percent <= 100 or not (
                0 <= plan.rating_churn_limit <= 100
            ):
                raise ValidationError(
                    self.env._(
                        "Percentages of the commission plan %(plan)s must be "
                        "between 0 and 100.",
                        plan=plan.name,
                    )
                )
            if min(plan.revenue_months, plan.clawback_months) < 0 or (
                plan.activation_bonus < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Months and bonus of the commission plan %(plan)s cannot "
                        "be negative.",
                        plan=plan.name,
                    )
                )
