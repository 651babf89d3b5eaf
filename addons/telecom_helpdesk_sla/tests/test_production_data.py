import ast
from pathlib import Path

from freezegun import freeze_time
from lxml import etree

from odoo.tests import tagged

from .common import TelecomHelpdeskCommon, utc

ADDON = Path(__file__).resolve().parent.parent
MODULE = "telecom_helpdesk_sla"
# what a database created without demo data needs to run a service desk
PRODUCTION_RECORDS = [
    "resource_calendar_business",
    "resource_calendar_evening",
    "resource_calendar_noc_24_7",
    "resource_calendar_noc_rota",
    "resource_calendar_leaves_ru_2026_new_year",
    "resource_calendar_leaves_ru_2026_victory",
    "resource_calendar_leaves_ru_2026_new_year_eve",
    "resource_calendar_leaves_ru_2027_new_year",
    "resource_calendar_leaves_ru_2027_russia",
    "telecom_sla_policy_fallback",
    "telecom_sla_policy_p1",
    "telecom_sla_policy_vip",
    "telecom_sla_policy_b2b",
    "telecom_escalation_rule_tech",
    "telecom_escalation_rule_noc",
    "telecom_escalation_rule_management",
    "telecom_ticket_priority_p1",
    "telecom_priority_matrix_1_1",
    "ir_cron_telecom_sla_scan",
]


def _records_of(files):
    """{xml id: noupdate} of the records the ``files`` of the addon define."""
    records = {}
    for name in files:
        if not name.endswith(".xml"):
            continue
        root = etree.parse(str(ADDON / name)).getroot()
        for record in root.iter("record"):
            noupdate = any(
                node.get("noupdate") in ("1", "True") for node in record.iterancestors()
            )
            records.setdefault(record.get("id"), noupdate)
    return records


@tagged("post_install", "-at_install")
class TestProductionData(TelecomHelpdeskCommon):
    """A database created without demo data gets the calendars, the Russian
    public holidays, the policies and the escalation matrix; an administrator's
    tuning survives upgrades (noupdate)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        manifest = ast.literal_eval((ADDON / "__manifest__.py").read_text())
        cls.data_records = _records_of(manifest["data"])
        cls.demo_records = _records_of(manifest.get("demo", []))

    def test_production_records_are_data_not_demo(self):
        for xml_id in PRODUCTION_RECORDS:
            with self.subTest(xml_id=xml_id):
                self.assertIn(xml_id, self.data_records)
                self.assertTrue(self.data_records[xml_id], "tuned by admins: noupdate")
                self.assertTrue(self.env.ref(f"{MODULE}.{xml_id}"))
        # demo holidays are only the invented operator's regional ones
        demo_holidays = [
            xml_id for xml_id in self.demo_records if "calendar_leaves" in xml_id
        ]
        for xml_id in demo_holidays:
            holiday = self.env.ref(f"{MODULE}.{xml_id}", raise_if_not_found=False)
            with self.subTest(demo=xml_id):  # absent from a database without demo
                self.assertTrue(not holiday or holiday.telecom_region_id)

    def test_crons_are_noupdate(self):
        crons = self.env["ir.model.data"].search(
            [("module", "=", MODULE), ("model", "=", "ir.cron")]
        )
        self.assertGreaterEqual(len(crons), 5)
        for xml_id in crons:
            with self.subTest(cron=xml_id.name):
                self.assertTrue(self.data_records[xml_id.name])
                self.assertTrue(xml_id.noupdate)

    def test_data_holidays_of_2026(self):
        victory = self.env.ref(f"{MODULE}.resource_calendar_leaves_ru_2026_victory")
        # Monday 11 May 2026, midnight to midnight in Moscow
        self.assertEqual(victory.date_from, utc(2026, 5, 10, 21, 0))
        self.assertEqual(victory.date_to, utc(2026, 5, 11, 20, 59, 59))
        new_year = self.env.ref(f"{MODULE}.resource_calendar_leaves_ru_2026_new_year")
        self.assertEqual(new_year.date_to, utc(2026, 1, 9, 20, 59, 59))
        self.assertFalse(new_year.calendar_id, "a holiday of every calendar")
        self.assertFalse(new_year.resource_id)

    def test_deadline_skips_a_data_holiday(self):
        partner, _account = self._create_subscriber("Daria Data")
        # Friday 8 May 2026, 17:00 Moscow: 1 working hour left on Friday; the
        # weekend and Monday 11 May (Victory Day, data) are not working time
        with freeze_time("2026-05-08 14:00:00"):
            ticket = self._ticket(partner)
        self.assertEqual(ticket.sla_policy_id, self.policy_fallback)
        # 8 h: 1 h on Friday, 7 h on Tuesday 12 May from 09:00 -> 16:00 MSK
        self.assertEqual(
            self._line(ticket, "first_response").deadline, utc(2026, 5, 12, 13, 0)
        )

    def test_data_escalation_matrix_needs_no_demo_team(self):
        for xml_id in (
            "telecom_escalation_rule_tech",
            "telecom_escalation_rule_noc",
            "telecom_escalation_rule_management",
        ):
            rule = self.env.ref(f"{MODULE}.{xml_id}").with_context(active_test=False)
            with self.subTest(rule=xml_id):
                self.assertTrue(rule.level)
                self.assertTrue(rule.trigger_kind)
