from datetime import date

from odoo.tests import tagged

from .common_agent import FEB, JAN, MAR, B2bAgentCommon


@tagged("post_install", "-at_install")
class TestCommissionFigures(B2bAgentCommon):
    """Statements against figures worked out by hand (plan of B2bAgentCommon:
    10 % of 3 months, 1,000 per activation, clawback within 6 months; from 3
    activations 1,500 and 15 %).

    The dealer brings 4 lines of the holding activated in January (three on
    the 10th, one on the 20th that ends on the 25th: no bonus, not counted),
    the agent 2 lines of its South entity (15 January).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _lead, services = cls._won_deal(
            cls.dealer, cls.holding, cls.site_north, 4, date(2026, 1, 10)
        )
        cls.s1, cls.s2, cls.s3, cls.s4 = services
        cls.s4.write({"activation_date": date(2026, 1, 20)})
        cls._terminate(cls.s4, date(2026, 1, 25))
        _lead, (cls.t1, cls.t2) = cls._won_deal(
            cls.agent, cls.entity_south, cls.site_south, 2, date(2026, 1, 15)
        )
        for month in ("2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"):
            cls._bill(cls.s1, month, 600)
        cls._bill(cls.s2, "2026-01-01", 300)
        cls._bill(cls.s4, "2026-01-01", 200)
        cls._bill(cls.t1, "2026-01-01", 1000)

    def _statement(self, statements, agent):
        return statements.filtered(lambda statement: statement.agent_id == agent)

    def _amounts(self, statement, line_type):
        lines = statement.line_ids.filtered(lambda line: line.line_type == line_type)
        return sorted(
            (line.service_id.id, line.month and str(line.month), line.amount)
            for line in lines
        )

    def test_january_tier_reached_by_the_dealer_not_by_the_agent(self):
        statements = self._generate(*JAN)
        dealer = self._statement(statements, self.dealer)
        # 3 activations count (s4 ended within the clawback months): tier 1,500 / 15 %
        self.assertEqual(dealer.activation_count, 3)
        self.assertEqual(dealer.tier_id, self.plan.tier_ids)
        self.assertEqual(dealer.activation_bonus, 1500)
        self.assertEqual(dealer.revenue_percent, 15)
        self.assertEqual(
            self._amounts(dealer, "bonus"),
            [(s.id, False, 1500) for s in (self.s1, self.s2, self.s3)],
        )
        # 15 % of 600, 300 and 200 (the ended line's billed month is shared too)
        self.assertEqual(
            self._amounts(dealer, "revenue"),
            [
                (self.s1.id, "2026-01-01", 90),
                (self.s2.id, "2026-01-01", 45),
                (self.s4.id, "2026-01-01", 30),
            ],
        )
        self.assertEqual(dealer.amount_bonus, 4500)
        self.assertEqual(dealer.amount_revenue, 165)
        self.assertEqual(dealer.amount_total, 4665)
        agent = self._statement(statements, self.agent)
        # 2 activations: the plan's own 1,000 and 10 %
        self.assertEqual(agent.activation_count, 2)
        self.assertFalse(agent.tier_id)
        self.assertEqual(agent.amount_bonus, 2000)
        self.assertEqual(
            self._amounts(agent, "revenue"), [(self.t1.id, "2026-01-01", 100)]
        )
        self.assertEqual(agent.amount_total, 2100)

    def test_clawback_in_a_later_statement_and_months_beyond_n_unpaid(self):
        self._generate(*JAN)
        self._terminate(self.s2, date(2026, 3, 5))
        february = self._statement(self._generate(*FEB), self.dealer)
        # no activation in February: plan rate 10 % on s1's February (600)
        self.assertEqual(february.activation_count, 0)
        self.assertEqual(
            self._amounts(february, "revenue"), [(self.s1.id, "2026-02-01", 60)]
        )
        self.assertFalse(self._amounts(february, "clawback"))
        self.assertEqual(february.amount_total, 60)
        march = self._statement(self._generate(*MAR), self.dealer)
        # s2 ended on 5 March, before its clawback day (10 July): -1,500;
        # s1's April (4th month) is beyond N = 3 and beyond the period
        self.assertEqual(self._amounts(march, "clawback"), [(self.s2.id, False, -1500)])
        clawback = march.line_ids.filtered(lambda line: line.line_type == "clawback")
        self.assertEqual(clawback.clawback_until, date(2026, 7, 10))
        self.assertEqual(
            self._amounts(march, "revenue"), [(self.s1.id, "2026-03-01", 60)]
        )
        self.assertEqual(march.amount_clawback, -1500)
        self.assertEqual(march.amount_total, -1440)
        # the fourth month never earns, even in a later statement
        april = self._statement(
            self._generate(date(2026, 4, 1), date(2026, 4, 30)), self.dealer
        )
        self.assertFalse(april.line_ids)

    def test_nothing_is_paid_twice(self):
        january = self._statement(self._generate(*JAN), self.dealer)
        # recomputing the draft gives the same figures
        january.action_recompute()
        self.assertEqual(january.amount_total, 4665)
        # a second statement over an overlapping period finds nothing left
        overlap = self._statement(
            self._generate(date(2026, 1, 15), date(2026, 2, 28)), self.dealer
        )
        self.assertEqual(overlap.amount_bonus, 0)
        self.assertEqual(
            self._amounts(overlap, "revenue"), [(self.s1.id, "2026-02-01", 60)]
        )
        # an approved statement is not recomputed by a new run
        january.action_approve()
        again = self._generate(*JAN)
        self.assertNotIn(january, again)
        self.assertEqual(january.amount_total, 4665)

    def test_late_billed_month_is_caught_by_the_next_statement(self):
        self._generate(*JAN)
        self._bill(self.t2, "2026-01-01", 500)  # January of t2 arrives in February
        february = self._statement(self._generate(*FEB), self.agent)
        self.assertEqual(
            self._amounts(february, "revenue"), [(self.t2.id, "2026-01-01", 50)]
        )

    def test_rating_from_volume_and_early_churn(self):
        self._generate(*JAN)
        # dealer: 4 activations, 1 ended early (25 %, under the 30 % limit): gold
        self.assertEqual(self.dealer.telecom_b2b_agent_activations, 4)
        self.assertEqual(self.dealer.telecom_b2b_agent_churn_rate, 25)
        self.assertEqual(self.dealer.telecom_b2b_agent_rating, "gold")
        # agent: 2 activations: silver; one more early end (50 %): bronze
        self.assertEqual(self.agent.telecom_b2b_agent_rating, "silver")
        self._terminate(self.t1, date(2026, 1, 30))
        self._statement(self._generate(*JAN), self.agent).action_recompute()
        self._generate(*JAN)
        self.assertEqual(self.agent.telecom_b2b_agent_churn_rate, 50)
        self.assertEqual(self.agent.telecom_b2b_agent_rating, "bronze")

    def test_agent_customers_and_deals(self):
        self.assertEqual(self.dealer.telecom_b2b_referred_lead_count, 1)
        self.assertEqual(self.dealer.telecom_b2b_agent_customer_count, 1)
        action = self.dealer.action_telecom_b2b_view_agent_customers()
        self.assertEqual(self.env["res.partner"].search(action["domain"]), self.holding)

    def _generation_queries(self):
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        self._generate(*JAN)
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_generation_queries_do_not_grow_with_activations(self):
        self._generate(*JAN)  # the statements exist: later runs recompute drafts
        few = self._generation_queries()
        more = self._won_deal(
            self.dealer, self.holding, self.site_north, 6, date(2026, 1, 12)
        )[1]
        for service in more:
            self._bill(service, "2026-01-01", 100)
        many = self._generation_queries()
        dealer = self.dealer.telecom_b2b_commission_statement_ids
        self.assertEqual(dealer.activation_count, 9)
        self.assertEqual(few, many)
