from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

CREDITED_STATES = ("active", "expiring", "renewed", "terminated")


class TelecomB2bContract(models.Model):
    """Service credit rules of a contract and its monthly credit statements."""

    _inherit = "telecom.b2b.contract"

    credit_availability_percent = fields.Float(
        string="Guaranteed Availability (%)",
        default=99.5,
        tracking=True,
        help="Share of the month the customer's services must be free of "
        "incidents; the downtime beyond the rest is credited.",
    )
    credit_downtime_percent = fields.Float(
        string="Credit per Downtime Hour (%)",
        tracking=True,
        help="Service credit per hour of incident downtime beyond the guaranteed "
        "availability, in % of the monthly fee. 0: no downtime credit.",
    )
    credit_cap_percent = fields.Float(
        string="Credit Cap (%)",
        default=30.0,
        tracking=True,
        help="The credits of one month never exceed this % of the monthly fee.",
    )
    credit_statement_ids = fields.One2many(
        "telecom.b2b.credit.statement", "contract_id", string="Credit Statements"
    )
    credit_statement_count = fields.Integer(compute="_compute_credit_statement_count")

    _sql_constraints = [
        (
            "credit_availability_range",
            "CHECK(credit_availability_percent BETWEEN 0 AND 100)",
            "The guaranteed availability is a percentage between 0 and 100.",
        ),
        (
            "credit_downtime_positive",
            "CHECK(credit_downtime_percent >= 0)",
            "The credit per downtime hour cannot be negative.",
        ),
        (
            "credit_cap_range",
            "CHECK(credit_cap_percent BETWEEN 0 AND 100)",
            "The credit cap is a percentage between 0 and 100.",
        ),
    ]

    def _compute_credit_statement_count(self):
        counts = dict(
            self.env["telecom.b2b.credit.statement"]._read_group(
                [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
            )
        )
        for contract in self:
            contract.credit_statement_count = counts.get(contract, 0)

    def action_view_credit_statements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_b2b_partner_helpdesk.telecom_b2b_credit_statement_action"
        )
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # scheduler
    # ------------------------------------------------------------------
    @api.model
    def _get_due_credit_domain(self, period_start):
        """Contracts with credit rules, in force during the month starting on
        ``period_start`` and without a statement for it yet (hook)."""
        period_end = period_start + relativedelta(months=1, days=-1)
        return [
            ("state", "in", CREDITED_STATES),
            ("date_start", "<=", period_end),
            ("date_end", ">=", period_start),
            "|",
            ("termination_date", "=", False),
            ("termination_date", ">=", period_start),
            "|",
            ("credit_downtime_percent", ">", 0),
            ("sla_ids.credit_percent", ">", 0),
            (
                "credit_statement_ids",
                "not any",
                [("period_start", "=", period_start)],
            ),
        ]

    @api.model
    def _cron_create_credit_statements(self, batch_size=200):
        """Create and compute the statements of last month for the contracts
        due, one batch per run; a second run finds nothing left to do."""
        today = fields.Date.context_today(self)
        period_start = today.replace(day=1) - relativedelta(months=1)
        contracts = self.search(
            self._get_due_credit_domain(period_start), limit=batch_size
        )
        contracts._create_credit_statements(period_start)
        remaining = self.search_count(
            self._get_due_credit_domain(period_start), limit=1
        )
        self.env["ir.cron"]._notify_progress(done=len(contracts), remaining=remaining)

    def _get_credit_tz(self):
        """Time zone of the credit months (hook): the contract's zone, else
        the company's working calendar, else UTC."""
        self.ensure_one()
        return self.region_id.tz or self.company_id.resource_calendar_id.tz or "UTC"

    def _create_credit_statements(self, period_start):
        """Computed draft statements of ``self`` for the month of ``period_start``."""
        statements = self.env["telecom.b2b.credit.statement"].create(
            [
                {"contract_id": contract.id, "period_start": period_start}
                for contract in self
            ]
        )
        statements._compute_credits()
        return statements
