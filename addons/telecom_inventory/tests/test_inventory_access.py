from odoo.exceptions import AccessError

from .common import InventoryCommon


class TestInventoryAccess(InventoryCommon):
    def test_front_office_sees_the_inventory_of_its_zones(self):
        """A front-office agent of North sees North's pool and shops (and the
        zones above theirs), never South's."""
        front = self.front_office
        numbers = self.Number.with_user(front).search([("msisdn", "like", "+7916555%")])
        self.assertEqual(len(numbers), 10)
        self.assertFalse(
            self.Number.with_user(front).search([("msisdn", "like", "+7913555%")])
        )
        sims = self.Sim.with_user(front).search([])
        self.assertEqual(set(sims.location_id.ids) & {self.shop_south.id}, set())
        self.assertIn(self.shop_north, sims.location_id)
        south_front = self.front_office_south
        self.assertEqual(
            self.Number.with_user(south_front).search_count(
                [("msisdn", "like", "+7913555%")]
            ),
            5,
        )

    def test_front_office_picks_but_does_not_load(self):
        _partner, account = self._create_subscriber()
        request = self._activation(account, env=self.env(user=self.front_office))
        request.action_pick_number()
        self.assertEqual(request.number_id.state, "reserved")
        with self.assertRaises(AccessError):
            self.env["telecom.number.load"].with_user(self.front_office).create(
                {
                    "region_id": self.zone_north.id,
                    "first_msisdn": "+79165551000",
                    "last_msisdn": "+79165551001",
                }
            )

    def test_supervisor_loads_a_range_of_their_zone(self):
        self.env["telecom.number.load"].with_user(self.supervisor)._create_and_load(
            {
                "region_id": self.zone_north.id,
                "first_msisdn": "+79165551000",
                "last_msisdn": "+79165551004",
            }
        )
        self.assertEqual(
            self.Number.with_user(self.supervisor).search_count(
                [("msisdn", "like", "+791655510%")]
            ),
            5,
        )
