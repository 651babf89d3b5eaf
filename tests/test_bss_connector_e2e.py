"""End-to-end: Odoo, the billing/OSS simulator and queue_job's runner, all real.

Nothing is patched: the simulator runs as a process on loopback, the connector
talks to it over HTTP, and the jobs of the outbox are run by queue_job's own job
runner (started here as a process, since the test server has no
``server_wide_modules = queue_job``), which calls Odoo's /queue_job/runjob.
"""

import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from conftest import TIMEOUT, OdooRPC

REPO_ROOT = Path(__file__).resolve().parent.parent
TOKEN = "sim-token"
ALARM_PATH = "/tmf-api/alarmManagement/v4/alarm"
EVENTS_PATH = "/telecom/api/v1/billing/events"
RUNNER_CODE = """
import sys
import odoo
from odoo.tools import config
config.parse_config(sys.argv[1:])
odoo.modules.module.initialize_sys_path()
from odoo.addons.queue_job.jobrunner.runner import QueueJobRunner
QueueJobRunner.from_environ_or_config().run()
"""


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _luhn_digit(body):
    for digit in "0123456789":
        total = 0
        for index, char in enumerate(reversed(body + digit)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return digit
    raise AssertionError(body)


def _unique_line():
    serial = uuid.uuid4().int % 10**7
    body = f"897098{serial:012d}"
    return f"+7996{serial:07d}", body + _luhn_digit(body)


def wait_until(check, timeout=90, interval=0.5, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"{message} not reached within {timeout} s")


def _stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


class Simulator:
    def __init__(self):
        self.url = f"http://127.0.0.1:{_free_port()}"
        port = self.url.rsplit(":", 1)[1]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "simulator", "--host", "127.0.0.1", "--port", port],
            cwd=REPO_ROOT,
            env=dict(os.environ, SIM_LOG_LEVEL="WARNING"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._healthy, timeout=30, message="simulator start")

    def _healthy(self):
        assert self.process.poll() is None, "the simulator exited"
        with contextlib.suppress(requests.RequestException):
            return requests.get(self.url + "/api/v1/health", timeout=2).ok
        return False

    def admin(self, method, path, payload=None):
        response = requests.request(
            method, f"{self.url}/__admin/{path}", json=payload, timeout=TIMEOUT
        )
        response.raise_for_status()
        return response.json()

    def configure(self, **knobs):
        return self.admin("POST", "config", knobs)


@pytest.fixture(scope="module")
def simulator():
    if not (REPO_ROOT / "simulator" / "__main__.py").exists():
        pytest.fail("simulator/ is missing from the repository")
    sim = Simulator()
    suffix = uuid.uuid4().hex[:6].upper()
    sim.codes = {"tariff": f"E2E-TAR-{suffix}", "option": f"E2E-OPT-{suffix}"}
    sim.admin(
        "POST",
        "seed",
        {
            "offers": [
                {
                    "code": sim.codes["tariff"],
                    "name": "E2E Tariff",
                    "kind": "tariff",
                    "service_type": "mobile",
                    "monthly_fee": 500.0,
                    "compatible_options": [sim.codes["option"]],
                    "active": True,
                },
                {
                    "code": sim.codes["option"],
                    "name": "E2E Option",
                    "kind": "option",
                    "service_type": "mobile",
                    "monthly_fee": 100.0,
                    "active": True,
                },
            ]
        },
    )
    yield sim
    _stop(sim.process)


@pytest.fixture(scope="module")
def job_runner(odoo_url, odoo_db, tmp_path_factory):
    """queue_job's job runner, as a process, for the database under test."""
    log = tmp_path_factory.mktemp("job_runner") / "runner.log"
    args = [
        "-d",
        odoo_db,
        "--db_host",
        os.environ.get("TELECOM_E2E_DB_HOST", "127.0.0.1"),
        "--db_port",
        os.environ.get("TELECOM_E2E_DB_PORT", "5432"),
        "--db_user",
        os.environ.get("TELECOM_E2E_DB_USER", "odoo"),
        "--log-level",
        "warn",
        # its "ready for db" line says when it listens to the database's jobs
        "--log-handler",
        "odoo.addons.queue_job.jobrunner.runner:INFO",
        "--logfile",
        str(log),
    ]
    if os.environ.get("TELECOM_E2E_DB_PASSWORD"):
        args += ["--db_password", os.environ["TELECOM_E2E_DB_PASSWORD"]]
    host_port = odoo_url.split("://", 1)[1]
    env = dict(
        os.environ,
        ODOO_QUEUE_JOB_HOST=host_port.rsplit(":", 1)[0],
        ODOO_QUEUE_JOB_PORT=host_port.rsplit(":", 1)[1],
        ODOO_QUEUE_JOB_CHANNELS="root:4",
    )
    process = subprocess.Popen(
        [sys.executable, "-c", RUNNER_CODE, *args],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def ready():
        assert process.poll() is None, "the queue_job runner exited at start"
        return log.exists() and f"runner ready for db {odoo_db}" in log.read_text()

    try:
        wait_until(ready, timeout=60, interval=0.2, message="queue_job runner ready")
        yield process
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def world(rpc, odoo_url, odoo_db, simulator, job_runner):
    """Zone, catalog, billing backend on the simulator, users and API keys."""
    suffix = uuid.uuid4().hex[:6].upper()
    zone_code = f"E2E-BSS-{suffix}"
    zone = rpc("telecom.region", "create", {"name": "E2E BSS zone", "code": zone_code})

    def product(code, kind):
        return rpc(
            "product.product",
            "create",
            {
                "name": code,
                "type": "service",
                "telecom_kind": kind,
                "telecom_service_type": "mobile",
                "telecom_billing_code": code,
            },
        )

    tariff = product(simulator.codes["tariff"], "tariff")
    bad_tariff = product(f"E2E-NOT-IN-BILLING-{suffix}", "tariff")
    backend = rpc(
        "telecom.backend",
        "create",
        {
            "name": f"E2E billing {suffix}",
            "sequence": 0,
            "kind": "billing",
            "protocol": "rest",
            "url": simulator.url,
            "auth_type": "token",
            "token": TOKEN,
            "company_id": False,
            "region_ids": [(6, 0, [zone])],
            "connect_timeout": 1,
            "read_timeout": 3,
            "live_timeout": 1,
            "max_attempts": 40,
            "backoff_base": 1,
            "backoff_factor": 1.5,
            "backoff_max": 2,
            "circuit_threshold": 1000,
        },
    )

    def group(xmlid):
        module, name = xmlid.split(".")
        return rpc("ir.model.data", "check_object_reference", module, name)[1]

    login = f"e2e.bss.{suffix.lower()}"
    rpc(
        "res.users",
        "create",
        {
            "name": "E2E BSS Front Office",
            "login": login,
            "password": login,
            "groups_id": [
                (
                    6,
                    0,
                    [group("telecom_subscriber.telecom_subscriber_group_front_office")],
                )
            ],
            "telecom_region_ids": [(6, 0, [zone])],
        },
    )
    integration = rpc(
        "res.users",
        "create",
        {
            "name": "E2E OSS integration",
            "login": f"e2e.oss.{suffix.lower()}",
            "groups_id": [
                (
                    6,
                    0,
                    [group("telecom_subscriber.telecom_subscriber_group_integration")],
                )
            ],
        },
    )

    def api_key(scope):
        wizard = rpc(
            "telecom.api.key.wizard",
            "create",
            {"user_id": integration, "scope": scope, "name": "e2e"},
        )
        rpc("telecom.api.key.wizard", "action_generate", [wizard])
        return rpc("telecom.api.key.wizard", "read", [wizard], ["key"])[0]["key"]

    world = {
        "zone": zone,
        "zone_code": zone_code,
        "tariff": tariff,
        "bad_tariff": bad_tariff,
        "backend": backend,
        "agent": OdooRPC(odoo_url, odoo_db, login, login),
        "alarm_key": api_key("telecom.tmf642"),
        "events_key": api_key("telecom.billing_events"),
        "ticket_key": api_key("telecom.tmf621"),
    }
    agent = world["agent"]
    world["partner"] = agent(
        "res.partner",
        "create",
        {
            "name": "E2E BSS Subscriber",
            "telecom_is_subscriber": True,
            "telecom_region_id": zone,
        },
    )
    world["account"] = agent(
        "telecom.account", "create", {"partner_id": world["partner"]}
    )
    world["account_name"] = agent(
        "telecom.account", "read", [world["account"]], ["name"]
    )[0]["name"]
    yield world
    rpc("telecom.backend", "write", [backend], {"active": False})


def _activate(world, tariff=None):
    agent = world["agent"]
    msisdn, iccid = _unique_line()
    request = agent(
        "telecom.request",
        "create",
        {
            "request_type": "activation",
            "partner_id": world["partner"],
            "account_id": world["account"],
            "new_service_type": "mobile",
            "tariff_id": tariff or world["tariff"],
            "msisdn": msisdn,
            "iccid": iccid,
        },
    )
    agent("telecom.request", "action_submit", [request])
    return request


def _orders(rpc, requests_ids):
    return rpc(
        "telecom.outbox",
        "search_read",
        [("request_id", "in", requests_ids)],
        fields=["idempotency_key", "state", "attempt_count", "request_id"],
    )


def _finished_job_state(rpc, job_uuid):
    """The state of the queue job JOB_UUID once final (done/failed), else None."""
    jobs = rpc("queue.job", "search_read", [("uuid", "=", job_uuid)], fields=["state"])
    state = jobs[0]["state"] if jobs else None
    return state if state in ("done", "failed") else None


# ----------------------------------------------------------------------
# write path
# ----------------------------------------------------------------------
def test_outage_then_replay_applies_every_order_exactly_once(rpc, world, simulator):
    simulator.configure(outage=True)
    request_ids = [_activate(world) for _index in range(6)]
    orders = _orders(rpc, request_ids)
    assert len(orders) == 6
    assert {order["state"] for order in orders} == {"pending"}
    # the runner keeps trying while billing is down: attempts pile up, nothing lost
    wait_until(
        lambda: all(o["attempt_count"] >= 2 for o in _orders(rpc, request_ids)),
        message="two failed attempts per order",
    )
    states = rpc("telecom.request", "read", request_ids, ["state"])
    assert {state["state"] for state in states} == {"submitted"}
    simulator.configure(outage=False)
    wait_until(
        lambda: all(o["state"] == "done" for o in _orders(rpc, request_ids)),
        message="every order delivered",
    )
    requests_done = rpc("telecom.request", "read", request_ids, ["state", "service_id"])
    assert {request["state"] for request in requests_done} == {"done"}
    services = rpc(
        "telecom.service",
        "read",
        [request["service_id"][0] for request in requests_done],
        ["state"],
    )
    assert {service["state"] for service in services} == {"active"}
    applied = simulator.admin("GET", "state")["orders"]
    for order in _orders(rpc, request_ids):
        assert applied[order["idempotency_key"]]["applied_count"] == 1


def test_business_refusal_rejects_the_request_and_is_not_retried(rpc, world, simulator):
    request = _activate(world, tariff=world["bad_tariff"])
    wait_until(
        lambda: _orders(rpc, [request])[0]["state"] == "rejected",
        message="order rejected",
    )
    state = rpc("telecom.request", "read", [request], ["state", "rejection_reason"])[0]
    assert state["state"] == "rejected"
    assert "Billing refused" in state["rejection_reason"]
    order = rpc(
        "telecom.outbox",
        "search_read",
        [("request_id", "=", request)],
        fields=["idempotency_key", "job_uuid", "attempt_count"],
    )[0]
    key = order["idempotency_key"]
    # a retry would put the job back to pending: wait for its final state instead
    job_state = wait_until(
        lambda: _finished_job_state(rpc, order["job_uuid"]),
        message="the order's job finished",
    )
    assert job_state == "done"
    order = simulator.admin("GET", "state")["orders"][key]
    assert order["submissions"] == 1
    assert order["applied_count"] == 0


def test_accepted_discount_reaches_billing_and_its_end_is_scheduled(
    rpc, world, simulator
):
    activation = _activate(world)
    wait_until(
        lambda: (
            rpc("telecom.request", "read", [activation], ["state"])[0]["state"]
            == "done"
        ),
        message="line activated",
    )
    # the discount is billing's option that grants it
    option = rpc(
        "product.product",
        "create",
        {
            "name": "E2E 20 % discount",
            "type": "service",
            "telecom_kind": "option",
            "telecom_service_type": "mobile",
            "telecom_billing_code": simulator.codes["option"],
        },
    )
    offer = rpc(
        "telecom.offer",
        "create",
        {
            "name": "E2E 20 % off for 2 months",
            "offer_type": "discount",
            "discount_percent": 20,
            "discount_months": 2,
            "option_id": option,
        },
    )
    response = rpc(
        "telecom.offer.response",
        "create",
        {
            "offer_id": offer,
            "partner_id": world["partner"],
            "state": "sent",
            "channel": "call",
        },
    )
    rpc("telecom.offer.response", "action_accept", [response])
    request_id = rpc("telecom.offer.response", "read", [response], ["request_id"])[0][
        "request_id"
    ][0]

    def request():
        return rpc(
            "telecom.request",
            "read",
            [request_id],
            ["name", "state", "service_id", "option_date_end"],
        )[0]

    wait_until(lambda: request()["state"] == "done", message="discount applied")
    added = request()
    assert added["option_date_end"]
    order = simulator.admin("GET", "state")["orders"][f"{added['name']}:option_change"]
    assert (order["operation"], order["applied_count"]) == ("option_change", 1)
    removal = rpc(
        "telecom.request",
        "search_read",
        [
            ("service_id", "=", added["service_id"][0]),
            ("option_action", "=", "remove"),
            ("option_id", "=", option),
        ],
        fields=["state", "effective_date"],
    )
    assert [(r["state"], r["effective_date"]) for r in removal] == [
        ("scheduled", added["option_date_end"])
    ]


# ----------------------------------------------------------------------
# read path
# ----------------------------------------------------------------------
CARD_SPEC = {
    "telecom_billing_stale": {},
    "telecom_billing_snapshot_ids": {
        "fields": {"balance": {}, "age_label": {}, "is_stale": {}}
    },
}


def test_card_shows_billing_and_opens_at_once_when_billing_is_down(world, simulator):
    agent = world["agent"]
    _activate(world)  # the account exists in billing once a line is activated
    simulator.admin(
        "POST",
        "seed",
        {
            "accounts": [
                {
                    "account": world["account_name"],
                    "balance": 250.5,
                    "credit_limit": 100.0,
                    "services": [],
                }
            ]
        },
    )
    result = agent("res.partner", "action_telecom_refresh_billing", [world["partner"]])
    assert result == {"refreshed": 1, "accounts": 1}
    card = agent("res.partner", "web_read", [world["partner"]], CARD_SPEC)[0]
    snapshot = card["telecom_billing_snapshot_ids"][0]
    assert snapshot["balance"] == 250.5
    assert not snapshot["is_stale"]
    simulator.configure(latency_ms=5000)
    try:
        start = time.monotonic()
        result = agent(
            "res.partner", "action_telecom_refresh_billing", [world["partner"]]
        )
        assert time.monotonic() - start < 4
        assert result["refreshed"] == 0
        start = time.monotonic()
        card = agent("res.partner", "web_read", [world["partner"]], CARD_SPEC)[0]
        assert time.monotonic() - start < 1
    finally:
        simulator.configure(latency_ms=0)
    snapshot = card["telecom_billing_snapshot_ids"][0]
    assert snapshot["balance"] == 250.5
    assert snapshot["is_stale"]
    assert "Billing unavailable" in snapshot["age_label"]


# ----------------------------------------------------------------------
# inbound APIs, pushed by the simulator
# ----------------------------------------------------------------------
def test_oss_raises_and_clears_an_alarm(rpc, world, simulator, odoo_url):
    pushed = simulator.admin(
        "POST",
        "push/alarm",
        {
            "target_url": odoo_url,
            "api_key": world["alarm_key"],
            "alarm": {
                "alarmedObject": {"id": f"E2E-BTS-{uuid.uuid4().hex[:6]}"},
                "place": [{"id": world["zone_code"], "role": "region"}],
            },
        },
    )
    assert pushed["status"] == 201, pushed
    alarm_id = pushed["body"]["id"]
    alarm = rpc("telecom.alarm", "read", [alarm_id], ["state", "region_id"])[0]
    assert alarm["state"] == "raised"
    assert alarm["region_id"][0] == world["zone"]
    external_id = pushed["request"]["json"]["externalAlarmId"]
    cleared = simulator.admin(
        "POST",
        "push/alarm",
        {
            "target_url": odoo_url,
            "api_key": world["alarm_key"],
            "action": "clear",
            "alarm_id": external_id,
        },
    )
    assert cleared["status"] == 200, cleared
    assert cleared["body"]["state"] == "cleared"


def test_partner_opens_and_follows_a_trouble_ticket(rpc, world, odoo_url):
    installed = rpc(
        "ir.module.module",
        "search_count",
        [("name", "=", "telecom_bss_connector_helpdesk"), ("state", "=", "installed")],
    )
    if not installed:
        pytest.skip("the helpdesk bridge is not installed in this database")
    url = odoo_url + "/tmf-api/troubleTicketManagement/v4/troubleTicket"
    headers = {"X-API-Key": world["ticket_key"]}
    created = requests.post(
        url,
        json={
            "description": "No mobile data since 10:00",
            "severity": "major",
            "ticketType": "incident",
            "externalId": f"E2E-{uuid.uuid4().hex[:8]}",
            "relatedParty": [
                {"id": str(world["partner"]), "@referredType": "Individual"}
            ],
            "note": [{"author": "partner", "text": "Called twice"}],
        },
        headers=headers,
        timeout=TIMEOUT,
    )
    assert created.status_code == 201, created.text
    ticket = created.json()
    assert ticket["status"] == "acknowledged"
    updated = requests.patch(
        f"{url}/{ticket['id']}",
        json={"status": "inProgress", "note": [{"text": "Cell restarted"}]},
        headers=headers,
        timeout=TIMEOUT,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["status"] == "inProgress"
    listed = requests.get(
        url,
        params={"externalId": ticket["externalId"]},
        headers=headers,
        timeout=TIMEOUT,
    )
    assert listed.headers["X-Total-Count"] == "1"


def test_billing_events_land_on_the_timeline_once(rpc, world, simulator, odoo_url):
    event = {
        "event_id": f"EV-E2E-{uuid.uuid4().hex[:8]}",
        "type": "payment_received",
        "account": world["account_name"],
        "amount": 700.0,
    }
    body = {"target_url": odoo_url, "api_key": world["events_key"], "event": event}
    first = simulator.admin("POST", "push/billing-event", body)
    assert first["status"] == 200, first
    assert first["body"]["results"] == [
        {"event_id": event["event_id"], "status": "created"}
    ]
    again = simulator.admin("POST", "push/billing-event", body)
    assert again["body"]["duplicates"] == 1
    timeline = rpc(
        "telecom.interaction",
        "search_read",
        [
            ("partner_id", "=", world["partner"]),
            ("external_reference", "=", event["event_id"]),
        ],
        fields=["channel", "summary"],
    )
    assert len(timeline) == 1
    assert timeline[0]["channel"] == "billing"
    assert "700.00" in timeline[0]["summary"]


def test_api_fuzzed_with_bad_input_never_answers_500(world, odoo_url):
    rng = random.Random(4242)
    session = requests.Session()
    garbage = [
        None,
        True,
        0,
        -1,
        1e308,
        "",
        "x" * 3000,
        [],
        {},
        [[[]]],
        {"a": {"b": {}}},
        "2026-02-30T25:61:00Z",
        "\u0000",
        "☃" * 50,
    ]
    fields = [
        "alarmType",
        "perceivedSeverity",
        "probableCause",
        "alarmedObject",
        "sourceSystemId",
        "state",
        "alarmRaisedTime",
        "place",
        "comment",
        "ackState",
        "externalAlarmId",
    ]
    statuses = []
    for _index in range(150):
        payload = {
            name: rng.choice(garbage) for name in rng.sample(fields, rng.randint(0, 8))
        }
        for method, path, key in (
            ("POST", ALARM_PATH, world["alarm_key"]),
            ("PATCH", f"{ALARM_PATH}/{rng.randint(-5, 10**12)}", world["alarm_key"]),
            ("POST", EVENTS_PATH, world["events_key"]),
        ):
            raw = (
                json.dumps(payload)
                if rng.random() < 0.9
                else rng.choice(["{", "[1,", "\xff", "null", '{"events": [1]}'])
            )
            response = session.request(
                method,
                odoo_url + path,
                data=raw.encode("utf-8", "surrogateescape"),
                headers={"X-API-Key": key, "Content-Type": "application/json"},
                timeout=TIMEOUT,
            )
            statuses.append(response.status_code)
            assert response.status_code < 500, (method, path, raw[:200])
            if response.status_code >= 400:
                body = response.json()
                assert body["code"] and body["reason"]
                assert body["status"] == str(response.status_code)
    assert 400 in statuses


def test_openapi_document_is_served(odoo_url):
    response = requests.get(odoo_url + "/telecom/api/openapi.json", timeout=TIMEOUT)
    assert response.status_code == 200
    document = response.json()
    assert ALARM_PATH in document["paths"]
    assert EVENTS_PATH in document["paths"]
