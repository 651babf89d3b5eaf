"""Billing CSV import throughput, beside PostgreSQL COPY of the same rows.

    python3 bench/import.py --db imp_bench [--rows 100000] [--chunk-size N]

Writes a billing CSV of ``--rows`` valid rows (two services per customer: a
mobile line with MSISDN/ICCID/IMSI and options, then a second line or a
broadband access; statuses mixed), imports it through ``telecom.import`` the way
the background import does (``action_start``, then ``_cron_process_imports`` one
chunk per transaction, in-process), then COPYs the same file into a temporary
table: the floor no import can beat. Prints the rate beside that floor and the
issue's goal (``goal_import_rate: met|MISSED``, 20,000 rows/s), with the load
average. Run it on a small fresh database (the imported rows stay there; each
run uses new customer ids and numbers).
"""

import base64
import csv
import io
import os
import time

from common import load_registry, luhn_digit, measure, odoo_env, parse_args

REGIONS = [("IMPB-R1", "Import Bench North"), ("IMPB-R2", "Import Bench South")]
CATALOG = [
    ("IMPB-TAR-MOBILE", "Import Bench Mobile", "tariff", "mobile"),
    ("IMPB-TAR-HOME", "Import Bench Home", "tariff", "broadband"),
    ("IMPB-OPT-ROAM", "Import Bench Roaming", "option", "mobile"),
    ("IMPB-OPT-DATA", "Import Bench Data", "option", "mobile"),
]
STATUSES = ["active"] * 8 + ["blocked", "pending"]
GOAL_ROWS_PER_S = 20_000


def configure(parser):
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=None,
        help="rows per chunk (default: the import's own, telecom.import._chunk_size)",
    )


def ensure_reference_data(env):
    Region = env["telecom.region"]
    existing = set(Region.search([("code", "like", "IMPB-")]).mapped("code"))
    Region.create(
        [
            {"code": code, "name": name, "tz": "Europe/Moscow"}
            for code, name in REGIONS
            if code not in existing
        ]
    )
    Product = env["product.product"]
    for code, name, kind, service_type in CATALOG:
        if not Product.search([("telecom_billing_code", "=", code)]):
            Product.create(
                {
                    "name": name,
                    "type": "service",
                    "telecom_kind": kind,
                    "telecom_service_type": service_type,
                    "telecom_billing_code": code,
                }
            )


def first_serial(cr):
    """Customers of earlier runs are taken: start after them (two rows each)."""
    cr.execute(
        "SELECT max(substr(ref, 6)::int) FROM res_partner WHERE ref LIKE %s",
        ["IMPB-%"],
    )
    last_customer = cr.fetchone()[0]
    return 0 if last_customer is None else (last_customer + 1) * 2


def billing_rows(count, serial):
    """``count`` valid rows, two services per customer."""
    for index in range(count):
        customer = (serial + index) // 2
        number = serial + index
        second = index % 2 == 1
        broadband = second and customer % 3 == 0
        status = STATUSES[number % len(STATUSES)]
        iccid_body = f"8970177{number:011d}"
        yield {
            "customer_id": f"IMPB-{customer:08d}",
            "subscriber_name": f"Import Bench Customer {customer}",
            "subscriber_type": "company" if customer % 10 == 0 else "person",
            "phone": f"+7977{number:07d}",
            "email": f"imp{customer}@bench.example",
            "region_code": REGIONS[customer % 2][0],
            "account_number": f"IMPB-LS{customer:09d}",
            "billing_id": f"IMPB-B{customer:09d}",
            "service_type": "broadband" if broadband else "mobile",
            "msisdn": "" if broadband else f"+7977{number:07d}",
            "iccid": "" if broadband else iccid_body + luhn_digit(iccid_body),
            "imsi": "" if broadband else f"25077{number:010d}",
            "installation_address": f"Bench avenue {customer}" if broadband else "",
            "access_technology": "ftth" if broadband else "lte",
            "tariff_code": "IMPB-TAR-HOME" if broadband else "IMPB-TAR-MOBILE",
            "option_codes": ""
            if broadband or number % 3
            else "IMPB-OPT-ROAM|IMPB-OPT-DATA",
            "status": status,
            "block_reason": "debt" if status == "blocked" else "",
            "activation_date": "" if status == "pending" else "2024-03-01",
        }


def billing_columns():
    """The columns of the billing export, as the import reads them."""
    # imported late: odoo.addons only knows our addons once the registry is loaded
    from odoo.addons.telecom_subscriber.tools.billing_csv import COLUMNS

    return COLUMNS


def write_csv(rows):
    stream = io.StringIO()
    writer = csv.DictWriter(
        stream, billing_columns(), delimiter=";", lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return stream.getvalue().encode()


def run_import(registry, data, chunk_size):
    """Queue the import as the administrator, then run the cron chunk by chunk."""
    with odoo_env(registry) as env:
        admin = env.ref("base.user_admin")
        job = (
            env["telecom.import"]
            .with_user(admin)
            .create(
                {"name": "Bench", "file": base64.b64encode(data), "file_name": "b.csv"}
            )
        )
        job_id = job.id
    start = time.perf_counter()
    with odoo_env(registry) as env:
        env["telecom.import"].browse(job_id).with_user(
            env.ref("base.user_admin")
        ).action_start()
    chunks = 0
    while True:
        with odoo_env(registry) as env:  # one transaction per chunk, as the cron
            env["telecom.import"]._cron_process_imports(chunk_size=chunk_size)
            job = env["telecom.import"].browse(job_id)
            state = job.state
            counters = (job.row_count, job.imported_count, job.error_count)
        chunks += 1
        if state in ("done", "failed"):
            break
    return time.perf_counter() - start, state, counters, chunks


def copy_floor(registry, data):
    """COPY the same file into a temporary table of text columns."""
    with odoo_env(registry) as env:
        cr = env.cr
        cr.execute(
            "CREATE TEMP TABLE bench_billing_rows ({}) ON COMMIT DROP".format(
                ", ".join(f"{column} text" for column in billing_columns())
            )
        )
        start = time.perf_counter()
        cr.copy_expert(
            "COPY bench_billing_rows FROM STDIN WITH (FORMAT csv, HEADER true, "
            "DELIMITER ';')",
            io.BytesIO(data),
        )
        return time.perf_counter() - start


def main():
    args = parse_args(__doc__.splitlines()[0], configure)
    registry = load_registry(args)
    with odoo_env(registry) as env:
        ensure_reference_data(env)
        serial = first_serial(env.cr)
    data = write_csv(billing_rows(args.rows, serial))
    elapsed, state, (row_count, imported, errors), chunks = run_import(
        registry, data, args.chunk_size
    )
    if state != "done" or imported != args.rows:
        print(f"WARNING: import {state}, {imported} imported, {errors} rejected")
    copy_time = copy_floor(registry, data)
    import_rate = row_count / elapsed
    copy_rate = args.rows / copy_time
    measure("import_rows", row_count, "rows")
    measure("import_file_size", len(data) / 1024 / 1024, "MB")
    measure("import_chunks", chunks, "chunks")
    measure("import_services_created", imported, "rows")
    measure("import_rejected_rows", errors, "rows")
    measure("import_time", elapsed, "s")
    measure("import_rate", import_rate, "rows/s")
    measure("copy_time", copy_time, "s")
    measure("copy_rate", copy_rate, "rows/s")
    measure("copy_vs_import_ratio", copy_rate / import_rate, "x")
    verdict = "met" if import_rate >= GOAL_ROWS_PER_S else "MISSED"
    print(
        f"goal_import_rate: {verdict} ({import_rate:.0f} rows/s >= "
        f"{GOAL_ROWS_PER_S} rows/s)",
        flush=True,
    )
    measure("load_average_1min", os.getloadavg()[0], f"(cores: {os.cpu_count()})")


if __name__ == "__main__":
    main()
