"""/__admin endpoints: knobs, reset, state, seed and pushes to Odoo (no knobs here)."""

from . import push
from .errors import bad_request
from .web import ADMIN, json_response


class AdminApi:
    def __init__(self, state, faults):
        self.state = state
        self.faults = faults
        self.smsc = None  # the SMSC (smsc.Smsc) when it runs beside the HTTP server
        self.telegram = None  # the Bot API double (telegram.TelegramApi)
        self.pbx = None  # the PBX (ami.Pbx) when it runs beside the HTTP server

    def register(self, router):
        admin = {"kind": ADMIN}
        router.add("GET", "/__admin/config", self.get_config, **admin)
        router.add("POST", "/__admin/config", self.set_config, **admin)
        router.add("POST", "/__admin/reset", self.reset, **admin)
        router.add("GET", "/__admin/state", self.get_state, **admin)
        router.add("POST", "/__admin/seed", self.seed, **admin)
        router.add("POST", "/__admin/push/alarm", self.push_alarm, **admin)
        router.add("POST", "/__admin/push/billing-event", self.push_events, **admin)
        router.add("POST", "/__admin/ami/calls", self.ami_calls, **admin)

    def get_config(self, request):
        return json_response(200, self.faults.knobs.as_dict())

    def set_config(self, request):
        knobs = self.faults.configure(request.json_object())
        return json_response(200, knobs.as_dict())

    def reset(self, request):
        """State back to the seed, counters cleared, knobs off."""
        initial = request.json_object().get("initial", False)
        self.state.reset(initial=bool(initial))
        self.faults.reset()
        if self.smsc:
            self.smsc.reset()
        if self.telegram:
            self.telegram.reset()
        if self.pbx:
            self.pbx.reset()
        return json_response(200, {"status": "reset"})

    def get_state(self, request):
        smsc = self.smsc.snapshot() if self.smsc else None
        ami = self.pbx.snapshot() if self.pbx else None
        return json_response(
            200,
            {
                "config": self.faults.knobs.as_dict(),
                **self.state.snapshot(),
                "smsc": smsc,
                "ami": ami,
            },
        )

    def seed(self, request):
        body = request.json_object()
        replace = body.get("replace", False)
        if not isinstance(replace, bool):
            raise bad_request("replace must be true or false")
        return json_response(200, self.state.add_seed(body, replace=replace))

    def push_alarm(self, request):
        body = request.json_object()
        target = push.Target(body)
        action = body.get("action", "raise")
        if action == "raise":
            result = push.raise_alarm(self.state, target, body.get("alarm") or {})
        elif action == "clear":
            result = push.clear_alarm(self.state, target, body.get("alarm_id"))
        else:
            raise bad_request("action must be raise or clear")
        self._record("alarm", action, result)
        return json_response(200, result)

    def push_events(self, request):
        body = request.json_object()
        target = push.Target(body)
        events = push.billing_events(self.state, body)
        result = push.push_billing_events(self.state, target, events)
        self._record("billing-event", "post", result)
        return json_response(200, result)

    def ami_calls(self, request):
        """Play scripted calls on the PBX: ``count`` ``scenario`` at ``per_minute``."""
        if not self.pbx:
            raise bad_request("the PBX (AMI) is not running (--ami-port 0)")
        linkedids = self.pbx.play_many(request.json_object())
        return json_response(200, {"linkedids": linkedids})

    def _record(self, kind, action, result):
        self.state.record_push(
            {
                "kind": kind,
                "action": action,
                "method": result["request"]["method"],
                "url": result["request"]["url"],
                "status": result["status"],
            }
        )
