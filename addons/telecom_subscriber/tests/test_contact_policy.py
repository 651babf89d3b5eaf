from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .common import TelecomCommon


class TestContactPolicy(TelecomCommon):
    """The central contact policy every sender applies (consent, blacklists,
    caps, quiet hours), called as the users whose actions trigger sends."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "telecom_contact_cap_email_day": 0,
                "telecom_contact_cap_email_week": 0,
                "telecom_contact_cap_email_month": 0,
                "telecom_contact_cap_sms_day": 1,
                "telecom_contact_cap_sms_week": 2,
                "telecom_contact_cap_sms_month": 0,
                "telecom_quiet_hour_start": 21.0,
                "telecom_quiet_hour_end": 9.0,
                "telecom_quiet_hours_service": True,
            }
        )
        cls.company.partner_id.tz = "Europe/Moscow"
        cls.moscow, _account = cls._create_subscriber(
            "Moscow Subscriber",
            email="moscow@example.com",
            mobile="+79161110001",
            tz="Europe/Moscow",
            telecom_consent_email=True,
            telecom_consent_sms=True,
        )
        cls.vladivostok, _account = cls._create_subscriber(
            "Vladivostok Subscriber",
            email="vladivostok@example.com",
            mobile="+79161110002",
            tz="Asia/Vladivostok",
            telecom_consent_email=True,
            telecom_consent_sms=True,
        )
        cls.silent, _account = cls._create_subscriber(
            "No Consent Subscriber",
            email="silent@example.com",
            mobile="+79161110003",
        )
        cls.Policy = cls.env["telecom.contact.policy"].with_user(cls.front_office)
        # 11:00 in Moscow, 18:00 in Vladivostok: outside quiet hours for both
        cls.day = datetime(2026, 3, 10, 8, 0)

    def _check(self, partners, channel, category="marketing", at=None):
        return self.Policy._filter_contactable(
            partners.ids, channel, category, at=at or self.day
        )

    def _log(self, partner, channel, date, category="marketing", key=None):
        self.env["telecom.contact.log"]._log_from_sql(
            SQL(
                "SELECT %s, %s, %s, %s::timestamp, NULL::varchar, NULL::int, %s, %s",
                partner.id,
                channel,
                category,
                date,
                key or f"test,{partner.id},{channel},{date}",
                self.company.id,
            )
        )

    def _flush_tracking(self):
        """Tracking values are written when the transaction commits."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def test_consent_required_for_marketing_only(self):
        result = self._check(self.moscow | self.silent, "email")
        self.assertEqual(result["allowed"], {self.moscow.id: self.day})
        self.assertEqual(result["blocked"], {self.silent.id: "no_consent"})
        service = self._check(self.silent, "sms", category="service")
        self.assertIn(self.silent.id, service["allowed"])

    def test_front_office_records_consent_with_trail(self):
        self._flush_tracking()  # the creation of the subscriber is not tracked
        partner = self.silent.with_user(self.front_office).with_context(
            tracking_disable=False, mail_notrack=False
        )
        with freeze_time("2026-03-01 10:00:00"):
            partner.write(
                {
                    "telecom_consent_sms": True,
                    "telecom_consent_sms_source": "call",
                }
            )
            self._flush_tracking()
        self.assertEqual(self.silent.telecom_consent_sms_date, datetime(2026, 3, 1, 10))
        self.assertEqual(self.silent.telecom_consent_sms_source, "call")
        self.assertIn(self.silent.id, self._check(self.silent, "sms")["allowed"])
        partner.write({"telecom_consent_sms": False})
        self._flush_tracking()
        self.assertEqual(self.silent.telecom_consent_sms_source, "agent")
        self.assertEqual(
            self._check(self.silent, "sms")["blocked"], {self.silent.id: "no_consent"}
        )
        tracked = self.silent.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "telecom_consent_sms"
        )
        self.assertEqual(len(tracked), 2, "consent given and withdrawn are both traced")
        self.assertEqual(
            tracked.mail_message_id.author_id, self.front_office.partner_id
        )

    def test_blacklists_and_missing_address(self):
        self.env["mail.blacklist"]._add("moscow@example.com")
        self.env["phone.blacklist"]._add(["+79161110002"])
        email = self._check(self.moscow | self.vladivostok, "email")
        self.assertEqual(email["blocked"], {self.moscow.id: "email_blacklist"})
        sms = self._check(self.moscow | self.vladivostok, "sms", category="service")
        self.assertEqual(sms["blocked"], {self.vladivostok.id: "phone_blacklist"})
        self.moscow.write({"mobile": False, "phone": False})
        self.assertEqual(
            self._check(self.moscow, "sms")["blocked"], {self.moscow.id: "no_address"}
        )

    def test_caps_per_subscriber_and_channel(self):
        self._log(self.moscow, "sms", self.day - timedelta(hours=2))
        result = self._check(self.moscow | self.vladivostok, "sms")
        self.assertEqual(result["blocked"], {self.moscow.id: "cap_day"})
        # another channel, service notices and a later day are not capped by it
        self.assertIn(self.moscow.id, self._check(self.moscow, "email")["allowed"])
        self.assertIn(
            self.moscow.id,
            self._check(self.moscow, "sms", category="service")["allowed"],
        )
        later = self.day + timedelta(days=1)
        self.assertIn(
            self.moscow.id, self._check(self.moscow, "sms", at=later)["allowed"]
        )
        self._log(self.moscow, "sms", later - timedelta(hours=1))
        week = self._check(self.moscow, "sms", at=self.day + timedelta(days=3))
        self.assertEqual(week["blocked"], {self.moscow.id: "cap_week"})
        # service contacts never count against marketing caps
        self._log(self.vladivostok, "sms", self.day - timedelta(hours=1), "service")
        self.assertIn(
            self.vladivostok.id, self._check(self.vladivostok, "sms")["allowed"]
        )

    def test_quiet_hours_in_the_subscriber_time_zone(self):
        partners = self.moscow | self.vladivostok
        # 19:00 UTC: 22:00 in Moscow, 05:00 next day in Vladivostok
        with freeze_time("2026-03-10 19:00:00"):
            result = self.Policy._filter_contactable(partners.ids, "sms", "marketing")
        self.assertEqual(
            result["allowed"],
            {
                self.moscow.id: datetime(2026, 3, 11, 6, 0),  # 09:00 Moscow
                self.vladivostok.id: datetime(2026, 3, 10, 23, 0),  # 09:00 Vladivostok
            },
        )
        # 14:00 UTC: 17:00 in Moscow (sent now), 00:00 in Vladivostok (waits)
        with freeze_time("2026-03-10 14:00:00"):
            result = self.Policy._filter_contactable(partners.ids, "sms", "marketing")
        self.assertEqual(result["allowed"][self.moscow.id], datetime(2026, 3, 10, 14))
        self.assertEqual(
            result["allowed"][self.vladivostok.id], datetime(2026, 3, 10, 23)
        )

    def test_quiet_hours_zone_fallback_and_service_setting(self):
        south, _account = self._create_subscriber(
            "South Subscriber", zone=self.zone_south, mobile="+79161110004"
        )
        self.assertFalse(south.tz)
        at = datetime(2026, 3, 10, 15, 0)  # 22:00 in Novosibirsk (zone time zone)
        result = self._check(south, "sms", category="service", at=at)
        self.assertEqual(result["allowed"], {south.id: datetime(2026, 3, 11, 2, 0)})
        self.company.telecom_quiet_hours_service = False
        result = self._check(south, "sms", category="service", at=at)
        self.assertEqual(result["allowed"], {south.id: at})

    def test_contact_log_deduplicates(self):
        self._log(self.moscow, "email", self.day, key="retry-key")
        self._log(
            self.moscow, "email", self.day + timedelta(minutes=5), key="retry-key"
        )
        self.assertEqual(
            self.env["telecom.contact.log"].search_count(
                [("partner_id", "=", self.moscow.id)]
            ),
            1,
        )

    def test_settings_are_checked(self):
        with self.assertRaises(ValidationError):
            self.company.telecom_quiet_hour_end = 25
        with self.assertRaises(ValidationError):
            self.company.telecom_contact_cap_sms_day = -1
