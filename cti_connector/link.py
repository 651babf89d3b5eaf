"""One exchange: its AMI connection (panoramisk), its events to Odoo, its originates.

Events are forwarded in the order the exchange sent them, in batches, by one
sender per exchange that retries a batch (with backoff) until Odoo accepted it:
none is lost while Odoo is down (they wait in memory) and a batch sent twice is
harmless (Odoo folds events idempotently). The AMI connection is re-opened with
an exponential backoff after a failed connect or a lost connection.
"""

import asyncio
import logging
import os
import random
import time

from panoramisk import Manager

from .odoo_api import OdooRefused, OdooUnavailable

FORWARDED_EVENTS = frozenset(
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


class Backoff:
    """Exponential delays with jitter: min, 2 min, 4 min... up to max."""

    def __init__(self, minimum, maximum):
        self.minimum = minimum
        self.maximum = maximum
        self.current = minimum

    def next(self):
        delay = self.current
        self.current = min(self.current * 2, self.maximum)
        return delay * random.uniform(0.8, 1.2)

    def reset(self):
        self.current = self.minimum


class BackoffManager(Manager):
    """panoramisk's Manager, reconnecting with an exponential backoff."""

    def __init__(self, backoff, **config):
        super().__init__(**config)
        self.backoff = backoff
        self.reconnect_timeout = backoff.minimum

    def connection_made(self, f):
        if f.cancelled() or f.exception() is not None:
            self.reconnect_timeout = self.backoff.next()
        super().connection_made(f)

    def connection_lost(self, exc):
        self.authenticated = False
        self.reconnect_timeout = self.backoff.next()
        super().connection_lost(exc)


class PbxLink:
    """The connector's work for one exchange, identified by its Odoo token."""

    def __init__(self, odoo, token, settings):
        self.odoo = odoo
        self.token = token
        self.settings = settings
        self.queue = asyncio.Queue()
        self.manager = None
        self.name = token[:6] + "…"
        self.log = logging.getLogger("cti_connector.link")
        self.sent = 0

    async def run(self, stopping):
        config = await self._config(stopping)
        if config is None:
            return
        self.name = config["code"]
        secret = os.environ.get(config["secret_env"])
        if secret is None:
            self.log.error(
                "%s: the AMI secret variable %s is not set: exchange skipped",
                self.name,
                config["secret_env"],
            )
            return
        self.manager = BackoffManager(
            Backoff(self.settings.backoff_min, self.settings.backoff_max),
            loop=asyncio.get_running_loop(),
            host=self.settings.ami_host or config["host"],
            port=int(self.settings.ami_port or config["port"]),
            username=config["username"],
            secret=secret,
            ping_delay=self.settings.ping_seconds,
            ping_interval=self.settings.ping_seconds,
            on_login=self._logged_in,
            on_disconnect=self._disconnected,
        )
        self.manager.register_event("*", self._on_event)
        self.manager.connect()
        tasks = [
            asyncio.create_task(self._send_events()),
            asyncio.create_task(self._originate_calls(stopping)),
        ]
        await stopping.wait()
        self.manager.close()
        await self._drain()
        for task in tasks:
            task.cancel()

    async def _config(self, stopping):
        backoff = Backoff(self.settings.backoff_min, self.settings.backoff_max)
        while not stopping.is_set():
            try:
                return await self.odoo.config(self.token)
            except (OdooUnavailable, OdooRefused) as error:
                delay = backoff.next()
                self.log.warning(
                    "%s: no configuration from Odoo (%s), again in %.1f s",
                    self.name,
                    error,
                    delay,
                )
                try:
                    await asyncio.wait_for(stopping.wait(), delay)
                except asyncio.TimeoutError:
                    pass
        return None

    # -- AMI -----------------------------------------------------------------------
    def _logged_in(self, manager):
        if manager.authenticated:
            manager.backoff.reset()
            self.log.info("%s: logged in to the AMI", self.name)
        else:
            self.log.error("%s: the AMI refused the login", self.name)

    def _disconnected(self, manager, exc):
        self.log.warning("%s: AMI connection lost (%s)", self.name, exc)

    def _on_event(self, manager, message):
        if message.event.lower() not in FORWARDED_EVENTS:
            return
        event = {key: value for key, value in message.items() if key != "content"}
        event.setdefault("Timestamp", f"{time.time():.6f}")
        self.queue.put_nowait(event)

    # -- events to Odoo ------------------------------------------------------------
    async def _send_events(self):
        backoff = Backoff(self.settings.backoff_min, self.settings.backoff_max)
        while True:
            batch = [await self.queue.get()]
            await asyncio.sleep(self.settings.linger_seconds)
            while len(batch) < self.settings.batch_size and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            await self._deliver(batch, backoff)

    async def _deliver(self, batch, backoff):
        while True:
            try:
                await self.odoo.send_events(self.token, batch)
            except OdooRefused as error:
                self.log.error(
                    "%s: Odoo refused %d events for good: %s",
                    self.name,
                    len(batch),
                    error,
                )
                return
            except OdooUnavailable as error:
                delay = backoff.next()
                self.log.warning(
                    "%s: %d events wait for Odoo (%s), again in %.1f s",
                    self.name,
                    len(batch),
                    error,
                    delay,
                )
                await asyncio.sleep(delay)
                continue
            backoff.reset()
            self.sent += len(batch)
            return

    async def _drain(self):
        """At stop: one last try for the events still waiting."""
        batch = []
        while not self.queue.empty():
            batch.append(self.queue.get_nowait())
        if batch:
            try:
                await self.odoo.send_events(self.token, batch)
            except (OdooUnavailable, OdooRefused) as error:
                self.log.error(
                    "%s: %d events lost at stop: %s", self.name, len(batch), error
                )

    # -- click-to-call ---------------------------------------------------------------
    async def _originate_calls(self, stopping):
        while not stopping.is_set():
            await asyncio.sleep(self.settings.poll_seconds)
            if not (self.manager and self.manager.authenticated):
                continue  # claimed calls would wait for a connection: leave them
            try:
                originates = await self.odoo.claim_originates(self.token)
            except (OdooUnavailable, OdooRefused) as error:
                self.log.warning("%s: no click-to-calls (%s)", self.name, error)
                continue
            for originate in originates:
                try:
                    await self._originate(originate)
                except Exception:  # the loop must live on: log and go on
                    self.log.exception(
                        "%s: originate %s failed", self.name, originate.get("action_id")
                    )

    async def _originate(self, originate):
        action = {
            "Action": "Originate",
            "ActionID": originate["action_id"],
            "Channel": originate["channel"],
            "Exten": originate["exten"],
            "Context": originate["context"],
            "Priority": "1",
            "CallerID": originate["caller_id"],
            "Async": "true",
            "Variable": originate["variables"],
        }
        try:
            # as_list=False: the action ends with the "queued" answer, so the
            # OriginateResponse event that follows reaches the event handler
            response = await asyncio.wait_for(
                self.manager.send_action(action, as_list=False),
                self.settings.action_timeout,
            )
            success, reason = bool(response.success), response.message
        except asyncio.TimeoutError:
            success, reason = False, "timeout"
        if not success:
            self.log.warning(
                "%s: originate %s refused: %s",
                self.name,
                originate["action_id"],
                reason,
            )
            # Odoo learns it as it learns an answer of the exchange
            self.queue.put_nowait(
                {
                    "Event": "OriginateResponse",
                    "ActionID": originate["action_id"],
                    "Response": "Failure",
                    "Reason": reason or "",
                    "Timestamp": f"{time.time():.6f}",
                }
            )
