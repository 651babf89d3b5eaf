"""Card open time with billing answering in 0 s, 2 s, down and hung, side by side.

    python3 bench/billing_card.py --db bss_bench [--runs 7] [--simulator-url URL]

Needs a database with telecom_bss_connector installed. Starts the billing
simulator (simulator/) on a free port unless --simulator-url is given, creates
its own zone, agent, subscriber, account and billing backend in one transaction
(rolled back at the end: nothing stays), seeds the account in the simulator and,
for each billing behaviour (simulator knobs), measures as the front-office agent:

* ``card_open_<case>_ms``: opening the card (``web_read`` of the card form with
  its Billing tab), what the agent waits for: it reads the snapshot only;
* ``card_refresh_<case>_ms``: the Billing tab's live refresh (the widget's call,
  interactive time-out, a few seconds of budget in all) and whether it brought
  fresh figures or kept the stale ones;
* ``naive_live_<case>_ms``: what a card fetching billing synchronously with the
  system's normal time-outs would make the agent wait (the design we refuse);
* ``peer_<case>_ms``: the simulator's own answer time for the account (the floor).

The circuit breaker is closed before each case (threshold 3): the first refresh
of a failing case pays the time-out, the median shows the short-circuited calls
that follow once the breaker opened.
"""

import contextlib
import time

import requests
from common import load_registry, measure, odoo_env, parse_args, timed_runs
from simulator_control import knobs, simulator
from subscriber_card import card_spec

CASES = [
    ("0s", {}),
    ("2s", {"latency_ms": 2000}),
    ("down", {"outage": True}),
    ("hung", {"latency_ms": 30000}),
]
TOKEN = "sim-token"


def configure(parser):
    parser.add_argument("--runs", type=int, default=7, help="timed runs per case")
    parser.add_argument("--simulator-url", default=None)
    parser.add_argument("--read-timeout", type=float, default=10.0)
    parser.add_argument("--live-timeout", type=float, default=2.5)


def setup(env, url, args):
    """Zone, agent, subscriber, account, backend (rolled back by the caller)."""
    zone = env["telecom.region"].create({"name": "Bench BSS", "code": "BENCH-BSS-Z"})
    group = env.ref("telecom_subscriber.telecom_subscriber_group_front_office")
    agent = env["res.users"].create(
        {
            "name": "Bench BSS agent",
            "login": "bench_bss_agent",
            "groups_id": [(6, 0, group.ids)],
            "telecom_region_ids": [(6, 0, zone.ids)],
        }
    )
    partner = env["res.partner"].create(
        {
            "name": "Bench BSS card",
            "telecom_is_subscriber": True,
            "telecom_region_id": zone.id,
        }
    )
    account = env["telecom.account"].create({"partner_id": partner.id})
    backend = env["telecom.backend"].create(
        {
            "name": "Bench billing",
            "sequence": 0,
            "kind": "billing",
            "protocol": "rest",
            "url": url,
            "auth_type": "token",
            "token": TOKEN,
            "company_id": False,
            "region_ids": [(6, 0, zone.ids)],
            "read_timeout": args.read_timeout,
            "live_timeout": args.live_timeout,
            "circuit_threshold": 3,
            "circuit_cooldown": 600,
            "cache_ttl": 0,
        }
    )
    requests.post(
        f"{url}/__admin/seed",
        json={
            "accounts": [
                {
                    "account": account.name,
                    "balance": 321.0,
                    "credit_limit": 500.0,
                    "services": [],
                }
            ]
        },
        timeout=10,
    ).raise_for_status()
    return agent, partner, account, backend


def peer_time(url, account_name):
    start = time.perf_counter()
    with contextlib.suppress(requests.RequestException):
        requests.get(
            f"{url}/api/v1/accounts/{account_name}",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=12,
        )
    return (time.perf_counter() - start) * 1000


def main():
    args = parse_args(__doc__.splitlines()[0], configure)
    registry = load_registry(args)
    results = {}
    with simulator(args.simulator_url) as url, odoo_env(registry) as env:
        agent, partner, account, backend = setup(env, url, args)
        agent_env = env(user=agent.id, context={"lang": "en_US", "tz": "Europe/Moscow"})
        spec = card_spec(agent_env)
        card = partner.with_env(agent_env)
        card.action_telecom_refresh_billing()  # a first snapshot, as in real life
        for case, case_knobs in CASES:
            knobs(url, **case_knobs)
            backend._bss_set_circuit_closed()

            def open_card():
                agent_env.invalidate_all()
                card.web_read(spec)

            def refresh():
                agent_env.invalidate_all()
                return card.action_telecom_refresh_billing()

            open_ms = timed_runs(open_card, args.runs)
            start = time.perf_counter()
            outcome = refresh()
            first_ms = (time.perf_counter() - start) * 1000
            refresh_ms = timed_runs(refresh, args.runs)
            backend._bss_set_circuit_closed()
            start = time.perf_counter()
            account._bss_refresh_billing(live=False)  # what a synchronous card waits
            naive_ms = (time.perf_counter() - start) * 1000
            results[case] = (
                open_ms,
                first_ms,
                refresh_ms,
                "fresh" if outcome["refreshed"] else "stale",
                naive_ms,
                peer_time(url, account.name) if case != "hung" else None,
            )
        knobs(url)
        env.cr.rollback()
    for case, values in results.items():
        open_ms, first_ms, refresh_ms, outcome, naive_ms, peer_ms = values
        measure(f"card_open_{case}_ms", open_ms, "ms")
        measure(f"card_refresh_first_{case}_ms", first_ms, f"ms ({outcome})")
        measure(f"card_refresh_median_{case}_ms", refresh_ms, "ms")
        measure(f"naive_live_{case}_ms", naive_ms, "ms")
        if peer_ms is not None:
            measure(f"peer_{case}_ms", peer_ms, "ms")
    print()
    print(
        f"{'billing':<8}{'card open':>12}{'refresh (1st)':>22}"
        f"{'refresh (median)':>18}{'naive card':>14}"
    )
    for case, values in results.items():
        open_ms, first_ms, refresh_ms, outcome, naive_ms, _peer = values
        print(
            f"{case:<8}{open_ms:>9.1f} ms{first_ms:>12.0f} ms {outcome:<6}"
            f"{refresh_ms:>15.0f} ms{naive_ms:>11.0f} ms"
        )


if __name__ == "__main__":
    main()
