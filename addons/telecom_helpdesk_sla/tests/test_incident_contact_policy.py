from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import TelecomHelpdeskCommon


@tagged("post_install", "-at_install")
class TestIncidentContactPolicy(TelecomHelpdeskCommon):
    """Incident notices follow the suite's central contact policy: service
    notices need no marketing consent, respect the blacklists and, when the
    company says so, the subscriber's quiet hours; what is sent is logged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "telecom_quiet_hour_start": 21.0,
                "telecom_quiet_hour_end": 9.0,
                "telecom_quiet_hours_service": True,
                # marketing caps never hold back a service notice
                "telecom_contact_cap_sms_day": 1,
            }
        )
        cls.partners = cls.env["res.partner"]
        for serial, tz in ((1, "Europe/Moscow"), (2, "Asia/Vladivostok")):
            partner, account = cls._create_subscriber(
                f"Policy {serial}",
                email=f"t.policy.{serial}@example.com",
                mobile=f"+7916777{serial:04d}",
                tz=tz,
            )
            cls._activate_line(account)
            cls.partners |= partner
        cls.moscow, cls.vladivostok = cls.partners
        cls.incident_values = {
            "name": "T Night outage",
            "region_ids": [Command.set(cls.zone_north.ids)],
            "service_type": "mobile",
            "severity": "critical",
            "notify_email": False,
            "public_message": "Mobile service is down.",
        }

    def _notices(self, incident):
        return self.env["telecom.incident.notification"].search(
            [("incident_id", "=", incident.id), ("partner_id", "in", self.partners.ids)]
        )

    def test_notices_wait_for_the_end_of_quiet_hours(self):
        Notification = self.env["telecom.incident.notification"]
        # 19:00 UTC: 22:00 in Moscow, 05:00 next day in Vladivostok
        with freeze_time("2026-03-10 19:00:00"):
            incident = (
                self.env["telecom.incident"]
                .with_user(self.tech_support)
                .create(self.incident_values)
            )
            notices = self._notices(incident)
            self.assertEqual(set(notices.mapped("state")), {"queued"})
            self.assertEqual(
                {n.partner_id: n.scheduled_date for n in notices},
                {
                    self.moscow: datetime(2026, 3, 11, 6, 0),
                    self.vladivostok: datetime(2026, 3, 10, 23, 0),
                },
            )
            Notification._cron_send()
            self.assertFalse(
                self.env["sms.sms"].search([("partner_id", "in", self.partners.ids)])
            )
        with freeze_time("2026-03-10 23:30:00"):
            Notification._cron_send()
        sent = notices.filtered(lambda notice: notice.state == "sent")
        self.assertEqual(sent.partner_id, self.vladivostok)
        log = self.env["telecom.contact.log"].search(
            [("partner_id", "in", self.partners.ids)]
        )
        self.assertEqual(
            [(entry.partner_id, entry.channel, entry.category) for entry in log],
            [(self.vladivostok, "sms", "service")],
        )
        with freeze_time("2026-03-11 06:30:00"):
            Notification._cron_send()
        self.assertEqual(set(notices.mapped("state")), {"sent"})

    def test_without_quiet_hours_for_service_notices(self):
        self.company.telecom_quiet_hours_service = False
        with freeze_time("2026-03-10 19:00:00"):
            incident = self.env["telecom.incident"].create(self.incident_values)
            notices = self._notices(incident)
            self.assertFalse(any(notices.mapped("scheduled_date")))
            self.env["telecom.incident.notification"]._cron_send()
        self.assertEqual(set(notices.mapped("state")), {"sent"})

    def test_blacklisted_after_queueing_is_skipped(self):
        with freeze_time("2026-03-10 08:00:00"):
            incident = self.env["telecom.incident"].create(self.incident_values)
            self.env["phone.blacklist"]._add([self.moscow.mobile])
            self.env["telecom.incident.notification"]._cron_send()
        notices = self._notices(incident)
        self.assertEqual(
            {(n.partner_id, n.state, n.skip_reason) for n in notices},
            {
                (self.moscow, "skipped", "phone_blacklist"),
                (self.vladivostok, "sent", False),
            },
        )
