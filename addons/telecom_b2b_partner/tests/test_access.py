from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import B2bCommon

P1_TERM = {"priority": "3", "first_response_hours": 1, "resolution_hours": 4}


@tagged("post_install", "-at_install")
class TestAccess(B2bCommon):
    """B2B sellers see the contracts of their zones; managers also delete."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract_north = cls._create_contract(cls.entity_north)
        cls.contract_south = cls._create_contract(cls.entity_south)

    def test_contract_takes_the_zone_and_manager_of_its_customer(self):
        self.assertEqual(self.contract_north.region_id, self.zone_north_city)
        self.assertEqual(self.contract_south.region_id, self.zone_south)
        # the legal entities took the key account manager of their holding
        self.assertEqual(self.contract_north.key_account_manager_id, self.seller_north)

    def test_sellers_see_the_contracts_of_their_zones_only(self):
        Contract = self.env["telecom.b2b.contract"]
        ids = (self.contract_north | self.contract_south).ids
        north = Contract.with_user(self.seller_north).search([("id", "in", ids)])
        south = Contract.with_user(self.seller_south).search([("id", "in", ids)])
        self.assertEqual(north, self.contract_north)
        self.assertEqual(south, self.contract_south)
        with self.assertRaises(AccessError):
            self.contract_south.with_user(self.seller_north).read(["name"])
        with self.assertRaises(AccessError):
            self.contract_north.with_user(self.seller_south).write({"reminder_days": 5})
        # the SLA terms follow their contract
        self.contract_south.write({"sla_ids": [(0, 0, P1_TERM)]})
        with self.assertRaises(AccessError):
            self.contract_south.sla_ids.with_user(self.seller_north).read(["priority"])

    def test_head_office_sees_every_zone(self):
        contracts = self.env["telecom.b2b.contract"].with_user(self.head_office)
        ids = (self.contract_north | self.contract_south).ids
        self.assertEqual(len(contracts.search([("id", "in", ids)])), 2)

    def test_seller_drafts_a_contract_in_their_zone(self):
        contract = self._create_contract(
            self.entity_south,
            env=self.env(user=self.seller_south),
            sla_ids=[(0, 0, P1_TERM)],
        )
        self.assertEqual(contract.region_id, self.zone_south)
        with self.assertRaises(AccessError):
            self._create_contract(
                self.entity_south, env=self.env(user=self.seller_north)
            )

    def test_only_managers_delete_contracts(self):
        with self.assertRaises(AccessError):
            self.contract_north.with_user(self.seller_north).unlink()
        self.contract_north.with_user(self.b2b_manager).unlink()
        self.assertFalse(self.contract_north.exists())

    def test_other_roles_see_no_contracts(self):
        with self.assertRaises(AccessError):
            self.env["telecom.b2b.contract"].with_user(self.front_office).search([])
