"""The operator's PBX: an Asterisk Manager Interface (AMI) server over TCP.

Standard library only. A client connects, reads the banner
(``Asterisk Call Manager/7.0.3``), logs in (``Action: Login`` with the configured
``Username``/``Secret``), then receives the call events of every call the PBX
plays, each with a ``Timestamp`` (as ``timestampevents = yes`` in manager.conf):
``Newchannel``, ``QueueCallerJoin``, ``AgentCalled``, ``DialBegin``, ``DialEnd``,
``AgentConnect``, ``BridgeEnter``, ``VarSet`` (``MIXMONITOR_FILENAME``, the
recording), ``BlindTransfer``, ``QueueCallerAbandon``, ``QueueCallerLeave``,
``BridgeLeave``, ``Hangup``. Actions answered: ``Login``, ``Logoff``, ``Ping``,
``Events``, ``Originate`` (queued: the agent's phone rings, then the number is
dialled and an ``OriginateResponse`` event carries the action's ``ActionID``);
anything else is an ``Error``.

Calls are played by scenario (``answer``, ``missed``, ``abandon``, ``transfer``,
``outbound``): on demand through ``/__admin/ami/calls`` (count, rate per minute,
callers, agents, queue, timings) or as background traffic with the knob
``ami_calls_per_minute``. Knobs (``/__admin/config``): ``ami_calls_per_minute``,
``ami_missed_rate``, ``ami_abandon_rate``, ``ami_transfer_rate`` (mix of the
background traffic), ``ami_wait_ms``, ``ami_ring_ms``, ``ami_talk_ms`` (timings
of the background traffic and of originated calls) and ``ami_outage`` (every
connection closed at once).
"""

import itertools
import logging
import random
import socket
import socketserver
import threading
import time
from collections import Counter, deque

from .errors import bad_request

_logger = logging.getLogger("simulator.ami")

BANNER = "Asterisk Call Manager/7.0.3\r\n"
EOL = "\r\n"
MAX_KEPT = 20000
MAX_CALLS_PER_REQUEST = 10000
SCENARIOS = ("answer", "missed", "abandon", "transfer", "outbound")
# callers of the background traffic: subscribers of the seed and a stranger
DEFAULT_CALLERS = ("+79161697516", "+79038543017", "+79162479459", "+79990000000")
DEFAULT_AGENTS = ("101", "102")
DEFAULT_QUEUE = "support"
QUEUE_NUMBER = "8800"
TRUNK = "PJSIP/trunk"


def parse_message(text):
    """One AMI message (``Key: Value`` lines) as a dict; repeated keys as lists."""
    message = {}
    for line in text.split("\n"):
        key, separator, value = line.strip("\r").partition(":")
        if not separator:
            continue
        key, value = key.strip(), value.strip()
        if key in message:
            previous = message[key]
            message[key] = (
                [*previous, value]
                if isinstance(previous, list)
                else [
                    previous,
                    value,
                ]
            )
        else:
            message[key] = value
    return message


def render(message):
    lines = []
    for key, value in message.items():
        for item in value if isinstance(value, list) else [value]:
            lines.append(f"{key}: {item}")
    return (EOL.join(lines) + EOL + EOL).encode()


class AmiSession:
    """One manager connection."""

    def __init__(self, connection):
        self.connection = connection
        self.write_lock = threading.Lock()
        self.username = None
        self.events = True

    def send(self, message):
        with self.write_lock:
            self.connection.sendall(render(message))


class AmiHandler(socketserver.StreamRequestHandler):
    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self):
        pbx = self.server.pbx
        session = AmiSession(self.connection)
        if pbx.knobs().ami_outage:
            pbx.count("outage")
            return
        try:
            self.connection.sendall(BANNER.encode())
            while True:
                text = self._read_message()
                if text is None:
                    return
                if pbx.knobs().ami_outage:
                    pbx.count("outage")
                    return
                if not pbx.answer(session, parse_message(text)):
                    return
        except OSError:
            return
        finally:
            pbx.disconnected(session)

    def _read_message(self):
        lines = []
        while True:
            raw = self.rfile.readline(65536)
            if not raw:
                return None
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line:
                lines.append(line)
            elif lines:
                return "\n".join(lines)


class AmiServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, pbx):
        super().__init__(address, AmiHandler)
        self.pbx = pbx


class Pbx:
    """The PBX: manager sessions, scripted calls, originates.

    ``knobs`` returns the simulator's current knobs.
    """

    def __init__(self, knobs, username, secret, rng=None):
        self.knobs = knobs
        self.username = username
        self.secret = secret
        self.lock = threading.RLock()
        self._rng = rng or random.Random()
        self._sessions = set()
        self._ids = itertools.count(1)
        self._server = None
        self._stop = threading.Event()
        self.port = None
        self.reset()

    # -- lifecycle ---------------------------------------------------------------
    def start(self, host, port):
        """Listen on host:port in background threads; False if the port is taken."""
        try:
            self._server = AmiServer((host, port), self)
        except OSError as error:
            _logger.error("AMI cannot listen on %s:%s: %s", host, port, error)
            return False
        self.port = self._server.server_address[1]
        threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.2},
            daemon=True,
        ).start()
        threading.Thread(target=self._background_traffic, daemon=True).start()
        _logger.info("PBX (AMI) listening on %s:%s", host, self.port)
        return True

    def stop(self):
        self._stop.set()
        if not self._server:
            return
        self._server.shutdown()
        self._server.server_close()
        for session in list(self._sessions):
            try:
                session.connection.close()
            except OSError:
                pass

    def reset(self):
        with self.lock:
            self.counters = Counter()
            self.originates = deque(maxlen=MAX_KEPT)
            self.calls = deque(maxlen=MAX_KEPT)
            self.events_sent = 0
            self._generation = getattr(self, "_generation", 0) + 1

    def snapshot(self):
        with self.lock:
            return {
                "port": self.port,
                "sessions": sum(1 for s in self._sessions if s.username),
                "counters": dict(self.counters),
                "events_sent": self.events_sent,
                "originates": list(self.originates),
                "calls": list(self.calls),
            }

    def count(self, name):
        with self.lock:
            self.counters[name] += 1

    # -- actions -----------------------------------------------------------------
    def answer(self, session, message):
        """Answer one action; False when the connection must close."""
        action = str(message.get("Action", "")).lower()
        reply = {"Response": "Success"}
        if "ActionID" in message:
            reply["ActionID"] = message["ActionID"]
        if action == "login":
            return self._login(session, message, reply)
        if action == "logoff":
            session.send({**reply, "Response": "Goodbye", "Message": "Goodbye"})
            return False
        if not session.username:
            session.send(
                {**reply, "Response": "Error", "Message": "Authentication Required"}
            )
            return True
        if action == "ping":
            self.count("ping")
            session.send({**reply, "Ping": "Pong", "Timestamp": f"{time.time():.6f}"})
        elif action == "events":
            session.events = str(message.get("EventMask", "on")).lower() != "off"
            session.send({**reply, "Events": "On" if session.events else "Off"})
        elif action == "originate":
            self._originate(session, message, reply)
        else:
            self.count("unknown_action")
            session.send(
                {
                    **reply,
                    "Response": "Error",
                    "Message": "Invalid/unknown command",
                }
            )
        return True

    def _login(self, session, message, reply):
        if (
            message.get("Username") != self.username
            or message.get("Secret") != self.secret
        ):
            self.count("login_refused")
            session.send(
                {**reply, "Response": "Error", "Message": "Authentication failed"}
            )
            return False
        session.username = self.username
        session.events = str(message.get("Events", "on")).lower() != "off"
        self.count("login")
        session.send({**reply, "Message": "Authentication accepted"})
        with self.lock:
            self._sessions.add(session)
        session.send(
            {
                "Event": "FullyBooted",
                "Privilege": "system,all",
                "Status": "Fully Booted",
            }
        )
        return True

    def disconnected(self, session):
        with self.lock:
            self._sessions.discard(session)

    def _originate(self, session, message, reply):
        channel = str(message.get("Channel", ""))
        number = str(message.get("Exten", ""))
        if not channel or not number:
            self.count("originate_refused")
            session.send(
                {
                    **reply,
                    "Response": "Error",
                    "Message": "Channel and Exten are required",
                }
            )
            return
        agent = channel.partition("/")[2] or channel
        variables = message.get("Variable", [])
        originate = {
            "action_id": message.get("ActionID"),
            "channel": channel,
            "exten": number,
            "context": message.get("Context"),
            "caller_id": message.get("CallerID"),
            "variables": variables if isinstance(variables, list) else [variables],
            "received_at": time.time(),
        }
        with self.lock:
            self.originates.append(originate)
        self.count("originate")
        session.send({**reply, "Message": "Originate successfully queued"})
        knobs = self.knobs()
        self.play(
            {
                "scenario": "outbound",
                "caller": number,
                "agent": agent,
                "action_id": message.get("ActionID"),
                "ring_ms": knobs.ami_ring_ms,
                "talk_ms": knobs.ami_talk_ms,
            }
        )

    # -- events ------------------------------------------------------------------
    def broadcast(self, event):
        event = {**event, "Timestamp": f"{time.time():.6f}"}
        with self.lock:
            sessions = [s for s in self._sessions if s.username and s.events]
            self.events_sent += 1
        for session in sessions:
            try:
                session.send(event)
            except OSError:
                self.disconnected(session)

    # -- calls -------------------------------------------------------------------
    def new_linkedid(self):
        return f"{int(time.time())}.{next(self._ids)}"

    def play(self, call):
        """Play one call (a dict: scenario, caller, agent...) in its own thread."""
        call = {**call}
        call.setdefault("linkedid", self.new_linkedid())
        with self.lock:
            self.calls.append(
                {
                    key: call.get(key)
                    for key in ("linkedid", "scenario", "caller", "agent", "queue")
                }
            )
        self.count(f"call_{call['scenario']}")
        threading.Thread(target=self._run_flow, args=(call,), daemon=True).start()
        return call["linkedid"]

    def play_many(self, request):
        """Plan ``count`` calls of ``request`` at ``per_minute``; their linkedids."""
        calls = calls_of_request(request)
        per_minute = request.get("per_minute") or 0
        spacing = 60.0 / per_minute if per_minute else 0.0
        linkedids = [self.new_linkedid() for _call in calls]
        generation = self._generation

        def run():
            start = time.monotonic()
            for index, (call, linkedid) in enumerate(
                zip(calls, linkedids, strict=True)
            ):
                delay = start + index * spacing - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                if self._stop.is_set() or generation != self._generation:
                    return
                self.play({**call, "linkedid": linkedid})

        threading.Thread(target=run, daemon=True).start()
        return linkedids

    def _run_flow(self, call):
        generation = self._generation
        for delay_ms, event in flow(call):
            if delay_ms:
                time.sleep(delay_ms / 1000)
            if self._stop.is_set() or generation != self._generation:
                return
            self.broadcast(event)

    def _background_traffic(self):
        next_call = time.monotonic()
        while not self._stop.wait(0.1):
            knobs = self.knobs()
            if not knobs.ami_calls_per_minute:
                next_call = time.monotonic()
                continue
            if time.monotonic() < next_call:
                continue
            next_call += 60.0 / knobs.ami_calls_per_minute
            self.play(self._random_call(knobs))

    def _random_call(self, knobs):
        draw = self._rng.random()
        scenario = "answer"
        for name, rate in (
            ("missed", knobs.ami_missed_rate),
            ("abandon", knobs.ami_abandon_rate),
            ("transfer", knobs.ami_transfer_rate),
        ):
            if draw < rate:
                scenario = name
                break
            draw -= rate
        agents = list(DEFAULT_AGENTS)
        self._rng.shuffle(agents)
        return {
            "scenario": scenario,
            "caller": self._rng.choice(DEFAULT_CALLERS),
            "agent": agents[0],
            "transfer_to": agents[1],
            "queue": DEFAULT_QUEUE,
            "wait_ms": knobs.ami_wait_ms,
            "ring_ms": knobs.ami_ring_ms,
            "talk_ms": knobs.ami_talk_ms,
            "recording": True,
        }


def calls_of_request(request):
    """The calls a ``/__admin/ami/calls`` body asks for (400 on a bad one)."""
    if not isinstance(request, dict):
        raise bad_request("the body must be a JSON object")
    count = request.get("count", 1)
    if not isinstance(count, int) or not 1 <= count <= MAX_CALLS_PER_REQUEST:
        raise bad_request(f"count must be between 1 and {MAX_CALLS_PER_REQUEST}")
    per_minute = request.get("per_minute", 0)
    if not isinstance(per_minute, int | float) or not 0 <= per_minute <= 60000:
        raise bad_request("per_minute must be between 0 (all at once) and 60000")
    scenario = request.get("scenario", "answer")
    if scenario not in SCENARIOS:
        raise bad_request(f"scenario must be one of {', '.join(SCENARIOS)}")
    callers = _strings(request, "callers", request.get("caller"), DEFAULT_CALLERS)
    agents = _strings(request, "agents", request.get("agent"), DEFAULT_AGENTS)
    timings = {}
    for name, default in (("wait_ms", 500), ("ring_ms", 1000), ("talk_ms", 2000)):
        value = request.get(name, default)
        if not isinstance(value, int) or not 0 <= value <= 600_000:
            raise bad_request(f"{name} must be between 0 and 600000 (ms)")
        timings[name] = value
    queue = request.get("queue", DEFAULT_QUEUE)
    if not isinstance(queue, str) or not queue:
        raise bad_request("queue must be a queue name")
    return [
        {
            "scenario": scenario,
            "caller": callers[index % len(callers)],
            "agent": agents[index % len(agents)],
            "transfer_to": str(
                request.get("transfer_to") or agents[(index + 1) % len(agents)]
            ),
            "queue": queue,
            "recording": bool(request.get("recording", True)),
            **timings,
        }
        for index in range(count)
    ]


def _strings(request, key, single, default):
    values = request.get(key) or ([single] if single else list(default))
    if not isinstance(values, list) or not all(
        isinstance(value, str) and value for value in values
    ):
        raise bad_request(f"{key} must be a list of numbers")
    return values


# -- call flows ---------------------------------------------------------------------
def flow(call):
    """The (delay in ms, event) steps of one call, as Asterisk 18 reports them."""
    if call["scenario"] == "outbound":
        return outbound_flow(call)
    return inbound_flow(call)


def _channel(linkedid, leg, name):
    return {
        "Channel": f"{name}-{linkedid.replace('.', '')}{leg}",
        "Uniqueid": f"{linkedid}{'' if leg == 0 else f'.{leg}'}",
        "Linkedid": linkedid,
    }


def _newchannel(channel, caller, exten, context):
    return {
        "Event": "Newchannel",
        **channel,
        "ChannelState": "0",
        "ChannelStateDesc": "Down",
        "CallerIDNum": caller,
        "CallerIDName": "",
        "Exten": exten,
        "Context": context,
    }


def _dial(kind, caller, callee, callee_number, status=None):
    event = {
        "Event": kind,
        **caller,
        "DestChannel": callee["Channel"],
        "DestUniqueid": callee["Uniqueid"],
        "DestLinkedid": callee["Linkedid"],
        "DestCallerIDNum": callee_number,
        "DialString": callee_number,
    }
    if status:
        event["DialStatus"] = status
    return event


def _bridge(kind, channel, linkedid, number):
    return {
        "Event": kind,
        **channel,
        "BridgeUniqueid": f"bridge-{linkedid}",
        "BridgeType": "basic",
        "CallerIDNum": number,
    }


def _hangup(channel, number, cause=16, text="Normal Clearing"):
    return {
        "Event": "Hangup",
        **channel,
        "CallerIDNum": number,
        "Cause": str(cause),
        "Cause-txt": text,
    }


def inbound_flow(call):
    linkedid, caller_number = call["linkedid"], call["caller"]
    queue, agent = call["queue"], call["agent"]
    caller = _channel(linkedid, 0, TRUNK)
    agent_leg = _channel(linkedid, 1, f"PJSIP/{agent}")
    steps = [
        (0, _newchannel(caller, caller_number, QUEUE_NUMBER, "from-trunk")),
        (
            0,
            {
                "Event": "QueueCallerJoin",
                **caller,
                "CallerIDNum": caller_number,
                "Queue": queue,
                "Position": "1",
                "Count": "1",
            },
        ),
        (call["wait_ms"], _newchannel(agent_leg, agent, agent, "from-queue")),
        (
            0,
            {
                "Event": "AgentCalled",
                **caller,
                "Queue": queue,
                "Interface": f"PJSIP/{agent}",
                "MemberName": agent,
                "DestChannel": agent_leg["Channel"],
                "DestUniqueid": agent_leg["Uniqueid"],
                "DestCallerIDNum": agent,
            },
        ),
        (0, _dial("DialBegin", caller, agent_leg, agent)),
    ]
    scenario = call["scenario"]
    if scenario in ("missed", "abandon"):
        status = "NOANSWER" if scenario == "missed" else "CANCEL"
        steps += [
            (call["ring_ms"], _dial("DialEnd", caller, agent_leg, agent, status)),
            (0, _hangup(agent_leg, agent, 19, "No user responding")),
        ]
        if scenario == "abandon":
            steps.append(
                (
                    0,
                    {
                        "Event": "QueueCallerAbandon",
                        **caller,
                        "Queue": queue,
                        "Position": "1",
                        "OriginalPosition": "1",
                        "HoldTime": str((call["wait_ms"] + call["ring_ms"]) // 1000),
                    },
                )
            )
        steps += [
            (0, {"Event": "QueueCallerLeave", **caller, "Queue": queue, "Count": "0"}),
            (0, _hangup(caller, caller_number)),
        ]
        return steps
    steps += [
        (call["ring_ms"], _dial("DialEnd", caller, agent_leg, agent, "ANSWER")),
        (
            0,
            {
                "Event": "AgentConnect",
                **caller,
                "Queue": queue,
                "Interface": f"PJSIP/{agent}",
                "MemberName": agent,
                "DestChannel": agent_leg["Channel"],
                "DestUniqueid": agent_leg["Uniqueid"],
                "HoldTime": str((call["wait_ms"] + call["ring_ms"]) // 1000),
                "RingTime": str(call["ring_ms"] // 1000),
            },
        ),
        (0, _bridge("BridgeEnter", caller, linkedid, caller_number)),
        (0, _bridge("BridgeEnter", agent_leg, linkedid, agent)),
    ]
    if call.get("recording"):
        steps.append(
            (
                0,
                {
                    "Event": "VarSet",
                    **caller,
                    "Variable": "MIXMONITOR_FILENAME",
                    "Value": f"/var/spool/asterisk/monitor/{linkedid}.wav",
                },
            )
        )
    last_leg, last_number = agent_leg, agent
    if scenario == "transfer":
        target = call["transfer_to"]
        target_leg = _channel(linkedid, 2, f"PJSIP/{target}")
        steps += [
            (
                call["talk_ms"] // 2,
                {
                    "Event": "BlindTransfer",
                    "Result": "Success",
                    "TransfererChannel": agent_leg["Channel"],
                    "TransfererUniqueid": agent_leg["Uniqueid"],
                    "TransfererLinkedid": linkedid,
                    "TransfereeChannel": caller["Channel"],
                    "TransfereeUniqueid": caller["Uniqueid"],
                    "TransfereeLinkedid": linkedid,
                    "Extension": target,
                    "Context": "from-internal",
                },
            ),
            (0, _bridge("BridgeLeave", agent_leg, linkedid, agent)),
            (0, _hangup(agent_leg, agent)),
            (0, _newchannel(target_leg, target, target, "from-internal")),
            (0, _dial("DialBegin", caller, target_leg, target)),
            (call["ring_ms"], _dial("DialEnd", caller, target_leg, target, "ANSWER")),
            (0, _bridge("BridgeEnter", target_leg, linkedid, target)),
        ]
        last_leg, last_number = target_leg, target
        talk_left = call["talk_ms"] - call["talk_ms"] // 2
    else:
        talk_left = call["talk_ms"]
    steps += [
        (talk_left, _bridge("BridgeLeave", last_leg, linkedid, last_number)),
        (0, _hangup(last_leg, last_number)),
        (0, _bridge("BridgeLeave", caller, linkedid, caller_number)),
        (0, _hangup(caller, caller_number)),
    ]
    return steps


def outbound_flow(call):
    """Click-to-call: the agent's phone rings first, then the number is dialled."""
    linkedid, number, agent = call["linkedid"], call["caller"], call["agent"]
    agent_leg = _channel(linkedid, 0, f"PJSIP/{agent}")
    trunk_leg = _channel(linkedid, 1, TRUNK)
    steps = [
        (0, _newchannel(agent_leg, agent, number, "from-internal")),
    ]
    if call.get("action_id"):
        steps.append(
            (
                call["ring_ms"] // 2,
                {
                    "Event": "OriginateResponse",
                    "ActionID": call["action_id"],
                    "Response": "Success",
                    **agent_leg,
                    "Exten": number,
                    "Reason": "4",
                },
            )
        )
    steps += [
        (0, _newchannel(trunk_leg, number, number, "from-internal")),
        (0, _dial("DialBegin", agent_leg, trunk_leg, number)),
        (call["ring_ms"], _dial("DialEnd", agent_leg, trunk_leg, number, "ANSWER")),
        (0, _bridge("BridgeEnter", agent_leg, linkedid, agent)),
        (0, _bridge("BridgeEnter", trunk_leg, linkedid, number)),
        (call["talk_ms"], _bridge("BridgeLeave", trunk_leg, linkedid, number)),
        (0, _hangup(trunk_leg, number)),
        (0, _bridge("BridgeLeave", agent_leg, linkedid, agent)),
        (0, _hangup(agent_leg, agent)),
    ]
    return steps
