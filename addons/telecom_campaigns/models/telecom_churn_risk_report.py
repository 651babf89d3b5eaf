from odoo import api, fields, models, tools
from odoo.tools import SQL

from .telecom_subscriber_metric import RISK_LEVELS

# ten-point buckets of the churn-risk score: key = lower bound, 100 falls in 90
RISK_BUCKETS = [
    (f"{low:02d}", f"{low}–{low + 9}" if low < 90 else "90–100")
    for low in range(0, 100, 10)
]


class TelecomChurnRiskReport(models.Model):
    """Churn-risk distribution of the subscribers: one row per metrics row of a
    current subscriber, with its level and ten-point bucket, for the graph and
    pivot views; ``segment_id`` narrows it to a segment's live members."""

    _name = "telecom.churn.risk.report"
    _description = "Churn Risk Distribution"
    _auto = False
    _rec_name = "partner_id"
    _order = "churn_risk desc, id"

    partner_id = fields.Many2one("res.partner", string="Subscriber", readonly=True)
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    region_id = fields.Many2one("telecom.region", string="Zone", readonly=True)
    tariff_id = fields.Many2one("product.product", string="Tariff Plan", readonly=True)
    churn_risk = fields.Integer(readonly=True, aggregator="avg")
    churn_risk_level = fields.Selection(RISK_LEVELS, string="Risk Level", readonly=True)
    risk_bucket = fields.Selection(RISK_BUCKETS, string="Risk Score", readonly=True)
    segment_id = fields.Many2one(
        "telecom.segment",
        compute="_compute_segment_id",
        search="_search_segment_id",
        help="Live members of this segment (as last refreshed).",
    )

    def _compute_segment_id(self):
        self.segment_id = False

    @api.model
    def _search_segment_id(self, operator, value):
        if operator not in ("=", "in", "ilike"):
            return NotImplemented
        if isinstance(value, str):
            segments = self.env["telecom.segment"]._search([("name", "ilike", value)])
        else:
            ids = value if isinstance(value, list | tuple) else [value]
            segments = self.env["telecom.segment"]._search([("id", "in", ids)])
        return [
            (
                "partner_id",
                "in",
                SQL(
                    """(SELECT member.partner_id FROM telecom_segment_member member
                         WHERE member.snapshot_id IS NULL
                           AND member.segment_id IN %s)""",
                    segments.subselect(),
                ),
            )
        ]

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """CREATE VIEW %s AS (
                    SELECT metric.id, metric.partner_id, metric.company_id,
                           metric.region_id, metric.tariff_id, metric.churn_risk,
                           metric.churn_risk_level,
                           lpad((least(greatest(coalesce(metric.churn_risk, 0), 0), 99)
                                 / 10 * 10)::text, 2, '0') AS risk_bucket
                      FROM telecom_subscriber_metric metric
                      JOIN res_partner partner ON partner.id = metric.partner_id
                     WHERE partner.telecom_is_subscriber AND partner.active
                )""",
                SQL.identifier(self._table),
            )
        )
