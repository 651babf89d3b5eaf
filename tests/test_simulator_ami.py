"""The simulator's PBX (simulator/ami.py): the Asterisk Manager Interface over TCP.

No Odoo needed (marker no_odoo): a session fixture starts `python3 -m simulator`
with its AMI port on free 127.0.0.1 ports; every test starts with the knobs off
(/__admin/reset). Talks AMI with a raw socket, as any manager client does.
"""

import socket
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import requests
from test_simulator import _free_port, start_simulator, stop_simulator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from simulator import ami  # noqa: E402 - the repository root is on the path now

pytestmark = pytest.mark.no_odoo

USER, SECRET = "manager", "pw"
TIMEOUT = 10


@pytest.fixture(scope="session")
def ami_simulator():
    ami_port = _free_port()
    process, url = start_simulator(
        _free_port(),
        "--smpp-port",
        "0",
        "--ami-port",
        str(ami_port),
        "--ami-user",
        USER,
        "--ami-secret",
        SECRET,
    )
    yield url, ami_port
    stop_simulator(process)


class Manager:
    """A minimal AMI client over a raw socket."""

    def __init__(self, port):
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.stream = self.socket.makefile("rb")
        self.banner = self.stream.readline().decode().strip()
        self.events = []  # events read while waiting for an answer
        self.action_ids = 0

    def read(self):
        lines = []
        while True:
            raw = self.stream.readline()
            if not raw:
                return None
            line = raw.decode().rstrip("\r\n")
            if line:
                lines.append(line)
            elif lines:
                return ami.parse_message("\n".join(lines))

    def send(self, action, **headers):
        self.action_ids += 1
        action_id = f"test-{self.action_ids}"
        message = {"Action": action, "ActionID": action_id, **headers}
        self.socket.sendall(ami.render(message))
        return action_id

    def call(self, action, **headers):
        action_id = self.send(action, **headers)
        while True:
            message = self.read()
            assert message is not None, "connection closed"
            if message.get("ActionID") == action_id and "Response" in message:
                return message
            self.events.append(message)

    def login(self, secret=SECRET):
        return self.call("Login", Username=USER, Secret=secret)

    def events_until(self, predicate, timeout=TIMEOUT):
        """Read events until ``predicate(events)``; all events read so far."""
        deadline = time.monotonic() + timeout
        while not predicate(self.events):
            assert time.monotonic() < deadline, f"timed out with {len(self.events)}"
            message = self.read()
            assert message is not None, "connection closed"
            if "Event" in message:
                self.events.append(message)
        return self.events

    def close(self):
        self.stream.close()
        self.socket.close()


@pytest.fixture
def pbx(ami_simulator):
    url, port = ami_simulator
    requests.post(f"{url}/__admin/reset", json={}, timeout=TIMEOUT).raise_for_status()
    managers = []

    def connect():
        managers.append(Manager(port))
        return managers[-1]

    yield url, connect
    for manager in managers:
        manager.close()


def configure(url, **knobs):
    answer = requests.post(f"{url}/__admin/config", json=knobs, timeout=TIMEOUT)
    answer.raise_for_status()
    return answer.json()


def play(url, **request):
    answer = requests.post(f"{url}/__admin/ami/calls", json=request, timeout=TIMEOUT)
    answer.raise_for_status()
    return answer.json()["linkedids"]


def state(url):
    return requests.get(f"{url}/__admin/state", timeout=TIMEOUT).json()["ami"]


def hung_up(linkedids):
    """A predicate: the first channel of every call in ``linkedids`` hung up."""

    def predicate(events):
        done = {
            event["Linkedid"]
            for event in events
            if event["Event"] == "Hangup" and event["Uniqueid"] == event["Linkedid"]
        }
        return set(linkedids) <= done

    return predicate


def of_call(events, linkedid):
    """The events of one call (transfers name it by their legs)."""
    return [
        event
        for event in events
        if (event.get("Linkedid") or event.get("TransfereeLinkedid")) == linkedid
    ]


def test_login_checks_the_credentials(pbx):
    _url, connect = pbx
    manager = connect()
    assert manager.banner.startswith("Asterisk Call Manager/")
    assert manager.call("Ping")["Message"] == "Authentication Required"
    refused = manager.login(secret="wrong")
    assert (refused["Response"], refused["Message"]) == (
        "Error",
        "Authentication failed",
    )
    assert manager.read() is None  # the PBX closed the connection
    manager = connect()
    accepted = manager.login()
    assert (accepted["Response"], accepted["Message"]) == (
        "Success",
        "Authentication accepted",
    )
    assert manager.read()["Event"] == "FullyBooted"
    assert manager.call("Ping")["Ping"] == "Pong"
    assert manager.call("QueueStatus")["Message"] == "Invalid/unknown command"
    assert manager.call("Logoff")["Response"] == "Goodbye"


def test_answered_call_flow(pbx):
    url, connect = pbx
    manager = connect()
    manager.login()
    [linkedid] = play(
        url,
        caller="+79161697516",
        agent="101",
        queue="support",
        wait_ms=100,
        ring_ms=200,
        talk_ms=300,
    )
    events = of_call(manager.events_until(hung_up([linkedid])), linkedid)
    names = [event["Event"] for event in events]
    assert names[:5] == [
        "Newchannel",
        "QueueCallerJoin",
        "Newchannel",
        "AgentCalled",
        "DialBegin",
    ]
    assert names.count("BridgeEnter") == 2
    assert names[-1] == "Hangup"
    first = events[0]
    assert (first["CallerIDNum"], first["Uniqueid"]) == ("+79161697516", linkedid)
    dial = events[4]
    assert dial["DestCallerIDNum"] == "101"
    recording = next(event for event in events if event["Event"] == "VarSet")
    assert recording["Variable"] == "MIXMONITOR_FILENAME"
    stamps = [float(event["Timestamp"]) for event in events]
    assert stamps == sorted(stamps)
    # rang 100 ms + 200 ms before the answer, talked 300 ms after it
    answer = next(e for e in events if e["Event"] == "BridgeEnter")
    assert float(answer["Timestamp"]) - stamps[0] >= 0.3
    assert stamps[-1] - float(answer["Timestamp"]) >= 0.3


def test_missed_abandoned_and_transferred_calls(pbx):
    url, connect = pbx
    manager = connect()
    manager.login()
    timings = {"wait_ms": 0, "ring_ms": 50, "talk_ms": 100}
    [missed] = play(url, scenario="missed", agent="101", **timings)
    [abandoned] = play(url, scenario="abandon", agent="101", **timings)
    [transferred] = play(
        url, scenario="transfer", agent="101", transfer_to="102", **timings
    )
    events = manager.events_until(hung_up([missed, abandoned, transferred]))
    missed_names = [event["Event"] for event in of_call(events, missed)]
    assert "BridgeEnter" not in missed_names
    assert "QueueCallerAbandon" not in missed_names
    abandoned_names = [event["Event"] for event in of_call(events, abandoned)]
    assert "QueueCallerAbandon" in abandoned_names
    assert "BridgeEnter" not in abandoned_names
    transfer_events = of_call(events, transferred)
    assert [e["Event"] for e in transfer_events].count("BlindTransfer") == 1
    bridged = [
        event["CallerIDNum"]
        for event in transfer_events
        if event["Event"] == "BridgeEnter"
    ]
    assert bridged[-1] == "102"


def test_originate_is_recorded_and_plays_an_outbound_call(pbx):
    url, connect = pbx
    manager = connect()
    manager.login()
    configure(url, ami_ring_ms=50, ami_talk_ms=50)
    answer = manager.call(
        "Originate",
        Channel="PJSIP/101",
        Exten="+79161697516",
        Context="from-internal",
        Priority="1",
        Variable="TELECOM_CTI_ORIGINATE=7",
    )
    assert answer["Message"] == "Originate successfully queued"
    action_id = answer["ActionID"]
    events = manager.events_until(
        lambda events: any(
            event["Event"] == "Hangup" and event["CallerIDNum"] == "101"
            for event in events
        )
    )
    response = next(e for e in events if e["Event"] == "OriginateResponse")
    assert (response["ActionID"], response["Response"]) == (action_id, "Success")
    first = next(e for e in events if e["Event"] == "Newchannel")
    assert (first["CallerIDNum"], first["Exten"]) == ("101", "+79161697516")
    [originate] = state(url)["originates"]
    assert originate["channel"] == "PJSIP/101"
    assert originate["exten"] == "+79161697516"
    assert originate["variables"] == ["TELECOM_CTI_ORIGINATE=7"]
    assert manager.call("Originate", Channel="PJSIP/101")["Response"] == "Error"


def test_fifty_calls_a_minute_each_complete_once(pbx):
    """50 calls at 3,000 a minute (a minute of 50 calls, 60 times faster):
    every call ends once, each event sent once to the manager."""
    url, connect = pbx
    manager = connect()
    manager.login()
    linkedids = play(
        url,
        count=50,
        per_minute=3000,
        callers=["+79161697516", "+79038543017"],
        agents=["101", "102", "103"],
        wait_ms=20,
        ring_ms=50,
        talk_ms=100,
    )
    assert len(set(linkedids)) == 50
    events = manager.events_until(hung_up(linkedids), timeout=30)
    by_call = defaultdict(Counter)
    for event in events:
        if event.get("Linkedid") in linkedids:
            by_call[event["Linkedid"]][event["Event"]] += 1
    assert set(by_call) == set(linkedids)
    for counts in by_call.values():
        assert counts["Hangup"] == 2
        assert counts["BridgeEnter"] == 2
        assert counts["Newchannel"] == 2
    assert state(url)["counters"]["call_answer"] == 50


def test_background_traffic_knob(pbx):
    url, connect = pbx
    manager = connect()
    manager.login()
    configure(
        url,
        ami_calls_per_minute=600,
        ami_wait_ms=0,
        ami_ring_ms=10,
        ami_talk_ms=10,
        ami_missed_rate=0.5,
    )
    manager.events_until(
        lambda events: (
            sum(
                1
                for e in events
                if e["Event"] == "Hangup" and e["Uniqueid"] == e["Linkedid"]
            )
            >= 3
        )
    )
    configure(url, ami_calls_per_minute=0)
    assert len(state(url)["calls"]) >= 3


def test_outage_closes_connections(pbx):
    url, connect = pbx
    configure(url, ami_outage=True)
    manager = connect()
    assert manager.banner == ""  # closed before the banner
    assert manager.read() is None


def test_bad_ami_requests_are_400(pbx):
    url, _connect = pbx
    for body in (
        {"scenario": "dance"},
        {"count": 0},
        {"per_minute": -1},
        {"callers": "79161697516"},
        {"talk_ms": -5},
    ):
        answer = requests.post(f"{url}/__admin/ami/calls", json=body, timeout=TIMEOUT)
        assert answer.status_code == 400, body
    for knobs in ({"ami_calls_per_minute": 10**6}, {"ami_missed_rate": 2}):
        answer = requests.post(f"{url}/__admin/config", json=knobs, timeout=TIMEOUT)
        assert answer.status_code == 400, knobs
