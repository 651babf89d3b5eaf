from datetime import date

from odoo.tests import HttpCase, tagged

from .common_agent import JAN, B2bAgentCommon


@tagged("post_install", "-at_install")
class TestPortalCommission(B2bAgentCommon, HttpCase):
    """An agent's portal users read their own approved statements; another
    agent's statement, a draft and a missing id all answer the same redirect,
    so the pages never tell that a statement exists."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _lead, (cls.dealer_line,) = cls._won_deal(
            cls.dealer, cls.holding, cls.site_north, 1, date(2026, 1, 10)
        )
        cls._won_deal(cls.agent, cls.entity_south, cls.site_south, 1, date(2026, 1, 15))
        statements = cls._generate(*JAN)
        cls.dealer_statement = statements.filtered(lambda s: s.agent_id == cls.dealer)
        cls.agent_statement = statements.filtered(lambda s: s.agent_id == cls.agent)
        statements.action_approve()
        cls.dealer_draft = cls._generate(
            date(2026, 2, 1), date(2026, 2, 28), cls.dealer
        )

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def _assertRedirectsToMy(self, response):
        self.assertIn(response.status_code, (302, 303))
        self.assertRegex(response.headers["Location"], r"/my$")

    def test_list_shows_own_approved_statements_only(self):
        self.authenticate(self.dealer_user.login, self.dealer_user.login)
        response = self._get("/my/commissions")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.dealer_statement.name, response.text)
        self.assertNotIn(self.agent_statement.name, response.text)
        self.assertNotIn(self.dealer_draft.name, response.text)

    def test_own_statement_shows_its_lines(self):
        self.authenticate(self.dealer_user.login, self.dealer_user.login)
        response = self._get(f"/my/commissions/{self.dealer_statement.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.dealer_statement.name, response.text)
        self.assertIn(self.dealer_line.name, response.text)
        self.assertIn("1,000.00", response.text)

    def test_other_agent_draft_and_missing_ids_look_alike(self):
        self.authenticate(self.dealer_user.login, self.dealer_user.login)
        missing_id = self.agent_statement.id + 100000
        responses = [
            self._get(f"/my/commissions/{statement_id}")
            for statement_id in (
                self.agent_statement.id,
                self.dealer_draft.id,
                missing_id,
            )
        ]
        for response in responses:
            self._assertRedirectsToMy(response)
            self.assertNotIn(self.agent_statement.name, response.text)
        self.assertEqual(len({r.headers["Location"] for r in responses}), 1)
        self.assertEqual(len({len(r.content) for r in responses}), 1)

    def test_the_other_agent_sees_its_own(self):
        self.authenticate(self.agent_user.login, self.agent_user.login)
        response = self._get(f"/my/commissions/{self.agent_statement.id}")
        self.assertEqual(response.status_code, 200)
        self._assertRedirectsToMy(
            self._get(f"/my/commissions/{self.dealer_statement.id}")
        )

    def test_anonymous_is_sent_to_login(self):
        self.authenticate(None, None)
        response = self._get(f"/my/commissions/{self.dealer_statement.id}")
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    def test_home_counts_own_statements(self):
        self.authenticate(self.dealer_user.login, self.dealer_user.login)
        result = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["telecom_b2b_commission_count"]}
        )
        self.assertEqual(result["telecom_b2b_commission_count"], 1)
