"""Find a subscriber by MSISDN, account number and ICCID, as the search box does.

    python3 bench/lookup.py --db bench_telecom [--runs 25]

For each kind of identifier: ``res.partner.search([('telecom_lookup', '=', term)])``
as the front-office agent of generate.py, its SQL query count (at most 3), median
time, the plan of its lookup query (indexes used, no sequential scan) and, beside
it, the raw SQL floor: that single query by itself.
"""

import re

from common import (
    bench_agent,
    load_registry,
    measure,
    odoo_env,
    parse_args,
    timed_runs,
)

# the query telecom.service._lookup_partner_ids runs (keep in sync)
LOOKUP_SQL = """
    SELECT partner_id FROM telecom_service
     WHERE msisdn = ANY(%(terms)s) OR iccid = ANY(%(terms)s)
    UNION
    SELECT partner_id FROM telecom_account WHERE name = ANY(%(terms)s)
"""
MAX_QUERIES = 3
INDEX_SCAN = re.compile(
    r"(?:Index Scan|Index Only Scan|Bitmap Index Scan) (?:using|on) (\w+)"
)


def configure(parser):
    parser.add_argument("--runs", type=int, default=25, help="timed runs per lookup")


def sample_terms(cr):
    """A mobile line and an account from the middle of the generated data."""
    cr.execute(
        """SELECT s.msisdn, s.iccid, a.name, s.partner_id
             FROM telecom_service s JOIN telecom_account a ON a.id = s.account_id
            WHERE s.reference LIKE 'BENCH-SRV%%' AND s.service_type = 'mobile'
              AND s.state = 'active'
              AND s.id >= (SELECT (min(id) + max(id)) / 2 FROM telecom_service)
            ORDER BY s.id LIMIT 1"""
    )
    msisdn, iccid, account, partner_id = cr.fetchone()
    return {"msisdn": msisdn, "account": account, "iccid": iccid}, partner_id


def count_queries(env, function):
    before = env.cr.sql_log_count
    function()
    return env.cr.sql_log_count - before


def plan_summary(cr, term):
    """Index scans of the lookup query; flags any sequential scan."""
    cr.execute("EXPLAIN (ANALYZE, COSTS OFF) " + LOOKUP_SQL, {"terms": [term]})
    plan = [line for (line,) in cr.fetchall()]
    used = INDEX_SCAN.findall("\n".join(plan))
    seq_scans = [line.strip() for line in plan if "Seq Scan" in line]
    execution = next((line for line in plan if line.startswith("Execution Time")), "")
    return sorted(set(used)), seq_scans, execution


def main():
    args = parse_args(__doc__.splitlines()[0], configure)
    registry = load_registry(args)
    with odoo_env(registry) as env:
        agent = bench_agent(env)
        terms, expected_partner = sample_terms(env.cr)
        Partner = env(user=agent.id, context={"lang": "en_US"})["res.partner"]
        for kind, term in terms.items():

            def lookup(term=term):
                Partner.env.invalidate_all()  # a fresh cache, like a new request
                return Partner.search([("telecom_lookup", "=", term)])

            found = lookup()  # warm the registry caches
            if found.ids != [expected_partner]:
                raise SystemExit(f"lookup by {kind} {term} found {found.ids}")
            # first lookup of a request (fresh record cache), then a second one
            queries = count_queries(env, lookup)
            warm_queries = count_queries(
                env, lambda term=term: Partner.search([("telecom_lookup", "=", term)])
            )
            duration = timed_runs(lookup, args.runs)

            def raw_query(term=term):
                env.cr.execute(LOOKUP_SQL, {"terms": [term]})
                env.cr.fetchall()

            floor = timed_runs(raw_query, args.runs)
            indexes, seq_scans, execution = plan_summary(env.cr, term)
            measure(f"lookup_{kind}_queries", queries, "queries")
            measure(f"lookup_{kind}_queries_warm", warm_queries, "queries")
            measure(f"lookup_{kind}_time_ms", duration, "ms")
            measure(f"lookup_{kind}_sql_floor_ms", floor, "ms")
            scans = "; ".join(seq_scans) if seq_scans else "no seq scan"
            print(f"lookup_{kind}_plan: {', '.join(indexes)}; {scans}; {execution}")
            if queries > MAX_QUERIES:
                print(f"WARNING: {kind}: {queries} queries > {MAX_QUERIES}")


if __name__ == "__main__":
    main()
