from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError

from .common import NORTH_FIRST, InventoryCommon


class TestNumberPool(InventoryCommon):
    def test_range_load_is_set_based_and_idempotent(self):
        """A range enters once; golden numbers are recognised and priced."""
        numbers = self.Number.search([("msisdn", "like", "+7916555000%")])
        self.assertEqual(len(numbers), 10)
        self.assertEqual(set(numbers.mapped("state")), {"free"})
        golden = numbers.filtered(lambda number: number.category == "golden")
        self.assertEqual(golden.mapped("msisdn"), [NORTH_FIRST])  # …0000
        self.assertEqual(golden.price, 5000)
        self.assertFalse((numbers - golden).filtered("price"))
        self._load_numbers(self.zone_north, NORTH_FIRST, "+79165550009")
        self.assertEqual(
            self.Number.search_count([("msisdn", "like", "+7916555000%")]), 10
        )

    def test_range_load_rejects_reversed_bounds(self):
        with self.assertRaises(UserError):
            self._load_numbers(self.zone_north, "+79165550009", "+79165550000")

    def test_activation_picks_a_free_regular_number_of_the_zone(self):
        """Without an MSISDN, submitting picks a free regular number of the zone
        (or above it); completion assigns it and the SIM card to the line."""
        _partner, account = self._create_subscriber()
        request = self._activation(account, iccid=self.first_sim)
        request.action_submit()
        number = request.number_id
        self.assertEqual(request.state, "done")
        self.assertEqual(number.region_id, self.zone_north)
        self.assertEqual(number.category, "regular")
        self.assertEqual(request.service_id.msisdn, number.msisdn)
        self.assertEqual(number.state, "assigned")
        self.assertEqual(number.service_id, request.service_id)
        self.assertFalse(number.reserved_until)
        sim = self._sim(self.first_sim)
        self.assertEqual(sim.state, "assigned")
        self.assertEqual(request.service_id.sim_id, sim)

    def test_golden_number_chosen_by_the_agent(self):
        _partner, account = self._create_subscriber()
        golden = self._number(NORTH_FIRST)
        request = self._activation(account, number_id=golden.id, iccid=self.first_sim)
        self.assertEqual(request.msisdn, NORTH_FIRST)
        self.assertEqual(request.number_price, 5000)
        request.action_submit()
        self.assertEqual(golden.state, "assigned")

    def test_number_of_another_request_is_not_free(self):
        _partner, account = self._create_subscriber()
        first = self._activation(account)
        first.action_pick_number()
        second = self._activation(account, msisdn=first.msisdn, iccid=self.first_sim)
        with self.assertRaisesRegex(UserError, "is not free"):
            second.action_submit()

    def test_no_free_number_left(self):
        _partner, account = self._create_subscriber(zone=self.zone_south)
        self.Number.search([("region_id", "=", self.zone_south.id)]).write(
            {"state": "quarantine"}
        )
        with self.assertRaisesRegex(UserError, "No free number"):
            self._activation(account).action_pick_number()

    def test_reservation_expires(self):
        """A number picked for a draft activation returns free after the
        company's reservation time, by the cron; the draft loses it."""
        self.company.telecom_number_reservation_hours = 2
        _partner, account = self._create_subscriber()
        request = self._activation(account)
        request.action_pick_number()
        number = request.number_id
        self.assertEqual(number.state, "reserved")
        self.assertEqual(number.partner_id, account.partner_id)
        self.Number._cron_expire_reservations()
        self.assertEqual(number.state, "reserved", "not expired yet")
        with freeze_time(fields.Datetime.now() + timedelta(hours=2, minutes=1)):
            self.Number._cron_expire_reservations()
        self.assertEqual(number.state, "free")
        self.assertFalse(number.partner_id)
        self.assertFalse(request.number_id)

    def test_cancelled_activation_frees_its_number(self):
        self.company.telecom_auto_complete = False
        _partner, account = self._create_subscriber()
        request = self._activation(account, iccid=self.first_sim)
        request.action_submit()
        number = request.number_id
        self.assertEqual(number.state, "reserved")
        self.assertFalse(number.reserved_until, "held while the request is processed")
        request.action_cancel()
        self.assertEqual(number.state, "free")
        self.assertEqual(self._sim(self.first_sim).state, "in_stock")

    def test_terminated_number_waits_out_its_quarantine(self):
        """Termination puts the number in quarantine for the company's days;
        the cron frees it only once they have passed; the SIM retires."""
        self.company.telecom_number_quarantine_days = 30
        _partner, account = self._create_subscriber()
        request = self._activation(account, iccid=self.first_sim)
        request.action_submit()
        number, service = request.number_id, request.service_id
        self._terminate(service)
        self.assertEqual(service.state, "terminated")
        self.assertEqual(number.state, "quarantine")
        today = fields.Date.context_today(number)
        self.assertEqual(number.quarantine_until, today + timedelta(days=30))
        self.assertFalse(number.service_id)
        self.assertEqual(self._sim(self.first_sim).state, "retired")
        with freeze_time(today + timedelta(days=29)):
            self.Number._cron_release_quarantine()
        self.assertEqual(number.state, "quarantine")
        with freeze_time(today + timedelta(days=30)):
            self.Number._cron_release_quarantine()
        self.assertEqual(number.state, "free")
        self.assertFalse(number.quarantine_until)

    def test_lines_outside_the_pool_are_untouched(self):
        """Numbers the inventory does not hold activate as before."""
        _partner, account = self._create_subscriber()
        service = self._activate_line(account)
        self.assertEqual(service.state, "active")
        self.assertFalse(self._number(service.msisdn))
