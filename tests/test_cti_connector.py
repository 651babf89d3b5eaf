"""The telephony connector (cti_connector/) between the simulator's PBX and a fake
Odoo: events forwarded in order and none lost across an AMI outage (the
connector reconnects with its backoff), click-to-calls sent as AMI Originate.

No Odoo needed (marker no_odoo): the fake Odoo is a loopback HTTP server speaking
telecom_cti's three endpoints; the simulator and the connector run as processes.
Skipped without panoramisk.
"""

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from test_simulator import _free_port, start_simulator, stop_simulator

pytest.importorskip("panoramisk")

pytestmark = pytest.mark.no_odoo

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "connector-test-token"
TIMEOUT = 10


class FakeOdoo(ThreadingHTTPServer):
    """telecom_cti's endpoints: config, events (recorded), originate claims."""

    daemon_threads = True

    def __init__(self, ami_port):
        super().__init__(("127.0.0.1", _free_port()), FakeOdooHandler)
        self.ami_port = ami_port
        self.lock = threading.Lock()
        self.events = []
        self.originates = []  # handed out once by the next claim

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class FakeOdooHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorized(self):
        if self.headers.get("Authorization") == f"Bearer {TOKEN}":
            return True
        self._answer(401, {"code": "UNAUTHORIZED"})
        return False

    def do_GET(self):
        if not self._authorized():
            return
        self._answer(
            200,
            {
                "pbx": {
                    "id": 1,
                    "code": "FAKE",
                    "host": "127.0.0.1",
                    "port": self.server.ami_port,
                    "username": "manager",
                    "secret_env": "CONNECTOR_TEST_SECRET",
                }
            },
        )

    def do_POST(self):
        if not self._authorized():
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        server = self.server
        if self.path == "/telecom_cti/events":
            with server.lock:
                server.events.extend(body["events"])
            self._answer(200, {"received": len(body["events"])})
        elif self.path == "/telecom_cti/originates/claim":
            with server.lock:
                claimed, server.originates = server.originates, []
            self._answer(200, {"originates": claimed})
        else:
            self._answer(404, {})


@pytest.fixture
def chain():
    ami_port = _free_port()
    process, sim_url = start_simulator(
        _free_port(),
        "--smpp-port",
        "0",
        "--ami-port",
        str(ami_port),
        "--ami-user",
        "manager",
        "--ami-secret",
        "pw",
    )
    odoo = FakeOdoo(ami_port)
    threading.Thread(target=odoo.serve_forever, daemon=True).start()
    connector = subprocess.Popen(
        [sys.executable, "-m", "cti_connector"],
        cwd=ROOT,
        env={
            **os.environ,
            "CTI_ODOO_URL": odoo.url,
            "CTI_TOKENS": TOKEN,
            "CONNECTOR_TEST_SECRET": "pw",
            "CTI_POLL_SECONDS": "0.2",
            "CTI_BACKOFF_MIN": "0.2",
            "CTI_BACKOFF_MAX": "1",
            "CTI_PING_SECONDS": "1",
        },
        stderr=subprocess.DEVNULL,
    )
    wait_for(lambda: ami_state(sim_url)["sessions"] == 1)
    yield sim_url, odoo
    connector.terminate()
    connector.wait(timeout=10)
    odoo.shutdown()
    odoo.server_close()
    stop_simulator(process)


def ami_state(url):
    return requests.get(f"{url}/__admin/state", timeout=TIMEOUT).json()["ami"]


def wait_for(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def play(url, **request):
    answer = requests.post(f"{url}/__admin/ami/calls", json=request, timeout=TIMEOUT)
    answer.raise_for_status()
    return answer.json()["linkedids"]


def ended(odoo):
    with odoo.lock:
        return {
            event["Linkedid"]
            for event in odoo.events
            if event["Event"] == "Hangup" and event["Uniqueid"] == event["Linkedid"]
        }


def test_events_reach_odoo_in_order_and_survive_an_outage(chain):
    sim_url, odoo = chain
    first = play(sim_url, count=10, wait_ms=10, ring_ms=20, talk_ms=30)
    wait_for(lambda: set(first) <= ended(odoo))
    with odoo.lock:
        names = [e["Event"] for e in odoo.events if e.get("Linkedid") == first[0]]
    assert names[0] == "Newchannel" and names[-1] == "Hangup"
    assert "DialEnd" not in names, "only the events Odoo reads are forwarded"
    # the PBX drops every connection: the connector comes back on its own
    requests.post(
        f"{sim_url}/__admin/config", json={"ami_outage": True}, timeout=TIMEOUT
    )
    wait_for(lambda: ami_state(sim_url)["sessions"] == 0)
    time.sleep(1)
    requests.post(
        f"{sim_url}/__admin/config", json={"ami_outage": False}, timeout=TIMEOUT
    )
    wait_for(lambda: ami_state(sim_url)["sessions"] == 1)
    second = play(sim_url, count=10, wait_ms=10, ring_ms=20, talk_ms=30)
    wait_for(lambda: set(second) <= ended(odoo))
    with odoo.lock:
        hangups = [
            e["Linkedid"]
            for e in odoo.events
            if e["Event"] == "Hangup" and e["Uniqueid"] == e["Linkedid"]
        ]
    assert sorted(hangups) == sorted(first + second), "each call ended once"
    assert ami_state(sim_url)["counters"]["login"] >= 2


def test_click_to_call_becomes_an_originate(chain):
    sim_url, odoo = chain
    with odoo.lock:
        odoo.originates.append(
            {
                "action_id": "telecom-cti-originate-7",
                "channel": "PJSIP/101",
                "exten": "+79161697516",
                "context": "from-internal",
                "caller_id": "101",
                "variables": ["TELECOM_CTI_ORIGINATE=7"],
            }
        )
    wait_for(lambda: ami_state(sim_url)["originates"])
    [originate] = ami_state(sim_url)["originates"]
    assert (originate["channel"], originate["exten"]) == ("PJSIP/101", "+79161697516")
    assert originate["action_id"] == "telecom-cti-originate-7"
    assert originate["variables"] == ["TELECOM_CTI_ORIGINATE=7"]

    def answered():
        with odoo.lock:
            return [
                e
                for e in odoo.events
                if e["Event"] == "OriginateResponse"
                and e.get("ActionID") == "telecom-cti-originate-7"
            ]

    wait_for(answered)
    assert answered()[0]["Response"] == "Success"
