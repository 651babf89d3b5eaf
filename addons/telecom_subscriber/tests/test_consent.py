from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from .common import TelecomCommon


class TestConsent(TelecomCommon):
    """The consent register (152-FZ), used as the roles that record consents;
    the marketing flags the contact policy reads follow it at once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.subscriber, _account = cls._create_subscriber(
            "Consent Subscriber", email="consent@example.com", mobile="+79161230001"
        )
        cls.southerner, _account = cls._create_subscriber(
            "South Subscriber",
            zone=cls.zone_south,
            email="south@example.com",
            mobile="+79161230002",
        )
        cls.Consent = cls.env["telecom.consent"]
        cls.Policy = cls.env["telecom.contact.policy"].with_user(cls.front_office)
        cls.portal_user = new_test_user(
            cls.env,
            login="t_consent_portal",
            groups="base.group_portal",
            partner_id=cls.subscriber.id,
        )
        cls.other_portal_user = new_test_user(
            cls.env,
            login="t_consent_portal_other",
            groups="base.group_portal",
            partner_id=cls.southerner.id,
        )

    def _give(self, user, partner, purpose, source="shop"):
        return self.Consent.with_user(user)._give(partner, purpose, source)

    def _audit(self, consents):
        return self.env["telecom.audit.log"].search(
            [("res_model", "=", "telecom.consent"), ("res_id", "in", consents.ids)]
        )

    def _allowed(self, partner, channel, category="marketing"):
        return (
            partner.id
            in self.Policy._filter_contactable(partner.ids, channel, category)[
                "allowed"
            ]
        )

    def test_front_office_gives_and_withdraws_with_a_journal(self):
        with freeze_time("2026-03-02 09:30:00"):
            consent = self._give(self.front_office, self.subscriber, "marketing_sms")
        self.assertRecordValues(
            consent,
            [
                {
                    "state": "given",
                    "source": "shop",
                    "user_id": self.front_office.id,
                    "region_id": self.zone_north_city.id,
                    "text_id": self.env.ref(
                        "telecom_subscriber.telecom_consent_text_marketing_sms"
                    ).id,
                    "text_version": "1",
                }
            ],
        )
        self.assertTrue(self.subscriber.telecom_consent_sms)
        self.assertEqual(self.subscriber.telecom_consent_sms_source, "shop")
        self.assertTrue(self._allowed(self.subscriber, "sms"))
        # giving again keeps the one given consent
        self.assertEqual(
            self._give(self.front_office, self.subscriber, "marketing_sms"), consent
        )
        with freeze_time("2026-03-05 18:00:00"):
            consent.with_user(self.front_office).with_context(
                telecom_consent_source="call"
            ).action_withdraw()
        self.assertRecordValues(
            consent,
            [
                {
                    "state": "withdrawn",
                    "withdrawal_source": "call",
                    "withdrawn_by_id": self.front_office.id,
                }
            ],
        )
        self.assertEqual(str(consent.date_withdrawn), "2026-03-05 18:00:00")
        self.assertFalse(self.subscriber.telecom_consent_sms)
        self.assertEqual(self.subscriber.telecom_consent_sms_source, "call")
        # the journal: one audit line per change, with the agent
        audit = self._audit(consent)
        self.assertEqual(
            sorted(audit.mapped("field_names")),
            ["consent:marketing_sms:given", "consent:marketing_sms:withdrawn"],
        )
        self.assertEqual(audit.user_id, self.front_office)
        self.assertEqual(audit.partner_id, self.subscriber)
        # given again: a new consent, the withdrawn one stays in the register
        again = self._give(self.retention_agent, self.subscriber, "marketing_sms")
        self.assertNotEqual(again, consent)
        self.assertEqual(len(self.subscriber.telecom_consent_ids), 2)
        self.assertTrue(self.subscriber.telecom_consent_sms)

    def test_withdrawal_is_tracked_in_the_chatter(self):
        consent = self._give(self.front_office, self.subscriber, "marketing_email")
        self.env.flush_all()
        # a consent created in the transaction is not tracked before it commits
        self.env.cr.precommit.run()
        consent.with_user(self.front_office).with_context(
            tracking_disable=False, mail_notrack=False
        ).action_withdraw()
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = consent.sudo().message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "state"
        )
        self.assertEqual(len(tracked), 1)
        self.assertEqual(tracked.old_value_char, "Given")
        self.assertEqual(tracked.new_value_char, "Withdrawn")
        self.assertEqual(
            tracked.mail_message_id.author_id, self.front_office.partner_id
        )

    def test_flag_writes_record_consents(self):
        """The flags of the card before the register still work: they give and
        withdraw a consent (source: agent, or the context key)."""
        partner = self.subscriber.with_user(self.front_office)
        partner.telecom_consent_email = True
        consent = self.subscriber.telecom_consent_ids
        self.assertRecordValues(
            consent,
            [{"purpose": "marketing_email", "state": "given", "source": "agent"}],
        )
        self.assertEqual(consent.user_id, self.front_office)
        partner.with_context(telecom_consent_source="contract").write(
            {"telecom_consent_email": False, "telecom_consent_sms": True}
        )
        self.assertEqual(consent.state, "withdrawn")
        self.assertEqual(consent.withdrawal_source, "contract")
        sms = self.subscriber.telecom_consent_ids - consent
        self.assertEqual((sms.purpose, sms.source), ("marketing_sms", "contract"))
        created = self.env["res.partner"].create(
            {"name": "Signed Up", "telecom_consent_sms": True}
        )
        self.assertEqual(created.telecom_consent_ids.purpose, "marketing_sms")
        self.assertTrue(created.telecom_consent_sms)

    def test_withdrawal_takes_effect_at_once(self):
        """No commit, no cron: the next check of the policy refuses."""
        self._give(self.front_office, self.subscriber, "marketing_email")
        self._give(self.front_office, self.subscriber, "service", source="contract")
        self.assertTrue(self._allowed(self.subscriber, "email"))
        self.subscriber.telecom_consent_ids.filtered(
            lambda consent: consent.purpose == "marketing_email"
        ).with_user(self.front_office).action_withdraw()
        blocked = self.Policy._filter_contactable(
            self.subscriber.ids, "email", "marketing"
        )["blocked"]
        self.assertEqual(blocked, {self.subscriber.id: "no_consent"})
        # service notices (incidents, requests) keep their legal basis
        self.assertTrue(self._allowed(self.subscriber, "email", "service"))
        self.assertTrue(self._allowed(self.subscriber, "sms", "service"))

    def test_marketing_needs_the_consent_of_its_channel(self):
        self._give(self.front_office, self.subscriber, "marketing_sms")
        for purpose in ("marketing_call", "third_party", "cross_border", "service"):
            self._give(self.front_office, self.subscriber, purpose)
        self.assertTrue(self._allowed(self.subscriber, "sms"))
        self.assertFalse(self._allowed(self.subscriber, "email"))

    def test_a_recorded_consent_cannot_be_rewritten(self):
        consent = self._give(self.front_office, self.subscriber, "marketing_sms")
        for values in (
            {"purpose": "marketing_email"},
            {"source": "portal"},
            {"date_given": "2020-01-01 00:00:00"},
        ):
            with self.assertRaises(UserError):
                consent.with_user(self.front_office).write(values)
        with self.assertRaises(AccessError):
            consent.with_user(self.front_office).unlink()

    def test_access_per_role_and_zone(self):
        consent = self._give(self.front_office, self.subscriber, "marketing_sms")
        south = self._give(self.front_office_south, self.southerner, "marketing_sms")
        # technical support reads the register, records nothing
        self.assertEqual(consent.with_user(self.tech_support).state, "given")
        with self.assertRaises(AccessError):
            self._give(self.tech_support, self.subscriber, "marketing_email")
        with self.assertRaises(AccessError):
            consent.with_user(self.tech_support).action_withdraw()
        # an agent of another zone neither sees nor withdraws
        Consent = self.Consent.with_user(self.front_office)
        self.assertEqual(
            Consent.search([("partner_id", "in", self.southerner.ids)]),
            self.Consent,
        )
        with self.assertRaises(AccessError):
            south.with_user(self.front_office).action_withdraw()
        self.assertEqual(south.state, "given")
        # head office sees every zone; the supervisor records consents
        self.assertEqual(
            self.Consent.with_user(self.head_office).search(
                [("id", "in", (consent | south).ids)]
            ),
            consent | south,
        )
        self._give(self.supervisor, self.subscriber, "marketing_email")
        # the texts are the administrators'
        with self.assertRaises(AccessError):
            self.env["telecom.consent.text"].with_user(self.supervisor).create(
                {"name": "New", "purpose": "marketing_sms", "version": "9", "body": "x"}
            )

    def test_portal_user_sees_and_changes_own_marketing_consents_only(self):
        own = self._give(self.front_office, self.subscriber, "marketing_sms")
        service = self._give(
            self.front_office, self.subscriber, "service", source="contract"
        )
        other = self._give(self.front_office_south, self.southerner, "marketing_sms")
        Consent = self.Consent.with_user(self.portal_user)
        overview = Consent._portal_overview()
        self.assertEqual(overview["history"], own | service)
        rows = {row["purpose"]: row["consent"] for row in overview["marketing"]}
        self.assertEqual(rows["marketing_sms"], own)
        self.assertFalse(rows["marketing_email"])
        # somebody else's consent: neither read nor withdrawn
        with self.assertRaises(AccessError):
            other.with_user(self.portal_user).read(["state"])
        with self.assertRaises(AccessError):
            other.with_user(self.portal_user)._portal_withdraw()
        self.assertEqual(other.state, "given")
        # the service consent is withdrawn through the operator, not the portal
        with self.assertRaises(AccessError):
            service.with_user(self.portal_user)._portal_withdraw()
        with self.assertRaises(UserError):
            Consent._portal_give("third_party")
        # own marketing consents: given and withdrawn, journaled as portal
        email = Consent._portal_give("marketing_email")
        self.assertEqual((email.source, email.user_id), ("portal", self.portal_user))
        self.assertTrue(self.subscriber.telecom_consent_email)
        own.with_user(self.portal_user)._portal_withdraw()
        self.assertEqual(own.withdrawal_source, "portal")
        self.assertFalse(self.subscriber.telecom_consent_sms)
        self.assertEqual(
            set(self._audit(own | email).user_id.ids),
            {self.front_office.id, self.portal_user.id},
        )
