from odoo.tests import tagged
from odoo.tools import mute_logger

from ..tools.subscriber_api import RATE_LIMIT_PARAM
from .common_subscriber_api import SubscriberApiCommon


@tagged("post_install", "-at_install")
class TestSubscriberApi(SubscriberApiCommon):
    """The app's JSON API as two subscribers and the user of a line: each one
    sees only their own data, changes need the holder, errors are JSON."""

    # ------------------------------------------------------------------
    # authentication
    # ------------------------------------------------------------------
    def test_missing_or_wrong_key_is_401(self):
        for headers in (
            {},
            {"Authorization": "Bearer not-a-key"},
            {"Authorization": f"Basic {self.owner_key}"},
            {"Authorization": "Bearer "},
            {"Authorization": "Bearer " + "x" * 500},
        ):
            with self.subTest(headers=headers):
                response = self._call("GET", "/product", headers=headers)
                self._assertError(response, 401, "UNAUTHORIZED")
                self.assertIn("Bearer", response.headers["WWW-Authenticate"])

    def test_revoked_key_is_401(self):
        self.env["res.users.apikeys"].search(
            [("user_id", "=", self.owner_user.id)]
        )._remove()
        self._assertError(self._call("GET", "/customer", self.owner_key), 401)

    def test_internal_user_is_403(self):
        self._assertError(
            self._call("GET", "/customer", self.agent_key), 403, "NOT_A_SUBSCRIBER"
        )

    def test_session_of_the_app_web_view(self):
        self.authenticate(self.owner_user.login, self.owner_user.login)
        response = self._call("GET", "/customer")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["id"], str(self.owner_partner.id))

    # ------------------------------------------------------------------
    # reading, per subscriber
    # ------------------------------------------------------------------
    def test_profile_is_the_callers_customer(self):
        body = self._call("GET", "/customer", self.owner_key).json()
        self.assertEqual(body["@type"], "Customer")
        self.assertEqual(body["name"], self.owner_partner.name)
        self.assertEqual(
            [account["id"] for account in body["account"]],
            [str(self.owner_account.id)],
        )
        self.assertIn(self.owner_partner.email, str(body["contactMedium"]))
        other = self._call("GET", "/customer", self.other_key).json()
        self.assertEqual(other["id"], str(self.other_partner.id))

    def test_lines_of_the_holder(self):
        response = self._call("GET", "/product", self.owner_key)
        self.assertEqual(response.status_code, 200, response.text)
        products = response.json()
        self.assertEqual(
            {product["id"] for product in products},
            {str(self.owner_line.id), str(self.owner_home.id)},
        )
        self.assertEqual(response.headers["X-Total-Count"], "2")
        mobile = next(p for p in products if p["id"] == str(self.owner_line.id))
        self.assertEqual(mobile["status"], "active")
        self.assertEqual(mobile["productOffering"]["name"], "T Basic")
        self.assertEqual(
            mobile["productPrice"][0]["price"]["taxIncludedAmount"]["value"], 300
        )
        self.assertTrue(mobile["accountHolder"])
        self.assertIn("tariff_change", mobile["allowedRequests"])
        msisdn = {c["name"]: c["value"] for c in mobile["productCharacteristic"]}
        self.assertEqual(msisdn["msisdn"], self.owner_line.msisdn)
        # paging and filters
        page = self._call("GET", "/product?limit=1&offset=1", self.owner_key)
        self.assertEqual(len(page.json()), 1)
        self.assertEqual(page.headers["X-Total-Count"], "2")
        none = self._call("GET", "/product?status=terminated", self.owner_key)
        self.assertEqual(none.json(), [])

    def test_other_subscribers_ids_answer_as_absent(self):
        other_request = self.other_line.request_ids[:1]
        absent = self._call("GET", "/product/999999", self.owner_key)
        self._assertError(absent, 404, "NOT_FOUND")
        for path in (
            f"/product/{self.other_line.id}",
            f"/product/{self.other_line.id}/tariffOffer",
            f"/request/{other_request.id}",
            "/request/999999",
            "/product/abc",
            "/product/-1",
            "/product/0",
            "/product/99999999999999999999",
        ):
            with self.subTest(path=path):
                response = self._call("GET", path, self.owner_key)
                self._assertError(response, 404, "NOT_FOUND")
                self.assertEqual(response.json(), absent.json())
        usage = self._call(
            "GET", f"/usage?product.id={self.other_line.id}", self.owner_key
        )
        self.assertEqual(usage.json(), [])
        self.assertEqual(usage.headers["X-Total-Count"], "0")
        # and the other subscriber sees theirs
        mine = self._call("GET", f"/product/{self.other_line.id}", self.other_key)
        self.assertEqual(mine.status_code, 200)

    def test_usage_of_my_lines(self):
        response = self._call("GET", "/usage", self.owner_key)
        self.assertEqual(response.status_code, 200, response.text)
        usages = response.json()
        self.assertEqual(len(usages), 1)
        usage = usages[0]
        self.assertEqual(usage["usageDate"], "2026-10-01T00:00:00Z")
        figures = {c["name"]: c["value"] for c in usage["usageCharacteristic"]}
        self.assertEqual(figures["dataVolumeMB"], 2048.5)
        self.assertEqual(figures["smsCount"], 7)
        rated = usage["ratedProductUsage"][0]
        self.assertEqual(rated["taxIncludedRatingAmount"]["value"], 300)
        self.assertEqual(rated["productRef"]["id"], str(self.owner_line.id))

    def test_tariff_offers_with_price_difference(self):
        response = self._call(
            "GET", f"/product/{self.owner_line.id}/tariffOffer", self.owner_key
        )
        self.assertEqual(response.status_code, 200, response.text)
        offers = {offer["name"]: offer for offer in response.json()}
        self.assertEqual(offers["T Unlimited"]["monthlyDifference"]["value"], 600)
        self.assertNotIn("T Home 500", offers)

    # ------------------------------------------------------------------
    # the user of a line
    # ------------------------------------------------------------------
    def test_line_user_sees_the_line_and_cannot_change_the_tariff(self):
        products = self._call("GET", "/product", self.line_user_key).json()
        self.assertEqual([p["id"] for p in products], [str(self.owner_line.id)])
        self.assertFalse(products[0]["accountHolder"])
        self.assertEqual(products[0]["allowedRequests"], [])
        self._assertError(
            self._call("GET", f"/product/{self.owner_home.id}", self.line_user_key),
            404,
        )
        before = self.owner_line.request_ids
        response = self._call(
            "POST",
            "/request",
            self.line_user_key,
            self._tariff_change_body(self.owner_line),
        )
        self._assertError(response, 403, "FORBIDDEN")
        self.env.invalidate_all()
        self.assertEqual(self.owner_line.request_ids, before)
        self.assertEqual(self.owner_line.tariff_id, self.tariff_basic)

    # ------------------------------------------------------------------
    # requests
    # ------------------------------------------------------------------
    def _tariff_change_body(self, line, tariff=None):
        return {
            "requestType": "tariff_change",
            "product": {"id": str(line.id)},
            "values": {
                "tariff_id": str((tariff or self.tariff_unlimited).id),
                "change_timing": "now",
            },
        }

    def test_holder_changes_tariff_as_the_portal_does(self):
        response = self._call(
            "POST",
            "/request",
            self.owner_key,
            self._tariff_change_body(self.owner_line),
        )
        self.assertEqual(response.status_code, 201, response.text)
        body = response.json()
        self.assertEqual(body["requestType"], "tariff_change")
        self.assertEqual(body["channel"], "portal")
        new_request = self.env["telecom.request"].browse(int(body["id"]))
        self.assertEqual(new_request.service_id, self.owner_line)
        self.assertEqual(new_request.channel, "portal")
        self.assertFalse(new_request.user_id)
        self.assertEqual(self.owner_line.tariff_id, self.tariff_unlimited)
        # the portal's journal row on the timeline
        self.assertTrue(
            self.env["telecom.interaction"].search_count(
                [("request_id", "=", new_request.id), ("channel", "=", "portal")]
            )
        )
        listed = self._call("GET", "/request", self.owner_key).json()
        self.assertIn(body["id"], [item["id"] for item in listed])
        read = self._call("GET", f"/request/{body['id']}", self.owner_key)
        self.assertEqual(read.json()["name"], new_request.name)
        # the other subscriber cannot read it, and gets the same 404
        self._assertError(
            self._call("GET", f"/request/{body['id']}", self.other_key), 404
        )

    def test_request_on_another_subscribers_line_is_404(self):
        response = self._call(
            "POST",
            "/request",
            self.owner_key,
            self._tariff_change_body(self.other_line),
        )
        self._assertError(response, 404, "NOT_FOUND")
        self.assertFalse(
            self.other_line.request_ids.filtered(
                lambda item: item.request_type == "tariff_change"
            )
        )

    def test_bad_bodies_are_400_415(self):
        line = self.owner_line
        cases = [
            (
                {"requestType": "teleport", "product": {"id": str(line.id)}},
                "INVALID_BODY",
            ),
            ({"requestType": "tariff_change"}, "NOT_FOUND"),
            (
                {**self._tariff_change_body(line), "values": {"colour": "red"}},
                "INVALID_BODY",
            ),
            (
                {**self._tariff_change_body(line), "values": {"tariff_id": 12}},
                "INVALID_BODY",
            ),
            (
                {**self._tariff_change_body(line), "values": []},
                "INVALID_BODY",
            ),
            # a tariff the line is not offered: the portal's own refusal
            (
                self._tariff_change_body(line, tariff=self.tariff_home),
                "REQUEST_REFUSED",
            ),
            (
                {
                    **self._tariff_change_body(line),
                    "values": {"tariff_id": "999999999", "change_timing": "soon"},
                },
                "REQUEST_REFUSED",
            ),
        ]
        for body, code in cases:
            with self.subTest(body=body):
                status = 404 if code == "NOT_FOUND" else 400
                self._assertError(
                    self._call("POST", "/request", self.owner_key, body), status, code
                )
        for raw in ("{", "[]", '"x"', "", "\xff"):
            with self.subTest(raw=raw):
                self._assertError(
                    self._call(
                        "POST", "/request", self.owner_key, raw.encode("latin-1")
                    ),
                    400,
                )
        self._assertError(
            self._call(
                "POST",
                "/request",
                self.owner_key,
                "requestType=block",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
            415,
        )
        self._assertError(
            self._call("POST", "/request", self.owner_key, "x" * 70000), 413
        )
        self.assertEqual(self.owner_line.tariff_id, self.tariff_basic)

    def test_request_not_possible_in_the_lines_state_is_409(self):
        body = {"requestType": "unblock", "product": {"id": str(self.owner_line.id)}}
        self._assertError(self._call("POST", "/request", self.owner_key, body), 409)

    def test_bad_query_and_method(self):
        for query in ("limit=-1", "limit=abc", "limit=100000", "offset=1.5", "limit="):
            with self.subTest(query=query):
                self._assertError(
                    self._call("GET", f"/product?{query}", self.owner_key),
                    400,
                    "INVALID_QUERY",
                )
        response = self._call(
            "DELETE", f"/product/{self.owner_line.id}", self.owner_key
        )
        self._assertError(response, 405)
        self.assertEqual(response.headers["Allow"], "GET")

    # ------------------------------------------------------------------
    # rate limit
    # ------------------------------------------------------------------
    def test_rate_limit_429_with_retry_after(self):
        self.env["ir.config_parameter"].set_param(RATE_LIMIT_PARAM, "3")
        for _call in range(3):
            self.assertEqual(
                self._call("GET", "/customer", self.owner_key).status_code, 200
            )
        response = self._call("GET", "/customer", self.owner_key)
        body = self._assertError(response, 429, "TOO_MANY_REQUESTS")
        self.assertGreaterEqual(int(response.headers["Retry-After"]), 1)
        self.assertIn("3", body["message"])
        # per user: the other subscriber is not throttled
        self.assertEqual(
            self._call("GET", "/customer", self.other_key).status_code, 200
        )

    # ------------------------------------------------------------------
    # the document
    # ------------------------------------------------------------------
    @mute_logger("openapi_spec_validator")
    def test_openapi_document_validates(self):
        try:
            from openapi_spec_validator import validate
        except ImportError:
            self.skipTest("openapi-spec-validator is not installed")
        response = self.url_open("/telecom/api/subscriber/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        document = response.json()
        validate(document)
        self.assertIn("/product/{id}", document["paths"])
        self.assertIn("429", document["components"]["responses"])
