"""The simulator's SMSC (simulator/smsc.py), tested as a real process over SMPP 3.4.

No Odoo needed (marker no_odoo): a session fixture starts `python3 -m simulator`
with `--smpp-port` on free 127.0.0.1 ports; every test starts with the knobs off
(/__admin/reset). Talks SMPP with raw sockets and the simulator's own PDU codec.
"""

import socket
import struct
import sys
import time
from pathlib import Path

import pytest
import requests
from test_simulator import _free_port, start_simulator, stop_simulator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from simulator import smpp  # noqa: E402 - the repository root is on the path now

pytestmark = pytest.mark.no_odoo

SYSTEM_ID, PASSWORD = "esme", "pw"
TIMEOUT = 10


@pytest.fixture(scope="session")
def smsc_simulator():
    smpp_port = _free_port()
    process, url = start_simulator(
        _free_port(),
        "--smpp-port",
        str(smpp_port),
        "--smpp-system-id",
        SYSTEM_ID,
        "--smpp-password",
        PASSWORD,
    )
    yield url, smpp_port
    stop_simulator(process)


class Esme:
    """A minimal SMPP client over a raw socket."""

    def __init__(self, port):
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.stream = self.socket.makefile("rb")
        self.sequence = 0
        self.unexpected = []  # PDUs read while waiting for an answer

    def send(self, command_id, body=b"", sequence=None):
        if sequence is None:
            self.sequence += 1
            sequence = self.sequence
        self.socket.sendall(smpp.encode(command_id, sequence, body))
        return sequence

    def read(self):
        return smpp.read_pdu(self.stream)

    def call(self, command_id, body=b""):
        """Send and return the answer (command_id, status, sequence, body)."""
        sequence = self.send(command_id, body)
        while True:
            answer = self.read()
            assert answer is not None, "connection closed"
            if answer[2] == sequence and answer[0] & smpp.RESP:
                return answer
            self.unexpected.append(answer)

    def bind(self, command_id=smpp.BIND_TRANSCEIVER, password=PASSWORD):
        body = b"".join(
            [smpp.cstring(SYSTEM_ID), smpp.cstring(password), smpp.cstring("")]
        )
        body += bytes([0x34, 0, 0]) + smpp.cstring("")
        return self.call(command_id, body)

    def submit(self, text=b"hello", destination="79160000001", **values):
        body = smpp.encode_sm(
            {
                "source_addr": "TELECOM",
                "source_addr_ton": 5,
                "destination_addr": destination,
                "dest_addr_ton": 1,
                "dest_addr_npi": 1,
                "registered_delivery": 1,
                "short_message": text,
                **values,
            }
        )
        return self.call(smpp.SUBMIT_SM, body)

    def receipt(self, acknowledge=True):
        """The next deliver_sm: (sequence, decoded fields)."""
        while True:
            command_id, _status, sequence, body = self.read()
            if command_id == smpp.DELIVER_SM:
                if acknowledge:
                    self.send(smpp.DELIVER_SM | smpp.RESP, b"\x00", sequence=sequence)
                return sequence, smpp.decode_sm(body)

    def close(self):
        self.stream.close()
        self.socket.close()


@pytest.fixture
def smsc(smsc_simulator):
    url, port = smsc_simulator
    requests.post(f"{url}/__admin/reset", json={}, timeout=TIMEOUT).raise_for_status()
    configure(url, smsc_receipt_delay_ms=0)
    esmes = []

    def connect():
        esmes.append(Esme(port))
        return esmes[-1]

    yield url, connect
    for esme in esmes:
        esme.close()


def configure(url, **knobs):
    answer = requests.post(f"{url}/__admin/config", json=knobs, timeout=TIMEOUT)
    answer.raise_for_status()
    return answer.json()


def state(url):
    return requests.get(f"{url}/__admin/state", timeout=TIMEOUT).json()["smsc"]


def test_bind_checks_the_credentials(smsc):
    _url, connect = smsc
    assert connect().bind(password="wrong")[1] == smpp.ESME_RINVPASWD
    esme = connect()
    command_id, status, _sequence, body = esme.bind()
    assert (command_id, status) == (smpp.BIND_TRANSCEIVER | smpp.RESP, smpp.ESME_ROK)
    assert body == smpp.cstring("TELECOM-SMSC")
    assert esme.bind()[1] == smpp.ESME_RALYBND


def test_submit_needs_a_transmitting_bind(smsc):
    _url, connect = smsc
    assert connect().submit()[1] == smpp.ESME_RINVBNDSTS
    receiver = connect()
    receiver.bind(smpp.BIND_RECEIVER)
    assert receiver.submit()[1] == smpp.ESME_RINVBNDSTS


def test_submit_gives_a_message_id_and_a_receipt(smsc):
    url, connect = smsc
    esme = connect()
    esme.bind()
    command_id, status, _sequence, body = esme.submit(b"Hello world")
    assert (command_id, status) == (smpp.SUBMIT_SM | smpp.RESP, smpp.ESME_ROK)
    message_id = smpp.Reader(body).cstring()
    _sequence, receipt = esme.receipt()
    assert receipt["esm_class"] == smpp.ESM_CLASS_RECEIPT
    assert receipt["destination_addr"] == "TELECOM"
    assert receipt["source_addr"] == "79160000001"
    text = receipt["short_message"].decode()
    assert text.startswith(f"id:{message_id} sub:001 dlvrd:001 ")
    assert " stat:DELIVRD err:000 " in text
    assert receipt["tlvs"][smpp.TLV_RECEIPTED_MESSAGE_ID] == smpp.cstring(message_id)
    assert receipt["tlvs"][smpp.TLV_MESSAGE_STATE] == bytes([2])
    time.sleep(0.2)
    current = state(url)
    assert current["counters"]["receipt_acknowledged"] == 1
    [message] = current["messages"]
    assert (message["message_id"], message["text"]) == (message_id, "Hello world")
    assert message["receipt"] == "DELIVRD"


def test_receipt_status_knob(smsc):
    url, connect = smsc
    configure(url, smsc_receipt_status="UNDELIV")
    esme = connect()
    esme.bind()
    esme.submit()
    _sequence, receipt = esme.receipt()
    assert b" stat:UNDELIV err:001 " in receipt["short_message"]
    assert receipt["tlvs"][smpp.TLV_MESSAGE_STATE] == bytes([5])


def test_receipts_wait_for_a_receiver_and_unacknowledged_ones_come_again(smsc):
    url, connect = smsc
    transmitter = connect()
    transmitter.bind(smpp.BIND_TRANSMITTER)
    transmitter.submit()
    transmitter.submit(destination="79160000002")
    assert transmitter.call(smpp.UNBIND)[0] == smpp.UNBIND | smpp.RESP
    time.sleep(0.2)
    assert state(url)["receipts_pending"] == 2
    receiver = connect()
    receiver.bind(smpp.BIND_RECEIVER)
    receiver.receipt(acknowledge=False)
    receiver.receipt(acknowledge=False)
    receiver.close()  # gone without acknowledging: the SMSC keeps them
    time.sleep(0.2)
    assert state(url)["receipts_pending"] == 2
    again = connect()
    again.bind(smpp.BIND_RECEIVER)
    destinations = {again.receipt()[1]["source_addr"] for _ in range(2)}
    assert destinations == {"79160000001", "79160000002"}
    time.sleep(0.2)
    current = state(url)
    assert current["receipts_pending"] == 0
    assert current["counters"]["receipt_acknowledged"] == 2


def test_throttling_knob(smsc):
    url, connect = smsc
    configure(url, smsc_throttle_per_second=3)
    esme = connect()
    esme.bind(smpp.BIND_TRANSMITTER)
    statuses = [esme.submit(destination=f"7916000000{n}")[1] for n in range(5)]
    assert statuses == [0, 0, 0, smpp.ESME_RTHROTTLED, smpp.ESME_RTHROTTLED]
    time.sleep(1.05)
    assert esme.submit()[1] == smpp.ESME_ROK
    # the SMSC answers a submit before it counts it: give it a moment
    deadline = time.monotonic() + 5
    while True:
        counters = state(url)["counters"]
        counted = (counters["submit_accepted"], counters["submit_throttled"])
        if counted == (4, 2) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert counted == (4, 2)


def test_error_knob_refuses_and_accepts_nothing(smsc):
    url, connect = smsc
    configure(url, smsc_error_rate=1.0, smsc_error_status=smpp.ESME_RMSGQFUL)
    esme = connect()
    esme.bind()
    assert esme.submit()[1] == smpp.ESME_RMSGQFUL
    assert state(url)["messages"] == []


def test_outage_closes_connections(smsc):
    url, connect = smsc
    configure(url, smsc_outage=True)
    esme = connect()
    esme.send(smpp.ENQUIRE_LINK)
    assert esme.read() is None


def test_enquire_link_and_unknown_commands(smsc):
    _url, connect = smsc
    esme = connect()
    esme.bind()
    assert esme.call(smpp.ENQUIRE_LINK)[:2] == (smpp.ENQUIRE_LINK | smpp.RESP, 0)
    assert esme.call(0x00000103)[:2] == (smpp.GENERIC_NACK, smpp.ESME_RINVCMDID)


def test_concatenated_ucs2_parts_are_assembled(smsc):
    url, connect = smsc
    esme = connect()
    esme.bind()
    text = "Плановые работы на базовой станции " * 3
    encoded = text.encode("utf-16-be")
    chunks = [encoded[i : i + 134] for i in range(0, len(encoded), 134)]
    for sequence, chunk in enumerate(chunks, start=1):
        udh = bytes([5, 0, 3, 42, len(chunks), sequence])
        answer = esme.submit(udh + chunk, esm_class=0x40, data_coding=8)
        assert answer[1] == smpp.ESME_ROK
    [message] = state(url)["assembled"]
    assert message["text"] == text
    assert (message["parts"], message["parts_received"]) == (len(chunks), len(chunks))
    assert message["data_coding"] == 8


def test_bad_pdu_length_is_nacked(smsc):
    _url, connect = smsc
    esme = connect()
    esme.socket.sendall(struct.pack(">IIII", 8, smpp.ENQUIRE_LINK, 0, 1))
    command_id, status, _sequence, _body = esme.read()
    assert (command_id, status) == (smpp.GENERIC_NACK, smpp.ESME_RINVCMDLEN)


def test_bad_smsc_knobs_are_400(smsc):
    url, _connect = smsc
    for knobs in (
        {"smsc_receipt_status": "LOST"},
        {"smsc_error_status": 0},
        {"smsc_throttle_per_second": -1},
        {"smsc_outage": "yes"},
    ):
        answer = requests.post(f"{url}/__admin/config", json=knobs, timeout=TIMEOUT)
        assert answer.status_code == 400, knobs


def test_reset_clears_the_smsc(smsc):
    url, connect = smsc
    esme = connect()
    esme.bind()
    esme.submit()
    requests.post(f"{url}/__admin/reset", json={}, timeout=TIMEOUT)
    current = state(url)
    assert (current["messages"], current["counters"]) == ([], {})
