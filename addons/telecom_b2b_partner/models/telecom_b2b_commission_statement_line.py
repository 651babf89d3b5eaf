from odoo import api, fields, models
from odoo.tools import SQL

LINE_TYPES = [
    ("bonus", "Activation Bonus"),
    ("revenue", "Revenue Share"),
    ("clawback", "Clawback"),
]

# one line per service (bonus, clawback) or per service and month (revenue)
UNIQUE_LINES = {
    "bonus": ("service_id",),
    "clawback": ("service_id",),
    "revenue": ("service_id", "month"),
}
ACTIVATION_TABLE = "telecom_b2b_commission_activation"  # temporary, per computation

# Services activated through the deals an agent brought: activation requests
# of won quotations whose opportunity came through the partner channel from
# the agent (or one of its people), unless the deal lost a channel conflict or
# waits for a manager's decision on one. One row per (statement, service).
ACTIVATIONS_SQL = """
    SELECT DISTINCT ON (st.id, s.id)
           st.id AS statement_id, st.agent_id, st.company_id, st.plan_id,
           st.date_from, st.date_to, s.id AS service_id,
           s.activation_date, s.termination_date
      FROM telecom_b2b_commission_statement st
      JOIN res_partner referrer ON referrer.commercial_partner_id = st.agent_id
      JOIN crm_lead lead ON lead.telecom_b2b_referrer_id = referrer.id
                        AND lead.telecom_b2b_channel = 'partner'
                        AND COALESCE(lead.telecom_b2b_conflict_state, 'won') = 'won'
      JOIN telecom_request r ON r.telecom_b2b_lead_id = lead.id
                            AND r.request_type = 'activation'
      JOIN telecom_service s ON s.id = r.service_id
                            AND s.company_id = st.company_id
                            AND s.activation_date IS NOT NULL
     WHERE st.id IN %(statement_ids)s
     ORDER BY st.id, s.id
"""


class TelecomB2bCommissionStatementLine(models.Model):
    """One amount of a commission statement: the bonus of one activation, the
    revenue share of one billed month of one service, or the clawback of an
    earlier bonus. A service earns one bonus, one clawback and one revenue
    share per month at most, whatever the statements (database constraints),
    so recomputing or overlapping periods never pay twice."""

    _name = "telecom.b2b.commission.statement.line"
    _description = "Agent Commission Statement Line"
    _order = "statement_id, line_type, activation_date, service_id, month"

    statement_id = fields.Many2one(
        "telecom.b2b.commission.statement",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    # of the statement, not stored: every stored many2one is a foreign key
    # PostgreSQL checks row by row, and statements insert lines by the 100,000
    agent_id = fields.Many2one(related="statement_id.agent_id")
    company_id = fields.Many2one(related="statement_id.company_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    line_type = fields.Selection(
        LINE_TYPES, string="Type", required=True, readonly=True
    )
    service_id = fields.Many2one(
        "telecom.service", readonly=True, index=True, ondelete="restrict"
    )
    activation_date = fields.Date(readonly=True)
    termination_date = fields.Date(readonly=True)
    clawback_until = fields.Date(
        readonly=True,
        help="The bonus is taken back if the service ends before this day.",
    )
    month = fields.Date(string="Billed Month", readonly=True)
    base_amount = fields.Monetary(
        string="Billed", readonly=True, help="What billing charged for the month."
    )
    rate = fields.Float(string="Share (%)", readonly=True, digits=(5, 2))
    amount = fields.Monetary(readonly=True)

    def _auto_init(self):
        """A service earns one bonus, one clawback and one revenue share per
        billed month at most, whatever the statements: partial unique indexes
        (cheaper than exclusion constraints when statements insert hundreds of
        thousands of lines)."""
        result = super()._auto_init()
        for line_type, columns in UNIQUE_LINES.items():
            self.env.cr.execute(
                SQL(
                    "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (%s) "
                    "WHERE line_type = %s",
                    SQL.identifier(f"{self._table}_{line_type}_uniq"),
                    SQL.identifier(self._table),
                    SQL(", ").join(SQL.identifier(column) for column in columns),
                    line_type,
                )
            )
        return result

    @api.depends("service_id", "line_type", "month")
    def _compute_display_name(self):
        types = dict(self._fields["line_type"]._description_selection(self.env))
        for line in self:
            label = f"{types.get(line.line_type, '')} {line.service_id.name or ''}"
            if line.month:
                label += f" {line.month:%m/%Y}"
            line.display_name = label.strip()

    # ------------------------------------------------------------------
    # set-based computation (one statement per kind of line)
    # ------------------------------------------------------------------
    @api.model
    def _compute_statement_lines(self, statements):
        """Fill the (empty) ``statements``: volume tier, bonuses, revenue
        shares, clawbacks, then totals. Five statements whatever the number of
        agents and activations."""
        if not statements:
            return
        self.env.flush_all()
        params = {"statement_ids": tuple(statements.ids), "uid": self.env.uid}
        cr = self.env.cr
        # fresh statistics of the lines and statements (earlier statements may
        # have inserted 100,000s of lines moments ago): the planner then looks
        # earlier bonuses up by index instead of scanning them per statement
        cr.execute(SQL("ANALYZE %s", SQL.identifier(self._table)))
        cr.execute(SQL("ANALYZE %s", SQL.identifier(statements._table)))
        # the activations of all the statements, read once for the three kinds
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(ACTIVATION_TABLE)))
        cr.execute(
            SQL(
                "CREATE TEMPORARY TABLE %s ON COMMIT DROP AS %s",
                SQL.identifier(ACTIVATION_TABLE),
                SQL(ACTIVATIONS_SQL, **params),
            )
        )
        cr.execute(SQL("ANALYZE %s", SQL.identifier(ACTIVATION_TABLE)))
        cr.execute(SQL(self._apply_tiers_sql(), **params))
        cr.execute(SQL(self._insert_bonus_lines_sql(), **params))
        cr.execute(SQL(self._insert_revenue_lines_sql(), **params))
        cr.execute(SQL(self._insert_clawback_lines_sql(), **params))
        cr.execute(SQL("DROP TABLE %s", SQL.identifier(ACTIVATION_TABLE)))
        self.env.invalidate_all()
        Statement = self.env["telecom.b2b.commission.statement"]
        self.env.add_to_compute(Statement._fields["amount_bonus"], statements)
        for name in ("amount_revenue", "amount_clawback", "amount_total"):
            self.env.add_to_compute(Statement._fields[name], statements)
        statements.flush_recordset()

    def _eligible_bonus_condition(self):
        """An activation of the period earns its bonus unless the service
        already ended within the clawback months."""
        return """a.activation_date BETWEEN a.date_from AND a.date_to
              AND NOT (a.termination_date IS NOT NULL
                       AND a.termination_date <= a.date_to
                       AND a.termination_date < a.activation_date
                           + make_interval(months => p.clawback_months))
              AND NOT EXISTS (
                    SELECT 1 FROM telecom_b2b_commission_statement_line x
                     WHERE x.service_id = a.service_id AND x.line_type = 'bonus')"""

    def _apply_tiers_sql(self):
        """Activations counted for the tier, tier reached and rates applied."""
        return f"""
            WITH counted AS (
                SELECT a.statement_id, count(*) AS activations
                  FROM telecom_b2b_commission_activation a
                  JOIN telecom_b2b_commission_plan p ON p.id = a.plan_id
                 WHERE {self._eligible_bonus_condition()}
                 GROUP BY a.statement_id
            )
            UPDATE telecom_b2b_commission_statement st
               SET activation_count = COALESCE(counted.activations, 0),
                   tier_id = tier.id,
                   activation_bonus
                       = COALESCE(tier.activation_bonus, p.activation_bonus),
                   revenue_percent = COALESCE(tier.revenue_percent, p.revenue_percent)
              FROM telecom_b2b_commission_plan p,
                   telecom_b2b_commission_statement st2
              LEFT JOIN counted ON counted.statement_id = st2.id
              LEFT JOIN LATERAL (
                    SELECT t.id, t.activation_bonus, t.revenue_percent
                      FROM telecom_b2b_commission_tier t
                     WHERE t.plan_id = st2.plan_id
                       AND t.min_activations <= COALESCE(counted.activations, 0)
                     ORDER BY t.min_activations DESC
                     LIMIT 1) tier ON TRUE
             WHERE st.id = st2.id AND p.id = st.plan_id
               AND st.id IN %(statement_ids)s
        """

    def _insert_bonus_lines_sql(self):
        return f"""
            INSERT INTO telecom_b2b_commission_statement_line
                   (statement_id, line_type, service_id,
                    activation_date, termination_date, clawback_until,
                    amount, create_uid, create_date, write_uid, write_date)
            SELECT a.statement_id, 'bonus', a.service_id,
                   a.activation_date, a.termination_date,
                   (a.activation_date
                    + make_interval(months => p.clawback_months))::date,
                   st.activation_bonus, %(uid)s, now() at time zone 'UTC',
                   %(uid)s, now() at time zone 'UTC'
              FROM telecom_b2b_commission_activation a
              JOIN telecom_b2b_commission_plan p ON p.id = a.plan_id
              JOIN telecom_b2b_commission_statement st ON st.id = a.statement_id
             WHERE {self._eligible_bonus_condition()}
        """

    def _insert_revenue_lines_sql(self):
        """Each billed month of a service within its first revenue months,
        up to the end of the period, not commissioned yet (late months are
        caught by the next statement)."""
        return """
            INSERT INTO telecom_b2b_commission_statement_line
                   (statement_id, line_type, service_id,
                    activation_date, month, base_amount, rate, amount,
                    create_uid, create_date, write_uid, write_date)
            SELECT a.statement_id, 'revenue', a.service_id,
                   a.activation_date, u.month, u.charged_amount,
                   st.revenue_percent,
                   round(u.charged_amount * st.revenue_percent::numeric / 100, 2),
                   %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
              FROM telecom_b2b_commission_activation a
              JOIN telecom_b2b_commission_plan p ON p.id = a.plan_id
              JOIN telecom_b2b_commission_statement st ON st.id = a.statement_id
              JOIN telecom_usage_monthly u
                ON u.service_id = a.service_id
               AND u.month <= a.date_to
               AND u.month >= date_trunc('month', a.activation_date)::date
               AND u.month < date_trunc('month', a.activation_date)
                             + make_interval(months => p.revenue_months)
             WHERE st.revenue_percent > 0
               AND COALESCE(u.charged_amount, 0) != 0
               AND NOT EXISTS (
                     SELECT 1 FROM telecom_b2b_commission_statement_line x
                      WHERE x.service_id = u.service_id AND x.month = u.month
                        AND x.line_type = 'revenue')
        """

    def _insert_clawback_lines_sql(self):
        """Bonuses of other statements of the agent whose service ended before
        their clawback day, by the end of the period: taken back once."""
        return """
            INSERT INTO telecom_b2b_commission_statement_line
                   (statement_id, line_type, service_id,
                    activation_date, termination_date, clawback_until,
                    amount, create_uid, create_date, write_uid, write_date)
            SELECT st.id, 'clawback', b.service_id,
                   b.activation_date, s.termination_date,
                   b.clawback_until, -b.amount,
                   %(uid)s, now() at time zone 'UTC',
                   %(uid)s, now() at time zone 'UTC'
              FROM telecom_b2b_commission_statement st
              JOIN telecom_b2b_commission_statement bonus_statement
                ON bonus_statement.agent_id = st.agent_id
               AND bonus_statement.company_id = st.company_id
               AND bonus_statement.id != st.id
              JOIN telecom_b2b_commission_statement_line b
                ON b.statement_id = bonus_statement.id AND b.line_type = 'bonus'
              JOIN telecom_service s ON s.id = b.service_id
             WHERE st.id IN %(statement_ids)s
               AND s.termination_date <= st.date_to
               AND s.termination_date < b.clawback_until
               AND NOT EXISTS (
                     SELECT 1 FROM telecom_b2b_commission_statement_line x
                      WHERE x.service_id = b.service_id AND x.line_type = 'clawback')
        """
