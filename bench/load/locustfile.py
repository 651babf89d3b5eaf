"""Front-office agents working in Odoo's web client, for Locust.

Not run by hand: ``bench/load/run.py`` prepares the database, writes the plan
this file reads (``LOAD_PLAN``: JSON with the agents' logins, the card's field
specification, subscribers to look up) and starts Locust in its own virtual
environment (``var/venv-locust``; never Odoo's: Locust brings a newer gevent).

Each simulated agent logs in once (``/web/session/authenticate``, then loads the
web client as the browser does: ``/web`` and its menus), then handles calls, with
a think time between each step:

- ``search_msisdn``: the subscriber list searched by phone number, the filter
  *MSISDN / ICCID / Account* of the search view (``web_search_read`` with the
  list's fields, 80 rows);
- ``card``: the 360° card opened (``web_read`` with the specification derived
  from the form's arch) and its chatter (``/mail/thread/messages``), as the form
  view does;
- ``ticket``: a helpdesk ticket created from the card (``web_save``);
- ``request_create`` / ``request_submit`` / ``request_cancel``: a claim created
  (``web_save``), submitted with its button (``/web/dataset/call_button``), and
  one in three withdrawn (``action_cancel``), the journal and timeline written.

Every request is recorded (name, milliseconds, error) and written to
``LOAD_SAMPLES`` when Locust stops; the runner computes the percentiles from the
raw samples (exact, not Locust's rounded histogram).
"""

import itertools
import json
import os
import random
import threading
import time

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())
SAMPLES = []
_AGENTS = itertools.cycle(PLAN["agents"])
_AGENTS_LOCK = threading.Lock()
_STARTED = time.time()


@events.request.add_listener
def record(request_type, name, response_time, exception, **_kwargs):
    SAMPLES.append(
        (
            round(time.time() - _STARTED, 3),
            name,
            round(response_time, 1),
            " ".join(str(exception).split())[:200] if exception else None,
        )
    )


@events.quitting.add_listener
def dump(environment, **_kwargs):
    with open(os.environ["LOAD_SAMPLES"], "w", encoding="utf-8") as out:
        json.dump(SAMPLES, out)


class RpcError(Exception):
    """An answer with an ``error`` member: Odoo raised (access, validation...)."""


class FrontOfficeAgent(HttpUser):
    think_min, think_max = [
        float(value) for value in os.environ.get("LOAD_THINK", PLAN["think"]).split(",")
    ]
    wait_time = between(think_min, think_max)

    def on_start(self):
        with _AGENTS_LOCK:
            self.agent = next(_AGENTS)
        self.subscriber = random.choice(PLAN["subscribers"])
        self.user_context = None
        self.login()

    def login(self):
        """Log in and load the web client; a failed login is tried again later."""
        result = self.rpc(
            "/web/session/authenticate",
            {
                "db": PLAN["db"],
                "login": self.agent["login"],
                "password": self.agent["password"],
            },
            name="login",
        )
        if not result:
            return False
        self.user_context = dict(
            result["user_context"],
            allowed_company_ids=[result["user_companies"]["current_company"]],
            bin_size=True,
        )
        with self.client.get(
            "/web", name="login_webclient", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
        menus = result.get("cache_hashes", {}).get("load_menus", "menus")
        with self.client.get(
            f"/web/webclient/load_menus/{menus}",
            name="login_webclient",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
        return True

    # ------------------------------------------------------------------ JSON-RPC
    def rpc(self, url, params, name):
        """One JSON-RPC call as the web client makes it; the result or None."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": random.randint(1, 10**9),
            "params": params,
        }
        with self.client.post(
            url, json=payload, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                return None
            try:
                body = response.json()
            except ValueError:
                response.failure(f"not JSON: {response.text[:200]}")
                return None
            if body.get("error"):
                error = body["error"]
                data = error.get("data") or {}
                message = data.get("message", error.get("message"))
                response.failure(RpcError(f"{data.get('name', '')}: {message}"))
                return None
            response.success()
            return body.get("result")

    def call_kw(self, model, method, args, kwargs, name):
        kwargs = dict(
            kwargs, context=dict(self.user_context, **kwargs.get("context", {}))
        )
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
            name=name,
        )

    def call_button(self, model, method, record_id, name):
        return self.rpc(
            "/web/dataset/call_button",
            {
                "model": model,
                "method": method,
                "args": [[record_id]],
                "kwargs": {"context": self.user_context},
            },
            name=name,
        )

    # ------------------------------------------------------------------ tasks
    @task(6)
    def search_and_open_card(self):
        """A call comes in: find the caller by number, think, open the card."""
        if not self.user_context and not self.login():
            return
        self.subscriber = random.choice(PLAN["subscribers"])
        self.call_kw(
            "res.partner",
            "web_search_read",
            [],
            {
                "domain": [
                    ("telecom_is_subscriber", "=", True),
                    ("telecom_lookup", "ilike", self.subscriber["msisdn"]),
                ],
                "specification": PLAN["list_spec"],
                "offset": 0,
                "limit": 80,
                "order": "",
                "count_limit": 10001,
            },
            name="search_msisdn",
        )
        time.sleep(random.uniform(*PLAN["think_inner"]))
        self.open_card()

    def open_card(self):
        self.call_kw(
            "res.partner",
            "web_read",
            [[self.subscriber["partner_id"]]],
            {"specification": PLAN["card_spec"]},
            name="card",
        )
        self.rpc(
            "/mail/thread/messages",
            {
                "thread_model": "res.partner",
                "thread_id": self.subscriber["partner_id"],
                "limit": 30,
            },
            name="card_chatter",
        )

    @task(2)
    def create_ticket(self):
        """The caller reports a fault: a ticket from the card."""
        if not self.user_context and not self.login():
            return
        self.call_kw(
            "helpdesk.ticket",
            "web_save",
            [
                [],
                {
                    "name": "Load test: no data service",
                    "description": "<p>Mobile data drops since this morning.</p>",
                    "partner_id": self.subscriber["partner_id"],
                    "category_id": PLAN["ticket_category_id"],
                    "channel_id": PLAN["ticket_channel_id"],
                },
            ],
            {
                "specification": {
                    "display_name": {},
                    "number": {},
                    "stage_id": {"fields": {"display_name": {}}},
                }
            },
            name="ticket",
        )

    @task(1)
    def lifecycle_request(self):
        """A claim registered, submitted, one in three withdrawn by the caller."""
        if not self.user_context and not self.login():
            return
        result = self.call_kw(
            "telecom.request",
            "web_save",
            [
                [],
                {
                    "request_type": "claim",
                    "partner_id": self.subscriber["partner_id"],
                    "claim_category": "quality",
                    "reason": "Load test: calls drop in the evening.",
                    "channel": "call",
                },
            ],
            {"specification": {"display_name": {}, "state": {}}},
            name="request_create",
        )
        if not result:
            return
        request_id = result[0]["id"]
        time.sleep(random.uniform(*PLAN["think_inner"]))
        if (
            self.call_button(
                "telecom.request", "action_submit", request_id, "request_submit"
            )
            is None
        ):
            return
        if random.random() < 1 / 3:
            self.call_button(
                "telecom.request", "action_cancel", request_id, "request_cancel"
            )
