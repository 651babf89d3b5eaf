from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

MANAGER_GROUP = "telecom_b2b_partner.telecom_b2b_partner_group_manager"
ALL_ZONES_GROUP = "telecom_subscriber.telecom_subscriber_group_all_zones"
STATEMENT_STATES = [
    ("draft", "Draft"),
    ("approved", "Approved"),
    ("paid", "Paid"),
]


class TelecomB2bCommissionStatement(models.Model):
    """What one dealer or agent earned over a period under its commission plan:
    bonuses for the services activated through its deals, its share of their
    first billed months, and clawbacks of earlier bonuses of services ended
    early. Lines are computed for all agents at once
    (:meth:`_generate_statements`, see ``telecom.b2b.commission.statement.line``).

    Lifecycle: draft (recomputed at will) → approved by a B2B sales manager →
    paid (payout reference and date). Agents read their approved and paid
    statements on the portal.
    """

    _name = "telecom.b2b.commission.statement"
    _description = "Agent Commission Statement"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_from desc, agent_id, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Number",
        required=True,
        readonly=True,
        copy=False,
        index="trigram",
        default=lambda self: self.env["ir.sequence"].next_by_code(
            "telecom.b2b.commission.statement"
        ),
    )
    agent_id = fields.Many2one(
        "res.partner",
        string="Dealer / Agent",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    plan_id = fields.Many2one(
        "telecom.b2b.commission.plan",
        string="Commission Plan",
        required=True,
        readonly=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    region_id = fields.Many2one(
        "telecom.region", string="Zone", readonly=True, index=True
    )
    date_from = fields.Date(string="From", required=True, readonly=True)
    date_to = fields.Date(string="To", required=True, readonly=True)
    state = fields.Selection(
        STATEMENT_STATES,
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    activation_count = fields.Integer(
        string="Activations",
        readonly=True,
        help="Activations of the period that count for the volume tier.",
    )
    tier_id = fields.Many2one(
        "telecom.b2b.commission.tier",
        string="Tier Reached",
        readonly=True,
        ondelete="set null",
    )
    activation_bonus = fields.Monetary(
        string="Bonus per Activation Applied", readonly=True
    )
    revenue_percent = fields.Float(
        string="Revenue Share Applied (%)", readonly=True, digits=(5, 2)
    )
    line_ids = fields.One2many(
        "telecom.b2b.commission.statement.line", "statement_id", string="Lines"
    )
    amount_bonus = fields.Monetary(
        string="Activation Bonuses", compute="_compute_amounts", store=True
    )
    amount_revenue = fields.Monetary(
        string="Revenue Share", compute="_compute_amounts", store=True
    )
    amount_clawback = fields.Monetary(
        string="Clawbacks", compute="_compute_amounts", store=True
    )
    amount_total = fields.Monetary(
        string="Total", compute="_compute_amounts", store=True, tracking=True
    )
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_date = fields.Datetime(readonly=True, copy=False)
    payout_reference = fields.Char(copy=False, tracking=True)
    payout_date = fields.Date(copy=False, tracking=True)

    _sql_constraints = [
        (
            "agent_period_uniq",
            "unique(agent_id, company_id, date_from)",
            "An agent has one statement per period.",
        ),
        (
            "period_check",
            "CHECK(date_from <= date_to)",
            "A statement's period ends after it starts.",
        ),
    ]

    @api.depends("line_ids.amount", "line_ids.line_type")
    def _compute_amounts(self):
        sums = {
            (statement.id, line_type): amount
            for statement, line_type, amount in self.env[
                "telecom.b2b.commission.statement.line"
            ]
            .sudo()  # totals of the lines, whoever reads them
            ._read_group(
                [("statement_id", "in", self.ids)],
                ["statement_id", "line_type"],
                ["amount:sum"],
            )
        }
        for statement in self:
            statement.amount_bonus = sums.get((statement.id, "bonus"), 0.0)
            statement.amount_revenue = sums.get((statement.id, "revenue"), 0.0)
            statement.amount_clawback = sums.get((statement.id, "clawback"), 0.0)
            statement.amount_total = (
                statement.amount_bonus
                + statement.amount_revenue
                + statement.amount_clawback
            )

    def unlink(self):
        if any(statement.state != "draft" for statement in self):
            raise UserError(
                self.env._(
                    "Only draft commission statements can be deleted; approved "
                    "and paid ones are kept."
                )
            )
        return super().unlink()

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_approve(self):
        self._check_manager()
        self._check_state("draft", self.env._("approved"))
        self.write(
            {
                "state": "approved",
                "approved_by_id": self.env.user.id,
                "approved_date": fields.Datetime.now(),
            }
        )
        return True

    def action_reset_to_draft(self):
        self._check_manager()
        self._check_state("approved", self.env._("reset to draft"))
        self.write({"state": "draft", "approved_by_id": False, "approved_date": False})
        return True

    def action_mark_paid(self):
        self._check_manager()
        self._check_state("approved", self.env._("marked paid"))
        missing = self.filtered(
            lambda statement: not (statement.payout_reference and statement.payout_date)
        )
        if missing:
            raise ValidationError(
                self.env._(
                    "Enter the payout reference and date of %(statements)s before "
                    "marking it paid.",
                    statements=", ".join(missing.mapped("name")),
                )
            )
        self.write({"state": "paid"})
        return True

    def action_recompute(self):
        """Compute the lines of draft statements again (new billed months,
        terminations, a reassigned deal)."""
        self._check_manager()
        self._check_state("draft", self.env._("recomputed"))
        self.line_ids.unlink()
        self.env["telecom.b2b.commission.statement.line"]._compute_statement_lines(self)
        return True

    def _check_manager(self):
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(
                self.env._(
                    "Only a B2B sales manager computes, approves and pays "
                    "commission statements."
                )
            )

    def _check_state(self, state, action_label):
        wrong = self.filtered(lambda statement: statement.state != state)
        if wrong:
            raise UserError(
                self.env._(
                    "Statement %(statements)s cannot be %(action)s in its current "
                    "status (%(state)s).",
                    statements=", ".join(wrong.mapped("name")),
                    action=action_label,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        wrong[0].state
                    ],
                )
            )

    # ------------------------------------------------------------------
    # generation
    # ------------------------------------------------------------------
    @api.model
    def _generate_statements(self, date_from, date_to, agents=None):
        """Statements of ``date_from``–``date_to`` for ``agents`` (default:
        every dealer and agent with a plan of the current company): new ones
        are created, drafts of the same period recomputed, approved and paid
        ones left as they are. Set-based: a fixed number of statements
        whatever the number of agents and activations. Returns the statements
        (re)computed."""
        self._check_manager()
        if date_from > date_to:
            raise ValidationError(
                self.env._("The period of the statements ends before it starts.")
            )
        company = self.env.company
        if agents is None:
            agents = self.env["res.partner"].search(
                [
                    ("telecom_b2b_agent_type", "!=", False),
                    ("telecom_b2b_commission_plan_id.company_id", "=", company.id),
                ]
            )
        agents = agents.filtered(
            lambda agent: agent.telecom_b2b_commission_plan_id.company_id == company
        ).filtered_domain(self._get_agent_zone_domain())
        existing = self.search(
            [
                ("agent_id", "in", agents.ids),
                ("company_id", "=", company.id),
                ("date_from", "=", date_from),
            ]
        )
        drafts = existing.filtered(lambda statement: statement.state == "draft")
        drafts.line_ids.unlink()
        drafts.write({"date_to": date_to})
        new = self.with_context(tracking_disable=True).create(
            [
                self._prepare_statement_vals(agent, company, date_from, date_to)
                for agent in agents - existing.agent_id
            ]
        )
        statements = drafts | new
        self.env["telecom.b2b.commission.statement.line"]._compute_statement_lines(
            statements
        )
        self.env["res.partner"]._telecom_b2b_update_agent_ratings(
            statements.agent_id, date_to
        )
        return statements

    @api.model
    def _get_agent_zone_domain(self):
        """The agents whose statements the user computes: those of the user's
        zones (and those without a zone), all for head office."""
        user = self.env.user
        if self.env.su or user.has_group(ALL_ZONES_GROUP):
            return []
        return [
            "|",
            ("telecom_region_id", "=", False),
            ("telecom_region_id", "child_of", user.telecom_region_ids.ids),
        ]

    @api.model
    def _prepare_statement_vals(self, agent, company, date_from, date_to):
        return {
            "agent_id": agent.id,
            "plan_id": agent.telecom_b2b_commission_plan_id.id,
            "company_id": company.id,
            "region_id": agent.telecom_region_id.id,
            "date_from": date_from,
            "date_to": date_to,
        }

    @api.model
    def _cron_generate_previous_month(self):
        """Draft statements of last month for every agent (monthly job)."""
        today = fields.Date.context_today(self)
        date_to = today.replace(day=1) - timedelta(days=1)
        date_from = date_to.replace(day=1)
        for company in self.env["res.company"].search([]):
            self.with_company(company)._generate_statements(date_from, date_to)
