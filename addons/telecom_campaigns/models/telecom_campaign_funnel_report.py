from odoo import fields, models
from odoo.tools import SQL

FUNNEL_STAGES = [
    ("targeted", "1. Targeted"),
    ("sent", "2. Sent"),
    ("delivered", "3. Delivered"),
    ("accepted", "4. Accepted"),
    ("completed", "5. Request Completed"),
]


class TelecomCampaignFunnelReport(models.Model):
    """The campaign funnel: one row per response and stage it reached.

    Counted per stage it gives targeted → sent → delivered → accepted →
    request completed (the control group is only "targeted").
    """

    _name = "telecom.campaign.funnel.report"
    _description = "Campaign Funnel"
    _auto = False
    _order = "campaign_id desc, stage"

    campaign_id = fields.Many2one("telecom.campaign", readonly=True)
    variant_id = fields.Many2one("telecom.ab.variant", readonly=True)
    is_control = fields.Boolean(string="Control Group", readonly=True)
    offer_id = fields.Many2one("telecom.offer", readonly=True)
    response_id = fields.Many2one("telecom.offer.response", readonly=True)
    region_id = fields.Many2one("telecom.region", string="Zone", readonly=True)
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    stage = fields.Selection(FUNNEL_STAGES, readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
SELECT r.id * 10 + step.position AS id, r.id AS response_id, r.campaign_id,
       r.variant_id, r.state = 'control' AS is_control, r.offer_id, r.region_id,
       r.company_id, step.stage
  FROM telecom_offer_response r
  LEFT JOIN telecom_request request ON request.id = r.request_id
 CROSS JOIN LATERAL (VALUES
       (1, 'targeted', TRUE),
       (2, 'sent', r.date_sent IS NOT NULL),
       (3, 'delivered', r.date_delivered IS NOT NULL),
       (4, 'accepted', r.state = 'accepted'),
       (5, 'completed', r.state = 'accepted'
                        AND (request.state = 'done' OR r.request_id IS NULL))
 ) AS step(position, stage, reached)
 WHERE step.reached
"""
        )
