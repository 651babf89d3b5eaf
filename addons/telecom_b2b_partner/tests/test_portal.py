import re

from odoo.tests import HttpCase, tagged

from .common import B2bPortalCommon

CSRF_TOKEN = re.compile(r'csrf_token: "([^"]+)"')


@tagged("post_install", "-at_install")
class TestCorporatePortal(B2bPortalCommon, HttpCase):
    """Corporate contacts see their company and what is below it, never a
    sibling or another customer; employees see the sites their administrator
    grants them; every route answers the same for "not yours" and "absent"."""

    def _login(self, user):
        self.authenticate(user.login, user.login)

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def _assert_not_found(self, url, data=None):
        """The answer of a missing record: a redirect to /my, nothing else."""
        if data is None:
            response = self._get(url)
        else:
            response = self.url_open(url, data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 303, url)
        self.assertTrue(response.headers["Location"].endswith("/my"), url)
        return response

    def _absent_id(self, model):
        return self.env[model].search([], order="id desc", limit=1).id + 1000

    def _csrf(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return CSRF_TOKEN.search(response.text).group(1)

    # ------------------------------------------------------------------
    # hierarchy visibility, as the users
    # ------------------------------------------------------------------
    def test_a_parent_sees_its_children_not_its_siblings(self):
        def services(user):
            return self.env["telecom.service"].with_user(user).search([])

        self.assertEqual(
            services(self.holding_admin), self.line_north | self.line_south
        )
        self.assertEqual(services(self.south_admin), self.line_south)
        self.assertEqual(services(self.employee), self.line_north)
        self.assertEqual(services(self.other_admin), self.other_line)
        contracts = self.env["telecom.b2b.contract"]
        self.assertEqual(
            contracts.with_user(self.holding_admin).search([]), self.contract
        )
        self.assertEqual(contracts.with_user(self.employee).search([]), self.contract)
        self.assertFalse(contracts.with_user(self.south_admin).search([]))
        self.assertEqual(
            contracts.with_user(self.other_admin).search([]), self.other_contract
        )

    def test_an_employee_without_a_granted_site_sees_nothing(self):
        self.employee.partner_id.telecom_b2b_portal_site_ids = False
        self.assertFalse(
            self.env["telecom.service"].with_user(self.employee).search([])
        )
        self.assertFalse(
            self.env["telecom.b2b.contract"].with_user(self.employee).search([])
        )
        self._login(self.employee)
        response = self.url_open("/my/corporate")
        self.assertEqual(response.status_code, 200)
        self.assertIn("No site is shared with you yet", response.text)

    def test_a_granted_site_outside_the_company_shows_nothing_more(self):
        self.employee.partner_id.telecom_b2b_portal_site_ids = self.other_company
        self.assertFalse(
            self.env["telecom.service"].with_user(self.employee).search([])
        )

    # ------------------------------------------------------------------
    # pages
    # ------------------------------------------------------------------
    def test_overview_shows_the_sites_and_services_the_user_sees(self):
        self._login(self.holding_admin)
        page = self.url_open("/my/corporate").text
        for name in (
            "T Site North",
            "T Site South",
            self.line_north.name,
            "Site Access",
        ):
            self.assertIn(name, page)
        self.assertIn('href="/my/corporate"', self.url_open("/my/home").text)
        self._login(self.employee)
        # the suite's own service list is narrowed to the granted site too
        services = self.url_open("/my/services").text
        self.assertIn(self.line_north.name, services)
        self.assertNotIn(self.line_south.name, services)
        page = self.url_open("/my/corporate").text
        self.assertIn(self.line_north.name, page)
        self.assertNotIn(self.line_south.name, page)
        self.assertNotIn("T Site South", page)
        self.assertNotIn("/my/corporate/access", page)
        self._login(self.south_admin)
        page = self.url_open("/my/corporate").text
        self.assertIn(self.line_south.name, page)
        self.assertNotIn("T Site North", page)

    def test_contract_and_its_document(self):
        self._login(self.employee)
        url = f"/my/corporate/contracts/{self.contract.id}"
        page = self.url_open(url).text
        self.assertIn(self.contract.name, page)
        document = self.contract.document_ids
        download = self._get(f"{url}/documents/{document.id}")
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.content, b"contract of T Holding")
        self.assertIn("attachment", download.headers["Content-Disposition"])
        listing = self.url_open("/my/corporate/contracts").text
        self.assertIn(self.contract.name, listing)
        self.assertNotIn(self.other_contract.name, listing)

    def test_other_companies_records_answer_as_absent_ones(self):
        absent_contract = self._absent_id("telecom.b2b.contract")
        absent_document = self._absent_id("ir.attachment")
        other_document = self.other_contract.document_ids
        own_document = self.contract.document_ids
        for user in (self.south_admin, self.other_admin):
            self._login(user)
            for url in (
                f"/my/corporate/contracts/{self.contract.id}",
                f"/my/corporate/contracts/{self.contract.id}?access_token=x",
                f"/my/corporate/contracts/{absent_contract}",
                f"/my/corporate/contracts/{self.contract.id}/documents/{own_document.id}",
                f"/my/corporate/contracts/{absent_contract}/documents/{own_document.id}",
            ):
                self._assert_not_found(url)
        # the own contract with another contract's document, or none
        self._login(self.holding_admin)
        base = f"/my/corporate/contracts/{self.contract.id}/documents"
        self._assert_not_found(f"{base}/{other_document.id}")
        self._assert_not_found(f"{base}/{absent_document}")
        self._assert_not_found(f"{base}/{other_document.id}?access_token=")
        # the absent and the foreign answer the very same
        foreign = self._get(f"/my/corporate/contracts/{self.other_contract.id}")
        absent = self._get(f"/my/corporate/contracts/{absent_contract}")
        self.assertEqual(
            (foreign.status_code, foreign.headers["Location"], foreign.content),
            (absent.status_code, absent.headers["Location"], absent.content),
        )

    def test_anonymous_and_non_corporate_users(self):
        response = self._get("/my/corporate")
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])
        response = self._get(f"/my/corporate/contracts/{self.contract.id}")
        self.assertIn("/web/login", response.headers["Location"])

    # ------------------------------------------------------------------
    # site access, decided by the administrator
    # ------------------------------------------------------------------
    def test_the_administrator_grants_sites_to_an_employee(self):
        self._login(self.holding_admin)
        page = self.url_open("/my/corporate/access").text
        self.assertIn("T Site Employee", page)
        self.assertNotIn("T Other Admin", page)
        token = self._csrf("/my/corporate/access")
        response = self.url_open(
            f"/my/corporate/access/{self.employee.partner_id.id}",
            data={"csrf_token": token, "site_ids": [self.site_south.id]},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn("/my/corporate/access?saved=1", response.headers["Location"])
        # the rules apply the grant at once (their cache is cleared)
        self.assertEqual(
            self.env["telecom.service"].with_user(self.employee).search([]),
            self.line_south,
        )

    def test_only_the_administrator_of_the_contact_grants_its_sites(self):
        contact = self.employee.partner_id
        # an employee: no access page, no grant
        self._login(self.employee)
        self._assert_not_found("/my/corporate/access")
        token = self._csrf("/my/corporate")
        self._assert_not_found(
            f"/my/corporate/access/{contact.id}",
            data={"csrf_token": token, "site_ids": [self.site_south.id]},
        )
        # another customer's administrator, a sibling's administrator
        for admin in (self.other_admin, self.south_admin):
            self._login(admin)
            token = self._csrf("/my/corporate/access")
            self._assert_not_found(
                f"/my/corporate/access/{contact.id}",
                data={"csrf_token": token, "site_ids": [self.site_south.id]},
            )
        # the holding's administrator: not another customer's site, nor garbage,
        # nor an absent contact
        self._login(self.holding_admin)
        token = self._csrf("/my/corporate/access")
        for data in (
            {"site_ids": [self.other_company.id]},
            {"site_ids": ["x"]},
        ):
            self._assert_not_found(
                f"/my/corporate/access/{contact.id}", data={"csrf_token": token, **data}
            )
        self._assert_not_found(
            f"/my/corporate/access/{self._absent_id('res.partner')}",
            data={"csrf_token": token, "site_ids": [self.site_south.id]},
        )
        self.assertEqual(contact.telecom_b2b_portal_site_ids, self.site_north)
