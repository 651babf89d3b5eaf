"""Server time and SQL queries of opening the 360° subscriber card.

    python3 bench/subscriber_card.py --db bench_telecom [--runs 9]

Reads the card form (``telecom_subscriber.res_partner_view_form_telecom_card``)
with ``res.partner.web_read`` and the field specification the web client derives
from the view (x2many lists with their ``limit``: 20, 40 for the timeline), as
the front-office agent created by generate.py, for the subscriber with 10
services and interactions and for the one with 10,000 of each. Prints the query
count (must not grow with the history), the median server time and, beside them,
the raw SQL floor: the same data read by hand-written queries, and
``goal_card_queries: met|MISSED`` (the issue's goal: at most 20 queries, the same
for both; exit status 1 when missed). ``--trace`` prints every query of one
opening of each card with the code that issued it.
"""

import os
import sys

from common import (
    CARD_LARGE_REF,
    CARD_SMALL_REF,
    bench_agent,
    database_size_mb,
    load_registry,
    measure,
    odoo_env,
    parse_args,
    timed_runs,
)

# the goal: the card in at most 20 queries, whatever the history
GOAL_QUERIES = 20
# the card's data in plain SQL: the floor under the ORM
FLOOR_QUERIES = [
    """SELECT id, name, ref, is_company, phone, mobile, email, lang,
              telecom_segment, telecom_region_id, telecom_customer_since
         FROM res_partner WHERE id = %(id)s""",
    """SELECT s.id, s.name, s.service_type, s.state, s.block_reason, t.name,
              a.name, r.complete_name
         FROM telecom_service s
         JOIN product_product pp ON pp.id = s.tariff_id
         JOIN product_template t ON t.id = pp.product_tmpl_id
         JOIN telecom_account a ON a.id = s.account_id
         JOIN telecom_region r ON r.id = s.region_id
        WHERE s.partner_id = %(id)s ORDER BY s.id DESC LIMIT 20""",
    """SELECT a.id, a.name, a.billing_reference, a.state, p.name
         FROM telecom_account a JOIN res_partner p ON p.id = a.payer_id
        WHERE a.partner_id = %(id)s ORDER BY a.name LIMIT 20""",
    """SELECT id, name, request_type, state FROM telecom_request
        WHERE partner_id = %(id)s AND NOT is_closed ORDER BY id DESC LIMIT 20""",
    """SELECT i.id, i.date, i.channel, i.direction, i.summary, i.outcome, s.name
         FROM telecom_interaction i LEFT JOIN telecom_service s ON s.id = i.service_id
        WHERE i.partner_id = %(id)s ORDER BY i.date DESC, i.id DESC LIMIT 40""",
    """SELECT state, count(*) FROM telecom_service
        WHERE partner_id = %(id)s GROUP BY state""",
    """SELECT count(*) FROM telecom_request
        WHERE partner_id = %(id)s AND NOT is_closed""",
]


def configure(parser):
    parser.add_argument("--runs", type=int, default=9, help="timed runs per card")
    parser.add_argument(
        "--trace",
        action="store_true",
        help="print each query of one opening of each card with the code that "
        "issued it",
    )


def open_card(env, partner_id, spec):
    """One card opening in a fresh cache, as a new request would do."""
    env.invalidate_all()
    env["res.partner"].browse(partner_id).web_read(spec)


def count_queries(env, function):
    env.flush_all()
    before = env.cr.sql_log_count
    function()
    return env.cr.sql_log_count - before


def trace_queries(env, function):
    """Run ``function``; print every query with the repository frames behind it."""
    import traceback

    from odoo.sql_db import Cursor

    original = Cursor.execute
    queries = []

    def execute(cursor, query, params=None, log_exceptions=True):
        stack = traceback.extract_stack()[:-1]
        stack = stack[-40:]
        frames = [
            f"{frame.filename.split('/addons/')[-1]}:{frame.lineno} {frame.name}"
            for position, frame in enumerate(stack)
            if "/addons/" in frame.filename or position >= len(stack) - 3
        ]
        text = str(query.code if hasattr(query, "code") else query)
        queries.append((" ".join(text.split())[:220], frames[-12:]))
        return original(cursor, query, params, log_exceptions)

    env.flush_all()
    Cursor.execute = execute
    try:
        function()
    finally:
        Cursor.execute = original
    for number, (text, frames) in enumerate(queries, 1):
        print(f"-- query {number}: {text}")
        for frame in frames:
            print(f"     {frame}")


def sql_floor(cr, partner_id, runs):
    def read_by_hand():
        for query in FLOOR_QUERIES:
            cr.execute(query, {"id": partner_id})
            cr.fetchall()

    return timed_runs(read_by_hand, runs)


def main():
    args = parse_args(__doc__.splitlines()[0], configure)
    registry = load_registry(args)
    with odoo_env(registry) as env:
        agent = bench_agent(env)
        refs = [CARD_SMALL_REF, CARD_LARGE_REF]
        partners = env["res.partner"].search([("ref", "in", refs)])
        ids = {partner.ref: partner.id for partner in partners}
        agent_env = env(
            user=agent.id,
            context={"lang": "en_US", "tz": "Europe/Moscow", "bin_size": True},
        )
        # the web client's derivation, shared with the card's tests
        from odoo.addons.telecom_subscriber.tools.card_spec import card_spec

        spec = card_spec(agent_env)
        env.cr.execute("SELECT count(*) FROM res_partner WHERE telecom_is_subscriber")
        subscribers = env.cr.fetchone()[0]
        results = {}
        for _round in range(2):  # warm the registry caches shared by every card
            for ref in refs:
                open_card(agent_env, ids[ref], spec)
        for label, ref in (("small", CARD_SMALL_REF), ("large", CARD_LARGE_REF)):
            partner_id = ids[ref]

            def open_this_card(partner_id=partner_id):
                open_card(agent_env, partner_id, spec)

            if args.trace:
                print(f"== card {label}")
                trace_queries(agent_env, open_this_card)

            queries = count_queries(agent_env, open_this_card)
            duration = timed_runs(open_this_card, args.runs)
            floor = sql_floor(env.cr, partner_id, args.runs)
            results[label] = (queries, duration, floor)
        # the card journals personal data reads: keep the database as it was
        env.cr.rollback()
        size = database_size_mb(env.cr)
    measure("db_subscribers", subscribers, "rows")
    measure("db_size", size, "MB")
    for label, (queries, duration, floor) in results.items():
        measure(f"card_queries_{label}", queries, "queries")
        measure(f"card_time_{label}_ms", duration, "ms")
        measure(f"card_sql_floor_{label}_ms", floor, "ms")
    measure(
        "card_time_ratio_large_small",
        results["large"][1] / results["small"][1],
        "x",
    )
    measure("load_average_1min", os.getloadavg()[0], f"(cores: {os.cpu_count()})")
    small, large = results["small"][0], results["large"][0]
    met = large <= GOAL_QUERIES and small == large
    verdict = "met" if met else "MISSED"
    print(
        f"goal_card_queries: {verdict} ({small} small, {large} large: "
        f"<= {GOAL_QUERIES} and identical)",
        flush=True,
    )
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
