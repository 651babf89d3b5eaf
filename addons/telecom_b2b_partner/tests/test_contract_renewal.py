from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from .common import B2bCommon


@tagged("post_install", "-at_install")
class TestContractRenewal(B2bCommon):
    """Reminders N days before the end, auto-renewal and expiry by the daily
    job, which can run twice without doing anything twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["telecom.b2b.contract"])
        # other contracts (demo data) are not ours: out of the job's way
        cls.env["telecom.b2b.contract"].search([]).write({"state": "draft"})

        def contract(partner, days_left, **values):
            record = cls._create_contract(
                partner,
                date_start=cls.today - relativedelta(months=11),
                date_end=cls.today + relativedelta(days=days_left),
                **values,
            )
            record.action_activate()
            return record

        cls.due_soon = contract(cls.entity_north, 20, reminder_days=30)
        cls.not_yet = contract(cls.entity_south, 40, reminder_days=30)
        cls.ended_auto = contract(cls.site_north, -1, auto_renew=True, renewal_months=6)
        cls.ended = contract(cls.site_south, -1)
        cls.activity_type = cls.env.ref(
            "telecom_b2b_partner.mail_activity_type_contract_renewal"
        )

    def _reminders(self, contracts):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "telecom.b2b.contract"),
                ("res_id", "in", contracts.ids),
                ("activity_type_id", "=", self.activity_type.id),
            ]
        )

    def test_job_reminds_renews_and_ends(self):
        Contract = self.env["telecom.b2b.contract"]
        Contract._cron_process_renewals()
        self.assertEqual(self.due_soon.state, "expiring")
        reminder = self._reminders(self.due_soon)
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.user_id, self.seller_north)
        self.assertEqual(reminder.date_deadline, self.due_soon.date_end)
        self.assertEqual(self.not_yet.state, "active")
        self.assertFalse(self._reminders(self.not_yet))
        self.assertEqual(self.ended_auto.state, "renewed")
        successor = self.ended_auto.renewed_by_ids
        self.assertEqual(successor.state, "active")
        self.assertEqual(successor.date_start, self.today)
        self.assertEqual(
            successor.date_end, self.today + relativedelta(months=6, days=-1)
        )
        self.assertEqual(self.ended.state, "terminated")
        self.assertEqual(self.ended.termination_reason, "expired")

        # a second run the same day does nothing more
        contracts = Contract.search([("partner_id", "child_of", self.holding.id)])
        Contract._cron_process_renewals()
        self.assertEqual(
            Contract.search([("partner_id", "child_of", self.holding.id)]), contracts
        )
        self.assertEqual(len(self._reminders(contracts)), 1)

    def test_job_works_in_batches(self):
        Contract = self.env["telecom.b2b.contract"]
        Contract._cron_process_renewals(batch_size=1)
        # one reminder and one ended contract per run
        self.assertEqual(self.due_soon.state, "expiring")
        ended = self.ended_auto | self.ended
        self.assertEqual(ended.mapped("state").count("active"), 1)
        Contract._cron_process_renewals(batch_size=1)
        self.assertEqual(self.ended_auto.state, "renewed")
        self.assertEqual(self.ended.state, "terminated")

    def test_renewing_closes_the_reminder(self):
        self.env["telecom.b2b.contract"]._cron_process_renewals()
        self.due_soon.with_user(self.seller_north).action_renew()
        self.assertFalse(self._reminders(self.due_soon))
        self.assertEqual(self.due_soon.renewed_by_ids.state, "active")
