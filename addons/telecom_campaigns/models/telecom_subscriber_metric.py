from datetime import date, timedelta

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import formatLang

from odoo.addons.telecom_subscriber.tools.selections import DEVICE_TYPES

from ..tools.work_mem import work_mem

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
    # from billing's monthly figures (telecom.usage.monthly)
    "usage_drop": 15,  # data or voice down USAGE_DROP_PCT % or more
    "arpu_falling": 10,  # ARPU down ARPU_FALL_PCT % or more
    "debt": 10,  # a debt left at the close of the newest month (not blocked yet)
}
USAGE_DROP_PCT = 30
ARPU_FALL_PCT = 20
# months of billing figures read: the newest of them is "last month"
USAGE_WINDOW_MONTHS = 6
MANY_CONTACTS = 5
NEW_CUSTOMER_DAYS = 180
RISK_LEVELS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
HIGH_RISK, MEDIUM_RISK = 60, 30
# services that still count as the subscriber's (and carry a tariff)
LIVE_STATES = ("active", "blocked")
# a batch whose ids span less than this many times its size is read as a range
DENSE_BATCH_FACTOR = 2
# where the metrics cron's next batch starts (a subscriber id; 0: the first)
REFRESH_CURSOR_PARAM = "telecom_campaigns.metric_refresh_after"


def _capped_points(weight, cap):
    """The points of a reason worth ``weight`` per occurrence, at most ``cap``."""
    return sorted(
        {min(times * weight, cap) for times in range(1, -(-cap // weight) + 1)}
    )


# every value the points of each reason can take (see _reasons_sql)
REASON_POINTS = {
    code: [points]
    for code, points in CHURN_WEIGHTS.items()
    if not code.startswith("complaint_")
}
for _code in ("complaint_30d", "complaint_90d"):
    REASON_POINTS[_code] = _capped_points(
        CHURN_WEIGHTS[_code], CHURN_WEIGHTS[f"{_code}_max"]
    )
# the figure a reason carries, over the ``points`` step of the refresh
REASON_VALUES = {
    "usage_drop": SQL("round(usage_drop)"),
    "arpu_falling": SQL("round(-arpu_trend)"),
    "debt": SQL("round(debt_last::numeric, 2)"),
}


def _month_start(now, months_back):
    """The first day of the month ``months_back`` months before ``now``'s."""
    index = now.year * 12 + now.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


class TelecomSubscriberMetric(models.Model):
    """The figures marketers segment on: one narrow row per subscriber.

    Rows are written set-based by :meth:`_refresh` (one ``INSERT ... ON CONFLICT``
    per batch) from the data of ``telecom_subscriber``; nothing is computed per
    record. Billing figures (ARPU, usage, device, debt) come from the monthly
    figures billing sends (``telecom.usage.monthly``: the connector's pull or the
    usage import); they stay empty for a subscriber billing said nothing of.
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
    # billing's monthly figures (telecom.usage.monthly): empty when billing sent
    # none, never guessed. "Last month" is the newest month billing gave in the
    # last USAGE_WINDOW_MONTHS; trends compare it with the two months before.
    usage_month = fields.Date(
        string="Billing Figures Of", readonly=True, help="The newest billed month."
    )
    arpu_last_month = fields.Float(string="ARPU Last Month", readonly=True)
    arpu_3_months = fields.Float(string="ARPU 3-Month Average", readonly=True)
    arpu_trend_pct = fields.Float(
        string="ARPU Trend (%)",
        readonly=True,
        digits=(16, 1),
        help="Last month against the average of the two months before.",
    )
    data_usage_mb = fields.Float(string="Data Usage Last Month (MB)", readonly=True)
    data_trend_pct = fields.Float(
        string="Data Usage Trend (%)", readonly=True, digits=(16, 1)
    )
    voice_usage_minutes = fields.Float(
        string="Voice Usage Last Month (min)", readonly=True
    )
    voice_trend_pct = fields.Float(
        string="Voice Usage Trend (%)", readonly=True, digits=(16, 1)
    )
    sms_count = fields.Integer(string="SMS Last Month", readonly=True)
    usage_drop_pct = fields.Float(
        string="Usage Drop (%)",
        readonly=True,
        digits=(16, 1),
        help="The larger fall of data or voice usage, last month against the two "
        "months before; 0 when neither fell.",
    )
    roaming_mb = fields.Float(string="Roaming Data Last Month (MB)", readonly=True)
    roaming_used = fields.Boolean(
        string="Roams", readonly=True, help="Roaming data in one of the last 3 months."
    )
    device_type = fields.Selection(DEVICE_TYPES, readonly=True)
    device_os = fields.Char(string="Device OS", readonly=True)
    device_5g = fields.Boolean(string="5G-Capable Device", readonly=True)
    debt_amount = fields.Float(
        string="Debt", readonly=True, help="Left unpaid at the close of last month."
    )
    months_paid_late = fields.Integer(
        readonly=True,
        help="Months of the last six whose bill was paid late or is still unpaid.",
    )
    paid_share_pct = fields.Float(
        string="Share Paid (%)",
        readonly=True,
        digits=(16, 1),
        help="Paid of the charges of the last 3 months.",
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
                    reason=self._churn_reason_label(reason, labels),
                    points=reason["points"],
                )
                for reason in record[source] or []
            )

    def _churn_reason_label(self, reason, labels):
        """The label of one reason, with its figure when it carries one."""
        value = reason.get("value")
        if value is not None:
            if reason["code"] == "usage_drop":
                return self.env._("Usage dropped by %(percent)s %%", percent=value)
            if reason["code"] == "arpu_falling":
                return self.env._("ARPU falling by %(percent)s %%", percent=value)
            if reason["code"] == "debt":
                return self.env._(
                    "Debt of %(amount)s", amount=formatLang(self.env, value)
                )
        return labels.get(reason["code"], reason["code"])

    def _churn_reason_labels(self):
        return {
            "port_out": self.env._("Port-out requested"),
            "termination": self.env._("Termination requested"),
            "complaint_30d": self.env._("Complaints in the last 30 days"),
            "complaint_90d": self.env._("Complaints 31 to 90 days ago"),
            "debt_block": self.env._("Service blocked for debt"),
            "many_contacts": self.env._("Many contacts in the last 30 days"),
            "new_customer": self.env._("New customer"),
            "usage_drop": self.env._("Usage dropped"),
            "arpu_falling": self.env._("ARPU falling"),
            "debt": self.env._("Debt"),
        }

    # ------------------------------------------------------------------
    # refresh
    # ------------------------------------------------------------------
    @api.model
    def _cron_refresh(self, batch_size=50000, max_age_hours=12):
        """Refresh one batch of stale metrics; the scheduler runs it again while
        some remain (progress reported to ``ir.cron``).

        A batch is the stale rows (refreshed more than ``max_age_hours`` ago)
        in subscriber order, from where the previous batch stopped: a range of
        subscriber ids, which the refresh reads as such (see _batch_filter).
        Then the subscribers without a row yet. Rows of former subscribers are
        dropped at the end of a cycle. The progress reports the batch done and
        1 remaining while the batch was full (more may remain: counting them
        would read the whole table once per batch).
        """
        now = fields.Datetime.now()
        cutoff = now - timedelta(hours=max_age_hours)
        self.flush_model(["refresh_date"])
        self.env["res.partner"].flush_model(["telecom_is_subscriber", "active"])
        params = self.env["ir.config_parameter"].sudo()  # the cron's bookmark
        after = int(params.get_param(REFRESH_CURSOR_PARAM, 0) or 0)
        partner_ids = self._stale_partner_ids(cutoff, batch_size + 1, after=after)
        full = len(partner_ids) > batch_size
        if not full and after:
            # stale rows before the bookmark (a cycle longer than the age): read
            # once per cycle, in no particular order
            partner_ids += self._stale_partner_ids(
                cutoff, batch_size + 1 - len(partner_ids), upto=after
            )
        if len(partner_ids) <= batch_size:
            partner_ids += self._missing_partner_ids(batch_size + 1 - len(partner_ids))
        cursor = partner_ids[batch_size - 1] if full else 0
        if cursor != after:
            params.set_param(REFRESH_CURSOR_PARAM, cursor)
        batch = partner_ids[:batch_size]
        self._refresh(batch, now=now)
        # more may remain when the batch was full: not counted (a scan of the
        # whole table per batch); the scheduler runs the job again while > 0
        remaining = 1 if len(partner_ids) > batch_size else 0
        if not remaining:
            self._delete_orphans()  # once per cycle: a scan of the whole table
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining)
        return len(batch)

    @api.model
    def _stale_partner_ids(self, cutoff, limit, after=None, upto=None):
        """Subscribers of up to ``limit`` rows refreshed before ``cutoff``: in
        subscriber order after the id ``after`` (through the unique index, from
        there on), or in any order up to the id ``upto``."""
        if after is not None:
            where = SQL("partner_id > %s", after)
            order = SQL("ORDER BY partner_id")
        else:
            where = SQL("partner_id <= %s", upto)
            order = SQL()
        self.env.cr.execute(
            SQL(
                """SELECT partner_id FROM telecom_subscriber_metric
                    WHERE %(where)s
                      AND (refresh_date < %(cutoff)s OR refresh_date IS NULL)
                    %(order)s LIMIT %(limit)s""",
                where=where,
                cutoff=cutoff,
                order=order,
                limit=limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _missing_partner_ids(self, limit):
        """Up to ``limit`` active subscribers without a metrics row, by id."""
        self.env.cr.execute(
            SQL(
                """SELECT p.id FROM res_partner p
                    WHERE p.telecom_is_subscriber AND p.active
                      AND NOT EXISTS (SELECT FROM telecom_subscriber_metric m
                                       WHERE m.partner_id = p.id)
                    ORDER BY p.id LIMIT %(limit)s""",
                limit=limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

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
        for model in (
            "res.partner",
            "telecom.service",
            "telecom.request",
            "telecom.usage.monthly",
        ):
            self.env[model].flush_model()
        self.env["telecom.interaction"].flush_model()
        now = now or fields.Datetime.now()
        partner_ids = list(partner_ids)
        # rows of partners that are no longer active subscribers: not refreshed
        # below, dropped here (else the cron would pick them again and again);
        # a dense batch drops those of its whole range (read in index order)
        partners = SQL("(SELECT ids FROM batch)::integer[]")
        self.env.cr.execute(
            SQL(
                """WITH batch AS (SELECT %(partner_ids)s AS ids)
                   DELETE FROM telecom_subscriber_metric m USING res_partner p
                    WHERE %(in_batch)s AND m.partner_id = p.id
                      AND NOT (p.telecom_is_subscriber AND p.active)""",
                partner_ids=self._id_array(partner_ids),
                in_batch=self._batch_filter(SQL("p.id"), partner_ids, partners),
            )
        )
        # a batch aggregates a few hundred thousand rows: hashed in memory
        with work_mem(self.env.cr):
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
WITH batch_ids AS (SELECT %(partner_ids)s AS ids)
UPDATE telecom_subscriber_metric target
   SET churn_risk = scored.score,
       churn_risk_level = CASE WHEN scored.score >= %(high)s THEN 'high'
                               WHEN scored.score >= %(medium)s THEN 'medium'
                               ELSE 'low' END,
       churn_reasons = scored.reasons
  FROM (
    SELECT m.id,
           least(100, sum(r.points)) AS score,
           jsonb_agg(r.reason ORDER BY r.points DESC, r.code) AS reasons
      FROM telecom_subscriber_metric m
     CROSS JOIN LATERAL (
           -- base reasons kept whole (a reason may carry its figure: "value")
           SELECT base.value ->> 'code' AS code,
                  (base.value ->> 'points')::integer AS points,
                  base.value AS reason
             FROM jsonb_array_elements(coalesce(m.churn_reasons, '[]'::jsonb)) base
            UNION ALL
           SELECT code, points,
                  jsonb_build_object('code', code, 'points', points) AS reason
             FROM (VALUES %(extra)s) AS extra(code, points)
           ) r
     WHERE m.partner_id = ANY(%(partners)s) AND r.points > 0
       -- the base statement wrote the base reasons alone: a row without
       -- extra points is scored already (most rows)
       AND (%(has_extra)s)
     GROUP BY m.id
  ) scored
 WHERE target.id = scored.id
   AND target.churn_reasons IS DISTINCT FROM scored.reasons
""",
            extra=extra,
            has_extra=SQL(" OR ").join(
                SQL("(%s) > 0", points) for __, points in extra_points
            ),
            partner_ids=self._id_array(partner_ids),
            partners=SQL("(SELECT ids FROM batch_ids)::integer[]"),
            high=HIGH_RISK,
            medium=MEDIUM_RISK,
        )

    @api.model
    def _id_array(self, partner_ids):
        """``partner_ids`` as one ``integer[]`` literal: parsed at once, where
        a list is an array of as many constants to parse and plan (more than a
        second for 50,000 under load, once per statement of a batch)."""
        numbers = ",".join(str(int(id_)) for id_ in partner_ids)
        return SQL("%s::integer[]", f"{{{numbers}}}")

    @api.model
    def _batch_filter(self, column, partner_ids, partners):
        """Rows of the batch in the tables the refresh aggregates.

        A batch of the cron is a dense range of subscriber ids (most ids
        between its first and last are in it): read as that range, the rows of
        a table indexed on the subscriber come in one index range scan, in the
        order they were written, instead of one index probe per subscriber
        (several times slower on 50,000). The few rows of subscribers in the
        range but not in the batch are aggregated too and dropped by the join
        to the batch's subscribers. A sparse list is probed id by id.
        """
        low, high = min(partner_ids), max(partner_ids)
        if high - low < DENSE_BATCH_FACTOR * len(partner_ids):
            return SQL("%s BETWEEN %s AND %s", column, low, high)
        return SQL("%s = ANY(%s)", column, partners)

    @api.model
    def _reasons_sql(self):
        """The stored reasons of a row of the ``points`` step: one object per
        reason with points, ordered by points (descending) then code.

        An expression, not a sorted subquery per row (which cost a sixth of
        the statement): every value a reason's points can take is a slot, the
        slots are sorted here once, and each row keeps the slots its points
        fill.
        """
        slots = []
        for code, values in REASON_POINTS.items():
            slots += [(points, code) for points in values]
        slots.sort(key=lambda slot: (-slot[0], slot[1]))
        objects = []
        for points, code in slots:
            value = REASON_VALUES.get(code)
            reason = SQL(
                "jsonb_build_object('code', %s::text, 'points', %s::integer)",
                code,
                points,
            )
            if value:
                reason = SQL(
                    "jsonb_strip_nulls(%s || jsonb_build_object('value', %s))",
                    reason,
                    value,
                )
            objects.append(
                SQL(
                    "CASE WHEN %s = %s THEN %s END",
                    SQL.identifier(f"p_{code}"),
                    points,
                    reason,
                )
            )
        return SQL(
            "to_jsonb(array_remove(ARRAY[%s]::jsonb[], NULL))",
            SQL(", ").join(objects),
        )

    @api.model
    def _refresh_query(self, partner_ids, now):
        weights = CHURN_WEIGHTS
        partners = SQL("(SELECT ids FROM batch)::int[]")
        return SQL(
            """
WITH batch AS (
    SELECT %(partner_ids)s AS ids
), subscriber AS (
    SELECT id, company_id, telecom_region_id, telecom_customer_since, create_date
      FROM res_partner
     WHERE id = ANY(%(partners)s) AND telecom_is_subscriber AND active
), batch_service AS MATERIALIZED (
    -- the services of the batch, read once for the three figures below
    SELECT id, partner_id, state, block_reason, activation_date, tariff_id
      FROM telecom_service
     WHERE %(in_batch)s
), service AS (
    SELECT s.partner_id,
           count(*) FILTER (WHERE s.state IN %(live)s) AS live_count,
           bool_or(s.state = 'blocked' AND s.block_reason = 'debt') AS debt_blocked,
           min(s.activation_date) AS first_activation,
           sum(tariff.telecom_monthly_fee) FILTER (WHERE s.state IN %(live)s) AS fee
      FROM batch_service s
      JOIN product_product tariff_variant ON tariff_variant.id = s.tariff_id
      JOIN product_template tariff ON tariff.id = tariff_variant.product_tmpl_id
     GROUP BY s.partner_id
), option_fee AS (
    SELECT s.partner_id, sum(option.telecom_monthly_fee) AS fee
      FROM batch_service s
      JOIN telecom_service_option_rel rel ON rel.service_id = s.id
      JOIN product_product option_variant ON option_variant.id = rel.product_id
      JOIN product_template option ON option.id = option_variant.product_tmpl_id
     WHERE s.state IN %(live)s
     GROUP BY s.partner_id
), main_tariff AS (
    SELECT DISTINCT ON (partner_id) partner_id, tariff_id
      FROM batch_service
     WHERE state IN %(live)s
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
     WHERE %(in_batch)s AND date >= %(since_90)s AND date <= %(now)s
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
     WHERE %(in_batch)s
       AND (NOT is_closed OR create_date >= %(since_90)s)
     GROUP BY partner_id
), usage_month AS (
    -- billing's months of the subscriber, all lines summed
    SELECT partner_id, month,
           sum(charged_amount) AS charged, sum(paid_amount) AS paid,
           sum(debt_amount) AS debt, sum(data_mb) AS data_mb,
           sum(voice_minutes) AS voice, sum(sms_count) AS sms,
           sum(roaming_mb) AS roaming, bool_or(paid_late) AS late
      FROM telecom_usage_monthly
     WHERE %(in_batch)s AND month >= %(usage_since)s
     GROUP BY partner_id, month
), usage_aged AS (
    -- age 1: the newest month billing gave, 2: the month before...
    SELECT usage_month.*,
           (12 * (extract(year FROM newest) - extract(year FROM month))
            + extract(month FROM newest) - extract(month FROM month))::int + 1
               AS age
      FROM (SELECT usage_month.*,
                   max(month) OVER (PARTITION BY partner_id) AS newest
              FROM usage_month) AS usage_month
), usage_figures AS (
    SELECT partner_id,
           max(month) AS newest,
           max(charged) FILTER (WHERE age = 1) AS arpu_last,
           avg(charged) FILTER (WHERE age <= 3) AS arpu_3,
           avg(charged) FILTER (WHERE age IN (2, 3)) AS arpu_before,
           max(data_mb) FILTER (WHERE age = 1) AS data_last,
           avg(data_mb) FILTER (WHERE age IN (2, 3)) AS data_before,
           max(voice) FILTER (WHERE age = 1) AS voice_last,
           avg(voice) FILTER (WHERE age IN (2, 3)) AS voice_before,
           max(sms) FILTER (WHERE age = 1) AS sms_last,
           max(roaming) FILTER (WHERE age = 1) AS roaming_last,
           coalesce(bool_or(roaming > 0) FILTER (WHERE age <= 3), false)
               AS roaming_used,
           max(debt) FILTER (WHERE age = 1) AS debt_last,
           count(*) FILTER (WHERE late) AS months_late,
           100.0 * sum(paid) FILTER (WHERE age <= 3)
               / nullif(sum(charged) FILTER (WHERE age <= 3), 0) AS paid_share
      FROM usage_aged
     GROUP BY partner_id
), usage_trend AS (
    SELECT usage_figures.*,
           round((100.0 * (arpu_last - arpu_before)
                  / nullif(arpu_before, 0))::numeric, 1) AS arpu_trend,
           round((100.0 * (data_last - data_before)
                  / nullif(data_before, 0))::numeric, 1) AS data_trend,
           round((100.0 * (voice_last - voice_before)
                  / nullif(voice_before, 0))::numeric, 1) AS voice_trend
      FROM usage_figures
), device AS (
    -- the device of the newest month, a handset's before a router's
    SELECT DISTINCT ON (partner_id) partner_id, device_type, device_os, device_5g
      FROM telecom_usage_monthly
     WHERE %(in_batch)s AND month >= %(usage_since)s
       AND device_type IS NOT NULL
     ORDER BY partner_id, month DESC,
              device_type IN ('smartphone', 'feature_phone', 'tablet') DESC,
              service_id DESC
), figures AS (
    SELECT sub.id AS partner_id,
           sub.company_id,
           sub.telecom_region_id AS region_id,
           main_tariff.tariff_id,
           coalesce(service.live_count, 0) AS live_count,
           greatest(0, %(today)s::date - coalesce(sub.telecom_customer_since,
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
           coalesce(service.fee, 0) + coalesce(option_fee.fee, 0) AS fee,
           usage_trend.newest AS usage_month,
           usage_trend.arpu_last, usage_trend.arpu_3, usage_trend.arpu_trend,
           usage_trend.data_last, usage_trend.data_trend,
           usage_trend.voice_last, usage_trend.voice_trend,
           usage_trend.sms_last, usage_trend.roaming_last,
           usage_trend.roaming_used,
           CASE WHEN usage_trend.data_trend IS NULL
                     AND usage_trend.voice_trend IS NULL THEN NULL
                ELSE greatest(0, -usage_trend.data_trend, -usage_trend.voice_trend)
           END AS usage_drop,
           usage_trend.debt_last, usage_trend.months_late, usage_trend.paid_share,
           device.device_type, device.device_os, device.device_5g
      FROM subscriber sub
      LEFT JOIN service ON service.partner_id = sub.id
      LEFT JOIN option_fee ON option_fee.partner_id = sub.id
      LEFT JOIN main_tariff ON main_tariff.partner_id = sub.id
      LEFT JOIN contact ON contact.partner_id = sub.id
      LEFT JOIN request ON request.partner_id = sub.id
      LEFT JOIN usage_trend ON usage_trend.partner_id = sub.id
      LEFT JOIN device ON device.partner_id = sub.id
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
                ELSE 0 END AS p_new_customer,
           CASE WHEN usage_drop >= %(usage_drop_pct)s THEN %(w_usage_drop)s
                ELSE 0 END AS p_usage_drop,
           CASE WHEN arpu_trend <= -%(arpu_fall_pct)s THEN %(w_arpu_falling)s
                ELSE 0 END AS p_arpu_falling,
           CASE WHEN debt_last > 0 AND NOT debt_blocked THEN %(w_debt)s
                ELSE 0 END AS p_debt
      FROM figures
), scored AS (
    SELECT points.*,
           least(100, p_port_out + p_termination + p_complaint_30d + p_complaint_90d
                      + p_debt_block + p_many_contacts + p_new_customer
                      + p_usage_drop + p_arpu_falling + p_debt) AS score,
           %(reasons)s AS reasons
      FROM points
)
INSERT INTO telecom_subscriber_metric (
    partner_id, company_id, region_id, tariff_id, live_service_count, tenure_days,
    contact_count_30d, contact_count_90d, complaint_count_30d, complaint_count_90d,
    open_request_count, port_out_requested, termination_requested, debt_blocked,
    recurring_fee, churn_risk, churn_risk_level, churn_reasons, refresh_date,
    usage_month, arpu_last_month, arpu_3_months, arpu_trend_pct, data_usage_mb,
    data_trend_pct, voice_usage_minutes, voice_trend_pct, sms_count,
    usage_drop_pct, roaming_mb, roaming_used, device_type, device_os, device_5g,
    debt_amount, months_paid_late, paid_share_pct,
    create_uid, create_date, write_uid, write_date)
SELECT partner_id, company_id, region_id, tariff_id, live_count, tenure,
       contacts_30, contacts_90, complaints_30, complaints_90,
       open_count, port_out, termination, debt_blocked,
       fee, score,
       CASE WHEN score >= %(high)s THEN 'high'
            WHEN score >= %(medium)s THEN 'medium' ELSE 'low' END,
       reasons, %(now)s,
       usage_month, arpu_last, arpu_3, arpu_trend, data_last,
       data_trend, voice_last, voice_trend, sms_last,
       usage_drop, roaming_last, coalesce(roaming_used, false), device_type,
       device_os, coalesce(device_5g, false),
       debt_last, months_late, paid_share,
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
    usage_month = EXCLUDED.usage_month,
    arpu_last_month = EXCLUDED.arpu_last_month,
    arpu_3_months = EXCLUDED.arpu_3_months,
    arpu_trend_pct = EXCLUDED.arpu_trend_pct,
    data_usage_mb = EXCLUDED.data_usage_mb,
    data_trend_pct = EXCLUDED.data_trend_pct,
    voice_usage_minutes = EXCLUDED.voice_usage_minutes,
    voice_trend_pct = EXCLUDED.voice_trend_pct,
    sms_count = EXCLUDED.sms_count,
    usage_drop_pct = EXCLUDED.usage_drop_pct,
    roaming_mb = EXCLUDED.roaming_mb,
    roaming_used = EXCLUDED.roaming_used,
    device_type = EXCLUDED.device_type,
    device_os = EXCLUDED.device_os,
    device_5g = EXCLUDED.device_5g,
    debt_amount = EXCLUDED.debt_amount,
    months_paid_late = EXCLUDED.months_paid_late,
    paid_share_pct = EXCLUDED.paid_share_pct,
    write_uid = EXCLUDED.write_uid,
    write_date = EXCLUDED.write_date
""",
            partner_ids=self._id_array(partner_ids),
            # the ids once, as a value the planner does not expand: estimating
            # "= ANY(<20,000 constants>)" element by element took longer than
            # running the query, once per CTE
            partners=partners,
            in_batch=self._batch_filter(SQL("partner_id"), partner_ids, partners),
            live=LIVE_STATES,
            now=now,
            # the date agents see (a customer since "today" in Moscow is
            # tenure 0, not -1, between 21:00 and 24:00 UTC)
            today=fields.Date.context_today(self, now),
            since_30=now - timedelta(days=30),
            since_90=now - timedelta(days=90),
            many_contacts=MANY_CONTACTS,
            new_customer_days=NEW_CUSTOMER_DAYS,
            usage_since=_month_start(now, USAGE_WINDOW_MONTHS),
            usage_drop_pct=USAGE_DROP_PCT,
            arpu_fall_pct=ARPU_FALL_PCT,
            high=HIGH_RISK,
            medium=MEDIUM_RISK,
            uid=self.env.uid,
            reasons=self._reasons_sql(),
            **{f"w_{code}": points for code, points in weights.items()},
        )
