import base64
import io
from datetime import date

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from .common import TelecomHelpdeskCommon


@tagged("post_install", "-at_install")
class TestSlaReport(TelecomHelpdeskCommon):
    """The SLA analysis and the XLSX breach report."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vip, _account = cls._create_subscriber("Viktor Vip", telecom_segment="vip")
        cls.partner, _account = cls._create_subscriber("Anna Smirnova")
        with freeze_time("2025-03-08 10:00:00"):
            cls.late = cls._ticket(cls.vip, name="T late", team_id=cls.team_noc.id)
            cls.on_time = cls._ticket(
                cls.partner, name="T on time", team_id=cls.team_front.id
            )
        with freeze_time("2025-03-08 11:30:00"):  # VIP first response (1 h) missed
            cls.env["telecom.sla.line"]._cron_scan()

    def _export(self, **values):
        wizard = self.env["telecom.sla.breach.report"].create(
            {"date_from": date(2025, 3, 1), "date_to": date(2025, 3, 31), **values}
        )
        with freeze_time("2025-03-08 12:00:00"):
            action = wizard.action_export()
        self.assertIn(
            f"/web/content/telecom.sla.breach.report/{wizard.id}/file/", action["url"]
        )
        return openpyxl.load_workbook(
            io.BytesIO(base64.b64decode(wizard.file)), data_only=False
        ), openpyxl.load_workbook(
            io.BytesIO(base64.b64decode(wizard.file)), data_only=True
        )

    def test_report_rows(self):
        rows = self.env["telecom.sla.report"].search(
            [("ticket_id", "in", (self.late | self.on_time).ids)]
        )
        breached = rows.filtered("breached")
        self.assertEqual(breached.ticket_id, self.late)
        self.assertEqual(breached.kind, "first_response")
        self.assertEqual(breached.team_id, self.team_noc)
        self.assertEqual(breached.segment, "vip")
        groups = self.env["telecom.sla.report"]._read_group(
            [("ticket_id", "in", (self.late | self.on_time).ids)],
            ["team_id"],
            ["breach_count:sum", "target_count:sum"],
        )
        self.assertEqual(
            {team.name: (breaches, targets) for team, breaches, targets in groups},
            {"T NOC": (1, 3), "T Front Office": (0, 2)},
        )

    def test_xlsx_breaches_with_totals(self):
        formulas, values = self._export()
        sheet = values.worksheets[0]
        self.assertEqual(sheet["A3"].value, "Ticket")
        self.assertEqual(sheet["K3"].value, "Overdue (h)")
        self.assertEqual(sheet["A4"].value, self.late.number)
        self.assertEqual(sheet["B4"].value, "T late")
        self.assertEqual(sheet["C4"].value, "T NOC")
        self.assertEqual(sheet["G4"].value, "First Response")
        self.assertEqual(sheet["I4"].value.isoformat(), "2025-03-08T11:00:00")
        self.assertEqual(sheet["K4"].value, 1.0)  # 11:00 -> 12:00, still open
        self.assertEqual(sheet["A5"].value, "Total")
        self.assertEqual(sheet["B5"].value, 1)
        self.assertEqual(sheet["K5"].value, 1.0)
        self.assertEqual(formulas.worksheets[0]["K5"].value, "=SUM(K4:K4)")
        self.assertEqual(formulas.worksheets[0]["B5"].value, "=COUNTA(A4:A4)")
        self.assertIsNone(sheet["A6"].value)
        teams = [
            [cell.value for cell in row] for row in values.worksheets[1].iter_rows()
        ]
        self.assertEqual(
            [row[:3] for row in teams],
            [
                ["Team", "Targets", "Breaches"],
                ["T Front Office", 2, 0],
                ["T NOC", 3, 1],
                ["Total", 5, 1],
            ],
        )
        for row, compliance in zip(teams[1:], (1.0, 2 / 3, 0.8), strict=True):
            self.assertAlmostEqual(row[3], compliance)
        self.assertEqual(formulas.worksheets[1]["D4"].value, "=IF(B4=0,1,1-C4/B4)")
        self.assertEqual(sheet["I4"].number_format, "yyyy-mm-dd hh:mm")

    def test_xlsx_filters_by_team(self):
        _formulas, values = self._export(team_ids=[Command.set(self.team_front.ids)])
        sheet = values.worksheets[0]
        self.assertEqual(sheet["A4"].value, "Total")
        self.assertEqual(sheet["B4"].value, 0)


@tagged("post_install", "-at_install")
class TestTicketCreationQueries(TelecomHelpdeskCommon):
    """Creating tickets costs the same number of queries for 1 or 20."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.partner, cls.account = cls._create_subscriber("Anna Smirnova")
        cls.env["telecom.routing.rule"].create(
            {
                "name": "T everything",
                "team_id": cls.team_tech.id,
                "region_ids": [Command.set(cls.zone_north.ids)],
            }
        )
        cls.env["telecom.incident"].create(
            {
                "name": "T outage elsewhere",
                "region_ids": [Command.set(cls.zone_south.ids)],
                "notify_email": False,
                "notify_sms": False,
            }
        )

    def _count_queries(self, batch):
        vals_list = [
            {
                "name": f"T ticket {index}",
                "description": "x",
                "partner_id": self.partner.id,
                "category_id": self.category_internet.id,
                "channel_id": self.channel_phone.id,
                "telecom_impact": "3",
                "telecom_urgency": "2",
            }
            for index in range(batch)
        ]
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        tickets = self.env["helpdesk.ticket"].create(vals_list)
        self.env.flush_all()
        count = self.env.cr.sql_log_count - before
        self.assertEqual(len(tickets.sla_line_ids), 2 * batch)
        return count

    def test_query_count_does_not_grow_with_the_batch(self):
        with freeze_time("2025-03-04 08:00:00"):
            self._count_queries(1)  # warm the caches (policies, keys, sequence)
            one = self._count_queries(1)
            twenty = self._count_queries(20)
        self.assertEqual(twenty, one)
