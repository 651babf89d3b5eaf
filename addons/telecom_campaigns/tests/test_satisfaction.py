from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CampaignsCommon


@tagged("post_install", "-at_install")
class TestSatisfaction(CampaignsCommon):
    """NPS/CSAT answers recorded and imported by marketers feed the metrics,
    the churn-risk reasons and the segment conditions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_own_subscribers()
        cls.Metric = cls.env["telecom.subscriber.metric"]
        cls.loyal, account = cls._create_subscriber(
            "Loyal Subscriber",
            telecom_customer_since=fields.Date.today() - timedelta(days=900),
        )
        cls._activate_line(account)
        cls.unhappy, account = cls._create_subscriber(
            "Unhappy Subscriber",
            telecom_customer_since=fields.Date.today() - timedelta(days=900),
        )
        cls._activate_line(account)
        cls.south, account = cls._create_subscriber(
            "South Subscriber", zone=cls.zone_south
        )
        cls._activate_line(account)
        cls.Answer = cls.env["telecom.satisfaction.answer"].with_user(
            cls.marketer_north
        )

    def _answer(self, partner, kind, score, days=1, **values):
        return self.Answer.create(
            {
                "partner_id": partner.id,
                "kind": kind,
                "score": score,
                "date": fields.Datetime.now() - timedelta(days=days),
                **values,
            }
        )

    def _metric(self, partner):
        return self.Metric.with_user(self.marketer_north).search(
            [("partner_id", "=", partner.id)]
        )

    def test_scores_outside_the_scale_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "between 0 and 10, not 11"):
            self._answer(self.loyal, "nps", 11)
        with self.assertRaisesRegex(ValidationError, "between 1 and 5, not 0"):
            self._answer(self.loyal, "csat", 0)
        self.assertEqual(self._answer(self.loyal, "nps", 0).score, 0)
        self.assertEqual(self._answer(self.loyal, "csat", 5).score, 5)

    def test_import_reports_invalid_rows_and_records_valid_ones(self):
        header = ["partner_id", "kind", "score", "date", "channel", "source_reference"]
        when = fields.Datetime.to_string(fields.Datetime.now() - timedelta(days=1))
        result = self.Answer.load(
            header,
            [
                ["Unhappy Subscriber", "CSAT (1-5)", "7", when, "SMS", "S-1"],
                ["Unhappy Subscriber", "NPS (0-10)", "3", when, "SMS", "S-2"],
            ],
        )
        self.assertFalse(result["ids"])
        self.assertEqual(len(result["messages"]), 1)
        self.assertIn("between 1 and 5, not 7", result["messages"][0]["message"])
        result = self.Answer.load(
            header,
            [
                ["Unhappy Subscriber", "NPS (0-10)", "3", when, "SMS", "S-2"],
                ["Unhappy Subscriber", "CSAT (1-5)", "2", when, "Email", "S-3"],
            ],
        )
        self.assertEqual(len(result["ids"]), 2, result["messages"])
        answers = self.Answer.browse(result["ids"])
        self.assertEqual(answers.mapped("score"), [3, 2])
        self.assertEqual(answers.mapped("region_id"), self.zone_north_city)
        # the same reference of the survey tool is recorded once
        result = self.Answer.load(
            header, [["Unhappy Subscriber", "NPS (0-10)", "9", when, "SMS", "S-2"]]
        )
        self.assertFalse(result["ids"])
        self.assertIn("S-2 was already recorded", result["messages"][0]["message"])

    def test_metrics_score_and_explain_satisfaction(self):
        self._answer(self.loyal, "nps", 3, days=200)
        self._answer(self.loyal, "nps", 10, days=3)  # the last answer counts
        self._answer(self.loyal, "csat", 5, days=10)
        self._answer(self.unhappy, "nps", 9, days=30)
        self._answer(self.unhappy, "nps", 4, days=2)
        self._answer(self.unhappy, "csat", 1, days=5)
        self._answer(self.unhappy, "csat", 2, days=20)
        self._answer(self.unhappy, "csat", 5, days=120)  # older than 90 days
        self.Metric._refresh([self.loyal.id, self.unhappy.id, self.south.id])
        loyal, unhappy = self._metric(self.loyal), self._metric(self.unhappy)
        self.assertRecordValues(
            loyal | unhappy,
            [
                {
                    "nps_last": 10,
                    "csat_avg_90d": 5.0,
                    "csat_count_90d": 1,
                    "churn_risk": 0,
                    "churn_risk_level": "low",
                    "churn_reasons": [],
                },
                {
                    "nps_last": 4,
                    "csat_avg_90d": 1.5,
                    "csat_count_90d": 2,
                    "churn_risk": 25,
                    "churn_risk_level": "low",
                    "churn_reasons": [
                        {"code": "detractor", "points": 15},
                        {"code": "dissatisfied", "points": 10},
                    ],
                },
            ],
        )
        self.assertIn("Detractor", unhappy.churn_reason_text)
        # a subscriber who never answered has no score, not a score of 0
        self.Metric.flush_model()
        self.env.cr.execute(
            "SELECT nps_last, csat_avg_90d FROM telecom_subscriber_metric"
            " WHERE partner_id = %s",
            [self.south.id],
        )
        self.assertEqual(self.env.cr.fetchone(), (None, None))
        # the satisfaction reasons add up with the base ones (new customer)
        self.Answer.with_user(self.marketer_south).create(
            {"partner_id": self.south.id, "kind": "nps", "score": 6}
        )
        self.Metric._refresh([self.south.id])
        south = self.Metric.search([("partner_id", "=", self.south.id)])
        self.assertEqual(south.churn_risk, 25)
        self.assertEqual(
            [reason["code"] for reason in south.churn_reasons],
            ["detractor", "new_customer"],
        )
        # a second refresh gives the same figures (extra reasons not added twice)
        self.Metric._refresh([self.south.id])
        self.assertEqual(south.churn_risk, 25)

    def test_segment_on_satisfaction(self):
        self._answer(self.loyal, "nps", 10)
        self._answer(self.unhappy, "nps", 2)
        self.Metric._refresh([self.loyal.id, self.unhappy.id, self.south.id])
        segment = (
            self.env["telecom.segment"]
            .with_user(self.marketer_north)
            .create(
                {
                    "name": "Detractors",
                    "condition_ids": [
                        (
                            0,
                            0,
                            {
                                "field_name": "nps_last",
                                "operator": "<=",
                                "value_number": 6,
                            },
                        )
                    ],
                }
            )
        )
        segment.action_refresh_members()
        # the subscriber who never answered is not a detractor
        self.assertEqual(segment.member_ids.partner_id, self.unhappy)

    def test_marketer_sees_answers_of_own_zones(self):
        self._answer(self.loyal, "nps", 8)
        self.env["telecom.satisfaction.answer"].create(
            {"partner_id": self.south.id, "kind": "csat", "score": 3}
        )
        Answer = self.env["telecom.satisfaction.answer"]
        self.assertEqual(
            Answer.with_user(self.marketer_north).search([]).partner_id, self.loyal
        )
        self.assertEqual(
            Answer.with_user(self.marketer_south).search([]).partner_id, self.south
        )
        with self.assertRaisesRegex(ValidationError, "not a subscriber"):
            self.Answer.create(
                {
                    "partner_id": self.marketer_north.partner_id.id,
                    "kind": "nps",
                    "score": 5,
                }
            )
