import json

from odoo.tests import new_test_user

from odoo.addons.bus.models.bus import channel_with_db, json_dump
from odoo.addons.telecom_subscriber.tests.common import GROUP, TelecomCommon

from ..models.telecom_cti_call import POP_NOTIFICATION

TOKEN = "test-cti-token"
START = 1_765_000_000.0  # 2025-12-06 05:46:40 UTC, a fixed time for every call


def call_events(
    linkedid,
    caller,
    agent,
    start=START,
    wait=10.0,
    talk=60.0,
    scenario="answer",
    queue="t-support",
    transfer_to=None,
    recording=True,
):
    """The AMI events of an inbound queue call, as Asterisk reports them, with
    exact timestamps: ``wait`` seconds before the answer, ``talk`` after it."""
    first = {"Uniqueid": linkedid, "Linkedid": linkedid, "Channel": "PJSIP/trunk-1"}
    agent_leg = {
        "Uniqueid": f"{linkedid}.1",
        "Linkedid": linkedid,
        "Channel": f"PJSIP/{agent}-2",
    }

    def at(offset, **event):
        return {**event, "Timestamp": f"{start + offset:.6f}"}

    events = [
        at(0, Event="Newchannel", **first, CallerIDNum=caller, Exten="8800"),
        at(0, Event="QueueCallerJoin", **first, Queue=queue, Position="1"),
        at(1, Event="Newchannel", **agent_leg, CallerIDNum=agent, Exten=agent),
        at(1, Event="AgentCalled", **first, Queue=queue, MemberName=agent),
        at(
            1,
            Event="DialBegin",
            **first,
            DestChannel=agent_leg["Channel"],
            DestUniqueid=agent_leg["Uniqueid"],
            DestCallerIDNum=agent,
        ),
    ]
    if scenario in ("missed", "abandon"):
        events.append(at(wait, Event="Hangup", **agent_leg, CallerIDNum=agent))
        if scenario == "abandon":
            events.append(at(wait, Event="QueueCallerAbandon", **first, Queue=queue))
        events.append(at(wait, Event="Hangup", **first, CallerIDNum=caller))
        return events
    events += [
        at(wait, Event="AgentConnect", **first, Queue=queue, MemberName=agent),
        at(wait, Event="BridgeEnter", **first, CallerIDNum=caller),
        at(wait, Event="BridgeEnter", **agent_leg, CallerIDNum=agent),
    ]
    if recording:
        events.append(
            at(
                wait,
                Event="VarSet",
                **first,
                Variable="MIXMONITOR_FILENAME",
                Value=f"/var/spool/asterisk/monitor/{linkedid}.wav",
            )
        )
    if transfer_to:
        target = {
            "Uniqueid": f"{linkedid}.2",
            "Linkedid": linkedid,
            "Channel": f"PJSIP/{transfer_to}-3",
        }
        events += [
            at(
                wait + talk / 2,
                Event="BlindTransfer",
                TransfereeLinkedid=linkedid,
                TransfererLinkedid=linkedid,
                Extension=transfer_to,
            ),
            at(wait + talk / 2, Event="Hangup", **agent_leg, CallerIDNum=agent),
            at(
                wait + talk / 2,
                Event="DialBegin",
                **first,
                DestChannel=target["Channel"],
                DestUniqueid=target["Uniqueid"],
                DestCallerIDNum=transfer_to,
            ),
            at(
                wait + talk / 2 + 2,
                Event="BridgeEnter",
                **target,
                CallerIDNum=transfer_to,
            ),
        ]
    events += [
        at(wait + talk, Event="Hangup", **agent_leg, CallerIDNum=agent),
        at(wait + talk, Event="Hangup", **first, CallerIDNum=caller),
    ]
    return events


class CtiCommon(TelecomCommon):
    """TelecomCommon with an exchange, its integration user, a queue of two
    agents (extensions 201 and 202) and a subscriber with a mobile line."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration_user = new_test_user(
            cls.env, login="t_cti_integration", groups=GROUP + "integration"
        )
        cls.pbx = cls.env["telecom.pbx"].create(
            {
                "name": "T Exchange",
                "code": "T-PBX",
                "ami_username": "telecom",
                "api_token": TOKEN,
                "user_id": cls.integration_user.id,
                "recording_url": "https://pbx.test/recordings/{filename}",
            }
        )
        cls.agent = cls.front_office
        cls.agent.write(
            {"telecom_cti_extension": "201", "telecom_cti_pbx_id": cls.pbx.id}
        )
        cls.agent_two = new_test_user(
            cls.env,
            login="t_front_north_2",
            groups=GROUP + "front_office",
            telecom_region_ids=[(6, 0, cls.zone_north.ids)],
            telecom_cti_extension="202",
        )
        cls.queue = cls.env["telecom.cti.queue"].create(
            {
                "name": "t-support",
                "label": "T Support",
                "pbx_id": cls.pbx.id,
                "member_ids": [(6, 0, (cls.agent | cls.agent_two).ids)],
                "callback_user_id": cls.agent_two.id,
            }
        )
        cls.subscriber, cls.account = cls._create_subscriber("Caller One")
        cls.line = cls._activate_line(cls.account)
        cls.Call = cls.env["telecom.cti.call"]
        # notifications of the set-up are written now: TransactionCase restores a
        # shallow copy of the pending ones after each test, so a list pending
        # here would carry one test's screen pops into the next
        cls.env.cr.flush()

    def _receive(self, events):
        """Events pushed by the connector, recorded as the integration user."""
        return self.pbx.with_user(self.integration_user)._api_receive_events(events)

    def _call(self, linkedid):
        return self.Call.search(
            [("pbx_id", "=", self.pbx.id), ("linkedid", "=", linkedid)]
        )

    def _rows(self, linkedid):
        return self.env["telecom.interaction"].search(
            [("external_reference", "=", f"cti:{self.pbx.code}:{linkedid}")]
        )

    def _pops(self, user, env=None):
        """Payloads of the screen pops sent on the bus to ``user``."""
        env = env or self.env
        env.cr.flush()  # the bus writes its notifications before commit
        channel = json_dump(channel_with_db(env.cr.dbname, user.partner_id))
        notifications = env["bus.bus"].sudo().search([("channel", "=", channel)])
        messages = [json.loads(n.message) for n in notifications]
        return [m["payload"] for m in messages if m["type"] == POP_NOTIFICATION]
