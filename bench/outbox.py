"""Outbox throughput to the simulator and drain time of a backlog after an outage.

    python3 bench/outbox.py --db bss_bench [--orders 2000] [--backlog 10000]
                            [--workers 2] [--batch 50] [--outage-seconds 10]

Needs a database with telecom_bss_connector installed (without demo data is
fine). Starts the billing simulator on a free port (or uses --simulator-url),
creates lines directly (one account each, as an import would; marked with the
``BENCH-BSS-`` prefix and committed) and seeds them into the simulator, then:

0. **floor**: the simulator's own rate for orders posted by a bare HTTP client
   over one kept-alive session (``peer_floor_rate``), measured first;
1. **throughput**: an agent submits ``--orders`` block requests (each writes its
   billing order in the outbox and hands it to the system's delivery jobs,
   committed per 250); then ``--workers`` worker processes (each with its own
   registry and connections, as the HTTP workers queue_job's runner sends
   ``/queue_job/runjob`` to) run the queued jobs the way runjob does (load,
   started + commit, perform, done + commit; ``RetryableJobError`` and
   serialization failures → postponed), a dispatcher in this process handing
   a due job to each idle worker (the channel's capacity), until every order
   is delivered: ``submit_rate`` and ``delivery_rate`` (orders/s, and its share
   of the simulator's own rate). The backend runs ``--workers`` delivery jobs
   side by side (``delivery_jobs``), each sending up to ``--batch`` orders
   (``delivery_batch_size``): the workers play the capacity of the channel
   ``root.telecom_bss``;
2. **outage and drain**: billing goes down (503), ``--backlog`` more requests
   are submitted (nothing is lost: they wait in the outbox), the workers keep
   running for ``--outage-seconds`` (attempts fail, the circuit breaker opens
   and jobs wait for its pause instead of burning attempts), billing comes
   back: ``drain_time`` from billing's return to the last order delivered.

Finally the simulator's ledger is checked: every idempotency key applied
exactly once (``exactly_once``) and how many were posted more than once
(``sent_twice``: a repeat is harmless, billing applies a key once, but the
claim of the jobs should make it rare). The goals of issue 11 are printed as
``goal_<measure>: met|MISSED``, the load average first and last. The rows stay in
the database (prefix ``BENCH-BSS-``); use a throw-away database.
"""

import multiprocessing
import os
import queue
import sys
import threading
import time
import uuid

import requests
from common import load_registry, measure, odoo_env, parse_args
from simulator_control import knobs, simulator

TOKEN = "sim-token"
CHANNEL = "root.telecom_bss"
BATCH = 250
GOAL_DELIVERY_RATE = 200  # orders/s (issue 11)
GOAL_DRAIN_TIME = 60  # s for a 10,000-order backlog (issue 11)
PG_CONCURRENCY_ERRORS = ("40001", "40P01", "55P03")  # what runjob retries
PG_RETRY = 5  # seconds, as runjob


def configure(parser):
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--backlog", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--outage-seconds", type=float, default=10.0)
    parser.add_argument("--simulator-url", default=None)


# ----------------------------------------------------------------------
# simulator
# ----------------------------------------------------------------------
# ----------------------------------------------------------------------
# data
# ----------------------------------------------------------------------
def setup(registry, url, total, workers, batch):
    """Zone, agent, backend, ``total`` live lines (one account each), committed."""
    run = uuid.uuid4().hex[:6].upper()
    with odoo_env(registry) as env:
        zone = env["telecom.region"].create(
            {"name": f"Bench outbox {run}", "code": f"BENCH-BSS-{run}"}
        )
        group = env.ref("telecom_subscriber.telecom_subscriber_group_front_office")
        agent = env["res.users"].create(
            {
                "name": f"Bench outbox agent {run}",
                "login": f"bench_bss_outbox_{run.lower()}",
                "groups_id": [(6, 0, group.ids)],
                "telecom_region_ids": [(6, 0, zone.ids)],
            }
        )
        tariff = env["product.product"].create(
            {
                "name": f"Bench tariff {run}",
                "type": "service",
                "telecom_kind": "tariff",
                "telecom_service_type": "mobile",
                "telecom_billing_code": f"BENCH-BSS-TAR-{run}",
            }
        )
        backend = env["telecom.backend"].create(
            {
                "name": f"Bench billing {run}",
                "sequence": 0,
                "kind": "billing",
                "protocol": "rest",
                "url": url,
                "auth_type": "token",
                "token": TOKEN,
                "company_id": False,
                "region_ids": [(6, 0, zone.ids)],
                "connect_timeout": 1,
                "read_timeout": 5,
                "max_attempts": 50,
                "backoff_base": 2,
                "backoff_factor": 2,
                "backoff_max": 30,
                "circuit_threshold": 5,
                "circuit_cooldown": 10,
                "delivery_jobs": workers,
                "delivery_batch_size": batch,
            }
        )
        partner = env["res.partner"].create(
            {
                "name": f"Bench outbox {run}",
                "telecom_is_subscriber": True,
                "telecom_region_id": zone.id,
            }
        )
        accounts = env["telecom.account"].create(
            [
                {"partner_id": partner.id, "name": f"BENCH-BSS-{run}-{index:06d}"}
                for index in range(total)
            ]
        )
        base = int(uuid.uuid4().int % 900) * 10000
        services = env["telecom.service"].create(
            [
                {
                    "account_id": account.id,
                    "tariff_id": tariff.id,
                    "msisdn": f"+7997{(base + index) % 10**7:07d}",
                }
                for index, account in enumerate(accounts)
            ]
        )
        services._apply_state("active")
        lines = [
            {
                "account": account.name,
                "services": [
                    {
                        "msisdn": service.msisdn,
                        "service_type": "mobile",
                        "tariff_code": tariff.telecom_billing_code,
                        "status": "active",
                    }
                ],
                "charges": [],
                "usage": [],
            }
            for account, service in zip(accounts, services, strict=True)
        ]
        ids = (agent.id, backend.id, partner.id, services.ids)
    offers = [
        {
            "code": f"BENCH-BSS-TAR-{run}",
            "name": "Bench tariff",
            "kind": "tariff",
            "service_type": "mobile",
            "monthly_fee": 1.0,
        }
    ]
    for start in range(0, len(lines), 500):  # the simulator caps request bodies
        requests.post(
            f"{url}/__admin/seed",
            json={"offers": offers, "accounts": lines[start : start + 500]},
            timeout=600,
        ).raise_for_status()
    return ids


def submit_blocks(registry, agent_id, partner_id, service_ids):
    """The agent submits one block request per line, committed per batch."""
    for start in range(0, len(service_ids), BATCH):
        with odoo_env(registry, uid=agent_id) as env:
            requests_ = env["telecom.request"].create(
                [
                    {
                        "request_type": "block",
                        "partner_id": partner_id,
                        "service_id": service_id,
                        "block_reason": "lost_sim",
                    }
                    for service_id in service_ids[start : start + BATCH]
                ]
            )
            for request in requests_:
                request.action_submit()


# ----------------------------------------------------------------------
# the job runner (queue_job's runjob, in-process)
# ----------------------------------------------------------------------
def run_job(registry, job_uuid):
    """What /queue_job/runjob does, minus HTTP. Returns the final state."""
    from psycopg2 import OperationalError

    from odoo import SUPERUSER_ID, api

    from odoo.addons.queue_job.exception import RetryableJobError
    from odoo.addons.queue_job.job import Job

    with registry.cursor() as cr:
        cr.execute(
            "SELECT state FROM queue_job WHERE uuid = %s AND state = 'enqueued' "
            "FOR UPDATE SKIP LOCKED",
            [job_uuid],
        )
        if not cr.fetchone():
            return "skipped"
        env = api.Environment(cr, SUPERUSER_ID, {})
        job = Job.load(env, job_uuid)
        job.set_started()
        job.store()
        cr.commit()
        try:
            try:
                job.perform()
                env.flush_all()
                job.set_done()
                job.store()
                env.flush_all()
                cr.commit()
                return "done"
            except OperationalError as error:
                if error.pgcode not in PG_CONCURRENCY_ERRORS:
                    raise
                raise RetryableJobError(error.pgerror, seconds=PG_RETRY) from error
        except RetryableJobError as error:
            cr.rollback()
            env.clear()
            with registry.cursor() as retry_cr:
                job.env = api.Environment(retry_cr, SUPERUSER_ID, {})
                job.postpone(result=str(error), seconds=error.seconds)
                job.set_pending(reset_retry=False)
                job.store()
            return "postponed"


def worker_process(args, tasks, results):
    """A job worker: its own Odoo registry, runs the job uuids it is handed."""
    registry = load_registry(args)
    results.put(("ready", os.getpid()))
    while (job_uuid := tasks.get()) is not None:
        try:
            state = run_job(registry, job_uuid)
        except Exception as error:  # what runjob would log and mark failed
            print(f"job {job_uuid} failed: {error!r}", file=sys.stderr, flush=True)
            state = "failed"
        results.put(("ran", state))


class Runner:
    """queue_job's runner in short: a dispatcher thread hands each due job of
    the channel to an idle worker process (``workers`` of them) until stopped."""

    def __init__(self, registry, args, workers):
        self.registry = registry
        self.workers = workers
        self.stop_event = threading.Event()
        self.counts = {"done": 0, "postponed": 0, "skipped": 0}
        context = multiprocessing.get_context("spawn")  # no inherited connection
        self.tasks = context.Queue()
        self.results = context.Queue()
        self.processes = [
            context.Process(
                target=worker_process,
                args=(args, self.tasks, self.results),
                daemon=True,
            )
            for _index in range(workers)
        ]

    def start_workers(self):
        """Start the worker processes and wait until each has its registry."""
        for process in self.processes:
            process.start()
        for _process in self.processes:
            self.results.get(timeout=600)

    def due_jobs(self, limit):
        with self.registry.cursor() as cr:
            cr.execute(
                """UPDATE queue_job SET state = 'enqueued',
                          date_enqueued = now() at time zone 'utc'
                    WHERE id IN (
                        SELECT id FROM queue_job
                         WHERE channel = %s AND state = 'pending'
                           AND (eta IS NULL OR eta <= now() at time zone 'utc')
                         ORDER BY priority, date_created LIMIT %s
                         FOR UPDATE SKIP LOCKED)
                RETURNING uuid""",
                [CHANNEL, limit],
            )
            return [row[0] for row in cr.fetchall()]

    def collect(self, busy, timeout):
        """Count the jobs the workers finished; the number still running."""
        try:
            while busy:
                _kind, state = self.results.get(timeout=timeout)
                self.counts[state] = self.counts.get(state, 0) + 1
                busy -= 1
                timeout = 0.001
        except queue.Empty:
            pass
        return busy

    def run(self):
        busy = 0
        while not self.stop_event.is_set():
            uuids = self.due_jobs(self.workers - busy) if busy < self.workers else []
            for job_uuid in uuids:
                self.tasks.put(job_uuid)
            busy += len(uuids)
            if busy:
                busy = self.collect(busy, 0.05)
            elif not uuids:
                time.sleep(0.05)
        self.collect(busy, 600)

    def start(self):
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def stop(self):
        self.stop_event.set()
        self.thread.join()
        for _process in self.processes:
            self.tasks.put(None)
        for process in self.processes:
            process.join(timeout=60)


def order_states(registry, backend_id):
    with registry.cursor() as cr:
        cr.execute(
            "SELECT state, count(*) FROM telecom_outbox WHERE backend_id = %s "
            "GROUP BY state",
            [backend_id],
        )
        return dict(cr.fetchall())


def wait_delivered(registry, backend_id, expected, timeout=3600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = order_states(registry, backend_id)
        if states.get("done", 0) >= expected:
            return time.monotonic()
        time.sleep(0.2)
    raise SystemExit(f"orders not delivered in time: {states}")


def peer_rate(url, count=500):
    """Bare HTTP orders to the simulator (same key twice is free: new keys)."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    start = time.perf_counter()
    for index in range(count):
        session.post(
            f"{url}/api/v1/orders",
            json={
                "operation": "block",
                "account": "none",
                "msisdn": None,
                "payload": {},
            },
            headers={"Idempotency-Key": f"peer-{uuid.uuid4().hex}-{index}"},
            timeout=10,
        )
    return count / (time.perf_counter() - start)


def load_average():
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def goal(name, met, text):
    measure(f"goal_{name}", "met" if met else "MISSED", f"({text})")


def main():
    args = parse_args(__doc__.splitlines()[0], configure)
    registry = load_registry(args)
    total = args.orders + args.backlog
    measure("load_average", load_average(), "(1 / 5 / 15 min, start)")
    with simulator(args.simulator_url) as url:
        knobs(url)
        start = time.perf_counter()
        agent_id, backend_id, partner_id, service_ids = setup(
            registry, url, total, args.workers, args.batch
        )
        measure("setup_lines", total, "lines")
        measure("setup_time", time.perf_counter() - start, "s")
        floor = peer_rate(url)
        measure("peer_floor_rate", floor, "orders/s (1 HTTP client, kept alive)")
        runner = Runner(registry, args, args.workers)
        runner.start_workers()
        # 1. throughput
        start = time.perf_counter()
        submit_blocks(registry, agent_id, partner_id, service_ids[: args.orders])
        submitted = time.perf_counter()
        measure("submit_rate", args.orders / (submitted - start), "orders/s")
        runner.start()
        done = wait_delivered(registry, backend_id, args.orders)
        delivery = args.orders / (done - submitted)
        measure(
            "delivery_rate",
            delivery,
            f"orders/s ({args.workers} worker processes, batches of {args.batch}; "
            f"{delivery / floor:.0%} of the simulator alone)",
        )
        # 2. outage and drain
        knobs(url, outage=True)
        start = time.perf_counter()
        submit_blocks(registry, agent_id, partner_id, service_ids[args.orders :])
        measure(
            "backlog_submit_rate",
            args.backlog / (time.perf_counter() - start),
            "orders/s (billing down)",
        )
        time.sleep(args.outage_seconds)
        states = order_states(registry, backend_id)
        measure("backlog_pending_during_outage", states.get("pending", 0), "orders")
        measure("backlog_lost", total - sum(states.values()), "orders")
        knobs(url)
        back = time.monotonic()
        done = wait_delivered(registry, backend_id, total)
        runner.stop()
        drain = done - back
        measure("drain_time", drain, "s")
        measure("drain_rate", args.backlog / drain, "orders/s")
        measure("jobs_run", sum(runner.counts.values()), f"jobs {dict(runner.counts)}")
        with registry.cursor() as cr:
            cr.execute(
                "SELECT max(attempt_count), sum(attempt_count) FROM telecom_outbox "
                "WHERE backend_id = %s",
                [backend_id],
            )
            max_attempts, attempts = cr.fetchone()
        measure("attempts_per_order_max", max_attempts, "attempts")
        measure("attempts_total", attempts, "attempts")
        # 3. exactly once, as billing saw it
        ledger = requests.get(f"{url}/__admin/state", timeout=600).json()["orders"]
        with registry.cursor() as cr:
            cr.execute(
                "SELECT idempotency_key FROM telecom_outbox WHERE backend_id = %s",
                [backend_id],
            )
            keys = [row[0] for row in cr.fetchall()]
        applied = [ledger.get(key, {}).get("applied_count", 0) for key in keys]
        submissions = [ledger.get(key, {}).get("submissions", 0) for key in keys]
        exactly_once = all(count == 1 for count in applied)
        measure("orders_in_billing", len(keys), "orders")
        measure(
            "exactly_once",
            "yes" if exactly_once else "NO",
            f"(applied twice: {sum(c > 1 for c in applied)}, "
            f"missing: {sum(c == 0 for c in applied)})",
        )
        measure("sent_twice", sum(count > 1 for count in submissions), "orders")
        drain_goal = GOAL_DRAIN_TIME * args.backlog / 10000
        met = {
            "delivery_rate": delivery >= GOAL_DELIVERY_RATE,
            "drain_time": drain <= drain_goal,
            "exactly_once": exactly_once,
        }
        goal(
            "delivery_rate",
            met["delivery_rate"],
            f"{delivery:.0f} >= {GOAL_DELIVERY_RATE} orders/s; the simulator alone "
            f"{floor:.0f}",
        )
        goal(
            "drain_time",
            met["drain_time"],
            f"{drain:.1f} <= {drain_goal:g} s for {args.backlog} orders",
        )
        goal("exactly_once", exactly_once, "every key applied once, none lost")
    measure("load_average", load_average(), "(1 / 5 / 15 min, end)")
    sys.exit(0 if all(met.values()) else 1)


if __name__ == "__main__":
    main()
