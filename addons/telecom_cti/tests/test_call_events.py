from odoo.tests import BaseCase

from ..tools import call_events
from .common import START
from .common import call_events as flow


def folded(events, max_length=4):
    state, pops = {}, []
    for event in events:
        pops += call_events.fold(state, call_events.normalize(event), max_length, 0)
    return state, pops


class TestCallEvents(BaseCase):
    """Folding AMI events into a call: pure functions, no database."""

    def test_answered_call(self):
        state, pops = folded(flow("1.1", "+79160000001", "201", wait=12.5, talk=95.25))
        self.assertEqual(pops, ["201"])
        self.assertEqual(state["direction"], "inbound")
        self.assertEqual(state["number"], "+79160000001")
        self.assertEqual(state["agent_extension"], "201")
        self.assertEqual(state["queue_name"], "t-support")
        self.assertEqual(call_events.outcome(state), "answered")
        self.assertEqual(call_events.durations(state), (12.5, 95.25))
        self.assertEqual(state["start_stamp"], START)

    def test_folding_twice_changes_nothing(self):
        events = flow("1.2", "+79160000001", "201")
        once, _pops = folded(events)
        twice, pops = folded(events + events)
        self.assertEqual(once, twice)
        self.assertEqual(pops, ["201"], "an agent is popped once")

    def test_missed_abandoned_transferred(self):
        missed, _pops = folded(flow("1.3", "+79160000001", "201", scenario="missed"))
        self.assertEqual(call_events.outcome(missed), "missed")
        self.assertEqual(call_events.durations(missed), (10.0, 0.0))
        abandoned, _pops = folded(
            flow("1.4", "+79160000001", "201", scenario="abandon")
        )
        self.assertEqual(call_events.outcome(abandoned), "abandoned")
        transferred, pops = folded(
            flow("1.5", "+79160000001", "201", transfer_to="202")
        )
        self.assertEqual(pops, ["201", "202"])
        self.assertTrue(transferred["transferred"])
        self.assertEqual(transferred["agent_extension"], "202")
        self.assertEqual(call_events.durations(transferred), (10.0, 60.0))

    def test_peer_and_extension(self):
        self.assertEqual(call_events.peer_of("PJSIP/101-0000002a"), "101")
        self.assertEqual(call_events.peer_of("SIP/trunk"), "trunk")
        self.assertTrue(call_events.is_extension("101", 4))
        self.assertFalse(call_events.is_extension("+79160000001", 4))
        self.assertFalse(call_events.is_extension("12345", 4))
