"""SLA recompute and breach/escalation scan over N open tickets, ours beside OCA.

    python3 bench/sla_scan.py --db sla_bench --oca-db sla_bench_oca \\
        --oca-addons-path /tmp/sla_oca/odoo/addons --tickets 100000

Both databases get the same N open tickets (see ``sla_data.py``): one resolution
target of 16 working hours on a Monday-Friday 09:00-18:00 Moscow calendar, tickets
created over the last 8 days (so some are breached, some at risk).

Ours (``telecom_helpdesk_sla``, database ``--db``):
- ``sla_recompute``: every line flagged, then the recompute cron's method in
  batches of 20,000 (one UPDATE with working-time lookups per batch);
- ``sla_scan``: at-risk and breach flags (one conditional UPDATE each, events in
  the same statement), reminders, one escalation rule (90 % of the resolution,
  the raw SQL floor's; ``--rules all`` runs the installed default matrix too),
  the tickets' SLA status.

OCA ``helpdesk_mgmt_sla`` (database ``--oca-db``, in a child process with its own
addons path): the same work as that addon does it: ``deadline`` recomputed per
ticket SLA (``resource.calendar.plan_hours``), then the expired ones searched and
marked. ``--oca-sample`` tickets are recomputed (default 10,000: the whole 100,000
takes many minutes) and the figure extrapolated linearly; ``--oca-sample 0`` does
all of them. Every measure runs in a transaction rolled back afterwards, so runs
repeat.
"""

import subprocess
import sys
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
    BENCH_TICKET_PREFIX,
    RESOLUTION_HOURS,
    bench_team,
    business_calendar,
    delete_bench_tickets,
    insert_tickets,
    open_stage,
    window,
)

NO_MAIL = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
CHUNK = 20_000
GOAL_RECOMPUTE_S = 3  # issue 11: 100,000 open tickets
GOAL_SCAN_S = 6
GOAL_SCAN_STEADY_S = 10  # a run of the every-minute cron with nothing new due


def configure(parser):
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--oca-db", help="database with helpdesk_mgmt_sla installed")
    parser.add_argument("--oca-addons-path", help="addons path of the OCA database")
    parser.add_argument("--oca-sample", type=int, default=10_000)
    parser.add_argument("--part", choices=["ours", "oca"], default="ours")
    parser.add_argument(
        "--rules",
        choices=["bench", "all"],
        default="bench",
        help="escalation rules of the scan: the bench rule only, as the raw SQL "
        "floor (default), or with the installed default matrix too",
    )


class Rollback(Exception):
    """Raised to end a measured transaction without committing it."""


def count_tickets(cr):
    cr.execute(
        "SELECT count(*) FROM helpdesk_ticket WHERE number LIKE %s",
        (BENCH_TICKET_PREFIX + "%",),
    )
    return cr.fetchone()[0]


# ----------------------------------------------------------------------
# ours
# ----------------------------------------------------------------------
def setup_ours(env, tickets):
    from odoo.tools import SQL

    calendar = business_calendar(env)
    team = bench_team(env)
    Policy = env["telecom.sla.policy"].with_context(active_test=False)
    policy = Policy.search([("name", "=", "BENCH SLA Policy")], limit=1)
    if not policy:
        policy = Policy.create(
            {
                "name": "BENCH SLA Policy",
                "sequence": 1,
                "team_ids": [(6, 0, team.ids)],
                "calendar_id": calendar.id,
                "target_ids": [
                    (0, 0, {"kind": "resolution", "hours": RESOLUTION_HOURS})
                ],
            }
        )
    Rule = env["telecom.escalation.rule"]
    if not Rule.search([("name", "=", "BENCH escalation")]):
        Rule.create(
            {
                "name": "BENCH escalation",
                "level": "3",
                "trigger": "percent",
                "trigger_kind": "resolution",
                "trigger_percent": 90,
                "team_ids": [(6, 0, team.ids)],
                "notify_activity": False,
                "notify_assignee": False,
                "notify_team_leader": False,
            }
        )
    if count_tickets(env.cr) == tickets:
        return policy
    delete_bench_tickets(env.cr)
    now = env.cr.now()
    start, spread = window(now)
    ids = insert_tickets(
        env.cr,
        tickets,
        team_id=team.id,
        stage_id=open_stage(env).id,
        company_id=env.company.id,
        start=start,
        spread=spread,
        extra={
            "sla_policy_id": str(policy.id),
            "telecom_sla_start_date": "created",
            "telecom_escalation_level": "0",
        },
    )
    env.cr.execute(
        SQL(
            "SELECT id, telecom_sla_start_date FROM helpdesk_ticket WHERE id = ANY(%s)",
            ids,
        )
    )
    starts = [
        (ticket_id, policy.id, env.company.id, calendar.id, 0, created)
        for ticket_id, created in env.cr.fetchall()
    ]
    Line = env["telecom.sla.line"]
    for index in range(0, len(starts), CHUNK):
        Line._start(starts[index : index + CHUNK], now)
    Line._sync_ticket_summary(ids)
    # fresh statistics, as autovacuum would give them: the planner needs them
    for table in ("helpdesk_ticket", "telecom_sla_line", "telecom_sla_event"):
        env.cr.execute(f"ANALYZE {table}")
    return policy


def measure_ours(args):
    from odoo.tools import SQL

    registry = load_registry(args)
    with odoo_env(registry, context=NO_MAIL) as env:
        policy = setup_ours(env, args.tickets)
        policy_id = policy.id
    vacuum(registry, ("helpdesk_ticket", "telecom_sla_line", "telecom_sla_event"))
    measure("tickets", args.tickets, "tickets")
    try:
        with odoo_env(registry, context=NO_MAIL) as env:
            Line = env["telecom.sla.line"]
            queries = env.cr.sql_log_count
            start = time.perf_counter()
            Line._flag_for_recompute(SQL("policy_id = %s", policy_id))
            batches = 0
            while Line._cron_recompute(limit=CHUNK):
                batches += 1
            elapsed = time.perf_counter() - start
            measure("ours_recompute_s", elapsed, "s")
            measure("ours_recompute_batches", batches, "batches")
            measure("ours_recompute_queries", env.cr.sql_log_count - queries, "queries")
            measure("ours_recompute_rate", args.tickets / elapsed, "tickets/s")
            goal("recompute", elapsed, GOAL_RECOMPUTE_S)
            raise Rollback
    except Rollback:
        pass
    try:
        with odoo_env(registry, context=NO_MAIL) as env:
            start = time.perf_counter()
            recompute_floor(env.cr, policy_id)
            measure("ours_recompute_sql_floor_s", time.perf_counter() - start, "s")
            raise Rollback
    except Rollback:
        pass
    try:
        with odoo_env(registry, context=NO_MAIL) as env:
            Line = env["telecom.sla.line"]
            select_rules(env, args.rules)
            queries = env.cr.sql_log_count
            start = time.perf_counter()
            now = env.cr.now()
            breached = Line._scan_breaches(now, 10 * args.tickets)
            breach_flagging = time.perf_counter() - start
            warned = Line._scan_warnings(now, 10 * args.tickets)
            flagged = warned + breached
            flagging = time.perf_counter() - start
            Line._remind(warned)
            summary_ids = {row[1] for row in flagged}
            fired = env["telecom.escalation.rule"]._cron_escalate(now, summary_ids)
            Line._sync_ticket_summary(summary_ids)
            elapsed = time.perf_counter() - start
            measure("ours_breach_flagged", len(breached), "targets")
            measure("ours_breach_flag_s", breach_flagging, "s")
            measure("ours_scan_flagged", len(flagged), "targets")
            measure("ours_scan_flag_s", flagging, "s")
            measure("ours_scan_escalated", fired, "tickets")
            measure("ours_scan_s", elapsed, "s")
            measure("ours_scan_queries", env.cr.sql_log_count - queries, "queries")
            goal("scan", elapsed, GOAL_SCAN_S)
            # the next minute's run: nothing newly due
            queries = env.cr.sql_log_count
            start = time.perf_counter()
            scan_once(env, env.cr.now(), args.tickets)
            steady = time.perf_counter() - start
            measure("ours_scan_steady_s", steady, "s")
            measure("ours_scan_steady_queries", env.cr.sql_log_count - queries,
                    "queries")  # fmt: skip
            goal("scan_steady", steady, GOAL_SCAN_STEADY_S)
            raise Rollback
    except Rollback:
        pass
    try:
        with odoo_env(registry, context=NO_MAIL) as env:
            start = time.perf_counter()
            flags, firings = scan_floor(env.cr, args.tickets)
            measure("ours_scan_sql_floor_s", time.perf_counter() - start, "s")
            measure("ours_scan_sql_floor_rows", flags + firings, "flags and firings")
            raise Rollback
    except Rollback:
        pass


def select_rules(env, rules):
    """Archive (in the measured transaction) the rules the floor does not run."""
    Rule = env["telecom.escalation.rule"]
    if rules == "bench":
        Rule.search([("name", "!=", "BENCH escalation")]).write({"active": False})
    names = Rule.search([]).mapped("name")
    measure("ours_scan_rules", len(names), "rules")
    print("# escalation rules run = " + "; ".join(names))


def scan_once(env, now, tickets):
    """What the scan cron does, without its progress notice."""
    Line = env["telecom.sla.line"]
    breached = Line._scan_breaches(now, 10 * tickets)
    warned = Line._scan_warnings(now, 10 * tickets)
    Line._remind(warned)
    summary_ids = {row[1] for row in warned + breached}
    fired = env["telecom.escalation.rule"]._cron_escalate(now, summary_ids)
    Line._sync_ticket_summary(summary_ids)
    return warned, breached, fired


def recompute_floor(cr, policy_id):
    """Raw SQL floor of the recompute: the same lines flagged, then written
    once with the values they already have (any recompute writes them)."""
    cr.execute(
        "UPDATE telecom_sla_line SET needs_recompute = true "
        "WHERE status IN ('running', 'paused') AND policy_id = %s",
        (policy_id,),
    )
    cr.execute(
        "UPDATE telecom_sla_line SET deadline = deadline, needs_recompute = false "
        "WHERE needs_recompute"
    )


def scan_floor(cr, tickets):
    """Raw SQL floor of the scan: the due lines flagged and journaled, one
    firing per ticket whose resolution is 90 % consumed (the bench rule) and
    the ticket's escalation level raised."""
    cr.execute(
        """WITH hit AS (
               UPDATE telecom_sla_line
                  SET warned = warned OR warning_date <= now() at time zone 'UTC',
                      breached = breached OR deadline <= now() at time zone 'UTC',
                      at_risk = true
                WHERE status = 'running'
                  AND ((NOT warned AND warning_date <= now() at time zone 'UTC')
                       OR (NOT breached AND deadline <= now() at time zone 'UTC'))
            RETURNING id, ticket_id, kind, company_id)
           INSERT INTO telecom_sla_event (ticket_id, line_id, kind, event_type,
                                          date, user_id, company_id)
           SELECT ticket_id, id, kind, 'warned', now() at time zone 'UTC', 1,
                  company_id FROM hit"""
    )
    flags = cr.rowcount
    cr.execute(
        """WITH fired AS (
               INSERT INTO telecom_escalation_firing (ticket_id, rule_id, level,
                                                      date, company_id)
               SELECT l.ticket_id, r.id, r.level, now() at time zone 'UTC',
                      l.company_id
                 FROM telecom_sla_line l, telecom_escalation_rule r
                WHERE r.name->>'en_US' = 'BENCH escalation'
                  AND l.kind = 'resolution' AND l.status = 'running'
                  AND l.warning_date <= now() at time zone 'UTC'
           ON CONFLICT DO NOTHING
            RETURNING ticket_id, level
           ), raised AS (
               UPDATE helpdesk_ticket t
                  SET telecom_escalation_level = f.level::int,
                      write_date = now() at time zone 'UTC', write_uid = 1
                 FROM fired f
                WHERE t.id = f.ticket_id
                  AND COALESCE(t.telecom_escalation_level, 0) < f.level::int
           )
           SELECT count(*) FROM fired"""
    )
    return flags, cr.fetchone()[0]


# ----------------------------------------------------------------------
# OCA helpdesk_mgmt_sla
# ----------------------------------------------------------------------
def setup_oca(env, tickets):
    calendar = business_calendar(env)
    team = bench_team(env, use_sla=True, resource_calendar_id=calendar.id)
    Sla = env["helpdesk.sla"]
    sla = Sla.search([("name", "=", "BENCH SLA")], limit=1) or Sla.create(
        {
            "name": "BENCH SLA",
            "team_ids": [(6, 0, team.ids)],
            "hours": RESOLUTION_HOURS,
            "stage_id": env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id,
        }
    )
    if count_tickets(env.cr) != tickets:
        # helpdesk_ticket_sla.ticket_id has no index: empty it before the cascade
        env.cr.execute("DELETE FROM helpdesk_ticket_sla WHERE sla_id = %s", (sla.id,))
        delete_bench_tickets(env.cr)
        start, spread = window(env.cr.now())
        ids = insert_tickets(
            env.cr,
            tickets,
            team_id=team.id,
            stage_id=open_stage(env).id,
            company_id=env.company.id,
            start=start,
            spread=spread,
        )
        env.cr.execute(
            """INSERT INTO helpdesk_ticket_sla (ticket_id, sla_id, hours,
                       expected_stage_id, consumed_time, last_state_date, state,
                       create_uid, write_uid, create_date, write_date)
               SELECT t.id, %s, %s, %s, 0, t.create_date, 'in_progress', 1, 1,
                      t.create_date, t.create_date
                 FROM helpdesk_ticket t WHERE t.id = ANY(%s)""",
            (sla.id, RESOLUTION_HOURS, sla.stage_id.id, ids),
        )
    # the deadlines, computed once the OCA way (the scan needs them)
    env.cr.execute(
        "SELECT id FROM helpdesk_ticket_sla WHERE sla_id = %s AND deadline IS NULL",
        (sla.id,),
    )
    line_ids = [row[0] for row in env.cr.fetchall()]
    Line = env["helpdesk.ticket.sla"]
    for index in range(0, len(line_ids), CHUNK):
        chunk = Line.browse(line_ids[index : index + CHUNK])
        env.add_to_compute(Line._fields["deadline"], chunk)
        env.flush_all()
        env.invalidate_all()
    for table in ("helpdesk_ticket", "helpdesk_ticket_sla"):
        env.cr.execute(f"ANALYZE {table}")
    return sla


def measure_oca(args):
    registry = load_registry(args)
    with odoo_env(registry, context=NO_MAIL) as env:
        setup_oca(env, args.tickets)
    try:
        with odoo_env(registry, context=NO_MAIL) as env:
            Sla = env["helpdesk.ticket.sla"]
            sample = args.oca_sample or args.tickets
            records = Sla.search(
                [("ticket_id.number", "like", BENCH_TICKET_PREFIX + "%")],
                limit=sample,
            )
            queries = env.cr.sql_log_count
            start = time.perf_counter()
            env.add_to_compute(Sla._fields["deadline"], records)
            env.flush_all()
            elapsed = time.perf_counter() - start
            measure("oca_recompute_sample", len(records), "tickets")
            measure("oca_recompute_sample_s", elapsed, "s")
            measure("oca_recompute_sample_queries", env.cr.sql_log_count - queries,
                    "queries")  # fmt: skip
            measure("oca_recompute_s", elapsed * args.tickets / len(records), "s")
            measure("oca_recompute_rate", len(records) / elapsed, "tickets/s")
            raise Rollback
    except Rollback:
        pass
    try:
        with odoo_env(registry, context=NO_MAIL) as env:
            Sla = env["helpdesk.ticket.sla"]
            start = time.perf_counter()
            expired = Sla.search([("expired", "=", True)])
            expired.write({"state": "expired"})
            env.flush_all()
            elapsed = time.perf_counter() - start
            measure("oca_breach_flagged", len(expired), "targets")
            measure("oca_breach_flag_s", elapsed, "s")
            raise Rollback
    except Rollback:
        pass


def run_oca_child(args):
    command = [
        sys.executable,
        __file__,
        "--part",
        "oca",
        "--db",
        args.oca_db,
        "--db-host",
        args.db_host,
        "--db-port",
        args.db_port,
        "--db-user",
        args.db_user,
        "--tickets",
        str(args.tickets),
        "--oca-sample",
        str(args.oca_sample),
    ]
    if args.oca_addons_path:
        from odoo.tools import config

        command += ["--addons-path", f"{config['addons_path']},{args.oca_addons_path}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    values = {}
    for line in output.splitlines():
        if ": " in line:
            name, rest = line.split(": ", 1)
            values[name] = float(rest.split()[0])
            print(line, flush=True)
    return values


def main():
    args = parse_args(__doc__.splitlines()[0], configure)
    if args.part == "oca":
        measure_oca(args)
        return
    import io
    from contextlib import redirect_stdout

    load_average()
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        measure_ours(args)
    print(buffer.getvalue(), end="", flush=True)
    ours = {
        line.split(": ")[0]: float(line.split(": ")[1].split()[0])
        for line in buffer.getvalue().splitlines()
        if ": " in line and not line.startswith(("goal_", "#"))
    }
    if not args.oca_db:
        load_average()
        return
    oca = run_oca_child(args)
    measure(
        "recompute_ratio_oca_over_ours",
        oca["oca_recompute_s"] / ours["ours_recompute_s"],
        "x",
    )
    measure(
        "breach_flag_ratio_oca_over_ours",
        oca["oca_breach_flag_s"] / ours["ours_breach_flag_s"],
        "x",
    )
    load_average()


if __name__ == "__main__":
    main()
