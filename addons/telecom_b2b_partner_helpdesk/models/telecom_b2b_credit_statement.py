from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

STATEMENT_STATES = [
    ("draft", "Draft"),
    ("to_approve", "To Approve"),
    ("approved", "Approved"),
    ("sent", "Sent to Billing"),
    ("refused", "Refused"),
]
SUPERVISOR_GROUP = "telecom_b2b_partner.telecom_b2b_partner_group_manager"


class TelecomB2bCreditStatement(models.Model):
    """The service credits a contract owes its customer for one month: its
    SLA breaches and the incident downtime beyond the guaranteed availability,
    approved by a B2B manager before billing adjusts the invoice."""

    _name = "telecom.b2b.credit.statement"
    _description = "B2B Service Credit Statement"
    _inherit = ["mail.thread"]
    _order = "period_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    contract_id = fields.Many2one(
        "telecom.b2b.contract",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    partner_id = fields.Many2one(
        related="contract_id.partner_id", string="Customer", store=True, index=True
    )
    company_id = fields.Many2one(
        related="contract_id.company_id", store=True, index=True
    )
    region_id = fields.Many2one(related="contract_id.region_id", store=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    period_start = fields.Date(
        string="Month",
        required=True,
        readonly=True,
        help="First day of the month the statement covers.",
    )
    period_end = fields.Date(compute="_compute_period_end", store=True)
    state = fields.Selection(
        STATEMENT_STATES,
        required=True,
        default="draft",
        readonly=True,
        tracking=True,
        index=True,
    )
    monthly_amount = fields.Monetary(
        string="Monthly Fee",
        readonly=True,
        help="The contract's monthly fee when the credits were computed.",
    )
    downtime_hours = fields.Float(
        readonly=True, help="Hours of the month an incident hit the covered services."
    )
    allowed_downtime_hours = fields.Float(
        readonly=True, help="Downtime the guaranteed availability allows."
    )
    cap_amount = fields.Monetary(string="Cap", readonly=True)
    amount_total = fields.Monetary(
        string="Credit", compute="_compute_amount_total", store=True
    )
    line_ids = fields.One2many(
        "telecom.b2b.credit.statement.line", "statement_id", string="Lines"
    )
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_date = fields.Datetime(readonly=True, copy=False)
    refusal_reason = fields.Text(tracking=True)

    _sql_constraints = [
        (
            "contract_period_unique",
            "UNIQUE(contract_id, period_start)",
            "A contract has one credit statement per month.",
        ),
    ]

    @api.depends("contract_id.name", "period_start")
    def _compute_name(self):
        for statement in self:
            month = (
                statement.period_start.strftime("%Y-%m")
                if statement.period_start
                else ""
            )
            statement.name = f"{statement.contract_id.name or ''} {month}".strip()

    @api.depends("period_start")
    def _compute_period_end(self):
        for statement in self:
            statement.period_end = statement.period_start and (
                statement.period_start + relativedelta(months=1, days=-1)
            )

    @api.depends("line_ids.amount")
    def _compute_amount_total(self):
        for statement in self:
            statement.amount_total = sum(statement.line_ids.mapped("amount"))

    @api.constrains("period_start")
    def _check_period_start(self):
        for statement in self:
            if statement.period_start.day != 1:
                raise ValidationError(
                    self.env._(
                        "A credit statement covers a calendar month: its month "
                        "starts on the 1st, not on %(date)s.",
                        date=statement.period_start,
                    )
                )

    def write(self, vals):
        if "state" in vals and not self.env.context.get("telecom_b2b_credit_move"):
            raise UserError(
                self.env._(
                    "The state of a credit statement changes through its buttons only."
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # workflow
    # ------------------------------------------------------------------
    def action_compute(self):
        """Compute the credits of draft statements again."""
        self._check_state_for(("draft",), self.env._("recompute"))
        self._compute_credits()
        return True

    def action_submit(self):
        self._check_state_for(("draft",), self.env._("submit"))
        self._move_to("to_approve")
        return True

    def action_approve(self):
        """A supervisor (B2B manager) approves the credits for billing."""
        self._check_supervisor()
        self._check_state_for(("to_approve",), self.env._("approve"))
        self.with_context(telecom_b2b_credit_move=True).write(
            {
                "state": "approved",
                "approved_by_id": self.env.uid,
                "approved_date": fields.Datetime.now(),
            }
        )
        return True

    def action_refuse(self):
        self._check_supervisor()
        self._check_state_for(("to_approve", "approved"), self.env._("refuse"))
        self._move_to("refused")
        return True

    def action_reset_to_draft(self):
        self._check_state_for(("to_approve", "refused"), self.env._("reset"))
        self._move_to("draft")
        return True

    def _mark_sent(self):
        """Approved → sent, once billing has the adjustment (for the billing
        integration)."""
        self._check_state_for(("approved",), self.env._("send"))
        self._move_to("sent")

    def _move_to(self, state):
        self.with_context(telecom_b2b_credit_move=True).write({"state": state})

    def _check_supervisor(self):
        if not self.env.user.has_group(SUPERVISOR_GROUP):
            raise AccessError(
                self.env._(
                    "Only a B2B Sales Manager approves or refuses service credits."
                )
            )

    def _check_state_for(self, allowed_states, action_label):
        states = dict(self._fields["state"]._description_selection(self.env))
        for statement in self:
            if statement.state not in allowed_states:
                raise UserError(
                    self.env._(
                        "Cannot %(action)s credit statement %(statement)s: it is "
                        "%(state)s.",
                        action=action_label,
                        statement=statement.name,
                        state=states[statement.state],
                    )
                )
