import contextlib
import os
import socket
import subprocess
import sys
import time
import unittest
from pathlib import Path

import requests

from odoo.tests.common import TransactionCase, new_test_user
from odoo.tools import config

SIMULATOR_HELP = (
    "set TELECOM_SIMULATOR_DIR (or telecom_simulator_dir in the Odoo configuration) "
    "to the simulator/ directory of the Telecom CRM repository; tools/test does"
)
SYSTEM_ID, PASSWORD = "telecom", "secret"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmscSimulator:
    """The repository's simulator (a real process on loopback) with its SMSC.

    Found through ``TELECOM_SIMULATOR_DIR`` (or ``telecom_simulator_dir`` in the
    Odoo configuration); without it the tests are skipped, unless
    ``TELECOM_SIMULATOR_REQUIRED=1`` (tools/test) makes that an error.
    """

    def __init__(self):
        self.port = free_port()
        self.smpp_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    @staticmethod
    def directory():
        value = os.environ.get("TELECOM_SIMULATOR_DIR") or config.get(
            "telecom_simulator_dir"
        )
        if not value:
            if os.environ.get("TELECOM_SIMULATOR_REQUIRED") == "1":
                raise RuntimeError(f"the simulator is not configured: {SIMULATOR_HELP}")
            raise unittest.SkipTest(f"simulator not configured: {SIMULATOR_HELP}")
        path = Path(value).expanduser().resolve()
        if not (path / "smsc.py").is_file():
            raise RuntimeError(f"no simulator SMSC in {path}: {SIMULATOR_HELP}")
        return path

    def start(self):
        directory = self.directory()
        env = dict(
            os.environ, SIM_LOG_LEVEL="WARNING", PYTHONPATH=str(directory.parent)
        )
        command = [sys.executable, "-m", directory.name, "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--smpp-port", str(self.smpp_port)]
        command += ["--smpp-system-id", SYSTEM_ID, "--smpp-password", PASSWORD]
        self.process = subprocess.Popen(
            command,
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
                smsc = requests.get(self.url + "/__admin/state", timeout=1).json()
                if smsc.get("smsc"):
                    return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("the simulator's SMSC did not start within 20 s")

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
            method, f"{self.url}/__admin/{path}", json=payload, timeout=10
        )
        response.raise_for_status()
        return response.json()

    def configure(self, **knobs):
        return self.admin("POST", "config", knobs)

    def reset(self):
        return self.admin("POST", "reset", {})

    def smsc(self):
        return self.admin("GET", "state")["smsc"]


class SmscCase(TransactionCase):
    """An SMSC account on the simulator's SMSC, a system administrator and a user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulator = SmscSimulator().start()
        cls.addClassCleanup(cls.simulator.stop)
        cls.admin_user = new_test_user(
            cls.env, login="t_smsc_admin", groups="base.group_user,base.group_system"
        )
        cls.user = new_test_user(
            cls.env,
            login="t_smsc_user",
            groups="base.group_user,base.group_partner_manager",
        )
        cls.env["telecom.smsc.account"].search([]).active = False
        cls.account = cls.env["telecom.smsc.account"].create(
            {
                "name": "T SMSC",
                "host": "127.0.0.1",
                "port": cls.simulator.smpp_port,
                "system_id": SYSTEM_ID,
                "password": PASSWORD,
                "source_addr": "TELECOM",
                "window_size": 10,
                "max_submits_per_second": 0,
                "receipt_wait": 0.5,
                "connect_timeout": 3,
                "response_timeout": 5,
                "max_attempts": 3,
                "retry_delay": 60,
            }
        )

    def setUp(self):
        super().setUp()
        self.simulator.reset()
        self.simulator.configure(smsc_receipt_delay_ms=0)
        # the test never commits: its SMPP sessions end as in a rollback
        self.addCleanup(self.end_transaction, committed=False)

    def end_transaction(self, committed):
        """What the end of the transaction does to its SMPP sessions (the test's
        own transaction never ends): commit acknowledges the receipts stored,
        rollback does not; both close the sessions."""
        cr = self.env.cr
        (cr.postcommit if committed else cr.postrollback).run()

    def wait_smsc(self, condition, timeout=10):
        """The simulator's SMSC state once ``condition(state)`` holds."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.simulator.smsc()
            if condition(state) or time.monotonic() > deadline:
                return state
            time.sleep(0.05)

    def new_sms(self, count=1, body="Test message", number="+7916000%04d"):
        return self.env["sms.sms"].create(
            [{"number": number % index, "body": body} for index in range(count)]
        )

    def journal(self, sms):
        return self.env["telecom.smsc.message"].search(
            [("sms_uuid", "in", sms.mapped("uuid"))]
        )

    def collect_receipts(self):
        self.env["telecom.smsc.account"]._cron_collect_receipts()
