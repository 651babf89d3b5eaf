import io
import re
from datetime import date

import openpyxl
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, JsonRpcException, tagged

from odoo.addons.telecom_b2b_partner.tests.common import B2bPortalCommon
from odoo.addons.telecom_helpdesk_sla.tests.common import TelecomHelpdeskCommon

CSRF_TOKEN = re.compile(r'csrf_token: "([^"]+)"')


class B2bHelpdeskPortalCommon(B2bPortalCommon, TelecomHelpdeskCommon):
    """Tickets of each site of the corporate customer and of another one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ticket_north = cls._ticket(
            cls.entity_north, name="T North down", telecom_service_id=cls.line_north.id
        )
        cls.ticket_south = cls._ticket(cls.site_south, name="T South slow")
        cls.ticket_other = cls._ticket(cls.other_company, name="T Other broken")


@tagged("post_install", "-at_install")
class TestCorporatePortalTickets(B2bHelpdeskPortalCommon, HttpCase):
    """Tickets, SLA compliance and credits of the company on the corporate
    portal: as the holding's administrator, a branch's administrator, an
    employee limited to one site and another customer's administrator."""

    def _login(self, user):
        self.authenticate(user.login, user.login)

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def _csrf(self, url="/my/corporate"):
        return CSRF_TOKEN.search(self.url_open(url).text).group(1)

    def _tickets(self, user):
        return (
            self.env["helpdesk.ticket"]
            .with_user(user)
            .search(
                [
                    (
                        "id",
                        "in",
                        (self.ticket_north | self.ticket_south | self.ticket_other).ids,
                    )
                ]
            )
        )

    def _assert_not_found(self, url):
        response = self._get(url)
        self.assertEqual(response.status_code, 303, url)
        self.assertTrue(response.headers["Location"].endswith("/my"), url)
        return response

    # ------------------------------------------------------------------
    # tickets
    # ------------------------------------------------------------------
    def test_tickets_follow_the_hierarchy_and_the_granted_sites(self):
        self.assertEqual(self.ticket_north.telecom_b2b_site_id, self.site_north)
        self.assertEqual(
            self._tickets(self.holding_admin), self.ticket_north | self.ticket_south
        )
        self.assertEqual(self._tickets(self.south_admin), self.ticket_south)
        self.assertEqual(self._tickets(self.employee), self.ticket_north)
        self.assertEqual(self._tickets(self.other_admin), self.ticket_other)
        # a ticket the holding opened about the South site: South sees it,
        # the employee of the North site does not
        about_south = self._ticket(
            self.holding_admin.partner_id,
            name="T About South",
            telecom_b2b_site_id=self.site_south.id,
        )
        Ticket = self.env["helpdesk.ticket"]
        self.assertIn(about_south, Ticket.with_user(self.south_admin).search([]))
        self.assertNotIn(about_south, Ticket.with_user(self.employee).search([]))

    def test_ticket_pages_answer_alike_for_foreign_absent_and_bad_tokens(self):
        absent = (
            self.env["helpdesk.ticket"].search([], order="id desc", limit=1).id + 1000
        )
        self._login(self.employee)
        self.assertEqual(
            self._get(f"/my/ticket/{self.ticket_north.id}").status_code, 200
        )
        for url in (
            f"/my/ticket/{self.ticket_south.id}",
            f"/my/ticket/{self.ticket_other.id}",
            f"/my/ticket/{self.ticket_other.id}?access_token=wrong",
            f"/my/ticket/{self.ticket_other.id}?access_token=",
            f"/my/ticket/{absent}",
            f"/my/ticket/{absent}?access_token=wrong",
        ):
            self._assert_not_found(url)
        listing = self.url_open("/my/tickets").text
        self.assertIn("T North down", listing)
        self.assertNotIn("T South slow", listing)
        self.assertNotIn("T Other broken", listing)

    def test_closing_another_companys_ticket_answers_as_a_missing_one(self):
        closing = (
            self.env["helpdesk.ticket.stage"].search(
                [("close_from_portal", "=", True)], limit=1
            )
            or self.stage_done
        )
        closing.close_from_portal = True
        stage_before = self.ticket_other.stage_id
        self._login(self.employee)
        for ticket_id in (self.ticket_other.id, self.ticket_south.id, "x"):
            self._assert_not_found(
                f"/ticket/close?ticket_id={ticket_id}&stage_id={closing.id}"
            )
        self.assertEqual(self.ticket_other.stage_id, stage_before)
        response = self._get(
            f"/ticket/close?ticket_id={self.ticket_north.id}&stage_id={closing.id}"
        )
        self.assertIn(
            f"/my/ticket/{self.ticket_north.id}", response.headers["Location"]
        )
        self.assertEqual(self.ticket_north.stage_id, closing)

    def test_new_ticket_for_one_of_the_sites(self):
        self._login(self.employee)
        form = self.url_open("/new/ticket").text
        self.assertIn("T Site North", form)
        self.assertNotIn("T Site South", form)
        self.assertIn(self.line_north.name, form)
        self.assertNotIn(self.other_line.name, form)
        response = self.url_open(
            "/submitted/ticket",
            data={
                "csrf_token": self._csrf(),
                "subject": "T Portal ticket",
                "description": "Down",
                "site_id": self.site_north.id,
                "service_id": self.line_north.id,
            },
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303))
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "T Portal ticket")])
        self.assertIn(f"/my/ticket/{ticket.id}", response.headers["Location"])
        self.assertEqual(
            (ticket.partner_id, ticket.telecom_b2b_site_id, ticket.telecom_service_id),
            (self.employee.partner_id, self.site_north, self.line_north),
        )
        self.assertIn(
            ticket, self.env["helpdesk.ticket"].with_user(self.holding_admin).search([])
        )

    def test_new_ticket_refuses_sites_and_services_not_seen(self):
        self._login(self.employee)
        token = self._csrf()
        absent = self.env["res.partner"].search([], order="id desc", limit=1).id + 1000
        for site, service in (
            (self.site_south.id, ""),
            (self.other_company.id, ""),
            (absent, ""),
            ("x", ""),
            ("", ""),
            (self.site_north.id, self.line_south.id),
            (self.site_north.id, self.other_line.id),
            (self.site_north.id, "x"),
        ):
            response = self.url_open(
                "/submitted/ticket",
                data={
                    "csrf_token": token,
                    "subject": "T Refused",
                    "description": "No",
                    "site_id": site,
                    "service_id": service,
                },
                allow_redirects=False,
            )
            self.assertEqual(response.status_code, 200, (site, service))
            self.assertIn("alert-danger", response.text)
        self.assertFalse(
            self.env["helpdesk.ticket"].search([("name", "=", "T Refused")])
        )

    def test_reply_on_the_ticket_through_the_portal_chatter(self):
        self._login(self.employee)
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "helpdesk.ticket",
                "thread_id": self.ticket_north.id,
                "post_data": {
                    "body": "T reply from the site",
                    "message_type": "comment",
                },
            },
        )
        self.assertIn(
            "T reply from the site",
            "".join(self.ticket_north.message_ids.mapped("body")),
        )
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/mail/message/post",
                {
                    "thread_model": "helpdesk.ticket",
                    "thread_id": self.ticket_south.id,
                    "post_data": {"body": "T intrusion", "message_type": "comment"},
                },
            )
        self.assertNotIn(
            "T intrusion", "".join(self.ticket_south.message_ids.mapped("body"))
        )

    # ------------------------------------------------------------------
    # SLA compliance
    # ------------------------------------------------------------------
    def _breach(self, tickets):
        tickets.write({"sla_status": "breached"})

    def _rows(self, user, month=None):
        compliance = self.env["telecom.b2b.sla.compliance"].with_user(user)
        rows, totals = compliance._compute_rows(month or compliance._parse_month(None))
        return {row["priority"]: row for row in rows}, totals

    def test_compliance_per_priority_counted_by_hand(self):
        self.ticket_north.priority = "3"
        self.ticket_south.priority = "3"
        extra = self._ticket(self.site_north, name="T North P3", priority="1")
        self._breach(self.ticket_north)
        rows, totals = self._rows(self.holding_admin)
        self.assertEqual(
            (rows["3"]["tickets"], rows["3"]["within"], rows["3"]["breached"]),
            (2, 1, 1),
        )
        self.assertAlmostEqual(rows["3"]["compliance"], 0.5)
        self.assertEqual((rows["1"]["tickets"], rows["1"]["compliance"]), (1, 1.0))
        self.assertIsNone(rows["0"]["compliance"])
        self.assertEqual((totals["tickets"], totals["breached"]), (3, 1))
        # the employee of the North site: its two tickets
        rows, totals = self._rows(self.employee)
        self.assertEqual((totals["tickets"], totals["breached"]), (2, 1))
        # another month: nothing
        last_month = fields.Date.today().replace(day=1) - relativedelta(months=1)
        self.assertEqual(self._rows(self.holding_admin, last_month)[1]["tickets"], 0)
        self.assertTrue(extra)

    def test_compliance_page_and_xlsx_download(self):
        self._breach(self.ticket_south)
        month = fields.Date.today().strftime("%Y-%m")
        self._login(self.south_admin)
        page = self.url_open(f"/my/corporate/sla?month={month}").text
        self.assertIn(f"/my/corporate/sla/xlsx?month={month}", page)
        response = self._get(f"/my/corporate/sla/xlsx?month={month}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        self.assertIn(
            f"sla_compliance_{month}.xlsx", response.headers["Content-Disposition"]
        )
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
        total = values[-1]
        self.assertEqual(total[:4], ["Total", 1, 0, 1])
        self.assertIn("T Entity South", sheet.cell(1, 1).value)
        # a bad month: an error on the page, no file
        page = self.url_open("/my/corporate/sla?month=2026-13").text
        self.assertIn("is not a month", page)
        self.assertEqual(
            self._get("/my/corporate/sla/xlsx?month=nope").status_code, 303
        )
        # another customer's contact downloads its own figures only
        self._login(self.other_admin)
        response = self._get(f"/my/corporate/sla/xlsx?month={month}")
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        total = [cell.value for cell in list(sheet.iter_rows(min_row=4))[-1]]
        self.assertEqual(total[:4], ["Total", 1, 1, 0])

    def test_anonymous_gets_the_login_page(self):
        for url in (
            "/my/corporate/sla",
            "/my/corporate/sla/xlsx",
            "/my/corporate/credits",
        ):
            response = self._get(url)
            self.assertEqual(response.status_code, 303)
            self.assertIn("/web/login", response.headers["Location"])

    # ------------------------------------------------------------------
    # credits earned
    # ------------------------------------------------------------------
    def _statement(self, contract, state, month):
        statement = self.env["telecom.b2b.credit.statement"].create(
            {"contract_id": contract.id, "period_start": month}
        )
        statement.with_context(telecom_b2b_credit_move=True).write({"state": state})
        return statement

    def test_credits_earned_are_the_approved_ones_of_own_contracts(self):
        approved = self._statement(self.contract, "approved", date(2026, 10, 1))
        sent = self._statement(self.contract, "sent", date(2026, 9, 1))
        draft = self._statement(self.contract, "draft", date(2026, 11, 1))
        foreign = self._statement(self.other_contract, "approved", date(2026, 10, 1))
        Statement = self.env["telecom.b2b.credit.statement"]
        self.assertEqual(Statement.with_user(self.employee).search([]), approved | sent)
        self.assertEqual(Statement.with_user(self.other_admin).search([]), foreign)
        self.assertFalse(Statement.with_user(self.south_admin).search([]))
        self._login(self.employee)
        page = self.url_open("/my/corporate/credits").text
        self.assertIn("2026-10", page)
        self.assertIn("2026-09", page)
        self.assertNotIn("2026-11", page)
        self.assertTrue(draft)


@tagged("post_install", "-at_install")
class TestCorporatePortalTour(B2bHelpdeskPortalCommon, HttpCase):
    """In Chromium: a corporate contact opens a ticket for its site from the
    corporate portal and downloads the SLA compliance report."""

    def test_corporate_contact_opens_a_ticket_and_downloads_the_sla_report(self):
        self.start_tour(
            "/my/corporate", "telecom_b2b_corporate_portal", login=self.employee.login
        )
        ticket = self.env["helpdesk.ticket"].search(
            [("name", "=", "Tour: no internet at the North site")]
        )
        self.assertEqual(
            (ticket.partner_id, ticket.telecom_b2b_site_id),
            (self.employee.partner_id, self.site_north),
        )
