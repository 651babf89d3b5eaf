"""Billing CSV import throughput, beside PostgreSQL COPY of the same rows.

    python3 bench/import.py --db imp_bench [--rows 100000] [--chunk-size N] [--profile]

Writes a billing CSV of ``--rows`` valid rows (two services per customer: a
mobile line with MSISDN/ICCID/IMSI and options, then a second line or a
broadband access; statuses mixed), imports it through ``telecom.import`` the way
the background import does (``action_start``, then ``_cron_process_imports`` one
chunk per transaction, in-process), then COPYs the same file into a temporary
table (the reading floor), then writes what the import wrote for the next
``--rows`` customers and numbers with hand-made SQL: COPY into a staging table
and one ``INSERT … SELECT`` per table (partners, accounts, services, options,
status history) into the real tables with their keys, indexes and triggers, no
check, rolled back (the writing floor no import can beat). Prints the rate beside
both floors and the issue's goal (``goal_import_rate: met|MISSED``, 20,000
rows/s), with the CPU seconds the import and the writing floor used (what an
idle core would take) and the load average. Run it on a small fresh database
(the imported rows stay there; each run uses new customer ids and numbers).
"""

import base64
import collections
import contextlib
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
        "--profile",
        action="store_true",
        help="time every SQL statement of the import and print the costliest",
    )
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


def backend_cpu(cr):
    """CPU seconds used so far by the database backend of ``cr`` (user +
    system, from /proc: the database runs on this machine). On a loaded machine
    CPU time is what an idle machine would take, where wall time is not."""
    cr.execute("SELECT pg_backend_pid()")
    pid = cr.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0  # a remote database: no CPU figures
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class StatementProfile:
    """Times every statement run through Odoo's cursors while active; the
    statements are grouped by their first words (what they create or read)."""

    def __init__(self):
        self.totals = collections.defaultdict(lambda: [0.0, 0])

    @contextlib.contextmanager
    def active(self):
        from odoo.sql_db import Cursor

        execute = Cursor.execute
        totals = self.totals

        def timed(cursor, query, params=None, log_exceptions=True):
            start = time.perf_counter()
            try:
                return execute(cursor, query, params, log_exceptions)
            finally:
                text = query.code if hasattr(query, "code") else str(query)
                words = " ".join(text.split())
                key = words if len(words) <= 150 else f"{words[:90]} … {words[-55:]}"
                totals[key][0] += time.perf_counter() - start
                totals[key][1] += 1

        Cursor.execute = timed
        try:
            yield
        finally:
            Cursor.execute = execute

    def report(self, top=25):
        ranked = sorted(self.totals.items(), key=lambda item: -item[1][0])
        total = sum(seconds for seconds, _count in self.totals.values())
        print(f"profile: {total:.2f} s in SQL over {len(ranked)} statements")
        for key, (seconds, count) in ranked[:top]:
            print(f"profile: {seconds:7.2f} s {count:5d}x  {key}")


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
    python_cpu = time.process_time()
    with odoo_env(registry) as env:
        before = backend_cpu(env.cr)
        env["telecom.import"].browse(job_id).with_user(
            env.ref("base.user_admin")
        ).action_start()
        database_cpu = backend_cpu(env.cr) - before
    chunks = 0
    while True:
        with odoo_env(registry) as env:  # one transaction per chunk, as the cron
            before = backend_cpu(env.cr)
            env["telecom.import"]._cron_process_imports(chunk_size=chunk_size)
            job = env["telecom.import"].browse(job_id)
            state = job.state
            counters = (job.row_count, job.imported_count, job.error_count)
            env.cr.commit()
            database_cpu += backend_cpu(env.cr) - before
        chunks += 1
        if state in ("done", "failed"):
            break
    cpu = (database_cpu, time.process_time() - python_cpu)
    return time.perf_counter() - start, state, counters, chunks, cpu


# The writing floor: the rows the import creates, written by hand-made SQL from
# a staging table into the real tables (their keys, indexes and triggers), with
# the columns the import writes and no check at all. Rolled back.
FLOOR_STATEMENTS = {
    "customers": """
        CREATE TEMP TABLE floor_customer ON COMMIT DROP AS
        SELECT first.*, nextval('res_partner_id_seq')::integer AS partner_id,
               nextval('telecom_account_id_seq')::integer AS account_id
          FROM (SELECT DISTINCT ON (rows.customer_id) rows.*,
                       region.id AS region_id
                  FROM floor_rows rows
                  JOIN telecom_region region ON region.code = rows.region_code
                 ORDER BY rows.customer_id, rows.seq) first""",
    "partners": """
        INSERT INTO res_partner (id, name, complete_name, ref, is_company,
               commercial_partner_id, commercial_company_name, active, type,
               partner_share, telecom_is_subscriber, telecom_region_id,
               telecom_segment, telecom_customer_since, phone, phone_sanitized,
               email, email_normalized,
               create_uid, create_date, write_uid, write_date)
        SELECT partner_id, subscriber_name, subscriber_name, customer_id,
               subscriber_type = 'company', partner_id,
               CASE WHEN subscriber_type = 'company' THEN subscriber_name END,
               true, 'contact', true, true, region_id,
               CASE WHEN subscriber_type = 'company' THEN 'b2b' ELSE 'mass' END,
               nullif(activation_date, '')::date, phone, phone, email, email,
               %(uid)s, now(), %(uid)s, now()
          FROM floor_customer""",
    "accounts": """
        INSERT INTO telecom_account (id, name, partner_id, payer_id, region_id,
               billing_reference, company_id, state,
               create_uid, create_date, write_uid, write_date)
        SELECT account_id, account_number, partner_id, partner_id, region_id,
               billing_id, %(company)s, 'active', %(uid)s, now(), %(uid)s, now()
          FROM floor_customer""",
    "services": """
        INSERT INTO telecom_service (id, reference, name, service_type, state,
               block_reason, msisdn, iccid, imsi, installation_address,
               access_technology, tariff_id, activation_date, region_id,
               account_id, partner_id, company_id,
               create_uid, create_date, write_uid, write_date)
        SELECT rows.service_id, 'FLOOR/' || rows.service_id,
               coalesce(nullif(rows.msisdn, ''), rows.installation_address),
               rows.service_type, rows.status, nullif(rows.block_reason, ''),
               nullif(rows.msisdn, ''), nullif(rows.iccid, ''),
               nullif(rows.imsi, ''), nullif(rows.installation_address, ''),
               rows.access_technology, tariff.id,
               nullif(rows.activation_date, '')::date, customer.region_id,
               customer.account_id, customer.partner_id, %(company)s,
               %(uid)s, now(), %(uid)s, now()
          FROM floor_rows rows
          JOIN floor_customer customer ON customer.customer_id = rows.customer_id
          JOIN floor_product tariff ON tariff.code = rows.tariff_code""",
    "options": """
        INSERT INTO telecom_service_option_rel (service_id, product_id)
        SELECT rows.service_id, option.id
          FROM floor_rows rows
         CROSS JOIN unnest(string_to_array(nullif(rows.option_codes, ''), '|'))
               AS code(code)
          JOIN floor_product option ON option.code = code.code""",
    "history": """
        INSERT INTO telecom_service_state_log (id, service_id, state,
               block_reason, date, user_id, company_id,
               create_uid, create_date, write_uid, write_date)
        SELECT nextval('telecom_service_state_log_id_seq'), service_id, status,
               nullif(block_reason, ''), now(), %(uid)s, %(company)s,
               %(uid)s, now(), %(uid)s, now()
          FROM floor_rows""",
}


def writing_floor(registry, data):
    """Stage the file (COPY, service ids drawn as it goes) and write the
    partners, accounts, services, options and status history it holds with one
    hand-made ``INSERT … SELECT`` each; rolled back. Returns (seconds, rows
    written, seconds per statement, CPU seconds of the database)."""
    with odoo_env(registry) as env:
        cr = env.cr
        params = {"uid": env.ref("base.user_admin").id, "company": env.company.id}
        cr.execute(
            "CREATE TEMP TABLE floor_product ON COMMIT DROP AS "
            "SELECT product.id, template.telecom_billing_code AS code "
            "FROM product_product product JOIN product_template template "
            "ON template.id = product.product_tmpl_id "
            "WHERE template.telecom_billing_code LIKE 'IMPB-%%'"
        )
        cr.execute(
            "CREATE TEMP TABLE floor_rows (seq serial, service_id integer "
            "DEFAULT nextval('telecom_service_id_seq'), {}) ON COMMIT DROP".format(
                ", ".join(f"{column} text" for column in billing_columns())
            )
        )
        steps = {}
        written = 0
        cpu = backend_cpu(cr)
        start = time.perf_counter()
        cr.copy_expert(
            "COPY floor_rows ({}) FROM STDIN WITH (FORMAT csv, HEADER true, "
            "DELIMITER ';')".format(", ".join(billing_columns())),
            io.BytesIO(data),
        )
        steps["copy"] = time.perf_counter() - start
        for name, statement in FLOOR_STATEMENTS.items():
            begin = time.perf_counter()
            cr.execute(statement, params)
            steps[name] = time.perf_counter() - begin
            if name != "customers":
                written += cr.rowcount
        elapsed = time.perf_counter() - start
        cpu = backend_cpu(cr) - cpu
        cr.rollback()
    return elapsed, written, steps, cpu


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
    profile = StatementProfile()
    with profile.active() if args.profile else contextlib.nullcontext():
        elapsed, state, (row_count, imported, errors), chunks, cpu = run_import(
            registry, data, args.chunk_size
        )
    if args.profile:
        profile.report()
    if state != "done" or imported != args.rows:
        print(f"WARNING: import {state}, {imported} imported, {errors} rejected")
    copy_time = copy_floor(registry, data)
    # the next customers and numbers: the floor writes beside the imported rows
    floor_data = write_csv(billing_rows(args.rows, serial + args.rows))
    floor_time, floor_written, floor_steps, floor_cpu = writing_floor(
        registry, floor_data
    )
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
    for step, seconds in floor_steps.items():
        measure(f"floor_{step}_time", seconds, "s")
    measure("floor_rows_written", floor_written, "rows")
    measure("floor_time", floor_time, "s")
    floor_rate = args.rows / floor_time
    measure("floor_rate", floor_rate, "rows/s")
    measure("floor_vs_import_ratio", floor_rate / import_rate, "x")
    if cpu[0] and floor_cpu:
        # one core busy with nothing else: the rate an idle core would reach
        measure("import_cpu_database", cpu[0], "s")
        measure("import_cpu_odoo", cpu[1], "s (staging the file included)")
        measure("import_rate_per_cpu_second", row_count / sum(cpu), "rows/s")
        measure("floor_cpu", floor_cpu, "s (database)")
        measure("floor_rate_per_cpu_second", args.rows / floor_cpu, "rows/s")
    verdict = "met" if import_rate >= GOAL_ROWS_PER_S else "MISSED"
    print(
        f"goal_import_rate: {verdict} ({import_rate:.0f} rows/s >= "
        f"{GOAL_ROWS_PER_S} rows/s)",
        flush=True,
    )
    measure("load_average_1min", os.getloadavg()[0], f"(cores: {os.cpu_count()})")


if __name__ == "__main__":
    main()
