import random

from odoo.tests import tagged

from .common import START, CtiCommon, call_events


@tagged("post_install", "-at_install")
class TestCallFlow(CtiCommon):
    """AMI events of the exchange → one call, a screen pop, one timeline row."""

    def test_answered_call_pops_the_card_and_writes_one_row(self):
        events = call_events(
            "1765000000.1", self.line.msisdn, "201", wait=12.5, talk=95.25
        )
        ringing, rest = events[:5], events[5:]
        self._receive(ringing)
        call = self._call("1765000000.1")
        self.assertEqual(call.state, "ringing")
        self.assertEqual(call.partner_id, self.subscriber)
        self.assertEqual(call.service_id, self.line)
        [pop] = self._pops(self.agent)
        self.assertEqual(pop["partner_id"], self.subscriber.id)
        self.assertEqual(pop["number"], self.line.msisdn)
        self.assertEqual(pop["queue"], "T Support")
        self.assertEqual(pop["action"]["res_model"], "res.partner")
        self.assertEqual(pop["action"]["res_id"], self.subscriber.id)
        card = self.env.ref("telecom_subscriber.res_partner_view_form_telecom_card")
        self.assertEqual(pop["action"]["views"], [[card.id, "form"]])
        self.assertFalse(self._pops(self.agent_two), "only the agent rung")
        self.assertFalse(self._rows("1765000000.1"), "no row while it rings")

        self._receive(rest)
        self.assertEqual(call.state, "ended")
        [row] = self._rows("1765000000.1")
        self.assertEqual(
            (row.partner_id, row.service_id, row.channel, row.direction),
            (self.subscriber, self.line, "call", "inbound"),
        )
        self.assertEqual(row.agent_id, self.agent)
        self.assertEqual(row.cti_queue_id, self.queue)
        self.assertEqual(row.cti_call_outcome, "answered")
        self.assertAlmostEqual(row.cti_wait_time, 12.5)
        self.assertAlmostEqual(row.cti_talk_time, 95.25)
        self.assertAlmostEqual(row.duration, round(95.25 / 60, 2))
        self.assertEqual(
            row.cti_recording_url, "https://pbx.test/recordings/1765000000.1.wav"
        )
        self.assertEqual((row.res_model, row.res_id), (call._name, call.id))
        self.assertEqual(call.interaction_id, row)
        self.assertFalse(call.activity_ids, "an answered call needs no call-back")

    def test_events_sent_again_change_nothing(self):
        events = call_events("1765000000.2", self.line.msisdn, "201")
        self._receive(events)
        self._receive(events)
        self._receive(events[3:])
        self.assertEqual(len(self._call("1765000000.2")), 1)
        self.assertEqual(len(self._rows("1765000000.2")), 1)
        self.assertEqual(len(self._pops(self.agent)), 1)

    def test_unknown_caller_pops_a_new_caller_form(self):
        events = call_events("1765000000.3", "+79169990011", "201")
        self._receive(events)
        call = self._call("1765000000.3")
        self.assertFalse(call.partner_id)
        self.assertFalse(self._rows("1765000000.3"), "no row without a subscriber")
        [pop] = self._pops(self.agent)
        self.assertFalse(pop["partner_id"])
        context = pop["action"]["context"]
        self.assertEqual(context["default_phone"], "+79169990011")
        self.assertEqual(context["telecom_cti_call_id"], call.id)
        # the agent saves the new caller's form: the call is theirs
        partner = (
            self.env["res.partner"]
            .with_user(self.agent)
            .with_context(**context)
            .create({"name": "New Caller", "telecom_region_id": self.zone_north.id})
        )
        self.assertEqual(call.partner_id, partner)
        [row] = self._rows("1765000000.3")
        self.assertEqual(row.partner_id, partner)
        self.assertEqual(row.cti_call_outcome, "answered")

    def test_missed_call_creates_a_call_back_for_the_queue_team(self):
        self._receive(
            call_events("1765000000.4", self.line.msisdn, "201", scenario="missed")
        )
        call = self._call("1765000000.4")
        self.assertEqual(call.outcome, "missed")
        [row] = self._rows("1765000000.4")
        self.assertEqual((row.cti_call_outcome, row.outcome), ("missed", "no_answer"))
        self.assertEqual(row.cti_talk_time, 0.0)
        [callback] = call.activity_ids
        self.assertEqual(callback.user_id, self.agent_two)
        self.assertEqual(
            callback.activity_type_id,
            self.env.ref("telecom_cti.mail_activity_type_call_back"),
        )
        self.assertIn(self.line.msisdn, callback.summary)
        # the responsible sees the call and its call-back
        self.assertEqual(
            self.Call.with_user(self.agent_two).search(
                [("activity_user_id", "=", self.agent_two.id)]
            ),
            call,
        )

    def test_abandoned_call(self):
        self._receive(
            call_events("1765000000.5", self.line.msisdn, "201", scenario="abandon")
        )
        call = self._call("1765000000.5")
        self.assertEqual(call.outcome, "abandoned")
        self.assertEqual(len(call.activity_ids), 1)
        self.assertEqual(self._rows("1765000000.5").cti_call_outcome, "abandoned")

    def test_transfer_pops_both_agents_and_keeps_the_last(self):
        self._receive(
            call_events("1765000000.6", self.line.msisdn, "201", transfer_to="202")
        )
        call = self._call("1765000000.6")
        self.assertEqual(call.agent_id, self.agent_two)
        self.assertTrue(call.transferred)
        self.assertEqual(len(self._pops(self.agent)), 1)
        self.assertEqual(len(self._pops(self.agent_two)), 1)
        [row] = self._rows("1765000000.6")
        self.assertTrue(row.cti_transferred)
        self.assertEqual(row.agent_id, self.agent_two)

    def test_outbound_call(self):
        first = {"Uniqueid": "1765000000.7", "Linkedid": "1765000000.7"}
        trunk = {"Uniqueid": "1765000000.7.1", "Linkedid": "1765000000.7"}

        def at(offset, **event):
            return {**event, "Timestamp": str(START + offset)}

        self._receive(
            [
                at(
                    0,
                    Event="Newchannel",
                    **first,
                    CallerIDNum="201",
                    Exten=self.line.msisdn,
                ),
                at(3, Event="DialBegin", **first, DestCallerIDNum=self.line.msisdn),
                at(8, Event="BridgeEnter", **first, CallerIDNum="201"),
                at(8, Event="BridgeEnter", **trunk, CallerIDNum=self.line.msisdn),
                at(38, Event="Hangup", **trunk),
                at(38, Event="Hangup", **first),
            ]
        )
        call = self._call("1765000000.7")
        self.assertEqual((call.direction, call.agent_id), ("outbound", self.agent))
        self.assertEqual(call.partner_id, self.subscriber)
        self.assertEqual((call.wait_time, call.talk_time), (8.0, 30.0))
        self.assertFalse(self._pops(self.agent), "no pop for the agent's own call")
        [row] = self._rows("1765000000.7")
        self.assertEqual(row.direction, "outbound")

    def test_fifty_calls_a_minute_none_lost_or_doubled(self):
        """A minute of traffic: 50 calls started 1.2 s apart, their events
        interleaved in time order, delivered in batches of 7 with every batch
        sent twice (a retry) and some older batch sent again later."""
        agents = ["201", "202"]
        events = []
        for index in range(50):
            events += call_events(
                f"1765001000.{index}",
                self.line.msisdn if index % 2 else f"+7916555{index:04d}",
                agents[index % 2],
                start=START + index * 1.2,
                wait=3.0 + index % 5,
                talk=20.0 + index,
                scenario="missed" if index % 10 == 9 else "answer",
            )
        events.sort(key=lambda event: float(event["Timestamp"]))
        batches = [events[i : i + 7] for i in range(0, len(events), 7)]
        rng = random.Random(50)
        for index, batch in enumerate(batches):
            self._receive(batch)
            self._receive(batch)
            if index > 3 and rng.random() < 0.2:
                self._receive(batches[index - rng.randint(1, 3)])
        calls = self.Call.search([("linkedid", "=like", "1765001000.%")])
        self.assertEqual(len(calls), 50)
        self.assertEqual(set(calls.mapped("state")), {"ended"})
        rows = self.env["telecom.interaction"].search(
            [("external_reference", "=like", "cti:T-PBX:1765001000.%")]
        )
        self.assertEqual(len(rows), 25, "one row per call of a known subscriber")
        self.assertEqual(
            len(calls.filtered("partner_id")), 25, "the others are strangers"
        )
        for call in calls:
            index = int(call.linkedid.split(".")[1])
            expected_talk = 0.0 if index % 10 == 9 else 20.0 + index
            self.assertAlmostEqual(call.talk_time, expected_talk, msg=call.linkedid)
            self.assertAlmostEqual(call.wait_time, 3.0 + index % 5, msg=call.linkedid)
        self.assertEqual(len(calls.activity_ids), 5, "one call-back per missed call")
        pops = self._pops(self.agent) + self._pops(self.agent_two)
        self.assertEqual(len(pops), 50)
        self.assertEqual(len({pop["linkedid"] for pop in pops}), 50)
