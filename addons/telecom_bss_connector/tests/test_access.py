from odoo.exceptions import AccessError
from odoo.models import check_method_name
from odoo.tests import new_test_user, tagged

from .common import GROUP, BssCommon

CRONS = (
    "ir_cron_requeue_stalled_orders",
    "ir_cron_check_alert_rules",
    "ir_cron_purge_calls",
    "ir_cron_sync_catalog",
)


@tagged("post_install", "-at_install")
class TestPublicMethodAccess(BssCommon):
    """Public methods are reachable over RPC by any user: each checks rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a front-office agent: reads the backends (the card shows billing
        # data), writes none
        cls.agent = new_test_user(
            cls.env,
            login="t_access_agent",
            groups=f"{GROUP}front_office",
            telecom_region_ids=[(6, 0, cls.zone_north.ids)],
        )

    def _open_circuit(self):
        self.env.cr.execute(
            """UPDATE telecom_backend SET circuit_state = 'open',
                      circuit_failure_count = 9,
                      circuit_opened_at = now() at time zone 'utc'
                WHERE id = %s""",
            [self.backend.id],
        )
        self.backend.invalidate_recordset()

    def test_agent_cannot_reset_a_circuit(self):
        self._open_circuit()
        backend = self.backend.with_user(self.agent)
        self.assertEqual(backend.circuit_state, "open")  # the agent reads it
        with self.assertRaises(AccessError):
            backend.action_reset_circuit()
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.circuit_state, "open")
        # the integration team may
        self.backend.with_user(self.monitor).action_reset_circuit()
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.circuit_state, "closed")

    def test_agent_cannot_call_or_sync_or_retry(self):
        backend = self.backend.with_user(self.agent)
        with self.patch_adapter("health", return_value={"status": "ok"}) as health:
            with self.assertRaises(AccessError):
                backend.action_test_connection()
            health.assert_not_called()
        with self.patch_adapter("list_offers", return_value=[]) as offers:
            with self.assertRaises(AccessError):
                backend.action_sync_catalog()
            offers.assert_not_called()
        with self.assertRaises(AccessError):
            backend.action_retry_dead()
        # the monitor reads the integration but configures nothing
        with self.assertRaises(AccessError):
            self.backend.with_user(self.monitor).action_test_connection()

    def test_api_methods_are_private(self):
        """Controller-only logic cannot be called over RPC (skipping the
        controller's validation)."""
        for model_name in ("telecom.alarm", "telecom.billing.event", "telecom.api"):
            model_class = type(self.env[model_name])
            public_api = [
                name
                for name in dir(model_class)
                if name.startswith("api_") and callable(getattr(model_class, name))
            ]
            self.assertEqual(public_api, [], model_name)
        with self.assertRaises(AccessError):
            check_method_name("_api_raise")

    def test_crons_keep_what_an_administrator_tuned(self):
        data = self.env["ir.model.data"].search(
            [("module", "=", "telecom_bss_connector"), ("name", "in", CRONS)]
        )
        self.assertEqual(len(data), len(CRONS))
        self.assertTrue(all(data.mapped("noupdate")), data.filtered("noupdate"))
