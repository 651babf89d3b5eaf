"""Ticket creation: SQL queries per batch of 1, 10 and 100 tickets.

    python3 bench/ticket_create.py --db sla_bench

Creates tickets for a generated subscriber (``BENCH-`` partner, run
``bench/generate.py`` first) the way an agent or an API would: category, channel,
impact and urgency given, team and assignee chosen by a routing rule, SLA policy
matched, clocks started, incidents checked, business event and timeline row
written. Two modes: ``nomail`` (chatter off: what this addon and helpdesk_mgmt
cost) and ``mail`` (chatter on: plus the creation message, followers and tracking
of ``mail.thread``, one per ticket by design of the mail module). The queries of a
batch do not grow with its size in ``nomail`` mode. Rolled back.
"""

import time

from common import load_registry, measure, odoo_env, parse_args

BATCHES = (1, 10, 100)


class Rollback(Exception):
    """Ends the transaction without committing it."""


def setup(env):
    env.cr.execute(
        "SELECT id FROM res_partner WHERE ref LIKE 'BENCH-%%' "
        "AND telecom_region_id IS NOT NULL ORDER BY id LIMIT 1"
    )
    row = env.cr.fetchone()
    if not row:
        raise SystemExit("no bench subscriber: run bench/generate.py first")
    category = env["helpdesk.ticket.category"].search(
        [("name", "=", "BENCH category")], limit=1
    ) or env["helpdesk.ticket.category"].create({"name": "BENCH category"})
    team = env["helpdesk.ticket.team"].search(
        [("name", "=", "BENCH routing team")], limit=1
    ) or env["helpdesk.ticket.team"].create(
        {
            "name": "BENCH routing team",
            "user_ids": [
                (6, 0, env["res.users"].search([("share", "=", False)], limit=3).ids)
            ],
        }
    )
    if not env["telecom.routing.rule"].search([("name", "=", "BENCH routing")]):
        env["telecom.routing.rule"].create(
            {
                "name": "BENCH routing",
                "sequence": 1,
                "category_ids": [(6, 0, category.ids)],
                "team_id": team.id,
            }
        )
    return row[0], category.id


def create(env, partner_id, category_id, batch):
    channel = env.ref("helpdesk_mgmt.helpdesk_ticket_channel_phone")
    vals_list = [
        {
            "name": f"Bench ticket {index}",
            "description": "<p>bench</p>",
            "partner_id": partner_id,
            "category_id": category_id,
            "channel_id": channel.id,
            "telecom_impact": "3",
            "telecom_urgency": "2",
        }
        for index in range(batch)
    ]
    env.invalidate_all()
    env.flush_all()
    before = env.cr.sql_log_count
    start = time.perf_counter()
    tickets = env["helpdesk.ticket"].create(vals_list)
    env.flush_all()
    elapsed = time.perf_counter() - start
    assert len(tickets.sla_line_ids) >= batch
    return env.cr.sql_log_count - before, elapsed


def main():
    args = parse_args(__doc__.splitlines()[0])
    registry = load_registry(args)
    with odoo_env(registry) as env:
        partner_id, category_id = setup(env)
    modes = {
        "nomail": {"tracking_disable": True, "mail_create_nolog": True},
        "mail": {},
    }
    for mode, context in modes.items():
        try:
            with odoo_env(registry, context=context) as env:
                create(env, partner_id, category_id, 1)  # warm the caches
                for batch in BATCHES:
                    queries, elapsed = create(env, partner_id, category_id, batch)
                    measure(f"create_{mode}_{batch}_queries", queries, "queries")
                    measure(
                        f"create_{mode}_{batch}_queries_per_ticket",
                        queries / batch,
                        "queries",
                    )
                    measure(f"create_{mode}_{batch}_ms", elapsed * 1000, "ms")
                raise Rollback
        except Rollback:
            pass


if __name__ == "__main__":
    main()
