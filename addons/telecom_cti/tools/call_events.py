"""Pure functions folding Asterisk Manager Interface events into one call.

A call is every channel of one ``Linkedid``; its first channel (``Uniqueid`` equal
to the ``Linkedid``) is the caller's for an inbound call and the agent's for a
click-to-call. Folding is idempotent: an event applied twice (a batch the connector
sent again) changes nothing, so the state of a call only depends on which events
arrived, never on how often.
"""

import re

# the events the connector forwards (the others are not read)
HANDLED_EVENTS = frozenset(
    {
        "newchannel",
        "queuecallerjoin",
        "agentcalled",
        "dialbegin",
        "agentconnect",
        "bridgeenter",
        "blindtransfer",
        "attendedtransfer",
        "queuecallerabandon",
        "varset",
        "hangup",
        "originateresponse",
    }
)
RECORDING_VARIABLE = "MIXMONITOR_FILENAME"
_CHANNEL = re.compile(r"^[^/]+/(?P<peer>[^-]+)")


def normalize(event):
    """The event with lower-case keys and text values (AMI headers ignore case),
    its name in lower case."""
    if not isinstance(event, dict):
        return {}
    normalized = {str(key).lower(): str(value) for key, value in event.items()}
    if "event" in normalized:
        normalized["event"] = normalized["event"].lower()
    return normalized


def linked_id(event):
    """The call an event belongs to (transfers name it by their legs)."""
    return (
        event.get("linkedid")
        or event.get("transfereelinkedid")
        or event.get("transfererlinkedid")
        or event.get("uniqueid")
        or ""
    )


def stamp(event, default):
    """The event's time (epoch seconds): its ``Timestamp`` else ``default``."""
    try:
        return float(event.get("timestamp") or default)
    except ValueError:
        return float(default)


def peer_of(channel):
    """``PJSIP/101-00000012`` → ``101``."""
    match = _CHANNEL.match(channel or "")
    return match.group("peer") if match else ""


def is_extension(number, max_length):
    """Whether ``number`` is an internal extension (short, digits only)."""
    return bool(number) and number.isdigit() and len(number) <= max_length


def fold(state, event, max_length, default_stamp):
    """Apply ``event`` to the call ``state`` (a dict, changed in place).

    Returns the extensions that start ringing for an inbound call (screen pops).
    Keys of ``state``: direction, number, agent_extension, agent_stamp,
    queue_name, start_stamp, answer_stamp, end_stamp, abandoned, transferred,
    recording_file, rung (extensions already rung).
    """
    kind = event.get("event", "")
    when = stamp(event, default_stamp)
    first_leg = event.get("uniqueid") == linked_id(event)
    if "start_stamp" not in state or when < state["start_stamp"]:
        state["start_stamp"] = when
    if kind == "newchannel" and first_leg:
        _fold_first_channel(state, event, max_length)
    elif kind == "queuecallerjoin":
        state["queue_name"] = event.get("queue") or state.get("queue_name")
    elif kind in ("agentcalled", "dialbegin"):
        return _fold_dial(state, event, max_length)
    elif kind in ("bridgeenter", "agentconnect") and (
        not first_leg or kind == "agentconnect"
    ):
        _fold_answer(state, event, when, max_length)
    elif kind in ("blindtransfer", "attendedtransfer"):
        state["transferred"] = True
    elif kind == "queuecallerabandon":
        state["abandoned"] = True
        state["queue_name"] = event.get("queue") or state.get("queue_name")
    elif kind == "varset" and event.get("variable") == RECORDING_VARIABLE:
        state["recording_file"] = event.get("value")
    elif kind == "hangup" and first_leg and not state.get("end_stamp"):
        state["end_stamp"] = when
    return []


def _fold_first_channel(state, event, max_length):
    caller = event.get("calleridnum", "")
    dialled = event.get("exten", "")
    if is_extension(caller, max_length):
        state["direction"] = (
            "internal" if is_extension(dialled, max_length) else "outbound"
        )
        state["agent_extension"] = caller
        state["number"] = dialled
    else:
        state["direction"] = "inbound"
        state["number"] = caller


def _fold_dial(state, event, max_length):
    callee = event.get("destcalleridnum") or peer_of(event.get("destchannel"))
    if state.get("direction", "inbound") != "inbound":
        if not state.get("number") and not is_extension(callee, max_length):
            state["number"] = callee
        return []
    if not is_extension(callee, max_length):
        return []
    rung = state.setdefault("rung", [])
    if callee in rung:
        return []
    rung.append(callee)
    return [callee]


def _fold_answer(state, event, when, max_length):
    if not state.get("answer_stamp") or when < state["answer_stamp"]:
        state["answer_stamp"] = when
    if state.get("direction", "inbound") != "inbound":
        return
    agent = (
        event.get("membername")
        or peer_of(event.get("interface"))
        or event.get("calleridnum")
        or peer_of(event.get("channel"))
    )
    if is_extension(agent, max_length) and when >= state.get("agent_stamp", 0.0):
        state["agent_extension"] = agent
        state["agent_stamp"] = when


def outcome(state):
    """answered, abandoned (the caller gave up waiting) or missed."""
    if state.get("answer_stamp"):
        return "answered"
    if state.get("abandoned"):
        return "abandoned"
    return "missed"


def durations(state):
    """(wait, talk) in seconds of an ended call."""
    start = state["start_stamp"]
    end = state.get("end_stamp") or start
    answer = state.get("answer_stamp")
    wait = (answer or end) - start
    talk = end - answer if answer else 0.0
    return round(max(wait, 0.0), 3), round(max(talk, 0.0), 3)
