"""Fill a database with N subscribers, set-based, for the other benchmarks.

    python3 bench/generate.py --db bench_telecom --subscribers 1000000

Per subscriber: one res.partner (Odoo's stored columns filled as the ORM would:
complete_name, commercial_partner_id = id, email_normalized, phone_sanitized...),
one account, 1 to 3 services (mobile lines with a unique MSISDN, a unique
Luhn-valid ICCID and an IMSI, broadband accesses, IPTV; 80 % active, 8 % blocked,
2 % pending, 10 % terminated) with their initial status history row and options,
``--interactions`` timeline rows (a sixth of them complaints) and the requests
the churn score of telecom_campaigns reads (1 % port-outs, 1 % terminations
submitted, 5 % claims of the last 90 days). Two more subscribers serve the card
benchmark: BENCH-CARD-SMALL (10 services, 10 interactions) and BENCH-CARD-LARGE
(10,000 of each). Zones, tariffs, options and a front-office agent are created
when missing.

Partners, accounts and services are streamed by COPY from Python (ids reserved
from the tables' sequences, so links are known without a round trip); status
history, options and interactions are INSERT ... SELECT over the new rows. Every
row is marked (BENCH- prefix on ref / account number / service reference):
``--reset`` deletes them. A second run without ``--reset`` appends N more.
"""

import io
import time
from datetime import date, timedelta

from common import (
    BENCH_AGENT_LOGIN,
    BENCH_PREFIX,
    CARD_LARGE_REF,
    CARD_SMALL_REF,
    database_size_mb,
    load_registry,
    luhn_digit,
    measure,
    odoo_env,
    parse_args,
)

BATCH = 50_000  # subscribers per COPY round
STATES = ["active"] * 40 + ["blocked"] * 4 + ["pending"] + ["terminated"] * 5
BLOCK_REASONS = ["voluntary", "lost_sim", "debt", "fraud"]
FIRST_NAMES = [
    "Ivan", "Olga", "Sergey", "Anna", "Dmitry", "Elena", "Alexey", "Maria",
    "Nikolay", "Tatiana", "Pavel", "Irina", "Andrey", "Natalia", "Mikhail", "Svetlana",
]  # fmt: skip
LAST_NAMES = [
    "Ivanov", "Petrov", "Sidorov", "Smirnov", "Kuznetsov", "Popov", "Volkov", "Sokolov",
    "Lebedev", "Kozlov", "Novikov", "Morozov", "Egorov", "Pavlov", "Orlov", "Belov",
]  # fmt: skip
REGIONS = [
    ("BENCH-R01", "Bench Moscow"),
    ("BENCH-R02", "Bench Saint Petersburg"),
    ("BENCH-R03", "Bench Novosibirsk"),
    ("BENCH-R04", "Bench Yekaterinburg"),
    ("BENCH-R05", "Bench Kazan"),
    ("BENCH-R06", "Bench Samara"),
    ("BENCH-R07", "Bench Omsk"),
    ("BENCH-R08", "Bench Krasnodar"),
]
CATALOG = [
    # code, name, kind, service type, fee
    ("BENCH-TAR-MOBILE", "Bench Mobile 300", "tariff", "mobile", 500),
    ("BENCH-TAR-BROADBAND", "Bench Home 500", "tariff", "broadband", 700),
    ("BENCH-TAR-IPTV", "Bench TV 150", "tariff", "iptv", 300),
    ("BENCH-OPT-ROAMING", "Bench Roaming", "option", "mobile", 100),
]
ACTIVATION_START = date(2015, 1, 1)

PARTNER_COLUMNS = (
    "id, name, complete_name, ref, lang, type, email, email_normalized, phone, "
    "phone_sanitized, active, is_company, commercial_company_name, partner_share, "
    "commercial_partner_id, color, message_bounce, telecom_is_subscriber, "
    "telecom_region_id, telecom_segment, telecom_customer_since, "
    "create_uid, write_uid, create_date, write_date"
)
ACCOUNT_COLUMNS = (
    "id, name, partner_id, payer_id, company_id, region_id, billing_reference, "
    "billing_day, state, create_uid, write_uid, create_date, write_date"
)
SERVICE_COLUMNS = (
    "id, name, reference, service_type, account_id, partner_id, company_id, region_id, "
    "tariff_id, state, block_reason, msisdn, iccid, imsi, installation_address, "
    "access_technology, activation_date, termination_date, ported_in, "
    "create_uid, write_uid, create_date, write_date"
)
NULL = r"\N"


def configure(parser):
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument(
        "--interactions", type=int, default=3, help="interactions per subscriber"
    )
    parser.add_argument(
        "--reset", action="store_true", help="delete the rows of previous runs first"
    )


# ----------------------------------------------------------------------
# identifiers
# ----------------------------------------------------------------------


def msisdn(serial):
    """Unique valid Russian mobile number: +7 95x xxx xx xx (10 million per x)."""
    return f"+7{950 + serial // 10_000_000}{serial % 10_000_000:07d}"


def iccid(serial):
    body = f"8970199{serial:011d}"
    return body + luhn_digit(body)


# ----------------------------------------------------------------------
# setup through the ORM (a few records)
# ----------------------------------------------------------------------
def ensure_reference_data(env):
    """Zones, catalog and the bench agent; returns the ids generation needs."""
    Region = env["telecom.region"]
    regions = Region.search([("code", "in", [code for code, _name in REGIONS])])
    missing = [
        {"code": code, "name": name, "level": "region", "tz": "Europe/Moscow"}
        for code, name in REGIONS
        if code not in regions.mapped("code")
    ]
    regions |= Region.create(missing)
    Product = env["product.product"]
    catalog = {}
    for code, name, kind, service_type, fee in CATALOG:
        product = Product.search([("telecom_billing_code", "=", code)], limit=1)
        catalog[code] = product or Product.create(
            {
                "name": name,
                "type": "service",
                "telecom_kind": kind,
                "telecom_service_type": service_type,
                "telecom_billing_code": code,
                "telecom_monthly_fee": fee,
            }
        )
    agent = env["res.users"].search([("login", "=", BENCH_AGENT_LOGIN)])
    if not agent:
        group = env.ref("telecom_subscriber.telecom_subscriber_group_front_office")
        env["res.users"].with_context(no_reset_password=True).create(
            {
                "name": "Bench Front Office",
                "login": BENCH_AGENT_LOGIN,
                "groups_id": [(6, 0, [group.id])],
                "telecom_region_ids": [(6, 0, regions.ids)],
            }
        )
    return {
        "regions": sorted(regions.ids),
        "tariffs": {
            "mobile": catalog["BENCH-TAR-MOBILE"].id,
            "broadband": catalog["BENCH-TAR-BROADBAND"].id,
            "iptv": catalog["BENCH-TAR-IPTV"].id,
        },
        "option": catalog["BENCH-OPT-ROAMING"].id,
        "company": env.ref("base.main_company").id,
        "agent": env.ref("base.user_admin").id,
    }


# ----------------------------------------------------------------------
# reset
# ----------------------------------------------------------------------
def reset(cr):
    """Delete every row a previous run generated (children first)."""
    like = BENCH_PREFIX + "%"
    statements = [
        (
            "interactions",
            """DELETE FROM telecom_interaction i USING res_partner p
                WHERE i.partner_id = p.id AND p.ref LIKE %s""",
        ),
        (
            "status history",
            """DELETE FROM telecom_service_state_log l USING telecom_service s
                WHERE l.service_id = s.id AND s.reference LIKE %s""",
        ),
        (
            "options",
            """DELETE FROM telecom_service_option_rel r USING telecom_service s
                WHERE r.service_id = s.id AND s.reference LIKE %s""",
        ),
        ("requests", "DELETE FROM telecom_request WHERE name LIKE %s"),
        ("services", "DELETE FROM telecom_service WHERE reference LIKE %s"),
        ("accounts", "DELETE FROM telecom_account WHERE name LIKE %s"),
        (
            "audit log",
            """DELETE FROM telecom_audit_log a USING res_partner p
                WHERE a.partner_id = p.id AND p.ref LIKE %s""",
        ),
        ("subscribers", "DELETE FROM res_partner WHERE ref LIKE %s"),
    ]
    for label, statement in statements:
        start = time.perf_counter()
        cr.execute(statement, [like])
        elapsed = time.perf_counter() - start
        print(f"reset: {cr.rowcount} {label} deleted in {elapsed:.1f} s")


# ----------------------------------------------------------------------
# generation
# ----------------------------------------------------------------------
def reserve_ids(cr, table, count):
    """Reserve ``count`` consecutive ids of ``table`` (run on an idle database)."""
    sequence = f"{table}_id_seq"
    cr.execute("SELECT nextval(%s)", [sequence])
    first = cr.fetchone()[0]
    if count > 1:
        cr.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


def copy_rows(cr, table, columns, lines):
    if not lines:
        return
    buffer = io.StringIO("\n".join(lines) + "\n")
    cr.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


class Generator:
    """Streams one batch of subscribers (partners, accounts, services) by COPY."""

    def __init__(self, cr, reference, subscriber_offset, service_offset):
        self.cr = cr
        self.ref = reference
        self.subscriber_serial = subscriber_offset
        self.service_serial = service_offset
        cr.execute("SELECT now() AT TIME ZONE 'UTC'")
        self.now = cr.fetchone()[0].isoformat(sep=" ")

    def batch(self, service_counts, refs=None):
        """One subscriber per item of ``service_counts``; return the id ranges."""
        count = len(service_counts)
        partner_first = reserve_ids(self.cr, "res_partner", count)
        account_first = reserve_ids(self.cr, "telecom_account", count)
        service_total = sum(service_counts)
        service_first = reserve_ids(self.cr, "telecom_service", service_total)
        partners, accounts, services = [], [], []
        service_id = service_first
        for index, service_count in enumerate(service_counts):
            self.subscriber_serial += 1
            serial = self.subscriber_serial
            partner_id = partner_first + index
            account_id = account_first + index
            region_id = self.ref["regions"][serial % len(self.ref["regions"])]
            first_number = msisdn(self.service_serial + 1)
            ref = refs[index] if refs else f"{BENCH_PREFIX}C{serial:09d}"
            partners.append(
                self._partner_line(partner_id, serial, ref, region_id, first_number)
            )
            accounts.append(
                self._account_line(account_id, partner_id, serial, region_id)
            )
            for position in range(service_count):
                self.service_serial += 1
                services.append(
                    self._service_line(
                        service_id, position, account_id, partner_id, region_id
                    )
                )
                service_id += 1
        copy_rows(self.cr, "res_partner", PARTNER_COLUMNS, partners)
        copy_rows(self.cr, "telecom_account", ACCOUNT_COLUMNS, accounts)
        copy_rows(self.cr, "telecom_service", SERVICE_COLUMNS, services)
        return (
            (partner_first, partner_first + count - 1),
            (service_first, service_first + service_total - 1),
        )

    def _partner_line(self, partner_id, serial, ref, region_id, phone):
        is_company = serial % 10 == 0
        if is_company:
            name = f"Bench Company {serial} LLC"
            segment = "b2b"
        else:
            first = FIRST_NAMES[serial % len(FIRST_NAMES)]
            last = LAST_NAMES[(serial // len(FIRST_NAMES)) % len(LAST_NAMES)]
            name = f"{first} {last} {serial}"
            segment = "vip" if serial % 50 == 1 else "mass"
        email = f"c{serial}@bench.example"
        since = ACTIVATION_START + timedelta(days=serial * 7919 % 3650)
        return "\t".join(
            (
                str(partner_id),
                name,
                name,
                ref,
                "en_US",
                "contact",
                email,
                email,
                phone,
                phone,
                "t",
                "t" if is_company else "f",
                name if is_company else NULL,
                "t",
                str(partner_id),
                "0",
                "0",
                "t",
                str(region_id),
                segment,
                since.isoformat(),
                "1",
                "1",
                self.now,
                self.now,
            )
        )

    def _account_line(self, account_id, partner_id, serial, region_id):
        return "\t".join(
            (
                str(account_id),
                f"{BENCH_PREFIX}LS{serial:09d}",
                str(partner_id),
                str(partner_id),
                str(self.ref["company"]),
                str(region_id),
                f"BILL-{serial:09d}",
                str(1 + serial % 28),
                "active",
                "1",
                "1",
                self.now,
                self.now,
            )
        )

    def _service_line(self, service_id, position, account_id, partner_id, region_id):
        serial = self.service_serial
        service_type = ("mobile", "mobile" if serial % 2 else "broadband", "iptv")[
            position % 3
        ]
        state = STATES[serial % len(STATES)]
        activated = ACTIVATION_START + timedelta(days=serial * 7919 % 3650)
        reference = f"{BENCH_PREFIX}SRV{serial:010d}"
        number = sim = imsi = address = NULL
        technology = "lte"
        if service_type == "mobile":
            number, sim, imsi = msisdn(serial), iccid(serial), f"25099{serial:010d}"
        else:
            address = f"Bench street {serial % 997}, {serial % 89}, apt {serial}"
            technology = "ftth"
        return "\t".join(
            (
                str(service_id),
                number if number != NULL else address,
                reference,
                service_type,
                str(account_id),
                str(partner_id),
                str(self.ref["company"]),
                str(region_id),
                str(self.ref["tariffs"][service_type]),
                state,
                BLOCK_REASONS[serial % 4] if state == "blocked" else NULL,
                number,
                sim,
                imsi,
                address,
                technology,
                NULL if state == "pending" else activated.isoformat(),
                (activated + timedelta(days=365)).isoformat()
                if state == "terminated"
                else NULL,
                "f",
                "1",
                "1",
                self.now,
                self.now,
            )
        )


def insert_history_and_options(cr, reference, service_range):
    """Initial status row of each new service (as create() writes it), options."""
    cr.execute(
        """
        INSERT INTO telecom_service_state_log
               (service_id, state, block_reason, date, user_id, company_id,
                create_uid, write_uid, create_date, write_date)
        SELECT id, state, block_reason, COALESCE(activation_date, create_date::date),
               1, company_id, 1, 1, create_date, write_date
          FROM telecom_service WHERE id BETWEEN %s AND %s
        """,
        service_range,
    )
    history = cr.rowcount
    cr.execute(
        """
        INSERT INTO telecom_service_option_rel (service_id, product_id)
        SELECT id, %s FROM telecom_service
         WHERE id BETWEEN %s AND %s AND service_type = 'mobile' AND id %% 4 = 0
        """,
        [reference["option"], *service_range],
    )
    return history + cr.rowcount


def insert_interactions(cr, reference, partner_range, per_subscriber):
    """``per_subscriber`` timeline rows per subscriber over the last two years."""
    cr.execute(
        """
        INSERT INTO telecom_interaction
               (partner_id, region_id, company_id, agent_id, channel, direction,
                summary, outcome, duration, date,
                create_uid, write_uid, create_date, write_date)
        SELECT p.id, p.telecom_region_id, %(company)s, %(agent)s,
               (ARRAY['call','chat','messenger','email','sms','portal','shop'])
                   [1 + (p.id + k) %% 7],
               (ARRAY['inbound','inbound','outbound'])[1 + (p.id + k) %% 3],
               'Bench contact ' || k,
               (ARRAY['resolved','information','request_created','follow_up','sale',
                      'complaint'])[1 + (p.id * 3 + k) %% 6],
               ((p.id + k) %% 15)::float,
               now() AT TIME ZONE 'UTC'
                   - ((p.id * 37 + k * 1013) %% 1051200) * interval '1 minute',
               1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM res_partner p CROSS JOIN generate_series(1, %(count)s) k
         WHERE p.id BETWEEN %(first)s AND %(last)s
        """,
        {
            "company": reference["company"],
            "agent": reference["agent"],
            "count": per_subscriber,
            "first": partner_range[0],
            "last": partner_range[1],
        },
    )
    return cr.rowcount


def insert_requests(cr, reference, partner_range):
    """Requests the churn score reads: 1 % port-outs and 1 % terminations
    submitted (open), 5 % claims filed over the last 90 days (done)."""
    cr.execute(
        """
        INSERT INTO telecom_request
               (name, request_type, state, is_closed, partner_id, account_id,
                region_id, company_id, channel, fulfilment_status, date_submitted,
                date_closed, create_uid, write_uid, create_date, write_date)
        SELECT 'BENCH-REQ-' || p.id || '-' || kind.request_type, kind.request_type,
               kind.state, kind.state = 'done', p.id, a.id, p.telecom_region_id,
               %(company)s, 'shop', 'none', created, CASE WHEN kind.state = 'done'
               THEN created END, 1, 1, created, created
          FROM res_partner p
          JOIN telecom_account a ON a.partner_id = p.id
          JOIN (VALUES ('port_out', 'submitted', 100, 3),
                       ('termination', 'submitted', 100, 7),
                       ('claim', 'done', 20, 11))
               AS kind(request_type, state, every, remainder)
            ON p.id %% kind.every = kind.remainder
         CROSS JOIN LATERAL (
               SELECT now() AT TIME ZONE 'UTC'
                      - (p.id * 7 %% 129600) * interval '1 minute' AS created) c
         WHERE p.id BETWEEN %(first)s AND %(last)s
        """,
        {
            "company": reference["company"],
            "first": partner_range[0],
            "last": partner_range[1],
        },
    )
    return cr.rowcount


def insert_card_interactions(cr, reference, partner_id, count):
    """``count`` interactions of one subscriber, each on one of its services."""
    cr.execute(
        """
        WITH services AS (
            SELECT array_agg(id ORDER BY id) AS ids
              FROM telecom_service WHERE partner_id = %(partner)s
        )
        INSERT INTO telecom_interaction
               (partner_id, service_id, region_id, company_id, agent_id, channel,
                direction, summary, outcome, duration, date,
                create_uid, write_uid, create_date, write_date)
        SELECT %(partner)s, s.ids[1 + k %% cardinality(s.ids)], p.telecom_region_id,
               %(company)s, %(agent)s,
               (ARRAY['call','chat','messenger','email','sms','portal','shop'])
                   [1 + k %% 7],
               'inbound', 'Card bench contact ' || k, 'resolved', 3,
               now() AT TIME ZONE 'UTC' - k * interval '1 hour',
               1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM generate_series(0, %(count)s - 1) k
          CROSS JOIN services s
          JOIN res_partner p ON p.id = %(partner)s
        """,
        {
            "partner": partner_id,
            "company": reference["company"],
            "agent": reference["agent"],
            "count": count,
        },
    )
    return cr.rowcount


def existing_counts(cr):
    """Subscribers and services of previous runs: new serials start after them."""
    cr.execute(
        "SELECT count(*) FROM res_partner WHERE ref LIKE %s", [BENCH_PREFIX + "%"]
    )
    subscribers = cr.fetchone()[0]
    cr.execute(
        "SELECT count(*) FROM telecom_service WHERE reference LIKE %s",
        [BENCH_PREFIX + "%"],
    )
    return subscribers, cr.fetchone()[0]


def generate_cards(cr, generator, reference, rows):
    """The two card subscribers, once."""
    cards = (CARD_SMALL_REF, CARD_LARGE_REF)
    cr.execute("SELECT ref FROM res_partner WHERE ref IN %s", [cards])
    existing = {ref for (ref,) in cr.fetchall()}
    for ref, size in ((CARD_SMALL_REF, 10), (CARD_LARGE_REF, 10_000)):
        if ref in existing:
            continue
        (partner_id, _last), service_range = generator.batch([size], refs=[ref])
        rows["services"] += size
        rows["other"] += insert_history_and_options(cr, reference, service_range)
        rows["interactions"] += insert_card_interactions(
            cr, reference, partner_id, size
        )
        rows["subscribers"] += 1
    cr.execute(
        "SELECT ref, id FROM res_partner WHERE ref IN %s ORDER BY ref DESC",
        [cards],
    )
    return dict(cr.fetchall())


def main():
    args = parse_args(__doc__.splitlines()[0], configure)
    registry = load_registry(args)
    start = time.perf_counter()
    with odoo_env(registry) as env:
        reference = ensure_reference_data(env)
        if args.reset:
            reset(env.cr)
    rows = {"subscribers": 0, "services": 0, "interactions": 0, "other": 0}
    with odoo_env(registry) as env:
        cr = env.cr
        subscriber_offset, service_offset = existing_counts(cr)
        generator = Generator(cr, reference, subscriber_offset, service_offset)
        remaining = args.subscribers
        while remaining > 0:
            size = min(BATCH, remaining)
            first = generator.subscriber_serial + 1
            service_counts = [1 + (first + index) % 3 for index in range(size)]
            partner_range, service_range = generator.batch(service_counts)
            rows["subscribers"] += size
            rows["services"] += sum(service_counts)
            rows["other"] += insert_history_and_options(cr, reference, service_range)
            rows["interactions"] += insert_interactions(
                cr, reference, partner_range, args.interactions
            )
            rows["other"] += insert_requests(cr, reference, partner_range)
            remaining -= size
            cr.commit()  # bench data only: one transaction per batch keeps WAL bounded
            done = args.subscribers - remaining
            elapsed = time.perf_counter() - start
            print(f"... {done} subscribers in {elapsed:.0f} s", flush=True)
        cards = generate_cards(cr, generator, reference, rows)
        cr.commit()
    with odoo_env(registry) as env:
        env.cr.execute(
            "ANALYZE res_partner, telecom_account, telecom_service, "
            "telecom_service_state_log, telecom_service_option_rel, "
            "telecom_interaction, telecom_request"
        )
        size = database_size_mb(env.cr)
    elapsed = time.perf_counter() - start
    total_rows = rows["subscribers"] * 2 + rows["services"] + rows["interactions"]
    total_rows += rows["other"]
    measure("generate_subscribers", rows["subscribers"], "rows")
    measure("generate_services", rows["services"], "rows")
    measure("generate_interactions", rows["interactions"], "rows")
    measure("generate_total", total_rows, "rows")
    measure("generate_time", elapsed, "s")
    measure("generate_rate", total_rows / elapsed if elapsed else 0.0, "rows/s")
    measure("generate_subscriber_rate", rows["subscribers"] / elapsed, "subscribers/s")
    measure("card_small_partner_id", cards.get(CARD_SMALL_REF), "id")
    measure("card_large_partner_id", cards.get(CARD_LARGE_REF), "id")
    measure("db_size", size, "MB")


if __name__ == "__main__":
    main()
