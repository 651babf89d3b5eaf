"""Shared setup of the benchmark scripts: options, Odoo registry, output format.

Every script runs as ``python3 bench/<script>.py --db <name> [options]`` against a
database where ``telecom_subscriber`` is installed, loads Odoo in-process and
prints its results as ``measure: value unit`` lines.
"""

import argparse
import contextlib
import statistics
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
REPO_ADDONS = REPO_ROOT / "addons"
BENCH_PREFIX = "BENCH-"  # marks every row generate.py inserts
CARD_SMALL_REF = "BENCH-CARD-SMALL"  # subscriber with 10 services and interactions
CARD_LARGE_REF = "BENCH-CARD-LARGE"  # subscriber with 10,000 of each
BENCH_AGENT_LOGIN = "bench_front_office"  # agent the card and lookup run as


def parse_args(description, configure=None):
    """Common options (database and Odoo) plus the script's own ones."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", required=True, help="database name")
    parser.add_argument("--db-host", default="127.0.0.1")
    parser.add_argument("--db-port", default="5432")
    parser.add_argument("--db-user", default="odoo")
    parser.add_argument("--db-password", default=None)
    parser.add_argument(
        "--addons-path",
        default=None,
        help="Odoo addons path (default: Odoo's own addons path + this repository's "
        "addons directory)",
    )
    if configure:
        configure(parser)
    return parser.parse_args()


def default_addons_path():
    """Odoo's default addons path (what a bare ``odoo`` uses) + the repo's addons."""
    from odoo.tools import config

    # the first parse also sets up Odoo's logging: quiet from the start
    config.parse_config(["--log-level=warn"])
    return f"{config['addons_path']},{REPO_ADDONS}"


def load_registry(args):
    """Configure Odoo for ``args`` and return the registry of ``args.db``."""
    import odoo
    from odoo.tools import config

    addons_path = args.addons_path or default_addons_path()
    options = [
        f"--database={args.db}",
        f"--db_host={args.db_host}",
        f"--db_port={args.db_port}",
        f"--db_user={args.db_user}",
        f"--addons-path={addons_path}",
        "--log-level=warn",
        "--max-cron-threads=0",
    ]
    if args.db_password:
        options.append(f"--db_password={args.db_password}")
    config.parse_config(options)
    odoo.service.server.load_server_wide_modules()
    return odoo.modules.registry.Registry(args.db)


@contextlib.contextmanager
def odoo_env(registry, uid=None, context=None):
    """An environment on a new cursor, committed when the block ends without error."""
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        yield api.Environment(cr, uid or SUPERUSER_ID, context or {})


def measure(name, value, unit):
    """Print one result line, the format every bench script uses."""
    if isinstance(value, float):
        value = f"{value:.2f}" if value < 100 else f"{value:.0f}"
    print(f"{name}: {value} {unit}", flush=True)


def goal(name, value, limit, unit="s"):
    """Print ``goal_<name>: met|MISSED (value <= limit)``; True when met."""
    met = value <= limit
    verdict = "met" if met else "MISSED"
    print(f"goal_{name}: {verdict} ({value:.2f} {unit} <= {limit} {unit})", flush=True)
    return met


def vacuum(registry, tables):
    """``VACUUM ANALYZE`` of ``tables`` (outside a transaction), as autovacuum
    would do between two runs: the measures of a run roll back, which leaves
    their rows dead and the next run slower."""
    with registry.cursor() as cr:
        cr.commit()
        cr._cnx.autocommit = True
        try:
            for table in tables:
                cr.execute(f"VACUUM ANALYZE {table}")
        finally:
            cr._cnx.autocommit = False


def load_average():
    """Print the 1-minute load average: read the figures beside it."""
    import os

    measure("load_average_1min", os.getloadavg()[0], f"(cores: {os.cpu_count()})")


def timed_runs(function, runs):
    """Run ``function`` ``runs`` times; return the median duration in milliseconds."""
    durations = []
    for _run in range(runs):
        start = time.perf_counter()
        function()
        durations.append((time.perf_counter() - start) * 1000)
    return statistics.median(durations)


def database_size_mb(cr):
    cr.execute("SELECT pg_database_size(current_database())")
    return cr.fetchone()[0] / 1024 / 1024


def bench_agent(env):
    """The front-office agent generate.py created (zones: the bench regions)."""
    user = env["res.users"].search([("login", "=", BENCH_AGENT_LOGIN)], limit=1)
    if not user:
        raise SystemExit(
            f"user {BENCH_AGENT_LOGIN} not found: run bench/generate.py first"
        )
    return user


_LUHN_DOUBLE = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]


def luhn_digit(body):
    """Check digit making ``body`` + digit Luhn-valid (table-driven: fast for 1M)."""
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = ord(char) - 48
        total += _LUHN_DOUBLE[digit] if index % 2 == 0 else digit
    return str((10 - total % 10) % 10)
