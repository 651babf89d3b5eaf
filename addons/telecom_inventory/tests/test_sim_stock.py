import base64
import re

from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tools import mute_logger

from odoo.addons.telecom_subscriber.tools.numbering import luhn_is_valid

from .common import InventoryCommon


class TestSimStock(InventoryCommon):
    def test_range_received_with_valid_check_digits(self):
        sims = self.Sim.search([("location_id", "=", self.shop_north.id)])
        self.assertEqual(len(sims), 7)
        self.assertTrue(all(luhn_is_valid(sim.iccid) for sim in sims))
        self.assertEqual(len(set(sims.mapped("iccid"))), 7)
        self.assertEqual(set(sims.mapped("state")), {"in_stock"})
        self.assertEqual(self.shop_north.sim_in_stock_count, 7)
        self._load_sims(self.shop_north, self.first_sim, 5)  # already received
        self.assertEqual(
            self.Sim.search_count([("location_id", "=", self.shop_north.id)]), 7
        )

    def test_range_with_a_wrong_check_digit_is_refused(self):
        wrong = self.first_sim[:-1] + str((int(self.first_sim[-1]) + 1) % 10)
        with self.assertRaises(ValidationError):
            self._load_sims(self.shop_north, wrong, 3)

    def test_sim_cannot_be_assigned_twice(self):
        _partner, account = self._create_subscriber()
        first = self._activation(account, iccid=self.first_sim)
        first.action_submit()
        sim = self._sim(self.first_sim)
        self.assertEqual(sim.service_id, first.service_id)
        _partner2, account2 = self._create_subscriber("Petr Sidorov")
        second = self._activation(account2, iccid=self.first_sim)
        with self.assertRaisesRegex(UserError, "already used|not in stock"):
            second.action_submit()
        other_line = self._activate_line(account2)
        with self.assertRaisesRegex(UserError, "not in stock"):
            sim._assign(other_line)
        self.assertEqual(sim.service_id, first.service_id)

    def test_one_assigned_card_per_service_in_the_database(self):
        _partner, account = self._create_subscriber()
        request = self._activation(account, iccid=self.first_sim)
        request.action_submit()
        other = self._sim(self.first_esim)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            other.write({"state": "assigned", "service_id": request.service_id.id})
            other.flush_recordset()

    def test_damaged_card_leaves_the_stock(self):
        sim = self._sim(self.first_sim)
        sim.action_mark_damaged()
        self.assertEqual(sim.state, "damaged")
        _partner, account = self._create_subscriber()
        with self.assertRaisesRegex(UserError, "not in stock"):
            self._activation(account, iccid=self.first_sim).action_submit()

    def test_esim_activation_code_and_qr_on_the_line(self):
        _partner, account = self._create_subscriber()
        request = self._activation(account, iccid=self.first_esim)
        request.action_submit()
        service = request.service_id
        self.assertEqual(service.sim_type, "esim")
        self.assertRegex(
            service.esim_activation_code, r"^LPA:1\$smdp\.example\$[0-9A-F]{20}$"
        )
        png = base64.b64decode(service.esim_activation_qr)
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        physical = self._sim(self.first_sim)
        self.assertFalse(physical.activation_code)

    def test_sim_swap_retires_the_old_card(self):
        _partner, account = self._create_subscriber()
        request = self._activation(account, iccid=self.first_sim)
        request.action_submit()
        service = request.service_id
        new_iccid = self.Sim.search(
            [
                ("location_id", "=", self.shop_north.id),
                ("state", "=", "in_stock"),
                ("sim_type", "=", "physical"),
            ],
            limit=1,
        ).iccid
        swap = self._new_request(
            "sim_swap",
            service,
            iccid=new_iccid,
            sim_swap_reason="lost",
            identity_verified=True,
        )
        swap.action_submit()
        self.assertEqual(swap.state, "done")
        self.assertEqual(self._sim(self.first_sim).state, "lost")
        self.assertEqual(self._sim(new_iccid).state, "assigned")
        self.assertEqual(service.sim_id, self._sim(new_iccid))
        self.assertTrue(re.fullmatch(r"\d{19}", new_iccid))
