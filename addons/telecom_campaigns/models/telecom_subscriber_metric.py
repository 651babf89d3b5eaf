from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# Points of each churn-risk reason: the score is their sum, capped at 100.
# The reasons stored with the score name these codes (see _churn_reason_labels).
CHURN_WEIGHTS = {
    "port_out": 40,  # an open port-out request
    "termination": 35,  # an open termination request
    "complaint_30d": 10,  # per complaint in the last 30 days...
    "complaint_30d_max": 30,  # ...at most
    "complaint_90d": 5,  # per older complaint (31-90 days)...
    "complaint_90d_max": 15,  # ...at most
    "debt_block": 15,  # a service blocked for debt
    "many_contacts": 10,  # MANY_CONTACTS or more contacts in 30 days
    "new_customer": 10,  # tenure under NEW_CUSTOMER_DAYS
}
MANY_CONTACTS = 5
NEW_CUSTOMER_DAYS = 180
RISK_LEVELS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
HIGH_RISK, MEDIUM_RISK = 60, 30
# services that still count as the subscriber's (and carry a tariff)
LIVE_STATES = ("active", "blocked")


class TelecomSubscriberMetric(models.Model):
    """The figures marketers segment on: one narrow row per subscriber.

    Rows are written set-based by :meth:`_refresh` (one ``INSERT ... ON CONFLICT``
    per batch) from the data of ``telecom_subscriber``; nothing is computed per
    record. Billing figures (ARPU, usage) stay empty until a billing source feeds
    them (see the roadmap).
    """

    _name = "telecom.subscriber.metric"
    _description = "Subscriber Metrics"
    _order = "churn_risk desc, id"
    _rec_name = "partner_id"

    # no index of its own: the unique constraint on it is one
    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    region_id = fields.Many2one(
        "telecom.region", string="Zone", readonly=True, index=True
    )
    tariff_id = fields.Many2one(
        "product.product",
        string="Tariff Plan",
        readonly=True,
        index="btree_not_null",
        help="Tariff of the subscriber's most recently activated live service.",
    )
    live_service_count = fields.Integer(
        string="Live Services", readonly=True, help="Active or blocked services."
    )
    tenure_days = fields.Integer(
        string="Tenure (days)",
        readonly=True,
        help="Days since the customer-since date, else since the first activation.",
    )
    contact_count_30d = fields.Integer(string="Contacts (30 days)", readonly=True)
    contact_count_90d = fields.Integer(string="Contacts (90 days)", readonly=True)
    complaint_count_30d = fields.Integer(
        string="Complaints (30 days)",
        readonly=True,
        help="Contacts with the outcome Complaint plus claims filed.",
    )
    complaint_count_90d = fields.Integer(string="Complaints (90 days)", readonly=True)
    open_request_count = fields.Integer(string="Open Requests", readonly=True)
    port_out_requested = fields.Boolean(string="Port-Out Requested", readonly=True)
    termination_requested = fields.Boolean(readonly=True)
    debt_blocked = fields.Boolean(string="Blocked for Debt", readonly=True)
    recurring_fee = fields.Float(
        string="Recurring Monthly Fee",
        readonly=True,
        digits="Product Price",
        help="Catalog fee of the tariffs and options of the live services.",
    )
    # fed by billing once it sends usage and charges (not yet): empty, never guessed
    arpu_last_month = fields.Float(string="ARPU Last Month", readonly=True)
    arpu_3_months = fields.Float(string="ARPU 3-Month Average", readonly=True)
    data_usage_mb = fields.Float(string="Data Usage Last Month (MB)", readonly=True)
    voice_usage_minutes = fields.Float(
        string="Voice Usage Last Month (min)", readonly=True
    )
    churn_risk = fields.Integer(readonly=True, index=True, help="From 0 to 100.")
    churn_risk_level = fields.Selection(RISK_LEVELS, string="Risk Level", readonly=True)
    churn_reasons = fields.Json(readonly=True)
    churn_reason_text = fields.Text(
        string="Churn Risk Reasons", compute="_compute_churn_reason_text"
    )
    # not indexed, on purpose: see init()
    refresh_date = fields.Datetime(string="Refreshed On", readonly=True)

    _sql_constraints = [
        ("partner_uniq", "unique(partner_id)", "One metrics row per subscriber."),
    ]

    def init(self):
        # The daily refresh rewrites every row. Without an index on the columns
        # that change every day (refresh date, figures) and with room for a second
        # version of each row in its page, PostgreSQL updates a row in its page
        # without writing any index entry ("HOT") whenever its zone, tariff and
        # score did not change: most rows. Measured on 1,000,000 subscribers
        # (bench/campaign_segments.py): 2 WAL records per row instead of 8. Hence
        # no index on refresh_date, churn_risk_level, nor on partner_id besides
        # its unique constraint, and pages half filled (a batch rewrites most rows
        # of a page in one transaction: 80 % would leave room for a quarter).
        cr = self.env.cr
        for index in ("refresh_date", "churn_risk_level", "partner_id"):
            cr.execute(
                SQL(
                    "DROP INDEX IF EXISTS %s",
                    SQL.identifier(f"telecom_subscriber_metric__{index}_index"),
                )
            )
        cr.execute("ALTER TABLE telecom_subscriber_metric SET (fillfactor = 50)")

    @api.depends("churn_reasons")
    def _compute_churn_reason_text(self):
        self._format_churn_reasons(self, "churn_reasons", "churn_reason_text")

    @api.model
    def _format_churn_reasons(self, records, source, target):
        """Write on ``records.<target>`` the reasons of ``records.<source>``
        (a list of ``{"code", "points"}``) as one translated line each."""
        labels = self._churn_reason_labels()
        for record in records:
            record[target] = "\n".join(
                self.env._(
                    "%(reason)s: +%(points)s",
                    reason=labels.get(reason["code"], reason["code"]),
                    points=reason["points"],
                )
                for reason in record[source] or []
            )

    def _churn_reason_labels(self):
        return {
            "port_out": self.env._("Port-out requested"),
            "termination": self.env._("Termination requested"),
            "complaint_30d": self.env._("Complaints in the last 30 days"),
            "complaint_90d": self.env._("Complaints 31 to 90 days ago"),
            "debt_block": self.env._("Service blocked for debt"),
            "many_contacts": self.env._("Many contacts in the last 30 days"),
            "new_customer": self.env._("New customer"),
        }

    # ------------------------------------------------------------------
    # refresh
    # ------------------------------------------------------------------
    @api.model
    def _cron_refresh(self, batch_size=50000, max_age_hours=12):
        """Refresh one batch of stale metrics; the scheduler runs it again while
        some remain (progress reported to ``ir.cron``).

        A batch is the rows refreshed longest ago (older than ``max_age_hours``),
        then the subscribers without a row yet. Each step reads at most one batch:
        the cost of a call does not grow with the number of subscribers already
        refreshed. Rows of former subscribers are dropped at the end of a cycle.
        """
        now = fields.Datetime.now()
        cutoff = now - timedelta(hours=max_age_hours)
        self.flush_model(["refresh_date"])
        self.env["res.partner"].flush_model(["telecom_is_subscriber", "active"])
        cr = self.env.cr
        cr.execute(
            SQL(
                """SELECT partner_id FROM telecom_subscriber_metric
                    WHERE refresh_date < %(cutoff)s OR refresh_date IS NULL
                    LIMIT %(limit)s""",
                cutoff=cutoff,
                limit=batch_size + 1,
            )
        )
        partner_ids = [row[0] for row in cr.fetchall()]
        if len(partner_ids) <= batch_size:
            cr.execute(
                SQL(
                    """SELECT p.id FROM res_partner p
                        WHERE p.telecom_is_subscriber AND p.active
                          AND NOT EXISTS (SELECT FROM telecom_subscriber_metric m
                                           WHERE m.partner_id = p.id)
                        ORDER BY p.id LIMIT %(limit)s""",
                    limit=batch_size + 1 - len(partner_ids),
                )
            )
            partner_ids += [row[0] for row in cr.fetchall()]
        batch = partner_ids[:batch_size]
        self._refresh(batch, now=now)
        remaining = 0
        if len(partner_ids) > batch_size:
            # rows still stale; subscribers without a row are counted once reached
            cr.execute(
                SQL(
                    """SELECT count(*) FROM telecom_subscriber_metric
                        WHERE refresh_date < %(cutoff)s OR refresh_date IS NULL""",
                    cutoff=cutoff,
                )
            )
            remaining = max(cr.fetchone()[0], 1)
        else:
            self._delete_orphans()  # once per cycle: a scan of the whole table
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining)
        return len(batch)

    @api.model
    def _delete_orphans(self):
        """Drop the rows of partners that are no longer active subscribers."""
        self.env.cr.execute(
            SQL(
                """DELETE FROM telecom_subscriber_metric m USING res_partner p
                    WHERE p.id = m.partner_id
                      AND NOT (p.telecom_is_subscriber AND p.active)"""
            )
        )
        self.invalidate_model()

    @api.model
    def _refresh(self, partner_ids, now=None):
        """Compute the metrics of ``partner_ids`` in one statement (upsert)."""
        if not partner_ids:
            return
        self.flush_model()
        for model in ("res.partner", "telecom.service", "telecom.request"):
            self.env[model].flush_model()
        self.env["telecom.interaction"].flush_model()
        now = now or fields.Datetime.now()
        partner_ids = list(partner_ids)
        # rows of partners that are no longer active subscribers: not refreshed
        # below, dropped here (else the cron would pick them again and again)
        self.env.cr.execute(
            SQL(
                """DELETE FROM telecom_subscriber_metric m USING res_partner p
                    WHERE m.partner_id = ANY(%s) AND p.id = m.partner_id
                      AND NOT (p.telecom_is_subscriber AND p.active)""",
                partner_ids,
            )
        )
        self.env.cr.execute(self._refresh_query(partner_ids, now))
        self._refresh_extra(partner_ids, now)
        self.invalidate_model()

    @api.model
    def _refresh_extra(self, partner_ids, now):
        """Figures and churn reasons of other sources (satisfaction answers,
        bridges), on the rows the base statement just wrote: one UPDATE per
        source, then one rescoring UPDATE when there are extra reasons."""
        for query in self._refresh_figure_queries(partner_ids, now):
            self.env.cr.execute(query)
        extra_points = self._churn_extra_points(now)
        if extra_points:
            self.env.cr.execute(self._rescore_query(partner_ids, extra_points))

    @api.model
    def _refresh_figure_queries(self, partner_ids, now):
        """Hook: set-based statements filling more columns of the rows of
        ``partner_ids`` (``UPDATE telecom_subscriber_metric ... FROM (aggregate)``).
        Overrides flush the models they read and extend the list."""
        return []

    @api.model
    def _churn_extra_points(self, now):
        """Hook: more churn reasons, as ``(code, SQL)`` pairs whose SQL gives the
        points of the reason from the metrics row aliased ``m``. Give each code a
        label in :meth:`_churn_reason_labels`."""
        return []

    @api.model
    def _rescore_query(self, partner_ids, extra_points):
        """Add the extra reasons to the base ones and recompute the score (the
        sum of every reason's points, capped at 100) of the rows of
        ``partner_ids``."""
        extra = SQL(", ").join(
            SQL("(%s, (%s)::integer)", code, points) for code, points in extra_points
        )
        return SQL(
            """
WITH batch_ids AS (SELECT %(partner_ids)s::integer[] AS ids)
UPDATE telecom_subscriber_metric target
   SET churn_risk = scored.score,
       churn_risk_level = CASE WHEN scored.score >= %(high)s THEN 'high'
                               WHEN scored.score >= %(medium)s THEN 'medium'
                               ELSE 'low' END,
       churn_reasons = scored.reasons
  FROM (
    SELECT m.id,
           least(100, sum(r.points)) AS score,
           jsonb_agg(jsonb_build_object('code', r.code, 'points', r.points)
                     ORDER BY r.points DESC, r.code) AS reasons
      FROM telecom_subscriber_metric m
     CROSS JOIN LATERAL (
           SELECT base.value ->> 'code' AS code,
                  (base.value ->> 'points')::integer AS points
             FROM jsonb_array_elements(coalesce(m.churn_reasons, '[]'::jsonb)) base
            UNION ALL
           SELECT code, points FROM (VALUES %(extra)s) AS extra(code, points)
           ) r
     WHERE m.partner_id = ANY(%(partners)s) AND r.points > 0
     GROUP BY m.id
  ) scored
 WHERE target.id = scored.id
   AND target.churn_reasons IS DISTINCT FROM scored.reasons
""",
            extra=extra,
            partner_ids=partner_ids,
            partners=SQL("(SELECT ids FROM batch_ids)::integer[]"),
            high=HIGH_RISK,
            medium=MEDIUM_RISK,
        )

    @api.model
    def _refresh_query(self, partner_ids, now):
        weights = CHURN_WEIGHTS
        return SQL(
            """
WITH batch AS (
    SELECT %(partner_ids)s::int[] AS ids
), subscriber AS (
    SELECT id, company_id, telecom_region_id, telecom_customer_since, create_date
      FROM res_partner
     WHERE id = ANY(%(partners)s) AND telecom_is_subscriber AND active
), service AS (
    SELECT s.partner_id,
           count(*) FILTER (WHERE s.state IN %(live)s) AS live_count,
           bool_or(s.state = 'blocked' AND s.block_reason = 'debt') AS debt_blocked,
           min(s.activation_date) AS first_activation,
           sum(tariff.telecom_monthly_fee) FILTER (WHERE s.state IN %(live)s) AS fee
      FROM telecom_service s
      JOIN product_product tariff_variant ON tariff_variant.id = s.tariff_id
      JOIN product_template tariff ON tariff.id = tariff_variant.product_tmpl_id
     WHERE s.partner_id = ANY(%(partners)s)
     GROUP BY s.partner_id
), option_fee AS (
    SELECT s.partner_id, sum(option.telecom_monthly_fee) AS fee
      FROM telecom_service s
      JOIN telecom_service_option_rel rel ON rel.service_id = s.id
      JOIN product_product option_variant ON option_variant.id = rel.product_id
      JOIN product_template option ON option.id = option_variant.product_tmpl_id
     WHERE s.partner_id = ANY(%(partners)s) AND s.state IN %(live)s
     GROUP BY s.partner_id
), main_tariff AS (
    SELECT DISTINCT ON (partner_id) partner_id, tariff_id
      FROM telecom_service
     WHERE partner_id = ANY(%(partners)s) AND state IN %(live)s
     ORDER BY partner_id, activation_date DESC NULLS LAST, id DESC
), contact AS (
    SELECT partner_id,
           count(*) FILTER (WHERE channel != 'system' AND date >= %(since_30)s)
               AS contacts_30,
           count(*) FILTER (WHERE channel != 'system') AS contacts_90,
           count(*) FILTER (WHERE outcome = 'complaint' AND date >= %(since_30)s)
               AS complaints_30,
           count(*) FILTER (WHERE outcome = 'complaint') AS complaints_90
      FROM telecom_interaction
     WHERE partner_id = ANY(%(partners)s) AND date >= %(since_90)s AND date <= %(now)s
     GROUP BY partner_id
), request AS (
    SELECT partner_id,
           count(*) FILTER (WHERE NOT is_closed) AS open_count,
           coalesce(bool_or(request_type = 'port_out' AND NOT is_closed
                            AND state != 'draft'), false) AS port_out,
           coalesce(bool_or(request_type = 'termination' AND NOT is_closed
                            AND state != 'draft'), false) AS termination,
           count(*) FILTER (WHERE request_type = 'claim' AND state != 'cancelled'
                              AND create_date >= %(since_30)s) AS claims_30,
           count(*) FILTER (WHERE request_type = 'claim' AND state != 'cancelled'
                              AND create_date >= %(since_90)s) AS claims_90
      FROM telecom_request
     WHERE partner_id = ANY(%(partners)s)
       AND (NOT is_closed OR create_date >= %(since_90)s)
     GROUP BY partner_id
), figures AS (
    SELECT sub.id AS partner_id,
           sub.company_id,
           sub.telecom_region_id AS region_id,
           main_tariff.tariff_id,
           coalesce(service.live_count, 0) AS live_count,
           (%(today)s::date - coalesce(sub.telecom_customer_since,
                                       service.first_activation,
                                       sub.create_date::date)) AS tenure,
           coalesce(contact.contacts_30, 0) AS contacts_30,
           coalesce(contact.contacts_90, 0) AS contacts_90,
           coalesce(contact.complaints_30, 0) + coalesce(request.claims_30, 0)
               AS complaints_30,
           coalesce(contact.complaints_90, 0) + coalesce(request.claims_90, 0)
               AS complaints_90,
           coalesce(request.open_count, 0) AS open_count,
           coalesce(request.port_out, false) AS port_out,
           coalesce(request.termination, false) AS termination,
           coalesce(service.debt_blocked, false) AS debt_blocked,
           coalesce(service.fee, 0) + coalesce(option_fee.fee, 0) AS fee
      FROM subscriber sub
      LEFT JOIN service ON service.partner_id = sub.id
      LEFT JOIN option_fee ON option_fee.partner_id = sub.id
      LEFT JOIN main_tariff ON main_tariff.partner_id = sub.id
      LEFT JOIN contact ON contact.partner_id = sub.id
      LEFT JOIN request ON request.partner_id = sub.id
), points AS (
    SELECT figures.*,
           CASE WHEN port_out THEN %(w_port_out)s ELSE 0 END AS p_port_out,
           CASE WHEN termination THEN %(w_termination)s ELSE 0 END AS p_termination,
           least(complaints_30 * %(w_complaint_30d)s, %(w_complaint_30d_max)s)
               AS p_complaint_30d,
           least((complaints_90 - complaints_30) * %(w_complaint_90d)s,
                 %(w_complaint_90d_max)s) AS p_complaint_90d,
           CASE WHEN debt_blocked THEN %(w_debt_block)s ELSE 0 END AS p_debt_block,
           CASE WHEN contacts_30 >= %(many_contacts)s THEN %(w_many_contacts)s
                ELSE 0 END AS p_many_contacts,
           CASE WHEN tenure < %(new_customer_days)s THEN %(w_new_customer)s
                ELSE 0 END AS p_new_customer
      FROM figures
), scored AS (
    SELECT points.*,
           least(100, p_port_out + p_termination + p_complaint_30d + p_complaint_90d
                      + p_debt_block + p_many_contacts + p_new_customer) AS score,
           (SELECT coalesce(jsonb_agg(jsonb_build_object('code', r.code,
                                                         'points', r.points)
                                      ORDER BY r.points DESC, r.code), '[]'::jsonb)
              FROM (VALUES ('port_out', p_port_out),
                           ('termination', p_termination),
                           ('complaint_30d', p_complaint_30d),
                           ('complaint_90d', p_complaint_90d),
                           ('debt_block', p_debt_block),
                           ('many_contacts', p_many_contacts),
                           ('new_customer', p_new_customer)) AS r(code, points)
             WHERE r.points > 0) AS reasons
      FROM points
)
INSERT INTO telecom_subscriber_metric (
    partner_id, company_id, region_id, tariff_id, live_service_count, tenure_days,
    contact_count_30d, contact_count_90d, complaint_count_30d, complaint_count_90d,
    open_request_count, port_out_requested, termination_requested, debt_blocked,
    recurring_fee, churn_risk, churn_risk_level, churn_reasons, refresh_date,
    create_uid, create_date, write_uid, write_date)
SELECT partner_id, company_id, region_id, tariff_id, live_count, tenure,
       contacts_30, contacts_90, complaints_30, complaints_90,
       open_count, port_out, termination, debt_blocked,
       fee, score,
       CASE WHEN score >= %(high)s THEN 'high'
            WHEN score >= %(medium)s THEN 'medium' ELSE 'low' END,
       reasons, %(now)s,
       %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM scored
ON CONFLICT (partner_id) DO UPDATE SET
    company_id = EXCLUDED.company_id,
    region_id = EXCLUDED.region_id,
    tariff_id = EXCLUDED.tariff_id,
    live_service_count = EXCLUDED.live_service_count,
    tenure_days = EXCLUDED.tenure_days,
    contact_count_30d = EXCLUDED.contact_count_30d,
    contact_count_90d = EXCLUDED.contact_count_90d,
    complaint_count_30d = EXCLUDED.complaint_count_30d,
    complaint_count_90d = EXCLUDED.complaint_count_90d,
    open_request_count = EXCLUDED.open_request_count,
    port_out_requested = EXCLUDED.port_out_requested,
    termination_requested = EXCLUDED.termination_requested,
    debt_blocked = EXCLUDED.debt_blocked,
    recurring_fee = EXCLUDED.recurring_fee,
    churn_risk = EXCLUDED.churn_risk,
    churn_risk_level = EXCLUDED.churn_risk_level,
    churn_reasons = EXCLUDED.churn_reasons,
    refresh_date = EXCLUDED.refresh_date,
    write_uid = EXCLUDED.write_uid,
    write_date = EXCLUDED.write_date
""",
            partner_ids=partner_ids,
            # the ids once, as a value the planner does not expand: estimating
            # "= ANY(<20,000 constants>)" element by element took longer than
            # running the query, once per CTE
            partners=SQL("(SELECT ids FROM batch)::int[]"),
            live=LIVE_STATES,
            now=now,
            today=now.date(),
            since_30=now - timedelta(days=30),
            since_90=now - timedelta(days=90),
            many_contacts=MANY_CONTACTS,
            new_customer_days=NEW_CUSTOMER_DAYS,
            high=HIGH_RISK,
            medium=MEDIUM_RISK,
            uid=self.env.uid,
            **{f"w_{code}": points for code, points in weights.items()},
        )
