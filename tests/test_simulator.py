"""The billing/OSS simulator (simulator/), tested as a real process over HTTP.

No Odoo needed (marker no_odoo, see conftest.py): a session fixture starts
`python3 -m simulator` on a free 127.0.0.1 port and every test starts from the seed
with the knobs off (/__admin/reset). SIMULATOR_TEST_PORTS=8090-8099 makes the suite
take its ports (simulators, fake Odoo) from that range instead of any free one.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import zeep  # installed with Odoo (its SOAP client)
from zeep.transports import Transport

pytestmark = pytest.mark.no_odoo

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SOAP_AUTH = ("soap-user", "soap-secret")
TNS = "{urn:telecom:billing:v1}"
TIMEOUT = 10

# accounts of the seed (built from telecom_subscriber's demo)
IVANOV = "LS000000001"  # VIP: mobile Безлимитный + Музыка + Роуминг, internet, TV
IVANOV_MSISDN = "+79161697516"
KUZNETSOV = "LS000000003"  # mobile Безлимитный
KUZNETSOV_MSISDN = "+79038543017"
MOROZOV = "LS000000008"  # mobile blocked for a debt of 2 970 ₽
MOROZOV_MSISDN = "+79162479459"


# -- the simulator process ------------------------------------------------------------
def _free_port():
    low, _, high = os.environ.get("SIMULATOR_TEST_PORTS", "0-0").partition("-")
    for port in range(int(low), int(high or low) + 1):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    pytest.fail(f"no free port in SIMULATOR_TEST_PORTS={low}-{high}")


def start_simulator(port, *extra_args):
    command = [
        sys.executable,
        "-m",
        "simulator",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--token",
        TOKEN,
        "--soap-user",
        SOAP_AUTH[0],
        "--soap-password",
        SOAP_AUTH[1],
        "--log-level",
        "WARNING",
        *extra_args,
    ]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the simulator exited: {process.stderr.read()}")
        try:
            requests.get(f"{url}/api/v1/health", timeout=1).raise_for_status()
            return process, url
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    pytest.fail("the simulator did not answer /api/v1/health within 15 s")


def stop_simulator(process):
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()


@pytest.fixture(scope="session")
def simulator_url():
    process, url = start_simulator(_free_port())
    yield url
    stop_simulator(process)


class Sim:
    """requests against the simulator, with the REST token unless told not to."""

    def __init__(self, url):
        self.url = url
        self.session = requests.Session()

    def get(self, path, auth=True, **kwargs):
        headers = AUTH if auth else {}
        return self.session.get(
            self.url + path, headers=headers, timeout=TIMEOUT, **kwargs
        )

    def order(self, key, operation, account, msisdn=None, **payload):
        headers = {**AUTH, "Idempotency-Key": key}
        body = {
            "operation": operation,
            "account": account,
            "msisdn": msisdn,
            "payload": payload,
        }
        return self.session.post(
            f"{self.url}/api/v1/orders", json=body, headers=headers, timeout=TIMEOUT
        )

    def add_option(self, key, account, msisdn, option_code):
        return self.order(
            key,
            "option_change",
            account,
            msisdn,
            option_action="add",
            option_code=option_code,
        )

    def adjust(self, key, account, amount=1500.0, **fields):
        headers = {**AUTH, "Idempotency-Key": key} if key else AUTH
        body = {
            "amount": amount,
            "currency": "RUB",
            "reason": "Service credit 2026-11",
            "period": "2026-11",
            **fields,
        }
        return self.session.post(
            f"{self.url}/api/v1/accounts/{account}/adjustments",
            json=body,
            headers=headers,
            timeout=TIMEOUT,
        )

    def admin(self, path, body=None):
        method = self.session.get if body is None else self.session.post
        kwargs = {} if body is None else {"json": body}
        answer = method(f"{self.url}/__admin/{path}", timeout=TIMEOUT, **kwargs)
        answer.raise_for_status()
        return answer.json()

    def configure(self, **knobs):
        return self.admin("config", knobs)

    def account(self, number):
        answer = self.get(f"/api/v1/accounts/{number}")
        answer.raise_for_status()
        return answer.json()

    def service(self, number, msisdn):
        services = self.account(number)["services"]
        return next(service for service in services if service["msisdn"] == msisdn)


@pytest.fixture
def sim(simulator_url):
    client = Sim(simulator_url)
    client.admin("reset", {"initial": True})
    yield client
    client.admin("reset", {"initial": True})


@pytest.fixture
def soap(simulator_url, sim):
    session = requests.Session()
    session.auth = SOAP_AUTH
    transport = Transport(session=session, timeout=TIMEOUT, operation_timeout=TIMEOUT)
    return zeep.Client(f"{simulator_url}/soap/billing?wsdl", transport=transport)


# -- REST reads ------------------------------------------------------------------------
def test_health_needs_no_token(sim):
    answer = sim.get("/api/v1/health", auth=False)
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_account_with_debt_blocked_line(sim):
    account = sim.account(MOROZOV)
    assert account["account"] == MOROZOV
    assert account["currency"] == "RUB"
    assert account["balance"] == -2970.0
    assert account["debt"] == 2970.0
    assert account["restrictions"] == ["outgoing_calls", "outgoing_sms"]
    [line] = account["services"]
    assert line["msisdn"] == MOROZOV_MSISDN
    assert line["tariff_code"] == "TAR-MOB-UNLIM"
    assert (line["status"], line["block_reason"]) == ("blocked", "debt")


def test_account_found_by_billing_reference(sim):
    assert sim.account("BILL-MSK-0001001")["account"] == IVANOV


def test_unknown_account_is_404(sim):
    answer = sim.get("/api/v1/accounts/LS999999999")
    assert answer.status_code == 404
    assert answer.json()["code"] == "NOT_FOUND"
    assert sim.get("/api/v1/accounts/LS999999999/charges").status_code == 404


def test_charges_and_usage(sim):
    charges = sim.get(f"/api/v1/accounts/{IVANOV}/charges", params={"limit": 3}).json()
    assert len(charges["items"]) == 3
    assert set(charges["items"][0]) == {"date", "amount", "description", "msisdn"}
    dates = [item["date"] for item in charges["items"]]
    assert dates == sorted(dates, reverse=True)
    usage = sim.get(f"/api/v1/accounts/{IVANOV}/usage").json()["items"]
    assert len(usage) == 50  # the default limit
    assert {item["type"] for item in usage} <= {"voice", "sms", "data"}
    assert {"start", "msisdn", "quantity", "unit", "amount", "peer"} <= set(usage[0])
    assert sim.get(f"/api/v1/accounts/{IVANOV}/usage?limit=0").status_code == 400
    assert sim.get(f"/api/v1/accounts/{IVANOV}/usage?limit=x").status_code == 400


def test_catalog_offers(sim):
    offers = {
        item["code"]: item for item in sim.get("/api/v1/catalog/offers").json()["items"]
    }
    basic = offers["TAR-MOB-BASE"]
    assert basic["name"] == "Базовый"
    assert (basic["kind"], basic["service_type"], basic["monthly_fee"]) == (
        "tariff",
        "mobile",
        450.0,
    )
    assert (basic["included_minutes"], basic["included_sms"]) == (400, 100)
    assert basic["included_data_gb"] == 15.0
    assert "OPT-MOB-ROAM" in basic["compatible_options"]
    assert "OPT-MOB-10GB" not in offers["TAR-MOB-UNLIM"]["compatible_options"]
    assert offers["OPT-MOB-ROAM"]["kind"] == "option"
    assert offers["TAR-MOB-START19"]["active"] is False


def test_get_order_and_unknown_order(sim):
    created = sim.order(
        "read-1", "block", IVANOV, IVANOV_MSISDN, block_reason="lost_sim"
    )
    order = sim.get(f"/api/v1/orders/{created.json()['order_id']}").json()
    assert order["operation"] == "block"
    assert order["idempotency_key"] == "read-1"
    assert order["status"] == "completed"
    assert sim.get("/api/v1/orders/ORD-999999").status_code == 404


# -- auth ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "header", [None, "Bearer wrong", "Basic dGVzdC10b2tlbg==", "Bearer"]
)
def test_rest_needs_the_bearer_token(sim, header):
    headers = {"Authorization": header} if header else {}
    answer = sim.session.get(f"{sim.url}/api/v1/accounts/{IVANOV}", headers=headers)
    assert answer.status_code == 401
    assert answer.json()["code"] == "UNAUTHORIZED"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_soap_needs_basic_auth(simulator_url, sim):
    session = requests.Session()
    session.auth = ("soap-user", "wrong")
    client = zeep.Client(
        f"{simulator_url}/soap/billing?wsdl", transport=Transport(session=session)
    )
    with pytest.raises(zeep.exceptions.Fault) as fault:
        client.service.GetAccountBalance(account=IVANOV)
    assert fault.value.code == "soap:Client.Unauthorized"


# -- orders: idempotency ---------------------------------------------------------------
def test_order_without_idempotency_key_is_400(sim):
    answer = sim.session.post(
        f"{sim.url}/api/v1/orders",
        json={"operation": "block", "account": IVANOV, "msisdn": IVANOV_MSISDN},
        headers=AUTH,
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "IDEMPOTENCY_KEY_REQUIRED"
    assert sim.admin("state")["orders"] == {}


def test_same_key_twice_is_applied_once_with_the_same_answer(sim):
    first, second = (
        sim.add_option("REQ-1:option", KUZNETSOV, KUZNETSOV_MSISDN, "OPT-MOB-ROAM")
        for _attempt in range(2)
    )
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert first.json()["status"] == "completed"
    assert first.json()["order_id"].startswith("ORD-")
    assert sim.service(KUZNETSOV, KUZNETSOV_MSISDN)["option_codes"] == ["OPT-MOB-ROAM"]
    state = sim.admin("state")["orders"]["REQ-1:option"]
    assert (state["applied_count"], state["submissions"]) == (1, 2)


def test_refused_order_replays_the_same_refusal(sim):
    first, again = (
        sim.order(
            "REQ-2", "tariff_change", KUZNETSOV, KUZNETSOV_MSISDN, tariff_code="NOPE"
        )
        for _attempt in range(2)
    )
    assert first.status_code == again.status_code == 422
    assert first.json() == again.json()
    assert first.json()["reason"] == "UNKNOWN_TARIFF"
    assert sim.admin("state")["orders"]["REQ-2"]["applied_count"] == 0


def test_twenty_threads_with_one_key_apply_once(sim):
    def submit(_index):
        return sim.order(
            "REQ-3:block", "block", IVANOV, IVANOV_MSISDN, block_reason="voluntary"
        )

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(submit, range(20)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] * 19 + [201]
    assert len({answer.text for answer in answers}) == 1
    state = sim.admin("state")
    assert state["orders"]["REQ-3:block"]["applied_count"] == 1
    assert state["orders"]["REQ-3:block"]["submissions"] == 20
    assert state["orders_total"] == 1


# -- orders: what they change ----------------------------------------------------------
def test_tariff_change_drops_the_options_the_new_tariff_refuses(sim):
    sim.add_option("t-1", KUZNETSOV, KUZNETSOV_MSISDN, "OPT-MOB-ROAM")
    answer = sim.order(
        "t-2", "tariff_change", KUZNETSOV, KUZNETSOV_MSISDN, tariff_code="TAR-MOB-CORP"
    )
    assert answer.status_code == 201
    line = sim.service(KUZNETSOV, KUZNETSOV_MSISDN)
    assert line["tariff_code"] == "TAR-MOB-CORP"
    assert line["option_codes"] == ["OPT-MOB-ROAM"]
    sim.add_option("t-3", KUZNETSOV, KUZNETSOV_MSISDN, "OPT-MOB-10GB")
    answer = sim.order(
        "t-4", "tariff_change", KUZNETSOV, KUZNETSOV_MSISDN, tariff_code="TAR-MOB-UNLIM"
    )
    assert "+10 ГБ" in answer.json()["message"]  # billing says what it dropped
    assert sim.service(KUZNETSOV, KUZNETSOV_MSISDN)["option_codes"] == ["OPT-MOB-ROAM"]


def test_option_remove(sim):
    answer = sim.order(
        "o-1",
        "option_change",
        IVANOV,
        IVANOV_MSISDN,
        option_action="remove",
        option_code="OPT-MOB-MUSIC",
    )
    assert answer.status_code == 201
    assert sim.service(IVANOV, IVANOV_MSISDN)["option_codes"] == ["OPT-MOB-ROAM"]


def test_block_unblock_and_sim_swap(sim):
    assert sim.order("b-1", "block", IVANOV, IVANOV_MSISDN, block_reason="lost_sim").ok
    line = sim.service(IVANOV, IVANOV_MSISDN)
    assert (line["status"], line["block_reason"]) == ("blocked", "lost_sim")
    assert sim.order(
        "b-2", "sim_swap", IVANOV, IVANOV_MSISDN, iccid="8977700000009999999"
    ).ok
    assert sim.order("b-3", "unblock", IVANOV, IVANOV_MSISDN).ok
    line = sim.service(IVANOV, IVANOV_MSISDN)
    assert (line["status"], line["iccid"]) == ("active", "8977700000009999999")


def test_activation_opens_the_account_and_termination_closes_it(sim):
    answer = sim.order(
        "a-1",
        "activation",
        "LS000000777",
        "8 (999) 123-45-67",
        tariff_code="TAR-MOB-BASE",
        option_codes=["OPT-MOB-10GB"],
        iccid="8977700000007777777",
    )
    assert answer.status_code == 201
    account = sim.account("LS000000777")
    assert account["status"] == "active"
    [line] = account["services"]
    assert line == {
        "msisdn": "+79991234567",
        "tariff_code": "TAR-MOB-BASE",
        "option_codes": ["OPT-MOB-10GB"],
        "status": "active",
        "service_type": "mobile",
        "block_reason": None,
        "iccid": "8977700000007777777",
    }
    assert sim.order("a-2", "termination", "LS000000777", "+79991234567").ok
    account = sim.account("LS000000777")
    assert account["services"][0]["status"] == "terminated"
    assert account["status"] == "closed"


def test_home_internet_is_found_without_msisdn(sim):
    answer = sim.order("h-1", "tariff_change", IVANOV, None, tariff_code="TAR-BB-100")
    assert answer.status_code == 201
    [home] = [
        s for s in sim.account(IVANOV)["services"] if s["service_type"] == "broadband"
    ]
    assert home["tariff_code"] == "TAR-BB-100"


def test_port_in_activates_and_port_out_terminates(sim):
    answer = sim.order(
        "p-1",
        "port_in",
        KUZNETSOV,
        "+79057001122",
        tariff_code="TAR-MOB-BASE",
        donor="MTS",
        port_reference="MNP-1",
    )
    assert answer.status_code == 201
    assert sim.service(KUZNETSOV, "+79057001122")["status"] == "active"
    answer = sim.order(
        "p-2", "port_out", KUZNETSOV, "+79057001122", recipient="BEELINE"
    )
    assert answer.status_code == 201
    assert sim.service(KUZNETSOV, "+79057001122")["status"] == "terminated"


def test_front_office_operations(sim):
    """Number change, relocation, renewal and change of owner (the CRM's
    front-office requests) change the ledger; a debt refuses the owner change."""
    # the new number is the payload's msisdn (the order's is the current one)
    assert sim.session.post(
        f"{sim.url}/api/v1/orders",
        json={
            "operation": "number_change",
            "account": KUZNETSOV,
            "msisdn": KUZNETSOV_MSISDN,
            "payload": {"msisdn": "+79038540000"},
        },
        headers={**AUTH, "Idempotency-Key": "fo-1"},
        timeout=TIMEOUT,
    ).ok
    assert sim.service(KUZNETSOV, "+79038540000")["status"] == "active"
    assert sim.order(
        "fo-2",
        "relocation",
        IVANOV,
        None,
        service_type="broadband",
        address="Москва, ул. Ленина, 5",
    ).ok
    assert sim.order(
        "fo-3",
        "renewal",
        KUZNETSOV,
        "+79038540000",
        commitment_end="2028-01-31",
        tariff_code=None,
    ).ok
    answer = sim.order(
        "fo-4",
        "owner_change",
        KUZNETSOV,
        "+79038540000",
        scope="service",
        new_owner={"name": "Новый Владелец"},
        new_account="LS000000900",
    )
    assert answer.status_code == 201
    assert sim.account("LS000000900")["services"][0]["msisdn"] == "+79038540000"
    refused = sim.order(
        "fo-5",
        "owner_change",
        MOROZOV,
        MOROZOV_MSISDN,
        scope="account",
        new_owner={"name": "Новый Владелец"},
    )
    assert refused.status_code == 422


@pytest.mark.parametrize(
    "operation, account, msisdn, payload, reason",
    [
        (
            "tariff_change",
            KUZNETSOV,
            KUZNETSOV_MSISDN,
            {"tariff_code": "X"},
            "UNKNOWN_TARIFF",
        ),
        (
            "option_change",
            KUZNETSOV,
            KUZNETSOV_MSISDN,
            {"option_action": "add", "option_code": "X"},
            "UNKNOWN_OPTION",
        ),
        (
            "option_change",
            KUZNETSOV,
            KUZNETSOV_MSISDN,
            {"option_action": "add", "option_code": "OPT-MOB-10GB"},
            "INCOMPATIBLE_OPTION",
        ),
        (
            "tariff_change",
            MOROZOV,
            MOROZOV_MSISDN,
            {"tariff_code": "TAR-MOB-BASE"},
            "DEBT_BLOCKED",
        ),
        ("unblock", MOROZOV, MOROZOV_MSISDN, {}, "DEBT_BLOCKED"),
        ("port_out", MOROZOV, MOROZOV_MSISDN, {"recipient": "BEELINE"}, "DEBT"),
        ("block", "LS999999999", "+79990000000", {}, "UNKNOWN_ACCOUNT"),
        ("block", IVANOV, "+79990000000", {}, "UNKNOWN_MSISDN"),
        ("teleport", IVANOV, IVANOV_MSISDN, {}, "INVALID_OPERATION"),
        (
            "activation",
            IVANOV,
            IVANOV_MSISDN,
            {"tariff_code": "TAR-MOB-BASE"},
            "MSISDN_IN_USE",
        ),
    ],
)
def test_functional_refusals_are_422(sim, operation, account, msisdn, payload, reason):
    before = sim.account(MOROZOV), sim.account(IVANOV)
    answer = sim.order(f"refused-{reason}", operation, account, msisdn, **payload)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert (body["code"], body["reason"]) == ("REJECTED", reason)
    assert body["message"]
    assert (sim.account(MOROZOV), sim.account(IVANOV)) == before


def test_payload_must_be_an_object(sim):
    answer = sim.session.post(
        f"{sim.url}/api/v1/orders",
        data=b'{"operation": "block", "account": "LS000000001", "payload": [1]}',
        headers={**AUTH, "Idempotency-Key": "bad-payload"},
    )
    assert answer.status_code == 422
    broken = sim.session.post(
        f"{sim.url}/api/v1/orders",
        data=b"{not json",
        headers={**AUTH, "Idempotency-Key": "broken"},
    )
    assert broken.status_code == 400


# -- knobs -----------------------------------------------------------------------------
def test_latency_delays_business_calls_only(sim):
    sim.configure(latency_ms=400)
    started = time.monotonic()
    assert sim.get(f"/api/v1/accounts/{IVANOV}").status_code == 200
    assert 0.4 <= time.monotonic() - started < 3
    started = time.monotonic()
    sim.admin("state")
    sim.get("/api/v1/health")
    assert time.monotonic() - started < 0.3


def test_latency_beyond_the_client_timeout(sim):
    sim.configure(latency_ms=2000)
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        sim.session.get(f"{sim.url}/api/v1/catalog/offers", headers=AUTH, timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_error_rate_answers_503_and_applies_nothing(sim):
    sim.configure(error_rate=1.0)
    answer = sim.order("e-1", "block", IVANOV, IVANOV_MSISDN)
    assert answer.status_code == 503
    assert answer.json()["code"] == "UNAVAILABLE"
    sim.configure(error_rate=0.0)
    assert sim.service(IVANOV, IVANOV_MSISDN)["status"] == "active"
    assert sim.admin("state")["injected"]["error"] == 1
    assert sim.order("e-1", "block", IVANOV, IVANOV_MSISDN).status_code == 201


def test_outage_503_then_replay(sim):
    sim.configure(outage=True)
    assert sim.get(f"/api/v1/accounts/{IVANOV}").status_code == 503
    assert sim.order("out-1", "block", IVANOV, IVANOV_MSISDN).status_code == 503
    assert sim.get("/api/v1/health").status_code == 200  # the process is alive
    sim.configure(outage=False)
    assert sim.order("out-1", "block", IVANOV, IVANOV_MSISDN).status_code == 201
    assert sim.order("out-1", "block", IVANOV, IVANOV_MSISDN).status_code == 200
    assert sim.admin("state")["orders"]["out-1"]["applied_count"] == 1


def test_outage_reset_drops_the_connection(sim):
    sim.configure(outage=True, outage_mode="reset")
    with pytest.raises(requests.ConnectionError):
        sim.get(f"/api/v1/accounts/{IVANOV}")
    assert sim.admin("state")["injected"]["outage"] == 1


def test_malformed_json_answer_after_applying(sim):
    sim.configure(malformed_rate=1.0)
    answer = sim.order("m-1", "block", IVANOV, IVANOV_MSISDN)
    assert answer.status_code == 201
    with pytest.raises(ValueError):
        json.loads(answer.content)
    sim.configure(malformed_rate=0.0)
    replay = sim.order("m-1", "block", IVANOV, IVANOV_MSISDN)
    assert replay.status_code == 200 and replay.json()["status"] == "completed"
    assert sim.admin("state")["orders"]["m-1"]["applied_count"] == 1


def test_oversized_answer(sim):
    sim.configure(oversized=True)
    answer = sim.get(f"/api/v1/accounts/{IVANOV}")
    assert len(answer.content) >= 20 * 1024 * 1024
    assert int(answer.headers["Content-Length"]) == len(answer.content)


def test_bad_knobs_are_400(sim):
    for knobs in (
        {"error_rate": 2},
        {"latency": 5},
        {"outage": "yes"},
        {"outage_mode": "x"},
    ):
        answer = sim.session.post(f"{sim.url}/__admin/config", json=knobs)
        assert answer.status_code == 400, knobs
    assert sim.admin("config")["error_rate"] == 0.0


# -- SOAP ------------------------------------------------------------------------------
def test_wsdl_is_a_wsdl(sim):
    answer = sim.get("/soap/billing?wsdl", auth=False)
    assert answer.status_code == 200
    assert b'targetNamespace="urn:telecom:billing:v1"' in answer.content
    assert f'location="{sim.url}/soap/billing"'.encode() in answer.content


def test_soap_get_account_balance(soap):
    answer = soap.service.GetAccountBalance(account=MOROZOV)
    assert answer.account == MOROZOV
    assert float(answer.balance) == -2970.0
    assert float(answer.debt) == 2970.0
    assert answer.currency == "RUB"
    assert answer.restrictions == ["outgoing_calls", "outgoing_sms"]


def test_soap_get_charges(soap, sim):
    charges = soap.service.GetCharges(account=IVANOV, limit=4)
    rest = sim.get(f"/api/v1/accounts/{IVANOV}/charges?limit=4").json()["items"]
    assert [charge.description for charge in charges] == [
        item["description"] for item in rest
    ]
    assert charges[0].date.isoformat() == rest[0]["date"]


def test_monthly_usage_is_deterministic_per_account(sim):
    url = f"/api/v1/accounts/{IVANOV}/usage/monthly"
    first = sim.get(url, params={"months": 3}).json()["items"]
    again = sim.get(url, params={"months": 3}).json()["items"]
    assert first == again
    months = sorted({item["month"] for item in first}, reverse=True)
    assert len(months) == 3
    assert [item["month"] for item in first] == sorted(
        (item["month"] for item in first), reverse=True
    )
    mobile = [item for item in first if item["msisdn"] == IVANOV_MSISDN]
    assert len(mobile) == 3
    assert mobile[0]["device_type"] in ("smartphone", "feature_phone", "tablet")
    assert all(item["charged_amount"] > 0 for item in first)
    assert {item["service_type"] for item in first} == {"mobile", "broadband", "iptv"}
    assert sim.get(url, params={"months": 25}).status_code == 400
    missing = "/api/v1/accounts/LS999999999/usage/monthly"
    assert sim.get(missing).status_code == 404


def test_monthly_usage_shows_the_debt_on_the_newest_bills(sim):
    items = sim.get(f"/api/v1/accounts/{MOROZOV}/usage/monthly").json()["items"]
    newest = max(item["month"] for item in items)
    assert round(sum(item["debt_amount"] for item in items), 2) == 2970.0
    assert any(item["debt_amount"] for item in items if item["month"] == newest)
    assert all(item["paid_late"] for item in items if item["debt_amount"])
    for item in items:
        assert item["paid_amount"] + item["debt_amount"] == pytest.approx(
            item["charged_amount"]
        )


def test_soap_get_monthly_usage_matches_rest(soap, sim):
    months = soap.service.GetMonthlyUsage(account=IVANOV, months=2)
    rest = sim.get(f"/api/v1/accounts/{IVANOV}/usage/monthly?months=2").json()
    assert [str(item.month) for item in months] == [
        item["month"] for item in rest["items"]
    ]
    assert [float(item.charged_amount) for item in months] == [
        item["charged_amount"] for item in rest["items"]
    ]
    assert [item.device_5g for item in months] == [
        item["device_5g"] for item in rest["items"]
    ]


def test_soap_submit_order_is_idempotent_with_rest(soap, sim):
    payload = json.dumps({"option_action": "add", "option_code": "OPT-MOB-ROAM"})
    first = soap.service.SubmitOrder(
        idempotency_key="soap-1",
        operation="option_change",
        account=KUZNETSOV,
        msisdn=KUZNETSOV_MSISDN,
        payload_json=payload,
    )
    again = soap.service.SubmitOrder(
        idempotency_key="soap-1",
        operation="option_change",
        account=KUZNETSOV,
        msisdn=KUZNETSOV_MSISDN,
        payload_json=payload,
    )
    assert first.status == "completed"
    assert (again.order_id, again.message) == (first.order_id, first.message)
    assert sim.admin("state")["orders"]["soap-1"]["applied_count"] == 1
    assert (
        sim.order("soap-1", "option_change", KUZNETSOV).json()["order_id"]
        == first.order_id
    )


def test_soap_business_fault(soap):
    with pytest.raises(zeep.exceptions.Fault) as raised:
        soap.service.SubmitOrder(
            idempotency_key="soap-2",
            operation="unblock",
            account=MOROZOV,
            msisdn=MOROZOV_MSISDN,
        )
    fault = raised.value
    assert fault.code == "soap:Client.Rejected"
    assert "задолженность" in fault.message
    assert fault.detail.findtext(f"{TNS}BillingFault/{TNS}code") == "DEBT_BLOCKED"
    with pytest.raises(zeep.exceptions.Fault) as raised:
        soap.service.GetAccountBalance(account="LS999999999")
    assert raised.value.detail.findtext(f"{TNS}BillingFault/{TNS}code") == "NOT_FOUND"


def test_soap_server_fault_on_error_rate(soap, sim):
    sim.configure(error_rate=1.0)
    with pytest.raises(zeep.exceptions.Fault) as raised:
        soap.service.GetAccountBalance(account=IVANOV)
    assert raised.value.code == "soap:Server.Unavailable"


def test_soap_malformed_xml_answer(soap, sim):
    sim.configure(malformed_rate=1.0)
    with pytest.raises(zeep.exceptions.TransportError, match="invalid XML"):
        soap.service.GetAccountBalance(account=IVANOV)


def test_soap_xml_bomb_answer_is_refused_by_zeep(soap, sim):
    sim.configure(xml_bomb=True)
    raw = _soap_post(sim, _balance_request(IVANOV))
    assert b"<!DOCTYPE" in raw.content and b"<!ENTITY lol9" in raw.content
    assert b"&lol9;" in raw.content
    with pytest.raises(zeep.exceptions.Error, match="entit"):  # never expanded
        soap.service.GetAccountBalance(account=IVANOV)


def test_soap_requests_with_doctype_or_garbage_are_client_faults(sim):
    bomb = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + _balance_request("&a;")
    for body in (bomb, b"<not-xml", b"<a/>"):
        answer = _soap_post(sim, body)
        assert answer.status_code == 500
        assert b"faultcode>soap:Client.BadRequest" in answer.content or (
            b"faultcode>soap:VersionMismatch" in answer.content
        )


def _balance_request(account):
    return (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        '<t:GetAccountBalance xmlns:t="urn:telecom:billing:v1">'
        f"<t:account>{account}</t:account></t:GetAccountBalance></s:Body></s:Envelope>"
    ).encode()


def _soap_post(sim, body):
    return sim.session.post(
        f"{sim.url}/soap/billing",
        data=body,
        auth=SOAP_AUTH,
        headers={"Content-Type": "text/xml; charset=utf-8"},
        timeout=TIMEOUT,
    )


# -- adjustments (credits to an account) --------------------------------------------
def test_adjustment_credits_the_account_once_per_key(sim):
    before = sim.account(MOROZOV)["balance"]
    first, replay = (sim.adjust("SC-1", MOROZOV, 1000.0) for _attempt in range(2))
    assert (first.status_code, replay.status_code) == (201, 200)
    assert first.json() == replay.json()
    body = first.json()
    assert body["adjustment_id"].startswith("ADJ-")
    assert (body["status"], body["amount"], body["currency"]) == (
        "posted",
        1000.0,
        "RUB",
    )
    assert body["external_reference"] == "SC-1"
    account = sim.account(MOROZOV)
    assert account["balance"] == before + 1000.0
    [stored] = account["adjustments"]
    assert (stored["adjustment_id"], stored["period"]) == (
        body["adjustment_id"],
        "2026-11",
    )
    listed = sim.get(f"/api/v1/accounts/{MOROZOV}/adjustments").json()["items"]
    assert listed == account["adjustments"]
    charge = sim.get(f"/api/v1/accounts/{MOROZOV}/charges?limit=1").json()["items"][0]
    assert charge["amount"] == -1000.0 and "Корректировка" in charge["description"]
    state = sim.admin("state")["adjustments"]["SC-1"]
    assert (state["applied_count"], state["submissions"]) == (1, 2)


def test_adjustment_key_from_the_body_or_the_header(sim):
    by_body = sim.adjust(None, IVANOV, external_reference="SC-2")
    assert by_body.status_code == 201
    assert sim.adjust("SC-2", IVANOV).json() == by_body.json()
    assert sim.adjust("SC-3", IVANOV, external_reference="SC-4").status_code == 400
    missing = sim.adjust(None, IVANOV)
    assert missing.status_code == 400
    assert missing.json()["code"] == "IDEMPOTENCY_KEY_REQUIRED"
    assert set(sim.admin("state")["adjustments"]) == {"SC-2"}


@pytest.mark.parametrize(
    "account, fields, reason",
    [
        ("LS999999999", {}, "UNKNOWN_ACCOUNT"),
        (IVANOV, {"amount": -5}, "INVALID_AMOUNT"),
        (IVANOV, {"amount": "lots"}, "INVALID_AMOUNT"),
        (IVANOV, {"currency": "EUR"}, "CURRENCY_MISMATCH"),
        (IVANOV, {"reason": " "}, "MISSING_FIELD"),
        (IVANOV, {"period": "2026-13"}, "INVALID_PAYLOAD"),
    ],
)
def test_refused_adjustments_are_422_replayed_and_credit_nothing(
    sim, account, fields, reason
):
    before = sim.account(IVANOV)["balance"]
    first, again = (sim.adjust("SC-bad", account, **fields) for _attempt in range(2))
    assert first.status_code == again.status_code == 422
    assert first.json() == again.json()
    assert first.json()["reason"] == reason
    assert sim.account(IVANOV)["balance"] == before
    assert sim.admin("state")["adjustments"]["SC-bad"]["applied_count"] == 0


def test_adjustment_under_faults_is_posted_once_on_replay(sim):
    sim.configure(error_rate=1.0)
    assert sim.adjust("SC-5", IVANOV).status_code == 503
    sim.configure(error_rate=0.0, malformed_rate=1.0)
    spoiled = sim.adjust("SC-5", IVANOV)
    assert spoiled.status_code == 201
    with pytest.raises(ValueError):
        json.loads(spoiled.content)
    sim.configure(malformed_rate=0.0)
    replay = sim.adjust("SC-5", IVANOV)
    assert replay.status_code == 200 and replay.json()["status"] == "posted"
    assert len(sim.account(IVANOV)["adjustments"]) == 1
    assert sim.admin("state")["adjustments"]["SC-5"]["applied_count"] == 1


def test_soap_post_adjustment_is_idempotent_with_rest(soap, sim):
    arguments = {
        "external_reference": "SC-soap",
        "account": KUZNETSOV,
        "amount": "250.50",
        "currency": "RUB",
        "reason": "Service credit",
        "period": "2026-11",
    }
    first = soap.service.PostAdjustment(**arguments)
    again = soap.service.PostAdjustment(**arguments)
    assert first.status == "posted" and str(first.amount) == "250.50"
    assert again.adjustment_id == first.adjustment_id
    assert (
        sim.adjust("SC-soap", KUZNETSOV).json()["adjustment_id"] == first.adjustment_id
    )
    assert len(sim.account(KUZNETSOV)["adjustments"]) == 1
    with pytest.raises(zeep.exceptions.Fault) as raised:
        soap.service.PostAdjustment(
            **{**arguments, "external_reference": "SC-x", "account": "LS999999999"}
        )
    assert raised.value.code == "soap:Client.Rejected"
    detail = raised.value.detail.findtext(f"{TNS}BillingFault/{TNS}code")
    assert detail == "UNKNOWN_ACCOUNT"


def test_soap_post_adjustment_under_outage_applies_nothing(soap, sim):
    sim.configure(outage=True)
    with pytest.raises(zeep.exceptions.Fault) as raised:
        soap.service.PostAdjustment(
            external_reference="SC-out", account=IVANOV, amount="10", reason="x"
        )
    assert raised.value.code == "soap:Server.Unavailable"
    assert sim.admin("state")["adjustments"] == {}


# -- admin: reset, seed, state ---------------------------------------------------------
def test_reset_restores_the_seed_and_the_knobs(sim):
    sim.order("r-1", "termination", IVANOV, IVANOV_MSISDN)
    sim.configure(latency_ms=5, error_rate=0.5)
    sim.admin("reset", {})
    state = sim.admin("state")
    assert state["orders"] == {} and state["orders_total"] == 0
    assert state["adjustments"] == {}
    assert state["config"]["error_rate"] == 0.0
    assert state["calls"] == {}
    assert sim.service(IVANOV, IVANOV_MSISDN)["status"] == "active"


def test_seed_adds_accounts_kept_by_reset(sim):
    seeded = sim.admin(
        "seed",
        {
            "accounts": [
                {
                    "account": "LS000000901",
                    "holder": "Тестов Тест Тестович",
                    "balance": 100,
                    "services": [
                        {"msisdn": "+79990000901", "tariff_code": "TAR-MOB-BASE"}
                    ],
                }
            ]
        },
    )
    assert seeded["accounts"] == 45
    assert sim.account("LS000000901")["services"][0]["status"] == "active"
    assert sim.get("/api/v1/accounts/LS000000901/charges").json()["items"]
    sim.admin("reset", {})
    assert sim.account("LS000000901")["balance"] == 100.0
    sim.admin("reset", {"initial": True})
    assert sim.get("/api/v1/accounts/LS000000901").status_code == 404


def test_bad_seed_is_400_and_changes_nothing(sim):
    answer = sim.session.post(
        f"{sim.url}/__admin/seed",
        json={"accounts": [{"account": "LS1", "services": [{"tariff_code": "NOPE"}]}]},
    )
    assert answer.status_code == 400
    assert sim.get("/api/v1/accounts/LS1").status_code == 404


def test_state_counts_calls_per_endpoint(sim, soap):
    sim.get(f"/api/v1/accounts/{IVANOV}")
    sim.get(f"/api/v1/accounts/{KUZNETSOV}")
    soap.service.GetAccountBalance(account=IVANOV)
    calls = sim.admin("state")["calls"]
    assert calls["GET /api/v1/accounts/{account}"] == 2
    assert calls["SOAP GetAccountBalance"] == 1
    assert calls["POST /soap/billing"] == 1


# -- pushes to Odoo --------------------------------------------------------------------
class FakeOdoo:
    """A loopback HTTP server recording what the simulator pushes to 'Odoo'."""

    def __init__(self):
        self.received = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.received.append((self.command, self.path, self.headers, body))
                answer = json.dumps({"id": "42", **body}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_PATCH = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def odoo():
    fake = FakeOdoo()
    yield fake
    fake.close()


def test_push_alarm_raise_and_clear(sim, odoo):
    raised = sim.admin(
        "push/alarm",
        {
            "target_url": odoo.url,
            "api_key": "k-1",
            "alarm": {"perceivedSeverity": "critical"},
        },
    )
    assert raised["status"] == 201
    method, path, headers, body = odoo.received[0]
    assert (method, path) == ("POST", "/tmf-api/alarmManagement/v4/alarm")
    assert headers["X-API-Key"] == "k-1"
    assert body["perceivedSeverity"] == "critical"
    assert body["state"] == "raised" and body["alarmedObject"]["id"]
    cleared = sim.admin(
        "push/alarm",
        {
            "target_url": odoo.url,
            "api_key": "k-1",
            "action": "clear",
            "alarm_id": body["externalAlarmId"],
        },
    )
    assert cleared["status"] == 201
    method, path, _headers, body = odoo.received[1]
    assert (method, path) == ("PATCH", "/tmf-api/alarmManagement/v4/alarm/42")
    assert body["state"] == "cleared" and body["clearedTime"]


def test_push_billing_event_credits_a_payment_once(sim, odoo):
    event = {"type": "payment_received", "account": MOROZOV, "amount": 3000.0}
    body = {"target_url": odoo.url, "api_key": "k-2", "event": event}
    pushed = sim.admin("push/billing-event", body)
    assert pushed["status"] == 201
    method, path, headers, sent = odoo.received[0]
    assert (method, path, headers["X-API-Key"]) == (
        "POST",
        "/telecom/api/v1/billing/events",
        "k-2",
    )
    [sent_event] = sent["events"]
    assert sent_event["event_id"].startswith("EV-")
    assert sent_event["currency"] == "RUB" and sent_event["occurred_at"]
    account = sim.account(MOROZOV)
    assert account["balance"] == 30.0 and account["debt"] == 0.0
    assert account["services"][0]["status"] == "active"  # the debt block is lifted
    sim.admin(
        "push/billing-event",
        {**body, "event": {**event, "event_id": sent_event["event_id"]}},
    )
    assert sim.account(MOROZOV)["balance"] == 30.0


def test_push_to_an_unreachable_odoo_is_502(sim):
    answer = sim.session.post(
        f"{sim.url}/__admin/push/alarm",
        json={"target_url": f"http://127.0.0.1:{_free_port()}", "timeout": 2},
    )
    assert answer.status_code == 502
    assert answer.json()["code"] == "PUSH_FAILED"


# -- process ---------------------------------------------------------------------------
def test_sigterm_stops_gracefully_and_saves_the_state(tmp_path):
    state_file = tmp_path / "state.json"
    process, url = start_simulator(_free_port(), "--state-file", str(state_file))
    client = Sim(url)
    assert client.order("g-1", "block", IVANOV, IVANOV_MSISDN).status_code == 201
    assert stop_simulator(process) == 0
    saved = json.loads(state_file.read_text(encoding="utf-8"))
    assert [order["idempotency_key"] for order in saved["orders"]] == ["g-1"]
    process, url = start_simulator(_free_port(), "--state-file", str(state_file))
    try:
        client = Sim(url)
        assert client.service(IVANOV, IVANOV_MSISDN)["status"] == "blocked"
        assert client.order("g-1", "block", IVANOV, IVANOV_MSISDN).status_code == 200
    finally:
        stop_simulator(process)
