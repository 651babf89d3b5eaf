from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# churn-risk points of the satisfaction reasons
DETRACTOR_POINTS = 15  # last NPS answer 0 to 6
DETRACTOR_MAX_NPS = 6
DISSATISFIED_POINTS = 10  # CSAT average of the last 90 days at most 2
DISSATISFIED_MAX_CSAT = 2


class TelecomSubscriberMetric(models.Model):
    """The satisfaction figures of the metrics: from ``telecom.satisfaction.answer``."""

    _inherit = "telecom.subscriber.metric"

    # unknown (no answer) stays NULL: a condition on them never matches it
    nps_last = fields.Integer(
        string="Last NPS Score",
        readonly=True,
        help="Score of the subscriber's last NPS answer (0-10); empty: none.",
    )
    nps_date = fields.Datetime(string="Last NPS Answer", readonly=True)
    csat_avg_90d = fields.Float(
        string="CSAT Average (90 days)",
        readonly=True,
        digits=(3, 2),
        help="Average of the CSAT answers (1-5) of the last 90 days; empty: none.",
    )
    csat_count_90d = fields.Integer(string="CSAT Answers (90 days)", readonly=True)

    @api.model
    def _refresh_figure_queries(self, partner_ids, now):
        self.env["telecom.satisfaction.answer"].flush_model()
        return super()._refresh_figure_queries(partner_ids, now) + [
            SQL(
                """
WITH batch_ids AS (SELECT %(partner_ids)s AS ids)
UPDATE telecom_subscriber_metric m
   SET nps_last = figures.nps_last,
       nps_date = figures.nps_date,
       csat_avg_90d = figures.csat_avg,
       csat_count_90d = figures.csat_count
  FROM (
    SELECT batch.partner_id,
           last_nps.score AS nps_last,
           last_nps.date AS nps_date,
           round(csat.average, 2) AS csat_avg,
           coalesce(csat.answers, 0) AS csat_count
      FROM unnest(%(partners)s::integer[]) AS batch(partner_id)
      LEFT JOIN (
           SELECT DISTINCT ON (partner_id) partner_id, score, date
             FROM telecom_satisfaction_answer
            WHERE partner_id = ANY(%(partners)s) AND kind = 'nps'
              AND date <= %(now)s
            ORDER BY partner_id, date DESC, id DESC
           ) last_nps ON last_nps.partner_id = batch.partner_id
      LEFT JOIN (
           SELECT partner_id, avg(score) AS average, count(*) AS answers
             FROM telecom_satisfaction_answer
            WHERE partner_id = ANY(%(partners)s) AND kind = 'csat'
              AND date >= %(since_90)s AND date <= %(now)s
            GROUP BY partner_id
           ) csat ON csat.partner_id = batch.partner_id
  ) figures
 WHERE m.partner_id = figures.partner_id
   -- unchanged rows are not rewritten (most of them: no answer at all)
   AND (m.nps_last, m.nps_date, m.csat_avg_90d, m.csat_count_90d)
       IS DISTINCT FROM
       (figures.nps_last, figures.nps_date, figures.csat_avg, figures.csat_count)
""",
                partner_ids=self._id_array(partner_ids),
                # the ids once (see _refresh_query)
                partners=SQL("(SELECT ids FROM batch_ids)::integer[]"),
                now=now,
                since_90=now - timedelta(days=90),
            )
        ]

    @api.model
    def _churn_extra_points(self, now):
        return super()._churn_extra_points(now) + [
            (
                "detractor",
                SQL(
                    "CASE WHEN m.nps_last <= %s THEN %s ELSE 0 END",
                    DETRACTOR_MAX_NPS,
                    DETRACTOR_POINTS,
                ),
            ),
            (
                "dissatisfied",
                SQL(
                    "CASE WHEN m.csat_avg_90d <= %s THEN %s ELSE 0 END",
                    DISSATISFIED_MAX_CSAT,
                    DISSATISFIED_POINTS,
                ),
            ),
        ]

    def _churn_reason_labels(self):
        return {
            **super()._churn_reason_labels(),
            "detractor": self.env._("Detractor (last NPS answer 0 to 6)"),
            "dissatisfied": self.env._(
                "Dissatisfied (CSAT average of 90 days of 2 or less)"
            ),
        }
