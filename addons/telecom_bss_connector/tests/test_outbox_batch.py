import threading

import psycopg2

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..adapters.base import RejectedError, TransportError
from .common import BssCommon


@tagged("post_install", "-at_install")
class TestOutboxBatch(BssCommon):
    """Delivery in batches: one job sends the due orders of a system."""

    def _submitted_orders(self, count, request_type="block"):
        with trap_jobs():
            requests_ = self.env["telecom.request"]
            for _index in range(count):
                if request_type == "activation":
                    service = self._activate_line(self.account)
                    requests_ |= service.request_ids
                    continue
                request = self._new_request(
                    "block", self._activate_without_billing(), block_reason="lost_sim"
                )
                request.action_submit()
                requests_ |= request
        return requests_, requests_.bss_outbox_ids

    def _run_batch(self):
        return self.env["telecom.outbox"]._bss_deliver_batch(self.backend.id)

    def test_one_job_delivers_a_batch_by_priority_and_queues_the_next(self):
        self.backend.delivery_batch_size = 2
        self.env.flush_all()  # committed configuration, as in production
        blocks, block_orders = self._submitted_orders(2)
        activations, activation_orders = self._submitted_orders(1, "activation")
        answers = iter(self.order_answer(f"ORD-{n}") for n in range(10))
        with (
            self.patch_adapter(
                "submit_order", side_effect=lambda *args: next(answers)
            ) as submit,
            trap_jobs() as trap,
        ):
            result = self._run_batch()
            # a full batch: the slot's next job is queued at once
            trap.assert_jobs_count(1)
            trap.assert_enqueued_job(
                self.env["telecom.outbox"]._bss_deliver_batch,
                args=(self.backend.id, 0),
                properties={"eta": None},
            )
        self.assertIn("delivered 2", result)
        # the activation first (a line waits for it), then the oldest block
        sent = [call.args[1] for call in submit.call_args_list]
        self.assertEqual(
            sent, [activation_orders.idempotency_key, block_orders[0].idempotency_key]
        )
        self.assertEqual(activation_orders.state, "done")
        self.assertEqual(activations.service_id.state, "active")
        self.assertEqual(block_orders.mapped("state"), ["done", "pending"])
        self.assertEqual(blocks.mapped("state"), ["done", "submitted"])
        with (
            self.patch_adapter("submit_order", side_effect=lambda *a: next(answers)),
            trap_jobs() as trap,
        ):
            self.assertIn("delivered 1", self._run_batch())
            trap.assert_jobs_count(0)  # nothing left, nothing waiting
            self.assertEqual(self._run_batch(), "nothing to deliver")
        self.assertEqual(blocks.mapped("state"), ["done", "done"])
        self.assertEqual(blocks.service_id.mapped("state"), ["blocked", "blocked"])
        self.assertEqual(block_orders.mapped("attempt_count"), [1, 1])
        self.assertEqual(
            sorted(block_orders.mapped("external_order_id")), ["ORD-1", "ORD-2"]
        )
        calls = self.env["telecom.backend.call"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(calls.mapped("outcome"), ["ok"] * 3)

    def test_transport_failure_stops_the_batch_and_counts_one_attempt(self):
        _requests, orders = self._submitted_orders(3)
        outcomes = iter(
            [self.order_answer("ORD-1"), TransportError("billing error HTTP 503")]
        )

        def submit(*_args):
            outcome = next(outcomes)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

        with (
            self.patch_adapter("submit_order", side_effect=submit),
            trap_jobs() as trap,
        ):
            result = self._run_batch()
            # the rest is due: the next job goes on (the circuit decides)
            trap.assert_jobs_count(1)
        self.assertIn("failed 1, left 1", result)
        orders.invalidate_recordset()
        self.assertEqual(orders.mapped("state"), ["done", "pending", "pending"])
        self.assertEqual(orders.mapped("attempt_count"), [1, 1, 0])
        self.assertIn("503", orders[1].last_error)
        self.assertGreater(orders[1].next_attempt_at, fields.Datetime.now())
        self.assertFalse(orders[2].next_attempt_at)
        # the failed order waits for its delay; the untouched one goes now
        with (
            self.patch_adapter(
                "submit_order", return_value=self.order_answer("ORD-3")
            ) as sent,
            trap_jobs() as trap,
        ):
            self._run_batch()
            # a wake-up job for the order waiting for its retry
            trap.assert_jobs_count(1)
            wake_up = trap.enqueued_jobs[0].eta - orders[1].next_attempt_at
            self.assertLess(abs(wake_up.total_seconds()), 1)
        self.assertEqual(sent.call_args.args[1], orders[2].idempotency_key)
        self.assertEqual(orders.mapped("state"), ["done", "pending", "done"])
        # a job that finds nothing due (its order waits out its delay) still
        # leaves a wake-up behind: without it the retry waited for the cron
        with trap_jobs() as trap:
            self.assertEqual(self._run_batch(), "nothing to deliver")
            trap.assert_jobs_count(1)
            wake_up = trap.enqueued_jobs[0].eta - orders[1].next_attempt_at
            self.assertLess(abs(wake_up.total_seconds()), 1)

    def test_refusal_in_a_batch_rejects_its_request_and_goes_on(self):
        requests_, orders = self._submitted_orders(2)
        outcomes = iter([RejectedError("Line blocked for debt"), None])

        def submit(*_args):
            outcome = next(outcomes)
            if outcome:
                raise outcome
            return self.order_answer()

        with self.patch_adapter("submit_order", side_effect=submit), trap_jobs():
            self._run_batch()
        self.assertEqual(orders.mapped("state"), ["rejected", "done"])
        self.assertEqual(requests_.mapped("state"), ["rejected", "done"])

    def test_open_circuit_stops_the_batch_and_wakes_up_after_the_pause(self):
        _requests, orders = self._submitted_orders(2)
        self.backend.write(
            {
                "circuit_state": "open",
                "circuit_opened_at": fields.Datetime.now(),
                "circuit_cooldown": 60,
            }
        )
        with (
            self.patch_adapter("submit_order") as submit,
            trap_jobs() as trap,
        ):
            self._run_batch()
            trap.assert_jobs_count(1)
            eta = trap.enqueued_jobs[0].eta
        submit.assert_not_called()
        self.assertEqual(orders.mapped("attempt_count"), [0, 0])
        self.assertGreaterEqual((eta - fields.Datetime.now()).total_seconds(), 55)

    def test_closing_circuit_makes_orders_failed_in_the_outage_due_at_once(self):
        _requests, orders = self._submitted_orders(3)
        later = fields.Datetime.add(fields.Datetime.now(), seconds=30)
        # two orders failed while billing was down and wait out their backoff;
        # the circuit is open and its pause is over (half-open: one probe)
        orders[:2].write({"attempt_count": 2, "next_attempt_at": later})
        self.backend.write(
            {
                "circuit_state": "open",
                "circuit_opened_at": fields.Datetime.subtract(
                    fields.Datetime.now(), seconds=120
                ),
                "circuit_cooldown": 60,
            }
        )
        self.env.flush_all()
        with (
            self.patch_adapter(
                "submit_order", return_value=self.order_answer("ORD-9")
            ) as submit,
            trap_jobs() as trap,
        ):
            self._run_batch()
            # the probe went through: the circuit closed, the waiting orders
            # are due now and a job delivers them (not the backoff's end)
            self.assertEqual(submit.call_args.args[1], orders[2].idempotency_key)
            self.assertEqual(self.backend.circuit_state, "closed")
            orders.invalidate_recordset()
            # due now, not at the end of their backoff (the second batch below
            # claims them: it takes due orders only)
            self.assertLess(orders[0].next_attempt_at, later)
            self.assertLess(orders[1].next_attempt_at, later)
            due_now = [job for job in trap.enqueued_jobs if not job.eta]
            self.assertTrue(due_now, "no delivery job queued for the orders made due")
            submit.reset_mock()
            self._run_batch()
        self.assertEqual(orders.mapped("state"), ["done", "done", "done"])
        self.assertEqual(submit.call_count, 2)

    def test_a_closed_circuit_leaves_the_backoff_of_ordinary_failures(self):
        _requests, orders = self._submitted_orders(2)
        later = fields.Datetime.add(fields.Datetime.now(), seconds=30)
        orders[0].write({"attempt_count": 1, "next_attempt_at": later})
        self.backend.write({"circuit_state": "closed", "circuit_failure_count": 1})
        self.env.flush_all()
        with (
            self.patch_adapter("submit_order", return_value=self.order_answer()),
            trap_jobs(),
        ):
            self._run_batch()
        orders.invalidate_recordset()
        # one failure did not open the circuit: no outage, the delay stands
        self.assertEqual(orders.mapped("state"), ["pending", "done"])
        self.assertEqual(orders[0].next_attempt_at, later)

    def _submit_block(self):
        request = self._new_request(
            "block", self._activate_without_billing(), block_reason="lost_sim"
        )
        request.action_submit()
        return request.bss_outbox_ids

    def _job(self, uuid):
        return self.env["queue.job"].search([("uuid", "=", uuid)])

    def test_an_order_after_its_slot_job_was_enqueued_gets_a_job_of_its_own(self):
        first = self._submit_block()
        slot_job = self._job(first.job_uuid)
        self.assertEqual(slot_job.state, "pending")
        self.assertEqual(slot_job.identity_key, f"telecom.outbox:{self.backend.id}:0")
        # the runner hands the job to a worker: it may claim before a new
        # order's transaction commits, and would never see that order
        slot_job.env.cr.execute(
            "UPDATE queue_job SET state = 'enqueued' WHERE id = %s", [slot_job.id]
        )
        slot_job.invalidate_recordset()
        second = self._submit_block()
        self.assertNotEqual(second.job_uuid, first.job_uuid)
        new_job = self._job(second.job_uuid)
        self.assertEqual(new_job.state, "pending")
        self.assertEqual(new_job.identity_key, slot_job.identity_key)
        self.assertEqual(new_job.method_name, "_bss_deliver_batch")
        # a pending job is still shared by the orders that follow
        third = self._submit_block()
        self.assertEqual(third.job_uuid, second.job_uuid)


@tagged("post_install", "-at_install")
class TestOutboxConcurrentDelivery(BssCommon):
    """Two delivery jobs at once, each in its own transaction (real connections,
    committed data, cleaned up afterwards): no order is sent twice."""

    ORDERS = 40

    def setUp(self):
        super().setUp()
        self.dbname = self.env.cr.dbname
        self.key_prefix = f"T-CONCURRENT-{id(self)}"
        with self._own_env() as env:
            backend = env["telecom.backend"].create(
                self._backend_vals(
                    name="T Concurrent Billing",
                    url="http://127.0.0.1:9",
                    delivery_batch_size=5,
                    owner_id=False,
                )
            )
            env["telecom.outbox"].create(
                [
                    {
                        "idempotency_key": f"{self.key_prefix}-{index:03d}",
                        "backend_id": backend.id,
                        "operation": "block",
                        "account_ref": "ACC-CONCURRENT",
                    }
                    for index in range(self.ORDERS)
                ]
            )
            self.backend_id = backend.id
        self.addCleanup(self._clean)

    def _own_env(self):
        """An environment on a connection of its own, committed at the end."""
        return _OwnEnv(self.dbname)

    def _clean(self):
        with self._own_env() as env:
            env.cr.execute(
                "DELETE FROM queue_job WHERE identity_key LIKE %s",
                [f"telecom.outbox:{self.backend_id}:%"],
            )
            env["telecom.outbox"].search(
                [("backend_id", "=", self.backend_id)]
            ).unlink()
            env["telecom.backend.call"].search(
                [("backend_id", "=", self.backend_id)]
            ).unlink()
            env["telecom.backend"].browse(self.backend_id).unlink()

    def test_two_deliverers_never_send_the_same_order(self):
        sent, lock = [], threading.Lock()
        both_sending = threading.Barrier(2, timeout=30)
        first_call = threading.local()

        def submit(_adapter, key, *_args):
            if not getattr(first_call, "done", False):
                # both jobs hold their claimed batch at this point
                first_call.done = True
                both_sending.wait()
            with lock:
                sent.append(key)
            return self.order_answer(f"ORD-{key}")

        errors = []

        def deliverer():
            try:
                while True:
                    with self._own_env() as env:
                        Outbox = env["telecom.outbox"]
                        try:
                            result = Outbox._bss_deliver_batch(self.backend_id)
                        except RetryableJobError:
                            env.cr.rollback()
                            continue
                    if result == "nothing to deliver":
                        return
            except Exception as error:  # reported by the test thread
                errors.append(error)

        with (
            self.patch_adapter("submit_order", side_effect=submit),
            # what the jobs queue next and their journal use other connections:
            # not under test here
            _patch_model(self, "telecom.outbox", "_bss_queue_next", None),
            _patch_model(self, "telecom.backend", "_bss_journal", None),
        ):
            threads = [threading.Thread(target=deliverer) for _index in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        self.assertFalse(errors)
        self.assertEqual(len(sent), self.ORDERS)
        self.assertEqual(len(set(sent)), self.ORDERS, "an order was sent twice")
        with self._own_env() as env:
            orders = env["telecom.outbox"].search(
                [("backend_id", "=", self.backend_id)]
            )
            self.assertEqual(set(orders.mapped("state")), {"done"})
            self.assertEqual(set(orders.mapped("attempt_count")), {1})

    def test_the_runner_starts_a_job_an_order_took_after_the_order_commits(self):
        with self._own_env() as env:
            backend = env["telecom.backend"].browse(self.backend_id)
            job_uuid = env["telecom.outbox"]._bss_queue_delivery(backend, 0)
        with self._own_env() as env:
            order = env["telecom.outbox"].create(
                {
                    "idempotency_key": f"{self.key_prefix}-late",
                    "backend_id": self.backend_id,
                    "operation": "block",
                    "account_ref": "ACC-CONCURRENT",
                }
            )
            order._bss_enqueue()
            self.assertEqual(order.job_uuid, job_uuid)
            # the job runner's switch to "enqueued" waits for the order's commit:
            # the job's claim, later, sees the order
            runner = sql_db.db_connect(self.dbname).cursor()
            try:
                runner.execute("SET LOCAL lock_timeout = '300ms'")
                with (
                    mute_logger("odoo.sql_db"),
                    self.assertRaises(psycopg2.errors.LockNotAvailable),
                ):
                    runner.execute(
                        "UPDATE queue_job SET state = 'enqueued' WHERE uuid = %s",
                        [job_uuid],
                    )
            finally:
                runner.rollback()
                runner.close()
            # meanwhile another order's transaction does not wait: a job of its own
            with self._own_env() as other:
                other_order = other["telecom.outbox"].create(
                    {
                        "idempotency_key": f"{self.key_prefix}-other",
                        "backend_id": self.backend_id,
                        "operation": "block",
                        "account_ref": "ACC-CONCURRENT",
                    }
                )
                other_order._bss_enqueue()
                self.assertNotEqual(other_order.job_uuid, job_uuid)

    def test_an_order_whose_job_was_enqueued_after_its_snapshot_gets_a_new_job(self):
        with self._own_env() as env:
            backend = env["telecom.backend"].browse(self.backend_id)
            job_uuid = env["telecom.outbox"]._bss_queue_delivery(backend, 0)
        with self._own_env() as env:
            env.cr.execute("SELECT 1")  # the order's transaction has its snapshot
            with self._own_env() as runner:
                runner.cr.execute(
                    "UPDATE queue_job SET state = 'enqueued' WHERE uuid = %s",
                    [job_uuid],
                )
            order = env["telecom.outbox"].create(
                {
                    "idempotency_key": f"{self.key_prefix}-after-snapshot",
                    "backend_id": self.backend_id,
                    "operation": "block",
                    "account_ref": "ACC-CONCURRENT",
                }
            )
            order._bss_enqueue()
            self.assertTrue(order.job_uuid)
            self.assertNotEqual(order.job_uuid, job_uuid)
            # the next order of the transaction takes that new job
            next_order = env["telecom.outbox"].create(
                {
                    "idempotency_key": f"{self.key_prefix}-after-snapshot-2",
                    "backend_id": self.backend_id,
                    "operation": "block",
                    "account_ref": "ACC-CONCURRENT",
                }
            )
            next_order._bss_enqueue()
            self.assertEqual(next_order.job_uuid, order.job_uuid)

    def test_a_delivery_of_one_order_keeps_its_order_out_of_batches(self):
        with self._own_env() as env:
            first = env["telecom.outbox"].search(
                [("backend_id", "=", self.backend_id)], order="id", limit=1
            )
            key = first.idempotency_key
            self.assertTrue(first._bss_try_lock())  # _bss_deliver runs on it
            with (
                self.patch_adapter(
                    "submit_order", return_value=self.order_answer()
                ) as sent,
                _patch_model(self, "telecom.outbox", "_bss_queue_next", None),
                _patch_model(self, "telecom.backend", "_bss_journal", None),
                self._own_env() as other,
            ):
                other["telecom.outbox"]._bss_deliver_batch(self.backend_id)
            # its batch of 5 without the order being delivered alone
            self.assertEqual(sent.call_count, 4)
            self.assertNotIn(key, [call.args[1] for call in sent.call_args_list])


class _OwnEnv:
    """``with _OwnEnv(dbname) as env``: a superuser environment on a new
    connection (not the test's), committed when the block ends without error."""

    def __init__(self, dbname):
        self.cr = sql_db.db_connect(dbname).cursor()

    def __enter__(self):
        return api.Environment(self.cr, SUPERUSER_ID, {})

    def __exit__(self, exc_type, *_exc):
        if exc_type is None:
            # the data two real transactions see: committed, removed by _clean
            self.cr.commit()  # pylint: disable=invalid-commit
        else:
            self.cr.rollback()
        self.cr.close()


def _patch_model(case, model, method, return_value):
    from unittest import mock

    return mock.patch.object(
        type(case.env[model]), method, autospec=True, return_value=return_value
    )
