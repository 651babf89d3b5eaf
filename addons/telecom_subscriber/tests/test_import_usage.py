import base64
import csv
import io

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..tools.usage_csv import COLUMNS
from .common import TelecomCommon


@tagged("post_install", "-at_install")
class TestUsageImport(TelecomCommon):
    """Monthly usage and charges from a billing CSV, imported as a supervisor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Import = cls.env["telecom.import"].with_user(cls.supervisor)
        cls.partner, cls.account = cls._create_subscriber("Usage Holder")
        cls.line = cls._activate_line(cls.account)
        cls.home = cls.env["telecom.service"].create(
            {
                "account_id": cls.account.id,
                "service_type": "broadband",
                "tariff_id": cls.tariff_home.id,
                "installation_address": "Lenina 1",
            }
        )
        cls.home._apply_state("active")
        # a subscriber of a zone the supervisor does not see
        _south, cls.south_account = cls._create_subscriber(
            "South Holder", zone=cls.zone_south
        )
        cls.south_line = cls._activate_line(cls.south_account)

    @staticmethod
    def _csv(rows, delimiter=";"):
        stream = io.StringIO()
        writer = csv.writer(stream, delimiter=delimiter, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row.get(column, "") for column in COLUMNS])
        return stream.getvalue().encode()

    def _import(self, rows):
        job = self.Import.create(
            {
                "name": "Usage",
                "import_kind": "usage",
                "file": base64.b64encode(self._csv(rows)),
                "file_name": "usage.csv",
            }
        )
        job.action_process_now()
        return job

    def _good_rows(self):
        return [
            {
                "month": "2026-10",
                "account_number": self.account.name,
                "msisdn": self.line.msisdn,
                "data_mb": "10 240,5",
                "voice_minutes": "320",
                "sms_count": "12",
                "roaming_mb": "0",
                "charged_amount": "950.00",
                "paid_amount": "950",
                "paid_late": "0",
                "device_type": "smartphone",
                "device_os": "Android 14",
                "device_5g": "yes",
            },
            {
                "month": "2026-11",
                "account_number": self.account.name,
                "msisdn": self.line.msisdn,
                "data_mb": "4000",
                "charged_amount": "700",
                "paid_amount": "400",
                "debt_amount": "300",
                "paid_late": "1",
            },
            {
                "month": "2026-11",
                "account_number": self.account.name,
                "service_type": "broadband",
                "data_mb": "250000",
                "charged_amount": "600",
                "paid_amount": "600",
                "device_type": "router",
            },
        ]

    def _months(self):
        return self.env["telecom.usage.monthly"].search(
            [("account_id", "=", self.account.id)], order="month, id"
        )

    def test_months_are_imported_and_updated_on_reimport(self):
        job = self._import(self._good_rows())
        self.assertEqual(job.state, "done")
        self.assertEqual((job.imported_count, job.error_count), (3, 0))
        months = self._months()
        self.assertRecordValues(
            months,
            [
                {
                    "service_id": self.line.id,
                    "data_mb": 10240.5,
                    "sms_count": 12,
                    "charged_amount": 950.0,
                    "device_type": "smartphone",
                    "device_os": "Android 14",
                    "device_5g": True,
                    "paid_late": False,
                    "partner_id": self.partner.id,
                    "region_id": self.account.region_id.id,
                    "source": "import",
                },
                {
                    "service_id": self.line.id,
                    "data_mb": 4000.0,
                    "sms_count": 0,
                    "charged_amount": 700.0,
                    "device_type": False,
                    "device_os": False,
                    "device_5g": False,
                    "paid_late": True,
                    "partner_id": self.partner.id,
                    "region_id": self.account.region_id.id,
                    "source": "import",
                },
                {
                    "service_id": self.home.id,
                    "data_mb": 250000.0,
                    "sms_count": 0,
                    "charged_amount": 600.0,
                    "device_type": "router",
                    "device_os": False,
                    "device_5g": False,
                    "paid_late": False,
                    "partner_id": self.partner.id,
                    "region_id": self.account.region_id.id,
                    "source": "import",
                },
            ],
        )
        self.assertEqual(months[1].debt_amount, 300.0)
        # the same file again, one month corrected: updated in place, not doubled
        rows = self._good_rows()
        rows[1]["debt_amount"] = "0"
        rows[1]["paid_amount"] = "700"
        self._import(rows)
        self.assertEqual(self._months(), months)
        self.assertEqual(months[1].debt_amount, 0.0)
        # the supervisor reads them (zones), a front-office agent of the south not
        self.assertEqual(
            self.env["telecom.usage.monthly"]
            .with_user(self.supervisor)
            .search_count([("id", "in", months.ids)]),
            3,
        )
        self.assertFalse(
            self.env["telecom.usage.monthly"]
            .with_user(self.front_office_south)
            .search_count([("id", "in", months.ids)])
        )
        with self.assertRaises(AccessError):
            months[0].with_user(self.supervisor).write({"charged_amount": 1.0})

    def test_bad_rows_are_rejected_with_a_reason_each(self):
        base = self._good_rows()[0]
        rows = [
            {**base, "month": "10/2026"},
            {**base, "data_mb": "-5"},
            {**base, "sms_count": "2.5"},
            {**base, "paid_late": "maybe"},
            {**base, "device_type": "toaster"},
            {**base, "account_number": "LS-NOWHERE"},
            {**base, "msisdn": "+79990001122"},
            {**base, "msisdn": "", "service_type": "iptv"},
            {**base, "msisdn": ""},
            # a zone the supervisor does not see: as unknown as a wrong number
            {**base, "account_number": self.south_account.name,
             "msisdn": self.south_line.msisdn},
            {**base, "month": "2026-09"},  # good
        ]  # fmt: skip
        job = self._import(rows)
        self.assertEqual(job.imported_count, 1)
        self.assertEqual(job.error_count, 10)
        errors = {
            error.line_number: (error.column, error.message) for error in job.error_ids
        }
        self.assertEqual(errors[2][0], "month")
        self.assertIn("YYYY-MM", errors[2][1])
        self.assertIn("cannot be negative", errors[3][1])
        self.assertIn("whole number", errors[4][1])
        self.assertIn("yes/no", errors[5][1])
        self.assertIn("device_type", errors[6][1])
        self.assertIn("not known", errors[7][1])
        self.assertEqual(errors[8][0], "msisdn")
        self.assertEqual(errors[9][0], "service_type")
        self.assertEqual(errors[10][0], "msisdn")
        self.assertIn("not known", errors[11][1])
        self.assertFalse(
            self.env["telecom.usage.monthly"].search(
                [("service_id", "=", self.south_line.id)]
            )
        )

    def test_header_of_the_other_kind_is_refused_clearly(self):
        job = self.Import.create(
            {
                "name": "Wrong file",
                "import_kind": "usage",
                "file": base64.b64encode(b"customer_id;subscriber_name\nC-1;Ivan\n"),
            }
        )
        with self.assertRaisesRegex(UserError, "month, account_number"):
            job.action_process_now()
