"""The knobs (``/__admin/config``) and the faults they inject into business answers.

Before the handler runs: latency, outage (503 or connection reset), error_rate (503);
nothing is applied then. After the handler ran: malformed_rate (broken JSON/XML),
oversized (about 20 MB body), xml_bomb (SOAP only: entity-expansion DOCTYPE); the
handler's work (e.g. an order) IS applied then, only the answer is spoiled.
"""

import random
import threading
import time
from dataclasses import asdict, dataclass, fields

from .errors import bad_request
from .web import Response, error_response

OVERSIZED_BYTES = 20 * 1024 * 1024
OUTAGE_MODES = ("503", "reset")
# stat of the SMSC's delivery receipts (SMPP 3.4, appendix B)
RECEIPT_STATUSES = ("DELIVRD", "UNDELIV", "EXPIRED", "REJECTD", "DELETED", "UNKNOWN")
CHOICES = {"outage_mode": OUTAGE_MODES, "smsc_receipt_status": RECEIPT_STATUSES}
ESME_RSYSERR = 0x08
BOMB_DEPTH = 9  # &lol9; expands to 3 * 10**9 characters: the "billion laughs"


@dataclass
class Knobs:
    latency_ms: int = 0
    latency_jitter_ms: int = 0
    error_rate: float = 0.0
    outage: bool = False
    outage_mode: str = "503"
    malformed_rate: float = 0.0
    oversized: bool = False
    xml_bomb: bool = False
    # the SMSC (smsc.py): never applied to the HTTP endpoints
    smsc_throttle_per_second: int = 0
    smsc_error_rate: float = 0.0
    smsc_error_status: int = ESME_RSYSERR
    smsc_receipt_status: str = "DELIVRD"
    smsc_receipt_delay_ms: int = 100
    smsc_outage: bool = False
    # the PBX (ami.py): background call traffic and its mix, never applied to HTTP
    ami_calls_per_minute: int = 0
    ami_missed_rate: float = 0.0
    ami_abandon_rate: float = 0.0
    ami_transfer_rate: float = 0.0
    ami_wait_ms: int = 500
    ami_ring_ms: int = 1000
    ami_talk_ms: int = 3000
    ami_outage: bool = False

    def as_dict(self):
        return asdict(self)

    def updated(self, changes):
        """A copy with ``changes`` applied; 400 on an unknown key or a bad value."""
        if not isinstance(changes, dict):
            raise bad_request("the configuration must be a JSON object")
        known = {knob.name: knob for knob in fields(self)}
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise bad_request(f"unknown knobs: {', '.join(unknown)}")
        values = self.as_dict()
        for name, value in changes.items():
            values[name] = _checked_knob(name, known[name].type, value)
        return Knobs(**values)


def _checked_knob(name, kind, value):
    if kind is bool:
        if not isinstance(value, bool):
            raise bad_request(f"{name} must be true or false")
        return value
    if kind is str:
        if value not in CHOICES[name]:
            raise bad_request(f"{name} must be one of {', '.join(CHOICES[name])}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_request(f"{name} must be a number")
    if kind is float:
        if not 0.0 <= value <= 1.0:
            raise bad_request(f"{name} must be between 0 and 1")
        return float(value)
    if name == "smsc_error_status":
        if not 1 <= value <= 0xFFFF:
            raise bad_request(f"{name} must be an SMPP error status (1-65535)")
        return int(value)
    if name == "ami_calls_per_minute":
        if not 0 <= value <= 6000:
            raise bad_request(f"{name} must be between 0 (off) and 6000")
        return int(value)
    if name == "smsc_throttle_per_second":
        if not 0 <= value <= 100_000:
            raise bad_request(f"{name} must be between 0 (off) and 100000")
        return int(value)
    if not 0 <= value <= 600_000:
        raise bad_request(f"{name} must be between 0 and 600000 (ms)")
    return int(value)


class FaultInjector:
    """Holds the current knobs and applies them to business calls (thread-safe)."""

    def __init__(self, counters, rng=None):
        self._lock = threading.Lock()
        self._knobs = Knobs()
        self._counters = counters  # callable(kind): counts each injected fault
        self._rng = rng or random.Random()

    @property
    def knobs(self):
        with self._lock:
            return self._knobs

    def configure(self, changes):
        with self._lock:
            self._knobs = self._knobs.updated(changes)
            return self._knobs

    def reset(self):
        with self._lock:
            self._knobs = Knobs()

    def _chance(self, rate):
        with self._lock:
            return rate > 0 and self._rng.random() < rate

    # -- before the handler ---------------------------------------------------
    def wait(self, knobs):
        delay_ms = knobs.latency_ms
        if knobs.latency_jitter_ms:
            with self._lock:
                jitter = self._rng.uniform(-1, 1) * knobs.latency_jitter_ms
            delay_ms = max(0.0, delay_ms + jitter)
        if delay_ms:
            time.sleep(delay_ms / 1000)

    def refusal(self, knobs, render_unavailable):
        """The answer replacing the call (outage, random 503), or None.

        ``render_unavailable(message)`` builds the protocol's 503 answer.
        """
        if knobs.outage:
            self._counters("outage")
            if knobs.outage_mode == "reset":
                return Response(0, reset_connection=True)
            return render_unavailable("billing is down (simulated outage)")
        if self._chance(knobs.error_rate):
            self._counters("error")
            return render_unavailable("billing is overloaded (simulated error)")
        return None

    # -- after the handler ----------------------------------------------------
    def spoil(self, knobs, response, protocol):
        """The handler's answer, spoiled as the knobs say."""
        if knobs.xml_bomb and protocol == "soap":
            self._counters("xml_bomb")
            response.body = with_xml_bomb(response.body)
        if knobs.oversized:
            self._counters("oversized")
            response.body = oversized(response.body, protocol)
        if self._chance(knobs.malformed_rate):
            self._counters("malformed")
            response.body = truncated(response.body)
        return response


def unavailable_json(message):
    return error_response(503, "UNAVAILABLE", message, {"Retry-After": "1"})


def truncated(body):
    """Half of the body: an unclosed JSON object or XML element, never parseable."""
    return body[: len(body) // 2] or b"{"


def oversized(body, protocol):
    """The answer padded to about 20 MB while staying well-formed."""
    padding = b"x" * OVERSIZED_BYTES
    if protocol == "soap":
        return body + b"<!--" + padding + b"-->"
    if body.rstrip().endswith(b"}"):
        return body.rstrip()[:-1] + b', "padding": "' + padding + b'"}'
    return body + b" " * OVERSIZED_BYTES


def xml_bomb_doctype(root_name="soap:Envelope"):
    entities = ['<!ENTITY lol0 "lol">']
    for level in range(1, BOMB_DEPTH + 1):
        entities.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    return f"<!DOCTYPE {root_name} [{''.join(entities)}]>"


def with_xml_bomb(body):
    """The SOAP envelope behind an entity-expansion DOCTYPE, referencing it.

    The reference sits in a SOAP header, so a parser that expands entities builds
    gigabytes; a safe one (zeep's forbid_entities, lxml resolve_entities=False)
    refuses or ignores it.
    """
    text = body.decode()
    if text.startswith("<?xml"):
        text = text[text.index("?>") + 2 :]
    root_end = text.index(">") + 1
    bomb = f'<soap:Header><bomb xmlns="urn:telecom:billing:v1">&lol{BOMB_DEPTH};</bomb>'
    bomb += "</soap:Header>"
    document = xml_bomb_doctype() + text[:root_end] + bomb + text[root_end:]
    return ('<?xml version="1.0" encoding="utf-8"?>' + document).encode()
