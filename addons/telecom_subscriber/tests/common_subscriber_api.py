import json

from odoo.tests import new_test_user

from ..tools.subscriber_api import API_BASE, API_SCOPE, RATE_LIMIT_PARAM
from .common_portal import TelecomPortalCommon


class SubscriberApiCommon(TelecomPortalCommon):
    """Two portal subscribers and a line user, each with an API key of the app,
    and billed months of both subscribers' lines."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param(RATE_LIMIT_PARAM, "1000")
        cls.owner_key = cls._api_key(cls.owner_user)
        cls.other_key = cls._api_key(cls.other_user)
        cls.line_user_key = cls._api_key(cls.line_user)
        cls.agent_key = cls._api_key(
            new_test_user(
                cls.env,
                login="t_api_agent",
                groups="telecom_subscriber.telecom_subscriber_group_user",
            )
        )
        cls.env["telecom.usage.monthly"]._upsert_monthly(
            [
                {
                    "service_id": cls.owner_line.id,
                    "month": "2026-10-01",
                    "data_mb": 2048.5,
                    "voice_minutes": 120,
                    "sms_count": 7,
                    "charged_amount": 300,
                },
                {
                    "service_id": cls.other_line.id,
                    "month": "2026-10-01",
                    "data_mb": 99,
                    "charged_amount": 500,
                },
            ],
            "import",
        )

    @classmethod
    def _api_key(cls, user):
        # sudo: a key without expiration needs it, as the portal's own wizard
        return (
            cls.env["res.users.apikeys"]
            .with_user(user)
            .sudo()
            ._generate(API_SCOPE, "Operator app", None)
        )

    def _call(self, method, path, key=None, body=None, headers=None):
        """One call of the API; ``key`` sent as a bearer token when given."""
        headers = dict(headers or {})
        if key:
            headers["Authorization"] = f"Bearer {key}"
        data = None
        if body is not None:
            headers.setdefault("Content-Type", "application/json")
            data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.opener.request(
            method,
            self.base_url() + API_BASE + path,
            data=data,
            headers=headers,
            timeout=30,
            allow_redirects=False,
        )

    def _assertError(self, response, status, code=None):
        self.assertEqual(response.status_code, status, response.text)
        self.assertTrue(response.headers["Content-Type"].startswith("application/json"))
        body = response.json()
        self.assertEqual(body["status"], str(status))
        if code:
            self.assertEqual(body["code"], code)
        return body
