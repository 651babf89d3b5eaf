from datetime import date, datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from odoo.addons.telecom_b2b_partner.tests.common import B2bCommon
from odoo.addons.telecom_helpdesk_sla.tests.common import TelecomHelpdeskCommon

MONTHLY_FEE = 10000.0
MARCH = date(2026, 3, 1)
MARCH_HOURS = 31 * 24


@tagged("post_install", "-at_install")
class TestCreditStatement(B2bCommon, TelecomHelpdeskCommon):
    """Monthly credits of a contract covering the North entity: 5 % of the fee
    per breached P1 ticket, 2 % per breached P3 ticket, 1 % per downtime hour
    beyond 99.5 % availability, capped at 30 %."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the months of the contract's zone, where the figures by hand are UTC
        # ones (test_months_follow_the_contracts_time_zone: local months)
        cls.zone_north.tz = "UTC"
        cls.contract = cls._create_contract(
            cls.holding,
            site_ids=[Command.set(cls.entity_north.ids)],
            credit_availability_percent=99.5,
            credit_downtime_percent=1.0,
            credit_cap_percent=30.0,
            price_ids=[
                Command.create(
                    {
                        "product_id": cls.tariff_basic.id,
                        "quantity": 1,
                        "monthly_price": MONTHLY_FEE,
                    }
                )
            ],
            sla_ids=[
                Command.create(
                    {
                        "priority": "3",
                        "calendar_id": cls.calendar_always.id,
                        "first_response_hours": 0.25,
                        "resolution_hours": 4,
                        "credit_percent": 5.0,
                    }
                ),
                Command.create(
                    {
                        "priority": "1",
                        "calendar_id": cls.calendar_always.id,
                        "first_response_hours": 2,
                        "resolution_hours": 16,
                        "credit_percent": 2.0,
                    }
                ),
            ],
        )
        cls.contract.action_activate()
        cls.site_contact = cls.env["res.partner"].create(
            {"name": "T Site Engineer", "parent_id": cls.site_north.id}
        )

    # ------------------------------------------------------------------
    # builders
    # ------------------------------------------------------------------
    def _breached_ticket(self, partner, priority, *deadlines):
        """A ticket whose SLA lines breached at ``deadlines`` (one per line)."""
        ticket = self._ticket(partner, priority=priority)
        lines = ticket.sla_line_ids.sorted("id")
        self.assertGreaterEqual(len(lines), len(deadlines))
        self.env.flush_all()
        for line, deadline in zip(lines, deadlines, strict=False):
            self.env.cr.execute(
                """UPDATE telecom_sla_line
                      SET breached = true, status = 'breached', deadline = %s
                    WHERE id = %s""",
                (deadline, line.id),
            )
        self.env.invalidate_all()
        return ticket

    def _incident(self, zone, start, end, state="resolved", **values):
        incident = self.env["telecom.incident"].create(
            {
                "name": "T Outage",
                "region_ids": [Command.set(zone.ids)],
                "date_start": start,
                **values,
            }
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE telecom_incident SET state = %s, date_end = %s WHERE id = %s",
            (state, end, incident.id),
        )
        self.env.invalidate_all()
        return incident

    def _statement(self, period_start=MARCH, env=None):
        statement = self.contract._create_credit_statements(period_start)
        return statement.with_env(env) if env else statement

    def _lines(self, statement, kind):
        return statement.line_ids.filtered(lambda line: line.kind == kind)

    def _setup_march(self):
        """Breaches and incidents around March; returns the figures by hand."""
        dt = datetime
        counted_p1 = self._breached_ticket(
            self.site_contact, "3", dt(2026, 3, 1, 0, 0)
        ) | self._breached_ticket(self.entity_north, "3", dt(2026, 3, 31, 23, 59))
        counted_p3 = self._breached_ticket(
            self.site_contact, "1", dt(2026, 3, 5, 10), dt(2026, 3, 6, 10)
        )
        # first breach in February / April: another month's
        self._breached_ticket(
            self.site_contact, "3", dt(2026, 2, 28, 23, 59), dt(2026, 3, 2)
        )
        self._breached_ticket(self.site_contact, "3", dt(2026, 4, 1, 0, 0))
        # the South site is not covered by the contract
        self._breached_ticket(self.site_south, "3", dt(2026, 3, 10))
        # 4 h in March (from Feb 28 22:00), then 10:00-16:00 from two overlapping
        counted_incidents = (
            self._incident(self.zone_north, dt(2026, 2, 28, 22), dt(2026, 3, 1, 4))
            | self._incident(
                self.zone_north_city, dt(2026, 3, 10, 10), dt(2026, 3, 10, 14)
            )
            | self._incident(self.zone_north, dt(2026, 3, 10, 12), dt(2026, 3, 10, 16))
        )
        # other zone, cancelled, other service type, April: not counted
        self._incident(self.zone_south, dt(2026, 3, 20), dt(2026, 3, 21))
        self._incident(
            self.zone_north, dt(2026, 3, 22), dt(2026, 3, 23), state="cancelled"
        )
        self._incident(
            self.zone_north,
            dt(2026, 3, 24),
            dt(2026, 3, 25),
            service_type="broadband",
        )
        self._incident(self.zone_north, dt(2026, 4, 1), dt(2026, 4, 2))
        return counted_p1, counted_p3, counted_incidents

    # ------------------------------------------------------------------
    # tests
    # ------------------------------------------------------------------
    def test_credits_from_breaches_and_downtime_of_the_month(self):
        counted_p1, counted_p3, counted_incidents = self._setup_march()
        statement = self._statement()
        allowed = MARCH_HOURS * 0.5 / 100  # 3.72 h
        excess = 4 + 6 - allowed
        self.assertEqual(statement.monthly_amount, MONTHLY_FEE)
        self.assertAlmostEqual(statement.downtime_hours, 10.0)
        self.assertAlmostEqual(statement.allowed_downtime_hours, allowed)
        p1, p3 = (
            self._lines(statement, "breach").filtered(
                lambda line, p=p: line.priority == p
            )
            for p in ("3", "1")
        )
        self.assertEqual(p1.ticket_ids, counted_p1)
        self.assertEqual(p1.amount, 2 * 5 * MONTHLY_FEE / 100)
        self.assertEqual(p3.ticket_ids, counted_p3)
        self.assertEqual(p3.amount, 1 * 2 * MONTHLY_FEE / 100)
        downtime = self._lines(statement, "downtime")
        self.assertAlmostEqual(downtime.quantity, excess)
        self.assertEqual(downtime.incident_ids, counted_incidents)
        self.assertAlmostEqual(
            downtime.amount, round(excess * 1 * MONTHLY_FEE / 100, 2)
        )
        self.assertFalse(self._lines(statement, "cap"))
        self.assertAlmostEqual(statement.amount_total, 1000 + 200 + 628.0)

    def test_february_and_april_get_their_own_breaches(self):
        self._setup_march()
        february = self._statement(date(2026, 2, 1))
        self.assertEqual(self._lines(february, "breach").quantity, 1)
        # 2 h of the incident before midnight, under the 3.36 h allowed
        self.assertAlmostEqual(february.downtime_hours, 2.0)
        self.assertFalse(self._lines(february, "downtime"))
        april = self._statement(date(2026, 4, 1))
        self.assertEqual(self._lines(april, "breach").quantity, 1)
        self.assertAlmostEqual(april.downtime_hours, 24.0)

    def test_months_follow_the_contracts_time_zone(self):
        """Moscow (UTC+3) months: March starts on Feb 28 21:00 UTC and ends on
        March 31 21:00 UTC."""
        self.zone_north.tz = "Europe/Moscow"
        self.assertEqual(self.contract.region_id, self.zone_north)
        dt = datetime
        # March 1 00:30 and March 31 23:59 in Moscow: March's
        counted = self._breached_ticket(
            self.site_contact, "3", dt(2026, 2, 28, 21, 30)
        ) | self._breached_ticket(self.site_contact, "3", dt(2026, 3, 31, 20, 59))
        # April 1 00:30 in Moscow: April's
        april_ticket = self._breached_ticket(
            self.site_contact, "3", dt(2026, 3, 31, 21, 30)
        )
        # Feb 28 23:00 to March 1 01:00 in Moscow: 1 h in March
        self._incident(self.zone_north, dt(2026, 2, 28, 20), dt(2026, 2, 28, 22))
        statement = self._statement()
        self.assertEqual(self._lines(statement, "breach").ticket_ids, counted)
        self.assertAlmostEqual(statement.downtime_hours, 1.0)
        self.assertAlmostEqual(statement.allowed_downtime_hours, MARCH_HOURS * 0.005)
        april = self._statement(date(2026, 4, 1))
        self.assertEqual(self._lines(april, "breach").ticket_ids, april_ticket)
        self.assertAlmostEqual(april.downtime_hours, 0.0)

    def test_credits_are_capped(self):
        self._setup_march()
        self.contract.credit_cap_percent = 15.0
        statement = self._statement()
        cap = self._lines(statement, "cap")
        self.assertAlmostEqual(cap.amount, 1500.0 - 1828.0)
        self.assertAlmostEqual(statement.amount_total, 1500.0)

    def test_only_a_b2b_manager_approves(self):
        self._setup_march()
        statement = self._statement(env=self.env(user=self.seller_north))
        statement.action_submit()
        with self.assertRaises(AccessError):
            statement.action_approve()
        with self.assertRaises(UserError):
            statement.write({"state": "approved"})
        self.assertEqual(statement.state, "to_approve")
        with self.assertRaises(UserError):
            statement.line_ids[0].amount = 1.0
        as_manager = statement.with_user(self.b2b_manager)
        as_manager.action_approve()
        self.assertEqual(statement.state, "approved")
        self.assertEqual(statement.approved_by_id, self.b2b_manager)
        with self.assertRaises(UserError):
            as_manager.action_approve()
        as_manager.action_refuse()
        self.assertEqual(statement.state, "refused")

    def test_another_zone_does_not_see_the_statement(self):
        statement = self._statement()
        as_south = self.env["telecom.b2b.credit.statement"].with_user(self.seller_south)
        self.assertFalse(as_south.search([("id", "=", statement.id)]))

    def test_monthly_cron_is_idempotent(self):
        self._setup_march()
        Statement = self.env["telecom.b2b.credit.statement"]
        domain = [("contract_id", "=", self.contract.id)]
        with freeze_time("2026-04-03 06:00:00"):
            self.contract._cron_create_credit_statements()
            statement = Statement.search(domain)
            self.assertEqual(statement.period_start, MARCH)
            self.assertAlmostEqual(statement.amount_total, 1828.0)
            self.contract._cron_create_credit_statements()
        self.assertEqual(Statement.search(domain), statement)
