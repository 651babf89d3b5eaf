from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import TelecomHelpdeskCommon


@freeze_time("2026-03-10 08:00:00")
@tagged("post_install", "-at_install")
class TestIncidentConsent(TelecomHelpdeskCommon):
    """Incident notices are service messages: their legal basis is the
    contract (service delivery), not a marketing consent. A subscriber who
    withdrew every marketing consent still hears about an outage."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.subscriber, account = cls._create_subscriber(
            "Consent Outage",
            email="t.consent.outage@example.com",
            mobile="+79167880001",
        )
        cls._activate_line(account)
        Consent = cls.env["telecom.consent"].with_user(cls.front_office)
        Consent._give(cls.subscriber, "service", "contract")
        for purpose in ("marketing_email", "marketing_sms"):
            Consent._give(cls.subscriber, purpose, "shop")._withdraw("call")

    def test_marketing_withdrawn_notices_still_go_out(self):
        self.assertFalse(self.subscriber.telecom_consent_email)
        self.assertFalse(self.subscriber.telecom_consent_sms)
        incident = (
            self.env["telecom.incident"]
            .with_user(self.tech_support)
            .create(
                {
                    "name": "T Consent outage",
                    "region_ids": [Command.set(self.zone_north.ids)],
                    "service_type": "mobile",
                    "severity": "critical",
                    "public_message": "Mobile service is down.",
                }
            )
        )
        notices = self.env["telecom.incident.notification"].search(
            [("incident_id", "=", incident.id), ("partner_id", "=", self.subscriber.id)]
        )
        self.assertEqual(
            {(notice.channel, notice.state) for notice in notices},
            {("email", "queued"), ("sms", "queued")},
        )
        self.env["telecom.incident.notification"]._cron_send()
        self.assertEqual(set(notices.mapped("state")), {"sent"})
        self.assertTrue(
            self.env["sms.sms"].search([("partner_id", "=", self.subscriber.id)])
        )
