import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import unittest
from pathlib import Path
from unittest import mock

import requests

from odoo.tests.common import HttpCase, new_test_user
from odoo.tools import config

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.telecom_subscriber.tests.common import (
    GROUP,
    TelecomCommon,
    make_iccid,
    make_msisdn,
)

from ..adapters.rest_billing import RestBillingAdapter
from ..adapters.soap_billing import SoapBillingAdapter

MONITOR_GROUP = "telecom_bss_connector.telecom_bss_connector_group_monitor"
__all__ = [
    "GROUP",
    "BssCommon",
    "SimulatorProcess",
    "TmfApiCase",
    "make_iccid",
    "make_msisdn",
]
SIMULATOR_TOKEN = "sim-token"
SIMULATOR_HELP = (
    "set TELECOM_SIMULATOR_DIR (or telecom_simulator_dir in the Odoo configuration) "
    "to the simulator/ directory of the Telecom CRM repository; tools/test does"
)


class BssCommon(TelecomCommon):
    """Telecom data plus a billing backend, an integration user and a monitor.

    Unit tests patch the adapters at their boundary (``patch_adapter``); the
    registry is in test mode so that the short transactions the connector opens
    (attempt journal of a retried delivery) run on the test's connection.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.backend = cls.env["telecom.backend"].create(
            cls._backend_vals(name="T Billing", url="http://127.0.0.1:9")
        )
        cls.monitor = new_test_user(
            cls.env,
            login="t_monitor",
            groups=f"{GROUP}front_office,{MONITOR_GROUP}",
            telecom_region_ids=[(6, 0, cls.zone_north.ids)],
        )
        cls.integration_user = new_test_user(
            cls.env, login="t_integration", groups=f"{GROUP}integration"
        )
        cls.partner, cls.account = cls._create_subscriber("Billing Subscriber")

    def _submitted_next_cycle_tariff_change(self):
        """A tariff change for the next billing cycle of a new line, submitted
        (so scheduled: its order leaves on its day)."""
        request = self._new_request(
            "tariff_change",
            self._activate_without_billing(),
            tariff_id=self.tariff_unlimited.id,
            change_timing="next_cycle",
            remove_incompatible_options=True,
        )
        with trap_jobs():
            request.action_submit()
        return request

    @classmethod
    def _backend_vals(cls, **values):
        return {
            "kind": "billing",
            "protocol": "rest",
            "auth_type": "token",
            "token": "secret-token-123",
            "owner_id": cls.env.ref("base.user_admin").id,
            "company_id": False,
            "max_attempts": 3,
            "backoff_base": 10,
            "backoff_factor": 2.0,
            "backoff_max": 60,
            "circuit_threshold": 50,
            "circuit_cooldown": 60,
            **values,
        }

    @contextlib.contextmanager
    def patch_adapter(self, method, side_effect=None, return_value=None):
        """Patch one operation of both adapters; yields the mock."""
        with (
            mock.patch.object(
                RestBillingAdapter,
                method,
                autospec=True,
                side_effect=side_effect,
                return_value=return_value,
            ) as patched,
            mock.patch.object(SoapBillingAdapter, method, new=patched),
        ):
            yield patched

    @classmethod
    def _activate_without_billing(cls, account=None, tariff=None):
        """A live line created directly (as if it came from an import)."""
        serial = cls._next_serial()
        service = cls.env["telecom.service"].create(
            {
                "account_id": (account or cls.account).id,
                "tariff_id": (tariff or cls.tariff_basic).id,
                "msisdn": make_msisdn(serial),
                "iccid": make_iccid(serial),
            }
        )
        service._apply_state("active")
        return service

    @staticmethod
    def order_answer(order_id="ORD-1", status="completed", message="done"):
        return {"order_id": order_id, "status": status, "message": message}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TmfApiCase(HttpCase):
    """The inbound APIs over real HTTP: API keys, calls, TMF error bodies.

    ``call`` sends ``cls.key`` unless it is given another key.
    """

    key = None

    @classmethod
    def _api_key(cls, user, scope):
        """A new API key of ``user`` for ``scope`` (None: a personal RPC key)."""
        keys = cls.env["res.users.apikeys"].with_user(user).sudo()
        return keys._generate(scope, "test", None)

    def call(self, method, path, payload=None, key=None, raw=None, headers=None):
        headers = {"X-API-Key": key or self.key, **(headers or {})}
        if payload is not None:
            raw = json.dumps(payload)
            headers["Content-Type"] = "application/json"
        return self.opener.request(
            method, self.base_url() + path, data=raw, headers=headers, timeout=30
        )

    def assertTmfError(self, response, status):
        self.assertEqual(response.status_code, status, response.text[:500])
        body = response.json()
        self.assertEqual(body["status"], str(status))
        self.assertTrue(body["code"])
        self.assertTrue(body["reason"])
        return body


class SimulatorProcess:
    """The billing/OSS simulator (a real process on loopback), found by configuration.

    The simulator is not part of the addon: its directory comes from the
    ``TELECOM_SIMULATOR_DIR`` environment variable or the ``telecom_simulator_dir``
    option of the Odoo configuration. When neither is set the tests that need it
    are skipped with that reason, unless ``TELECOM_SIMULATOR_REQUIRED=1`` (set by
    the repository's tools/test), where a missing simulator is an error.
    """

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    @staticmethod
    def directory():
        """The configured simulator package directory; skips or fails without it."""
        value = os.environ.get("TELECOM_SIMULATOR_DIR") or config.get(
            "telecom_simulator_dir"
        )
        required = os.environ.get("TELECOM_SIMULATOR_REQUIRED") == "1"
        if not value:
            if required:
                raise RuntimeError(
                    f"the billing simulator is not configured: {SIMULATOR_HELP}"
                )
            raise unittest.SkipTest(
                f"billing simulator not configured: {SIMULATOR_HELP}"
            )
        path = Path(value).expanduser().resolve()
        if not (path / "__main__.py").is_file():
            raise RuntimeError(
                f"no billing simulator in {path} (no __main__.py): {SIMULATOR_HELP}"
            )
        return path

    def start(self):
        directory = self.directory()
        env = dict(
            os.environ, SIM_LOG_LEVEL="WARNING", PYTHONPATH=str(directory.parent)
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                directory.name,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            cwd=directory.parent,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the simulator exited at start")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/api/v1/health", timeout=1).ok:
                    return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("the simulator did not answer within 20 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def admin(self, method, path, payload=None):
        response = requests.request(
            method, self.url + "/__admin/" + path, json=payload, timeout=10
        )
        response.raise_for_status()
        return response.json()

    def configure(self, **knobs):
        return self.admin("POST", "config", knobs)

    def reset(self):
        self.admin("POST", "reset")
        return self.configure(
            latency_ms=0,
            latency_jitter_ms=0,
            error_rate=0.0,
            outage=False,
            outage_mode="503",
            malformed_rate=0.0,
            oversized=False,
            xml_bomb=False,
        )

    def state(self):
        return self.admin("GET", "state")
