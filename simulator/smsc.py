"""The operator's SMSC: an SMPP 3.4 server over TCP (standard library only).

ESMEs bind (transmitter, receiver or transceiver) with the configured system_id and
password, submit short messages (``submit_sm`` → ``submit_sm_resp`` with a
message_id), keep the link up (``enquire_link``) and unbind. When a submit asks for
a delivery receipt (``registered_delivery`` bit 0), a receipt is due after
``smsc_receipt_delay_ms``: a ``deliver_sm`` (esm_class 0x04, text
``id:… sub:001 dlvrd:001 submit date:… done date:… stat:DELIVRD err:000 text:…``,
TLVs receipted_message_id and message_state) sent to a session of the same
system_id bound as receiver or transceiver. Receipts wait in a queue until such a
session is bound and are only forgotten once it answered ``deliver_sm_resp``: a
receipt sent on a connection that closes before the answer is sent again, as a real
SMSC retries its deliveries.

Knobs (``/__admin/config``, the simulator's knobs): ``smsc_throttle_per_second``
(more accepted submits than that in the last second → ESME_RTHROTTLED),
``smsc_error_rate`` / ``smsc_error_status`` (that fraction of submits refused with
that status, nothing accepted), ``smsc_receipt_status`` (stat of the receipts:
DELIVRD, UNDELIV, EXPIRED, REJECTD…), ``smsc_receipt_delay_ms`` and
``smsc_outage`` (connections closed at once, binds and submits never answered).
"""

import heapq
import logging
import random
import socket
import socketserver
import threading
import time
import uuid
from collections import Counter, deque
from datetime import datetime, timezone

from . import smpp

_logger = logging.getLogger("simulator.smsc")

MAX_MESSAGES_KEPT = 20000


class SmscState:
    """What the SMSC accepted and the receipts it owes, behind one lock."""

    def __init__(self):
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.messages = deque(maxlen=MAX_MESSAGES_KEPT)
            self.counters = Counter()
            self.pending = {}  # system_id -> deque of receipts waiting for a receiver
            self.recent_submits = deque()  # monotonic times of accepted submits

    def snapshot(self):
        with self.lock:
            messages = list(self.messages)
            return {
                "counters": dict(self.counters),
                "messages": messages,
                "assembled": assembled(messages),
                "receipts_pending": sum(len(queue) for queue in self.pending.values()),
            }


def assembled(messages):
    """The messages as the handset shows them: concatenated parts joined in order."""
    whole, parts = [], {}
    for message in messages:
        concatenation = message["concatenation"]
        if not concatenation:
            whole.append(
                {
                    "destination_addr": message["destination_addr"],
                    "text": message["text"],
                    "parts": 1,
                    "data_coding": message["data_coding"],
                    "message_ids": [message["message_id"]],
                }
            )
            continue
        key = (
            message["source_addr"],
            message["destination_addr"],
            concatenation["reference"],
            concatenation["total"],
        )
        parts.setdefault(key, {})[concatenation["sequence"]] = message
    for (_source, destination, _reference, total), received in parts.items():
        ordered = [received[sequence] for sequence in sorted(received)]
        whole.append(
            {
                "destination_addr": destination,
                "text": "".join(part["text"] for part in ordered),
                "parts": total,
                "parts_received": len(received),
                "data_coding": ordered[0]["data_coding"],
                "message_ids": [part["message_id"] for part in ordered],
            }
        )
    return whole


class Session:
    """One bound (or binding) ESME connection."""

    def __init__(self, connection):
        self.connection = connection
        self.write_lock = threading.Lock()
        self.system_id = None
        self.mode = None
        self.sequence = 0
        self.awaiting = {}  # deliver_sm sequence -> receipt

    @property
    def receives(self):
        return self.mode in ("receiver", "transceiver")

    @property
    def transmits(self):
        return self.mode in ("transmitter", "transceiver")

    def send(self, pdu):
        with self.write_lock:
            self.connection.sendall(pdu)

    def next_sequence(self):
        with self.write_lock:
            self.sequence = self.sequence % 0x7FFFFFFF + 1
            return self.sequence


class SmscHandler(socketserver.StreamRequestHandler):
    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self):
        smsc = self.server.smsc
        session = Session(self.connection)
        if smsc.knobs().smsc_outage:
            smsc.count("outage")
            return
        try:
            while True:
                pdu = smpp.read_pdu(self.rfile)
                if pdu is None:
                    return
                if smsc.knobs().smsc_outage:
                    smsc.count("outage")
                    return
                if not smsc.answer(session, *pdu):
                    return
        except smpp.PduError as error:
            _logger.warning("bad PDU: %s", error)
            session.send(smpp.encode(smpp.GENERIC_NACK, 0, status=error.status))
        except OSError:
            return
        finally:
            smsc.unbound(session)


class SmscServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, smsc):
        super().__init__(address, SmscHandler)
        self.smsc = smsc


class Smsc:
    """The SMSC: sessions, submits, receipts; ``knobs`` returns the current knobs."""

    def __init__(self, knobs, system_id, password, rng=None):
        self.knobs = knobs
        self.system_id = system_id
        self.password = password
        self.state = SmscState()
        self._rng = rng or random.Random()
        self._sessions = set()
        self._due = []  # heap of (monotonic time, counter, receipt)
        self._due_counter = 0
        self._wake = threading.Condition(self.state.lock)
        self._server = None
        self._stopping = False
        self.port = None

    # -- lifecycle ---------------------------------------------------------------
    def start(self, host, port):
        """Listen on host:port in background threads; False if the port is taken."""
        try:
            self._server = SmscServer((host, port), self)
        except OSError as error:
            _logger.error("SMSC cannot listen on %s:%s: %s", host, port, error)
            return False
        self.port = self._server.server_address[1]
        threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.2},
            daemon=True,
        ).start()
        threading.Thread(target=self._deliver_due_receipts, daemon=True).start()
        _logger.info("SMSC (SMPP 3.4) listening on %s:%s", host, self.port)
        return True

    def stop(self):
        if not self._server:
            return
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        self._server.shutdown()
        self._server.server_close()
        for session in list(self._sessions):
            try:
                session.connection.close()
            except OSError:
                pass

    def reset(self):
        with self._wake:
            self.state.reset()
            self._due = []

    def snapshot(self):
        return {"port": self.port, **self.state.snapshot()}

    def count(self, name):
        with self.state.lock:
            self.state.counters[name] += 1

    # -- PDUs --------------------------------------------------------------------
    def answer(self, session, command_id, status, sequence, body):
        """Answer one PDU; False when the connection must close."""
        if command_id in smpp.BINDS:
            self._bind(session, command_id, sequence, body)
        elif command_id == smpp.SUBMIT_SM:
            self._submit(session, sequence, body)
        elif command_id == smpp.ENQUIRE_LINK:
            self.count("enquire_link")
            session.send(smpp.encode(smpp.ENQUIRE_LINK | smpp.RESP, sequence))
        elif command_id == smpp.DELIVER_SM | smpp.RESP:
            self._receipt_acknowledged(session, sequence, status)
        elif command_id == smpp.UNBIND:
            self.count("unbind")
            session.send(smpp.encode(smpp.UNBIND | smpp.RESP, sequence))
            return False
        elif command_id & smpp.RESP:
            pass  # answers to nothing we asked (generic_nack, enquire_link_resp)
        else:
            session.send(
                smpp.encode(smpp.GENERIC_NACK, sequence, status=smpp.ESME_RINVCMDID)
            )
        return True

    def _bind(self, session, command_id, sequence, body):
        resp = command_id | smpp.RESP
        values = smpp.decode_bind(body)
        if session.mode:
            status = smpp.ESME_RALYBND
        elif values["system_id"] != self.system_id:
            status = smpp.ESME_RINVSYSID
        elif values["password"] != self.password:
            status = smpp.ESME_RINVPASWD
        else:
            status = smpp.ESME_ROK
        if status != smpp.ESME_ROK:
            self.count("bind_refused")
            session.send(smpp.encode(resp, sequence, status=status))
            return
        session.system_id = values["system_id"]
        session.mode = smpp.BINDS[command_id]
        self.count(f"bind_{session.mode}")
        session.send(smpp.encode(resp, sequence, smpp.cstring("TELECOM-SMSC")))
        with self.state.lock:
            self._sessions.add(session)
        if session.receives:
            self._flush_receipts(session.system_id)

    def unbound(self, session):
        """The connection closed: receipts sent but not acknowledged wait again."""
        with self.state.lock:
            self._sessions.discard(session)
            if session.awaiting:
                queue = self.state.pending.setdefault(session.system_id, deque())
                queue.extendleft(reversed(list(session.awaiting.values())))
                session.awaiting.clear()

    def _submit(self, session, sequence, body):
        resp = smpp.SUBMIT_SM | smpp.RESP
        if not session.transmits:
            session.send(smpp.encode(resp, sequence, status=smpp.ESME_RINVBNDSTS))
            return
        values = smpp.decode_sm(body)
        knobs = self.knobs()
        status = self._refusal(knobs, values)
        if status:
            session.send(smpp.encode(resp, sequence, status=status))
            return
        message_id = uuid.uuid4().hex[:20]
        session.send(smpp.encode(resp, sequence, smpp.cstring(message_id)))
        concatenation, payload = smpp.split_udh(
            values["esm_class"], values["short_message"]
        )
        submitted = datetime.now(timezone.utc)
        message = {
            "message_id": message_id,
            "system_id": session.system_id,
            "source_addr": values["source_addr"],
            "source_addr_ton": values["source_addr_ton"],
            "destination_addr": values["destination_addr"],
            "data_coding": values["data_coding"],
            "esm_class": values["esm_class"],
            "registered_delivery": values["registered_delivery"],
            "concatenation": concatenation,
            "text": smpp.decode_text(values["data_coding"], payload),
            "submitted_at": submitted.isoformat(),
        }
        with self._wake:
            self.state.messages.append(message)
            self.state.counters["submit_accepted"] += 1
            if values["registered_delivery"] & 0x01:
                receipt = {
                    "message": message,
                    "stat": knobs.smsc_receipt_status,
                    "submitted": submitted,
                }
                due = time.monotonic() + knobs.smsc_receipt_delay_ms / 1000
                self._due_counter += 1
                heapq.heappush(self._due, (due, self._due_counter, receipt))
                self._wake.notify_all()

    def _refusal(self, knobs, values):
        """The error status refusing this submit (knobs, bad address), or 0."""
        with self.state.lock:
            self.state.counters["submit"] += 1
            if not values["destination_addr"]:
                self.state.counters["submit_invalid"] += 1
                return smpp.ESME_RINVDSTADR
            if knobs.smsc_error_rate and self._rng.random() < knobs.smsc_error_rate:
                self.state.counters["submit_error"] += 1
                return knobs.smsc_error_status
            if knobs.smsc_throttle_per_second:
                now = time.monotonic()
                recent = self.state.recent_submits
                while recent and recent[0] <= now - 1:
                    recent.popleft()
                if len(recent) >= knobs.smsc_throttle_per_second:
                    self.state.counters["submit_throttled"] += 1
                    return smpp.ESME_RTHROTTLED
                recent.append(now)
        return 0

    # -- receipts ----------------------------------------------------------------
    def _deliver_due_receipts(self):
        while True:
            with self._wake:
                while not self._stopping and (
                    not self._due or self._due[0][0] > time.monotonic()
                ):
                    timeout = self._due[0][0] - time.monotonic() if self._due else None
                    self._wake.wait(timeout)
                if self._stopping:
                    return
                _due, _counter, receipt = heapq.heappop(self._due)
                system_id = receipt["message"]["system_id"]
                self.state.pending.setdefault(system_id, deque()).append(receipt)
            self._flush_receipts(system_id)

    def _flush_receipts(self, system_id):
        """Send the receipts waiting for ``system_id`` to one of its receivers."""
        while True:
            with self.state.lock:
                queue = self.state.pending.get(system_id)
                receivers = [
                    session
                    for session in self._sessions
                    if session.system_id == system_id and session.receives
                ]
                if not queue or not receivers:
                    return
                session = receivers[0]
                receipt = queue.popleft()
                sequence = session.next_sequence()
                session.awaiting[sequence] = receipt
            try:
                session.send(
                    smpp.encode(smpp.DELIVER_SM, sequence, receipt_body(receipt))
                )
                self.count("receipt_sent")
            except OSError:
                self.unbound(session)

    def _receipt_acknowledged(self, session, sequence, status):
        with self.state.lock:
            receipt = session.awaiting.pop(sequence, None)
            if receipt is None:
                return
            if status == smpp.ESME_ROK:
                self.state.counters["receipt_acknowledged"] += 1
                receipt["message"]["receipt"] = receipt["stat"]
                return
            # refused by the ESME: delivered again on its next bind
            self.state.counters["receipt_refused"] += 1
            self.state.pending.setdefault(session.system_id, deque()).append(receipt)


def receipt_text(receipt, done=None):
    message = receipt["message"]
    stat = receipt["stat"]
    delivered = 1 if stat == "DELIVRD" else 0
    done = done or datetime.now(timezone.utc)
    error = 0 if delivered else 1
    return (
        f"id:{message['message_id']} sub:001 dlvrd:{delivered:03d} "
        f"submit date:{receipt['submitted']:%y%m%d%H%M} done date:{done:%y%m%d%H%M} "
        f"stat:{stat} err:{error:03d} text:{message['text'][:20]}"
    )


def receipt_body(receipt):
    message = receipt["message"]
    text = receipt_text(receipt).encode("ascii", errors="replace")
    return smpp.encode_sm(
        {
            "source_addr_ton": 1,
            "source_addr_npi": 1,
            "source_addr": message["destination_addr"],
            "dest_addr_ton": message["source_addr_ton"],
            "destination_addr": message["source_addr"],
            "esm_class": smpp.ESM_CLASS_RECEIPT,
            "short_message": text,
            "tlvs": {
                smpp.TLV_RECEIPTED_MESSAGE_ID: smpp.cstring(message["message_id"]),
                smpp.TLV_MESSAGE_STATE: bytes(
                    [smpp.MESSAGE_STATES.get(receipt["stat"], 7)]
                ),
            },
        }
    )
