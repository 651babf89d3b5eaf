"""Pushes from OSS/billing to Odoo: TMF642 alarms and billing events.

The admin endpoints call these with the target Odoo URL and API key from their
body; every call has a time-out and the answer of Odoo is handed back as it is.
"""

import json
import logging
import urllib.error
import urllib.request
from urllib.parse import quote

from .errors import ApiError, bad_request
from .ledger import now_iso

_logger = logging.getLogger("simulator.push")

ALARM_PATH = "/tmf-api/alarmManagement/v4/alarm"
EVENTS_PATH = "/telecom/api/v1/billing/events"
EVENT_TYPES = ("payment_received", "balance_low", "usage_threshold", "invoice_issued")
DEFAULT_TIMEOUT = 10.0  # seconds
MAX_ANSWER_BYTES = 1024 * 1024
# no proxy: Odoo is on loopback or the compose network, never behind http_proxy
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Target:
    """Where to push: Odoo's base URL, its API key and the time-out."""

    def __init__(self, body):
        self.url = str(body.get("target_url") or "").rstrip("/")
        if not self.url.startswith(("http://", "https://")):
            raise bad_request("target_url must be Odoo's base URL (http://…)")
        self.api_key = body.get("api_key") or ""
        if not isinstance(self.api_key, str):
            raise bad_request("api_key must be a string")
        self.timeout = _timeout(body.get("timeout", DEFAULT_TIMEOUT))

    def send(self, method, path, payload):
        """{"status", "body", "request"}: what Odoo answered; 502 if unreachable."""
        url = self.url + path
        request = urllib.request.Request(
            url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            method=method,
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-API-Key": self.api_key,
            },
        )
        try:
            with _OPENER.open(request, timeout=self.timeout) as answer:
                status, raw = answer.status, answer.read(MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read(MAX_ANSWER_BYTES)
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ApiError(502, "PUSH_FAILED", f"{method} {url}: {reason}") from None
        _logger.info("push %s %s -> %s", method, url, status)
        return {
            "status": status,
            "body": _decoded(raw),
            "request": {"method": method, "url": url, "json": payload},
        }


def _timeout(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_request("timeout must be a number of seconds")
    if not 0 < value <= 120:
        raise bad_request("timeout must be between 0 and 120 seconds")
    return float(value)


def _decoded(raw):
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


# -- alarms ----------------------------------------------------------------------------
def default_alarm():
    """A believable TMF642 alarm: a base station down in Moscow's centre."""
    now = now_iso()
    return {
        "alarmType": "communicationsAlarm",
        "perceivedSeverity": "major",
        "probableCause": "lossOfSignal",
        "specificProblem": "Базовая станция не отвечает",
        "alarmDetails": "Нет связи с БС по транспортной сети",
        "alarmedObjectType": "BaseStation",
        "alarmedObject": {"id": "BTS-MSK-CAO-0412"},
        "sourceSystemId": "oss-simulator",
        "reportingSystemId": "oss-simulator",
        "state": "raised",
        "alarmRaisedTime": now,
        "alarmReportingTime": now,
        "serviceAffecting": True,
        "place": [
            {"id": "MSK-CAO", "name": "Москва, Центральный АО", "role": "region"}
        ],
    }


def raise_alarm(state, target, alarm):
    if not isinstance(alarm, dict):
        raise bad_request("alarm must be a JSON object")
    alarm = state.new_alarm({**default_alarm(), **alarm})
    result = target.send("POST", ALARM_PATH, alarm)
    if isinstance(result["body"], dict):
        state.alarm_pushed(alarm["externalAlarmId"], result["body"].get("id"))
    return result


def clear_alarm(state, target, alarm_id):
    if not alarm_id or not isinstance(alarm_id, str):
        raise bad_request("alarm_id is required to clear an alarm")
    now = now_iso()
    # "clearedTime" is the contract's name, "alarmClearedTime" TMF642's
    change = {"state": "cleared", "clearedTime": now, "alarmClearedTime": now}
    odoo_id = quote(state.odoo_alarm_id(alarm_id), safe="")
    return target.send("PATCH", f"{ALARM_PATH}/{odoo_id}", change)


# -- billing events --------------------------------------------------------------------
def billing_events(state, body):
    """The events of the body ("events" list or one "event"), defaults filled."""
    events = body.get("events")
    if events is None:
        events = [body.get("event")]
    if not isinstance(events, list) or not events:
        raise bad_request("give 'events' (a list) or 'event' (an object)")
    return [_complete_event(state, event) for event in events]


def _complete_event(state, event):
    if not isinstance(event, dict):
        raise bad_request("every event must be a JSON object")
    if event.get("type") not in EVENT_TYPES:
        raise bad_request(f"event type must be one of {', '.join(EVENT_TYPES)}")
    if not event.get("account"):
        raise bad_request("every event needs its account")
    amount = event.get("amount")
    if amount is not None and (
        isinstance(amount, bool) or not isinstance(amount, int | float)
    ):
        raise bad_request("amount must be a number")
    return {
        "event_id": event.get("event_id") or state.new_event_id(),
        "type": event["type"],
        "account": event["account"],
        "msisdn": event.get("msisdn"),
        "amount": event.get("amount"),
        "currency": event.get("currency") or "RUB",
        "occurred_at": event.get("occurred_at") or now_iso(),
        "details": event.get("details") or {},
    }


def push_billing_events(state, target, events):
    for event in events:
        state.record_event(event)
    return target.send("POST", EVENTS_PATH, {"events": events})
