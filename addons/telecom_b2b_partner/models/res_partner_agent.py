from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

AGENT_TYPES = [("dealer", "Dealer"), ("agent", "Agent")]
AGENT_RATINGS = [("bronze", "Bronze"), ("silver", "Silver"), ("gold", "Gold")]


class ResPartner(models.Model):
    """Dealers and agents of the partner channel: the companies (or people)
    that bring B2B deals and earn commissions. Their portal users are the
    contacts below them (their commercial partner is the dealer or agent)."""

    _inherit = "res.partner"

    telecom_b2b_agent_type = fields.Selection(
        AGENT_TYPES,
        string="Partner Channel Role",
        index="btree_not_null",
        tracking=True,
        help="Dealers and agents bring deals through the partner channel and "
        "earn commissions under their plan.",
    )
    telecom_b2b_commission_plan_id = fields.Many2one(
        "telecom.b2b.commission.plan",
        string="Commission Plan",
        index="btree_not_null",
        ondelete="restrict",
        tracking=True,
    )
    telecom_b2b_agent_rating = fields.Selection(
        AGENT_RATINGS,
        string="Partner Rating",
        readonly=True,
        help="From the activations of the last twelve months and how many of "
        "them ended within the clawback months (bands of the commission plan); "
        "updated with each statement.",
    )
    telecom_b2b_agent_activations = fields.Integer(
        string="Activations (12 Months)", readonly=True
    )
    telecom_b2b_agent_churn_rate = fields.Float(
        string="Early Churn (%)", readonly=True, digits=(5, 2)
    )
    telecom_b2b_referred_lead_ids = fields.One2many(
        "crm.lead", "telecom_b2b_referrer_id", string="Deals Brought"
    )
    telecom_b2b_commission_statement_ids = fields.One2many(
        "telecom.b2b.commission.statement", "agent_id", string="Commission Statements"
    )
    telecom_b2b_referred_lead_count = fields.Integer(
        string="Deals Brought Count", compute="_compute_telecom_b2b_agent_counts"
    )
    telecom_b2b_agent_customer_count = fields.Integer(
        string="Customers Brought", compute="_compute_telecom_b2b_agent_counts"
    )

    def _compute_telecom_b2b_agent_counts(self):
        agents = self.filtered("telecom_b2b_agent_type")
        self.telecom_b2b_referred_lead_count = 0
        self.telecom_b2b_agent_customer_count = 0
        if not agents or not self.env["crm.lead"].has_access("read"):
            return
        leads = dict(
            self.env["crm.lead"]._read_group(
                [("telecom_b2b_referrer_id", "child_of", agents.ids)],
                ["telecom_b2b_referrer_id"],
                ["__count"],
            )
        )
        customers = agents._telecom_b2b_agent_customers_by_agent()
        for partner in agents:
            partner.telecom_b2b_referred_lead_count = sum(
                count
                for referrer, count in leads.items()
                if referrer.commercial_partner_id == partner
            )
            partner.telecom_b2b_agent_customer_count = len(
                customers.get(partner.id, ())
            )

    def _telecom_b2b_agent_customers_by_agent(self):
        """{agent id: customer ids}: the commercial partners of the won deals
        each agent (or one of its people) brought through the partner channel,
        read with the rights of the current user (one grouped query)."""
        groups = self.env["crm.lead"]._read_group(
            [
                ("telecom_b2b_referrer_id", "child_of", self.ids),
                ("telecom_b2b_channel", "=", "partner"),
                ("stage_id.is_won", "=", True),
                ("partner_id", "!=", False),
            ],
            ["telecom_b2b_referrer_id", "partner_id"],
        )
        result = {}
        for referrer, customer in groups:
            agent_id = referrer.commercial_partner_id.id
            result.setdefault(agent_id, set()).add(customer.commercial_partner_id.id)
        return result

    def action_telecom_b2b_view_agent_customers(self):
        self.ensure_one()
        customer_ids = self._telecom_b2b_agent_customers_by_agent().get(self.id, ())
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Customers Brought by %(agent)s", agent=self.name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", list(customer_ids))],
        }

    def action_telecom_b2b_view_referred_leads(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action["domain"] = [("telecom_b2b_referrer_id", "child_of", self.id)]
        action["context"] = {"active_test": False}
        return action

    @api.model
    def _telecom_b2b_update_agent_ratings(self, agents, date_to):
        """Rating of ``agents`` from their activations of the twelve months up
        to ``date_to`` and how many ended within their plan's clawback months,
        in one statement for all (the figures are read-only statistics: no
        tracking, nothing depends on them)."""
        if not agents:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH figures AS (
                    SELECT agent.id AS agent_id, plan.rating_silver_activations,
                           plan.rating_gold_activations, plan.rating_churn_limit,
                           count(s.id) AS activations,
                           count(s.id) FILTER (
                               WHERE s.termination_date IS NOT NULL
                                 AND s.termination_date < s.activation_date
                                     + make_interval(months => plan.clawback_months)
                           ) AS churned
                      FROM res_partner agent
                      JOIN telecom_b2b_commission_plan plan
                        ON plan.id = agent.telecom_b2b_commission_plan_id
                      LEFT JOIN res_partner referrer
                        ON referrer.commercial_partner_id = agent.id
                      LEFT JOIN crm_lead lead
                        ON lead.telecom_b2b_referrer_id = referrer.id
                       AND lead.telecom_b2b_channel = 'partner'
                      LEFT JOIN telecom_request r
                        ON r.telecom_b2b_lead_id = lead.id
                       AND r.request_type = 'activation'
                      LEFT JOIN telecom_service s
                        ON s.id = r.service_id
                       AND s.activation_date > %(since)s
                       AND s.activation_date <= %(date_to)s
                     WHERE agent.id IN %(agent_ids)s
                     GROUP BY agent.id, plan.id
                )
                UPDATE res_partner partner
                   SET telecom_b2b_agent_activations = f.activations,
                       telecom_b2b_agent_churn_rate = CASE WHEN f.activations > 0
                           THEN round(100.0 * f.churned / f.activations, 2) ELSE 0 END,
                       telecom_b2b_agent_rating = CASE
                           WHEN f.activations > 0
                            AND 100.0 * f.churned / f.activations > f.rating_churn_limit
                           THEN 'bronze'
                           WHEN f.activations >= f.rating_gold_activations THEN 'gold'
                           WHEN f.activations >= f.rating_silver_activations
                           THEN 'silver'
                           ELSE 'bronze' END
                  FROM figures f
                 WHERE partner.id = f.agent_id
                """,
                since=date_to - relativedelta(months=12),
                date_to=date_to,
                agent_ids=tuple(agents.ids),
            )
        )
        agents.invalidate_recordset(
            [
                "telecom_b2b_agent_activations",
                "telecom_b2b_agent_churn_rate",
                "telecom_b2b_agent_rating",
            ]
        )
