import json
import time
from datetime import datetime, timezone

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.telecom_subscriber.tools.numbering import normalize_msisdn

from ..tools import call_events

CALL_OUTCOMES = [
    ("answered", "Answered"),
    ("missed", "Missed"),
    ("abandoned", "Abandoned"),
]
POP_NOTIFICATION = "telecom_cti/incoming_call"
CARD_VIEW = "telecom_subscriber.res_partner_view_form_telecom_card"


def _to_datetime(stamp):
    if not stamp:
        return False
    return datetime.fromtimestamp(stamp, tz=timezone.utc).replace(tzinfo=None)


class TelecomCtiCall(models.Model):
    """One phone call of an exchange, folded from its AMI events.

    The events of a call (one ``Linkedid``) may come in several batches and a
    batch may come twice: the call keeps what it learnt in ``cti_state`` and
    writes its timeline row (``telecom.interaction``, channel call) once, when
    its first channel hangs up and its caller is known.
    """

    _name = "telecom.cti.call"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Phone Call"
    _order = "start_date desc, id desc"
    _check_company_auto = True
    _rec_name = "number"

    pbx_id = fields.Many2one(
        "telecom.pbx", string="Exchange", required=True, index=True, readonly=True
    )
    linkedid = fields.Char(string="Call ID", required=True, readonly=True)
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound"), ("internal", "Internal")],
        default="inbound",
        readonly=True,
    )
    number = fields.Char(
        string="Phone Number",
        readonly=True,
        help="The caller's number of an inbound call, the called one of an "
        "outbound call.",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Subscriber", index="btree_not_null", tracking=True
    )
    service_id = fields.Many2one(
        "telecom.service",
        index="btree_not_null",
        domain="[('partner_id', '=', partner_id)]",
    )
    agent_id = fields.Many2one("res.users", index="btree_not_null", readonly=True)
    notified_user_ids = fields.Many2many(
        "res.users",
        "telecom_cti_call_notified_user_rel",
        "call_id",
        "user_id",
        string="Agents Rung",
        readonly=True,
    )
    queue_id = fields.Many2one("telecom.cti.queue", readonly=True)
    state = fields.Selection(
        [("ringing", "Ringing"), ("talking", "Talking"), ("ended", "Ended")],
        default="ringing",
        readonly=True,
        index=True,
    )
    start_date = fields.Datetime(readonly=True, index=True)
    answer_date = fields.Datetime(readonly=True)
    end_date = fields.Datetime(readonly=True)
    wait_time = fields.Float(string="Wait (s)", readonly=True, digits=(16, 2))
    talk_time = fields.Float(string="Talk (s)", readonly=True, digits=(16, 2))
    outcome = fields.Selection(CALL_OUTCOMES, readonly=True, index=True)
    transferred = fields.Boolean(readonly=True)
    recording_url = fields.Char(readonly=True)
    interaction_id = fields.Many2one(
        "telecom.interaction",
        string="Timeline Row",
        compute="_compute_interaction_id",
    )
    cti_state = fields.Json(string="Call State", readonly=True, copy=False)
    region_id = fields.Many2one(
        related="partner_id.telecom_region_id", store=True, index=True, string="Zone"
    )
    company_id = fields.Many2one(
        related="pbx_id.company_id", store=True, index=True, readonly=True
    )

    _sql_constraints = [
        (
            "linkedid_pbx_uniq",
            "unique(pbx_id, linkedid)",
            "A call is recorded once per exchange.",
        ),
    ]

    def _compute_interaction_id(self):
        rows = self._cti_timeline_rows()
        for call in self:
            call.interaction_id = rows.get(call._cti_reference(), False)

    def write(self, vals):
        result = super().write(vals)
        if "partner_id" in vals:
            # a caller recognised after the call ended: its row is due now
            self.filtered(lambda call: call.state == "ended")._cti_write_timeline()
        return result

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_open_caller(self):
        """The caller's card, or a new subscriber form with the number."""
        self.ensure_one()
        return self._cti_pop_action()

    # ------------------------------------------------------------------
    # events of the exchange (telecom.pbx._api_receive_events)
    # ------------------------------------------------------------------
    @api.model
    def _cti_apply_events(self, pbx, events):
        """Fold ``events`` (normalized, in order) into the calls of ``pbx``.

        Returns the calls that changed. Agents rung by an inbound call get a
        screen pop; calls that ended get their timeline row and, when missed,
        a call-back.
        """
        events_by_call = {}
        for event in events:
            linkedid = call_events.linked_id(event)
            if linkedid:
                events_by_call.setdefault(linkedid, []).append(event)
        if not events_by_call:
            return self.browse()
        known = {
            call.linkedid: call
            for call in self.search(
                [("pbx_id", "=", pbx.id), ("linkedid", "in", list(events_by_call))]
            )
        }
        states, pops = self._cti_fold(pbx, events_by_call, known)
        if not states:
            return self.browse()
        agents = pbx._agents_by_extension(
            {state.get("agent_extension") for state in states.values()}
            | {extension for _linkedid, extension in pops}
        )
        queues = pbx._queues_by_name(
            {state.get("queue_name") for state in states.values()}
        )
        was_ended = {linkedid for linkedid, call in known.items() if call.end_date}
        calls = self._cti_save(pbx, states, known, agents, queues)
        calls_by_linkedid = {call.linkedid: call for call in calls}
        self._cti_notify(
            [
                (calls_by_linkedid[linkedid], agents[extension])
                for linkedid, extension in pops
                if extension in agents
            ]
        )
        ended = calls.filtered(
            lambda call: call.state == "ended" and call.linkedid not in was_ended
        )
        ended._cti_write_timeline()
        ended._cti_schedule_callbacks()
        return calls

    @api.model
    def _cti_fold(self, pbx, events_by_call, known):
        """{linkedid: new state} of the calls the events changed, and the pops."""
        now = time.time()
        states, pops = {}, []
        for linkedid, events in events_by_call.items():
            call = known.get(linkedid)
            # a deep copy: the cached value must not change under the ORM's eyes
            before = json.dumps((call.cti_state or {}) if call else {}, sort_keys=True)
            state = json.loads(before)
            for event in events:
                for extension in call_events.fold(
                    state, event, pbx.extension_max_length, now
                ):
                    pops.append((linkedid, extension))
            if call and json.dumps(state, sort_keys=True) == before:
                continue  # nothing new: a batch sent again
            states[linkedid] = state
        return states, pops

    @api.model
    def _cti_save(self, pbx, states, known, agents, queues):
        strangers = [
            linkedid
            for linkedid in states
            if linkedid not in known or not known[linkedid].partner_id
        ]
        callers = self._cti_find_callers(
            {states[linkedid].get("number") for linkedid in strangers}
        )
        quiet = self.with_context(tracking_disable=True, mail_create_nolog=True)
        vals_list = []
        for linkedid, state in states.items():
            if linkedid in known:
                continue
            vals = self._cti_state_vals(pbx, state, agents, queues)
            vals.update(self._cti_caller_vals(callers, vals.get("number")))
            vals.update({"pbx_id": pbx.id, "linkedid": linkedid})
            vals_list.append(vals)
        calls = quiet.create(vals_list) if vals_list else self.browse()
        for linkedid, call in known.items():
            if linkedid not in states:
                continue
            vals = self._cti_state_vals(pbx, states[linkedid], agents, queues)
            if not call.partner_id:
                # the number came late (events sent again out of order)
                vals.update(self._cti_caller_vals(callers, vals.get("number")))
            quiet.browse(call.id).write(vals)
            calls |= call
        return calls.with_env(self.env)

    @api.model
    def _cti_caller_vals(self, callers, number):
        partner, service = callers.get(number, (False, False))
        if not partner:
            return {}
        return {"partner_id": partner.id, "service_id": service and service.id}

    @api.model
    def _cti_state_vals(self, pbx, state, agents, queues):
        agent = agents.get(state.get("agent_extension"))
        queue = queues.get(state.get("queue_name"))
        vals = {
            "cti_state": state,
            "direction": state.get("direction", "inbound"),
            "number": state.get("number") or False,
            "start_date": _to_datetime(state.get("start_stamp")),
            "answer_date": _to_datetime(state.get("answer_stamp")),
            "end_date": _to_datetime(state.get("end_stamp")),
            "agent_id": agent.id if agent else False,
            "queue_id": queue.id if queue else False,
            "transferred": bool(state.get("transferred")),
            "recording_url": pbx._recording_link(state.get("recording_file")),
            "state": "ringing",
        }
        if state.get("answer_stamp"):
            vals["state"] = "talking"
        if state.get("end_stamp"):
            wait, talk = call_events.durations(state)
            vals.update(
                {
                    "state": "ended",
                    "outcome": call_events.outcome(state),
                    "wait_time": wait,
                    "talk_time": talk,
                }
            )
        return vals

    @api.model
    def _cti_find_callers(self, numbers):
        """{number: (subscriber, service)}: the live line with that MSISDN first,
        else a contact with that phone number."""
        normalized = {}
        for number in numbers:
            if not number:
                continue
            try:
                normalized[number] = normalize_msisdn(self.env, number)
            except ValidationError:
                normalized[number] = number
        if not normalized:
            return {}
        found = {}
        services = self.env["telecom.service"].search(
            [
                ("msisdn", "in", list(set(normalized.values()))),
                ("state", "!=", "terminated"),
            ]
        )
        for service in services:
            found.setdefault(service.msisdn, (service.partner_id, service))
        missing = list({value for value in normalized.values() if value not in found})
        if missing:
            partners = self.env["res.partner"].search(
                ["|", ("phone", "in", missing), ("mobile", "in", missing)],
                order="telecom_is_subscriber desc, id",
            )
            for partner in partners:
                for phone in (partner.phone, partner.mobile):
                    if phone in missing:
                        found.setdefault(phone, (partner, False))
        return {
            number: found[value]
            for number, value in normalized.items()
            if value in found
        }

    # ------------------------------------------------------------------
    # screen pop, timeline, call-back
    # ------------------------------------------------------------------
    @api.model
    def _cti_notify(self, pops):
        """Pop the caller's card in the browser of each agent rung, once."""
        for call, agent in pops:
            if agent in call.notified_user_ids:
                continue
            call.notified_user_ids = [fields.Command.link(agent.id)]
            agent.partner_id._bus_send(POP_NOTIFICATION, call._cti_pop_payload())

    def _cti_pop_payload(self):
        self.ensure_one()
        return {
            "call_id": self.id,
            "linkedid": self.linkedid,
            "number": self.number or "",
            "queue": self.queue_id.display_name or "",
            "partner_id": self.partner_id.id,
            "partner_name": self.partner_id.display_name or "",
            "service": self.service_id.display_name or "",
            "action": self._cti_pop_action(),
        }

    def _cti_pop_action(self):
        self.ensure_one()
        card = self.env.ref(CARD_VIEW)
        action = {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "views": [[card.id, "form"]],
            "target": "current",
        }
        if self.partner_id:
            action.update({"res_id": self.partner_id.id, "name": self.partner_id.name})
        else:
            action.update(
                {
                    "name": self.env._("New Caller"),
                    "context": {
                        "default_telecom_is_subscriber": True,
                        "default_phone": self.number,
                        "telecom_cti_call_id": self.id,
                    },
                }
            )
        return action

    def _cti_reference(self):
        self.ensure_one()
        return f"cti:{self.pbx_id.code}:{self.linkedid}"

    def _cti_timeline_rows(self):
        """{reference: interaction} of the calls already on the timeline."""
        if not self:
            return {}
        references = [call._cti_reference() for call in self]
        rows = self.env["telecom.interaction"].search(
            [("external_reference", "in", references), ("channel", "=", "call")]
        )
        return {row.external_reference: row for row in rows}

    def _cti_write_timeline(self):
        """ONE timeline row per ended call whose caller is known."""
        calls = self.filtered(lambda call: call.partner_id and call.end_date)
        existing = calls._cti_timeline_rows()
        vals_list = [
            call._cti_interaction_vals()
            for call in calls
            if call._cti_reference() not in existing
        ]
        if vals_list:
            self.env["telecom.interaction"].create(vals_list)

    def _cti_interaction_vals(self):
        self.ensure_one()
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        directions = dict(self._fields["direction"]._description_selection(self.env))
        return {
            "partner_id": self.partner_id.id,
            "service_id": self.service_id.id,
            "channel": "call",
            "direction": self.direction,
            "agent_id": self.agent_id.id,
            "date": self.start_date,
            "summary": self.env._(
                "%(direction)s call %(number)s: %(outcome)s",
                direction=directions.get(self.direction, ""),
                number=self.number or "",
                outcome=outcomes.get(self.outcome, ""),
            ),
            "outcome": False if self.outcome == "answered" else "no_answer",
            "duration": round(self.talk_time / 60.0, 2),
            "external_reference": self._cti_reference(),
            "res_model": self._name,
            "res_id": self.id,
            "company_id": self.company_id.id,
            "cti_queue_id": self.queue_id.id,
            "cti_call_outcome": self.outcome,
            "cti_wait_time": self.wait_time,
            "cti_talk_time": self.talk_time,
            "cti_recording_url": self.recording_url,
            "cti_transferred": self.transferred,
        }

    def _cti_schedule_callbacks(self):
        """A call-back for the queue's team of every missed inbound call."""
        missed = self.filtered(
            lambda call: (
                call.direction == "inbound" and call.outcome in ("missed", "abandoned")
            )
        )
        if not missed:
            return
        activity_type = self.env.ref("telecom_cti.mail_activity_type_call_back")
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = []
        for call in missed:
            user = (
                call.queue_id._callback_user()
                if call.queue_id
                else call.pbx_id.callback_user_id
            )
            if not user:
                continue
            vals_list.append(
                {
                    "activity_type_id": activity_type.id,
                    "res_model_id": model_id,
                    "res_id": call.id,
                    "user_id": user.id,
                    "summary": self.env._("Call back %(number)s", number=call.number),
                    "date_deadline": fields.Date.context_today(call),
                }
            )
        if vals_list:
            self.env["mail.activity"].with_context(
                mail_activity_quick_update=True
            ).create(vals_list)
