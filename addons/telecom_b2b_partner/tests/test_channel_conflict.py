from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import INN_HOLDING
from .common_agent import B2bAgentCommon


@tagged("post_install", "-at_install")
class TestChannelConflict(B2bAgentCommon):
    """The same customer registered by two partners: the later registration
    is flagged against the first within the protection window, then resolved
    by the company's rule or by a B2B sales manager."""

    def _register(self, agent, **values):
        return self.env["crm.lead"].create(
            {
                "name": f"T Lead {agent.name}",
                "telecom_b2b_channel": "partner",
                "telecom_b2b_referrer_id": agent.id,
                **values,
            }
        )

    def test_first_registered_wins_and_manager_reassigns(self):
        self.company.telecom_b2b_conflict_rule = "first_registered"
        first = self._register(self.dealer, partner_id=self.holding.id)
        # the agent registers the same company by its INN only (spaces typed)
        later = self._register(self.agent, telecom_inn=" 5406 123450 ")
        self.assertEqual(later.telecom_inn, INN_HOLDING)
        self.assertFalse(first.telecom_b2b_conflict_state)
        self.assertEqual(later.telecom_b2b_conflict_state, "lost")
        self.assertEqual(later.telecom_b2b_conflict_lead_id, first)
        with self.assertRaises(AccessError):
            later.with_user(self.seller_north).action_telecom_b2b_reassign()
        later.with_user(self.b2b_manager).action_telecom_b2b_reassign()
        self.assertEqual(later.telecom_b2b_conflict_state, "won")
        self.assertEqual(first.telecom_b2b_conflict_state, "lost")
        self.assertEqual(first.telecom_b2b_conflict_lead_id, later)

    def test_manager_decides_rule_holds_the_later_registration(self):
        self.company.telecom_b2b_conflict_rule = "manager"
        first = self._register(self.dealer, partner_id=self.holding.id)
        # a contact person of the holding: the same customer
        person = self.env["res.partner"].create(
            {"name": "T Holding Buyer", "parent_id": self.holding.id}
        )
        later = self._register(self.agent, partner_id=person.id)
        self.assertEqual(later.telecom_b2b_conflict_state, "open")
        conflicts = (
            self.env["crm.lead"]
            .with_user(self.b2b_manager)
            .search([("telecom_b2b_conflict_state", "=", "open")])
        )
        self.assertEqual(conflicts, later)
        later.with_user(self.b2b_manager).action_telecom_b2b_keep_first()
        self.assertEqual(later.telecom_b2b_conflict_state, "lost")
        self.assertEqual(first.telecom_b2b_conflict_state, "won")

    def test_no_conflict_outside_the_window_same_partner_or_other_customer(self):
        self.company.telecom_b2b_protection_days = 30
        old = self._register(self.dealer, partner_id=self.holding.id)
        old.flush_recordset()
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = create_date - interval '31 days' "
            "WHERE id = %s",
            [old.id],
        )
        old.invalidate_recordset(["create_date"])
        self.assertFalse(
            self._register(
                self.agent, partner_id=self.holding.id
            ).telecom_b2b_conflict_state
        )
        recent = self._register(self.dealer, partner_id=self.entity_north.id)
        self.assertFalse(
            self._register(
                self.dealer, partner_id=self.entity_north.id
            ).telecom_b2b_conflict_state
        )
        self.assertFalse(
            self._register(
                self.agent, partner_id=self.entity_south.id
            ).telecom_b2b_conflict_state
        )
        self.assertFalse(recent.telecom_b2b_conflict_state)
        # turning protection off: no check at all
        self.company.telecom_b2b_protection_days = 0
        self.assertFalse(
            self._register(
                self.agent, partner_id=self.entity_north.id
            ).telecom_b2b_conflict_state
        )

    def test_detected_when_a_direct_lead_moves_to_the_partner_channel(self):
        self._register(self.dealer, partner_id=self.holding.id)
        lead = self.env["crm.lead"].create(
            {"name": "T Direct", "partner_id": self.holding.id}
        )
        self.assertFalse(lead.telecom_b2b_conflict_state)
        lead.write(
            {"telecom_b2b_channel": "partner", "telecom_b2b_referrer_id": self.agent.id}
        )
        self.assertEqual(lead.telecom_b2b_conflict_state, "lost")

    def test_lost_registration_earns_no_commission(self):
        self.company.telecom_b2b_conflict_rule = "first_registered"
        self._register(self.dealer, partner_id=self.holding.id)
        lead, _services = self._won_deal(
            self.agent, self.holding, self.site_north, 2, self.env.cr.now().date()
        )
        self.assertEqual(lead.telecom_b2b_conflict_state, "lost")
        today = self.env.cr.now().date()
        statement = self._generate(today.replace(day=1), today, self.agent)
        self.assertEqual(statement.activation_count, 0)
        self.assertFalse(statement.line_ids)
        lead.with_user(self.b2b_manager).action_telecom_b2b_reassign()
        statement.action_recompute()
        self.assertEqual(statement.activation_count, 2)
        self.assertEqual(statement.amount_bonus, 2000)
