"""The whole chain on loopback: the simulator's PBX (AMI) → the connector process
(panoramisk) → /telecom_cti/events → calls, screen pops and timeline rows; and
click-to-call back: Odoo → the connector → an AMI Originate the PBX receives.

Needs the repository's simulator/ and cti_connector/ beside addons/ and the
panoramisk package; skipped otherwise.
"""

import importlib.util
import os
import socket
import subprocess
import sys
import time
import unittest
from pathlib import Path

import requests

from odoo import SUPERUSER_ID, api
from odoo.tests import HttpCase, tagged

from .common import TOKEN, CtiCommon

ROOT = Path(__file__).resolve().parents[3]
READY = (ROOT / "simulator" / "ami.py").exists() and (
    ROOT / "cti_connector" / "link.py"
).exists()


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@unittest.skipUnless(READY, "the repository's simulator and connector are not here")
@unittest.skipUnless(importlib.util.find_spec("panoramisk"), "panoramisk missing")
@tagged("post_install", "-at_install")
class TestConnectorEndToEnd(CtiCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim_port, ami_port = _free_port(), _free_port()
        cls.sim_url = f"http://127.0.0.1:{cls.sim_port}"
        cls.pbx.port = ami_port
        cls.simulator = cls._start(
            [
                "-m",
                "simulator",
                "--host",
                "127.0.0.1",
                "--port",
                str(cls.sim_port),
                "--smpp-port",
                "0",
                "--ami-port",
                str(ami_port),
                "--ami-user",
                "telecom",
                "--ami-secret",
                "e2e-secret",
                "--log-level",
                "WARNING",
            ],
            {},
        )
        cls._wait(lambda: requests.get(f"{cls.sim_url}/api/v1/health", timeout=1))
        cls.connector = None

    @classmethod
    def _start(cls, args, env):
        process = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        cls.addClassCleanup(cls._stop, process)
        return process

    @staticmethod
    def _stop(process):
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()

    @staticmethod
    def _wait(probe, timeout=20):
        deadline = time.monotonic() + timeout
        last_error = None
        while True:
            try:
                if probe():
                    return
            except (OSError, requests.RequestException) as error:
                last_error = error  # not up yet
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out (last error: {last_error})")
            time.sleep(0.2)

    def _start_connector(self):
        self._start(
            ["-m", "cti_connector"],
            {
                "CTI_ODOO_URL": self.base_url(),
                "CTI_TOKENS": TOKEN,
                "TELECOM_AMI_SECRET": "e2e-secret",
                "CTI_POLL_SECONDS": "0.3",
                "CTI_BACKOFF_MIN": "0.2",
            },
        )
        self._wait(lambda: self._ami()["sessions"] == 1)

    def _ami(self):
        return requests.get(f"{self.sim_url}/__admin/state", timeout=5).json()["ami"]

    def _count_ended(self, prefix_ids):
        """Ended calls among ``prefix_ids``, read through a test cursor (the
        HTTP requests of the connector write meanwhile)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.env.uid, {})
            return env["telecom.cti.call"].search_count(
                [("linkedid", "in", prefix_ids), ("state", "=", "ended")]
            )

    def test_calls_from_the_pbx_reach_odoo_and_click_to_call_reaches_the_pbx(self):
        msisdn = self.line.msisdn  # read before the connector shares the cursor
        self._start_connector()
        # 50 calls a minute, all answered, taken in turn by the two agents
        answer = requests.post(
            f"{self.sim_url}/__admin/ami/calls",
            json={
                "count": 50,
                "per_minute": 50,
                "callers": [msisdn, "+79169990022"],
                "agents": ["201", "202"],
                "queue": "t-support",
                "wait_ms": 200,
                "ring_ms": 300,
                "talk_ms": 500,
            },
            timeout=10,
        )
        answer.raise_for_status()
        linkedids = answer.json()["linkedids"]
        self._wait(lambda: self._count_ended(linkedids) == 50, timeout=120)
        # read through a test cursor: the connector's requests (polling the
        # click-to-calls) share the test's database connection
        with self.registry.cursor() as cr:
            self._check_calls(api.Environment(cr, SUPERUSER_ID, {}), linkedids)

        # click-to-call: the PBX receives the Originate (written through a test
        # cursor and committed to it: the connector's requests read it)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.agent.id, {})
            subscriber = env["res.partner"].browse(self.subscriber.id)
            subscriber.sudo().mobile = msisdn
            subscriber.action_telecom_cti_call()
        self._wait(lambda: self._ami()["originates"], timeout=20)
        [originate] = self._ami()["originates"]
        self.assertEqual(originate["channel"], "PJSIP/201")
        self.assertEqual(originate["exten"], msisdn)
        # the PBX answers the agent's phone: OriginateResponse comes back as an event
        self._wait(lambda: self._originate_state(originate["action_id"]) == "connected")

    def _originate_state(self, action_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            command = env["telecom.cti.originate"].search(
                [("user_id", "=", self.agent.id)]
            )
            self.assertEqual(action_id, command._cti_action_id())
            return command.state

    def _check_calls(self, env, linkedids):
        calls = env["telecom.cti.call"].search([("linkedid", "in", linkedids)])
        self.assertEqual(len(calls), 50)
        self.assertEqual(set(calls.mapped("outcome")), {"answered"})
        for call in calls:
            self.assertGreaterEqual(call.talk_time, 0.45, call.linkedid)
            self.assertLess(call.talk_time, 1.5, call.linkedid)
            self.assertGreaterEqual(call.wait_time, 0.45, call.linkedid)
        known = calls.filtered("partner_id")
        self.assertEqual(len(known), 25)
        self.assertEqual(known.partner_id.id, self.subscriber.id)
        rows = env["telecom.interaction"].search(
            [("res_model", "=", "telecom.cti.call"), ("res_id", "in", calls.ids)]
        )
        self.assertEqual(len(rows), 25, "one row per call of the subscriber")
        self.assertEqual(set(rows.mapped("cti_call_outcome")), {"answered"})
        users = env["res.users"].browse([self.agent.id, self.agent_two.id])
        pops = self._pops(users[0], env) + self._pops(users[1], env)
        self.assertEqual(sorted(pop["linkedid"] for pop in pops), sorted(linkedids))
        first = calls.filtered(lambda call: call.linkedid == linkedids[0])
        first_pop = next(pop for pop in pops if pop["linkedid"] == linkedids[0])
        self.assertEqual(first_pop["partner_id"], first.partner_id.id)
