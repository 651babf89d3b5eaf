"""Load test: front-office agents in the web client against Odoo run as in production.

    python3 bench/load/run.py --db bench_load [--agents 30] [--duration 120] [--ramp 10]
                              [--knee] [--workers N] [--db-maxconn N] [--port 8169]

One command: prepares the database (``--agents`` front-office users
``load_agent_NNN``, zones = the bench zones of ``generate.py``; a ticket category;
a sample of active mobile lines to call from), starts Odoo with ``odoo.conf`` as
in production (its ``workers``, limits, ``server_wide_modules`` with queue_job's
runner; only the database, ports, paths and what the options below override
change), runs Locust headless (``bench/load/locustfile.py``: login, web client,
search by MSISDN, card, tickets, claims, think times) from its own virtual
environment ``var/venv-locust`` (created on first use: Locust must never be
installed into Odoo's Python, its gevent breaks Odoo's), samples ``/proc`` of
the Odoo processes and of the database's PostgreSQL backends every second, stops
Odoo and prints, as ``measure: value unit`` lines and tables:

- p50/p95/p99, count and errors per action (from every raw sample), and the same
  after the last agent logged in (``steady``);
- Odoo's CPU (100 % = one core) and memory (sum and largest process), the
  PostgreSQL backends' CPU and connections, the machine's load average;
- workers killed or recycled by the limits of ``odoo.conf`` (the server log
  grepped), connection-pool errors;
- the goals: card p95 <= 1 s, search p95 <= 300 ms, no error, no worker killed.

``--knee`` then ramps the number of agents (``--knee-steps``, one Locust run of
``--duration`` each, the same server) until the card's steady p95 passes 1 s and
prints the knee. The load writes tickets and claims: run it on a copy of a
generated database (never on a template; the runner refuses one).
"""

import argparse
import configparser
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BENCH_DIR))

from common import REPO_ROOT, default_addons_path, measure  # noqa: E402

LOAD_DIR = BENCH_DIR / "load"
OUT_DIR = BENCH_DIR / "out" / "load"
VENV = REPO_ROOT / "var" / "venv-locust"
LOCUST_REQUIREMENT = "locust>=2.30,<3"
AGENT_LOGIN = "load_agent_%03d"
AGENT_PASSWORD = "load-agent-password"
CARD_P95_GOAL_MS = 1000
SEARCH_P95_GOAL_MS = 300
# lines of the Odoo log that mean a worker was killed or recycled by a limit
LIMIT_PATTERNS = {
    "killed_cpu_limit": "CPU time limit",
    "killed_real_time_limit": "timeout after",
    "killed_memory_hard": "MemoryError",
    "recycled_memory_soft": "virtual memory limit",
    "recycled_max_requests": "max request",
    "pool_full": "Connection Pool Is Full",
    "errors_logged": " ERROR ",
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="generated database (a copy)")
    parser.add_argument("--db-host", default="127.0.0.1")
    parser.add_argument("--db-port", default="5432")
    parser.add_argument("--db-user", default="odoo")
    parser.add_argument("--db-password", default=None)
    parser.add_argument("--addons-path", default=None)
    parser.add_argument("--agents", type=int, default=30)
    parser.add_argument("--duration", type=int, default=120, help="seconds per run")
    parser.add_argument(
        "--ramp",
        type=float,
        default=10,
        help="seconds over which agents log in (0: at once)",
    )
    parser.add_argument(
        "--think", default="3,10", help="seconds between an agent's actions: min,max"
    )
    parser.add_argument(
        "--baseline",
        type=int,
        default=45,
        help="seconds of one agent alone first, the floor (0: skip)",
    )
    parser.add_argument(
        "--knee", action="store_true", help="then ramp agents to the knee"
    )
    parser.add_argument(
        "--knee-steps", default="30,60,90,120,160,200,250,300", help="agents per step"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="default: odoo.conf's"
    )
    parser.add_argument("--max-cron-threads", type=int, default=None)
    parser.add_argument("--db-maxconn", type=int, default=None)
    parser.add_argument("--config", default=str(REPO_ROOT / "odoo.conf"))
    parser.add_argument(
        "--port", type=int, default=8169, help="HTTP port of the server"
    )
    parser.add_argument(
        "--gevent-port", type=int, default=None, help="default: port + 1000"
    )
    parser.add_argument(
        "--url", default=None, help="use this running server instead of starting one"
    )
    parser.add_argument("--odoo-bin", default=os.environ.get("ODOO_BIN", "odoo"))
    return parser.parse_args()


# ---------------------------------------------------------------------- setup
def ensure_locust():
    """Locust in its own virtual environment, never in Odoo's."""
    locust = VENV / "bin" / "locust"
    if not locust.exists():
        print(f"creating {VENV} with {LOCUST_REQUIREMENT}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(VENV / "bin" / "pip"), "install", "-q", LOCUST_REQUIREMENT], check=True
        )
    return locust


def prepare(args, agents):
    """Agents, ticket category, sample of subscribers, view specs: the plan."""
    from common import load_registry, odoo_env

    registry = load_registry(args)
    with odoo_env(registry) as env:
        env.cr.execute(
            "SELECT datistemplate FROM pg_database WHERE datname = current_database()"
        )
        if env.cr.fetchone()[0]:
            raise SystemExit(f"{args.db} is a template: run the load on a copy")
        regions = env["telecom.region"].search([("code", "=like", "BENCH-R%")])
        if not regions:
            raise SystemExit("no bench zones: run bench/generate.py first")
        users = ensure_agents(env, agents, regions)
        category = env["helpdesk.ticket.category"].search(
            [("name", "=", "LOAD category")], limit=1
        ) or env["helpdesk.ticket.category"].create({"name": "LOAD category"})
        plan = {
            "db": args.db,
            "agents": [
                {"login": user.login, "password": AGENT_PASSWORD} for user in users
            ],
            "subscribers": subscriber_sample(env, regions),
            "ticket_category_id": category.id,
            "ticket_channel_id": env.ref(
                "helpdesk_mgmt.helpdesk_ticket_channel_phone"
            ).id,
            "think": args.think,
            "think_inner": [1.0, 3.0],
        }
        agent_env = env(user=users[0].id, context={"lang": "en_US", "bin_size": True})
        plan["card_spec"], plan["list_spec"] = view_specs(agent_env)
    import odoo

    odoo.sql_db.close_all()
    return plan


def ensure_agents(env, count, regions):
    Users = env["res.users"].with_context(no_reset_password=True, tracking_disable=True)
    logins = [AGENT_LOGIN % index for index in range(1, count + 1)]
    existing = Users.search([("login", "in", logins)])
    missing = sorted(set(logins) - set(existing.mapped("login")))
    group = env.ref("telecom_subscriber.telecom_subscriber_group_front_office")
    if missing:
        print(
            f"creating {len(missing)} agents (password hashing takes a while)",
            flush=True,
        )
        existing |= Users.create(
            [
                {
                    "name": f"Load Agent {login[-3:]}",
                    "login": login,
                    "password": AGENT_PASSWORD,
                    "groups_id": [(6, 0, [group.id])],
                    "telecom_region_ids": [(6, 0, regions.ids)],
                }
                for login in missing
            ]
        )
    env.cr.commit()
    return existing.sorted("login")


def subscriber_sample(env, regions, size=2000):
    """Active mobile lines of the bench zones, picked at random."""
    env.cr.execute(
        """SELECT s.partner_id, s.msisdn FROM telecom_service s TABLESAMPLE SYSTEM (5)
            WHERE s.service_type = 'mobile' AND s.state = 'active'
              AND s.region_id = ANY(%s) AND s.msisdn IS NOT NULL
            LIMIT %s""",
        [regions.ids, size],
    )
    rows = env.cr.fetchall()
    if not rows:
        raise SystemExit("no active mobile line in the bench zones: run generate.py")
    return [{"partner_id": partner_id, "msisdn": msisdn} for partner_id, msisdn in rows]


def view_specs(env):
    """The card's web_read spec and the subscriber list's, from their arches."""
    from lxml import etree

    from odoo.addons.telecom_subscriber.tools.card_spec import card_spec, fields_spec

    view = env.ref("telecom_subscriber.res_partner_view_list_telecom")
    result = env["res.partner"].get_views([(view.id, "list")])
    arch = etree.fromstring(result["views"]["list"]["arch"])
    fields = {model: info["fields"] for model, info in result["models"].items()}
    return card_spec(env), fields_spec(arch, "res.partner", fields)


# ---------------------------------------------------------------------- server
def start_server(args, log_path):
    conf = configparser.ConfigParser()
    conf.read(args.config)
    options = conf["options"]
    workers = args.workers if args.workers is not None else options.getint("workers")
    settings = {
        "workers": workers,
        "max_cron_threads": (
            args.max_cron_threads
            if args.max_cron_threads is not None
            else options.getint("max_cron_threads")
        ),
        "db_maxconn": args.db_maxconn or options.getint("db_maxconn"),
    }
    addons_path = args.addons_path
    data_dir = REPO_ROOT / "var" / "load-odoo"
    command = [
        args.odoo_bin,
        f"--config={args.config}",
        f"--db_host={args.db_host}",
        f"--db_port={args.db_port}",
        f"--db_user={args.db_user}",
        f"--addons-path={addons_path}",
        f"--data-dir={data_dir}",
        f"--database={args.db}",
        f"--db-filter=^{args.db}$",
        f"--http-port={args.port}",
        f"--gevent-port={args.gevent_port or args.port + 1000}",
        f"--workers={settings['workers']}",
        f"--max-cron-threads={settings['max_cron_threads']}",
        f"--db_maxconn={settings['db_maxconn']}",
        f"--logfile={log_path}",
    ]
    if args.db_password:
        command.append(f"--db_password={args.db_password}")
    log_path.unlink(missing_ok=True)
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, start_new_session=True
    )
    url = f"http://127.0.0.1:{args.port}"
    for _second in range(300):
        if process.poll() is not None:
            raise SystemExit(f"Odoo exited ({process.returncode}): see {log_path}")
        try:
            urllib.request.urlopen(url + "/web/health", timeout=2)
            break
        except OSError:
            time.sleep(1)
    else:
        stop_server(process)
        raise SystemExit(f"Odoo did not answer on {url}: see {log_path}")
    # the threaded server answers /web/health before it loads the registry
    # (workers have it preloaded): load it before measuring
    urllib.request.urlopen(url + "/web/login", timeout=600)
    return process, url, settings


def stop_server(process):
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# ---------------------------------------------------------------------- /proc
class Sampler(threading.Thread):
    """Every second: CPU and RSS of the Odoo process tree, PostgreSQL backends."""

    def __init__(self, root_pid, db):
        super().__init__(daemon=True)
        self.root_pid, self.db = root_pid, db
        self.samples = []
        self.stopped = threading.Event()
        self.tick = os.sysconf("SC_CLK_TCK")
        self.page = os.sysconf("SC_PAGE_SIZE")

    def run(self):
        previous = self.read()
        while not self.stopped.wait(1.0):
            current = self.read()
            self.samples.append(self.delta(previous, current))
            previous = current

    def read(self):
        stats, backends, clients = {}, set(), set()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                raw = Path(f"/proc/{entry}/stat").read_text()
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            fields = raw[raw.rindex(")") + 2 :].split()
            stats[int(entry)] = (
                int(fields[1]),  # ppid
                int(fields[11]) + int(fields[12]),  # utime + stime
                int(fields[21]) * self.page,  # rss
            )
            if cmdline.startswith(b"postgres: ") and f" {self.db} ".encode() in cmdline:
                backends.add(int(entry))
            elif b"locustfile.py" in cmdline:
                clients.add(int(entry))
        return time.monotonic(), stats, backends, clients, self.tree(stats)

    def tree(self, stats):
        pids, todo = set(), [self.root_pid]
        children = {}
        for pid, (ppid, _cpu, _rss) in stats.items():
            children.setdefault(ppid, []).append(pid)
        while todo:
            pid = todo.pop()
            if pid in stats and pid not in pids:
                pids.add(pid)
                todo.extend(children.get(pid, []))
        return pids

    def delta(self, previous, current):
        (t0, stats0, *_rest), (t1, stats1, backends, clients, odoo) = previous, current
        elapsed = t1 - t0

        def cpu_seconds(pids):
            ticks = sum(
                stats1[pid][1] - stats0.get(pid, (0, stats1[pid][1], 0))[1]
                for pid in pids
            )
            return ticks / self.tick

        rss = [stats1[pid][2] for pid in odoo]
        return {
            "odoo_cpu": 100.0 * cpu_seconds(odoo) / elapsed,
            "odoo_cpu_s": cpu_seconds(odoo),
            "odoo_rss": sum(rss),
            "odoo_rss_max": max(rss, default=0),
            "odoo_processes": len(odoo),
            "pg_cpu": 100.0 * cpu_seconds(backends) / elapsed,
            "pg_cpu_s": cpu_seconds(backends),
            "pg_connections": len(backends),
            "client_cpu": 100.0 * cpu_seconds(clients) / elapsed,
            "load": os.getloadavg()[0],
        }

    def summary(self):
        self.stopped.set()
        self.join()
        if not self.samples:
            return {}

        def series(key):
            return [sample[key] for sample in self.samples]

        return {
            "odoo_cpu_mean": statistics.mean(series("odoo_cpu")),
            "odoo_cpu_max": max(series("odoo_cpu")),
            "odoo_rss_max_mb": max(series("odoo_rss")) / 2**20,
            "odoo_process_rss_max_mb": max(series("odoo_rss_max")) / 2**20,
            "odoo_processes": max(series("odoo_processes")),
            "pg_cpu_mean": statistics.mean(series("pg_cpu")),
            "odoo_cpu_s": sum(series("odoo_cpu_s")),
            "pg_cpu_s": sum(series("pg_cpu_s")),
            "pg_connections_max": max(series("pg_connections")),
            "client_cpu_mean": statistics.mean(series("client_cpu")),
            "load_max": max(series("load")),
        }


# ---------------------------------------------------------------------- locust
def run_locust(args, plan_path, agents, label, think=None, duration=None):
    locust = ensure_locust()
    samples_path = OUT_DIR / f"samples-{label}.json"
    samples_path.unlink(missing_ok=True)
    rate = agents / args.ramp if args.ramp > 0 else agents
    env = dict(
        os.environ,
        LOAD_PLAN=str(plan_path),
        LOAD_SAMPLES=str(samples_path),
        LOAD_THINK=think or args.think,
    )
    command = [
        str(locust),
        f"--locustfile={LOAD_DIR / 'locustfile.py'}",
        "--headless",
        f"--users={agents}",
        f"--spawn-rate={rate}",
        f"--run-time={duration or args.duration}s",
        f"--host={args.url}",
        "--stop-timeout=30",
        "--only-summary",
        "--loglevel=WARNING",
    ]
    log = OUT_DIR / f"locust-{label}.log"
    with open(log, "w", encoding="utf-8") as out:
        subprocess.run(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if not samples_path.exists():
        raise SystemExit(f"Locust wrote no samples: see {log}")
    return json.loads(samples_path.read_text())


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def action_stats(samples):
    by_name = {}
    for _at, name, ms, error in samples:
        entry = by_name.setdefault(name, {"ms": [], "errors": []})
        entry["ms"].append(ms)
        if error:
            entry["errors"].append(error)
    return {
        name: {
            "count": len(entry["ms"]),
            "errors": len(entry["errors"]),
            "first_error": entry["errors"][0] if entry["errors"] else "",
            "p50": percentile(entry["ms"], 0.50),
            "p95": percentile(entry["ms"], 0.95),
            "p99": percentile(entry["ms"], 0.99),
            "max": max(entry["ms"]),
        }
        for name, entry in sorted(by_name.items())
    }


def steady(samples):
    """The samples after the last agent finished logging in."""
    logins = [at for at, name, _ms, _error in samples if name == "login_webclient"]
    start = max(logins, default=0)
    return [sample for sample in samples if sample[0] > start]


def print_stats(title, stats, seconds):
    print(f"\n{title}")
    print(
        f"{'action':<18}{'count':>7}{'req/s':>7}{'errors':>7}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'max ms':>9}"
    )
    for name, entry in stats.items():
        print(
            f"{name:<18}{entry['count']:>7}{entry['count'] / max(seconds, 1):>7.1f}"
            f"{entry['errors']:>7}{entry['p50']:>9.0f}{entry['p95']:>9.0f}"
            f"{entry['p99']:>9.0f}{entry['max']:>9.0f}"
        )
    for name, entry in stats.items():
        if entry["errors"]:
            print(f"  first error of {name}: {entry['first_error']}")
    print(flush=True)


def grep_log(log_path, offset=0):
    """Counts of the limit patterns and the server time per route since offset."""
    counts = dict.fromkeys(LIMIT_PATTERNS, 0)
    routes = {}
    if not log_path.exists():
        return counts, routes, offset
    with open(log_path, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        for line in log:
            for key, pattern in LIMIT_PATTERNS.items():
                if pattern in line:
                    counts[key] += 1
            if " werkzeug: " in line:
                add_route_time(routes, line)
        return counts, routes, log.tell()


def add_route_time(routes, line):
    """``"POST /route HTTP/1.1" 200 - queries sql_s python_s``: add its seconds."""
    try:
        request, tail = line.split('"')[1], line.split('"')[2].split()
        seconds = float(tail[-2]) + float(tail[-1])
    except (IndexError, ValueError):
        return
    path = request.split()[1].split("?")[0]
    path = "/".join(part for part in path.split("/") if len(part) < 40)
    entry = routes.setdefault(path, [0, 0.0])
    entry[0] += 1
    entry[1] += seconds


def print_routes(routes):
    """Where the server's time went: seconds per route (SQL + Python)."""
    total = sum(seconds for _count, seconds in routes.values()) or 1
    print(
        f"{'server time per route (log)':<52}{'count':>6}{'total s':>9}"
        f"{'mean s':>8}{'share':>7}"
    )
    for path, (count, seconds) in sorted(routes.items(), key=lambda item: -item[1][1])[
        :12
    ]:
        print(
            f"{path[:51]:<52}{count:>6}{seconds:>9.1f}{seconds / count:>8.2f}"
            f"{100 * seconds / total:>6.0f}%"
        )
    print(flush=True)


def print_capacity(label, agents, elapsed, resources, samples):
    """CPU cost of a request (Odoo and PostgreSQL), and what it makes of a node.

    The CPU seconds a request costs depend far less on the machine's load than
    its latency does: agents per node = cores at 75 % / (cost x an agent's rate),
    the rate being the agents' pace without waiting for answers (requests per
    second of think time).
    """
    requests = len(samples)
    odoo_ms = resources["odoo_cpu_s"] * 1000 / requests
    pg_ms = resources["pg_cpu_s"] * 1000 / requests
    measure(f"{label}_odoo_cpu_per_request", odoo_ms, "ms")
    measure(f"{label}_pg_cpu_per_request", pg_ms, "ms")
    waiting = sum(sample[2] for sample in samples) / 1000
    per_agent = requests / max(agents * elapsed - waiting, 1)
    measure(f"{label}_requests_per_agent_per_s", per_agent, "req/s")
    cores = os.cpu_count()
    capacity = 0.75 * cores / max((odoo_ms + pg_ms) / 1000 * per_agent, 1e-9)
    measure(f"{label}_agents_per_node_at_75pct_of_{cores}_cores", capacity, "agents")


def one_run(args, plan_path, agents, label, server, log_path, log_offset):
    sampler = Sampler(server.pid, args.db) if server else None
    if sampler:
        sampler.start()
    load_before = os.getloadavg()
    started = time.monotonic()
    samples = run_locust(args, plan_path, agents, label)
    elapsed = time.monotonic() - started
    resources = sampler.summary() if sampler else {}
    log_counts, routes, log_offset = grep_log(log_path, log_offset)
    everything, steady_samples = action_stats(samples), steady(samples)
    steady_seconds = (
        steady_samples[-1][0] - steady_samples[0][0] if len(steady_samples) > 1 else 0
    )
    print_stats(
        f"{label}: {agents} agents, {elapsed:.0f} s, every request", everything, elapsed
    )
    steady_stats = action_stats(steady_samples) if steady_samples else {}
    print_stats(
        f"{label}: after the last login ({steady_seconds:.0f} s, steady)",
        steady_stats,
        steady_seconds,
    )
    if routes:
        print_routes(routes)
    errors = sum(entry["errors"] for entry in everything.values())
    measure(f"{label}_agents", agents, "agents")
    measure(f"{label}_requests_per_s", len(samples) / elapsed, "req/s")
    measure(f"{label}_errors", errors, "requests")
    for name in ("card", "search_msisdn", "login"):
        if name in everything:
            for quantile in ("p50", "p95", "p99"):
                measure(f"{label}_{name}_{quantile}", everything[name][quantile], "ms")
        if name in steady_stats:
            measure(f"{label}_{name}_p95_steady", steady_stats[name]["p95"], "ms")
    for key, value in resources.items():
        unit = "MB" if key.endswith("_mb") else "%" if "cpu" in key else ""
        unit = "s" if key.endswith("_s") else unit
        measure(f"{label}_{key}", value, unit or "")
    if resources and samples:
        print_capacity(label, agents, elapsed, resources, samples)
    for key, value in log_counts.items():
        measure(f"{label}_{key}", value, "lines")
    print(
        f"load average: {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after",
        flush=True,
    )
    return {
        "agents": agents,
        "everything": everything,
        "steady": steady_stats,
        "errors": errors,
        "killed": sum(
            value for key, value in log_counts.items() if key.startswith("killed")
        ),
        "resources": resources,
    }, log_offset


def baseline(args, plan_path):
    """One agent alone, short think times: each action's latency without
    queueing behind other agents, on the machine as loaded as it is now (the
    floor the loaded figures are judged against on a shared machine)."""
    samples = run_locust(
        args, plan_path, 1, "baseline", think="0.5,1", duration=args.baseline
    )
    warm = [sample for sample in steady(samples) if sample[0] > args.baseline / 3]
    stats = action_stats(warm or samples)
    print_stats(
        f"baseline: 1 agent alone, last two thirds of {args.baseline} s",
        stats,
        args.baseline * 2 / 3,
    )
    for name in ("card", "search_msisdn"):
        if name in stats:
            measure(f"baseline_{name}_p50", stats[name]["p50"], "ms")
    return stats


def print_ratios(result, floor):
    for name in ("card", "search_msisdn"):
        if name in floor and name in result["everything"]:
            ratio = result["everything"][name]["p95"] / max(floor[name]["p50"], 1)
            measure(f"{name}_p95_over_baseline_p50", ratio, "x")


def judge(result):
    card = result["everything"].get("card", {}).get("p95", float("inf"))
    search = result["everything"].get("search_msisdn", {}).get("p95", float("inf"))
    goals = [
        (
            "card_p95",
            card <= CARD_P95_GOAL_MS,
            f"{card:.0f} ms <= {CARD_P95_GOAL_MS} ms",
        ),
        (
            "search_p95",
            search <= SEARCH_P95_GOAL_MS,
            f"{search:.0f} ms <= {SEARCH_P95_GOAL_MS} ms",
        ),
        ("errors", result["errors"] == 0, f"{result['errors']} == 0"),
        ("workers_killed", result["killed"] == 0, f"{result['killed']} == 0"),
    ]
    for name, met, text in goals:
        print(f"goal_{name}: {'met' if met else 'MISSED'} ({text})")
    return all(met for _name, met, _text in goals)


def find_knee(args, plan_path, server, log_path, log_offset, settings):
    rows = []
    for agents in [int(value) for value in args.knee_steps.split(",")]:
        result, log_offset = one_run(
            args, plan_path, agents, f"knee_{agents}", server, log_path, log_offset
        )
        card = result["steady"].get("card", result["everything"].get("card", {}))
        rows.append((agents, card.get("p50", 0), card.get("p95", 0), result))
        if card.get("p95", float("inf")) > CARD_P95_GOAL_MS:
            break
    print(
        "\nknee: card latency after the logins, per number of agents "
        f"(workers {settings['workers']})"
    )
    print(
        f"{'agents':>7}{'req/s':>8}{'card p50':>10}{'card p95':>10}{'search p95':>11}"
        f"{'errors':>8}{'odoo cpu':>10}{'pg cpu':>8}"
    )
    for agents, p50, p95, result in rows:
        requests = sum(entry["count"] for entry in result["steady"].values())
        search = result["steady"].get("search_msisdn", {}).get("p95", 0)
        print(
            f"{agents:>7}{requests / args.duration:>8.1f}{p50:>10.0f}{p95:>10.0f}"
            f"{search:>11.0f}{result['errors']:>8}"
            f"{result['resources'].get('odoo_cpu_mean', 0):>9.0f}%"
            f"{result['resources'].get('pg_cpu_mean', 0):>7.0f}%"
        )
    under = [agents for agents, _p50, p95, _result in rows if p95 <= CARD_P95_GOAL_MS]
    over = [agents for agents, _p50, p95, _result in rows if p95 > CARD_P95_GOAL_MS]
    if over:
        measure("knee_agents_last_under_1s", under[-1] if under else 0, "agents")
        measure("knee_agents_first_over_1s", over[0], "agents")
    else:
        measure("knee_agents_not_reached_up_to", rows[-1][0], "agents")


def main():
    args = parse_args()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    ensure_locust()
    agents_needed = args.agents
    if args.knee:
        agents_needed = max(
            agents_needed, *[int(value) for value in args.knee_steps.split(",")]
        )
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    args.addons_path = args.addons_path or default_addons_path()
    plan = prepare(args, agents_needed)
    plan_path = OUT_DIR / "plan.json"
    plan_path.write_text(json.dumps(plan))
    log_path = OUT_DIR / "odoo.log"
    server, settings = None, {}
    if args.url is None:
        server, args.url, settings = start_server(args, log_path)
        print(f"Odoo at {args.url}: {settings}, log {log_path}", flush=True)
    try:
        floor = baseline(args, plan_path) if args.baseline else {}
        log_offset = grep_log(log_path)[2]
        result, log_offset = one_run(
            args, plan_path, args.agents, "run", server, log_path, log_offset
        )
        print_ratios(result, floor)
        met = judge(result)
        if args.knee:
            find_knee(args, plan_path, server, log_path, log_offset, settings)
    finally:
        if server:
            stop_server(server)
    print(f"load average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
