from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError

from odoo.addons.telecom_subscriber.tests.common import make_msisdn

from .common import NORTH_FIRST, InventoryCommon

TODAY = date(2026, 5, 4)  # a Monday, noon in Moscow below: no day boundary near


@freeze_time(f"{TODAY} 09:00:00")
class TestPortIn(InventoryCommon):
    """Ported-in numbers are recorded apart from the pool."""

    def _port_in(self, account, msisdn, **values):
        return self.env["telecom.request"].create(
            {
                "request_type": "port_in",
                "partner_id": account.partner_id.id,
                "account_id": account.id,
                "tariff_id": self.tariff_basic.id,
                "msisdn": msisdn,
                "iccid": self.first_sim,
                "donor_operator_id": self.operator_other.id,
                "effective_date": TODAY + timedelta(days=10),
                **values,
            }
        )

    def test_ported_in_number_recorded_apart_and_returned_at_the_end(self):
        _partner, account = self._create_subscriber()
        msisdn = make_msisdn(880001)
        request = self._port_in(account, msisdn)
        request.action_submit()
        request.action_validate()
        request.action_schedule()
        request.action_complete()
        number = self._number(msisdn)
        self.assertEqual(
            (number.origin, number.state, number.donor_operator_id),
            ("ported_in", "assigned", self.operator_other),
        )
        self.assertEqual(number.service_id, request.service_id)
        self.assertEqual(self._sim(self.first_sim).state, "assigned")
        picked = self.Number._pick_free(self.zone_north_city, self.company)
        self.assertEqual(picked.origin, "pool", "never offered from the pool")
        self._terminate(request.service_id)
        self.assertEqual(number.state, "returned", "back to the donor, no quarantine")
        self.assertFalse(number.quarantine_until)

    def test_our_own_number_cannot_be_ported_in(self):
        _partner, account = self._create_subscriber()
        with self.assertRaisesRegex(UserError, "one of ours"):
            self._port_in(account, NORTH_FIRST).action_submit()
