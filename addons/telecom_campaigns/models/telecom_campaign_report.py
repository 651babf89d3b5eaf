from odoo import fields, models
from odoo.tools import SQL

GROUP_KINDS = [("variant", "Offer Sent"), ("control", "Control (Holdout)")]


class TelecomCampaignReport(models.Model):
    """Outcome of each offer response, for the uplift analysis (pivot, graph).

    One row per response. The 0/100 columns averaged give rates in percent;
    the uplift columns subtract the control group's figure of the same campaign
    from each row, so their average over a group is that group's uplift against
    control in percentage points (churn) or currency (ARPU change).
    Churn: a service of the subscriber terminated (termination or port-out) after
    the campaign's launch. ARPU change: the mean monthly charges billed over the
    campaign's ARPU window after the launch month minus before it (see
    ``telecom.campaign._arpu_change_query``); empty outside campaigns and for
    the subscribers without billed months on both sides.
    """

    _name = "telecom.campaign.report"
    _description = "Campaign Results"
    _auto = False
    _order = "campaign_id desc, id"

    campaign_id = fields.Many2one("telecom.campaign", readonly=True)
    variant_id = fields.Many2one("telecom.ab.variant", readonly=True)
    group_kind = fields.Selection(GROUP_KINDS, string="Group", readonly=True)
    offer_id = fields.Many2one("telecom.offer", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Subscriber", readonly=True)
    region_id = fields.Many2one("telecom.region", string="Zone", readonly=True)
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    state = fields.Selection(
        selection=lambda self: (
            self.env["telecom.offer.response"]
            ._fields["state"]
            ._description_selection(self.env)
        ),
        readonly=True,
    )
    launch_date = fields.Datetime(readonly=True)
    sent = fields.Integer(readonly=True, aggregator="sum")
    delivered = fields.Integer(readonly=True, aggregator="sum")
    accepted = fields.Integer(readonly=True, aggregator="sum")
    completed = fields.Integer(
        string="Request Completed", readonly=True, aggregator="sum"
    )
    churned = fields.Integer(readonly=True, aggregator="sum")
    accepted_pct = fields.Float(
        string="Acceptance (% of targeted)", readonly=True, aggregator="avg"
    )
    churn_pct = fields.Float(string="Churn Rate (%)", readonly=True, aggregator="avg")
    churn_uplift = fields.Float(
        string="Churn vs Control (points)",
        readonly=True,
        aggregator="avg",
        help="Churn rate of the group minus the control group's; negative is good.",
    )
    arpu_change = fields.Float(string="ARPU Change", readonly=True, aggregator="avg")
    arpu_uplift = fields.Float(
        string="ARPU Change vs Control",
        readonly=True,
        aggregator="avg",
        help="ARPU change of the group minus the control group's.",
    )

    @property
    def _table_query(self):
        return SQL(
            """
WITH outcome AS (
    SELECT r.id, r.campaign_id, r.variant_id, r.offer_id, r.partner_id,
           r.region_id, r.company_id, r.state,
           CASE WHEN r.state = 'control' THEN 'control' ELSE 'variant' END
               AS group_kind,
           COALESCE(c.launch_date, r.create_date) AS launch_date,
           (r.date_sent IS NOT NULL)::int AS sent,
           (r.date_delivered IS NOT NULL)::int AS delivered,
           (r.state = 'accepted')::int AS accepted,
           (r.state = 'accepted'
            AND (request.state = 'done' OR r.request_id IS NULL))::int AS completed,
           EXISTS (
               SELECT 1 FROM telecom_service_state_log log
                 JOIN telecom_service service ON service.id = log.service_id
                WHERE service.partner_id = r.partner_id
                  AND log.state = 'terminated'
                  AND log.date >= COALESCE(c.launch_date, r.create_date)
           )::int AS churned,
           arpu.arpu_change
      FROM telecom_offer_response r
 LEFT JOIN telecom_campaign c ON c.id = r.campaign_id
 LEFT JOIN telecom_request request ON request.id = r.request_id
 LEFT JOIN (%s) AS arpu
        ON arpu.response_id = r.id AND arpu.campaign_id = r.campaign_id
)
SELECT outcome.*,
       100.0 * accepted AS accepted_pct,
       100.0 * churned AS churn_pct,
       100.0 * churned - 100.0 * avg(churned) FILTER (WHERE group_kind = 'control')
           OVER (PARTITION BY campaign_id) AS churn_uplift,
       arpu_change - avg(arpu_change) FILTER (WHERE group_kind = 'control')
           OVER (PARTITION BY campaign_id) AS arpu_uplift
  FROM outcome
""",
            self.env["telecom.campaign"]._arpu_change_query(SQL("TRUE")),
        )
