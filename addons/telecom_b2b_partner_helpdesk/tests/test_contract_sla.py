from odoo import Command
from odoo.tests import tagged

from odoo.addons.telecom_b2b_partner.tests.common import B2bCommon
from odoo.addons.telecom_helpdesk_sla.tests.common import TelecomHelpdeskCommon


@tagged("post_install", "-at_install")
class TestContractSla(B2bCommon, TelecomHelpdeskCommon):
    """The SLA terms of a contract in force apply to the tickets of the sites
    it covers, ahead of the general policies; the other tickets keep them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls._create_contract(
            cls.holding,
            site_ids=[Command.set(cls.entity_north.ids)],
            sla_ids=[
                Command.create(
                    {
                        "priority": "3",
                        "calendar_id": cls.calendar_always.id,
                        "first_response_hours": 0.25,
                        "update_hours": 1,
                        "resolution_hours": 4,
                    }
                ),
                Command.create(
                    {
                        "priority": "1",
                        "calendar_id": cls.calendar_business.id,
                        "first_response_hours": 2,
                        "resolution_hours": 16,
                    }
                ),
            ],
        )
        cls.term_p1 = cls.contract.sla_ids.filtered(lambda t: t.priority == "3")
        cls.term_p3 = cls.contract.sla_ids.filtered(lambda t: t.priority == "1")
        cls.site_contact = cls.env["res.partner"].create(
            {"name": "T Site Engineer", "parent_id": cls.site_north.id}
        )

    def _file(self, partner, priority, user=None):
        """A ticket filed by a front office agent (of the North zone)."""
        env = self.env(user=user or self.front_office)
        return self._ticket(partner, env=env, priority=priority)

    def test_each_term_runs_as_a_policy_with_its_targets(self):
        policy = self.term_p1.sla_policy_id
        self.assertEqual(policy.priority_ids.mapped("code"), ["3"])
        self.assertEqual(policy.calendar_id, self.calendar_always)
        self.assertEqual(
            {t.kind: t.hours for t in policy.target_ids},
            {"first_response": 0.25, "update": 1, "resolution": 4},
        )
        self.term_p1.write({"resolution_hours": 3, "update_hours": 0})
        self.assertEqual(
            {t.kind: t.hours for t in policy.target_ids},
            {"first_response": 0.25, "resolution": 3},
        )

    def test_contract_terms_apply_once_the_contract_is_in_force(self):
        # draft: the general policies apply
        self.assertEqual(
            self._file(self.site_contact, "3").sla_policy_id, self.policy_p1
        )
        self.contract.action_activate()
        ticket = self._file(self.site_contact, "3")
        self.assertEqual(ticket.sla_policy_id, self.term_p1.sla_policy_id)
        self.assertEqual(self._line(ticket, "resolution").target_hours, 4)
        self.assertEqual(
            self._file(self.entity_north, "1").sla_policy_id,
            self.term_p3.sla_policy_id,
        )
        # a priority without a term: the general policies
        self.assertEqual(
            self._file(self.site_contact, "2").sla_policy_id, self.policy_fallback
        )
        self.contract.action_terminate()
        self.assertEqual(
            self._file(self.site_contact, "3").sla_policy_id, self.policy_p1
        )

    def test_sites_the_contract_does_not_cover_keep_the_general_policies(self):
        self.contract.action_activate()
        self.assertEqual(
            self._file(self.site_south, "3", self.head_office).sla_policy_id,
            self.policy_p1,
        )
        outsider, _account = self._create_subscriber("T Outsider")
        self.assertEqual(
            self._file(outsider, "3", self.head_office).sla_policy_id, self.policy_p1
        )

    def test_general_policies_do_not_see_contract_terms(self):
        self.contract.action_activate()
        # a general policy ahead of everything still yields to the contract
        self.policy_p1.sequence = -10
        ticket = self._file(self.site_contact, "3")
        self.assertEqual(ticket.sla_policy_id, self.term_p1.sla_policy_id)
        explanation = ticket._sla_explain_policy()
        self.assertIn(self.contract.name, explanation["policy_reason"])

    def test_explanations_of_other_tickets_skip_the_contract_policies(self):
        self.contract.action_activate()
        outsider, _account = self._create_subscriber("T Outsider")
        other = self._file(outsider, "3", self.head_office)
        self.assertEqual(other.sla_policy_id, self.policy_p1)
        skipped = other._sla_explain_policy()["skipped_policies"]
        self.assertIn(
            f"{self.term_p1.sla_policy_id.name} (precedence 0) did not match: "
            "customer covered by the contract",
            skipped,
        )

    def test_removing_a_term_removes_its_policy(self):
        policy = self.term_p3.sla_policy_id
        self.term_p3.unlink()
        self.assertFalse(policy.exists())
