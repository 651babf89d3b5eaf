"""Monthly usage and charges pulled from the real billing simulator."""

from datetime import timedelta

import requests

from odoo import fields
from odoo.tests import tagged

from ..adapters.base import ProtocolError
from ..tools import mappers
from .common import SIMULATOR_TOKEN, BssCommon, SimulatorProcess
from .test_simulator import offer

FIGURES = ("data_mb", "voice_minutes", "sms_count", "charged_amount", "debt_amount")


@tagged("post_install", "-at_install")
class TestMonthlyUsagePull(BssCommon):
    @classmethod
    def setUpClass(cls):
        SimulatorProcess.directory()  # skips, or fails, when not configured
        super().setUpClass()
        cls.simulator = SimulatorProcess().start()
        cls.addClassCleanup(cls.simulator.stop)
        cls.backend.write(
            {
                "url": cls.simulator.url,
                "token": SIMULATOR_TOKEN,
                "read_timeout": 1,
                "connect_timeout": 1,
                "sequence": 0,
            }
        )
        cls.lines = cls.env["telecom.service"]
        for _index in range(2):
            cls.lines |= cls._activate_without_billing()
        cls.debtor, cls.debtor_account = cls._create_subscriber("Usage Debtor")
        cls.debtor_line = cls._activate_without_billing(account=cls.debtor_account)
        cls.accounts = cls.account | cls.debtor_account

    def setUp(self):
        super().setUp()
        self.simulator.reset()
        self.simulator.admin(
            "POST",
            "seed",
            {
                "offers": [
                    offer("T-TAR-BASIC", "tariff"),
                    offer("T-OPT-ROAM", "option"),
                ],
                "accounts": [
                    self._seeded(self.account, self.lines, balance=120.0),
                    self._seeded(self.debtor_account, self.debtor_line, balance=-480.0),
                ],
            },
        )

    @staticmethod
    def _seeded(account, lines, balance):
        return {
            "account": account.name,
            "balance": balance,
            "services": [
                {
                    "msisdn": line.msisdn,
                    "service_type": "mobile",
                    "tariff_code": "T-TAR-BASIC",
                    "option_codes": ["T-OPT-ROAM"],
                    "status": "active",
                }
                for line in lines
            ],
        }

    def _months(self, services=None):
        return self.env["telecom.usage.monthly"].search(
            [("service_id", "in", (services or self.lines | self.debtor_line).ids)]
        )

    def _billing_months(self, account, months=6):
        response = requests.get(
            f"{self.simulator.url}/api/v1/accounts/{account.name}/usage/monthly",
            params={"months": months},
            headers={"Authorization": f"Bearer {SIMULATOR_TOKEN}"},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["items"]

    def _only_ours_due(self):
        """Other accounts (demo data) are not due during the test."""
        others = self.env["telecom.account"].search(
            [("id", "not in", self.accounts.ids)]
        )
        others.write({"bss_usage_fetched_at": fields.Datetime.now()})

    def test_pull_stores_each_month_once_with_billing_figures(self):
        answered = self.accounts._bss_pull_monthly_usage(months=3)
        self.assertEqual(answered, self.accounts)
        months = self._months()
        self.assertEqual(len(months), 3 * 3)  # three lines, three closed months
        billing = {
            (item["msisdn"], item["month"]): item
            for item in self._billing_months(self.account, 3)
        }
        for row in months.filtered(lambda r: r.account_id == self.account):
            item = billing[(row.service_id.msisdn, row.month.strftime("%Y-%m"))]
            for name in FIGURES:
                self.assertAlmostEqual(row[name], item[name], places=2, msg=name)
            self.assertEqual(row.device_type, item["device_type"])
            self.assertEqual(row.device_5g, item["device_5g"])
            self.assertEqual(row.partner_id, self.partner)
            self.assertEqual(row.source, "billing")
        # the debt of the account: what its newest bills left unpaid, paid late
        newest = max(months.mapped("month"))
        debtor_months = months.filtered(lambda r: r.service_id == self.debtor_line)
        self.assertAlmostEqual(sum(debtor_months.mapped("debt_amount")), 480.0)
        debt_month = debtor_months.filtered(lambda r: r.month == newest)
        self.assertTrue(debt_month.debt_amount)
        self.assertTrue(debt_month.paid_late)
        # pulled again: the same rows, updated, never doubled
        self.accounts._bss_pull_monthly_usage(months=3)
        self.assertEqual(self._months(), months)
        self.assertTrue(all(self.accounts.mapped("bss_usage_fetched_at")))

    def test_soap_pull_gives_the_same_figures(self):
        self.accounts._bss_pull_monthly_usage(months=2)
        rest = {(r.service_id.id, r.month): r.charged_amount for r in self._months()}
        self.env["telecom.usage.monthly"].search([]).unlink()
        self.backend.write(
            {
                "protocol": "soap",
                "auth_type": "basic",
                "username": "billing",
                "password": "billing",
            }
        )
        self.assertEqual(self.accounts._bss_pull_monthly_usage(months=2), self.accounts)
        soap = {(r.service_id.id, r.month): r.charged_amount for r in self._months()}
        self.assertEqual(soap, rest)

    def test_pull_brings_the_line_terms_over_rest_and_soap(self):
        """Billing gives each line's commitment and promotion ends with its
        months: the line takes them (the scenarios' contract and promotion
        ending events come from them)."""
        seeded = self._seeded(self.account, self.lines, balance=0.0)
        seeded["services"][0].update(
            commitment_end="2027-03-31",
            promotion_name="Double data",
            promotion_end="2027-01-15",
        )
        self.simulator.admin("POST", "seed", {"accounts": [seeded]})
        first, second = self.lines[0], self.lines[1]  # in the seed's order
        for protocol in ("rest", "soap"):
            first.write(
                {
                    "commitment_end_date": False,
                    "promotion_name": False,
                    "promotion_end_date": False,
                }
            )
            if protocol == "soap":
                self.backend.write(
                    {
                        "protocol": "soap",
                        "auth_type": "basic",
                        "username": "billing",
                        "password": "billing",
                    }
                )
            self.assertEqual(
                self.account._bss_pull_monthly_usage(months=2), self.account
            )
            self.assertRecordValues(
                first,
                [
                    {
                        "commitment_end_date": fields.Date.to_date("2027-03-31"),
                        "promotion_name": "Double data",
                        "promotion_end_date": fields.Date.to_date("2027-01-15"),
                    }
                ],
            )
            self.assertFalse(second.commitment_end_date)

    def test_outage_and_timeout_lose_nothing_the_cron_pulls_them_later(self):
        self._only_ours_due()
        cron = self.env.ref("telecom_bss_connector.ir_cron_pull_monthly_usage")
        self.assertTrue(cron.active)
        Account = self.env["telecom.account"]
        self.simulator.configure(error_rate=1.0)  # every call: 503
        self.assertEqual(Account._cron_bss_pull_monthly_usage(), 0)
        self.assertFalse(self._months())
        self.assertFalse(any(self.accounts.mapped("bss_usage_fetched_at")))
        self.assertTrue(all(self.accounts.mapped("bss_usage_error")))
        # attempted just now: not asked again in the same run of the scheduler
        self.assertEqual(Account._cron_bss_pull_monthly_usage(), 0)
        calls = self.env["telecom.backend.call"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(
            calls.filtered(lambda c: c.operation == "get_monthly_usage").mapped(
                "outcome"
            ),
            ["error", "error"],
        )
        # later, billing answers too slowly: a time-out, still nothing lost
        self.simulator.configure(error_rate=0.0, latency_ms=1500)
        self._retry_window_passed()
        self.assertEqual(Account._cron_bss_pull_monthly_usage(), 0)
        self.assertFalse(self._months())
        self.assertIn("in time", self.debtor_account.bss_usage_error)
        # billing back: the next run after the retry window pulls everything
        self.simulator.configure(latency_ms=0)
        self._retry_window_passed()
        self.assertEqual(Account._cron_bss_pull_monthly_usage(), 2)
        self.assertEqual(len(self._months()), 3 * 6)
        self.assertFalse(any(self.accounts.mapped("bss_usage_error")))
        # fresh now: a later run asks nothing more
        self.assertEqual(Account._cron_bss_pull_monthly_usage(), 0)

    def _retry_window_passed(self):
        self.accounts.flush_recordset()
        self.env.cr.execute(
            "UPDATE telecom_account SET bss_usage_attempt_at = %s WHERE id = ANY(%s)",
            (fields.Datetime.now() - timedelta(hours=1), self.accounts.ids),
        )
        self.accounts.invalidate_recordset()

    def test_unknown_account_is_noted_not_fatal(self):
        _partner, stranger = self._create_subscriber("Not In Billing")
        self._activate_without_billing(account=stranger)
        answered = (self.account | stranger)._bss_pull_monthly_usage(months=1)
        self.assertEqual(answered, self.account)
        self.assertTrue(stranger.bss_usage_error)
        self.assertEqual(len(self._months(self.lines)), 2)


@tagged("post_install", "-at_install")
class TestMonthlyUsageMapper(BssCommon):
    def test_bad_months_are_refused_as_protocol_errors(self):
        good = {"month": "2026-10", "msisdn": "+79990000001", "charged_amount": 1}
        self.assertEqual(
            mappers.monthly_usage_values(good)["month"].isoformat(), "2026-10-01"
        )
        for bad in (
            {**good, "month": "October"},
            {**good, "charged_amount": "lots"},
            {**good, "data_mb": -5},
            {**good, "paid_late": "maybe"},
            {**good, "commitment_end": "next spring"},
            ["not", "an", "object"],
        ):
            with self.assertRaises(ProtocolError):
                mappers.monthly_usage_values(bad)
