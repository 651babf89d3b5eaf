from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import B2bCommon


@tagged("post_install", "-at_install")
class TestContractLifecycle(B2bCommon):
    """draft → active → renewed / terminated, journaled on the timeline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls._create_contract(
            cls.holding,
            env=cls.env(user=cls.seller_north),
            site_ids=[(6, 0, cls.entity_north.ids)],
            service_ids=[(6, 0, cls.line_north.ids)],
            price_ids=[
                (
                    0,
                    0,
                    {
                        "product_id": cls.tariff_basic.id,
                        "quantity": 10,
                        "monthly_price": 300,
                        "discount": 10,
                    },
                ),
            ],
            sla_ids=[
                (
                    0,
                    0,
                    {
                        "priority": "3",
                        "first_response_hours": 0.5,
                        "resolution_hours": 4,
                    },
                ),
            ],
        )

    def _timeline(self, contract):
        return self.env["telecom.interaction"].search(
            [("res_model", "=", contract._name), ("res_id", "=", contract.id)]
        )

    def _events(self, contract):
        return self.env["telecom.event"].search(
            [("res_model", "=", contract._name), ("res_id", "=", contract.id)]
        )

    def test_terms_and_amounts(self):
        self.assertEqual(self.contract.monthly_amount, 2700)
        self.assertEqual(
            self.contract.sla_ids.calendar_id,
            self.env.ref("telecom_b2b_partner.resource_calendar_24_7"),
        )
        self.assertEqual(
            self.contract._get_covered_partner_ids()[self.contract.id],
            {self.entity_north.id, self.site_north.id},
        )

    def test_activation_is_journaled_on_the_timeline(self):
        self.contract.with_user(self.seller_north).action_activate()
        self.assertEqual(self.contract.state, "active")
        row = self._timeline(self.contract)
        self.assertEqual(len(row), 1)
        self.assertEqual(row.partner_id, self.holding)
        self.assertIn(self.contract.name, row.summary)
        self.assertIn("Active", row.summary)
        event = self._events(self.contract)
        self.assertEqual(event.event_type, "b2b_contract.activated")
        self.assertEqual(event.payload["state"], "active")

    def test_illegal_moves_are_refused(self):
        contract = self.contract.with_user(self.seller_north)
        with self.assertRaisesRegex(UserError, "Cannot renew .* Draft"):
            contract.action_renew()
        with self.assertRaisesRegex(UserError, "Cannot terminate .* Draft"):
            contract.action_terminate()
        contract.action_activate()
        with self.assertRaisesRegex(UserError, "Cannot activate .* Active"):
            contract.action_activate()

    def test_manual_renewal_continues_the_contract(self):
        contract = self.contract.with_user(self.seller_north)
        contract.action_activate()
        contract.action_renew()
        self.assertEqual(contract.state, "renewed")
        successor = contract.renewed_by_ids
        self.assertEqual(len(successor), 1)
        self.assertEqual(successor.state, "active")
        self.assertEqual(str(successor.date_start), "2027-01-01")
        self.assertEqual(str(successor.date_end), "2027-12-31")
        self.assertNotEqual(successor.name, contract.name)
        self.assertEqual(successor.site_ids, self.entity_north)
        self.assertEqual(successor.service_ids, self.line_north)
        self.assertEqual(successor.sla_ids.resolution_hours, 4)
        self.assertEqual(successor.monthly_amount, 2700)
        self.assertEqual(
            self._events(contract).mapped("event_type"),
            ["b2b_contract.renewed", "b2b_contract.activated"],
        )
        self.assertEqual(
            self._events(successor).mapped("event_type"), ["b2b_contract.activated"]
        )

    def test_termination_keeps_its_reason(self):
        contract = self.contract.with_user(self.seller_north)
        contract.action_activate()
        contract.termination_reason = "breach"
        contract.action_terminate()
        self.assertEqual(contract.state, "terminated")
        self.assertEqual(contract.termination_reason, "breach")
        self.assertTrue(contract.termination_date)
        self.assertEqual(len(self._timeline(contract)), 2)

    def test_coverage_stays_in_the_customers_hierarchy(self):
        outsider, account = self._create_subscriber("T Outsider")
        with self.assertRaisesRegex(ValidationError, "covers only T Holding"):
            self.contract.site_ids = outsider
        other_contract = self._create_contract(self.entity_north)
        with self.assertRaisesRegex(ValidationError, "not: T Site South"):
            other_contract.service_ids = self.line_south

    def test_bad_terms_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "must end after it starts"):
            self.contract.date_end = self.contract.date_start
        with self.assertRaisesRegex(ValidationError, "first response comes no later"):
            self.contract.sla_ids.resolution_hours = 0.25
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            self.contract.price_ids.discount = 120
