import re

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import INN_NORTH, B2bCommon

CSRF_INPUT = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
# valid INNs of prospects (check digits computed from the official weights)
INN_PROSPECT = "7708123450"
INN_PROSPECT_BAD_CHECKSUM = "7708123451"


@tagged("post_install", "-at_install")
class TestAgentPortal(B2bCommon, HttpCase):
    """Two agents (A in North City, B in South), each with a portal user, their
    leads, deals and won customers; an internal seller and a portal subscriber
    who is no agent. Each agent sees their own records only, and another
    agent's record is answered exactly like one that does not exist."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team_north = cls.env["crm.team"].create(
            {
                "name": "T North B2B",
                "user_id": cls.seller_north.id,
                "telecom_region_ids": [(6, 0, cls.zone_north.ids)],
            }
        )
        cls.agent_a, cls.agent_a_user = cls._create_agent(
            "T Agent A", cls.zone_north_city
        )
        cls.agent_b, cls.agent_b_user = cls._create_agent("T Agent B", cls.zone_south)
        cls.service_product = cls.env["product.product"].create(
            {"name": "T Installation", "type": "service", "list_price": 1000}
        )
        cls.lead_a = cls._create_lead("T Lead A Open", cls.agent_a)
        cls.lead_a_won = cls._create_lead("T Lead A Won", cls.agent_a, cls.entity_north)
        cls.order_a = cls._create_order(cls.lead_a_won)
        cls.lead_a_won.action_set_won()
        cls.lead_a_lost = cls._create_lead("T Lead A Lost", cls.agent_a)
        cls.lead_a_lost.action_set_lost()
        cls.lead_b = cls._create_lead("T Lead B Won", cls.agent_b, cls.entity_south)
        cls.order_b = cls._create_order(cls.lead_b)
        cls.lead_b.action_set_won()
        cls.subscriber_partner = cls.env["res.partner"].create(
            {"name": "T Portal Subscriber", "email": "t.subscriber@example.com"}
        )
        cls.subscriber_user = new_test_user(
            cls.env,
            login="t_agent_portal_subscriber",
            groups="base.group_portal",
            partner_id=cls.subscriber_partner.id,
        )

    @classmethod
    def _create_agent(cls, name, zone):
        company = cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "telecom_region_id": zone.id,
                "telecom_b2b_agent_type": "agent",
            }
        )
        contact = cls.env["res.partner"].create(
            {
                "name": f"{name} Contact",
                "parent_id": company.id,
                "email": f"{name.lower().replace(' ', '.')}@example.com",
            }
        )
        login = f"t_{name.lower().replace(' ', '_')}"
        user = new_test_user(
            cls.env, login=login, groups="base.group_portal", partner_id=contact.id
        )
        return company, user

    @classmethod
    def _create_lead(cls, name, agent, customer=None):
        return cls.env["crm.lead"].create(
            {
                "name": name,
                "type": "opportunity",
                "partner_name": name,
                "partner_id": customer and customer.id,
                "telecom_b2b_channel": "partner",
                "telecom_b2b_referrer_id": agent.id,
                "user_id": cls.seller_north.id,
            }
        )

    @classmethod
    def _create_order(cls, lead):
        return cls.env["sale.order"].create(
            {
                "partner_id": lead.partner_id.id,
                "opportunity_id": lead.id,
                "order_line": [(0, 0, {"product_id": cls.service_product.id})],
            }
        )

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _login(self, user):
        self.authenticate(user.login, user.login)

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def _assertNotFound(self, response):
        """The one answer for "not yours" and "does not exist"."""
        self.assertEqual(response.status_code, 303)
        self.assertRegex(response.headers["Location"], r"/my$")

    def _missing_id(self, model_name):
        return (
            self.env[model_name]
            .with_context(active_test=False)
            .search([], order="id desc", limit=1)
            .id
            + 1000
        )

    def _csrf_token(self):
        response = self.url_open("/my/agent/leads/new")
        self.assertEqual(response.status_code, 200)
        return CSRF_INPUT.search(response.text).group(1)

    def _submit(self, **values):
        form = {
            "company_name": "T Prospect",
            "inn": INN_PROSPECT,
            "contact_name": "T Prospect Boss",
            "phone": "+7 495 000-00-01",
            "email": "boss@prospect.example.com",
            "site_count": "3",
            "need": "Broadband in 3 offices",
            "service_types": ["broadband", "mobile"],
            **values,
        }
        form["csrf_token"] = self._csrf_token()
        return self.url_open("/my/agent/leads/new", data=form, allow_redirects=False)

    def _agent_a_records(self):
        return [
            ("/my/agent/leads/%s", self.lead_a, self.lead_b, "crm.lead"),
            ("/my/agent/deals/%s", self.order_a, self.order_b, "sale.order"),
            (
                "/my/agent/customers/%s",
                self.entity_north,
                self.entity_south,
                "res.partner",
            ),
        ]

    # ------------------------------------------------------------------
    # lists and details: own records only
    # ------------------------------------------------------------------
    def test_lists_show_own_records_only(self):
        self._login(self.agent_a_user)
        leads = self._get("/my/agent/leads")
        self.assertEqual(leads.status_code, 200)
        for lead in (self.lead_a, self.lead_a_won, self.lead_a_lost):
            self.assertIn(lead.partner_name, leads.text)
        self.assertNotIn(self.lead_b.partner_name, leads.text)
        self.assertIn("Won", leads.text)
        self.assertIn("Lost", leads.text)
        deals = self._get("/my/agent/deals")
        self.assertEqual(deals.status_code, 200)
        self.assertIn(self.order_a.name, deals.text)
        self.assertNotIn(self.order_b.name, deals.text)
        customers = self._get("/my/agent/customers")
        self.assertEqual(customers.status_code, 200)
        self.assertIn(self.entity_north.name, customers.text)
        self.assertNotIn(self.entity_south.name, customers.text)
        self.assertNotIn(self.holding.name, customers.text)

    def test_lead_filters(self):
        self._login(self.agent_a_user)
        lost = self._get("/my/agent/leads?filterby=lost").text
        self.assertIn(self.lead_a_lost.partner_name, lost)
        self.assertNotIn(self.lead_a.partner_name, lost)
        opened = self._get("/my/agent/leads?filterby=open").text
        self.assertIn(self.lead_a.partner_name, opened)
        self.assertNotIn(self.lead_a_won.partner_name, opened)

    def test_own_details_are_shown(self):
        self._login(self.agent_a_user)
        for url, own, _other, _model in self._agent_a_records():
            response = self._get(url % own.id)
            self.assertEqual(response.status_code, 200, url % own.id)
        deal = self._get(f"/my/agent/deals/{self.order_a.id}").text
        self.assertIn(self.service_product.name, deal)
        customer = self._get(f"/my/agent/customers/{self.entity_north.id}").text
        self.assertIn(self.order_a.name, customer)
        lost = self._get(f"/my/agent/leads/{self.lead_a_lost.id}")
        self.assertEqual(lost.status_code, 200, "a lost (archived) lead stays visible")

    def test_other_agents_records_look_like_missing_ones(self):
        self._login(self.agent_a_user)
        for url, _own, other, model_name in self._agent_a_records():
            not_yours = self._get(url % other.id)
            missing = self._get(url % self._missing_id(model_name))
            self._assertNotFound(not_yours)
            self._assertNotFound(missing)
            self.assertEqual(
                (not_yours.status_code, not_yours.headers["Location"], not_yours.text),
                (missing.status_code, missing.headers["Location"], missing.text),
            )

    def test_access_tokens_open_nothing(self):
        """A deal's portal token (the customer's link) gives an agent nothing
        through the agent pages, whether it is right, wrong or another's."""
        self._login(self.agent_a_user)
        token_b = self.order_b._portal_ensure_token()
        token_a = self.order_a._portal_ensure_token()
        for token in (token_b, "wrong-token", token_a, ""):
            self._assertNotFound(
                self._get(f"/my/agent/deals/{self.order_b.id}?access_token={token}")
            )
            self._assertNotFound(
                self._get(f"/my/agent/leads/{self.lead_b.id}?access_token={token}")
            )
        own = self._get(f"/my/agent/deals/{self.order_a.id}?access_token=wrong-token")
        self.assertEqual(own.status_code, 200)
        self.assertNotIn(token_b, self._get("/my/agent/deals").text)

    def test_id_enumeration_reveals_nothing(self):
        """Walking every id around the records: agent B's answers are the
        answers for ids that exist nowhere."""
        self._login(self.agent_b_user)
        ids = self.env["crm.lead"].with_context(active_test=False).search([]).ids
        answers = {}
        for lead_id in range(min(ids), max(ids) + 3):
            response = self._get(f"/my/agent/leads/{lead_id}")
            answers[lead_id] = (response.status_code, response.headers.get("Location"))
        self.assertEqual(answers.pop(self.lead_b.id)[0], 200)
        self.assertEqual(set(answers.values()), {(303, answers[max(ids) + 2][1])})

    def test_agent_b_sees_own_customer_not_a(self):
        self._login(self.agent_b_user)
        customers = self._get("/my/agent/customers").text
        self.assertIn(self.entity_south.name, customers)
        self.assertNotIn(self.entity_north.name, customers)
        self._assertNotFound(self._get(f"/my/agent/customers/{self.entity_north.id}"))

    # ------------------------------------------------------------------
    # who gets the pages
    # ------------------------------------------------------------------
    def test_non_agents_get_nothing(self):
        urls = [
            "/my/agent/leads",
            "/my/agent/deals",
            "/my/agent/customers",
            "/my/agent/leads/new",
            f"/my/agent/leads/{self.lead_a.id}",
            f"/my/agent/deals/{self.order_a.id}",
            f"/my/agent/customers/{self.entity_north.id}",
        ]
        for user in (self.subscriber_user, self.seller_north):
            self._login(user)
            for url in urls:
                self._assertNotFound(self._get(url))
        self.authenticate(None, None)
        for url in urls:
            response = self._get(url)
            self.assertEqual(response.status_code, 303)
            self.assertIn("/web/login", response.headers["Location"])

    def test_home_entries_and_counters(self):
        self._login(self.agent_a_user)
        self.assertIn("/my/agent/leads/new", self._get("/my").text)
        counters = [
            "telecom_agent_lead_count",
            "telecom_agent_deal_count",
            "telecom_agent_customer_count",
        ]
        response = self.make_jsonrpc_request("/my/counters", {"counters": counters})
        self.assertEqual([response[key] for key in counters], [3, 1, 1])
        self._login(self.subscriber_user)
        self.assertNotIn("/my/agent/leads/new", self._get("/my").text)
        response = self.make_jsonrpc_request("/my/counters", {"counters": counters})
        self.assertEqual([response[key] for key in counters], [0, 0, 0])

    def test_agent_user_has_no_direct_access(self):
        """The pages read with sudo on the agent's domains: the portal user
        itself still cannot read leads, quotations or contracts."""
        for model_name, record in (
            ("crm.lead", self.lead_a),
            ("sale.order", self.order_a),
        ):
            with self.assertRaises(AccessError):
                self.env[model_name].with_user(self.agent_a_user).browse(
                    record.id
                ).read(["name"])

    # ------------------------------------------------------------------
    # submitting a lead
    # ------------------------------------------------------------------
    def test_submit_lead(self):
        self._login(self.agent_a_user)
        response = self._submit(inn="7708 1234 50")
        self.assertEqual(response.status_code, 303)
        lead = self.env["crm.lead"].search([("partner_name", "=", "T Prospect")])
        self.assertEqual(len(lead), 1)
        self.assertRegex(
            response.headers["Location"], rf"/my/agent/leads/{lead.id}\?submitted=1$"
        )
        self.assertEqual(
            (lead.telecom_b2b_channel, lead.telecom_b2b_referrer_id, lead.type),
            ("partner", self.agent_a, "opportunity"),
        )
        self.assertEqual(lead.team_id, self.team_north, "team of the parent zone")
        self.assertEqual(lead.user_id, self.seller_north, "the team leader")
        self.assertEqual(lead.telecom_inn, INN_PROSPECT)
        self.assertEqual(
            (
                lead.contact_name,
                lead.phone,
                lead.email_from,
                lead.telecom_b2b_site_count,
            ),
            ("T Prospect Boss", "+7 495 000-00-01", "boss@prospect.example.com", 3),
        )
        self.assertIn("Broadband in 3 offices", lead.description)
        self.assertIn("Mobile", lead.description)
        self.assertNotIn(
            self.agent_a_user.partner_id,
            lead.message_partner_ids,
            "the agent does not follow the internal discussion of the lead",
        )
        page = self._get(f"/my/agent/leads/{lead.id}?submitted=1")
        self.assertEqual(page.status_code, 200)
        self.assertIn("your lead is registered", page.text)
        self.assertIn("T Prospect", self._get("/my/agent/leads").text)

    def test_submit_lead_in_a_zone_without_team(self):
        self._login(self.agent_b_user)
        self.assertEqual(self._submit(company_name="T South Prospect").status_code, 303)
        lead = self.env["crm.lead"].search([("partner_name", "=", "T South Prospect")])
        self.assertEqual(lead.telecom_b2b_referrer_id, self.agent_b)
        self.assertFalse(lead.team_id)
        self.assertFalse(lead.user_id, "never the agent's own user")

    def test_bad_inn_is_explained_and_input_kept(self):
        self._login(self.agent_a_user)
        Lead = self.env["crm.lead"]
        count = Lead.search_count([])
        response = self._submit(inn=INN_PROSPECT_BAD_CHECKSUM)
        self.assertEqual(response.status_code, 200)
        self.assertIn("its check digits do not match", response.text)
        self.assertIn('value="T Prospect Boss"', response.text)
        self.assertIn(f'value="{INN_PROSPECT_BAD_CHECKSUM}"', response.text)
        self.assertIn("Broadband in 3 offices", response.text)
        self.assertRegex(response.text, r'value="broadband"\s+checked')
        response = self._submit(inn="12345")
        self.assertIn("must have 10 digits", response.text)
        self.assertEqual(Lead.search_count([]), count)

    def test_required_fields_are_explained(self):
        self._login(self.agent_a_user)
        count = self.env["crm.lead"].search_count([])
        response = self._submit(
            company_name=" ",
            inn="",
            contact_name="",
            phone="",
            email="",
            site_count="0",
        )
        self.assertEqual(response.status_code, 200)
        for message in (
            "Please give the name of the company.",
            "Please give the INN of the company.",
            "Please give the name of a contact person.",
            "Please give a phone number or an email",
            "The number of sites must be a whole number",
        ):
            self.assertIn(message, response.text)
        response = self._submit(email="not-an-email")
        self.assertIn("not-an-email is not a valid email address.", response.text)
        self.assertEqual(self.env["crm.lead"].search_count([]), count)

    def test_submit_needs_csrf_token(self):
        self._login(self.agent_a_user)
        response = self.url_open(
            "/my/agent/leads/new",
            data={"company_name": "T No Token", "inn": INN_NORTH},
            allow_redirects=False,
        )
        self.assertNotEqual(response.status_code, 303)
        self.assertFalse(
            self.env["crm.lead"].search([("partner_name", "=", "T No Token")])
        )
