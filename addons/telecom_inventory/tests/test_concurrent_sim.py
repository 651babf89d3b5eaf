"""Two agents take the same SIM card at once (tag ``telecom_commit``).

The card must be committed for both transactions to see it: the test commits
a zone, a stock location and one card on a cursor of its own and deletes them
at the end; the two agents' transactions are rolled back. The refusal of a
card already committed as assigned is tested in ``test_sim_stock``.
"""

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged

from odoo.addons.telecom_subscriber.tests.common import make_iccid, make_msisdn

ICCID = make_iccid(990001)


@tagged("post_install", "-at_install", "telecom_commit")
class TestConcurrentSim(TransactionCase):
    # pylint: disable=invalid-commit
    def setUp(self):
        super().setUp()
        self.db = db_connect(self.env.cr.dbname)
        with self.db.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            region = env["telecom.region"].create({"name": "T Conc", "code": "T-CONC"})
            location = env["telecom.stock.location"].create(
                {"name": "T Conc Shop", "code": "T-CONC", "region_id": region.id}
            )
            sim = env["telecom.sim"].create(
                {"iccid": ICCID, "location_id": location.id}
            )
            self.ids = {"region": region.id, "location": location.id, "sim": sim.id}
            cr.commit()
        self.addCleanup(self._remove_committed)

    def _remove_committed(self):
        with self.db.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["telecom.sim"].browse(self.ids["sim"]).unlink()
            env["telecom.stock.location"].browse(self.ids["location"]).unlink()
            env["telecom.region"].browse(self.ids["region"]).unlink()
            cr.commit()

    def _agent(self, cr, serial):
        """An agent's transaction: a line of their own, and the shared card."""
        cr.transaction = api.Transaction(self.env.registry)
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        region = env["telecom.region"].browse(self.ids["region"])
        partner = env["res.partner"].create({"name": f"T Conc {serial}"})
        account = env["telecom.account"].create(
            {"partner_id": partner.id, "region_id": region.id}
        )
        tariff = env["product.product"].create(
            {
                "name": f"T Conc {serial}",
                "type": "service",
                "telecom_kind": "tariff",
                "telecom_service_type": "mobile",
            }
        )
        service = env["telecom.service"].create(
            {
                "service_type": "mobile",
                "account_id": account.id,
                "tariff_id": tariff.id,
                "msisdn": make_msisdn(990000 + serial),
            }
        )
        return env["telecom.sim"].browse(self.ids["sim"]), service

    def test_second_agent_cannot_take_a_card_being_assigned(self):
        """While the first agent's assignment is not committed, the second one
        is refused at once; once the first one gives up, the card is free again
        (the refusal came from the row lock, not from a state)."""
        with self.db.cursor() as cr_first, self.db.cursor() as cr_second:
            sim_first, service_first = self._agent(cr_first, 1)
            sim_second, service_second = self._agent(cr_second, 2)
            sim_first._assign(service_first)  # not committed: the row stays locked
            with self.assertRaisesRegex(UserError, "Another agent"):
                sim_second._assign(service_second)
            self.assertEqual(sim_second.state, "in_stock")
            cr_first.rollback()
            sim_second._assign(service_second)
            self.assertEqual(sim_second.state, "assigned")
            self.assertEqual(sim_second.service_id, service_second)
            cr_second.rollback()
