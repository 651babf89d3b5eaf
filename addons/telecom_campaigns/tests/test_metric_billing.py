from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools.misc import formatLang

from ..models.telecom_subscriber_metric import _month_start
from .common import CampaignsCommon

TODAY = fields.Date.today()


@tagged("post_install", "-at_install")
class TestMetricBillingFigures(CampaignsCommon):
    """ARPU, usage, device and payment figures from billing's monthly rows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_own_subscribers()
        cls.Metric = cls.env["telecom.subscriber.metric"]
        now = fields.Datetime.now()
        cls.month_1, cls.month_2, cls.month_3 = (
            _month_start(now, back) for back in (1, 2, 3)
        )
        # a loyal subscriber whose usage and bills fall, with a debt
        cls.fading, account = cls._create_subscriber(
            "Fading Subscriber", telecom_customer_since=TODAY - timedelta(days=800)
        )
        cls.fading_line = cls._activate_line(account)
        cls.steady, steady_account = cls._create_subscriber(
            "Steady Subscriber", telecom_customer_since=TODAY - timedelta(days=800)
        )
        cls.steady_line = cls._activate_line(steady_account)
        cls.silent, _account = cls._create_subscriber(
            "No Billing Figures", telecom_customer_since=TODAY - timedelta(days=800)
        )

        def month(line, when, charged, data, voice, **extra):
            return {
                "service_id": line.id,
                "month": when,
                "charged_amount": charged,
                "paid_amount": charged - extra.get("debt_amount", 0.0),
                "data_mb": data,
                "voice_minutes": voice,
                "sms_count": 10,
                "roaming_mb": 0.0,
                **extra,
            }

        phone = {"device_type": "smartphone", "device_os": "Android 14"}
        cls.env["telecom.usage.monthly"]._upsert_monthly(
            [
                month(cls.fading_line, cls.month_3, 1000, 10000, 300, **phone),
                month(cls.fading_line, cls.month_2, 1000, 10000, 300,
                      paid_late=True, **phone),
                month(cls.fading_line, cls.month_1, 700, 4000, 290,
                      debt_amount=250.0, paid_late=True, roaming_mb=120.0,
                      device_5g=True, **phone),
                month(cls.steady_line, cls.month_2, 500, 2000, 100,
                      device_type="feature_phone"),
                month(cls.steady_line, cls.month_1, 510, 2100, 100,
                      device_type="feature_phone"),
            ],
            "billing",
        )  # fmt: skip

    def _metric(self, partner):
        return self.Metric.search([("partner_id", "=", partner.id)])

    def test_refresh_fills_the_billing_figures_and_explains_the_risk(self):
        self.Metric._refresh([self.fading.id, self.steady.id, self.silent.id])
        fading = self._metric(self.fading).with_user(self.marketer_north)
        self.assertRecordValues(
            fading,
            [
                {
                    "usage_month": self.month_1,
                    "arpu_last_month": 700.0,
                    "arpu_3_months": 900.0,
                    "arpu_trend_pct": -30.0,
                    "data_usage_mb": 4000.0,
                    "data_trend_pct": -60.0,
                    "voice_trend_pct": -3.3,
                    "usage_drop_pct": 60.0,
                    "sms_count": 10,
                    "roaming_mb": 120.0,
                    "roaming_used": True,
                    "device_type": "smartphone",
                    "device_os": "Android 14",
                    "device_5g": True,
                    "debt_amount": 250.0,
                    "months_paid_late": 2,
                    "paid_share_pct": 90.7,
                    # 15 usage drop + 10 ARPU falling + 10 debt
                    "churn_risk": 35,
                    "churn_risk_level": "medium",
                }
            ],
        )
        self.assertEqual(
            fading.churn_reasons,
            [
                {"code": "usage_drop", "points": 15, "value": 60},
                {"code": "arpu_falling", "points": 10, "value": 30},
                {"code": "debt", "points": 10, "value": 250},
            ],
        )
        self.assertIn("Usage dropped by 60 %: +15", fading.churn_reason_text)
        self.assertIn("ARPU falling by 30 %: +10", fading.churn_reason_text)
        # amounts follow the language's number format (the demo company is Russian)
        debt = formatLang(self.env, 250)
        self.assertIn(f"Debt of {debt}: +10", fading.churn_reason_text)
        steady = self._metric(self.steady)
        self.assertRecordValues(
            steady,
            [
                {
                    "arpu_last_month": 510.0,
                    "arpu_trend_pct": 2.0,
                    "usage_drop_pct": 0.0,
                    "device_type": "feature_phone",
                    "debt_amount": 0.0,
                    "months_paid_late": 0,
                    "churn_risk": 0,
                }
            ],
        )
        # billing said nothing: unknown, not zero (conditions never match it)
        self.env.cr.execute(
            """SELECT arpu_last_month, usage_drop_pct, device_type, debt_amount
                 FROM telecom_subscriber_metric WHERE partner_id = %s""",
            [self.silent.id],
        )
        self.assertEqual(self.env.cr.fetchone(), (None, None, None, None))
        # the card shows last month's ARPU to the agent
        card = self.fading.with_user(self.marketer_north)
        self.assertEqual(card.telecom_arpu_last_month, 700.0)

    def test_reasons_read_in_russian(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(
            ["telecom_campaigns"], ["ru_RU"], overwrite=True
        )
        self.Metric._refresh([self.fading.id])
        metric = self._metric(self.fading).with_context(lang="ru_RU")
        self.assertIn("Потребление упало на 60 %", metric.churn_reason_text)

    def test_segments_on_billing_figures_as_a_marketer(self):
        self.Metric._refresh([self.fading.id, self.steady.id, self.silent.id])
        Segment = self.env["telecom.segment"].with_user(self.marketer_north)

        def members(*conditions, match="all"):
            segment = Segment.create(
                {
                    "name": "Billing segment",
                    "match": match,
                    "condition_ids": [(0, 0, values) for values in conditions],
                }
            )
            segment._refresh_members()
            self.segment = segment
            return segment.member_ids.partner_id

        self.assertEqual(
            members(
                {"field_name": "usage_drop_pct", "operator": ">=", "value_number": 50},
                {
                    "field_name": "device_type",
                    "operator": "=",
                    "value_device_type": "smartphone",
                },
            ),
            self.fading,
        )
        self.assertEqual(
            members(
                {
                    "field_name": "arpu_last_month",
                    "operator": "between",
                    "value_number": 400,
                    "value_number_to": 600,
                }
            ),
            self.steady,
        )
        self.assertEqual(
            members(
                {"field_name": "device_5g", "operator": "set"},
                {"field_name": "roaming_used", "operator": "set"},
                {"field_name": "debt_amount", "operator": ">", "value_number": 0},
            ),
            self.fading,
        )
        self.assertEqual(
            self.segment.condition_ids[0].summary, "5G-Capable Device is true"
        )
        # "differs from" keeps the subscribers billing said nothing of
        self.assertEqual(
            members(
                {
                    "field_name": "device_type",
                    "operator": "!=",
                    "value_device_type": "smartphone",
                }
            ),
            self.steady | self.silent,
        )
        self.assertEqual(
            self.segment.condition_ids.summary, "Device Type differs from Smartphone"
        )
