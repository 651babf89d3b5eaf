from datetime import date

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_agent import JAN, B2bAgentCommon


@tagged("post_install", "-at_install")
class TestCommissionAccess(B2bAgentCommon):
    """Who sees and moves statements: B2B sellers read those of their zones,
    B2B managers compute, approve and pay them, an agent's portal users read
    the approved and paid ones of their own agent only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._won_deal(cls.dealer, cls.holding, cls.site_north, 1, date(2026, 1, 10))
        cls._won_deal(cls.agent, cls.entity_south, cls.site_south, 1, date(2026, 1, 15))
        statements = cls._generate(*JAN)
        cls.dealer_statement = statements.filtered(lambda s: s.agent_id == cls.dealer)
        cls.agent_statement = statements.filtered(lambda s: s.agent_id == cls.agent)

    def test_seller_reads_the_statements_of_its_zone_only(self):
        Statement = self.env["telecom.b2b.commission.statement"]
        # demo data may hold statements of its own agents: judge ours only
        ours = [("id", "in", (self.dealer_statement | self.agent_statement).ids)]
        seen = Statement.with_user(self.seller_north).search(ours)
        self.assertEqual(seen, self.dealer_statement)
        self.assertEqual(
            Statement.with_user(self.seller_south).search(ours), self.agent_statement
        )
        with self.assertRaises(AccessError):
            self.agent_statement.with_user(self.seller_north).read(["amount_total"])

    def test_seller_can_neither_compute_nor_approve(self):
        with self.assertRaises(AccessError):
            self.dealer_statement.with_user(self.seller_north).action_approve()
        with self.assertRaises(AccessError):
            self.env["telecom.b2b.commission.statement"].with_user(
                self.seller_north
            )._generate_statements(*JAN)
        with self.assertRaises(AccessError):
            self.dealer_statement.with_user(self.seller_north).write(
                {"payout_reference": "PAY-1"}
            )

    def test_zone_manager_computes_the_agents_of_its_zones(self):
        statements = (
            self.env["telecom.b2b.commission.statement"]
            .with_user(self.b2b_manager)
            ._generate_statements(date(2026, 2, 1), date(2026, 2, 28))
        )
        # the manager works North: the dealer's statement, not the South agent's
        # (demo agents of other zones may have statements too: judge ours only)
        ours = statements.filtered(lambda s: s.agent_id in self.dealer | self.agent)
        self.assertEqual(ours.agent_id, self.dealer)

    def test_manager_approves_then_pays_with_a_reference(self):
        statement = self.dealer_statement.with_user(self.b2b_manager)
        statement.action_approve()
        self.assertEqual(statement.state, "approved")
        self.assertEqual(statement.approved_by_id, self.b2b_manager)
        with self.assertRaisesRegex(ValidationError, "payout reference"):
            statement.action_mark_paid()
        statement.write(
            {"payout_reference": "PAY-2026-01", "payout_date": date(2026, 2, 5)}
        )
        statement.action_mark_paid()
        self.assertEqual(statement.state, "paid")
        with self.assertRaisesRegex(UserError, "current status"):
            statement.action_approve()
        with self.assertRaisesRegex(UserError, "draft"):
            statement.unlink()

    def test_agent_portal_user_reads_own_approved_statements_only(self):
        Statement = self.env["telecom.b2b.commission.statement"].with_user(
            self.dealer_user
        )
        # drafts are the company's work in progress
        self.assertFalse(Statement.search([]))
        (self.dealer_statement | self.agent_statement).with_user(
            self.b2b_manager
        ).sudo().action_approve()
        self.assertEqual(Statement.search([]), self.dealer_statement)
        lines = self.env["telecom.b2b.commission.statement.line"].with_user(
            self.dealer_user
        )
        self.assertEqual(lines.search([]), self.dealer_statement.line_ids)
        with self.assertRaises(AccessError):
            self.agent_statement.with_user(self.dealer_user).read(["amount_total"])
        with self.assertRaises(AccessError):
            self.dealer_statement.with_user(self.dealer_user).write(
                {"payout_reference": "MINE"}
            )
