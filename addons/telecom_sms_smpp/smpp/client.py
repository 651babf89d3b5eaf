"""A small synchronous SMPP 3.4 ESME client with a submit window (no Odoo).

``SmppClient.submit_many`` pipelines submit_sm PDUs: at most ``window`` wait for
their answer at any time and at most ``max_per_second`` leave each second. A part
the SMSC refuses with ESME_RTHROTTLED (or ESME_RMSGQFUL) goes back to the head of
the queue and sending pauses with a growing back-off: it is never dropped. Delivery
receipts (deliver_sm with esm_class 0x04) that arrive on the transceiver session
meanwhile are collected in ``receipts``, not acknowledged; ``drain`` waits for more.
The caller takes them (``take_receipts``), stores them, and ``acknowledge``s them
once stored for good (its transaction committed): a receipt the SMSC never had
its deliver_sm_resp for is delivered again on the next bind, so none is lost when
the process dies in between.

Errors: ``SmppConnectionError`` (cannot connect, time-out, connection closed — the
caller retries later), ``SmppBindError`` (the SMSC refused the bind: credentials).
"""

import collections
import contextlib
import logging
import select
import socket
import time

from . import pdu

_logger = logging.getLogger(__name__)

TRANSIENT_STATUSES = {pdu.ESME_RSYSERR, pdu.ESME_RMSGQFUL, pdu.ESME_RTHROTTLED}
STATUS_NAMES = {
    pdu.ESME_RINVMSGLEN: "ESME_RINVMSGLEN",
    pdu.ESME_RINVCMDLEN: "ESME_RINVCMDLEN",
    pdu.ESME_RINVCMDID: "ESME_RINVCMDID",
    pdu.ESME_RINVBNDSTS: "ESME_RINVBNDSTS",
    pdu.ESME_RALYBND: "ESME_RALYBND",
    pdu.ESME_RSYSERR: "ESME_RSYSERR",
    pdu.ESME_RINVDSTADR: "ESME_RINVDSTADR",
    pdu.ESME_RBINDFAIL: "ESME_RBINDFAIL",
    pdu.ESME_RINVPASWD: "ESME_RINVPASWD",
    pdu.ESME_RINVSYSID: "ESME_RINVSYSID",
    pdu.ESME_RMSGQFUL: "ESME_RMSGQFUL",
    pdu.ESME_RTHROTTLED: "ESME_RTHROTTLED",
}
DELIVER_SM_RESP = pdu.DELIVER_SM | pdu.RESP
BACKOFF_START, BACKOFF_MAX = 0.05, 1.0
MAX_TRANSIENT_RETRIES = 3  # per part and session, for errors other than throttling


def status_name(status):
    return STATUS_NAMES.get(status, f"0x{status:08X}")


class SmppError(Exception):
    """An SMPP session that could not be opened or went wrong."""


class SmppConnectionError(SmppError):
    """Cannot reach the SMSC, time-out or connection lost: retry later."""


class SmppBindError(SmppError):
    """The SMSC refused the bind (system_id, password, system_type)."""

    def __init__(self, status):
        super().__init__(f"bind refused: {status_name(status)}")
        self.status = status


class SubmitResult:
    """What became of one part: ``message_id`` when accepted, else ``status``."""

    __slots__ = ("key", "message_id", "status", "transient")

    def __init__(self, key, message_id=None, status=0, transient=False):
        self.key = key
        self.message_id = message_id
        self.status = status
        self.transient = transient


class SmppClient:
    def __init__(
        self,
        host,
        port,
        system_id,
        password,
        system_type="",
        connect_timeout=10.0,
        response_timeout=10.0,
    ):
        self.host = host
        self.port = port
        self.system_id = system_id
        self.password = password
        self.system_type = system_type
        self.connect_timeout = connect_timeout
        self.response_timeout = response_timeout
        self.receipts = []  # read, not yet taken by the caller
        self._taken = []  # sequences of the deliver_sm taken, to acknowledge
        self.throttled = 0
        self._socket = None
        self._buffer = b""
        self._sequence = 0

    # -- session -----------------------------------------------------------------
    def __enter__(self):
        self.bind()
        return self

    def __exit__(self, *exc_info):
        self.close()

    def bind(self, command_id=pdu.BIND_TRANSCEIVER):
        try:
            self._socket = socket.create_connection(
                (self.host, self.port), timeout=self.connect_timeout
            )
            self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as error:
            raise SmppConnectionError(
                f"cannot connect to {self.host}:{self.port}: {error}"
            ) from error
        body = pdu.encode_bind(self.system_id, self.password, self.system_type)
        sequence = self._send(command_id, body)
        _command, status, _body = self._wait_answer(command_id | pdu.RESP, sequence)
        if status != pdu.ESME_ROK:
            self._disconnect()
            raise SmppBindError(status)

    def close(self):
        """Unbind politely (best effort) and close the connection."""
        if not self._socket:
            return
        with contextlib.suppress(SmppError, OSError):
            sequence = self._send(pdu.UNBIND)
            self._wait_answer(pdu.UNBIND | pdu.RESP, sequence, timeout=2)
        self._disconnect()

    @property
    def connected(self):
        return self._socket is not None

    def enquire_link(self):
        sequence = self._send(pdu.ENQUIRE_LINK)
        self._wait_answer(pdu.ENQUIRE_LINK | pdu.RESP, sequence)

    # -- submits -----------------------------------------------------------------
    def submit_many(self, submissions, window=10, max_per_second=0, deadline=None):
        """Submit ``[(key, submit_sm body)]``; {key: SubmitResult} of those answered.

        Parts left unanswered (deadline reached) are absent from the result; an
        SmppConnectionError raised midway carries the results so far in
        ``error.results`` (parts without a result were maybe not received).
        """
        queue = collections.deque(submissions)
        outstanding = {}  # sequence -> (key, body, sent at)
        retries = collections.Counter()
        results = {}
        window = max(1, window)
        interval = 1.0 / max_per_second if max_per_second else 0.0
        next_send = pause_until = time.monotonic()
        backoff = BACKOFF_START
        try:
            while queue or outstanding:
                now = time.monotonic()
                if deadline and now >= deadline and not outstanding:
                    break
                while (
                    queue
                    and len(outstanding) < window
                    and now >= max(next_send, pause_until)
                    and not (deadline and now >= deadline)
                ):
                    key, body = queue.popleft()
                    sequence = self._send(pdu.SUBMIT_SM, body)
                    outstanding[sequence] = (key, body, now)
                    next_send = max(next_send + interval, now) if interval else now
                    now = time.monotonic()
                if outstanding:
                    oldest = min(sent for _key, _body, sent in outstanding.values())
                    if now - oldest > self.response_timeout:
                        raise SmppConnectionError("no submit_sm_resp in time")
                wait = self.response_timeout
                if queue and len(outstanding) < window:
                    wait = max(0.0, max(next_send, pause_until) - now)
                answer = self._read(min(wait, self.response_timeout))
                if answer is None:
                    continue
                command_id, status, sequence, body = answer
                if command_id == pdu.GENERIC_NACK and sequence in outstanding:
                    command_id = pdu.SUBMIT_SM | pdu.RESP
                if (
                    command_id != pdu.SUBMIT_SM | pdu.RESP
                    or sequence not in outstanding
                ):
                    self._unexpected(command_id, sequence, body)
                    continue
                key, body_sent, _sent = outstanding.pop(sequence)
                if status == pdu.ESME_ROK:
                    message_id = pdu.Reader(body).cstring(65) if body else ""
                    results[key] = SubmitResult(key, message_id=message_id)
                    backoff = BACKOFF_START
                elif status in TRANSIENT_STATUSES and (
                    status == pdu.ESME_RTHROTTLED
                    or retries[key] < MAX_TRANSIENT_RETRIES
                ):
                    if status == pdu.ESME_RTHROTTLED:
                        self.throttled += 1
                    else:
                        retries[key] += 1
                    queue.appendleft((key, body_sent))
                    pause_until = time.monotonic() + backoff
                    backoff = min(backoff * 2, BACKOFF_MAX)
                else:
                    results[key] = SubmitResult(
                        key, status=status, transient=status in TRANSIENT_STATUSES
                    )
        except SmppConnectionError as error:
            error.results = results
            raise
        return results

    def drain(self, idle_timeout=1.0, max_seconds=30.0):
        """Collect the receipts the SMSC sends until quiet for ``idle_timeout``
        (not acknowledged: see ``take_receipts``)."""
        stop = time.monotonic() + max_seconds
        while time.monotonic() < stop:
            answer = self._read(min(idle_timeout, max(0.0, stop - time.monotonic())))
            if answer is None:
                return self.receipts
            command_id, _status, sequence, body = answer
            self._unexpected(command_id, sequence, body)
        return self.receipts

    # -- receipts ----------------------------------------------------------------
    def take_receipts(self):
        """The receipts collected so far ``[{"message_id", "stat", "err"}]``, for
        the caller to store; ``acknowledge`` tells the SMSC once they are stored."""
        receipts, self.receipts = self.receipts, []
        self._taken += [receipt.pop("sequence") for receipt in receipts]
        return receipts

    def acknowledge(self):
        """Answer deliver_sm_resp to the receipts taken (best effort: a receipt
        left unanswered is delivered again, and storing it twice changes nothing).
        Returns how many were acknowledged."""
        sequences, self._taken = self._taken, []
        if not self._socket:
            return 0
        try:
            for sequence in sequences:
                self._send(DELIVER_SM_RESP, pdu.cstring(""), sequence=sequence)
        except SmppError:
            return 0
        return len(sequences)

    # -- PDUs --------------------------------------------------------------------
    def _unexpected(self, command_id, sequence, body):
        """A PDU the SMSC sent on its own: receipts (kept unanswered until
        ``acknowledge``), other deliver_sm, enquire_link, unbind."""
        if command_id == pdu.DELIVER_SM:
            receipt = pdu.parse_receipt(pdu.decode_sm(body))
            if receipt:
                self.receipts.append({**receipt, "sequence": sequence})
            else:  # a mobile-originated SMS: not handled, acknowledged at once
                self._send(DELIVER_SM_RESP, pdu.cstring(""), sequence=sequence)
        elif command_id == pdu.ENQUIRE_LINK:
            self._send(pdu.ENQUIRE_LINK | pdu.RESP, sequence=sequence)
        elif command_id == pdu.UNBIND:
            self._send(pdu.UNBIND | pdu.RESP, sequence=sequence)
            self._disconnect()
            raise SmppConnectionError("the SMSC unbound the session")
        elif not command_id & pdu.RESP:
            self._send(pdu.GENERIC_NACK, sequence=sequence, status=pdu.ESME_RINVCMDID)

    def _wait_answer(self, command_id, sequence, timeout=None):
        stop = time.monotonic() + (timeout or self.response_timeout)
        while True:
            remaining = stop - time.monotonic()
            if remaining <= 0:
                raise SmppConnectionError(f"no answer to 0x{command_id:08X} in time")
            answer = self._read(remaining)
            if answer is None:
                continue
            answered, status, answered_sequence, body = answer
            if answered_sequence == sequence and answered in (
                command_id,
                pdu.GENERIC_NACK,
            ):
                return answered, status, body
            self._unexpected(answered, answered_sequence, body)

    def _send(self, command_id, body=b"", sequence=None, status=pdu.ESME_ROK):
        if not self._socket:
            raise SmppConnectionError("not connected")
        if sequence is None:
            self._sequence = self._sequence % 0x7FFFFFFF + 1
            sequence = self._sequence
        try:
            self._socket.sendall(pdu.encode(command_id, sequence, body, status))
        except OSError as error:
            self._disconnect()
            raise SmppConnectionError(f"connection lost: {error}") from error
        return sequence

    def _read(self, timeout):
        """The next PDU (command_id, status, sequence, body); None after ``timeout``."""
        stop = time.monotonic() + timeout
        while True:
            answer = self._parse_buffer()
            if answer:
                return answer
            if not self._socket:
                raise SmppConnectionError("not connected")
            remaining = stop - time.monotonic()
            if remaining < 0:
                return None
            try:
                readable, _, _ = select.select([self._socket], [], [], remaining)
                if not readable:
                    return None
                data = self._socket.recv(65536)
            except OSError as error:
                self._disconnect()
                raise SmppConnectionError(f"connection lost: {error}") from error
            if not data:
                self._disconnect()
                raise SmppConnectionError("the SMSC closed the connection")
            self._buffer += data

    def _parse_buffer(self):
        if len(self._buffer) < pdu.HEADER.size:
            return None
        length, command_id, status, sequence = pdu.HEADER.unpack_from(self._buffer)
        if not pdu.HEADER.size <= length <= pdu.MAX_PDU_BYTES:
            self._disconnect()
            raise SmppConnectionError(f"bad PDU length {length} from the SMSC")
        if len(self._buffer) < length:
            return None
        body = self._buffer[pdu.HEADER.size : length]
        self._buffer = self._buffer[length:]
        return command_id, status, sequence, body

    def _disconnect(self):
        if self._socket:
            with contextlib.suppress(OSError):
                self._socket.close()
        self._socket = None
        self._buffer = b""
