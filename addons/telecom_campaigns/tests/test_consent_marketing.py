from freezegun import freeze_time

from odoo.tests import tagged

from .test_campaign import CampaignCommon


@freeze_time("2026-03-10 08:00:00")
@tagged("post_install", "-at_install")
class TestConsentMarketing(CampaignCommon):
    """Marketing reaches only the subscribers whose consent to its channel is
    given, on every path (campaign SMS and e-mail, the scenario's send steps),
    and a withdrawal stops at once what was queued and not yet sent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"telecom_contact_cap_sms_day": 0})
        for serial, partner in enumerate(cls.subscribers, start=1):
            partner.write(
                {"mobile": f"+7916444{serial:04d}", "email": f"c{serial}@example.com"}
            )
        cls.north_a, cls.north_b, cls.north_c = cls.north
        cls.south_a, cls.south_b = cls.south
        Consent = cls.env["telecom.consent"]
        # North C never agreed to marketing; the others on both channels,
        # recorded by the front office of their zone
        for user, partners in (
            (cls.front_office, cls.north_a | cls.north_b),
            (cls.front_office_south, cls.south),
        ):
            for purpose in ("marketing_sms", "marketing_email"):
                Consent.with_user(user)._give(partners, purpose, "shop")
        Consent._give(cls.north_c, "service", "contract")
        cls.offer_data.write(
            {
                "sms_body": "More data for you",
                "email_subject": "More data",
                "email_body": "<p>More data for you</p>",
            }
        )
        cls.Message = cls.env["telecom.campaign.message"]

    def _launch(self, channel):
        campaign = self._campaign(
            self.marketer_north, offer_id=self.offer_data.id, channel=channel
        )
        campaign.action_launch()
        return self.Message.search(
            [("res_model", "=", "telecom.campaign"), ("res_id", "=", campaign.id)]
        )

    def _states(self, messages):
        messages.invalidate_recordset()
        return {
            message.partner_id: (message.state, message.block_reason)
            for message in messages
        }

    def _withdraw(self, partner, purpose, user=None):
        partner.telecom_consent_ids.filtered(
            lambda consent: consent.purpose == purpose and consent.state == "given"
        ).with_user(user or self.front_office).action_withdraw()

    def _sms_numbers(self, mailing, state="outgoing"):
        return set(
            self.env["sms.sms"]
            .search([("mailing_id", "=", mailing.id), ("state", "=", state)])
            .mapped("number")
        )

    def test_campaign_sms_needs_consent_and_withdrawal_stops_it(self):
        messages = self._launch("sms")
        self.assertEqual(
            self._states(messages)[self.north_c], ("blocked", "no_consent")
        )
        # withdrawn while queued: blocked at once, before any sending
        self._withdraw(self.north_a, "marketing_sms")
        self.assertEqual(
            self._states(messages)[self.north_a], ("blocked", "no_consent")
        )
        mailing = messages.mailing_id
        mailing.with_user(self.marketer_north).action_send_mail()
        # the northern marketer's sending reaches the northern zone only
        self.assertEqual(self._sms_numbers(mailing), {self.north_b.mobile})
        # withdrawn after the mailing handed the SMS to the SMS queue: the SMS
        # not sent yet is cancelled with its message
        self._withdraw(self.north_b, "marketing_sms")
        self.assertFalse(self._sms_numbers(mailing))
        self.assertEqual(self._sms_numbers(mailing, "canceled"), {self.north_b.mobile})
        self.assertEqual(
            self._states(messages)[self.north_b], ("cancelled", "no_consent")
        )
        # the e-mail consent of the same subscriber is another purpose
        self.assertTrue(self.north_b.telecom_consent_email)

    def test_campaign_email_needs_consent_and_withdrawal_stops_it(self):
        messages = self._launch("email")
        self.assertEqual(
            self._states(messages)[self.north_c], ("blocked", "no_consent")
        )
        self._withdraw(self.north_a, "marketing_email")
        mailing = messages.mailing_id
        mailing.with_user(self.marketer_north).action_send_mail()
        traces = self.env["mailing.trace"].search(
            [("mass_mailing_id", "=", mailing.id)]
        )
        self.assertEqual(set(traces.mapped("email")), {self.north_b.email})
        self.assertEqual(
            self._states(messages)[self.north_a], ("blocked", "no_consent")
        )

    def test_scenario_send_steps_need_consent(self):
        scenario = self.env["telecom.scenario"].create(
            {
                "name": "Data offers",
                "trigger_event": "ticket_closed",
                "step_ids": [
                    (0, 0, {"sequence": 1, "action_type": "send_sms",
                            "offer_id": self.offer_data.id}),
                    (0, 0, {"sequence": 2, "action_type": "send_email",
                            "offer_id": self.offer_data.id}),
                ],
            }
        )  # fmt: skip
        scenario.action_activate()
        self._withdraw(self.north_b, "marketing_email")
        scenario._start_runs_for_partners(self.north.ids, "test")
        self.env["telecom.scenario.run"]._cron_advance()
        messages = self.Message.search(
            [("res_model", "=", "telecom.offer"), ("res_id", "=", self.offer_data.id)]
        )
        states = {
            (message.partner_id, message.channel): (message.state, message.block_reason)
            for message in messages
        }
        self.assertEqual(states[self.north_c, "sms"], ("blocked", "no_consent"))
        self.assertEqual(states[self.north_c, "email"], ("blocked", "no_consent"))
        self.assertEqual(states[self.north_b, "email"], ("blocked", "no_consent"))
        self.assertEqual(states[self.north_b, "sms"][0], "queued")
        self.assertEqual(states[self.north_a, "email"][0], "queued")
        # nothing reaches them when the mailings send either
        messages.mailing_id.action_send_mail()
        sms = self.env["sms.sms"].search(
            [("mailing_id", "in", messages.mailing_id.ids)]
        )
        self.assertEqual(
            set(sms.mapped("number")), {self.north_a.mobile, self.north_b.mobile}
        )
        traces = self.env["mailing.trace"].search(
            [
                ("mass_mailing_id", "in", messages.mailing_id.ids),
                ("trace_type", "=", "mail"),
            ]
        )
        self.assertEqual(set(traces.mapped("email")), {self.north_a.email})
