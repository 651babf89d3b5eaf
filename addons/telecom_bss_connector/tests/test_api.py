import copy
import random
from unittest import mock

from odoo.exceptions import AccessError, MissingError
from odoo.tests import new_test_user, tagged

from odoo.addons.telecom_subscriber.tests.common import GROUP

from .common import TmfApiCase

ALARM_URL = "/tmf-api/alarmManagement/v4/alarm"
EVENTS_URL = "/telecom/api/v1/billing/events"
VALID_ALARM = {
    "alarmType": "communicationsAlarm",
    "perceivedSeverity": "major",
    "probableCause": "lossOfSignal",
    "specificProblem": "Base station not answering",
    "alarmedObject": {"id": "BS-T-001"},
    "alarmedObjectType": "BaseStation",
    "sourceSystemId": "oss-test",
    "externalAlarmId": "EXT-1",
    "state": "raised",
    "alarmRaisedTime": "2026-11-27T10:00:00Z",
    "serviceAffecting": True,
    "place": [{"id": "T-API-S", "name": "South", "role": "region"}],
}


def bad_values():
    """Values of the wrong type or shape, for any field."""
    return [
        None,
        True,
        -1,
        1.5e308,
        "",
        "x" * 5000,
        "\x00",
        [],
        [{}],
        {},
        {"id": {"nested": [1, 2, {"deep": None}]}},
        "2026-13-45T99:99:99Z",
        "not-a-date",
        ["raised"],
    ]


def mutations(valid, rng, count):
    """Payloads derived from ``valid`` with one or more things wrong."""
    keys = list(valid)
    for _index in range(count):
        payload = copy.deepcopy(valid)
        kind = rng.randrange(4)
        if kind == 0:  # a required field missing
            payload.pop(rng.choice(keys), None)
        elif kind == 1:  # a field of the wrong type
            payload[rng.choice(keys)] = rng.choice(bad_values())
        elif kind == 2:  # an invalid enumeration
            payload[rng.choice(["perceivedSeverity", "state", "ackState"])] = (
                rng.choice(["CRITICAL", "open", "", "acknowledged ", 3])
            )
        else:  # several at once
            for key in rng.sample(keys, 3):
                payload[key] = rng.choice(bad_values())
        yield payload


@tagged("post_install", "-at_install")
class TestInboundApi(TmfApiCase):
    """TMF642, billing events and the OpenAPI document, over real HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration = new_test_user(
            cls.env, login="t_api_integration", groups=f"{GROUP}integration"
        )
        cls.agent = new_test_user(cls.env, login="t_api_agent", groups=f"{GROUP}user")
        cls.alarm_key = cls.key = cls._api_key(cls.integration, "telecom.tmf642")
        cls.events_key = cls._api_key(cls.integration, "telecom.billing_events")
        cls.agent_key = cls._api_key(cls.agent, "telecom.tmf642")
        cls.zone = cls.env["telecom.region"].create(
            {"name": "API South", "code": "T-API-S", "level": "region"}
        )
        cls.zone_north = cls.env["telecom.region"].create(
            {"name": "API North", "code": "T-API-N", "level": "region"}
        )
        cls.element = cls.env["telecom.network.element"].create(
            {"code": "BS-T-001", "name": "Test site", "region_id": cls.zone_north.id}
        )
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Event Subscriber",
                "telecom_is_subscriber": True,
                "telecom_region_id": cls.zone.id,
            }
        )
        cls.account = cls.env["telecom.account"].create(
            {"partner_id": cls.partner.id, "billing_reference": "BILL-T-API-1"}
        )

    # ------------------------------------------------------------------
    # TMF642
    # ------------------------------------------------------------------
    def test_alarm_lifecycle(self):
        response = self.call("POST", ALARM_URL, VALID_ALARM)
        self.assertEqual(response.status_code, 201, response.text)
        alarm = response.json()
        self.assertIsInstance(alarm["id"], int)
        self.assertTrue(alarm["href"].endswith(f"{ALARM_URL}/{alarm['id']}"))
        self.assertEqual(alarm["state"], "raised")
        self.assertEqual(alarm["ackState"], "unacknowledged")
        record = self.env["telecom.alarm"].browse(alarm["id"])
        # the zone comes from the network element mapping before the place
        self.assertEqual(record.region_id, self.zone_north)
        self.assertEqual(record.network_element_id, self.element)
        # the same external alarm raised again updates it
        again = self.call(
            "POST", ALARM_URL, dict(VALID_ALARM, perceivedSeverity="critical")
        ).json()
        self.assertEqual(again["id"], alarm["id"])
        self.assertEqual(again["perceivedSeverity"], "critical")
        # acknowledge, then clear
        url = f"{ALARM_URL}/{alarm['id']}"
        acked = self.call(
            "PATCH", url, {"ackState": "acknowledged", "ackUserId": "noc"}
        )
        self.assertEqual(acked.json()["ackState"], "acknowledged")
        cleared = self.call(
            "PATCH",
            url,
            {"state": "cleared", "alarmClearedTime": "2026-11-27T11:00:00+03:00"},
        ).json()
        self.assertEqual(cleared["state"], "cleared")
        self.assertEqual(cleared["alarmClearedTime"], "2026-11-27T08:00:00Z")
        refused = self.call("PATCH", url, {"state": "raised"})
        self.assertTmfError(refused, 409)
        read = self.call("GET", url + "?fields=state,perceivedSeverity").json()
        self.assertEqual(set(read), {"id", "href", "state", "perceivedSeverity"})

    def test_alarm_zone_from_place_without_element(self):
        alarm = self.call(
            "POST",
            ALARM_URL,
            dict(VALID_ALARM, alarmedObject={"id": "UNKNOWN"}, externalAlarmId="E2"),
        ).json()
        self.assertEqual(
            self.env["telecom.alarm"].browse(alarm["id"]).region_id, self.zone
        )

    def test_alarm_list_filters_and_pagination(self):
        for index in range(5):
            self.call(
                "POST",
                ALARM_URL,
                dict(
                    VALID_ALARM,
                    externalAlarmId=f"LIST-{index}",
                    alarmType="tListAlarm",  # alarms of other tests stay out
                    perceivedSeverity="minor" if index % 2 else "critical",
                ),
            )
        critical = ALARM_URL + "?alarmType=tListAlarm&perceivedSeverity=critical"
        response = self.call("GET", critical + "&limit=2")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["X-Total-Count"], "3")
        self.assertEqual(response.headers["X-Result-Count"], "2")
        self.assertEqual(len(response.json()), 2)
        page = self.call("GET", critical + "&offset=2")
        self.assertEqual(page.headers["X-Result-Count"], "1")
        by_object = self.call("GET", ALARM_URL + "?alarmedObject.id=NOPE")
        self.assertEqual(by_object.json(), [])
        # the specification types paging as plain integers: clamped, not refused
        count_only = self.call("GET", ALARM_URL + "?limit=-1")
        self.assertEqual(count_only.status_code, 200, count_only.text)
        self.assertEqual(count_only.json(), [])
        self.assertNotEqual(count_only.headers["X-Total-Count"], "0")
        self.assertEqual(
            self.call("GET", ALARM_URL + "?offset=99999999999999999999").json(), []
        )
        self.assertTmfError(self.call("GET", ALARM_URL + "?offset=abc"), 400)

    def test_errors_are_tmf_bodies(self):
        self.assertTmfError(self.call("GET", f"{ALARM_URL}/999999999"), 404)
        self.assertTmfError(self.call("GET", f"{ALARM_URL}/abc"), 404)
        self.assertTmfError(self.call("DELETE", f"{ALARM_URL}/1"), 405)
        self.assertTmfError(self.call("PUT", ALARM_URL, VALID_ALARM), 405)
        missing = self.call("POST", ALARM_URL, {"state": "raised"})
        body = self.assertTmfError(missing, 400)
        self.assertIn("alarmType: is required", body["message"])
        self.assertTmfError(self.call("POST", ALARM_URL, raw=b"{not json"), 400)
        self.assertTmfError(self.call("POST", ALARM_URL, raw=b"\xff\xfe"), 400)
        self.assertTmfError(self.call("POST", ALARM_URL, payload=[VALID_ALARM]), 400)
        big = b'{"alarmDetails": "' + b"x" * (1024 * 1024 + 10) + b'"}'
        self.assertTmfError(self.call("POST", ALARM_URL, raw=big), 413)

    def test_keys_are_checked_and_scoped(self):
        self.assertTmfError(self.call("GET", ALARM_URL, key="wrong-key"), 401)
        no_key = self.opener.get(self.base_url() + ALARM_URL, timeout=30)
        self.assertTmfError(no_key, 401)
        # a valid key of another scope opens nothing here
        self.assertTmfError(self.call("GET", ALARM_URL, key=self.events_key), 401)
        self.assertTmfError(
            self.call("POST", EVENTS_URL, {"events": []}, key=self.alarm_key), 401
        )
        # a key of a user without the integration role
        self.assertTmfError(self.call("GET", ALARM_URL, key=self.agent_key), 403)

    def test_key_without_scope_is_refused(self):
        """A personal key (no scope: valid for RPC) opens no telecom API."""
        any_scope = self._api_key(self.integration, None)
        self.assertTmfError(self.call("GET", ALARM_URL, key=any_scope), 401)
        self.assertTmfError(
            self.call("POST", EVENTS_URL, {"events": []}, key=any_scope), 401
        )

    def test_hidden_and_missing_alarms_answer_the_same_404(self):
        other_company = self.env["res.company"].create({"name": "T API Other Co"})
        hidden = (
            self.env["telecom.alarm"]
            .with_company(other_company)
            .create(
                {
                    "alarm_type": "communicationsAlarm",
                    "perceived_severity": "minor",
                    "probable_cause": "hidden",
                    "source_system_id": "oss-other",
                    "company_id": other_company.id,
                }
            )
        )
        missing_id = hidden.id + 100000
        for method, payload in (("GET", None), ("PATCH", {"alarmDetails": "x"})):
            answers = [
                self.call(method, f"{ALARM_URL}/{alarm_id}", payload)
                for alarm_id in (hidden.id, missing_id)
            ]
            bodies = [self.assertTmfError(answer, 404) for answer in answers]
            self.assertEqual(bodies[0], bodies[1], method)
        hidden.invalidate_recordset()
        self.assertFalse(hidden.alarm_details)

    def test_error_bodies_never_echo_exception_text(self):
        Alarm = type(self.env["telecom.alarm"])
        secret = "telecom.alarm(42,) uid 7 rule 'secret'"
        for error, status in ((AccessError(secret), 403), (MissingError(secret), 404)):
            with mock.patch.object(Alarm, "_api_search", side_effect=error):
                response = self.call("GET", ALARM_URL)
            self.assertTmfError(response, status)
            self.assertNotIn("secret", response.text)
            self.assertNotIn("uid 7", response.text)

    def test_unicode_digits_and_nul_are_refused_not_crashing(self):
        for alarm_id in ("7\u00b2", "\u0667", "\uff17", "1\u2070"):
            self.assertTmfError(self.call("GET", f"{ALARM_URL}/{alarm_id}"), 404)
        for query in ("offset=\u00b2", "limit=\u0663"):
            self.assertTmfError(self.call("GET", f"{ALARM_URL}?{query}"), 400)
        for payload in (
            dict(VALID_ALARM, alarmType="comm\u0000unications"),
            dict(VALID_ALARM, alarmedObject={"id": "BS\u0000"}),
            dict(VALID_ALARM, **{"x\u0000": "y"}),
        ):
            self.assertTmfError(self.call("POST", ALARM_URL, payload), 400)
        event = {
            "event_id": "EV-NUL",
            "type": "payment_received",
            "account": "BILL-T-API-1",
            "occurred_at": "2026-11-27T10:00:00Z",
            "details": {"note": "a\u0000b"},
        }
        self.assertTmfError(
            self.call("POST", EVENTS_URL, {"events": [event]}, key=self.events_key),
            400,
        )

    def test_fuzzed_bad_input_never_gets_a_500(self):
        rng = random.Random(20261127)
        statuses = set()
        alarm = self.call(
            "POST", ALARM_URL, dict(VALID_ALARM, externalAlarmId="FUZZ")
        ).json()
        events = {
            "events": [
                {
                    "event_id": "EV-FUZZ",
                    "type": "payment_received",
                    "account": "BILL-T-API-1",
                    "amount": 10.0,
                    "currency": "RUB",
                    "occurred_at": "2026-11-27T10:00:00Z",
                }
            ]
        }
        cases = [
            ("POST", ALARM_URL, payload, self.alarm_key)
            for payload in mutations(VALID_ALARM, rng, 120)
        ]
        cases += [
            ("PATCH", f"{ALARM_URL}/{alarm['id']}", payload, self.alarm_key)
            for payload in mutations(VALID_ALARM, rng, 60)
        ]
        cases += [
            ("POST", EVENTS_URL, {"events": [payload]}, self.events_key)
            for payload in mutations(events["events"][0], rng, 80)
        ]
        cases += [
            ("POST", EVENTS_URL, payload, self.events_key)
            for payload in ({}, {"events": {}}, {"events": [1, 2]}, {"events": []})
        ]
        for method, path, payload, key in cases:
            response = self.call(method, path, payload, key=key)
            statuses.add(response.status_code)
            self.assertLess(response.status_code, 500, (method, payload))
            if response.status_code >= 400:
                self.assertTmfError(response, response.status_code)
        for junk in (b"", b"null", b"[]", b"1", b'"x"', b"{" * 2000, b"\x00\x01"):
            response = self.call("POST", ALARM_URL, raw=junk)
            self.assertTmfError(response, 400)
        self.assertIn(400, statuses)

    # ------------------------------------------------------------------
    # billing events
    # ------------------------------------------------------------------
    def test_billing_events_land_on_the_timeline_once(self):
        payload = {
            "events": [
                {
                    "event_id": "EV-T-100",
                    "type": "payment_received",
                    "account": "BILL-T-API-1",
                    "amount": 500.0,
                    "currency": "RUB",
                    "occurred_at": "2026-11-27T10:00:00+03:00",
                    "details": {"channel": "card"},
                },
                {
                    "event_id": "EV-T-101",
                    "type": "balance_low",
                    "account": "UNKNOWN-ACCOUNT",
                    "amount": 3.0,
                    "occurred_at": "2026-11-27T10:05:00Z",
                },
            ]
        }
        first = self.call("POST", EVENTS_URL, payload, key=self.events_key)
        self.assertEqual(first.status_code, 200, first.text)
        self.assertEqual(
            first.json()["results"],
            [
                {"event_id": "EV-T-100", "status": "created"},
                {"event_id": "EV-T-101", "status": "unmatched"},
            ],
        )
        again = self.call("POST", EVENTS_URL, payload, key=self.events_key).json()
        self.assertEqual(again["duplicates"], 2)
        timeline = self.env["telecom.interaction"].search(
            [("partner_id", "=", self.partner.id), ("channel", "=", "billing")]
        )
        self.assertEqual(len(timeline), 1)
        self.assertIn("500.00 RUB", timeline.summary)
        self.assertEqual(str(timeline.date), "2026-11-27 07:00:00")
        facts = self.env["telecom.event"].search(
            [
                ("partner_id", "=", self.partner.id),
                ("event_type", "=", "billing.payment_received"),
            ]
        )
        self.assertEqual(len(facts), 1)
        self.assertEqual(facts.payload["amount"], 500.0)
        unmatched = self.env["telecom.billing.event"].search(
            [("event_id", "=", "EV-T-101")]
        )
        self.assertEqual(unmatched.state, "unmatched")

    # ------------------------------------------------------------------
    # OpenAPI
    # ------------------------------------------------------------------
    def test_openapi_document(self):
        response = self.opener.get(
            self.base_url() + "/telecom/api/openapi.json", timeout=30
        )
        self.assertEqual(response.status_code, 200)
        document = response.json()
        self.assertEqual(document["openapi"], "3.0.3")
        self.assertIn(ALARM_URL, document["paths"])
        self.assertIn(EVENTS_URL, document["paths"])
        schema = document["components"]["schemas"]["Alarm_Create"]
        self.assertIn("alarmedObject", schema["required"])
        self.assertEqual(
            document["components"]["securitySchemes"]["apiKey"]["name"], "X-API-Key"
        )
