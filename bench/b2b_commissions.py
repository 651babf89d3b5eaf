"""Agent commission statements for 1,000 agents over 200,000 activations
(``telecom_b2b_partner``), beside the raw SQL join they read, with the issue's
goal (30 s).

    odoo -d bench_b2b -i telecom_b2b_partner --without-demo=all --stop-after-init ...
    python3 bench/b2b_commissions.py --db bench_b2b                 # generates once
    python3 bench/b2b_commissions.py --db bench_b2b --reset         # data again

Data (set-based ``INSERT ... SELECT`` over ``generate_series``, committed once,
every row marked ``BENCH-``): ``--agents`` dealers and agents on one plan (10 %
of the first 3 billed months, 1,000 per activation, clawback within 6 months;
from 100 activations in a month 1,500 and 15 %), ``--leads-per-agent`` won
partner-channel opportunities each with its own customer company and account,
``--activations`` broadband services activated through them (done activation
requests linked to the opportunity), spread evenly over the three months up to
the measured month, 4 % terminated within their clawback months; every billed
month of each service from its activation to the measured month in
``telecom.usage.monthly`` (about two per service).

Measures (in one transaction rolled back afterwards, so runs repeat), as a B2B
sales manager (``bench_b2b_manager``, created once):

- ``statements_previous_month``: ``_generate_statements()`` of the month before
  (every agent: bonuses, tiers, revenue shares);
- ``statements_month``: the measured month, whose clawbacks take back bonuses
  of the previous month's statements; each goal 30 s;
- ``raw_sql_activations_join``: the join of agents, opportunities, activation
  requests, services and billed months the statements read, aggregated by
  PostgreSQL alone (the floor).

Figures printed: statements, lines per type, amounts, statements with a tier.
Exit status 1 when a goal is missed.
"""

import os
import time
from datetime import date, timedelta

from common import load_registry, measure, odoo_env, parse_args

GOAL_SECONDS = 30  # from the issue
MANAGER_LOGIN = "bench_b2b_manager"
PLAN_NAME = "BENCH Agent Plan"


def configure(parser):
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--leads-per-agent", type=int, default=10)
    parser.add_argument("--activations", type=int, default=200_000)
    parser.add_argument(
        "--month", default="2026-03-01", help="first day of the measured month"
    )
    parser.add_argument("--reset", action="store_true")


class Rollback(Exception):
    """Ends the measured transaction without committing it."""


def reset(cr):
    cr.execute(
        """DELETE FROM telecom_b2b_commission_statement
            WHERE agent_id IN
                  (SELECT id FROM res_partner WHERE ref LIKE 'BENCH-AGT-%%')"""
    )
    cr.execute("DELETE FROM telecom_request WHERE name LIKE 'BENCH-B2BR-%%'")
    cr.execute(
        """DELETE FROM telecom_usage_monthly WHERE service_id IN
           (SELECT id FROM telecom_service WHERE reference LIKE 'BENCH-B2BS-%%')"""
    )
    cr.execute(
        "DELETE FROM telecom_service_state_log WHERE service_id IN "
        "(SELECT id FROM telecom_service WHERE reference LIKE 'BENCH-B2BS-%%')"
    )
    cr.execute("DELETE FROM telecom_service WHERE reference LIKE 'BENCH-B2BS-%%'")
    cr.execute("DELETE FROM crm_lead WHERE name LIKE 'BENCH-LEAD-%%'")
    cr.execute(
        """DELETE FROM telecom_account WHERE partner_id IN
           (SELECT id FROM res_partner WHERE ref LIKE 'BENCH-B2BC-%%')"""
    )
    cr.execute("DELETE FROM res_partner WHERE ref LIKE 'BENCH-B2BC-%%'")
    cr.execute("DELETE FROM res_partner WHERE ref LIKE 'BENCH-AGT-%%'")


def reference_data(env):
    """Zone, tariff, plan and the B2B manager (ORM, once)."""
    region = env["telecom.region"].search([("code", "=", "BENCH-B2B")], limit=1)
    if not region:
        region = env["telecom.region"].create(
            {"name": "BENCH B2B", "code": "BENCH-B2B", "level": "region"}
        )
    tariff = env["product.product"].search(
        [("default_code", "=", "BENCH-B2B-TARIFF")], limit=1
    )
    if not tariff:
        tariff = env["product.product"].create(
            {
                "name": "BENCH B2B Fibre",
                "default_code": "BENCH-B2B-TARIFF",
                "type": "service",
                "telecom_kind": "tariff",
                "telecom_service_type": "broadband",
                "telecom_billing_code": "BENCH-B2B-TARIFF",
                "telecom_monthly_fee": 600,
            }
        )
    plan = env["telecom.b2b.commission.plan"].search(
        [("name", "=", PLAN_NAME)], limit=1
    )
    if not plan:
        plan = env["telecom.b2b.commission.plan"].create(
            {
                "name": PLAN_NAME,
                "revenue_percent": 10,
                "revenue_months": 3,
                "activation_bonus": 1000,
                "clawback_months": 6,
                "tier_ids": [
                    (
                        0,
                        0,
                        {
                            "min_activations": 100,
                            "activation_bonus": 1500,
                            "revenue_percent": 15,
                        },
                    )
                ],
            }
        )
    manager = env["res.users"].search([("login", "=", MANAGER_LOGIN)], limit=1)
    if not manager:
        manager = env["res.users"].create(
            {
                "name": "Bench B2B Manager",
                "login": MANAGER_LOGIN,
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            env.ref(
                                "telecom_b2b_partner.telecom_b2b_partner_group_manager"
                            ).id,
                            env.ref(
                                "telecom_subscriber.telecom_subscriber_group_all_zones"
                            ).id,
                        ],
                    )
                ],
                "telecom_region_ids": [(6, 0, region.ids)],
            }
        )
    return region, tariff, plan, manager


def generate(env, args, month):
    """Agents, customers, accounts, opportunities, services, activation
    requests and billed months, each one INSERT ... SELECT."""
    cr = env.cr
    region, tariff, plan, _manager = reference_data(env)
    params = {
        "agents": args.agents,
        "leads": args.agents * args.leads_per_agent,
        "per_agent": args.leads_per_agent,
        "activations": args.activations,
        "company": env.company.id,
        "region": region.id,
        "tariff": tariff.id,
        "plan": plan.id,
        "month": month,
    }
    cr.execute(
        """INSERT INTO res_partner (name, complete_name, ref, is_company, active,
                   type, lang, partner_share, autopost_bills, telecom_region_id,
                   telecom_b2b_agent_type, telecom_b2b_commission_plan_id,
                   create_uid, create_date, write_uid, write_date)
           SELECT 'BENCH Agent ' || g, 'BENCH Agent ' || g, 'BENCH-AGT-' || g, true,
                  true, 'contact', 'en_US', true, 'ask', %(region)s,
                  CASE WHEN g %% 4 = 0 THEN 'dealer' ELSE 'agent' END, %(plan)s,
                  1, now(), 1, now()
             FROM generate_series(1, %(agents)s) g""",
        params,
    )
    cr.execute(
        """INSERT INTO res_partner (name, complete_name, ref, is_company, active,
                   type, lang, partner_share, autopost_bills, telecom_region_id,
                   telecom_is_subscriber, create_uid, create_date, write_uid,
                   write_date)
           SELECT 'BENCH Customer ' || g, 'BENCH Customer ' || g, 'BENCH-B2BC-' || g,
                  true, true, 'contact', 'en_US', true, 'ask', %(region)s, true,
                  1, now(), 1, now()
             FROM generate_series(1, %(leads)s) g""",
        params,
    )
    cr.execute(
        """UPDATE res_partner SET commercial_partner_id = id
            WHERE ref LIKE 'BENCH-AGT-%%' OR ref LIKE 'BENCH-B2BC-%%'"""
    )
    cr.execute("ANALYZE res_partner")
    cr.execute(
        """INSERT INTO telecom_account (name, partner_id, company_id, region_id,
                   state, create_uid, create_date, write_uid, write_date)
           SELECT 'BENCH-B2BA-' || substr(p.ref, 12), p.id, %(company)s,
                  %(region)s, 'active', 1, now(), 1, now()
             FROM res_partner p WHERE p.ref LIKE 'BENCH-B2BC-%%'""",
        params,
    )
    cr.execute("ANALYZE telecom_account")
    # customer g belongs to agent (g - 1) / leads-per-agent + 1
    cr.execute(
        """INSERT INTO crm_lead (name, type, active, telecom_b2b_channel,
                   telecom_b2b_referrer_id, partner_id, company_id, create_uid,
                   create_date, write_uid, write_date)
           SELECT 'BENCH-LEAD-' || substr(c.ref, 12), 'opportunity', true, 'partner',
                  a.id, c.id, %(company)s, 1, now(), 1, now()
             FROM res_partner c
             JOIN res_partner a
               ON a.ref = 'BENCH-AGT-'
                  || ((substr(c.ref, 12)::int - 1) / %(per_agent)s + 1)
            WHERE c.ref LIKE 'BENCH-B2BC-%%'""",
        params,
    )
    cr.execute("ANALYZE crm_lead")
    # service s: customer (s - 1) %% leads + 1, activated on one of the 92 days
    # before the end of the measured month; 4 %% end 20 days after activation
    cr.execute(
        """INSERT INTO telecom_service (name, reference, service_type, account_id,
                   partner_id, company_id, region_id, tariff_id, state,
                   installation_address, activation_date, termination_date,
                   create_uid, create_date, write_uid, write_date)
           SELECT 'BENCH-B2BS-' || s, 'BENCH-B2BS-' || s, 'broadband', acc.id,
                  acc.partner_id, %(company)s, %(region)s, %(tariff)s,
                  CASE WHEN s %% 25 = 0 THEN 'terminated' ELSE 'active' END,
                  'Bench street ' || s, d.day,
                  CASE WHEN s %% 25 = 0 THEN d.day + 20 END,
                  1, now(), 1, now()
             FROM generate_series(1, %(activations)s) s
             JOIN telecom_account acc
               ON acc.name = 'BENCH-B2BA-' || ((s - 1) %% %(leads)s + 1)
            CROSS JOIN LATERAL (
                  SELECT ((%(month)s::date - interval '2 months')::date
                          + (s::bigint * 7919 %% 89)::int) AS day) d""",
        params,
    )
    cr.execute("ANALYZE telecom_service")
    cr.execute(
        """INSERT INTO telecom_request (name, request_type, state, is_closed,
                   channel, fulfilment_status, partner_id, account_id, service_id,
                   company_id, region_id, telecom_b2b_lead_id, new_service_type,
                   tariff_id, create_uid, create_date, write_uid, write_date)
           SELECT 'BENCH-B2BR-' || substr(s.reference, 12), 'activation', 'done',
                  true, 'shop', 'none', s.partner_id, s.account_id, s.id,
                  s.company_id, s.region_id, lead.id, 'broadband', s.tariff_id,
                  1, now(), 1, now()
             FROM telecom_service s
             JOIN crm_lead lead ON lead.partner_id = s.partner_id
                               AND lead.name LIKE 'BENCH-LEAD-%%'
            WHERE s.reference LIKE 'BENCH-B2BS-%%'""",
        params,
    )
    cr.execute(
        """INSERT INTO telecom_usage_monthly (service_id, month, account_id,
                   partner_id, company_id, region_id, charged_amount, source,
                   received_at, create_uid, create_date, write_uid, write_date)
           SELECT s.id, m::date, s.account_id, s.partner_id, s.company_id,
                  s.region_id, 300 + s.id %% 600, 'import', now(), 1, now(), 1, now()
             FROM telecom_service s
            CROSS JOIN LATERAL generate_series(
                  date_trunc('month', s.activation_date),
                  LEAST(%(month)s::date, date_trunc('month',
                        COALESCE(s.termination_date, %(month)s::date))),
                  interval '1 month') m
            WHERE s.reference LIKE 'BENCH-B2BS-%%'""",
        params,
    )
    cr.execute("ANALYZE")


def bench_present(cr):
    cr.execute(
        """SELECT (SELECT count(*) FROM res_partner WHERE ref LIKE 'BENCH-AGT-%%'),
                  (SELECT count(*) FROM telecom_request
                    WHERE name LIKE 'BENCH-B2BR-%%')"""
    )
    return cr.fetchone()


def figures(env, statements, prefix):
    cr = env.cr
    cr.execute(
        """SELECT line_type, count(*), sum(amount)
             FROM telecom_b2b_commission_statement_line
            WHERE statement_id = ANY(%s) GROUP BY line_type ORDER BY line_type""",
        [statements.ids],
    )
    for line_type, count, amount in cr.fetchall():
        measure(f"{prefix}_{line_type}_lines", count, "lines")
        measure(f"{prefix}_{line_type}_amount", float(amount), "RUB")
    measure(f"{prefix}_statements", len(statements), "statements")
    measure(f"{prefix}_with_tier", len(statements.filtered("tier_id")), "statements")
    measure(f"{prefix}_total", sum(statements.mapped("amount_total")), "RUB")


def raw_sql_floor(cr, month_from, month_to):
    start = time.perf_counter()
    cr.execute(
        """SELECT count(DISTINCT s.id), count(u.id), sum(u.charged_amount)
             FROM res_partner agent
             JOIN res_partner referrer ON referrer.commercial_partner_id = agent.id
             JOIN crm_lead lead ON lead.telecom_b2b_referrer_id = referrer.id
                               AND lead.telecom_b2b_channel = 'partner'
             JOIN telecom_request r ON r.telecom_b2b_lead_id = lead.id
                                   AND r.request_type = 'activation'
             JOIN telecom_service s ON s.id = r.service_id
             LEFT JOIN telecom_usage_monthly u
               ON u.service_id = s.id AND u.month <= %s
              AND u.month < date_trunc('month', s.activation_date) + interval '3 months'
            WHERE agent.ref LIKE 'BENCH-AGT-%%'
              AND s.activation_date <= %s""",
        [month_to, month_to],
    )
    services, months, amount = cr.fetchone()
    elapsed = time.perf_counter() - start
    measure("raw_sql_activations_join", elapsed, "s")
    measure("raw_sql_services", services, "services")
    measure("raw_sql_billed_months", months, "rows")
    return elapsed


def main():
    args = parse_args(__doc__.splitlines()[0], configure)
    month = date.fromisoformat(args.month)
    month_end = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    month_end -= timedelta(days=1)
    previous = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    previous_end = month - timedelta(days=1)
    registry = load_registry(args)
    print(f"load_average: {os.getloadavg()[0]:.2f}")
    with odoo_env(registry) as env:
        if args.reset:
            reset(env.cr)
        agents, requests = bench_present(env.cr)
        if not agents:
            start = time.perf_counter()
            generate(env, args, month)
            measure("generate", time.perf_counter() - start, "s")
        agents, requests = bench_present(env.cr)
        measure("agents", agents, "agents")
        measure("activations", requests, "activations")
        _region, _tariff, _plan, manager = reference_data(env)
    missed = []
    try:
        with odoo_env(registry, uid=manager.id) as env:
            Statement = env["telecom.b2b.commission.statement"]
            bench_agents = env["res.partner"].search([("ref", "=like", "BENCH-AGT-%")])
            for name, date_from, date_to in (
                ("statements_previous_month", previous, previous_end),
                ("statements_month", month, month_end),
            ):
                start = time.perf_counter()
                statements = Statement._generate_statements(
                    date_from, date_to, bench_agents
                )
                env.flush_all()
                elapsed = time.perf_counter() - start
                measure(name, elapsed, "s")
                figures(env, statements, name)
                met = elapsed <= GOAL_SECONDS
                print(
                    f"goal_{name}: {'met' if met else 'MISSED'} "
                    f"({elapsed:.1f} <= {GOAL_SECONDS})"
                )
                if not met:
                    missed.append(name)
            raw_sql_floor(env.cr, previous, month_end)
            raise Rollback
    except Rollback:
        pass
    print(f"load_average: {os.getloadavg()[0]:.2f}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
