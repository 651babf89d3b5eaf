from datetime import timedelta

from odoo import fields

from odoo.addons.telecom_bss_connector.tests.common import BssCommon
from odoo.addons.telecom_telegram.tests.common import TelegramCommon

ACCOUNT = {
    "account": "LS1",
    "balance": 123.45,
    "currency": "RUB",
    "credit_limit": 500.0,
    "debt": 0.0,
    "restrictions": [],
    "status": "active",
    "services": [],
}


class TestTelegramBalance(TelegramCommon, BssCommon):
    """/balance answers with the billing figures of the subscriber's accounts."""

    def _snapshot(self):
        return self.env["telecom.billing.snapshot"]._bss_ensure(self.account)

    def test_fresh_snapshot_is_answered_without_calling_billing(self):
        self._snapshot().write(
            {
                "balance": 250.5,
                "debt": 10.0,
                "currency_code": "RUB",
                "fetched_at": fields.Datetime.now(),
                "backend_id": self.backend.id,
            }
        )
        self._link()
        with self.patch_adapter("get_account") as get_account:
            answer = self._conversation("/balance")
        get_account.assert_not_called()
        self.assertIn("250.50 RUB", answer)
        self.assertIn("Debt: 10.00 RUB", answer)
        self.assertIn(self.account.name, answer)

    def test_stale_snapshot_is_refreshed_by_the_cron(self):
        self._snapshot().write(
            {
                "balance": 1.0,
                "currency_code": "RUB",
                "fetched_at": fields.Datetime.now() - timedelta(days=1),
                "backend_id": self.backend.id,
            }
        )
        self._link()
        self._say("/balance")
        with (
            self.patch_adapter("get_account", return_value=ACCOUNT),
            self.patch_adapter("get_charges", return_value=[]),
            self.patch_adapter("get_usage", return_value=[]),
        ):
            self._run()
        self.assertIn("123.45 RUB", self._last_answer())

    def test_billing_down_gives_the_last_figures(self):
        self._snapshot().write(
            {
                "balance": 7.0,
                "currency_code": "RUB",
                "fetched_at": fields.Datetime.now() - timedelta(days=1),
                "backend_id": self.backend.id,
            }
        )
        self._link()
        answer = self._conversation("/balance")  # the backend is unreachable
        self.assertIn("7.00 RUB", answer)
        self.assertIn("Billing unavailable", answer)
