from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import CampaignsCommon


@tagged("post_install", "-at_install")
class TestSubscriberMetric(CampaignsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_own_subscribers()
        cls.Metric = cls.env["telecom.subscriber.metric"]
        # a loyal subscriber about to leave: port-out, complaints, a debt block
        cls.leaving, account = cls._create_subscriber(
            "Leaving Subscriber",
            telecom_customer_since=cls._today() - timedelta(days=800),
        )
        cls.line = cls._activate_line(
            account, cls.tariff_basic, options=cls.option_roaming | cls.option_data
        )
        cls.second_line = cls._activate_line(account, cls.tariff_unlimited)
        now = fields.Datetime.now()
        Interaction = cls.env["telecom.interaction"]
        for days, outcome in ((2, "complaint"), (10, "complaint"), (60, "complaint"),
                              (5, "information"), (200, "complaint")):  # fmt: skip
            Interaction.create(
                {
                    "partner_id": cls.leaving.id,
                    "date": now - timedelta(days=days),
                    "channel": "call",
                    "summary": f"Call {days} days ago",
                    "outcome": outcome,
                }
            )
        cls.port_out = cls.env["telecom.request"].create(
            {
                "request_type": "port_out",
                "partner_id": cls.leaving.id,
                "service_id": cls.second_line.id,
                "recipient_operator_id": cls.operator_other.id,
                "effective_date": cls._today() + timedelta(days=8),
            }
        )
        cls.port_out.action_submit()
        cls.env["telecom.request"].create(
            {
                "request_type": "block",
                "partner_id": cls.leaving.id,
                "service_id": cls.line.id,
                "block_reason": "debt",
            }
        ).action_submit()
        # a new subscriber without history
        cls.newcomer, cls.newcomer_account = cls._create_subscriber(
            "New Subscriber", zone=cls.zone_south
        )
        cls._activate_line(cls.newcomer_account, cls.tariff_unlimited)

    def _metric(self, partner):
        return self.Metric.search([("partner_id", "=", partner.id)])

    def test_refresh_computes_the_figures_and_the_explained_score(self):
        self.Metric._refresh([self.leaving.id, self.newcomer.id])
        metric = self._metric(self.leaving)
        self.assertRecordValues(
            metric,
            [
                {
                    "region_id": self.zone_north_city.id,
                    "live_service_count": 2,
                    "tenure_days": 800,
                    "contact_count_30d": 3,
                    "contact_count_90d": 4,
                    "complaint_count_30d": 2,
                    "complaint_count_90d": 3,
                    "port_out_requested": True,
                    "termination_requested": False,
                    "debt_blocked": True,
                    # 300 + 100 + 200 (basic with both options) + 900 (unlimited)
                    "recurring_fee": 1500.0,
                    # 40 port-out + 2 x 10 complaints + 1 x 5 older + 15 debt
                    "churn_risk": 80,
                    "churn_risk_level": "high",
                    "arpu_last_month": 0.0,
                }
            ],
        )
        # the latest activated live line gives the tariff
        self.assertEqual(metric.tariff_id, self.tariff_unlimited)
        self.assertEqual(
            [(reason["code"], reason["points"]) for reason in metric.churn_reasons],
            [("port_out", 40), ("complaint_30d", 20), ("debt_block", 15),
             ("complaint_90d", 5)],
        )  # fmt: skip
        self.assertIn("Port-out requested: +40", metric.churn_reason_text)
        newcomer = self._metric(self.newcomer)
        self.assertRecordValues(
            newcomer,
            [{"tenure_days": 0, "churn_risk": 10, "churn_risk_level": "low"}],
        )
        self.assertEqual(
            newcomer.churn_reasons, [{"code": "new_customer", "points": 10}]
        )

    def test_refresh_updates_in_place(self):
        self.Metric._refresh([self.leaving.id])
        metric = self._metric(self.leaving)
        self.port_out.action_cancel()
        self.Metric._refresh([self.leaving.id])
        self.assertEqual(self._metric(self.leaving), metric)
        self.assertFalse(metric.port_out_requested)
        self.assertEqual(metric.churn_risk, 40)

    def test_cron_works_in_batches_and_drops_former_subscribers(self):
        Metric = self.Metric
        self.assertEqual(Metric._cron_refresh(batch_size=1), 1)
        self.assertEqual(Metric._cron_refresh(batch_size=1), 1)
        # everything fresh: nothing left to do
        self.assertEqual(Metric._cron_refresh(batch_size=1), 0)
        self.assertEqual(Metric.search_count([]), 2)
        self.newcomer.telecom_is_subscriber = False
        Metric._cron_refresh()
        self.assertFalse(self._metric(self.newcomer))

    def test_card_shows_the_risk_with_a_constant_query_count(self):
        self.Metric._refresh([self.leaving.id, self.newcomer.id])
        spec = {
            "display_name": {},
            "telecom_churn_risk": {},
            "telecom_churn_risk_level": {},
            "telecom_active_service_count": {},
        }
        agent = self.env(user=self.head_office)
        counts = []
        # the first reads fill the caches of the registry (rules, views)
        for partner in (self.leaving, self.newcomer):
            agent.invalidate_all()
            agent["res.partner"].browse(partner.id).web_read(spec)
        for partner in (self.leaving, self.newcomer):
            agent.invalidate_all()
            before = self.env.cr.sql_log_count
            values = agent["res.partner"].browse(partner.id).web_read(spec)
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(values[0]["telecom_churn_risk"], 10)
        self.assertEqual(counts[0], counts[1])
        action = self.leaving.with_user(self.head_office).action_view_telecom_metric()
        self.assertEqual(action["res_id"], self._metric(self.leaving).id)
