from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TelecomB2bCommissionTier(models.Model):
    """From a number of activations in a statement's period on, the agent earns
    the tier's bonus and revenue share instead of the plan's, for every
    activation and billed month of that statement (the highest tier reached
    applies)."""

    _name = "telecom.b2b.commission.tier"
    _description = "Agent Commission Volume Tier"
    _order = "plan_id, min_activations"

    plan_id = fields.Many2one(
        "telecom.b2b.commission.plan", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    min_activations = fields.Integer(
        string="From Activations",
        required=True,
        help="Activations in the statement's period needed to reach the tier.",
    )
    activation_bonus = fields.Monetary(string="Bonus per Activation")
    revenue_percent = fields.Float(string="Revenue Share (%)", digits=(5, 2))

    _sql_constraints = [
        (
            "plan_min_uniq",
            "unique(plan_id, min_activations)",
            "Two tiers of a plan cannot start at the same number of activations.",
        ),
    ]

    @api.constrains("min_activations", "activation_bonus", "revenue_percent")
    def _check_figures(self):
        for tier in self:
            if (
                tier.min_activations < 1
                or tier.activation_bonus < 0
                or not 0 <= tier.revenue_percent <= 100
            ):
                raise ValidationError(
                    self.env._(
                        "A volume tier of %(plan)s starts from at least one "
                        "activation, with a bonus of zero or more and a revenue "
                        "share between 0 and 100 %%.",
                        plan=tier.plan_id.name,
                    )
                )
