import base64
import csv
import io
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..models.telecom_usage_monthly import month_start
from ..tools.usage_csv import COLUMNS
from .common import TelecomCommon


@tagged("post_install", "-at_install")
class TestBillingEvents(TelecomCommon):
    """Contract and promotion ends, usage drops: each told once per fact."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "telecom_contract_ending_days": 30,
                "telecom_promotion_ending_days": 14,
                "telecom_usage_drop_percent": 30.0,
            }
        )
        cls.partner, cls.account = cls._create_subscriber("Ending Holder")
        cls.line = cls._activate_line(cls.account)
        cls.other_line = cls._activate_line(cls.account)
        cls.today = fields.Date.context_today(cls.env["telecom.service"])
        cls.Service = cls.env["telecom.service"]

    def _events(self, event_type):
        return self.env["telecom.event"].search(
            [("event_type", "=", event_type), ("partner_id", "=", self.partner.id)]
        )

    def test_contract_ending_told_once_per_end_date(self):
        self.line.commitment_end_date = self.today + timedelta(days=20)
        self.other_line.commitment_end_date = self.today + timedelta(days=45)
        self.Service._cron_emit_ending_events()
        event = self._events("billing.contract_ending")
        self.assertEqual(len(event), 1, "the line ending in 45 days waits")
        self.assertRecordValues(
            event, [{"partner_id": self.partner.id, "service_id": self.line.id}]
        )
        self.assertEqual(event.payload["days_left"], 20)
        self.assertEqual(
            event.payload["end_date"], self.line.commitment_end_date.isoformat()
        )
        # the daily job again, and a job finding nothing new: nothing more
        self.Service._cron_emit_ending_events()
        self.assertEqual(self._events("billing.contract_ending"), event)
        # the commitment renewed to a new end: that end is told when it comes
        self.line.commitment_end_date = self.today + timedelta(days=10)
        self.Service._cron_emit_ending_events()
        self.assertEqual(len(self._events("billing.contract_ending")), 2)
        # the notice period reached for the other line
        self.other_line.commitment_end_date = self.today + timedelta(days=30)
        self.Service._cron_emit_ending_events()
        events = self._events("billing.contract_ending")
        self.assertEqual(len(events), 3)
        self.assertEqual(events.service_id, self.line | self.other_line)

    def test_contract_ending_not_told_for_ended_lines_nor_disabled(self):
        self.line.commitment_end_date = self.today - timedelta(days=1)
        self.other_line.commitment_end_date = self.today + timedelta(days=5)
        self.other_line._apply_state("terminated")
        self.Service._cron_emit_ending_events()
        self.assertFalse(self._events("billing.contract_ending"))
        self.company.telecom_contract_ending_days = 0
        self.line.commitment_end_date = self.today + timedelta(days=5)
        self.Service._cron_emit_ending_events()
        self.assertFalse(self._events("billing.contract_ending"))

    def test_promotion_ending(self):
        self.line.write(
            {
                "promotion_name": "Half price for 6 months",
                "promotion_end_date": self.today + timedelta(days=14),
            }
        )
        self.other_line.write(
            {
                "promotion_name": "Free roaming",
                "promotion_end_date": self.today + timedelta(days=15),
            }
        )
        self.Service._cron_emit_ending_events()
        self.Service._cron_emit_ending_events()
        event = self._events("billing.promotion_ending")
        self.assertEqual(len(event), 1)
        self.assertEqual(event.service_id, self.line)
        self.assertEqual(event.payload["promotion"], "Half price for 6 months")
        self.assertEqual(event.payload["days_left"], 14)
        self.assertFalse(self._events("billing.contract_ending"))

    def test_settings_are_checked(self):
        with self.assertRaises(ValidationError):
            self.company.telecom_contract_ending_days = -1
        with self.assertRaises(ValidationError):
            self.company.telecom_usage_drop_percent = 120

    # ------------------------------------------------------------------
    # usage drop
    # ------------------------------------------------------------------
    def _month(self, months_ago):
        return month_start(self.today) - relativedelta(months=months_ago)

    def _upsert(self, service, figures, source="billing"):
        """``figures``: {months ago: (data MB, charged)}."""
        return (
            self.env["telecom.usage.monthly"]
            .sudo()
            ._upsert_monthly(
                [
                    {
                        "service_id": service.id,
                        "month": self._month(ago),
                        "data_mb": data,
                        "charged_amount": charged,
                    }
                    for ago, (data, charged) in figures.items()
                ],
                source,
            )
        )

    def test_usage_drop_told_once_per_line_and_month(self):
        baseline = {4: (1000, 500), 3: (1200, 500), 2: (800, 500)}
        # data fell by 50 %, charges held: a drop
        self._upsert(self.line, {**baseline, 1: (500, 500)})
        # a fall of 10 % is no drop
        self._upsert(self.other_line, {**baseline, 1: (900, 450)})
        event = self._events("billing.usage_drop")
        self.assertEqual(len(event), 1)
        self.assertEqual(event.service_id, self.line)
        self.assertEqual(
            {
                key: event.payload[key]
                for key in (
                    "month",
                    "drop_percent",
                    "data_mb",
                    "data_mb_average",
                    "charged_drop_percent",
                )
            },
            {
                "month": self._month(1).isoformat()[:7],
                "drop_percent": 50.0,
                "data_mb": 500.0,
                "data_mb_average": 1000.0,
                "charged_drop_percent": 0.0,
            },
        )
        # the same month pulled again (the hourly pull), lower still: no second event
        self._upsert(self.line, {1: (100, 500)})
        self.assertEqual(self._events("billing.usage_drop"), event)
        # the next month falls again against its own baseline: a new fact
        self._upsert(self.line, {0: (100, 100)})
        self.assertEqual(len(self._events("billing.usage_drop")), 2)

    def test_usage_drop_needs_three_months_and_a_recent_month(self):
        # two months before: no baseline
        self._upsert(self.line, {3: (1000, 500), 2: (1000, 500), 1: (10, 10)})
        # an old history: a drop long ago tells nothing now
        self._upsert(
            self.other_line,
            {8: (1000, 500), 7: (1000, 500), 6: (1000, 500), 5: (10, 10)},
        )
        self.assertFalse(self._events("billing.usage_drop"))
        # charges fell (the data held) by the company's percentage: a drop
        self.company.telecom_usage_drop_percent = 20.0
        self._upsert(self.line, {1: (1000, 500), 0: (1000, 400)})
        event = self._events("billing.usage_drop")
        self.assertEqual(len(event), 1)
        self.assertEqual(event.payload["charged_drop_percent"], 20.0)

    def test_usage_drop_and_line_terms_from_the_csv_import(self):
        supervisor_import = self.env["telecom.import"].with_user(self.supervisor)
        rows = [
            {
                "month": self._month(ago).isoformat()[:7],
                "data_mb": str(data),
                "charged_amount": "500",
            }
            for ago, data in ((4, 900), (3, 1000), (2, 1100), (1, 300))
        ]
        rows[0].update(commitment_end="2020-01-31", promotion_name="Old promo")
        rows[-1].update(commitment_end="2027-06-30", promotion_end="2027-01-10")
        stream = io.StringIO()
        writer = csv.writer(stream, delimiter=";", lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            row.update(account_number=self.account.name, msisdn=self.line.msisdn)
            writer.writerow([row.get(column, "") for column in COLUMNS])
        for _attempt in range(2):  # imported twice: told once
            job = supervisor_import.create(
                {
                    "name": "Usage",
                    "import_kind": "usage",
                    "file": base64.b64encode(stream.getvalue().encode()),
                    "file_name": "usage.csv",
                }
            )
            job.action_process_now()
            self.assertEqual((job.state, job.error_count), ("done", 0))
        event = self._events("billing.usage_drop")
        self.assertEqual(len(event), 1)
        self.assertEqual(event.payload["drop_percent"], 70.0)
        # the latest month's terms win; an empty cell leaves a term as it is
        self.assertRecordValues(
            self.line,
            [
                {
                    "commitment_end_date": fields.Date.to_date("2027-06-30"),
                    "promotion_name": "Old promo",
                    "promotion_end_date": fields.Date.to_date("2027-01-10"),
                }
            ],
        )
        self.assertFalse(self.other_line.commitment_end_date)
