import re
from datetime import datetime

from freezegun import freeze_time

from odoo.tests import HttpCase, new_test_user, tagged

from .common import TelecomHelpdeskCommon

LINK = re.compile(r'href="([^"]+/my/ticket/\d+)"')


@tagged("post_install", "-at_install")
class TestTicketSurveyRequest(TelecomHelpdeskCommon, HttpCase):
    """After a subscriber's ticket is closed, one satisfaction request goes out
    after the company's delay, through the central contact policy (service
    category: blacklists and quiet hours), never for rated, internal or
    subscriber-less tickets; its link opens the rating form for that
    subscriber only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "telecom_survey_request_enabled": True,
                "telecom_survey_request_delay_hours": 2,
                # quiet hours 21:00-09:00 of the subscriber's time, for service
                # messages too: set here, never the database's defaults
                "telecom_quiet_hour_start": 21.0,
                "telecom_quiet_hour_end": 9.0,
                "telecom_quiet_hours_service": True,
            }
        )
        cls.subscriber, _account = cls._create_subscriber(
            "Survey Moscow",
            email="t.survey.moscow@example.com",
            mobile="+79167770101",
            tz="Europe/Moscow",
        )
        cls.sms_only, _account = cls._create_subscriber(
            "Survey SMS", mobile="+79167770102", tz="Europe/Moscow"
        )
        cls.other, _account = cls._create_subscriber(
            "Survey Other", email="t.survey.other@example.com", tz="Europe/Moscow"
        )
        cls.subscriber_user = new_test_user(
            cls.env,
            login="t_survey_user",
            groups="base.group_portal",
            email="t.survey.moscow@example.com",
            partner_id=cls.subscriber.id,
        )
        cls.other_user = new_test_user(
            cls.env,
            login="t_survey_other",
            groups="base.group_portal",
            email="t.survey.other@example.com",
            partner_id=cls.other.id,
        )

    def _close(self, partner, when):
        with freeze_time(when):
            ticket = self._ticket(partner, name="T Survey")
            ticket.with_user(self.tech_support).stage_id = self.stage_done
        return ticket

    def _run_cron(self, when):
        with freeze_time(when):
            self.env["telecom.ticket.survey.request"]._cron_send()

    def _requests(self, ticket):
        return (
            self.env["telecom.ticket.survey.request"]
            .with_user(self.supervisor)
            .search([("ticket_id", "in", ticket.ids)])
        )

    def _mails(self, ticket):
        return self.env["mail.mail"].search(
            [("model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )

    def test_one_request_after_the_delay_none_before(self):
        # 08:00 UTC: 11:00 in Moscow, outside the quiet hours all along
        ticket = self._close(self.subscriber, "2026-03-10 08:00:00")
        self.assertEqual(ticket.closed_date, datetime(2026, 3, 10, 8, 0))
        self._run_cron("2026-03-10 09:59:00")
        self.assertFalse(self._requests(ticket))
        self.assertFalse(self._mails(ticket))
        self._run_cron("2026-03-10 10:01:00")
        self._run_cron("2026-03-10 10:20:00")
        request = self._requests(ticket)
        self.assertEqual(len(request), 1)
        self.assertEqual((request.state, request.channel), ("sent", "email"))
        mail = self._mails(ticket)
        self.assertEqual(len(mail), 1)
        self.assertIn("t.survey.moscow@example.com", mail.email_to)
        self.assertIn(f"/my/ticket/{ticket.id}", str(mail.body_html))
        log = self.env["telecom.contact.log"].search(
            [("res_model", "=", request._name), ("res_id", "=", request.id)]
        )
        self.assertEqual((log.partner_id, log.category), (self.subscriber, "service"))

    def test_sms_with_the_link_without_email(self):
        ticket = self._close(self.sms_only, "2026-03-10 08:00:00")
        self._run_cron("2026-03-10 10:01:00")
        self.assertEqual(self._requests(ticket).channel, "sms")
        sms = self.env["sms.sms"].search([("partner_id", "=", self.sms_only.id)])
        self.assertEqual(len(sms), 1)
        self.assertIn(f"/my/ticket/{ticket.id}", sms.body)

    def test_quiet_hours_defer_the_request(self):
        # closed 16:00 UTC, due 18:00 UTC = 21:00 in Moscow: quiet until 09:00
        ticket = self._close(self.subscriber, "2026-03-10 16:00:00")
        self._run_cron("2026-03-10 18:30:00")
        request = self._requests(ticket)
        self.assertEqual(request.state, "queued")
        self.assertEqual(request.scheduled_date, datetime(2026, 3, 11, 6, 0))
        self.assertFalse(self._mails(ticket))
        self._run_cron("2026-03-11 05:59:00")
        self.assertFalse(self._mails(ticket))
        self._run_cron("2026-03-11 06:01:00")
        self.assertEqual(request.state, "sent")
        self.assertEqual(len(self._mails(ticket)), 1)

    def test_blacklisted_subscriber_gets_none_and_it_is_logged(self):
        self.env["mail.blacklist"].sudo()._add(self.subscriber.email)
        ticket = self._close(self.subscriber, "2026-03-10 08:00:00")
        self._run_cron("2026-03-10 10:01:00")
        request = self._requests(ticket)
        self.assertEqual(
            (request.state, request.skip_reason), ("skipped", "email_blacklist")
        )
        self.assertFalse(self._mails(ticket))
        self.assertFalse(
            self.env["telecom.contact.log"].search(
                [("res_model", "=", request._name), ("res_id", "=", request.id)]
            )
        )

    def test_rated_ticket_gets_none(self):
        ticket = self._close(self.subscriber, "2026-03-10 08:00:00")
        with freeze_time("2026-03-10 09:00:00"):
            ticket.with_user(self.subscriber_user)._portal_rate("5", "9")
        self._run_cron("2026-03-10 10:01:00")
        self.assertFalse(self._requests(ticket))
        self.assertFalse(self._mails(ticket))

    def test_ticket_rated_while_queued_is_skipped(self):
        ticket = self._close(self.subscriber, "2026-03-10 16:00:00")
        self._run_cron("2026-03-10 18:30:00")  # queued for the end of quiet hours
        with freeze_time("2026-03-11 05:00:00"):
            ticket.with_user(self.subscriber_user)._portal_rate("4")
        self._run_cron("2026-03-11 06:01:00")
        request = self._requests(ticket)
        self.assertEqual((request.state, request.skip_reason), ("skipped", "rated"))
        self.assertFalse(self._mails(ticket))

    def test_no_request_without_a_subscriber_or_when_off(self):
        internal = self._close(self.env.user.partner_id, "2026-03-10 08:00:00")
        anonymous = self._close(None, "2026-03-10 08:00:00")
        self._run_cron("2026-03-10 10:01:00")
        self.assertFalse(self._requests(internal | anonymous))
        self.company.telecom_survey_request_enabled = False
        ticket = self._close(self.subscriber, "2026-03-10 08:00:00")
        self._run_cron("2026-03-10 10:01:00")
        self.assertFalse(self._requests(ticket))

    def test_link_opens_the_rating_form_for_that_subscriber_only(self):
        ticket = self._close(self.subscriber, "2026-03-10 08:00:00")
        self._run_cron("2026-03-10 10:01:00")
        url = LINK.search(str(self._mails(ticket).body_html)).group(1)
        path = url[url.index("/my/ticket/") :]
        self.authenticate(self.other_user.login, self.other_user.login)
        page = self.url_open(path)
        self.assertNotIn("o_telecom_ticket_rating", page.text)
        self.authenticate(self.subscriber_user.login, self.subscriber_user.login)
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_telecom_ticket_rating", page.text)
