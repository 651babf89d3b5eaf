"""Mass incident at scale: linking N tickets in chunks, queueing the
notifications of the affected subscribers, sending a batch.

    python3 bench/generate.py --db sla_bench --subscribers 100000   # once
    python3 bench/incident_link.py --db sla_bench --tickets 100000

Setup (committed once): N open tickets, one per generated subscriber (``BENCH-``
partners), each with a running resolution clock under a policy that excludes
incident time; an incident on the eight bench zones for mobile lines.

Measures (in a transaction rolled back afterwards):
- ``link_*``: ``telecom.incident._link_tickets`` per chunk of ``--chunk`` tickets
  (access checked, one ORM ``write`` of the tickets - tracked and dated -
  flushed in one UPDATE, then their clocks paused set-based): SQL statements per
  chunk (the same for every chunk) and time;
- ``queue_*``: ``_queue_notifications('opened')``: one INSERT ... SELECT of a row
  per affected subscriber and channel, opt-outs decided in the same statement;
- ``send_*``: one batch of the sending cron (``mail.mail`` and ``sms.sms`` created
  in bulk).
"""

import time

from common import (
    goal,
    load_average,
    load_registry,
    measure,
    odoo_env,
    parse_args,
    vacuum,
)
from sla_data import (
    bench_team,
    delete_bench_tickets,
    insert_tickets,
    open_stage,
    window,
)

PREFIX = "BENCH-INC-"
NO_MAIL = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
GOAL_LINK_S = 5  # issue 11: 100,000 tickets, access checked, history kept


def configure(parser):
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=20_000)  # the wizard's
    parser.add_argument("--send-batch", type=int, default=2_000)


class Rollback(Exception):
    """Ends a measured transaction without committing it."""


def setup(env, tickets):
    cr = env.cr
    cr.execute(
        """SELECT p.id, p.telecom_region_id FROM res_partner p
            WHERE p.ref LIKE 'BENCH-%%' AND p.telecom_region_id IS NOT NULL
         ORDER BY p.id LIMIT %s""",
        (tickets,),
    )
    partners = cr.fetchall()
    if len(partners) < tickets:
        raise SystemExit(
            f"{len(partners)} bench subscribers: run bench/generate.py --subscribers "
            f"{tickets} first"
        )
    calendar = env["resource.calendar"].search(
        [("name", "=", "BENCH 24/7")], limit=1
    ) or env["resource.calendar"].create(
        {"name": "BENCH 24/7", "tz": "UTC", "telecom_always_on": True}
    )
    team = bench_team(env)
    Policy = env["telecom.sla.policy"]
    policy = Policy.search([("name", "=", "BENCH incident policy")], limit=1)
    if not policy:
        policy = Policy.create(
            {
                "name": "BENCH incident policy",
                "sequence": 1,
                "team_ids": [(6, 0, team.ids)],
                "calendar_id": calendar.id,
                "incident_time": "exclude",
                "target_ids": [(0, 0, {"kind": "resolution", "hours": 1000})],
            }
        )
    regions = env["telecom.region"].search([("code", "like", "BENCH-R%")])
    Incident = env["telecom.incident"]
    incident = Incident.search([("name", "=", "BENCH outage")], limit=1)
    if not incident:
        incident = Incident.create(
            {
                "name": "BENCH outage",
                "region_ids": [(6, 0, regions.ids)],
                "service_type": "mobile",
                "public_message": "Mobile network outage in your area.",
                "auto_link": False,
                "notify_email": False,  # queued in the measure, not at setup
                "notify_sms": False,
            }
        )
        incident.write({"notify_email": True, "notify_sms": True})
    cr.execute(
        "SELECT count(*) FROM helpdesk_ticket WHERE number LIKE %s",
        (PREFIX + "%",),
    )
    if cr.fetchone()[0] != tickets:
        delete_bench_tickets(cr, PREFIX)
        now = cr.now()
        start, spread = window(now, days=1)
        ids = insert_tickets(
            cr,
            tickets,
            team_id=team.id,
            stage_id=open_stage(env).id,
            company_id=env.company.id,
            start=start,
            spread=spread,
            extra={
                "partner_id": "(%(partners)s::int[])[g]",
                "commercial_partner_id": "(%(partners)s::int[])[g]",
                "telecom_region_id": "(%(regions)s::int[])[g]",
                "sla_policy_id": str(policy.id),
                "telecom_sla_start_date": "created",
                "telecom_escalation_level": "0",
            },
            params={
                "partners": [row[0] for row in partners],
                "regions": [row[1] for row in partners],
            },
            prefix=PREFIX,
        )
        cr.execute(
            "SELECT id, telecom_sla_start_date FROM helpdesk_ticket WHERE id = ANY(%s)",
            (ids,),
        )
        starts = [
            (ticket_id, policy.id, env.company.id, calendar.id, 0, created)
            for ticket_id, created in cr.fetchall()
        ]
        Line = env["telecom.sla.line"]
        for index in range(0, len(starts), 20_000):
            Line._start(starts[index : index + 20_000], now)
        for table in ("helpdesk_ticket", "telecom_sla_line", "telecom_sla_event"):
            cr.execute(f"ANALYZE {table}")
    return incident


def main():
    args = parse_args(__doc__.splitlines()[0], configure)
    registry = load_registry(args)
    with odoo_env(registry, context=NO_MAIL) as env:
        incident_id = setup(env, args.tickets).id
    vacuum(registry, ("helpdesk_ticket", "telecom_sla_line", "telecom_sla_event"))
    load_average()
    try:
        with odoo_env(registry, context=NO_MAIL) as env:
            measure_link(env, incident_id, args)
            measure_queue(env, incident_id)
            measure_send(env, args)
            raise Rollback
    except Rollback:
        pass
    try:
        with odoo_env(registry, context=NO_MAIL) as env:
            start = time.perf_counter()
            link_floor(env.cr, incident_id)
            measure("link_sql_floor_s", time.perf_counter() - start, "s")
            raise Rollback
    except Rollback:
        pass
    load_average()


def link_floor(cr, incident_id):
    """Raw SQL floor of the link: the tickets written (incident, write date),
    their clocks paused and each pause journaled, in three statements."""
    cr.execute(
        """UPDATE helpdesk_ticket SET incident_id = %s, write_date = now(),
                  write_uid = 1
            WHERE number LIKE %s""",
        (incident_id, PREFIX + "%"),
    )
    cr.execute(
        """WITH paused AS (
               UPDATE telecom_sla_line l
                  SET status = 'paused', paused_since = now(),
                      pause_reason = 'incident'
                 FROM helpdesk_ticket t
                WHERE t.id = l.ticket_id AND t.incident_id = %s
                  AND l.status = 'running'
            RETURNING l.id, l.ticket_id, l.kind, l.company_id)
           INSERT INTO telecom_sla_event (ticket_id, line_id, kind, event_type,
                                          reason, date, user_id, company_id)
           SELECT ticket_id, id, kind, 'paused', 'Incident', now(), 1, company_id
             FROM paused""",
        (incident_id,),
    )


def measure_link(env, incident_id, args):
    incident = env["telecom.incident"].browse(incident_id)
    Ticket = env["helpdesk.ticket"]
    env.cr.execute(
        "SELECT id FROM helpdesk_ticket WHERE number LIKE %s ORDER BY id",
        (PREFIX + "%",),
    )
    ids = [row[0] for row in env.cr.fetchall()]
    statements, durations = [], []
    start_all = time.perf_counter()
    for index in range(0, len(ids), args.chunk):
        chunk = Ticket.browse(ids[index : index + args.chunk])
        env.invalidate_all()
        before = env.cr.sql_log_count
        start = time.perf_counter()
        incident._link_tickets(chunk)
        durations.append(time.perf_counter() - start)
        statements.append(env.cr.sql_log_count - before)
    total = time.perf_counter() - start_all
    env.cr.execute(
        "SELECT count(*) FROM helpdesk_ticket WHERE incident_id = %s", (incident_id,)
    )
    measure("link_tickets", env.cr.fetchone()[0], "tickets")
    measure("link_chunks", len(statements), "chunks")
    measure("link_chunk_size", args.chunk, "tickets")
    measure("link_statements_per_chunk_min", min(statements), "statements")
    measure("link_statements_per_chunk_max", max(statements), "statements")
    measure("link_chunk_ms_median", sorted(durations)[len(durations) // 2] * 1000, "ms")
    measure("link_total_s", total, "s")
    measure("link_rate", len(ids) / total, "tickets/s")
    goal("link", total, GOAL_LINK_S)
    env.cr.execute(
        "SELECT count(*) FROM telecom_sla_line l JOIN helpdesk_ticket t "
        "ON t.id = l.ticket_id WHERE t.incident_id = %s AND l.status = 'paused'",
        (incident_id,),
    )
    measure("link_clocks_paused", env.cr.fetchone()[0], "targets")


def measure_queue(env, incident_id):
    incident = env["telecom.incident"].browse(incident_id)
    before = env.cr.sql_log_count
    start = time.perf_counter()
    incident._queue_notifications("opened")
    elapsed = time.perf_counter() - start
    env.cr.execute(
        """SELECT count(DISTINCT partner_id), count(*),
                  count(*) FILTER (WHERE state = 'skipped')
             FROM telecom_incident_notification WHERE incident_id = %s""",
        (incident_id,),
    )
    subscribers, rows, skipped = env.cr.fetchone()
    measure("queue_subscribers", subscribers, "subscribers")
    measure("queue_rows", rows, "notifications")
    measure("queue_skipped_opt_out", skipped, "notifications")
    measure("queue_s", elapsed, "s")
    measure("queue_statements", env.cr.sql_log_count - before, "statements")
    measure("queue_rate", rows / elapsed, "notifications/s")


def measure_send(env, args):
    Notification = env["telecom.incident.notification"]
    start = time.perf_counter()
    sent = Notification._cron_send(limit=args.send_batch)
    elapsed = time.perf_counter() - start
    measure("send_batch", sent, "notifications")
    measure("send_batch_s", elapsed, "s")
    measure("send_rate", sent / elapsed, "notifications/s")


if __name__ == "__main__":
    main()
