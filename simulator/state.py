"""The simulator's state behind one lock: ledger, orders, alarms, events, counters.

Orders are idempotent by key: the first submission is applied (or refused) once and
stored; every later submission with the same key gets the stored outcome back, never
re-applied, even when 20 threads submit it at the same instant (the lock covers the
check, the application and the storing).
"""

import copy
import json
import threading
from collections import Counter

from . import history
from .adjustments import adjustment_from_request, apply_adjustment, new_adjustment
from .errors import Rejected, bad_request
from .ledger import Ledger, account_view, debt, now_iso
from .orders import apply_order, order_from_request

ORDER_VIEW_FIELDS = (
    "order_id",
    "idempotency_key",
    "operation",
    "account",
    "msisdn",
    "payload",
    "status",
    "message",
    "reason",
    "created_at",
)
ADJUSTMENT_VIEW_FIELDS = (
    "adjustment_id",
    "external_reference",
    "account",
    "amount",
    "currency",
    "reason",
    "period",
    "status",
    "message",
    "refusal",
    "created_at",
)


class BillingState:
    def __init__(self, seed):
        self._lock = threading.RLock()
        Ledger(copy.deepcopy(seed))  # validate before keeping it
        self._initial_seed = copy.deepcopy(seed)
        self._seed = copy.deepcopy(seed)
        self.reset()

    # -- seed and reset ---------------------------------------------------------
    def reset(self, initial=False):
        """Back to the seed (``initial``: forget what /__admin/seed added too)."""
        with self._lock:
            if initial:
                self._seed = copy.deepcopy(self._initial_seed)
            self.ledger = Ledger(copy.deepcopy(self._seed))
            self._orders = {}  # order id -> order
            self._order_ids = {}  # idempotency key -> order id
            self._adjustments = {}  # adjustment id -> adjustment
            self._adjustment_ids = {}  # external reference (key) -> adjustment id
            self._alarms = {}  # alarm id -> alarm pushed to Odoo
            self._events = {}  # event id -> billing event pushed to Odoo
            self._pushes = []
            self._event_sequence = 0
            self._calls = Counter()
            self._injected = Counter()

    def add_seed(self, data, replace=False):
        """Merge accounts/offers into the seed and the live state (or replace)."""
        if not isinstance(data, dict):
            raise bad_request("the seed must be a JSON object")
        for key in ("accounts", "offers"):
            if not isinstance(data.get(key) or [], list):
                raise bad_request(f"'{key}' must be a list")
        with self._lock:
            seed = {} if replace else copy.deepcopy(self._seed)
            merged = _merged_seed(seed, data)
            Ledger(copy.deepcopy(merged))  # raises 400 on bad data, nothing changed
            self._seed = merged
            if replace:
                self.reset()
            else:
                self.ledger.add_offers(data.get("offers") or [])
                self.ledger.add_accounts(copy.deepcopy(data.get("accounts") or []))
            return {
                "accounts": len(self.ledger.accounts),
                "offers": len(self.ledger.offers),
            }

    # -- reads ------------------------------------------------------------------
    def account(self, key):
        with self._lock:
            account = self.ledger.find_account(key)
            return account_view(account) if account else None

    def history(self, key, kind, limit):
        """The newest ``limit`` charges or usage records, or None (no account)."""
        with self._lock:
            account = self.ledger.find_account(key)
            return copy.deepcopy(account[kind][:limit]) if account else None

    def monthly_usage(self, key, months):
        """Monthly usage and charges of the account's lines, or None (no account)."""
        with self._lock:
            account = self.ledger.find_account(key)
            if account is None:
                return None
            return history.monthly(
                account, self.ledger.offers, months, debt=debt(account)
            )

    def offers(self):
        with self._lock:
            return copy.deepcopy(list(self.ledger.offers.values()))

    def order(self, order_id):
        with self._lock:
            order = self._orders.get(order_id)
            return _order_view(order) if order else None

    # -- orders -----------------------------------------------------------------
    def submit_order(self, key, data):
        """(order, replayed): apply a new order once, or give back the stored one."""
        with self._lock:
            order_id = self._order_ids.get(key)
            if order_id:
                order = self._orders[order_id]
                order["submissions"] += 1
                return _order_view(order), True
            order = self._new_order(key, data)
            self._orders[order["order_id"]] = order
            self._order_ids[key] = order["order_id"]
            return _order_view(order), False

    def _new_order(self, key, data):
        order = {
            "order_id": f"ORD-{len(self._orders) + 1:06d}",
            "idempotency_key": key,
            "operation": data.get("operation"),
            "account": data.get("account"),
            "msisdn": data.get("msisdn"),
            "payload": data.get("payload"),
            "created_at": now_iso(),
            "submissions": 1,
            "applied_count": 0,
            "reason": None,
        }
        try:
            order.update(order_from_request(data))
            order["message"] = apply_order(self.ledger, order)
        except Rejected as refusal:
            order.update(status="rejected", message=refusal.message)
            order["reason"] = refusal.reason
        else:
            order.update(status="completed", applied_count=1)
        return order

    # -- adjustments --------------------------------------------------------------
    def post_adjustment(self, key, account, data):
        """(adjustment, replayed): credit the account once per key, or give back
        the stored outcome (posted or refused) of the key's first submission."""
        with self._lock:
            adjustment_id = self._adjustment_ids.get(key)
            if adjustment_id:
                adjustment = self._adjustments[adjustment_id]
                adjustment["submissions"] += 1
                return _adjustment_view(adjustment), True
            adjustment = new_adjustment(
                len(self._adjustments) + 1, key, adjustment_from_request(account, data)
            )
            try:
                adjustment["message"] = apply_adjustment(self.ledger, adjustment)
            except Rejected as refusal:
                adjustment.update(
                    status="rejected",
                    message=refusal.message,
                    refusal=refusal.reason,
                )
            else:
                adjustment.update(status="posted", applied_count=1)
            self._adjustments[adjustment["adjustment_id"]] = adjustment
            self._adjustment_ids[key] = adjustment["adjustment_id"]
            return _adjustment_view(adjustment), False

    def adjustments(self, account_key):
        """The adjustments posted to an account, or None (no account)."""
        with self._lock:
            account = self.ledger.find_account(account_key)
            if account is None:
                return None
            return copy.deepcopy(account.get("adjustments") or [])

    # -- OSS alarms and billing events ------------------------------------------
    def new_alarm(self, alarm):
        with self._lock:
            alarm = dict(alarm)
            alarm.setdefault("externalAlarmId", f"ALM-{len(self._alarms) + 1:06d}")
            self._alarms[alarm["externalAlarmId"]] = {"alarm": alarm, "odoo_id": None}
            return alarm

    def alarm_pushed(self, external_id, odoo_id):
        with self._lock:
            if external_id in self._alarms and odoo_id:
                self._alarms[external_id]["odoo_id"] = str(odoo_id)

    def odoo_alarm_id(self, alarm_id):
        """Odoo's id of an alarm raised through the simulator, else ``alarm_id``."""
        with self._lock:
            known = self._alarms.get(alarm_id)
            return (known and known["odoo_id"]) or alarm_id

    def new_event_id(self):
        with self._lock:
            self._event_sequence += 1
            return f"EV-{self._event_sequence:06d}"

    def record_event(self, event):
        """Keep a billing event; a payment credits its account once per event id."""
        with self._lock:
            if event["event_id"] in self._events:
                return
            self._events[event["event_id"]] = event
            account = self.ledger.find_account(event.get("account"))
            if account and event["type"] == "payment_received":
                amount = float(event.get("amount") or 0)
                self.ledger.receive_payment(account, amount, event.get("occurred_at"))

    def record_push(self, push):
        with self._lock:
            self._pushes.append(push)

    # -- counters ---------------------------------------------------------------
    def count_call(self, name):
        with self._lock:
            self._calls[name] += 1

    def count_injected(self, kind):
        with self._lock:
            self._injected[kind] += 1

    def snapshot(self):
        """What /__admin/state shows: orders per key, counters, accounts…"""
        with self._lock:
            orders = {
                key: {
                    "order_id": order_id,
                    **{
                        name: self._orders[order_id][name]
                        for name in (
                            "operation",
                            "account",
                            "msisdn",
                            "status",
                            "reason",
                            "applied_count",
                            "submissions",
                        )
                    },
                }
                for key, order_id in self._order_ids.items()
            }
            adjustments = {
                key: {
                    name: self._adjustments[adjustment_id][name]
                    for name in (
                        "adjustment_id",
                        "account",
                        "amount",
                        "currency",
                        "status",
                        "refusal",
                        "applied_count",
                        "submissions",
                    )
                }
                for key, adjustment_id in self._adjustment_ids.items()
            }
            return {
                "orders": orders,
                "adjustments": adjustments,
                "orders_total": len(self._orders),
                "orders_applied": sum(
                    o["applied_count"] for o in self._orders.values()
                ),
                "calls": dict(self._calls),
                "injected": dict(self._injected),
                "accounts": [account_view(a) for a in self.ledger.accounts.values()],
                "alarms": copy.deepcopy(list(self._alarms.values())),
                "events": copy.deepcopy(list(self._events.values())),
                "pushes": copy.deepcopy(self._pushes),
            }

    # -- state file -------------------------------------------------------------
    def save(self, path):
        with self._lock:
            document = {
                "seed": self._seed,
                "ledger": self.ledger.as_seed(),
                "orders": list(self._orders.values()),
                "adjustments": list(self._adjustments.values()),
            }
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(document, handle, ensure_ascii=False)

    def restore(self, path):
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
        with self._lock:
            self._seed = document["seed"]
            self.ledger = Ledger(document["ledger"])
            self._orders = {o["order_id"]: o for o in document.get("orders", [])}
            self._order_ids = {
                o["idempotency_key"]: o["order_id"] for o in self._orders.values()
            }
            self._adjustments = {
                a["adjustment_id"]: a for a in document.get("adjustments", [])
            }
            self._adjustment_ids = {
                a["external_reference"]: a["adjustment_id"]
                for a in self._adjustments.values()
            }


def _order_view(order):
    return {name: copy.deepcopy(order.get(name)) for name in ORDER_VIEW_FIELDS}


def _adjustment_view(adjustment):
    return {
        name: copy.deepcopy(adjustment.get(name)) for name in ADJUSTMENT_VIEW_FIELDS
    }


def _merged_seed(seed, data):
    """``seed`` with the accounts and offers of ``data`` added or replaced."""
    merged = dict(seed)
    for key, identifier in (("offers", "code"), ("accounts", "account")):
        rows = {row.get(identifier): row for row in seed.get(key) or []}
        for row in data.get(key) or []:
            if not isinstance(row, dict):
                raise bad_request(f"every item of '{key}' must be an object")
            rows[row.get(identifier)] = row
        merged[key] = list(rows.values())
    if data.get("currency"):
        merged["currency"] = data["currency"]
    return merged
