"""Two workers, one run: triggers fire once per event with real transactions.

The tests commit (tag ``telecom_commit``) and remove what they wrote.
"""

import threading
import uuid

import psycopg2

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..models.telecom_scenario import EVENT_CONSUMER_CODE


@tagged("post_install", "-at_install", "telecom_commit")
class TestScenarioTwoWorkers(TransactionCase):
    def setUp(self):
        super().setUp()
        self.event_type = f"test.scenario.{uuid.uuid4().hex[:12]}"
        self.addCleanup(self._remove_test_rows)
        with self._transaction() as env:
            self.partner_id = (
                env["res.partner"]
                .create({"name": self.event_type, "telecom_is_subscriber": True})
                .id
            )
            scenario = env["telecom.scenario"].create(
                {
                    "name": self.event_type,
                    "trigger_event": "other",
                    "event_type_code": self.event_type,
                    "step_ids": [
                        Command.create({"action_type": "wait", "wait_days": 1})
                    ],
                }
            )
            scenario.action_activate()
            self.scenario_id = scenario.id
            # the feed from now on: earlier committed events are not the test's
            env["telecom.event.consumer"]._get_consumer(
                EVENT_CONSUMER_CODE
            ).action_skip_to_now()

    def _remove_test_rows(self):
        with self._transaction() as env:
            env["telecom.scenario"].browse(self.scenario_id).unlink()
            env["telecom.interaction"].search(
                [("partner_id", "=", self.partner_id)]
            ).unlink()
            # SQL: events are append-only for every user; the test removes its own
            env.cr.execute(
                "DELETE FROM telecom_event WHERE event_type = %s", [self.event_type]
            )
            env["res.partner"].browse(self.partner_id).unlink()

    def _transaction(self):
        return _Transaction(self.registry)

    def _cursor(self):
        cr = self.registry.cursor()

        def close():
            cr.rollback()
            cr.close()

        self.addCleanup(close)
        return cr

    def _wait_until_blocked(self, cr, thread):
        """Until the backend of ``cr`` waits for a lock (at most 10 seconds)."""
        pid = cr._cnx.get_backend_pid()
        with self.registry.cursor() as watcher:
            for _attempt in range(100):
                watcher.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                    [pid],
                )
                if watcher.fetchone()[0] == "Lock":
                    return
                thread.join(0.1)
        self.fail("worker B never waited for worker A")

    def _run_count(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM telecom_scenario_run WHERE scenario_id = %s",
                [self.scenario_id],
            )
            return cr.fetchone()[0]

    def test_two_workers_consume_the_feed_concurrently(self):
        with self._transaction() as env:
            env["telecom.event"]._emit(
                self.event_type, [{"partner_id": self.partner_id}]
            )
        cr_a, cr_b = self._cursor(), self._cursor()
        env_a = api.Environment(cr_a, SUPERUSER_ID, {})
        env_b = api.Environment(cr_b, SUPERUSER_ID, {})
        # both workers run the consumer cron at the same time
        events_a = env_a["telecom.scenario"]._cron_consume_events()
        events_b = env_b["telecom.scenario"]._cron_consume_events()
        self.assertEqual(len(events_a), 1)
        self.assertFalse(events_b, "the second worker waits for the first one's batch")
        cr_a.commit()
        cr_b.commit()
        # later batches do not bring the event again
        self.assertFalse(env_b["telecom.scenario"]._cron_consume_events())
        cr_b.commit()
        self.assertEqual(self._run_count(), 1)

    def test_two_workers_start_the_same_occurrence(self):
        """Past the consumer's lock (a replayed feed, another trigger path), the
        unique index decides: the second insert waits for the first, then adds
        nothing."""
        key = f"event:{self.event_type}"
        cr_a = self._cursor()
        env_a = api.Environment(cr_a, SUPERUSER_ID, {})
        runs_a = (
            env_a["telecom.scenario"]
            .browse(self.scenario_id)
            ._start_runs_for_partners([self.partner_id], key)
        )
        self.assertEqual(len(runs_a), 1)
        # worker B in a thread: its insert waits for A's transaction
        cr_b = self._cursor()
        env_b = api.Environment(cr_b, SUPERUSER_ID, {})
        scenario_b = env_b["telecom.scenario"].browse(self.scenario_id)
        self.assertTrue(scenario_b.step_ids)  # loaded before the thread
        started = {}

        def start_b():
            return len(scenario_b._start_runs_for_partners([self.partner_id], key))

        def worker_b():
            try:
                with mute_logger("odoo.sql_db"):
                    started["b"] = start_b()
            except psycopg2.errors.SerializationFailure:
                # in repeatable read B fails to serialise once A commits: Odoo
                # retries the transaction (a request, a cron), which adds nothing
                cr_b.rollback()
                started["b"] = start_b()
            cr_b.commit()  # pylint: disable=invalid-commit

        thread = threading.Thread(target=worker_b)
        thread.start()
        self._wait_until_blocked(cr_b, thread)
        cr_a.commit()  # pylint: disable=invalid-commit
        thread.join(30)
        self.assertEqual(started, {"b": 0})
        self.assertEqual(self._run_count(), 1)

    def test_two_workers_cross_a_threshold_once(self):
        """Two workers finding the same subscriber's figure at the threshold:
        the first records the crossing, the second (waiting on its row) finds
        it reached and starts nothing."""
        with self._transaction() as env:
            env["telecom.scenario"].browse(self.scenario_id).write(
                {
                    "threshold_source": "metric",
                    "threshold_metric": "complaint_count_30d",
                    "threshold_operator": ">=",
                    "threshold_value": 0,
                }
            )
            env["telecom.subscriber.metric"]._refresh([self.partner_id])
        cr_a = self._cursor()
        env_a = api.Environment(cr_a, SUPERUSER_ID, {})
        crossed_a = env_a["telecom.scenario.threshold"]._cross(
            env_a["telecom.scenario"].browse(self.scenario_id), [self.partner_id]
        )
        self.assertEqual(crossed_a, {self.partner_id: 1})
        cr_b = self._cursor()
        env_b = api.Environment(cr_b, SUPERUSER_ID, {})
        scenario_b = env_b["telecom.scenario"].browse(self.scenario_id)
        scenario_b._get_threshold_sql()  # loaded before the thread
        crossed = {}

        def cross_b():
            return env_b["telecom.scenario.threshold"]._cross(
                scenario_b, [self.partner_id]
            )

        def worker_b():
            try:
                with mute_logger("odoo.sql_db"):
                    crossed["b"] = cross_b()
            except psycopg2.errors.SerializationFailure:
                # Odoo retries the transaction: the crossing is recorded by then
                cr_b.rollback()
                crossed["b"] = cross_b()
            cr_b.commit()  # pylint: disable=invalid-commit

        thread = threading.Thread(target=worker_b)
        thread.start()
        self._wait_until_blocked(cr_b, thread)
        cr_a.commit()  # pylint: disable=invalid-commit
        thread.join(30)
        self.assertEqual(crossed, {"b": {}})
        with self.registry.cursor() as cr:
            cr.execute(
                """SELECT reached, crossing_count FROM telecom_scenario_threshold
                    WHERE scenario_id = %s AND partner_id = %s""",
                [self.scenario_id, self.partner_id],
            )
            self.assertEqual(cr.fetchall(), [(True, 1)])


class _Transaction:
    """A new cursor committed when its block ends without an exception."""

    def __init__(self, registry):
        self.cr = registry.cursor()

    def __enter__(self):
        return api.Environment(self.cr, SUPERUSER_ID, {})

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None:
            # the point of these tests: transactions that really commit
            self.cr.commit()  # pylint: disable=invalid-commit
        self.cr.close()
