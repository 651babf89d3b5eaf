"""Campaign metrics and segments over the generated subscribers, each Odoo path
beside PostgreSQL doing the same work as raw SQL, with the goals of the issue.

    python3 bench/generate.py --db bench_campaigns --subscribers 1000000   # once
    python3 bench/campaign_segments.py --db bench_campaigns

Measures, in this order:

- ``metrics_refresh``: the metrics of every subscriber refreshed the way the daily
  cron does it: ``telecom.subscriber.metric._cron_refresh()`` called again while it
  finds stale rows, one transaction (committed) per batch of 20,000, as
  ``ir.cron`` runs it. The rows are first made stale (``refresh_date`` moved back
  two days, not timed); ``--metrics-from-empty`` deletes them instead (the first
  run after installation). Beside it, ``metrics_raw_sql``: one hand-written
  ``INSERT ... SELECT ... GROUP BY ... ON CONFLICT DO UPDATE`` over all the
  subscribers computing the same figures, score and reasons (rolled back; the
  row count, score and fee totals of both are printed).
  Goal: 120 s.
- ``segment_preview``: the size shown live on the segment form
  (``preview_count``, the compiled query under the record rules of a Marketing
  User of the eight bench zones), beside a hand-written ``count(*)``. Goal: 2 s.
- ``segment_materialise_first`` / ``_again``: ``telecom.segment._refresh_members()``
  (the cron's path) into an empty membership, then again with nothing changed,
  beside one hand-written ``INSERT ... SELECT`` of the same members (rolled back).
  Goal: 10 s. ``segment_snapshot``: ``_freeze_snapshot()`` (what a campaign
  launch does: refresh, then copy the members; rolled back), no goal.
- ``segment_breakdown``: members by zone x tariff as the Marketing User
  (``_get_breakdown``, the ``read_group`` behind the pivot) beside a raw
  ``GROUP BY``. Goal: 3 s.

The segment (``BENCH segment``, created once) has several conditions: zone is one
of six bench zones AND tenure at least a year AND customer segment is not
business AND (churn risk at least 10 OR recurring fee at least 600 OR a
complaint in 90 days) - the last three as a nested "any" group when the
conditions have groups (``is_group``), otherwise the segment keeps the first
three and "recurring fee at least 600".

Exit status 1 when a goal is missed.
"""

import os
import time
from datetime import timedelta

from campaign_common import Goals, bench_marketer, bench_subscriber_count
from common import load_registry, measure, odoo_env, parse_args, timed_runs

SEGMENT_NAME = "BENCH segment"
SIX_ZONES = [f"BENCH-R0{number}" for number in range(1, 7)]
GOALS = {
    "metrics_refresh": 120,
    "segment_preview": 2,
    "segment_materialise": 10,
    "segment_breakdown": 3,
}


def configure(parser):
    parser.add_argument("--runs", type=int, default=3, help="runs of the fast measures")
    parser.add_argument(
        "--metrics-from-empty",
        action="store_true",
        help="delete the metrics rows first instead of making them stale",
    )
    parser.add_argument(
        "--parts",
        default="metrics,segment",
        help="what to measure, comma-separated: metrics, segment (default: both)",
    )


class Rollback(Exception):
    """Ends a measured transaction without committing it."""


# ----------------------------------------------------------------------
# metrics
# ----------------------------------------------------------------------
def metrics_totals(cr):
    cr.execute(
        """SELECT count(*), coalesce(sum(churn_risk), 0),
                  round(coalesce(sum(recurring_fee), 0)::numeric, 2)
             FROM telecom_subscriber_metric"""
    )
    return cr.fetchone()


def vacuum(args, table):
    """VACUUM ANALYZE ``table`` (outside a transaction: its own connection)."""
    import psycopg2

    connection = psycopg2.connect(
        dbname=args.db,
        host=args.db_host,
        port=args.db_port,
        user=args.db_user,
        password=args.db_password,
    )
    connection.autocommit = True
    with connection.cursor() as cr:
        cr.execute(f"VACUUM ANALYZE {table}")
    connection.close()


def refresh_metrics_cron(registry, args):
    """The cron's batched path; returns (seconds, batches)."""
    with odoo_env(registry) as env:
        if args.metrics_from_empty:
            env.cr.execute("TRUNCATE telecom_subscriber_metric")
        else:
            # a day later: every row stale (then vacuumed, as autovacuum would)
            env.cr.execute(
                """UPDATE telecom_subscriber_metric
                      SET refresh_date = refresh_date - interval '2 days'"""
            )
    vacuum(args, "telecom_subscriber_metric")
    batches = 0
    start = time.perf_counter()
    while True:
        # one transaction per batch, committed: what ir.cron does between calls
        with odoo_env(registry) as env:
            done = env["telecom.subscriber.metric"]._cron_refresh()
        if not done:
            break
        batches += 1
    return time.perf_counter() - start, batches


RAW_METRICS = """
WITH service AS (
    SELECT s.partner_id,
           count(*) FILTER (WHERE s.state IN ('active', 'blocked')) AS live_count,
           bool_or(s.state = 'blocked' AND s.block_reason = 'debt') AS debt_blocked,
           min(s.activation_date) AS first_activation,
           sum(t.telecom_monthly_fee) FILTER (WHERE s.state IN ('active', 'blocked'))
               AS fee,
           (array_agg(s.tariff_id ORDER BY s.activation_date DESC NULLS LAST, s.id DESC)
               FILTER (WHERE s.state IN ('active', 'blocked')))[1] AS tariff_id
      FROM telecom_service s
      JOIN product_product pp ON pp.id = s.tariff_id
      JOIN product_template t ON t.id = pp.product_tmpl_id
     GROUP BY s.partner_id
), option_fee AS (
    SELECT s.partner_id, sum(t.telecom_monthly_fee) AS fee
      FROM telecom_service s
      JOIN telecom_service_option_rel r ON r.service_id = s.id
      JOIN product_product pp ON pp.id = r.product_id
      JOIN product_template t ON t.id = pp.product_tmpl_id
     WHERE s.state IN ('active', 'blocked')
     GROUP BY s.partner_id
), contact AS (
    SELECT partner_id,
           count(*) FILTER (WHERE channel != 'system' AND date >= %(d30)s) AS c30,
           count(*) FILTER (WHERE channel != 'system') AS c90,
           count(*) FILTER (WHERE outcome = 'complaint' AND date >= %(d30)s) AS k30,
           count(*) FILTER (WHERE outcome = 'complaint') AS k90
      FROM telecom_interaction
     WHERE date >= %(d90)s AND date <= %(now)s
     GROUP BY partner_id
), request AS (
    SELECT partner_id,
           count(*) FILTER (WHERE NOT is_closed) AS open_count,
           bool_or(request_type = 'port_out' AND NOT is_closed AND state != 'draft')
               AS port_out,
           bool_or(request_type = 'termination' AND NOT is_closed AND state != 'draft')
               AS termination,
           count(*) FILTER (WHERE request_type = 'claim' AND state != 'cancelled'
                              AND create_date >= %(d30)s) AS claims_30,
           count(*) FILTER (WHERE request_type = 'claim' AND state != 'cancelled'
                              AND create_date >= %(d90)s) AS claims_90
      FROM telecom_request
     WHERE NOT is_closed OR create_date >= %(d90)s
     GROUP BY partner_id
), figures AS (
    SELECT p.id AS partner_id, p.company_id, p.telecom_region_id AS region_id,
           s.tariff_id, coalesce(s.live_count, 0) AS live_count,
           %(today)s::date - coalesce(p.telecom_customer_since, s.first_activation,
                                      p.create_date::date) AS tenure,
           coalesce(c.c30, 0) AS c30, coalesce(c.c90, 0) AS c90,
           coalesce(c.k30, 0) + coalesce(r.claims_30, 0) AS k30,
           coalesce(c.k90, 0) + coalesce(r.claims_90, 0) AS k90,
           coalesce(r.open_count, 0) AS open_count,
           coalesce(r.port_out, false) AS port_out,
           coalesce(r.termination, false) AS termination,
           coalesce(s.debt_blocked, false) AS debt_blocked,
           coalesce(s.fee, 0) + coalesce(o.fee, 0) AS fee
      FROM res_partner p
      LEFT JOIN service s ON s.partner_id = p.id
      LEFT JOIN option_fee o ON o.partner_id = p.id
      LEFT JOIN contact c ON c.partner_id = p.id
      LEFT JOIN request r ON r.partner_id = p.id
     WHERE p.telecom_is_subscriber AND p.active
), points AS (
    SELECT f.*,
           CASE WHEN port_out THEN 40 ELSE 0 END AS a,
           CASE WHEN termination THEN 35 ELSE 0 END AS b,
           least(k30 * 10, 30) AS c,
           least((k90 - k30) * 5, 15) AS d,
           CASE WHEN debt_blocked THEN 15 ELSE 0 END AS e,
           CASE WHEN c30 >= 5 THEN 10 ELSE 0 END AS g,
           CASE WHEN tenure < 180 THEN 10 ELSE 0 END AS h
      FROM figures f
), scored AS (
    SELECT points.*, least(100, a + b + c + d + e + g + h) AS score,
           (SELECT coalesce(jsonb_agg(jsonb_build_object('code', code, 'points', pts)
                                      ORDER BY pts DESC, code), '[]')
              FROM (VALUES ('port_out', a), ('termination', b), ('complaint_30d', c),
                           ('complaint_90d', d), ('debt_block', e),
                           ('many_contacts', g), ('new_customer', h)) v(code, pts)
             WHERE pts > 0) AS reasons
      FROM points
)
INSERT INTO telecom_subscriber_metric (
    partner_id, company_id, region_id, tariff_id, live_service_count, tenure_days,
    contact_count_30d, contact_count_90d, complaint_count_30d, complaint_count_90d,
    open_request_count, port_out_requested, termination_requested, debt_blocked,
    recurring_fee, churn_risk, churn_risk_level, churn_reasons, refresh_date,
    create_uid, create_date, write_uid, write_date)
SELECT partner_id, company_id, region_id, tariff_id, live_count, tenure, c30, c90,
       k30, k90, open_count, port_out, termination, debt_blocked, fee, score,
       CASE WHEN score >= 60 THEN 'high' WHEN score >= 30 THEN 'medium' ELSE 'low' END,
       reasons, %(now)s, 1, %(now)s, 1, %(now)s
  FROM scored
ON CONFLICT (partner_id) DO UPDATE SET
    company_id = EXCLUDED.company_id, region_id = EXCLUDED.region_id,
    tariff_id = EXCLUDED.tariff_id, live_service_count = EXCLUDED.live_service_count,
    tenure_days = EXCLUDED.tenure_days, contact_count_30d = EXCLUDED.contact_count_30d,
    contact_count_90d = EXCLUDED.contact_count_90d,
    complaint_count_30d = EXCLUDED.complaint_count_30d,
    complaint_count_90d = EXCLUDED.complaint_count_90d,
    open_request_count = EXCLUDED.open_request_count,
    port_out_requested = EXCLUDED.port_out_requested,
    termination_requested = EXCLUDED.termination_requested,
    debt_blocked = EXCLUDED.debt_blocked, recurring_fee = EXCLUDED.recurring_fee,
    churn_risk = EXCLUDED.churn_risk, churn_risk_level = EXCLUDED.churn_risk_level,
    churn_reasons = EXCLUDED.churn_reasons, refresh_date = EXCLUDED.refresh_date,
    write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
"""


def refresh_metrics_raw(registry, reference_totals):
    """The same figures in one statement (rolled back); returns seconds."""
    try:
        with odoo_env(registry) as env:
            cr = env.cr
            cr.execute("SELECT now() AT TIME ZONE 'UTC'")
            now = cr.fetchone()[0]
            start = time.perf_counter()
            cr.execute(
                RAW_METRICS,
                {
                    "now": now,
                    "today": now.date(),
                    "d30": now - timedelta(days=30),
                    "d90": now - timedelta(days=90),
                },
            )
            elapsed = time.perf_counter() - start
            totals = metrics_totals(cr)
            raise Rollback(elapsed, totals)
    except Rollback as done:
        elapsed, totals = done.args
    # the cron's batches ran over minutes (30/90-day windows moved meanwhile):
    # the totals may differ by a few contacts
    measure("metrics_totals_cron", " / ".join(map(str, reference_totals)), "")
    measure("metrics_totals_raw_sql", " / ".join(map(str, totals)), "")
    return elapsed


# ----------------------------------------------------------------------
# segment
# ----------------------------------------------------------------------
def bench_segment(env):
    """The segment of several conditions (nested when groups exist)."""
    from odoo import Command

    Segment = env["telecom.segment"].with_context(tracking_disable=True)
    segment = Segment.search([("name", "=", SEGMENT_NAME)], limit=1)
    if segment:
        return segment
    zones = env["telecom.region"].search([("code", "in", SIX_ZONES)])
    conditions = [
        Command.create(
            {"field_name": "region", "operator": "in", "region_ids": zones.ids}
        ),
        Command.create(
            {"field_name": "tenure_days", "operator": ">=", "value_number": 365}
        ),
        Command.create(
            {
                "field_name": "customer_segment",
                "operator": "!=",
                "value_segment": "b2b",
            }
        ),
    ]
    Condition = env["telecom.segment.condition"]
    fee = {"field_name": "recurring_fee", "operator": ">=", "value_number": 600}
    if "is_group" in Condition._fields:
        risk = {"field_name": "churn_risk", "operator": ">=", "value_number": 10}
        complaint = {
            "field_name": "complaint_count_90d",
            "operator": ">=",
            "value_number": 1,
        }
        conditions.append(
            Command.create(
                {
                    "is_group": True,
                    "match": "any",
                    "child_ids": [
                        Command.create(values) for values in (risk, fee, complaint)
                    ],
                }
            )
        )
    else:
        conditions.append(Command.create(fee))
    return Segment.create(
        {
            "name": SEGMENT_NAME,
            "match": "all",
            "auto_refresh": False,
            "condition_ids": conditions,
        }
    )


def raw_predicate(nested):
    """The segment's conditions written by hand over ``p`` and ``m``."""
    group = (
        "(m.churn_risk >= 10 OR m.recurring_fee >= 600 OR m.complaint_count_90d >= 1)"
        if nested
        else "m.recurring_fee >= 600"
    )
    return f"""p.telecom_is_subscriber AND p.active
       AND p.telecom_region_id IN (SELECT id FROM telecom_region
                                    WHERE code IN %(zones)s)
       AND m.tenure_days >= 365
       AND p.telecom_segment IS DISTINCT FROM 'b2b'
       AND {group}"""


def measure_preview(segment, marketer, runs, nested):
    cr = segment.env.cr
    as_marketer = segment.with_user(marketer)
    counts = []

    def preview():
        as_marketer.invalidate_recordset(["preview_count"])
        counts.append(as_marketer.preview_count)

    orm_ms = timed_runs(preview, runs)
    query = (
        "SELECT count(*) FROM res_partner p "
        "JOIN telecom_subscriber_metric m ON m.partner_id = p.id WHERE "
        + raw_predicate(nested)
    )
    raw_counts = []

    def raw():
        cr.execute(query, {"zones": tuple(SIX_ZONES)})
        raw_counts.append(cr.fetchone()[0])

    raw_ms = timed_runs(raw, runs)
    measure("segment_preview_count", counts[-1], "subscribers")
    measure("segment_preview_raw_count", raw_counts[-1], "subscribers")
    measure("segment_preview", orm_ms, "ms")
    measure("segment_preview_raw_sql", raw_ms, "ms")
    return orm_ms / 1000


def measure_materialise(registry, segment_id):
    results = {}
    with odoo_env(registry) as env:
        env.cr.execute(
            "DELETE FROM telecom_segment_member WHERE segment_id = %s", [segment_id]
        )
    for label in ("first", "again"):
        with odoo_env(registry) as env:
            segment = env["telecom.segment"].browse(segment_id)
            start = time.perf_counter()
            segment._refresh_members()
            env.cr.commit()
            results[label] = time.perf_counter() - start
            members = segment.member_count
        measure(f"segment_materialise_{label}", results[label], "s")
    measure("segment_members", members, "rows")
    measure("segment_snapshot", freeze_snapshot(registry, segment_id), "s")
    return results


def freeze_snapshot(registry, segment_id):
    """A campaign launch's snapshot (refresh + copy), rolled back; seconds."""
    try:
        with odoo_env(registry) as env:
            segment = env["telecom.segment"].browse(segment_id)
            start = time.perf_counter()
            segment._freeze_snapshot("BENCH snapshot")
            raise Rollback(time.perf_counter() - start)
    except Rollback as done:
        return done.args[0]


def measure_materialise_raw(registry, nested):
    try:
        with odoo_env(registry) as env:
            cr = env.cr
            cr.execute(
                """INSERT INTO telecom_segment (name, match, active, auto_refresh,
                                                member_count)
                   VALUES ('BENCH raw', 'all', true, false, 0) RETURNING id"""
            )
            raw_id = cr.fetchone()[0]
            start = time.perf_counter()
            cr.execute(
                """INSERT INTO telecom_segment_member (
                       segment_id, partner_id, region_id, tariff_id, company_id,
                       churn_risk, date_entered)
                   SELECT %(segment)s, p.id, p.telecom_region_id, m.tariff_id,
                          p.company_id, m.churn_risk, now()
                     FROM res_partner p
                     JOIN telecom_subscriber_metric m ON m.partner_id = p.id
                    WHERE """
                + raw_predicate(nested),
                {"segment": raw_id, "zones": tuple(SIX_ZONES)},
            )
            raise Rollback(time.perf_counter() - start, cr.rowcount)
    except Rollback as done:
        elapsed, rows = done.args
    measure("segment_materialise_raw_sql", elapsed, "s")
    measure("segment_materialise_raw_rows", rows, "rows")
    return elapsed


def measure_breakdown(segment, marketer, runs):
    cr = segment.env.cr
    as_marketer = segment.with_user(marketer)
    cells = {}

    def breakdown():
        segment.env.invalidate_all()
        cells["orm"] = as_marketer._get_breakdown()

    orm_ms = timed_runs(breakdown, runs)

    def raw():
        cr.execute(
            """SELECT region_id, tariff_id, count(*) FROM telecom_segment_member
                WHERE segment_id = %s AND snapshot_id IS NULL GROUP BY 1, 2""",
            [segment.id],
        )
        cells["raw"] = cr.fetchall()

    raw_ms = timed_runs(raw, runs)
    measure("segment_breakdown_cells", len(cells["orm"]), "zone x tariff")
    measure("segment_breakdown", orm_ms, "ms")
    measure("segment_breakdown_raw_sql", raw_ms, "ms")
    return orm_ms / 1000


def main():
    args = parse_args(__doc__.splitlines()[0], configure)
    registry = load_registry(args)
    goals = Goals()
    measure("load_average_1min", os.getloadavg()[0], f"(cores: {os.cpu_count()})")
    with odoo_env(registry) as env:
        subscribers = bench_subscriber_count(env.cr)
        if not subscribers:
            raise SystemExit("no bench subscribers: run bench/generate.py first")
        measure("subscribers", subscribers, "rows")
        marketer = bench_marketer(env)
        segment = bench_segment(env)
        nested = "is_group" in env["telecom.segment.condition"]._fields
        measure("segment_nested_groups", "yes" if nested else "no", "")
        marketer_id, segment_id = marketer.id, segment.id

    parts = set(args.parts.split(","))
    if "metrics" in parts:
        seconds, batches = refresh_metrics_cron(registry, args)
        measure("metrics_refresh", seconds, "s")
        measure("metrics_refresh_batches", batches, "transactions")
        with odoo_env(registry) as env:
            env.cr.execute("ANALYZE telecom_subscriber_metric")
            totals = metrics_totals(env.cr)
        measure("metrics_rows", totals[0], "rows")
        measure("metrics_raw_sql", refresh_metrics_raw(registry, totals), "s")
        goals.check("metrics_refresh", seconds, GOALS["metrics_refresh"])

    if "segment" in parts:
        measure_segment(registry, args, goals, segment_id, marketer_id, nested)
    measure("load_average_1min", os.getloadavg()[0], f"(cores: {os.cpu_count()})")
    goals.exit()


def measure_segment(registry, args, goals, segment_id, marketer_id, nested):
    with odoo_env(registry) as env:
        segment = env["telecom.segment"].browse(segment_id)
        marketer = env["res.users"].browse(marketer_id)
        preview = measure_preview(segment, marketer, args.runs, nested)
    goals.check("segment_preview", preview, GOALS["segment_preview"])

    materialise = measure_materialise(registry, segment_id)
    measure_materialise_raw(registry, nested)
    goals.check(
        "segment_materialise", max(materialise.values()), GOALS["segment_materialise"]
    )

    with odoo_env(registry) as env:
        segment = env["telecom.segment"].browse(segment_id)
        marketer = env["res.users"].browse(marketer_id)
        breakdown = measure_breakdown(segment, marketer, args.runs)
    goals.check("segment_breakdown", breakdown, GOALS["segment_breakdown"])


if __name__ == "__main__":
    main()
