import re
from datetime import date, timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import make_iccid
from .common_portal import TelecomPortalCommon

SESSION_CSRF_TOKEN = re.compile(r'csrf_token: "([^"]+)"')


@tagged("post_install", "-at_install")
class TestPortalSelfService(TelecomPortalCommon):
    """Self-service requests from the portal, as the holder, another subscriber and
    the user of a line: the same requests, rules and journal as the back office."""

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _url(self, service, request_type):
        return f"/my/services/{service.id}/request/{request_type}"

    def _post(self, service, request_type, data, token=None):
        token = token or self._session_csrf_token()
        return self.url_open(
            self._url(service, request_type),
            data={"csrf_token": token, **data},
            allow_redirects=False,
        )

    def _session_csrf_token(self):
        """The session's CSRF token, which every portal page holds."""
        response = self.url_open("/my")
        match = SESSION_CSRF_TOKEN.search(response.text)
        self.assertTrue(match, "no CSRF token on /my")
        return match.group(1)

    def _requests_of(self, service, request_type):
        self.env.invalidate_all()
        return service.request_ids.filtered(
            lambda request: request.request_type == request_type
        )

    def _assertCreated(self, response, request):
        self.assertIn(response.status_code, (302, 303))
        self.assertIn(
            f"/my/requests/{request.id}?telecom_created=1",
            response.headers["Location"],
        )
        page = self._get(response.headers["Location"])
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_telecom_request_created", page.text)
        self.assertIn(request.name, page.text)

    def _assertRefused(self, response, message):
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_telecom_request_error", response.text)
        self.assertIn(message, response.text)

    # ------------------------------------------------------------------
    # tariff change
    # ------------------------------------------------------------------
    def test_tariff_form_shows_price_difference(self):
        self._login(self.owner_user)
        response = self._get(self._url(self.owner_line, "tariff_change"))
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.tariff_unlimited.name, response.text)
        # T Basic 300 -> T Unlimited 900: +600 a month
        offers = {
            offer["tariff"]: offer for offer in self.owner_line._portal_tariff_offers()
        }
        self.assertEqual(offers[self.tariff_unlimited]["monthly_fee"], 900)
        self.assertEqual(offers[self.tariff_unlimited]["difference"], 600)
        difference = re.search(
            rf"{self.tariff_unlimited.name}.*?o_telecom_price_difference[^>]*>(.*?)<",
            response.text,
            re.S,
        )
        self.assertTrue(difference, "no price difference shown")
        self.assertRegex(difference.group(1), r"^\s*\+")
        self.assertIn("600", response.text[difference.end() : difference.end() + 200])
        # the tariffs of another type of service are not offered
        self.assertNotIn(self.tariff_home.name, response.text)

    def test_holder_changes_tariff_now(self):
        self._login(self.owner_user)
        response = self._post(
            self.owner_line,
            "tariff_change",
            {"tariff_id": self.tariff_unlimited.id, "change_timing": "now"},
        )
        change = self._requests_of(self.owner_line, "tariff_change")
        self.assertRecordValues(
            change,
            [
                {
                    "state": "done",
                    "channel": "portal",
                    "user_id": False,
                    "partner_id": self.owner_partner.id,
                    "tariff_id": self.tariff_unlimited.id,
                    "previous_tariff_id": self.tariff_basic.id,
                }
            ],
        )
        self.assertEqual(self.owner_line.tariff_id, self.tariff_unlimited)
        # the journal of the back office: events and timeline rows
        self.assertEqual(
            set(change.event_ids.mapped("event_type")),
            {"request.submitted", "request.done"},
        )
        contact = self.env["telecom.interaction"].search(
            [("request_id", "=", change.id), ("channel", "=", "portal")]
        )
        self.assertEqual(contact.outcome, "request_created")
        self._assertCreated(response, change)
        # and the subscriber sees it in their list
        response = self._get("/my/requests")
        self.assertIn(change.name, response.text)

    def test_tariff_change_at_next_cycle_is_scheduled(self):
        self._login(self.owner_user)
        response = self._post(
            self.owner_line,
            "tariff_change",
            {"tariff_id": self.tariff_unlimited.id, "change_timing": "next_cycle"},
        )
        change = self._requests_of(self.owner_line, "tariff_change")
        self.assertEqual(change.state, "scheduled")
        self.assertEqual(
            change.effective_date,
            self.owner_account._next_billing_date(date.today()),
        )
        self.assertEqual(self.owner_line.tariff_id, self.tariff_basic)
        self._assertCreated(response, change)

    def test_incompatible_options_are_refused_and_the_input_kept(self):
        line = self._activate_line(self.owner_account, options=self.option_data)
        self._login(self.owner_user)
        response = self._post(
            line,
            "tariff_change",
            {"tariff_id": self.tariff_unlimited.id, "change_timing": "next_cycle"},
        )
        self._assertRefused(response, "does not allow options")
        # what was chosen is still chosen
        self.assertRegex(
            response.text,
            rf'value="{self.tariff_unlimited.id}"\s+checked=',
        )
        self.assertRegex(response.text, r'value="next_cycle"\s+checked=')
        self.assertFalse(self._requests_of(line, "tariff_change"))
        # the form says which options the tariff does not allow
        self.assertIn("Does not allow your options", response.text)
        response = self._post(
            line,
            "tariff_change",
            {
                "tariff_id": self.tariff_unlimited.id,
                "change_timing": "now",
                "remove_incompatible_options": "1",
            },
        )
        self.assertIn(response.status_code, (302, 303))
        self.assertEqual(line.tariff_id, self.tariff_unlimited)
        self.assertFalse(line.option_ids)

    def test_forged_choices_are_refused(self):
        self._login(self.owner_user)
        token = self._session_csrf_token()
        for tariff_id in (self.tariff_home.id, self.option_roaming.id, 999999999, "x"):
            response = self._post(
                self.owner_line, "tariff_change", {"tariff_id": tariff_id}, token
            )
            self.assertEqual(response.status_code, 200, tariff_id)
            self.assertIn("o_telecom_request_error", response.text)
        response = self._post(
            self.owner_line, "tariff_change", {"change_timing": "tomorrow"}, token
        )
        self._assertRefused(response, "Check the value of")
        self.assertFalse(self._requests_of(self.owner_line, "tariff_change"))

    # ------------------------------------------------------------------
    # options, blocks, claims
    # ------------------------------------------------------------------
    def test_holder_adds_and_removes_an_option(self):
        self._login(self.owner_user)
        response = self._get(self._url(self.owner_line, "option_change"))
        self.assertIn(self.option_roaming.name, response.text)
        response = self._post(
            self.owner_line,
            "option_change",
            {"option_action": "add", "option_id": self.option_roaming.id},
        )
        self.assertIn(response.status_code, (302, 303))
        self.assertEqual(self.owner_line.option_ids, self.option_roaming)
        response = self._post(
            self.owner_line,
            "option_change",
            {"option_action": "remove", "option_id": self.option_roaming.id},
        )
        self.assertIn(response.status_code, (302, 303))
        self.assertFalse(self.owner_line.option_ids)
        changes = self._requests_of(self.owner_line, "option_change")
        self.assertEqual(changes.mapped("channel"), ["portal", "portal"])
        self.assertEqual(set(changes.mapped("state")), {"done"})

    def test_option_the_tariff_does_not_allow_is_refused(self):
        line = self._activate_line(self.owner_account, tariff=self.tariff_unlimited)
        self._login(self.owner_user)
        response = self._post(
            line,
            "option_change",
            {"option_action": "add", "option_id": self.option_data.id},
        )
        self._assertRefused(response, "cannot be added to tariff")
        self.assertFalse(line.option_ids)

    def test_holder_blocks_for_a_while_then_unblocks(self):
        self._login(self.owner_user)
        response = self._post(self.owner_line, "block", {"block_until": ""})
        self._assertRefused(response, "needs an end date")
        until = date.today() + timedelta(days=10)
        response = self._post(
            self.owner_line, "block", {"block_until": until.isoformat()}
        )
        self.assertIn(response.status_code, (302, 303))
        self.assertEqual(
            (self.owner_line.state, self.owner_line.block_reason),
            ("blocked", "voluntary"),
        )
        scheduled_unblock = self._requests_of(self.owner_line, "unblock")
        self.assertEqual(
            (scheduled_unblock.state, scheduled_unblock.effective_date),
            ("scheduled", until),
        )
        # a blocked line offers the unblock and no more the block
        response = self._get(f"/my/services/{self.owner_line.id}")
        self.assertIn(self._url(self.owner_line, "unblock"), response.text)
        self.assertNotIn(self._url(self.owner_line, "block") + '"', response.text)
        response = self._post(self.owner_line, "unblock", {})
        self.assertIn(response.status_code, (302, 303))
        self.assertEqual(self.owner_line.state, "active")

    def test_debt_block_is_not_lifted_from_the_portal(self):
        block = self._new_request("block", self.owner_line, block_reason="debt")
        block.action_submit()
        self._login(self.owner_user)
        response = self._post(self.owner_line, "unblock", {})
        self._assertRefused(response, "supervisor")
        self.assertEqual(self.owner_line.state, "blocked")

    def test_holder_files_a_claim(self):
        self._login(self.owner_user)
        response = self._post(
            self.owner_line,
            "claim",
            {"claim_category": "billing", "reason": "", "claim_amount": "150,50"},
        )
        self._assertRefused(response, "needs a category")
        self.assertRegex(response.text, r'value="billing"\s+selected=')
        self.assertIn("150,50", response.text)
        response = self._post(
            self.owner_line,
            "claim",
            {
                "claim_category": "billing",
                "reason": "Charged twice",
                "claim_amount": "abc",
            },
        )
        self._assertRefused(response, "Check the value of")
        self.assertIn("Charged twice", response.text)
        response = self._post(
            self.owner_line,
            "claim",
            {
                "claim_category": "billing",
                "reason": "Charged twice",
                "claim_amount": "150,50",
            },
        )
        claim = self._requests_of(self.owner_line, "claim")
        self.assertRecordValues(
            claim,
            [
                {
                    "state": "submitted",
                    "channel": "portal",
                    "claim_amount": 150.5,
                    "reason": "Charged twice",
                }
            ],
        )
        self.assertTrue(claim.date_deadline)
        self._assertCreated(response, claim)

    def test_holder_orders_a_sim_card_the_shop_hands_it_over(self):
        self._login(self.owner_user)
        response = self._post(self.owner_line, "sim_swap", {"sim_swap_reason": "bogus"})
        self._assertRefused(response, "Check the value of")
        response = self._post(self.owner_line, "sim_swap", {"sim_swap_reason": "lost"})
        order = self._requests_of(self.owner_line, "sim_swap")
        # an order waits for the card, even where requests complete at submission
        self.assertRecordValues(
            order,
            [{"state": "submitted", "channel": "portal", "sim_swap_reason": "lost"}],
        )
        self._assertCreated(response, order)
        old_iccid = self.owner_line.iccid
        # the shop scans the card and checks the identity (the back office's rules)
        order = order.with_user(self.front_office)
        order.iccid = make_iccid(990001)
        with self.assertRaisesRegex(UserError, "identity"):
            order.action_complete()
        order.identity_verified = True
        order.action_complete()
        self.assertEqual(order.state, "done")
        self.assertEqual(order.previous_iccid, old_iccid)
        self.assertEqual(self.owner_line.iccid, make_iccid(990001))

    def test_holder_requests_porting_out(self):
        earliest, latest = self.owner_line._portal_port_date_window()
        self._login(self.owner_user)
        response = self._get(self._url(self.owner_line, "port_out"))
        self.assertIn(self.operator_other.name, response.text)
        self.assertNotIn(f'value="{self.operator_own.id}"', response.text)
        response = self._post(
            self.owner_line,
            "port_out",
            {
                "recipient_operator_id": self.operator_own.id,
                "effective_date": earliest.isoformat(),
            },
        )
        self._assertRefused(response, "from the list")
        response = self._post(
            self.owner_line,
            "port_out",
            {
                "recipient_operator_id": self.operator_other.id,
                "effective_date": (latest + timedelta(days=1)).isoformat(),
            },
        )
        self._assertRefused(response, "porting date")
        response = self._post(
            self.owner_line,
            "port_out",
            {
                "recipient_operator_id": self.operator_other.id,
                "effective_date": earliest.isoformat(),
            },
        )
        port_out = self._requests_of(self.owner_line, "port_out")
        self.assertRecordValues(
            port_out,
            [
                {
                    "state": "submitted",
                    "channel": "portal",
                    "recipient_operator_id": self.operator_other.id,
                    "effective_date": earliest,
                }
            ],
        )
        self._assertCreated(response, port_out)
        response = self._get(f"/my/requests/{port_out.id}")
        self.assertIn(self.operator_other.name, response.text)
        self.assertEqual(self.owner_line.state, "active")

    def test_holder_asks_to_end_the_contract_retention_gets_it(self):
        self._login(self.owner_user)
        response = self._get(self._url(self.owner_line, "termination"))
        self.assertIn('value="price"', response.text)
        self.assertNotIn('value="deceased"', response.text)
        response = self._post(
            self.owner_line, "termination", {"termination_reason": "deceased"}
        )
        self._assertRefused(response, "Check the value of")
        response = self._post(
            self.owner_line,
            "termination",
            {"termination_reason": "price", "reason": "Too expensive"},
        )
        termination = self._requests_of(self.owner_line, "termination")
        self.assertRecordValues(
            termination,
            [
                {
                    "state": "submitted",
                    "channel": "portal",
                    "termination_reason": "price",
                    "reason": "Too expensive",
                }
            ],
        )
        self._assertCreated(response, termination)
        # the retention team's work list, as for a termination asked in a shop
        self.assertEqual(self.owner_line.state, "active")

    def test_fixed_line_offers_no_sim_card_nor_porting(self):
        self._login(self.owner_user)
        response = self._get(f"/my/services/{self.owner_home.id}")
        self.assertIn(self._url(self.owner_home, "tariff_change"), response.text)
        for request_type in ("sim_swap", "port_out"):
            self.assertNotIn(self._url(self.owner_home, request_type), response.text)
            response_type = self._get(self._url(self.owner_home, request_type))
            self.assertIn(response_type.status_code, (302, 303))

    # ------------------------------------------------------------------
    # isolation: other subscribers, absent ids, line users, tokens
    # ------------------------------------------------------------------
    def test_other_subscriber_gets_the_answer_of_an_absent_line(self):
        self._login(self.other_user)
        token = self._session_csrf_token()
        requests_before = self.env["telecom.request"].search_count([])
        for request_type in (
            "tariff_change",
            "option_change",
            "block",
            "sim_swap",
            "port_out",
            "termination",
            "claim",
        ):
            for method in ("get", "post"):
                answers = []
                for service_id in (self.owner_line.id, 999999999):
                    url = f"/my/services/{service_id}/request/{request_type}"
                    if method == "get":
                        response = self._get(url)
                    else:
                        response = self.url_open(
                            url,
                            data={
                                "csrf_token": token,
                                "tariff_id": self.tariff_unlimited.id,
                                "option_action": "add",
                                "option_id": self.option_roaming.id,
                                "claim_category": "billing",
                                "reason": "x",
                                "sim_swap_reason": "lost",
                                "termination_reason": "price",
                            },
                            allow_redirects=False,
                        )
                    self._assertRedirectsToMy(response)
                    answers.append((response.status_code, response.text))
                self.assertEqual(answers[0], answers[1], (request_type, method))
        self.assertEqual(self.env["telecom.request"].search_count([]), requests_before)
        self.assertEqual(self.owner_line.tariff_id, self.tariff_basic)

    def test_anonymous_is_sent_to_login(self):
        response = self._get(self._url(self.owner_line, "tariff_change"))
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    @mute_logger("odoo.http")
    def test_request_without_csrf_token_is_refused(self):
        self._login(self.owner_user)
        response = self.url_open(
            self._url(self.owner_line, "tariff_change"),
            data={"tariff_id": self.tariff_unlimited.id},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._requests_of(self.owner_line, "tariff_change"))

    def test_unknown_or_unavailable_request_type_goes_back_to_the_line(self):
        self._login(self.owner_user)
        token = self._session_csrf_token()
        for request_type in ("port_in", "activation", "unblock", "nothing"):
            response = self._post(self.owner_line, request_type, {}, token)
            self.assertIn(response.status_code, (302, 303))
            self.assertRegex(
                response.headers["Location"], rf"/my/services/{self.owner_line.id}$"
            )
        self.assertEqual(len(self.owner_line.request_ids), 1)  # the activation

    def test_line_user_sees_the_line_but_does_not_change_it(self):
        change = self._new_request(
            "tariff_change", self.owner_line, tariff_id=self.tariff_unlimited.id
        )
        change.action_submit()
        claim = self._new_request(
            "claim", self.owner_line, claim_category="billing", reason="Holder's"
        )
        claim.action_submit()
        self._login(self.line_user)
        response = self._get("/my/services")
        self.assertIn(self.owner_line.msisdn, response.text)
        self.assertNotIn(self.owner_home.installation_address, response.text)
        response = self._get(f"/my/services/{self.owner_line.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("its account holder changes", response.text)
        self.assertNotIn(self._url(self.owner_line, "option_change"), response.text)
        self.assertNotIn(self._block_url(self.owner_line), response.text)
        # the line's requests, not the holder's claims
        response = self._get("/my/requests")
        self.assertIn(change.name, response.text)
        self.assertNotIn(claim.name, response.text)
        self._assertRedirectsToMy(self._get(f"/my/requests/{claim.id}"))
        # the holder's other services and other subscribers' stay out of reach
        self._assertRedirectsToMy(self._get(f"/my/services/{self.owner_home.id}"))
        self._assertRedirectsToMy(self._get(f"/my/services/{self.other_line.id}"))
        counters = self.make_jsonrpc_request(
            "/my/counters",
            {"counters": ["telecom_service_count", "telecom_request_count"]},
        )
        # the line, its activation and the tariff change; not the claim
        self.assertEqual(counters["telecom_service_count"], 1)
        self.assertEqual(counters["telecom_request_count"], 2)
        # a change is refused with a clear message, and nothing is created
        response = self._get(self._url(self.owner_line, "option_change"))
        self.assertIn("Only the account holder can change this line.", response.text)
        self.assertNotIn('name="option_id"', response.text)
        response = self._post(
            self.owner_line,
            "option_change",
            {"option_action": "add", "option_id": self.option_roaming.id},
        )
        self._assertRefused(response, "Only the account holder can change this line.")
        self.assertFalse(self.owner_line.option_ids)
        self.assertFalse(self._requests_of(self.owner_line, "option_change"))

    def test_error_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(
            ["telecom_subscriber"], ["ru_RU"], overwrite=True
        )
        self.owner_user.lang = "ru_RU"
        self._login(self.owner_user)
        response = self._post(self.owner_line, "block", {"block_until": ""})
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_telecom_request_error", response.text)
        self.assertIn("добровольной блокировки", response.text)

    # ------------------------------------------------------------------
    # the model method, as users
    # ------------------------------------------------------------------
    def test_method_requires_the_holder(self):
        values = {"option_action": "add", "option_id": str(self.option_roaming.id)}
        for user in (self.other_user, self.line_user, self.front_office):
            line = self.owner_line.with_user(user)
            with self.assertRaises(AccessError):
                line._portal_create_request("option_change", values)
            with self.assertRaises(AccessError):
                line.sudo()._portal_create_request("option_change", values)
        self.assertFalse(self.owner_line.option_ids)
        change = self.owner_line.with_user(self.owner_user)._portal_create_request(
            "option_change", values
        )
        self.assertEqual(change.env.uid, self.owner_user.id)
        self.assertFalse(change.env.su)
        self.assertEqual(self.owner_line.option_ids, self.option_roaming)
