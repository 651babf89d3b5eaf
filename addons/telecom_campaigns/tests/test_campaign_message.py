from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tools import SQL

from ..models import mailing_mailing
from .common import CampaignsCommon


class TestCampaignMessage(CampaignsCommon):
    """The marketing queue: the contact policy applied when messages are queued
    and again when Odoo's mass mailing sends them, as the marketing user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "telecom_contact_cap_email_day": 0,
                "telecom_contact_cap_email_week": 0,
                "telecom_contact_cap_email_month": 0,
                "telecom_contact_cap_sms_day": 1,
                "telecom_contact_cap_sms_week": 0,
                "telecom_contact_cap_sms_month": 0,
                "telecom_quiet_hour_start": 21.0,
                "telecom_quiet_hour_end": 9.0,
            }
        )

        def subscriber(name, serial, tz, consent=True):
            partner, _account = cls._create_subscriber(
                name,
                email=f"{serial}@example.com",
                mobile=f"+7916222{serial:04d}",
                tz=tz,
                telecom_consent_email=consent,
                telecom_consent_sms=consent,
            )
            return partner

        cls.moscow = subscriber("Moscow", 1, "Europe/Moscow")
        cls.vladivostok = subscriber("Vladivostok", 2, "Asia/Vladivostok")
        cls.silent = subscriber("No Consent", 3, "Europe/Moscow", consent=False)
        cls.everybody = cls.moscow | cls.vladivostok | cls.silent
        cls.Message = cls.env["telecom.campaign.message"].with_user(cls.marketer_north)
        cls.segment = (
            cls.env["telecom.segment"]
            .with_user(cls.marketer_north)
            .create({"name": "Offer audience"})
        )

    def _mailing(self, channel, source=None):
        body = (
            "Hello {{ object.partner_id.name }}" if channel == "sms" else "<p>Hello</p>"
        )
        return self.Message._get_mailing(
            source or self.segment, channel, "Our new offer", body
        )

    def _messages(self, mailing):
        return self.Message.search([("mailing_id", "=", mailing.id)])

    def _states(self, mailing):
        return {
            message.partner_id: (message.state, message.block_reason)
            for message in self._messages(mailing)
        }

    @freeze_time("2026-03-10 08:00:00")  # 11:00 in Moscow, 18:00 in Vladivostok
    def test_queue_applies_the_policy_once_per_source(self):
        mailing = self._mailing("email")
        counts = self.Message._queue_messages(
            self.everybody.ids, "email", self.segment, mailing
        )
        self.assertEqual(counts, {"queued": 2, "scheduled": 0, "blocked": 1})
        self.assertEqual(
            self._states(mailing),
            {
                self.moscow: ("queued", False),
                self.vladivostok: ("queued", False),
                self.silent: ("blocked", "no_consent"),
            },
        )
        self.assertEqual(mailing.state, "in_queue")
        # a retry (same source, channel and partners) queues nothing more
        again = self.Message._queue_messages(
            SQL("SELECT id FROM res_partner WHERE id = ANY(%s)", self.everybody.ids),
            "email",
            self.segment,
            mailing,
        )
        self.assertEqual(again, {"queued": 0, "scheduled": 0, "blocked": 0})
        self.assertEqual(len(self._messages(mailing)), 3)

    def test_quiet_hours_schedule_in_each_time_zone(self):
        mailing = self._mailing("sms")
        # 19:00 UTC: 22:00 in Moscow, 05:00 in Vladivostok
        with freeze_time("2026-03-10 19:00:00"):
            counts = self.Message._queue_messages(
                (self.moscow | self.vladivostok).ids, "sms", self.segment, mailing
            )
            self.assertEqual(counts["scheduled"], 2)
            self.assertFalse(mailing._get_remaining_recipients())
        dates = {
            message.partner_id: message.scheduled_date
            for message in self._messages(mailing)
        }
        self.assertEqual(dates[self.moscow], datetime(2026, 3, 11, 6, 0))
        self.assertEqual(dates[self.vladivostok], datetime(2026, 3, 10, 23, 0))
        # 23:30 UTC: Vladivostok's morning, still night in Moscow
        with freeze_time("2026-03-10 23:30:00"):
            mailing.write({"state": "done"})
            self.env["telecom.campaign.message"]._cron_release_due()
            self.assertEqual(mailing.state, "in_queue")
            mailing.with_user(self.marketer_north).action_send_mail()
        self.assertEqual(
            self._states(mailing),
            {self.vladivostok: ("sent", False), self.moscow: ("scheduled", False)},
        )
        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(sms.number, "+79162220002")
        self.assertEqual(sms.body, "Hello Vladivostok")

    @freeze_time("2026-03-10 08:00:00")
    def test_send_rechecks_the_policy_and_logs(self):
        mailing = self._mailing("email")
        self.Message._queue_messages(
            (self.moscow | self.vladivostok).ids, "email", self.segment, mailing
        )
        # the subscriber withdraws consent before the mailing goes out
        self.vladivostok.with_user(self.front_office).telecom_consent_email = False
        mailing.with_user(self.marketer_north).action_send_mail()
        self.assertEqual(
            self._states(mailing),
            {
                self.moscow: ("sent", False),
                self.vladivostok: ("blocked", "no_consent"),
            },
        )
        traces = self.env["mailing.trace"].search(
            [("mass_mailing_id", "=", mailing.id)]
        )
        self.assertEqual(
            traces.mapped("res_id"),
            self._messages(mailing)
            .filtered(lambda message: message.state == "sent")
            .ids,
        )
        self.assertEqual(traces.email, "1@example.com")
        log = self.env["telecom.contact.log"].search(
            [("partner_id", "in", self.everybody.ids)]
        )
        self.assertEqual(
            [(entry.partner_id, entry.channel, entry.category) for entry in log],
            [(self.moscow, "email", "marketing")],
        )
        # sending again (a retry of the cron) sends nobody twice
        mailing.state = "in_queue"
        self.env["mailing.mailing"]._process_mass_mailing_queue()
        self.assertEqual(
            self.env["mailing.trace"].search_count(
                [("mass_mailing_id", "=", mailing.id)]
            ),
            1,
        )

    @freeze_time("2026-03-10 08:00:00")
    def test_daily_sms_cap_across_campaigns(self):
        first = self._mailing("sms")
        self.Message._queue_messages(self.moscow.ids, "sms", self.segment, first)
        first.with_user(self.marketer_north).action_send_mail()
        other_source = (
            self.env["telecom.segment"]
            .with_user(self.marketer_north)
            .create({"name": "Second audience"})
        )
        second = self._mailing("sms", source=other_source)
        counts = self.Message._queue_messages(
            (self.moscow | self.vladivostok).ids, "sms", other_source, second
        )
        self.assertEqual(counts, {"queued": 1, "scheduled": 0, "blocked": 1})
        self.assertEqual(self._states(second)[self.moscow], ("blocked", "cap_day"))

    @freeze_time("2026-03-10 08:00:00")
    def test_daily_sms_cap_checked_again_at_send_time(self):
        """Two campaigns queued the same morning both pass the cap; the one sent
        second finds the first in the contact log and holds back."""
        first = self._mailing("sms")
        self.Message._queue_messages(self.moscow.ids, "sms", self.segment, first)
        other_source = (
            self.env["telecom.segment"]
            .with_user(self.marketer_north)
            .create({"name": "Second audience"})
        )
        second = self._mailing("sms", source=other_source)
        self.Message._queue_messages(self.moscow.ids, "sms", other_source, second)
        self.assertEqual(self._states(second)[self.moscow], ("queued", False))
        first.with_user(self.marketer_north).action_send_mail()
        self.env["mailing.mailing"]._process_mass_mailing_queue()
        self.assertEqual(self._states(first)[self.moscow], ("sent", False))
        self.assertEqual(self._states(second)[self.moscow], ("blocked", "cap_day"))
        self.assertFalse(
            self.env["sms.sms"].search([("mailing_id", "=", second.id)]),
            "the second campaign sent nothing",
        )
        self.assertEqual(second.state, "done")

    @freeze_time("2026-03-10 08:00:00")
    def test_blacklisted_after_queueing(self):
        mailing = self._mailing("sms")
        self.Message._queue_messages(self.moscow.ids, "sms", self.segment, mailing)
        self.env["phone.blacklist"]._add(["+79162220001"])
        self.assertFalse(mailing._get_remaining_recipients())
        self.assertEqual(
            self._states(mailing)[self.moscow], ("blocked", "phone_blacklist")
        )

    def test_zone_rules_on_the_queue(self):
        mailing = self._mailing("email")
        self.Message._queue_messages(self.moscow.ids, "email", self.segment, mailing)
        south = self.env["telecom.campaign.message"].with_user(self.marketer_south)
        self.assertFalse(south.search([("mailing_id", "=", mailing.id)]))

    @freeze_time("2026-03-10 08:00:00")
    def test_deleting_a_subscriber_or_a_mailing(self):
        # the queue has no foreign keys: the unlinks do what they did
        partner = self.env["res.partner"].create(
            {
                "name": "T Leaving",
                "mobile": "+79162229999",
                "telecom_consent_sms": True,
            }
        )
        mailing = self._mailing("sms")
        self.Message._queue_messages(
            (partner | self.moscow).ids, "sms", self.segment, mailing
        )
        queue = self.env["telecom.campaign.message"]
        messages = queue.search([("mailing_id", "=", mailing.id)])
        self.assertEqual(messages.partner_id, partner | self.moscow)
        partner.unlink()
        self.assertEqual(messages.exists().partner_id, self.moscow)
        kept = messages.exists()
        mailing.unlink()
        self.assertTrue(kept.exists())
        self.assertFalse(kept.mailing_id)

    @freeze_time("2026-03-10 08:00:00")
    def test_a_large_sms_mailing_reaches_the_composer_in_chunks(self):
        # Odoo's SMS composer cannot take more than about 14,000 recipients
        mailing = self._mailing("sms")
        self.Message._queue_messages(
            (self.moscow | self.vladivostok).ids, "sms", self.segment, mailing
        )
        mass_sms = type(self.env["mailing.mailing"])
        with (
            patch.object(mailing_mailing, "SMS_COMPOSER_CHUNK", 1),
            patch.object(
                mass_sms,
                "action_send_sms",
                autospec=True,
                side_effect=mass_sms.action_send_sms,
            ) as action_send_sms,
        ):
            mailing.with_user(self.marketer_north).action_send_mail()
        self.assertEqual(
            [len(call.kwargs["res_ids"]) for call in action_send_sms.call_args_list],
            [1, 1],
        )
        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(sorted(sms.mapped("number")), ["+79162220001", "+79162220002"])
        self.assertEqual(set(self._states(mailing).values()), {("sent", False)})
