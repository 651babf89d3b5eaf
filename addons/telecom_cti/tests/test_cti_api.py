import json

from odoo.tests import HttpCase, tagged

from .common import TOKEN, CtiCommon, call_events


@tagged("post_install", "-at_install")
class TestCtiApi(CtiCommon, HttpCase):
    """The connector's endpoints: a token per exchange, JSON in and out."""

    def _post(self, path, body, token=TOKEN):
        return self.url_open(
            path,
            data=json.dumps(body),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {token}",
            },
        )

    def test_events_need_the_exchange_token(self):
        events = call_events("1765000300.1", self.line.msisdn, "201")
        self.assertEqual(
            self._post("/telecom_cti/events", {"events": events}, "bad").status_code,
            401,
        )
        self.assertEqual(
            self.url_open("/telecom_cti/events", data="{}").status_code, 401
        )
        self.assertFalse(self._call("1765000300.1"))
        answer = self._post("/telecom_cti/events", {"events": events})
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(answer.json()["calls"], 1)
        call = self._call("1765000300.1")
        self.assertEqual(call.state, "ended")
        self.assertEqual(call.create_uid, self.integration_user)
        self.assertEqual(len(self._rows("1765000300.1")), 1)

    def test_bad_bodies_are_400(self):
        for body in ({"events": "Hangup"}, {"events": [1, 2]}, {}):
            self.assertEqual(
                self._post("/telecom_cti/events", body).status_code, 400, body
            )

    def test_config_gives_no_secret(self):
        answer = self.url_open(
            "/telecom_cti/config", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        self.assertEqual(answer.status_code, 200, answer.text)
        pbx = answer.json()["pbx"]
        self.assertEqual(
            (pbx["host"], pbx["port"], pbx["username"], pbx["secret_env"]),
            ("127.0.0.1", 5038, "telecom", "TELECOM_AMI_SECRET"),
        )
        self.assertNotIn(TOKEN, answer.text)

    def test_archived_exchange_is_refused(self):
        self.pbx.active = False
        answer = self.url_open(
            "/telecom_cti/config", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        self.assertEqual(answer.status_code, 401)

    def test_claim_originates(self):
        self.subscriber.mobile = self.line.msisdn
        self.subscriber.with_user(self.agent).action_telecom_cti_call()
        answer = self._post("/telecom_cti/originates/claim", {})
        self.assertEqual(answer.status_code, 200, answer.text)
        [originate] = answer.json()["originates"]
        self.assertEqual(originate["channel"], "PJSIP/201")
        self.assertEqual(
            self._post("/telecom_cti/originates/claim", {}).json(), {"originates": []}
        )
