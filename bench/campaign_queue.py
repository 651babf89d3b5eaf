"""Queueing one campaign's SMS for 500,000 subscribers with the contact policy
applied, beside PostgreSQL doing the same work as raw SQL, with the issue's goal.

    python3 bench/generate.py --db bench_campaigns --subscribers 1000000   # once
    python3 bench/campaign_queue.py --db bench_campaigns

Setup (committed once, marked so it is not redone): the contact policy has
something to decide for the generated subscribers: SMS marketing consent for 90 %
of them, 1 % of their numbers in the phone blacklist, a cap of 2 marketing SMS a
week on the company with 2 such SMS already logged this week for 2 %, and 5 % in
the Asia/Vladivostok time zone (in quiet hours for most of a European working
day).

Measures (each in a transaction rolled back afterwards, so runs repeat):

- ``queue``: ``telecom.campaign.message._get_mailing()`` then
  ``_queue_messages()`` for the first ``--audience`` bench subscribers (an SQL
  selecting them, as a campaign passes its segment), the source being the bench
  segment: one ``INSERT ... SELECT`` with the policy, then the mailing put in
  queue. Goal: 30 s.
- ``queue_raw_sql``: the same rows (consent, blacklist, caps over the contact log,
  quiet hours in the subscriber's time zone) written by one hand-written
  ``INSERT ... SELECT``.

The SMS submission to the simulated SMSC at its window is ``smsc_submit.py``.

Exit status 1 when the goal is missed.
"""

import os
import time

from campaign_common import Goals, bench_marketer, bench_subscriber_count
from common import BENCH_PREFIX, load_registry, measure, odoo_env, parse_args

GOAL_QUEUE = 30  # seconds, from the issue
SETUP_MARK = "BENCH-QUEUE-SETUP"  # dedup key of a contact-log row: setup done


def configure(parser):
    parser.add_argument("--audience", type=int, default=500_000)


class Rollback(Exception):
    """Ends a measured transaction without committing it."""


def setup_policy_data(env):
    """Consent, blacklist, caps and time zones of the bench subscribers (once)."""
    cr = env.cr
    cr.execute("SELECT 1 FROM telecom_contact_log WHERE dedup_key = %s", [SETUP_MARK])
    if cr.fetchone():
        return
    like = BENCH_PREFIX + "C%"
    cr.execute(
        """UPDATE res_partner
              SET telecom_consent_sms = (id %% 10 != 0),
                  tz = CASE WHEN id %% 20 = 7 THEN 'Asia/Vladivostok' END
            WHERE ref LIKE %s""",
        [like],
    )
    cr.execute(
        """INSERT INTO phone_blacklist (number, active, create_uid, create_date,
                                        write_uid, write_date)
           SELECT phone_sanitized, true, 1, now(), 1, now()
             FROM res_partner
            WHERE ref LIKE %s AND id %% 100 = 5 AND phone_sanitized IS NOT NULL
           ON CONFLICT DO NOTHING""",
        [like],
    )
    company = env.company
    company.telecom_contact_cap_sms_week = 2
    cr.execute(
        """INSERT INTO telecom_contact_log (partner_id, channel, category, date,
                                           dedup_key, company_id, create_uid,
                                           create_date, write_uid, write_date)
           SELECT p.id, 'sms', 'marketing', now() - k * interval '1 day',
                  'BENCH-QUEUE-' || p.id || '-' || k, %s, 1, now(), 1, now()
             FROM res_partner p CROSS JOIN generate_series(1, 2) k
            WHERE p.ref LIKE %s AND p.id %% 50 = 3""",
        [company.id, like],
    )
    cr.execute(
        """INSERT INTO telecom_contact_log (partner_id, channel, category, date,
                                           dedup_key, company_id)
           SELECT id, 'sms', 'service', now() - interval '400 days', %s, %s
             FROM res_partner WHERE ref LIKE %s LIMIT 1""",
        [SETUP_MARK, company.id, like],
    )
    cr.execute("ANALYZE res_partner, phone_blacklist, telecom_contact_log")


def audience_sql(audience):
    from odoo.tools import SQL

    return SQL(
        """SELECT id FROM res_partner
            WHERE ref LIKE %s AND telecom_is_subscriber AND active
            ORDER BY id LIMIT %s""",
        BENCH_PREFIX + "C%",
        audience,
    )


def measure_queue(registry, audience, marketer_id):
    """The Odoo path as the Marketing User; returns (seconds, counts)."""
    try:
        with odoo_env(registry) as env:
            env = env(user=marketer_id)
            source = env["telecom.segment"].search(
                [("name", "=", "BENCH segment")], limit=1
            )
            if not source:
                raise SystemExit("run bench/campaign_segments.py first (its segment)")
            Message = env["telecom.campaign.message"]
            start = time.perf_counter()
            mailing = Message._get_mailing(
                source, "sms", "BENCH offer", "Your offer: 20 % off for 3 months."
            )
            counts = Message._queue_messages(
                audience_sql(audience), "sms", source, mailing
            )
            raise Rollback(time.perf_counter() - start, counts)
    except Rollback as done:
        return done.args


RAW_QUEUE = """
WITH src AS MATERIALIZED (
    SELECT id FROM res_partner
     WHERE ref LIKE %(like)s AND telecom_is_subscriber AND active
     ORDER BY id LIMIT %(audience)s
), caps AS (
    SELECT l.partner_id, count(*) AS n_week
      FROM telecom_contact_log l
     WHERE l.channel = 'sms' AND l.category = 'marketing'
       AND l.date > %(now)s::timestamp - interval '7 days' AND l.date <= %(now)s
       AND l.partner_id IN (SELECT id FROM src)
     GROUP BY l.partner_id
), decided AS (
    SELECT p.id, p.phone_sanitized,
           CASE WHEN p.phone_sanitized IS NULL THEN 'no_address'
                WHEN bl.id IS NOT NULL THEN 'phone_blacklist'
                WHEN NOT coalesce(p.telecom_consent_sms, false) THEN 'no_consent'
                WHEN coalesce(c.n_week, 0) >= %(cap)s THEN 'cap_week'
           END AS reason,
           (%(now)s::timestamp AT TIME ZONE 'UTC')
               AT TIME ZONE coalesce(p.tz, r.tz, 'UTC') AS local,
           coalesce(p.tz, r.tz, 'UTC') AS tz
      FROM src JOIN res_partner p ON p.id = src.id
      LEFT JOIN telecom_region r ON r.id = p.telecom_region_id
      LEFT JOIN phone_blacklist bl ON bl.number = p.phone_sanitized AND bl.active
      LEFT JOIN caps c ON c.partner_id = p.id
), timed AS (
    SELECT decided.*,
           CASE WHEN extract(hour FROM local) >= %(quiet_start)s
                  OR extract(hour FROM local) < %(quiet_end)s
                THEN ((date_trunc('day', local) + %(quiet_end)s * interval '1 hour'
                       + CASE WHEN extract(hour FROM local) >= %(quiet_end)s
                              THEN interval '1 day' ELSE interval '0' END)
                      AT TIME ZONE tz) AT TIME ZONE 'UTC'
                ELSE %(now)s::timestamp END AS send_at
      FROM decided
)
INSERT INTO telecom_campaign_message
    (partner_id, channel, phone, res_model, res_id, mailing_id, dedup_scope, state,
     block_reason, scheduled_date, company_id, create_date, write_date)
SELECT id, 'sms', phone_sanitized, 'telecom.segment', 0, %(mailing)s,
       'BENCH-RAW,sms',
       CASE WHEN reason IS NOT NULL THEN 'blocked'
            WHEN send_at > %(now)s THEN 'scheduled' ELSE 'queued' END,
       reason, CASE WHEN reason IS NULL THEN send_at END,
       %(company)s, %(now)s, %(now)s
  FROM timed
ON CONFLICT (partner_id, hashtextextended(dedup_scope, 0)) DO NOTHING
"""


def measure_queue_raw(registry, audience):
    try:
        with odoo_env(registry) as env:
            company = env.company
            source = env["telecom.segment"].search([], limit=1)
            mailing = env["telecom.campaign.message"]._get_mailing(
                source, "sms", "BENCH raw", "Your offer: 20 % off for 3 months."
            )
            env.flush_all()
            cr = env.cr
            cr.execute("SELECT now() AT TIME ZONE 'UTC'")
            now = cr.fetchone()[0]
            start = time.perf_counter()
            cr.execute(
                RAW_QUEUE,
                {
                    "like": BENCH_PREFIX + "C%",
                    "audience": audience,
                    "now": now,
                    "cap": company.telecom_contact_cap_sms_week,
                    "quiet_start": company.telecom_quiet_hour_start,
                    "quiet_end": company.telecom_quiet_hour_end,
                    "company": company.id,
                    "mailing": mailing.id,
                },
            )
            elapsed = time.perf_counter() - start
            cr.execute(
                """SELECT state, count(*) FROM telecom_campaign_message
                    WHERE dedup_scope = 'BENCH-RAW,sms' GROUP BY state"""
            )
            raise Rollback(elapsed, dict(cr.fetchall()))
    except Rollback as done:
        return done.args


def main():
    args = parse_args(__doc__.splitlines()[0], configure)
    registry = load_registry(args)
    goals = Goals()
    measure("load_average_1min", os.getloadavg()[0], f"(cores: {os.cpu_count()})")
    with odoo_env(registry) as env:
        if "telecom.campaign.message" not in env:
            raise SystemExit("telecom_campaigns has no message queue in this database")
        subscribers = bench_subscriber_count(env.cr)
        if subscribers < args.audience:
            raise SystemExit(
                f"{subscribers} bench subscribers: run bench/generate.py first"
            )
        setup_policy_data(env)
        marketer_id = bench_marketer(env).id
    seconds, counts = measure_queue(registry, args.audience, marketer_id)
    measure("queue", seconds, "s")
    for state in ("queued", "scheduled", "blocked"):
        measure(f"queue_{state}", counts.get(state, 0), "messages")
    raw_seconds, raw_counts = measure_queue_raw(registry, args.audience)
    measure("queue_raw_sql", raw_seconds, "s")
    for state in ("queued", "scheduled", "blocked"):
        measure(f"queue_raw_sql_{state}", raw_counts.get(state, 0), "messages")
    goals.check("queue", seconds, GOAL_QUEUE)
    measure("load_average_1min", os.getloadavg()[0], f"(cores: {os.cpu_count()})")
    goals.exit()


if __name__ == "__main__":
    main()
