"""A campaign's queued SMS submitted to the simulated SMSC through the gateway
(telecom_sms_smpp) at the SMSC's window and throttle, beside that throttle.

    python3 bench/generate.py --db bench_campaigns --subscribers 1000000   # once
    python3 bench/smsc_submit.py --db bench_campaigns --messages 20000 --throttle 500

Needs telecom_campaigns and telecom_sms_smpp installed. Starts the repository's
simulator (``python3 -m simulator``, its SMSC on a free port) with
``smsc_throttle_per_second`` = ``--throttle`` (more submits than that in a second
are refused with ESME_RTHROTTLED) and delivery receipts after 100 ms; the SMSC
account has ``--window`` and ``max_submits_per_second`` = ``--throttle``, so the
throttle is the floor: ``messages / throttle`` seconds.

In one transaction rolled back afterwards (the simulator's counters stay), as the
bench Marketing User, with the company's quiet hours off (the run must not depend
on the hour): the policy data of ``campaign_queue.py``, then a mailing queued
(``_queue_messages``) for the first ``--messages`` bench subscribers who consented
to SMS marketing and have no time zone of their own (blacklisted and capped ones
are still blocked by the policy), then:

- ``sms_prepare``: the mailing sent (``_action_send_mail``: the policy applied
  again, the contact log written, one ``sms.sms`` per message through Odoo's SMS
  composer, the mailing traces);
- ``smsc_submit``: those SMS through ``sms.sms.send`` (batches of 500, as the SMS
  queue's cron; here without its commit between batches, so one SMPP session)
  → journal rows, SMPP ``submit_sm`` in the window at the account's rate, the
  receipts that arrive meanwhile stored (no *Receipt Wait* pause after a batch);
  ``smsc_submit_rate`` messages/s beside ``smsc_throttle``;
- ``smsc_lost``: SMS handed to the gateway that the SMSC did not accept
  (simulator counter ``submit_accepted`` against the journal), 0 expected;
  ``smsc_duplicates`` the accepted submits beyond one per SMS, 0 expected.

Exit status 1 when an SMS is lost or duplicated.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time

import requests
from campaign_common import bench_marketer, bench_subscriber_count
from campaign_queue import Rollback, setup_policy_data
from common import BENCH_PREFIX, REPO_ROOT, load_registry, measure, odoo_env, parse_args

SYSTEM_ID, PASSWORD = "bench", "secret"  # SMPP: password up to 8 characters


def configure(parser):
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--throttle", type=int, default=500, help="submits/s")
    parser.add_argument("--window", type=int, default=10)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def simulator():
    """The repository's simulator with its SMSC: (admin URL, SMPP port)."""
    port, smpp_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}/__admin"
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", str(port)]
        + ["--smpp-port", str(smpp_port), "--smpp-system-id", SYSTEM_ID]
        + ["--smpp-password", PASSWORD, "--log-level", "WARNING"],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{url}/state", timeout=1).json().get("smsc"):
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the simulator's SMSC did not start")
            time.sleep(0.2)
        yield url, smpp_port
    finally:
        process.terminate()
        process.wait(timeout=10)


def smsc_counters(url):
    return requests.get(f"{url}/state", timeout=30).json()["smsc"]["counters"]


def audience_sql(count):
    from odoo.tools import SQL

    return SQL(
        """SELECT id FROM res_partner
            WHERE ref LIKE %s AND telecom_is_subscriber AND active
              AND telecom_consent_sms AND tz IS NULL
            ORDER BY id LIMIT %s""",
        BENCH_PREFIX + "C%",
        count,
    )


def smsc_account(env, smpp_port, args):
    env["telecom.smsc.account"].search([]).active = False
    return env["telecom.smsc.account"].create(
        {
            "name": "BENCH SMSC",
            "host": "127.0.0.1",
            "port": smpp_port,
            "system_id": SYSTEM_ID,
            "password": PASSWORD,
            "source_addr": "BENCH",
            "window_size": args.window,
            "max_submits_per_second": args.throttle,
            # receipts are read while submitting; no pause after each batch
            # (the rest is left for the collector cron)
            "receipt_wait": 0,
            "send_time_budget": 3600,
        }
    )


def measure_submit(registry, args, url, smpp_port, marketer_id):
    """Returns {measure: value} of one rolled back run."""
    try:
        with odoo_env(registry) as env:
            smsc_account(env, smpp_port, args)
            env.company.write(
                {"telecom_quiet_hour_start": 0.0, "telecom_quiet_hour_end": 0.0}
            )
            marketer = env(user=marketer_id)
            source = marketer["telecom.segment"].create({"name": "BENCH SMSC"})
            Message = marketer["telecom.campaign.message"]
            mailing = Message._get_mailing(
                source, "sms", "BENCH SMSC", "Your offer: 20 % off for 3 months."
            )
            counts = Message._queue_messages(
                audience_sql(args.messages), "sms", source, mailing
            )
            start = time.perf_counter()
            mailing._action_send_mail()
            prepared = time.perf_counter() - start
            sms = env["sms.sms"].search([("mailing_id", "=", mailing.id)])
            before = smsc_counters(url)
            start = time.perf_counter()
            sms.send(unlink_failed=False, unlink_sent=True, auto_commit=False)
            submitted = time.perf_counter() - start
            env.flush_all()
            env.cr.execute(
                """SELECT state, count(*) FROM telecom_smsc_message
                    WHERE sms_uuid = ANY(%s) GROUP BY state""",
                [sms.mapped("uuid")],
            )
            journal = dict(env.cr.fetchall())
            after = smsc_counters(url)
            raise Rollback(
                {
                    "queued": counts["queued"],
                    "blocked": counts["blocked"],
                    "sms": len(sms),
                    "prepare": prepared,
                    "submit": submitted,
                    "journal": journal,
                    **{
                        name: after.get(name, 0) - before.get(name, 0)
                        for name in ("submit_accepted", "submit_throttled")
                    },
                }
            )
    except Rollback as done:
        return done.args[0]


def main():
    args = parse_args(__doc__.splitlines()[0], configure)
    registry = load_registry(args)
    measure("load_average_1min", os.getloadavg()[0], f"(cores: {os.cpu_count()})")
    with odoo_env(registry) as env:
        if "telecom.smsc.account" not in env or "telecom.campaign.message" not in env:
            raise SystemExit("install telecom_campaigns and telecom_sms_smpp first")
        if bench_subscriber_count(env.cr) < args.messages:
            raise SystemExit("too few bench subscribers: run bench/generate.py")
        setup_policy_data(env)
        marketer_id = bench_marketer(env).id
    with simulator() as (url, smpp_port):
        requests.post(
            f"{url}/config",
            json={
                "smsc_throttle_per_second": args.throttle,
                "smsc_receipt_delay_ms": 100,
            },
            timeout=10,
        ).raise_for_status()
        run = measure_submit(registry, args, url, smpp_port, marketer_id)
    measure("smsc_messages_queued", run["queued"], "messages")
    measure("smsc_messages_blocked", run["blocked"], "messages (policy)")
    measure("sms_prepare", run["prepare"], f"s ({run['sms']} sms.sms)")
    measure("smsc_submit", run["submit"], "s")
    rate = run["sms"] / run["submit"] if run["submit"] else 0
    measure("smsc_submit_rate", rate, "messages/s")
    measure("smsc_throttle", args.throttle, f"messages/s (floor, window {args.window})")
    measure("smsc_throttled", run["submit_throttled"], "submits refused, resubmitted")
    measure("smsc_journal", run["journal"], "")
    accepted = run["submit_accepted"]
    lost = max(0, run["sms"] - accepted)
    measure("smsc_lost", lost, "messages")
    measure("smsc_duplicates", max(0, accepted - run["sms"]), "messages")
    measure("load_average_1min", os.getloadavg()[0], f"(cores: {os.cpu_count()})")
    sys.exit(1 if lost or accepted != run["sms"] else 0)


if __name__ == "__main__":
    main()
