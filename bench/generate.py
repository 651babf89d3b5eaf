"""Fill a database with N subscribers, set-based, for the other benchmarks.

    python3 bench/generate.py --db bench_telecom --subscribers 1000000

Per subscriber: one res.partner (Odoo's stored columns filled as the ORM would:
complete_name, commercial_partner_id = id, email_normalized, phone_sanitized...),
one account, 1 to 3 services (mobile lines with a unique MSISDN, a unique
Luhn-valid ICCID and an IMSI, broadband accesses, IPTV; 80 % active, 8 % blocked,
2 % pending, 10 % terminated) with their initial status history row and options,
``--interactions`` timeline rows (a sixth of them complaints) and the requests
the churn score of telecom_campaigns reads (1 % port-outs, 1 % terminations
submitted, 5 % claims of the last 90 days). Two more subscribers serve the card
benchmark: BENCH-CARD-SMALL (10 services, 10 interactions naming their line,
10 claims of which 5 open) and BENCH-CARD-LARGE (10,000 of each). Zones,
tariffs, options and a front-office agent are created when missing.

When the addons are installed (``ir_module_module``), also:

- ``telecom_campaigns``: billing's monthly figures (``telecom.usage.monthly``)
  of the main line of every subscriber whose line is live, for the last
  ``--usage-months`` closed months (falling usage, falling ARPU, debts, late
  payments, devices), then the metrics row of every subscriber, written by
  ``telecom.subscriber.metric._refresh()`` itself (the cron's statement, with
  the bridges' figures: tickets, SLA breaches, satisfaction);
- ``telecom_helpdesk_sla``: ``--tickets-pct`` % of the subscribers have a ticket
  of the last 180 days in the team ``BENCH Service Desk`` (numbers drawn from
  the ticket sequence, helpdesk_mgmt's stages, the stored related and computed
  columns filled); those of the last 14 days are open (about 8 %: new, in
  progress, or awaiting the subscriber), the others done or cancelled. Their
  SLA lines are the engine's: the policy of each ticket is matched by
  ``telecom.sla.policy._match()``, its clocks started by
  ``telecom.sla.line._start()`` (deadlines on the policy's calendar), dated
  back to the ticket's creation; reached targets (first response, resolution
  of a closed ticket) are stopped at their date, met or breached, with their
  journal; tickets awaiting the subscriber are paused (``_pause()``), and the
  tickets' SLA summary is the engine's (``_sync_ticket_summary()``). Open
  lines past their deadline are left to the SLA scan, as after an import.

How: ids are reserved from the tables' sequences first, then every row is
written by ``INSERT ... SELECT`` over ``generate_series`` (identifiers, names,
Luhn digits computed by PostgreSQL: Python builds no row), one transaction per
batch of ``--batch`` subscribers. ``--workers`` connections (default 2, one per
core) write batches in parallel; each batch is self-contained (its partners,
accounts, services, history, interactions, requests, usage, tickets, SLA lines
and metrics), so nothing waits for another transaction. Nothing of Odoo's schema
is dropped or disabled. Every row is marked (BENCH- prefix on ref / account
number / service reference; tickets hang off the bench subscribers):
``--reset`` deletes them. A second run without ``--reset`` appends N more.
Prints the time of each phase (summed over the workers), the wall time, rows/s,
the load average at start and end, and ``goal_generate_1m`` (300 s).
"""

import json
import os
import queue
import threading
import time
from collections import defaultdict
from datetime import date, datetime

from common import (
    BENCH_AGENT_LOGIN,
    BENCH_PREFIX,
    CARD_LARGE_REF,
    CARD_SMALL_REF,
    database_size_mb,
    load_registry,
    measure,
    odoo_env,
    parse_args,
)

GOAL_SECONDS = 300  # issue #11: 1,000,000 subscribers in at most 5 minutes
GOAL_SUBSCRIBERS = 1_000_000
FIRST_NAMES = [
    "Ivan", "Olga", "Sergey", "Anna", "Dmitry", "Elena", "Alexey", "Maria",
    "Nikolay", "Tatiana", "Pavel", "Irina", "Andrey", "Natalia", "Mikhail", "Svetlana",
]  # fmt: skip
LAST_NAMES = [
    "Ivanov", "Petrov", "Sidorov", "Smirnov", "Kuznetsov", "Popov", "Volkov", "Sokolov",
    "Lebedev", "Kozlov", "Novikov", "Morozov", "Egorov", "Pavlov", "Orlov", "Belov",
]  # fmt: skip
REGIONS = [
    ("BENCH-R01", "Bench Moscow"),
    ("BENCH-R02", "Bench Saint Petersburg"),
    ("BENCH-R03", "Bench Novosibirsk"),
    ("BENCH-R04", "Bench Yekaterinburg"),
    ("BENCH-R05", "Bench Kazan"),
    ("BENCH-R06", "Bench Samara"),
    ("BENCH-R07", "Bench Omsk"),
    ("BENCH-R08", "Bench Krasnodar"),
]
CATALOG = [
    # code, name, kind, service type, fee
    ("BENCH-TAR-MOBILE", "Bench Mobile 300", "tariff", "mobile", 500),
    ("BENCH-TAR-BROADBAND", "Bench Home 500", "tariff", "broadband", 700),
    ("BENCH-TAR-IPTV", "Bench TV 150", "tariff", "iptv", 300),
    ("BENCH-OPT-ROAMING", "Bench Roaming", "option", "mobile", 100),
]
ACTIVATION_START = "2015-01-01"
TICKET_TEAM = "BENCH Service Desk"
TICKET_DAYS = 180  # tickets are spread over the last 180 days...
OPEN_DAYS = 14  # ...and those of the last 14 days are still open
TICKET_SUBJECTS = [
    "No signal", "Slow mobile internet", "Billing question", "SIM card not working",
    "Home internet down", "No TV picture", "Roaming does not work", "Wrong charge",
]  # fmt: skip
ADDONS = ("telecom_campaigns", "telecom_helpdesk_sla")

PARTNER_COLUMNS = (
    "id, name, complete_name, ref, lang, type, email, email_normalized, phone, "
    "phone_sanitized, active, is_company, commercial_company_name, partner_share, "
    "commercial_partner_id, color, message_bounce, telecom_is_subscriber, "
    "telecom_region_id, telecom_segment, telecom_customer_since, "
    "create_uid, write_uid, create_date, write_date"
)
ACCOUNT_COLUMNS = (
    "id, name, partner_id, payer_id, company_id, region_id, billing_reference, "
    "billing_day, state, create_uid, write_uid, create_date, write_date"
)
SERVICE_COLUMNS = (
    "id, name, reference, service_type, account_id, partner_id, company_id, region_id, "
    "tariff_id, state, block_reason, msisdn, iccid, imsi, installation_address, "
    "access_technology, activation_date, termination_date, ported_in, "
    "create_uid, write_uid, create_date, write_date"
)


def configure(parser):
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument(
        "--interactions", type=int, default=3, help="interactions per subscriber"
    )
    parser.add_argument(
        "--reset", action="store_true", help="delete the rows of previous runs first"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="parallel connections (one per core)"
    )
    parser.add_argument(
        "--batch", type=int, default=25_000, help="subscribers per transaction"
    )
    parser.add_argument(
        "--usage-months",
        type=int,
        default=3,
        help="closed months of billing figures per live main line (telecom_campaigns)",
    )
    parser.add_argument(
        "--tickets-pct",
        type=int,
        default=10,
        help="%% of the subscribers with a ticket (telecom_helpdesk_sla)",
    )


# ----------------------------------------------------------------------
# identifiers, computed by PostgreSQL
# ----------------------------------------------------------------------
def sql_msisdn(serial):
    """Unique valid Russian mobile number: +7 95x xxx xx xx (10 million per x)."""
    return (
        f"('+7' || (950 + ({serial}) / 10000000) "
        f"|| lpad((({serial}) %% 10000000)::text, 7, '0'))"
    )


_LUHN_DOUBLE = "ARRAY[0,2,4,6,8,1,3,5,7,9]"
ICCID_PREFIX = "8970199"


def sql_iccid(serial):
    """``8970199`` + 11-digit serial + Luhn check digit, as one SQL expression:
    the prefix's share of the Luhn sum is a constant, each digit of the serial
    is doubled or not by its position from the right (the check digit's is 0)."""
    constant = 0
    for position, char in enumerate(reversed(ICCID_PREFIX), start=11):
        digit = int(char)
        constant += (
            (digit * 2 - 9 if digit * 2 > 9 else digit * 2)
            if (position % 2 == 0)
            else digit
        )
    terms = []
    for position in range(11):
        digit = f"(({serial}) / {10**position} %% 10)"
        terms.append(f"({_LUHN_DOUBLE})[{digit} + 1]" if position % 2 == 0 else digit)
    total = " + ".join([str(constant), *terms])
    return (
        f"('{ICCID_PREFIX}' || lpad(({serial})::text, 11, '0') "
        f"|| ((10 - ({total}) %% 10) %% 10)::text)"
    )


# ----------------------------------------------------------------------
# setup through the ORM (a few records)
# ----------------------------------------------------------------------
def ensure_reference_data(env):
    """Zones, catalog and the bench agent; returns the ids generation needs."""
    Region = env["telecom.region"]
    regions = Region.search([("code", "in", [code for code, _name in REGIONS])])
    missing = [
        {"code": code, "name": name, "level": "region", "tz": "Europe/Moscow"}
        for code, name in REGIONS
        if code not in regions.mapped("code")
    ]
    regions |= Region.create(missing)
    Product = env["product.product"]
    catalog = {}
    for code, name, kind, service_type, fee in CATALOG:
        product = Product.search([("telecom_billing_code", "=", code)], limit=1)
        catalog[code] = product or Product.create(
            {
                "name": name,
                "type": "service",
                "telecom_kind": kind,
                "telecom_service_type": service_type,
                "telecom_billing_code": code,
                "telecom_monthly_fee": fee,
            }
        )
    agent = env["res.users"].search([("login", "=", BENCH_AGENT_LOGIN)])
    if not agent:
        group = env.ref("telecom_subscriber.telecom_subscriber_group_front_office")
        env["res.users"].with_context(no_reset_password=True).create(
            {
                "name": "Bench Front Office",
                "login": BENCH_AGENT_LOGIN,
                "groups_id": [(6, 0, [group.id])],
                "telecom_region_ids": [(6, 0, regions.ids)],
            }
        )
    env.cr.execute(
        "SELECT name FROM ir_module_module WHERE state = 'installed' AND name IN %s",
        [ADDONS],
    )
    addons = {name for (name,) in env.cr.fetchall()}
    reference = {
        "regions": sorted(regions.ids),
        "tariffs": {
            "mobile": catalog["BENCH-TAR-MOBILE"].id,
            "broadband": catalog["BENCH-TAR-BROADBAND"].id,
            "iptv": catalog["BENCH-TAR-IPTV"].id,
        },
        "option": catalog["BENCH-OPT-ROAMING"].id,
        "company": env.ref("base.main_company").id,
        "agent": env.ref("base.user_admin").id,
        "addons": addons,
    }
    tables = dict(TABLES)
    if "telecom_helpdesk_sla" in addons:
        reference["helpdesk"] = ensure_helpdesk_data(env, reference)
        tables["helpdesk_ticket"] = ("helpdesk.ticket", TICKET_COLUMNS)
    reference["defaults"] = {
        table: orm_defaults(env, table, model, columns)
        for table, (model, columns) in tables.items()
    }
    for table, defaults in reference["defaults"].items():
        print(f"defaults of {table}: {defaults}")
    return reference


def ensure_helpdesk_data(env, reference):
    """The bench team, the stages, channels and ticket sequence tickets use,
    and the working-time intervals of the policies' calendars in the zones."""
    Team = env["helpdesk.ticket.team"]
    team = Team.search([("name", "=", TICKET_TEAM)], limit=1) or Team.create(
        {"name": TICKET_TEAM, "user_ids": [(6, 0, [reference["agent"]])]}
    )

    def ref(xmlid):
        return env.ref(f"helpdesk_mgmt.{xmlid}")

    stages = {
        key: ref(f"helpdesk_ticket_stage_{key}")
        for key in ("new", "in_progress", "awaiting", "done", "cancelled")
    }
    channels = [
        ref(f"helpdesk_ticket_channel_{key}").id for key in ("web", "email", "phone")
    ]
    sequence = env["ir.sequence"].search(
        [
            ("code", "=", "helpdesk.ticket.sequence"),
            ("company_id", "in", [reference["company"], False]),
        ],
        order="company_id",
        limit=1,
    )
    if sequence.implementation != "standard" or sequence.use_date_range:
        raise SystemExit(f"ticket sequence {sequence.name}: standard one expected")
    prefix, suffix = sequence._get_prefix_suffix()
    calendars = env["telecom.sla.policy"].search([]).calendar_id
    env["telecom.sla.calendar.interval"]._ensure_keys(
        {(calendar.id, 0) for calendar in calendars}
        | {(c.id, r) for c in calendars for r in reference["regions"]}
    )
    return {
        "team": team.id,
        "stages": {key: stage.id for key, stage in stages.items()},
        "unattended": {key: bool(stage.unattended) for key, stage in stages.items()},
        "channels": channels,
        "sequence": f"ir_sequence_{sequence.id:03d}",
        "prefix": prefix,
        "suffix": suffix,
        "padding": sequence.padding,
    }


# the tables written here, their model and the columns this script fills
TABLES = {
    "res_partner": ("res.partner", PARTNER_COLUMNS),
    "telecom_account": ("telecom.account", ACCOUNT_COLUMNS),
    "telecom_service": ("telecom.service", SERVICE_COLUMNS),
}
TICKET_COLUMNS = (
    "number, name, description, stage_id, team_id, company_id, priority, "
    "partner_id, commercial_partner_id, partner_name, partner_email, active, "
    "sequence, kanban_state, color, last_stage_update, assigned_date, closed_date, "
    "unattended, channel_id, user_id, telecom_service_id, telecom_account_id, "
    "telecom_region_id, telecom_segment, telecom_service_type, "
    "telecom_access_technology, telecom_sla_start_date, telecom_first_response_date, "
    "telecom_escalation_level, create_uid, write_uid, create_date, write_date"
)
SCALARS = (str, int, float, bool, date, datetime)


def orm_defaults(env, table, model, columns):
    """The defaults ``create()`` would write in the stored columns the
    statements leave out (Odoo's and the other addons': ``autopost_bills``...)."""
    from odoo import models

    given = {column.strip() for column in columns.split(",")}
    Model = env[model]
    names = [
        name
        for name, field in Model._fields.items()
        if field.store
        and field.column_type
        and not field.company_dependent
        and name not in given
        and name not in models.MAGIC_COLUMNS
    ]
    values = Model.default_get(names)
    return {
        name: value
        for name, value in values.items()
        if name in names
        and isinstance(value, SCALARS)
        and (value is not False or Model._fields[name].type == "boolean")
    }


def with_defaults(statement, table, reference):
    """``statement`` with the table's ORM defaults as constant columns."""
    defaults = reference["defaults"].get(table, {})
    columns = "".join(f"{name}, " for name in defaults)
    values = "".join(f"%(default_{table}_{name})s, " for name in defaults)
    return statement.replace("/*EXTRA_COLUMNS*/", columns).replace(
        "/*EXTRA_VALUES*/", values
    )


def default_params(reference):
    return {
        f"default_{table}_{name}": value
        for table, defaults in reference["defaults"].items()
        for name, value in defaults.items()
    }


# ----------------------------------------------------------------------
# reset
# ----------------------------------------------------------------------
def reset(cr):
    """Delete every row a previous run generated (children first)."""
    like = BENCH_PREFIX + "%"
    statements = []
    cr.execute("SELECT to_regclass('helpdesk_ticket') IS NOT NULL")
    if cr.fetchone()[0]:
        # SLA lines and journal go with their tickets (ON DELETE CASCADE)
        statements.append(
            (
                "tickets",
                """DELETE FROM helpdesk_ticket t USING res_partner p
                    WHERE t.partner_id = p.id AND p.ref LIKE %s""",
            )
        )
    statements += [
        (
            "interactions",
            """DELETE FROM telecom_interaction i USING res_partner p
                WHERE i.partner_id = p.id AND p.ref LIKE %s""",
        ),
        (
            "status history",
            """DELETE FROM telecom_service_state_log l USING telecom_service s
                WHERE l.service_id = s.id AND s.reference LIKE %s""",
        ),
        (
            "options",
            """DELETE FROM telecom_service_option_rel r USING telecom_service s
                WHERE r.service_id = s.id AND s.reference LIKE %s""",
        ),
        (
            "monthly usage",
            """DELETE FROM telecom_usage_monthly u USING telecom_service s
                WHERE u.service_id = s.id AND s.reference LIKE %s""",
        ),
        ("requests", "DELETE FROM telecom_request WHERE name LIKE %s"),
        ("services", "DELETE FROM telecom_service WHERE reference LIKE %s"),
        ("accounts", "DELETE FROM telecom_account WHERE name LIKE %s"),
        (
            "audit log",
            """DELETE FROM telecom_audit_log a USING res_partner p
                WHERE a.partner_id = p.id AND p.ref LIKE %s""",
        ),
        ("subscribers", "DELETE FROM res_partner WHERE ref LIKE %s"),
    ]
    for label, statement in statements:
        start = time.perf_counter()
        cr.execute(statement, [like])
        elapsed = time.perf_counter() - start
        print(f"reset: {cr.rowcount} {label} deleted in {elapsed:.1f} s")


# ----------------------------------------------------------------------
# batches: partners, accounts, services from generate_series
# ----------------------------------------------------------------------
def reserve_ids(cr, table, count):
    """Reserve ``count`` consecutive ids of ``table`` (run on an idle database)."""
    sequence = f"{table}_id_seq"
    cr.execute("SELECT nextval(%s)", [sequence])
    first = cr.fetchone()[0]
    if count > 1:
        cr.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


def service_count(serial):
    return 1 + serial % 3


def plan_batches(cr, first_serial, count, batch_size, first_service_serial, each=None):
    """Reserve the ids of ``count`` subscribers; split them into batches.

    Each batch is a dict of parameters: serial range, first partner, account
    and service id, first service serial, services per subscriber (``each``,
    else 1 to 3 by serial), and ``ref`` (the partner ref, else by serial)."""
    counts = [
        each or service_count(s) for s in range(first_serial, first_serial + count)
    ]
    partner_first = reserve_ids(cr, "res_partner", count)
    account_first = reserve_ids(cr, "telecom_account", count)
    service_first = reserve_ids(cr, "telecom_service", sum(counts))
    batches, done, services = [], 0, 0
    while done < count:
        size = min(batch_size, count - done)
        batch_services = sum(counts[done : done + size])
        batches.append(
            {
                "serial_first": first_serial + done,
                "serial_last": first_serial + done + size - 1,
                "partner_first": partner_first + done,
                "account_first": account_first + done,
                "service_first": service_first + services,
                "service_last": service_first + services + batch_services - 1,
                "service_serial_first": first_service_serial + services,
                "each": each,
                "ref": None,
            }
        )
        done += size
        services += batch_services
    return batches


# one row per subscriber of the batch: its ids, zone, number of services and
# the position of its first service among the batch's
SUBSCRIBERS_CTE = """
WITH subs AS (
    SELECT s, n,
           %(partner_first)s + (s - %(serial_first)s) AS partner_id,
           %(account_first)s + (s - %(serial_first)s) AS account_id,
           (%(regions)s::int[])[1 + s %% cardinality(%(regions)s::int[])]
               AS region_id,
           (sum(n) OVER (ORDER BY s) - n)::bigint AS service_offset
      FROM generate_series(%(serial_first)s::bigint, %(serial_last)s::bigint) s
     CROSS JOIN LATERAL (
           SELECT coalesce(%(each)s::bigint, 1 + s %% 3) AS n) c
)
"""

INSERT_PARTNERS = (
    SUBSCRIBERS_CTE
    + f"""
INSERT INTO res_partner (/*EXTRA_COLUMNS*/ {PARTNER_COLUMNS})
SELECT /*EXTRA_VALUES*/ partner_id, nm, nm,
       coalesce(%(ref)s, %(prefix)s || 'C' || lpad(s::text, 9, '0')),
       'en_US', 'contact', email, email, phone, phone, true, is_company,
       CASE WHEN is_company THEN nm END, true, partner_id, 0, 0, true, region_id,
       CASE WHEN is_company THEN 'b2b' WHEN s %% 50 = 1 THEN 'vip' ELSE 'mass' END,
       DATE '{ACTIVATION_START}' + (s * 7919 %% 3650)::int,
       1, 1, %(now)s, %(now)s
  FROM subs
 CROSS JOIN LATERAL (
       SELECT s %% 10 = 0 AS is_company,
              'c' || s || '@bench.example' AS email,
              {sql_msisdn("%(service_serial_first)s + service_offset")} AS phone) a
 CROSS JOIN LATERAL (
       SELECT CASE WHEN is_company THEN 'Bench Company ' || s || ' LLC'
                   ELSE (%(first_names)s::text[])[1 + s %% 16] || ' '
                        || (%(last_names)s::text[])[1 + (s / 16) %% 16] || ' ' || s
              END AS nm) b
"""
)

INSERT_ACCOUNTS = (
    SUBSCRIBERS_CTE
    + f"""
INSERT INTO telecom_account (/*EXTRA_COLUMNS*/ {ACCOUNT_COLUMNS})
SELECT /*EXTRA_VALUES*/ account_id, %(prefix)s || 'LS' || lpad(s::text, 9, '0'),
       partner_id, partner_id,
       %(company)s, region_id, 'BILL-' || lpad(s::text, 9, '0'), 1 + s %% 28,
       'active', 1, 1, %(now)s, %(now)s
  FROM subs
"""
)

INSERT_SERVICES = (
    SUBSCRIBERS_CTE
    + f"""
INSERT INTO telecom_service (/*EXTRA_COLUMNS*/ {SERVICE_COLUMNS})
SELECT /*EXTRA_VALUES*/ %(service_first)s + service_offset + pos,
       CASE WHEN kind = 'mobile' THEN msisdn ELSE address END,
       %(prefix)s || 'SRV' || lpad(x::text, 10, '0'), kind, account_id, partner_id,
       %(company)s, region_id,
       CASE kind WHEN 'mobile' THEN %(tariff_mobile)s
                 WHEN 'broadband' THEN %(tariff_broadband)s
                 ELSE %(tariff_iptv)s END,
       state,
       CASE WHEN state = 'blocked'
            THEN (ARRAY['voluntary', 'lost_sim', 'debt', 'fraud'])[1 + x %% 4] END,
       msisdn, iccid, imsi, address,
       CASE WHEN kind = 'mobile' THEN 'lte' ELSE 'ftth' END,
       CASE WHEN state != 'pending' THEN activated END,
       CASE WHEN state = 'terminated' THEN activated + 365 END,
       false, 1, 1, %(now)s, %(now)s
  FROM subs
 CROSS JOIN LATERAL generate_series(0, n - 1) pos
 CROSS JOIN LATERAL (SELECT %(service_serial_first)s + service_offset + pos AS x) sx
 CROSS JOIN LATERAL (
       SELECT CASE pos %% 3 WHEN 0 THEN 'mobile'
                   WHEN 1 THEN CASE WHEN x %% 2 = 1 THEN 'mobile' ELSE 'broadband' END
                   ELSE 'iptv' END AS kind,
              CASE WHEN x %% 50 < 40 THEN 'active' WHEN x %% 50 < 44 THEN 'blocked'
                   WHEN x %% 50 = 44 THEN 'pending' ELSE 'terminated' END AS state,
              DATE '{ACTIVATION_START}' + (x * 7919 %% 3650)::int AS activated) k
 CROSS JOIN LATERAL (
       SELECT CASE WHEN kind = 'mobile' THEN {sql_msisdn("x")} END AS msisdn,
              CASE WHEN kind = 'mobile' THEN {sql_iccid("x")} END AS iccid,
              CASE WHEN kind = 'mobile' THEN '25099' || lpad(x::text, 10, '0') END
                  AS imsi,
              CASE WHEN kind != 'mobile'
                   THEN 'Bench street ' || x %% 997 || ', ' || x %% 89 || ', apt ' || x
              END AS address) ident
"""
)


def batch_params(reference, batch, now):
    return {
        **batch,
        "prefix": BENCH_PREFIX,
        "regions": reference["regions"],
        "first_names": FIRST_NAMES,
        "last_names": LAST_NAMES,
        "company": reference["company"],
        "tariff_mobile": reference["tariffs"]["mobile"],
        "tariff_broadband": reference["tariffs"]["broadband"],
        "tariff_iptv": reference["tariffs"]["iptv"],
        "now": now,
        **default_params(reference),
    }


def insert_history_and_options(cr, reference, service_range):
    """Initial status row of each new service (as create() writes it), options."""
    cr.execute(
        """
        INSERT INTO telecom_service_state_log
               (service_id, state, block_reason, date, user_id, company_id,
                create_uid, write_uid, create_date, write_date)
        SELECT id, state, block_reason, COALESCE(activation_date, create_date::date),
               1, company_id, 1, 1, create_date, write_date
          FROM telecom_service WHERE id BETWEEN %s AND %s
        """,
        service_range,
    )
    history = cr.rowcount
    cr.execute(
        """
        INSERT INTO telecom_service_option_rel (service_id, product_id)
        SELECT id, %s FROM telecom_service
         WHERE id BETWEEN %s AND %s AND service_type = 'mobile' AND id %% 4 = 0
        """,
        [reference["option"], *service_range],
    )
    return history + cr.rowcount


def insert_interactions(cr, reference, partner_range, per_subscriber, now):
    """``per_subscriber`` timeline rows per subscriber over the last two years."""
    cr.execute(
        """
        INSERT INTO telecom_interaction
               (partner_id, region_id, company_id, agent_id, channel, direction,
                summary, outcome, duration, date,
                create_uid, write_uid, create_date, write_date)
        SELECT p, (%(regions)s::int[])[1 + s %% cardinality(%(regions)s::int[])],
               %(company)s, %(agent)s,
               (ARRAY['call','chat','messenger','email','sms','portal','shop'])
                   [1 + (p + k) %% 7],
               (ARRAY['inbound','inbound','outbound'])[1 + (p + k) %% 3],
               'Bench contact ' || k,
               (ARRAY['resolved','information','request_created','follow_up','sale',
                      'complaint'])[1 + (p * 3 + k) %% 6],
               ((p + k) %% 15)::float,
               %(now)s::timestamp
                   - ((p * 37 + k * 1013) %% 1051200) * interval '1 minute',
               1, 1, %(now)s, %(now)s
          FROM generate_series(%(first)s::bigint, %(last)s::bigint) p
         CROSS JOIN LATERAL (SELECT p - %(first)s + %(serial_first)s AS s) serial
         CROSS JOIN generate_series(1, %(count)s) k
        """,
        {
            "regions": reference["regions"],
            "company": reference["company"],
            "agent": reference["agent"],
            "count": per_subscriber,
            "first": partner_range[0],
            "last": partner_range[1],
            "serial_first": partner_range[2],
            "now": now,
        },
    )
    return cr.rowcount


def insert_requests(cr, reference, partner_range, now):
    """Requests the churn score reads: 1 % port-outs and 1 % terminations
    submitted (open), 5 % claims filed over the last 90 days (done)."""
    cr.execute(
        """
        INSERT INTO telecom_request
               (name, request_type, state, is_closed, partner_id, account_id,
                region_id, company_id, channel, fulfilment_status, date_submitted,
                date_closed, create_uid, write_uid, create_date, write_date)
        SELECT 'BENCH-REQ-' || p.id || '-' || kind.request_type, kind.request_type,
               kind.state, kind.state = 'done', p.id, a.id, p.telecom_region_id,
               %(company)s, 'shop', 'none', created, CASE WHEN kind.state = 'done'
               THEN created END, 1, 1, created, created
          FROM res_partner p
          JOIN telecom_account a ON a.partner_id = p.id
          JOIN (VALUES ('port_out', 'submitted', 100, 3),
                       ('termination', 'submitted', 100, 7),
                       ('claim', 'done', 20, 11))
               AS kind(request_type, state, every, remainder)
            ON p.id %% kind.every = kind.remainder
         CROSS JOIN LATERAL (
               SELECT %(now)s::timestamp
                      - (p.id * 7 %% 129600) * interval '1 minute' AS created) c
         WHERE p.id BETWEEN %(first)s AND %(last)s
        """,
        {
            "company": reference["company"],
            "first": partner_range[0],
            "last": partner_range[1],
            "now": now,
        },
    )
    return cr.rowcount


def insert_card_interactions(cr, reference, partner_id, count):
    """``count`` interactions of one subscriber, each on one of its services."""
    cr.execute(
        """
        WITH services AS (
            SELECT array_agg(id ORDER BY id) AS ids,
                   array_agg(name ORDER BY id) AS names
              FROM telecom_service WHERE partner_id = %(partner)s
        )
        INSERT INTO telecom_interaction
               (partner_id, service_id, service_label, region_id, company_id,
                agent_id, channel, direction, summary, outcome, duration, date,
                create_uid, write_uid, create_date, write_date)
        SELECT %(partner)s, s.ids[1 + k %% cardinality(s.ids)],
               s.names[1 + k %% cardinality(s.ids)], p.telecom_region_id,
               %(company)s, %(agent)s,
               (ARRAY['call','chat','messenger','email','sms','portal','shop'])
                   [1 + k %% 7],
               'inbound', 'Card bench contact ' || k, 'resolved', 3,
               now() AT TIME ZONE 'UTC' - k * interval '1 hour',
               1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM generate_series(0, %(count)s - 1) k
          CROSS JOIN services s
          JOIN res_partner p ON p.id = %(partner)s
        """,
        {
            "partner": partner_id,
            "company": reference["company"],
            "agent": reference["agent"],
            "count": count,
        },
    )
    return cr.rowcount


def insert_card_requests(cr, reference, partner_id, count):
    """``count`` claims of one subscriber on its services, every other one open
    (submitted), the others done: the card lists the open ones."""
    cr.execute(
        """
        WITH services AS (
            SELECT array_agg(id ORDER BY id) AS ids,
                   array_agg(name ORDER BY id) AS names
              FROM telecom_service WHERE partner_id = %(partner)s
        )
        INSERT INTO telecom_request
               (name, request_type, state, is_closed, partner_id, account_id,
                service_id, service_label, region_id, company_id, channel,
                fulfilment_status, date_submitted, date_closed, create_uid,
                write_uid, create_date, write_date)
        SELECT 'BENCH-REQ-CARD-' || %(partner)s || '-' || k, 'claim',
               CASE WHEN k %% 2 = 0 THEN 'submitted' ELSE 'done' END, k %% 2 = 1,
               p.id, a.id, s.ids[1 + k %% cardinality(s.ids)],
               s.names[1 + k %% cardinality(s.ids)], p.telecom_region_id,
               %(company)s, 'shop', 'none', created,
               CASE WHEN k %% 2 = 1 THEN created END, 1, 1, created, created
          FROM generate_series(0, %(count)s - 1) k
          CROSS JOIN services s
          JOIN res_partner p ON p.id = %(partner)s
          JOIN telecom_account a ON a.partner_id = p.id
         CROSS JOIN LATERAL (
               SELECT now() AT TIME ZONE 'UTC' - k * interval '1 hour' AS created) c
        """,
        {"partner": partner_id, "company": reference["company"], "count": count},
    )
    return cr.rowcount


# ----------------------------------------------------------------------
# telecom_campaigns: billing's monthly figures
# ----------------------------------------------------------------------
INSERT_USAGE = (
    SUBSCRIBERS_CTE
    + """
INSERT INTO telecom_usage_monthly
       (service_id, month, account_id, partner_id, company_id, region_id,
        data_mb, voice_minutes, sms_count, roaming_mb, charged_amount, paid_amount,
        debt_amount, paid_late, device_type, device_os, device_5g, source,
        received_at, create_uid, create_date, write_uid, write_date)
SELECT sv.id, month, sv.account_id, sv.partner_id, sv.company_id, sv.region_id,
       round(((1000 + sv.id * 37 %% 9000) * usage_factor)::numeric, 1),
       round(((50 + sv.id * 13 %% 500) * usage_factor)::numeric, 1),
       ((sv.id * 7 %% 60) * usage_factor)::int,
       CASE WHEN sv.id %% 20 = 0 AND age <= 2 THEN (sv.id * 11 %% 800)::float
            ELSE 0 END,
       charged, charged - debt, debt,
       debt > 0 OR (sv.id + age) %% 9 = 4,
       (ARRAY['smartphone','smartphone','smartphone','smartphone','smartphone',
              'smartphone','feature_phone','tablet'])[1 + sv.id %% 8],
       (ARRAY['Android 14','iOS 17','Android 13','KaiOS 3'])[1 + sv.id %% 4],
       sv.id %% 3 = 0, 'billing', %(now)s, 1, %(now)s, 1, %(now)s
  FROM subs
  JOIN telecom_service sv ON sv.id = %(service_first)s + subs.service_offset
 CROSS JOIN generate_series(1, %(months)s) age
 CROSS JOIN LATERAL (
       SELECT (date_trunc('month', %(now)s::timestamp)
               - age * interval '1 month')::date AS month,
              -- a tenth use half as much in the last month (usage drop)
              CASE WHEN age = 1 AND sv.id %% 10 = 7 THEN 0.5 ELSE 1 END AS usage_factor,
              -- a twelfth are billed 30 %% less in the last month (ARPU falling)
              round((300 + sv.id %% 400)
                    * CASE WHEN age = 1 AND sv.id %% 12 = 5 THEN 0.7 ELSE 1 END, 2)
                  AS charged) m
 CROSS JOIN LATERAL (
       -- one in 25 leaves the last month unpaid
       SELECT CASE WHEN age = 1 AND sv.id %% 25 = 3 THEN charged ELSE 0 END AS debt) d
 WHERE sv.state IN ('active', 'blocked')
"""
)


def insert_usage(cr, params, months):
    if months <= 0:
        return 0
    cr.execute(INSERT_USAGE, {**params, "months": months})
    return cr.rowcount


def refresh_metrics(env, batch, now, timer):
    """The metrics rows of the batch's subscribers, by the model's own refresh
    (the cron's statement and its bridges' figures)."""
    first = batch["partner_first"]
    last = first + batch["serial_last"] - batch["serial_first"]
    with timer("metrics"):
        env["telecom.subscriber.metric"]._refresh(list(range(first, last + 1)), now=now)
    env.cr.execute(
        """SELECT count(*) FROM telecom_subscriber_metric
            WHERE partner_id BETWEEN %s AND %s""",
        [first, last],
    )
    return env.cr.fetchone()[0]


# ----------------------------------------------------------------------
# telecom_helpdesk_sla: tickets and their SLA lines
# ----------------------------------------------------------------------
INSERT_TICKETS = (
    SUBSCRIBERS_CTE
    + """
, chosen AS (
    SELECT subs.*, p.name AS partner_name, p.email, p.telecom_segment,
           sv.id AS service_id, sv.region_id AS service_region_id,
           sv.service_type, sv.access_technology,
           %(now)s::timestamp - (s * 7919 %% %(spread)s) * interval '1 minute'
               AS created,
           (s * 7919 %% %(spread)s) < %(open_minutes)s AS is_open,
           (s * 7919 %% %(spread)s) < 1440 AS is_new
      FROM subs
      JOIN res_partner p ON p.id = subs.partner_id
      JOIN telecom_service sv ON sv.id = %(service_first)s + subs.service_offset
     WHERE s * 37 %% 100 < %(pct)s
), dated AS (
    SELECT chosen.*,
           CASE WHEN is_new THEN 'new'
                WHEN is_open AND s %% 5 = 0 THEN 'awaiting'
                WHEN is_open THEN 'in_progress'
                WHEN s %% 20 = 0 THEN 'cancelled' ELSE 'done' END AS stage_key,
           CASE WHEN NOT is_new
                THEN created + (10 + s * 17 %% 590) * interval '1 minute' END
               AS responded,
           CASE WHEN NOT is_open
                THEN created + (2 + s * 31 %% 120) * interval '1 hour' END AS closed
      FROM chosen
)
INSERT INTO helpdesk_ticket
       (/*EXTRA_COLUMNS*/ number, name, description, stage_id, team_id, company_id,
        priority,
        partner_id, commercial_partner_id, partner_name, partner_email, active,
        sequence, kanban_state, color, last_stage_update, assigned_date,
        closed_date, unattended, channel_id, user_id, telecom_service_id,
        telecom_account_id, telecom_region_id, telecom_segment,
        telecom_service_type, telecom_access_technology, telecom_sla_start_date,
        telecom_first_response_date, telecom_escalation_level,
        create_uid, write_uid, create_date, write_date)
SELECT /*EXTRA_VALUES*/ %(number_prefix)s
       || CASE WHEN length(number::text) >= %(padding)s THEN number::text
               ELSE lpad(number::text, %(padding)s, '0') END
       || %(number_suffix)s,
       (%(subjects)s::text[])[1 + s %% cardinality(%(subjects)s::text[])],
       '<p>Bench ticket of subscriber ' || s || '</p>',
       (%(stage_ids)s::jsonb ->> stage_key)::int, %(team)s, %(company)s,
       (ARRAY['0','1','1','1','2','3'])[1 + s %% 6],
       partner_id, partner_id, partner_name, email, true, 10, 'normal', 0,
       coalesce(closed, responded, created),
       CASE WHEN responded IS NOT NULL THEN created END,
       closed, (%(unattended)s::jsonb ->> stage_key)::boolean,
       (%(channels)s::int[])[1 + s %% cardinality(%(channels)s::int[])],
       CASE WHEN responded IS NOT NULL THEN %(agent)s END,
       service_id, account_id, coalesce(service_region_id, region_id),
       telecom_segment, service_type, access_technology, created, responded, 0,
       1, 1, created, coalesce(closed, responded, created)
  FROM dated
 CROSS JOIN LATERAL (SELECT nextval(%(sequence)s) AS number WHERE s IS NOT NULL) n
 ORDER BY created
RETURNING id, stage_id, telecom_region_id, telecom_sla_start_date
"""
)


def ticket_params(reference, params, args, now):
    helpdesk = reference["helpdesk"]
    return {
        **params,
        "spread": TICKET_DAYS * 1440,
        "open_minutes": OPEN_DAYS * 1440,
        "pct": args.tickets_pct,
        "number_prefix": helpdesk["prefix"],
        "number_suffix": helpdesk["suffix"],
        "padding": helpdesk["padding"],
        "sequence": helpdesk["sequence"],
        "subjects": TICKET_SUBJECTS,
        "stage_ids": json.dumps(helpdesk["stages"]),
        "unattended": json.dumps(helpdesk["unattended"]),
        "team": helpdesk["team"],
        "channels": helpdesk["channels"],
        "agent": reference["agent"],
        "now": now,
    }


def insert_tickets(env, reference, params, args, now, timer):
    """The batch's tickets, then their SLA lines as the engine makes them.
    Returns (tickets, SLA lines, journal rows)."""
    cr = env.cr
    with timer("tickets"):
        cr.execute(
            with_defaults(INSERT_TICKETS, "helpdesk_ticket", reference),
            ticket_params(reference, params, args, now),
        )
        rows = cr.fetchall()
    if not rows:
        return 0, 0, 0
    with timer("sla_lines"):
        lines, events = start_sla(env, reference, rows, now, timer)
    return len(rows), lines, events


def start_sla(env, reference, rows, now, timer):
    """Policies matched and clocks started by the engine; reached targets
    stopped at their dates; waiting tickets paused; the tickets' summary."""
    cr = env.cr
    ticket_ids = [row[0] for row in rows]
    tickets = env["helpdesk.ticket"].browse(ticket_ids)
    with timer("sla_match"):
        matches = env["telecom.sla.policy"]._match(tickets)
    by_policy = defaultdict(list)
    for ticket, policy in matches.items():
        if policy:
            by_policy[policy].append(ticket.id)
    team = env["helpdesk.ticket.team"].browse(reference["helpdesk"]["team"])
    info = {row[0]: row for row in rows}
    starts = []
    for policy, ids in by_policy.items():
        cr.execute(
            "UPDATE helpdesk_ticket SET sla_policy_id = %s WHERE id = ANY(%s)",
            [policy.id, ids],
        )
        calendar_id = policy._get_calendar(team).id
        for ticket_id in ids:
            _id, _stage, region_id, start = info[ticket_id]
            region = region_id if policy.tz_source == "region" else 0
            starts.append(
                (ticket_id, policy.id, reference["company"], calendar_id, region, start)
            )
    Line = env["telecom.sla.line"]
    with timer("sla_start"):
        started = Line._start(starts, now)
    if not started:
        Line._sync_ticket_summary(ticket_ids)
        return 0, 0
    # as if each clock had started when its ticket came: the journal's and
    # the lines' creation dates are the ticket's
    with timer("sla_dates"):
        cr.execute(
            """UPDATE telecom_sla_event e SET date = t.create_date
                 FROM helpdesk_ticket t
                WHERE e.ticket_id = t.id AND t.id = ANY(%s)""",
            [ticket_ids],
        )
        cr.execute(
            """UPDATE telecom_sla_line l SET create_date = t.create_date,
                      write_date = t.create_date
                 FROM helpdesk_ticket t
                WHERE l.ticket_id = t.id AND t.id = ANY(%s)""",
            [ticket_ids],
        )
    with timer("sla_reach"):
        reach_targets(cr, ticket_ids, env.uid)
    # tickets awaiting the subscriber: clocks paused where the policy says so
    awaiting = reference["helpdesk"]["stages"]["awaiting"]
    waiting = {
        ticket_id: "stage"
        for policy, ids in by_policy.items()
        if awaiting in policy.pause_stage_ids.ids
        for ticket_id in ids
        if info[ticket_id][1] == awaiting
    }
    with timer("sla_summary"):
        Line._pause(waiting, now)
        Line._sync_ticket_summary(ticket_ids)
    cr.execute(
        "SELECT count(*) FROM telecom_sla_event WHERE ticket_id = ANY(%s)",
        [ticket_ids],
    )
    return len(started), cr.fetchone()[0]


def reach_targets(cr, ticket_ids, uid):
    """First responses and resolutions of the past: the line stopped at its
    date, met or breached, journaled at that date (what the scan and
    ``_stop`` wrote when it happened)."""
    cr.execute(
        """
        WITH reached AS (
            SELECT l.id, l.ticket_id, l.kind, l.company_id, l.deadline,
                   l.warning_date,
                   CASE WHEN l.kind = 'first_response'
                        THEN t.telecom_first_response_date
                        ELSE t.closed_date END AS done
              FROM telecom_sla_line l
              JOIN helpdesk_ticket t ON t.id = l.ticket_id
             WHERE t.id = ANY(%(ids)s) AND l.status = 'running'
        ), stopped AS (
            UPDATE telecom_sla_line l
               SET status = CASE WHEN r.deadline < r.done THEN 'breached'
                                 ELSE 'met' END,
                   breached = r.deadline < r.done,
                   breach_count = CASE WHEN r.deadline < r.done THEN 1 ELSE 0 END,
                   warned = r.warning_date < r.done,
                   at_risk = false, done_date = r.done, write_date = r.done
              FROM reached r
             WHERE l.id = r.id AND r.done IS NOT NULL
         RETURNING r.*
        )
        INSERT INTO telecom_sla_event
               (ticket_id, line_id, kind, event_type, date, user_id, company_id)
        SELECT ticket_id, id, kind, e.event_type, e.date, %(uid)s, company_id
          FROM stopped
         CROSS JOIN LATERAL (
               VALUES ('warned', warning_date), ('breached', deadline), ('met', done)
               ) AS e(event_type, date)
         WHERE e.date <= done
        """,
        {"ids": ticket_ids, "uid": uid},
    )
    return cr.rowcount


# ----------------------------------------------------------------------
# driver
# ----------------------------------------------------------------------
def backend_cpu(cr):
    """CPU seconds the PostgreSQL backend of ``cr`` used so far (same host)."""
    cr.execute("SELECT pg_backend_pid()")
    pid = cr.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            values = stat.read().rsplit(")", 1)[1].split()
    except OSError:  # another host: not counted
        return 0.0
    return (int(values[11]) + int(values[12])) / os.sysconf("SC_CLK_TCK")


class Timings:
    """Seconds per phase, summed over the workers, and the CPU seconds of the
    backends (thread-safe)."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self.backend_cpu = 0.0
        self.lock = threading.Lock()

    def add_cpu(self, seconds):
        with self.lock:
            self.backend_cpu += seconds

    def __call__(self, phase):
        timings = self

        class Timer:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                with timings.lock:
                    timings.seconds[phase] += time.perf_counter() - self.start

        return Timer()


def run_batch(env, reference, batch, args, now, timer):
    """Every row of one batch, in the transaction of ``env``; returns counts."""
    cr = env.cr
    params = batch_params(reference, batch, now)
    rows = defaultdict(int)
    with timer("partners"):
        cr.execute(with_defaults(INSERT_PARTNERS, "res_partner", reference), params)
        rows["subscribers"] += cr.rowcount
    with timer("accounts"):
        cr.execute(with_defaults(INSERT_ACCOUNTS, "telecom_account", reference), params)
        rows["accounts"] += cr.rowcount
    with timer("services"):
        cr.execute(with_defaults(INSERT_SERVICES, "telecom_service", reference), params)
        rows["services"] += cr.rowcount
    service_range = (batch["service_first"], batch["service_last"])
    partner_range = (
        batch["partner_first"],
        batch["partner_first"] + batch["serial_last"] - batch["serial_first"],
        batch["serial_first"],
    )
    with timer("history_options"):
        rows["history_options"] += insert_history_and_options(
            cr, reference, service_range
        )
    if batch["ref"] is None:
        with timer("interactions"):
            rows["interactions"] += insert_interactions(
                cr, reference, partner_range, args.interactions, now
            )
        with timer("requests"):
            rows["requests"] += insert_requests(cr, reference, partner_range, now)
        if "telecom_campaigns" in reference["addons"]:
            with timer("usage"):
                rows["usage"] += insert_usage(cr, params, args.usage_months)
        if "telecom_helpdesk_sla" in reference["addons"] and args.tickets_pct > 0:
            tickets, lines, events = insert_tickets(
                env, reference, params, args, now, timer
            )
            rows["tickets"] += tickets
            rows["sla_lines"] += lines
            rows["sla_events"] += events
    return rows


def run_parallel(registry, items, function, workers, timer):
    """``function(env, item)`` for each item, by ``workers`` threads with a
    connection (and a transaction per item) each; returns the summed counts."""
    from odoo import SUPERUSER_ID, api

    todo = queue.Queue()
    for item in items:
        todo.put(item)
    totals = defaultdict(int)
    errors = []
    lock = threading.Lock()
    start = time.perf_counter()

    def work():
        while not errors:
            try:
                item = todo.get_nowait()
            except queue.Empty:
                return
            try:
                with registry.cursor() as cr:
                    cpu = backend_cpu(cr)
                    counts = function(api.Environment(cr, SUPERUSER_ID, {}), item)
                    timer.add_cpu(backend_cpu(cr) - cpu)
            except Exception as error:  # re-raised by the main thread
                errors.append(error)
                raise
            with lock:
                for key, value in counts.items():
                    totals[key] += value
                elapsed = time.perf_counter() - start
                done = ", ".join(f"{value} {key}" for key, value in totals.items())
                print(f"... {done} in {elapsed:.0f} s", flush=True)

    threads = [threading.Thread(target=work) for _ in range(max(1, workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return totals


def written_tables(reference):
    tables = [
        "res_partner", "telecom_account", "telecom_service",
        "telecom_service_state_log", "telecom_service_option_rel",
        "telecom_interaction", "telecom_request", "telecom_usage_monthly",
    ]  # fmt: skip
    if "telecom_helpdesk_sla" in reference["addons"]:
        tables += ["helpdesk_ticket", "telecom_sla_line", "telecom_sla_event"]
    return tables


def analyze(registry, tables, timer):
    """Statistics of the tables written, before anything plans a join on them."""
    with odoo_env(registry) as env, timer("analyze"):
        cpu = backend_cpu(env.cr)
        env.cr.execute(f"ANALYZE {', '.join(tables)}")
        timer.add_cpu(backend_cpu(env.cr) - cpu)


def existing_counts(cr):
    """Subscribers and services of previous runs: new serials start after them."""
    cr.execute(
        "SELECT count(*) FROM res_partner WHERE ref LIKE %s", [BENCH_PREFIX + "%"]
    )
    subscribers = cr.fetchone()[0]
    cr.execute(
        "SELECT count(*) FROM telecom_service WHERE reference LIKE %s",
        [BENCH_PREFIX + "%"],
    )
    return subscribers, cr.fetchone()[0]


def generate_cards(env, reference, serial, service_serial, args, now, timer):
    """The two card subscribers, once; returns ({ref: partner id}, row counts)."""
    cr = env.cr
    cards = (CARD_SMALL_REF, CARD_LARGE_REF)
    cr.execute("SELECT ref FROM res_partner WHERE ref IN %s", [cards])
    existing = {ref for (ref,) in cr.fetchall()}
    rows = defaultdict(int)
    for ref, size in ((CARD_SMALL_REF, 10), (CARD_LARGE_REF, 10_000)):
        if ref in existing:
            continue
        (batch,) = plan_batches(cr, serial + 1, 1, 1, service_serial + 1, each=size)
        batch["ref"] = ref
        counts = run_batch(env, reference, batch, args, now, timer)
        for key, value in counts.items():
            rows[key] += value
        with timer("interactions"):
            rows["interactions"] += insert_card_interactions(
                cr, reference, batch["partner_first"], size
            )
        serial += 1
        service_serial += size
    cr.execute(
        "SELECT ref, id FROM res_partner WHERE ref IN %s ORDER BY ref DESC", [cards]
    )
    ids = dict(cr.fetchall())
    for ref, size in ((CARD_SMALL_REF, 10), (CARD_LARGE_REF, 10_000)):
        # their claims (cards of earlier runs get theirs on the next run)
        cr.execute(
            "SELECT count(*) FROM telecom_request WHERE name LIKE %s",
            [f"BENCH-REQ-CARD-{ids[ref]}-%"],
        )
        if not cr.fetchone()[0]:
            with timer("requests"):
                rows["requests"] += insert_card_requests(cr, reference, ids[ref], size)
    return ids, rows


def load_average():
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def report(rows, timer, elapsed, args, cards, size):
    for key in (
        "subscribers", "accounts", "services", "history_options", "interactions",
        "requests", "usage", "tickets", "sla_lines", "sla_events", "metrics",
    ):  # fmt: skip
        measure(f"generate_{key}", rows.get(key, 0), "rows")
    total_rows = sum(rows.values())
    for phase, seconds in sorted(timer.seconds.items(), key=lambda item: -item[1]):
        measure(f"phase_{phase}", seconds, "s")
    python_cpu = sum(os.times()[:2])
    measure("cpu_backends", timer.backend_cpu, "s")
    measure("cpu_python", python_cpu, "s")
    # what the work needs of two idle cores: an estimate, not a measure
    measure("cpu_total_per_core_2", (timer.backend_cpu + python_cpu) / 2, "s")
    measure("generate_total", total_rows, "rows")
    measure("generate_time", elapsed, "s")
    measure("generate_rate", total_rows / elapsed if elapsed else 0.0, "rows/s")
    measure("generate_subscriber_rate", rows["subscribers"] / elapsed, "subscribers/s")
    measure("card_small_partner_id", cards.get(CARD_SMALL_REF), "id")
    measure("card_large_partner_id", cards.get(CARD_LARGE_REF), "id")
    measure("db_size", size, "MB")
    if args.subscribers >= GOAL_SUBSCRIBERS:
        verdict = "met" if elapsed <= GOAL_SECONDS else "MISSED"
        print(f"goal_generate_1m: {verdict} ({elapsed:.0f} s <= {GOAL_SECONDS} s)")
    elif args.subscribers:
        estimate = elapsed * GOAL_SUBSCRIBERS / args.subscribers
        print(
            f"goal_generate_1m: not measured ({args.subscribers} subscribers; "
            f"linear estimate {estimate:.0f} s, goal <= {GOAL_SECONDS} s)"
        )


def main():
    args = parse_args(__doc__.splitlines()[0], configure)
    print(f"load_average_start: {load_average()}", flush=True)
    registry = load_registry(args)
    start = time.perf_counter()
    timer = Timings()
    with odoo_env(registry) as env:
        with timer("setup"):
            reference = ensure_reference_data(env)
        if args.reset:
            with timer("reset"):
                reset(env.cr)
    print(f"addons: {', '.join(sorted(reference['addons'])) or 'none'}", flush=True)
    with odoo_env(registry) as env:
        cr = env.cr
        cr.execute("SELECT now() AT TIME ZONE 'UTC'")
        now = cr.fetchone()[0].replace(microsecond=0)
        subscriber_offset, service_offset = existing_counts(cr)
        batches = (
            plan_batches(
                cr,
                subscriber_offset + 1,
                args.subscribers,
                args.batch,
                service_offset + 1,
            )
            if args.subscribers > 0
            else []
        )
    rows = run_parallel(
        registry,
        batches,
        lambda env, batch: run_batch(env, reference, batch, args, now, timer),
        args.workers,
        timer,
    )
    if args.subscribers <= 0:  # --reset --subscribers 0: only delete
        return
    with odoo_env(registry) as env:
        cpu = backend_cpu(env.cr)
        serial = subscriber_offset + args.subscribers
        services = service_offset + rows["services"]
        cards, card_rows = generate_cards(
            env, reference, serial, services, args, now, timer
        )
        for key, value in card_rows.items():
            rows[key] += value
        timer.add_cpu(backend_cpu(env.cr) - cpu)
    analyze(registry, written_tables(reference), timer)
    if "telecom_campaigns" in reference["addons"]:
        # after ANALYZE: the refresh joins six tables, planned on their sizes
        metrics = run_parallel(
            registry,
            batches,
            lambda env, batch: {"metrics": refresh_metrics(env, batch, now, timer)},
            args.workers,
            timer,
        )
        rows["metrics"] = metrics["metrics"]
        analyze(registry, ["telecom_subscriber_metric"], timer)
    with odoo_env(registry) as env:
        size = database_size_mb(env.cr)
    elapsed = time.perf_counter() - start
    report(rows, timer, elapsed, args, cards, size)
    print(f"load_average_end: {load_average()}", flush=True)


if __name__ == "__main__":
    main()
