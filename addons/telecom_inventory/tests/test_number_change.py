from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import NORTH_FIRST, InventoryCommon


@tagged("post_install", "-at_install")
class TestNumberChange(InventoryCommon):
    """The number change of telecom_subscriber takes its number from the pool
    and sends the old one to quarantine (as the front office)."""

    def setUp(self):
        super().setUp()
        self.company.telecom_number_quarantine_days = 30
        _partner, account = self._create_subscriber()
        activation = self._activation(account, iccid=self.first_sim)
        activation.action_submit()
        self.old_number = activation.number_id
        self.service = activation.service_id
        self.agent_env = self.env(user=self.front_office)

    def _number_change(self, **values):
        return self._new_request(
            "number_change", self.service, env=self.agent_env, **values
        )

    def test_number_change_picks_from_the_pool_and_quarantines_the_old(self):
        request = self._number_change()
        request.action_submit()
        new_number = request.number_id
        self.assertEqual(request.state, "done")
        self.assertTrue(new_number)
        self.assertNotEqual(new_number, self.old_number)
        self.assertEqual(new_number.region_id, self.zone_north)
        self.assertEqual(self.service.msisdn, new_number.msisdn)
        self.assertEqual(request.previous_msisdn, self.old_number.msisdn)
        self.assertEqual(
            (new_number.state, new_number.service_id), ("assigned", self.service)
        )
        self.assertEqual(self.old_number.state, "quarantine")
        self.assertFalse(self.old_number.service_id)
        self.assertEqual(
            self.old_number.quarantine_until,
            fields.Date.context_today(self.old_number) + timedelta(days=30),
        )
        self.assertEqual(self.service.sim_id, self._sim(self.first_sim), "SIM kept")

    def test_golden_number_chosen_from_the_pool(self):
        golden = self._number(NORTH_FIRST)
        request = self._number_change(number_id=golden.id)
        self.assertEqual(request.msisdn, NORTH_FIRST)
        request.action_submit()
        self.assertEqual(golden.state, "assigned")
        self.assertEqual(self.service.msisdn, NORTH_FIRST)

    def test_pick_button_reserves_and_cancel_releases(self):
        self.company.telecom_auto_complete = False
        request = self._number_change()
        request.action_pick_number()
        number = request.number_id
        self.assertEqual(number.state, "reserved")
        request.action_submit()
        self.assertEqual(request.state, "submitted")
        request.action_cancel(reason="changed their mind")
        self.assertEqual(number.state, "free")
        self.assertEqual(self.old_number.state, "assigned", "the line keeps its number")

    def test_number_held_by_another_request_is_refused(self):
        first = self._number_change()
        first.action_pick_number()
        second = self._new_request("number_change", self.service, msisdn=first.msisdn)
        with self.assertRaisesRegex(UserError, "is not free"):
            second.action_submit()
