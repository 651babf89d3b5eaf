"""The business event feed is lossless: a consumer never skips an event.

``TestEventFeedCommitted`` runs real concurrent transactions (it commits and
removes what it wrote; tag ``telecom_commit``). ``TestEventFeed`` checks the
cursor's rules inside the test transaction, giving events transaction ids of
finished transactions by hand.
"""

import threading
import uuid

import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import GROUP, TelecomCommon


@tagged("post_install", "-at_install", "telecom_commit")
class TestEventFeedCommitted(TransactionCase):
    """Producers and consumers in their own committed transactions."""

    def setUp(self):
        super().setUp()
        self.event_type = f"test.feed.{uuid.uuid4().hex[:12]}"
        self.addCleanup(self._remove_test_rows)
        with self._transaction() as env:
            env["telecom.event.consumer"].create(
                [
                    {
                        "name": f"Test {code}",
                        "code": f"{self.event_type}.{code}",
                        "event_type_filter": f"{self.event_type}.*",
                    }
                    for code in ("one", "two")
                ]
            )

    def _remove_test_rows(self):
        with self.registry.cursor() as cr:
            # SQL: events are append-only for every user; the test removes its own
            cr.execute(
                "DELETE FROM telecom_event WHERE event_type LIKE %s",
                [f"{self.event_type}.%"],
            )
            cr.execute(
                "DELETE FROM telecom_event_consumer WHERE code LIKE %s",
                [f"{self.event_type}.%"],
            )

    def _cursor(self):
        """A new transaction of its own, rolled back and closed after the test."""
        cr = self.registry.cursor()

        def close():
            cr.rollback()
            cr.close()

        self.addCleanup(close)
        return cr

    def _transaction(self):
        """``with self._transaction() as env``: committed at the end of the block."""
        return _Transaction(self.registry)

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _emit(self, cr, name):
        env = self._env(cr)
        event = env["telecom.event"]._emit(f"{self.event_type}.{name}", [{}])
        env.flush_all()
        return event.id

    def _run_consumer(self, code="one"):
        """One batch as a consumer runs it: fetch, acknowledge, commit."""
        with self._transaction() as env:
            consumer = env["telecom.event.consumer"]._get_consumer(
                f"{self.event_type}.{code}"
            )
            return consumer._consume(lambda events: None, limit=10).ids

    def _committed_ids(self):
        """Ids of the test's events committed so far, as any reader sees them."""
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT id FROM telecom_event WHERE event_type LIKE %s ORDER BY id",
                [f"{self.event_type}.%"],
            )
            return [row[0] for row in cr.fetchall()]

    def test_event_committed_late_is_delivered_once(self):
        """A commits after B although its event has the lower id."""
        cr_a, cr_b = self._cursor(), self._cursor()
        event_a = self._emit(cr_a, "a")
        event_b = self._emit(cr_b, "b")
        cr_b.commit()
        self.assertLess(event_a, event_b)
        self.assertEqual(self._committed_ids(), [event_b])
        # a reader of "id > N" delivers B now and moves past A for good
        self.assertEqual(self._run_consumer(), [event_b])

        cr_a.commit()
        self.assertEqual(self._run_consumer(), [event_a])
        self.assertEqual(self._run_consumer(), [])

    def test_open_transaction_delays_nothing_and_rolled_back_event_never_comes(self):
        cr_rolled_back, cr_b = self._cursor(), self._cursor()
        event_rolled_back = self._emit(cr_rolled_back, "rolled_back")
        event_b = self._emit(cr_b, "b")
        cr_b.commit()
        self.assertEqual(self._run_consumer(), [event_b])

        cr_rolled_back.rollback()
        self.assertEqual(self._run_consumer(), [])
        self.assertNotIn(event_rolled_back, self._committed_ids())

    def test_two_workers_of_one_consumer_never_share_a_batch(self):
        with self._transaction() as env:
            self._emit(env.cr, "one")
        code = f"{self.event_type}.one"
        cr_first, cr_second = self._cursor(), self._cursor()
        first = self._env(cr_first)["telecom.event.consumer"]._get_consumer(code)
        second = self._env(cr_second)["telecom.event.consumer"]._get_consumer(code)

        batch = first._fetch_batch()
        self.assertEqual(len(batch), 1)
        self.assertFalse(second._fetch_batch(), "the first worker holds the consumer")
        first._acknowledge(batch)
        cr_first.commit()
        cr_second.rollback()
        self.assertFalse(second._fetch_batch())
        # the other consumer has its own position
        self.assertEqual(self._run_consumer("two"), batch.ids)

    def test_two_producers_tell_a_fact_once(self):
        """Two workers recording the same fact (the daily job run twice at
        once): the second insert waits for the first transaction, then records
        nothing."""
        event_type = f"{self.event_type}.once"
        vals = [{"fact_key": f"{event_type}:1", "payload": {"days_left": 30}}]
        cr_first, cr_second = self._cursor(), self._cursor()
        first = self._env(cr_first)["telecom.event"]._emit_once(event_type, vals)
        self.assertEqual(len(first), 1)
        Event = self._env(cr_second)["telecom.event"]
        told = {}

        def second_worker():
            try:
                with mute_logger("odoo.sql_db"):
                    told["second"] = len(Event._emit_once(event_type, vals))
            except psycopg2.errors.SerializationFailure:
                # Odoo retries the transaction: the fact is recorded by then
                cr_second.rollback()
                told["second"] = len(Event._emit_once(event_type, vals))
            cr_second.commit()  # pylint: disable=invalid-commit

        thread = threading.Thread(target=second_worker)
        thread.start()
        self._wait_until_blocked(cr_second, thread)
        cr_first.commit()  # pylint: disable=invalid-commit
        thread.join(30)
        self.assertEqual(told, {"second": 0})
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM telecom_event WHERE fact_key = %s",
                [f"{event_type}:1"],
            )
            self.assertEqual(cr.fetchone()[0], 1)

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
        self.fail("the second worker never waited for the first")


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


@tagged("post_install", "-at_install")
class TestEventFeed(TelecomCommon):
    """The cursor's rules, with events of finished transactions made by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Consumer = cls.env["telecom.event.consumer"]
        cls.campaigns, cls.metrics = cls.Consumer.create(
            [
                {"name": name, "code": f"t_{name.lower()}", "event_type_filter": "t.*"}
                for name in ("Campaigns", "Metrics")
            ]
        )

    def _events(self, *txids, event_type="t.fact"):
        """One event per ``txid``, as if its transaction had committed long ago."""
        events = self.env["telecom.event"]._emit(event_type, [{} for _txid in txids])
        self.env.flush_all()
        for event, txid in zip(events, txids, strict=True):
            self.env.cr.execute(
                "UPDATE telecom_event SET txid = %s WHERE id = %s", [txid, event.id]
            )
        events.invalidate_recordset(["txid"])
        return events

    def _run(self, consumer, limit=500):
        return consumer._consume(lambda events: None, limit=limit)

    def test_batches_follow_the_commit_order_and_the_limit(self):
        first, second, third = self._events(7, 5, 5)
        self.assertEqual(self._run(self.campaigns, limit=2), second | third)
        self.assertEqual(self._run(self.campaigns, limit=2), first)
        self.assertFalse(self._run(self.campaigns, limit=2))
        self.assertEqual(self.campaigns.acknowledged_count, 3)
        # the batch is over: everything its snapshot saw is delivered
        self.assertTrue(self.campaigns.snapshot_done)
        self.assertFalse(self.campaigns.snapshot_batch)

    def test_uncommitted_event_waits(self):
        self._events(3)
        # an event of the test's own transaction, not committed
        running = self.env["telecom.event"]._emit("t.fact", [{}])
        batch = self._run(self.campaigns)
        self.assertEqual(len(batch), 1)
        self.assertNotIn(running, batch)
        # nor can it be acknowledged
        self.campaigns._acknowledge(running)
        self.assertEqual(self.campaigns.acknowledged_count, 1)
        self.assertFalse(self._run(self.campaigns))

    def test_consumers_are_independent(self):
        events = self._events(3, 4)
        self.assertEqual(self._run(self.campaigns), events)
        self.assertEqual(self._run(self.metrics), events)
        self.assertFalse(self._run(self.campaigns))

    def test_acknowledge_is_idempotent_and_never_moves_back(self):
        first, second = self._events(3, 4)
        batch = self.campaigns._fetch_batch(limit=1)
        self.assertEqual(batch, first)
        self.campaigns._acknowledge(batch)
        self.campaigns._acknowledge(batch)
        self.assertEqual(self.campaigns.acknowledged_count, 1)
        self.assertEqual(self.campaigns._fetch_batch(limit=1), second)
        self.campaigns._acknowledge(second)
        self.campaigns._acknowledge(first | second)
        self.assertEqual(self.campaigns.acknowledged_count, 2)
        self.assertFalse(self._run(self.campaigns))

    def test_acknowledging_an_event_acknowledges_those_before_it(self):
        first, second, third = self._events(3, 4, 5)
        self.assertEqual(self.campaigns._fetch_batch(limit=2), first | second)
        self.campaigns._acknowledge(second)
        self.assertEqual(self.campaigns.acknowledged_count, 2)
        self.assertEqual(self._run(self.campaigns), third)
        self.assertEqual(self.campaigns.acknowledged_count, 3)

    def test_failing_handler_acknowledges_nothing(self):
        events = self._events(3)

        def handler(batch):
            raise RuntimeError("SMS gateway down")

        with self.assertRaises(RuntimeError):
            self.campaigns._consume(handler)
        self.assertEqual(self._run(self.campaigns), events)

    def test_event_type_filter(self):
        self.campaigns.event_type_filter = "t.request.done, t.refund.*"
        done, _other, refund = (
            self._events(3, event_type="t.request.done")
            | self._events(3, event_type="t.request.cancelled")
            | self._events(3, event_type="t.refund.paid")
        )
        self.assertEqual(self._run(self.campaigns), done | refund)

    def test_lag_shows_what_is_pending(self):
        self.assertEqual(self.campaigns.pending_count, 0)
        self.assertEqual(self.campaigns.lag_minutes, 0)
        first, _second = self._events(3, 4)
        self.campaigns.invalidate_recordset()
        self.assertEqual(self.campaigns.pending_count, 2)
        self.assertEqual(self.campaigns.pending_since, first.date)
        self._run(self.campaigns)
        self.campaigns.invalidate_recordset()
        self.assertEqual(self.campaigns.pending_count, 0)

    def test_only_administrators_move_a_consumer(self):
        manager = new_test_user(
            self.env, login="t_event_admin", groups=GROUP + "manager"
        )
        with self.assertRaises(AccessError):
            self.Consumer.with_user(self.front_office).search([])
        as_supervisor = self.campaigns.with_user(self.supervisor)
        self.assertEqual(as_supervisor.read(["pending_count"])[0]["pending_count"], 0)
        for action in ("action_reset_position", "action_skip_to_now"):
            with self.assertRaises(AccessError):
                getattr(as_supervisor, action)()
        self._events(3)
        self._run(self.campaigns)
        self.campaigns.with_user(manager).action_reset_position()
        self.assertFalse(self.campaigns.snapshot_done)
        self.assertEqual(len(self._run(self.campaigns)), 1)
        self.campaigns.with_user(manager).action_skip_to_now()
        self._events(3)
        self.assertFalse(self._run(self.campaigns))
