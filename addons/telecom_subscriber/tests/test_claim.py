from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TelecomCommon


@tagged("post_install", "-at_install")
class TestClaim(TelecomCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.telecom_claim_days = 30
        cls.partner, cls.account = cls._create_subscriber()
        cls.service = cls._activate_line(cls.account)

    def _claim(self, **values):
        return self.env["telecom.request"].create(
            {
                "request_type": "claim",
                "partner_id": self.partner.id,
                "service_id": self.service.id,
                "claim_category": "billing",
                "claim_amount": 500,
                "reason": "Charged twice for roaming in March",
                **values,
            }
        )

    def test_claim_registration_sets_the_legal_deadline(self):
        with freeze_time("2026-02-10"):
            claim = self._claim()
            claim.action_submit()
        self.assertEqual(claim.state, "submitted")
        self.assertEqual(claim.date_deadline, date(2026, 3, 12))
        with freeze_time("2026-03-13"):
            self.assertTrue(claim.is_overdue)
            overdue = self.env["telecom.request"].search([("is_overdue", "=", True)])
            self.assertIn(claim, overdue)
            not_overdue = self.env["telecom.request"].search(
                [("is_overdue", "=", False)]
            )
            self.assertNotIn(claim, not_overdue)

    def test_claim_needs_category_and_statement(self):
        claim = self._claim(reason=False)
        with self.assertRaisesRegex(UserError, "category"):
            claim.action_submit()

    def test_upheld_claim_creates_a_refund_approved_by_supervisor(self):
        claim = self._claim()
        claim.action_submit()
        claim.write({"claim_outcome": "partial", "refund_amount": 300})
        with self.assertRaisesRegex(UserError, "outcome and the answer"):
            claim.action_complete()
        claim.resolution = "Roaming charged twice on 3 March; 300 RUB credited."
        claim.action_complete()
        refund = claim.refund_ids
        self.assertEqual(
            (refund.amount, refund.state, refund.account_id),
            (300, "draft", self.account),
        )
        with self.assertRaisesRegex(UserError, "supervisor"):
            refund.with_user(self.front_office).action_approve()
        refund.with_user(self.supervisor).action_approve()
        self.assertEqual(
            (refund.state, refund.approved_by_id), ("approved", self.supervisor)
        )
        refund.action_mark_paid()
        self.assertEqual(refund.state, "paid")
        with self.assertRaisesRegex(UserError, "cannot be cancelled"):
            refund.action_cancel()
        events = self.env["telecom.event"].search([("request_id", "=", claim.id)])
        self.assertTrue(
            {"refund.created", "refund.approved", "refund.paid"}
            <= set(events.mapped("event_type"))
        )

    def test_refund_cannot_exceed_claim_or_follow_a_dismissal(self):
        claim = self._claim()
        claim.action_submit()
        claim.write(
            {"claim_outcome": "upheld", "refund_amount": 800, "resolution": "Ok"}
        )
        with self.assertRaisesRegex(UserError, "exceed"):
            claim.action_complete()
        claim.write({"claim_outcome": "dismissed", "refund_amount": 100})
        with self.assertRaisesRegex(UserError, "dismissed"):
            claim.action_complete()
        self.assertEqual(claim.state, "submitted")

    def test_rejected_claim_is_dismissed_without_refund(self):
        claim = self._claim()
        claim.action_submit()
        claim.action_reject("Charges match the usage records")
        self.assertEqual((claim.state, claim.claim_outcome), ("rejected", "dismissed"))
        self.assertFalse(claim.refund_ids)

    def test_claims_are_not_completed_at_submission(self):
        claim = self._claim()
        claim.action_submit()
        self.assertEqual(claim.state, "submitted")
        with self.assertRaisesRegex(UserError, "cannot go"):
            claim.action_schedule()
        self.assertEqual(claim.date_deadline, self._today() + timedelta(days=30))

    def test_refund_moves_through_its_buttons_only(self):
        """Over RPC too: an agent neither forges a refund's state nor marks it paid."""
        claim = self._claim()
        claim.action_submit()
        claim.write(
            {"claim_outcome": "partial", "refund_amount": 300, "resolution": "Ok"}
        )
        claim.action_complete()
        refund = claim.refund_ids
        as_agent = refund.with_user(self.front_office)
        with self.assertRaises(AccessError):
            as_agent.write({"state": "paid"})
        with self.assertRaises(AccessError):
            self.env["telecom.refund"].with_user(self.front_office).create(
                {"claim_id": claim.id, "amount": 10, "state": "approved"}
            )
        refund.with_user(self.supervisor).action_approve()
        with self.assertRaisesRegex(UserError, "supervisor"):
            as_agent.action_mark_paid()
        with self.assertRaisesRegex(UserError, "supervisor"):
            as_agent.action_cancel()
        with self.assertRaises(UserError):
            as_agent.write({"amount": 1000})
        refund.with_user(self.supervisor).action_mark_paid()
        self.assertEqual(refund.state, "paid")
        # an agent may still cancel a refund waiting for approval
        draft = self.env["telecom.refund"].create({"claim_id": claim.id, "amount": 5})
        draft.with_user(self.front_office).action_cancel()
        self.assertEqual(draft.state, "cancelled")
