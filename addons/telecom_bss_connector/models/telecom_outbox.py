import json
import logging
import math
import random
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.queue_job.exception import RetryableJobError

from ..adapters.base import (
    CircuitOpenError,
    ProtocolError,
    RejectedError,
    TransportError,
)
from ..tools import mappers

_logger = logging.getLogger(__name__)

OPERATIONS = [
    ("activation", "Activation"),
    ("tariff_change", "Tariff Change"),
    ("option_change", "Option Change"),
    ("block", "Block"),
    ("unblock", "Unblock"),
    ("sim_swap", "SIM Replacement"),
    ("termination", "Termination"),
    ("port_in", "Port-In"),
    ("port_out", "Port-Out"),
    ("owner_change", "Change of Owner"),
    ("number_change", "Number Change"),
    ("relocation", "Relocation"),
    ("renewal", "Contract Renewal"),
    ("adjustment", "Adjustment (Credit)"),
]
STATES = [
    ("pending", "Pending"),
    ("done", "Delivered"),
    ("rejected", "Rejected by Billing"),
    ("dead", "Dead Letter"),
    ("cancelled", "Cancelled"),
]
JOB_CHANNEL = "root.telecom_bss"
# order of delivery: a line waiting for activation first, a termination last
OPERATION_PRIORITY = {"activation": 5, "port_in": 5, "termination": 15}
DEFAULT_PRIORITY = 10
MONITOR_GROUP = "telecom_bss_connector.telecom_bss_connector_group_monitor"


class TelecomOutbox(models.Model):
    """One business operation to deliver to billing, written with the fact.

    Rows are created in the transaction of the request transition (so a
    rolled-back submit sends nothing and a committed one is never lost) and
    delivered by queue jobs, in batches: each job of a system claims up to
    ``delivery_batch_size`` of its due orders (``FOR UPDATE SKIP LOCKED``: two
    jobs never take the same order), sends them over a kept-alive HTTP session
    and writes billing's answers set-based. Retries with exponential backoff per
    order, the same idempotency key every time (billing applies a key once), a
    dead-letter state that alerts the integration owner, and a manual retry.
    """

    _name = "telecom.outbox"
    _description = "Billing Order (Outbox)"
    _order = "id desc"
    _rec_name = "idempotency_key"

    idempotency_key = fields.Char(required=True, readonly=True, index=True)
    backend_id = fields.Many2one(
        "telecom.backend", required=True, readonly=True, ondelete="restrict"
    )
    operation = fields.Selection(OPERATIONS, required=True, readonly=True)
    request_id = fields.Many2one(
        "telecom.request", readonly=True, index="btree_not_null", ondelete="restrict"
    )
    service_id = fields.Many2one(
        "telecom.service", readonly=True, index="btree_not_null", ondelete="set null"
    )
    refund_id = fields.Many2one(
        "telecom.refund", readonly=True, index="btree_not_null", ondelete="restrict"
    )
    partner_id = fields.Many2one(
        "res.partner", string="Subscriber", readonly=True, ondelete="set null"
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    region_id = fields.Many2one(
        "telecom.region", string="Zone", readonly=True, ondelete="set null"
    )
    account_ref = fields.Char(string="Billing Account", readonly=True)
    msisdn = fields.Char(string="MSISDN", readonly=True)
    payload = fields.Json(readonly=True)
    state = fields.Selection(
        STATES, required=True, default="pending", readonly=True, index=True
    )
    attempt_count = fields.Integer(string="Attempts", readonly=True, default=0)
    last_attempt_at = fields.Datetime(readonly=True)
    next_attempt_at = fields.Datetime(string="Next Attempt", readonly=True)
    last_error = fields.Text(readonly=True)
    external_order_id = fields.Char(string="Billing Order", readonly=True, index=True)
    external_status = fields.Char(string="Billing Status", readonly=True)
    response_message = fields.Text(string="Billing Message", readonly=True)
    date_done = fields.Datetime(string="Delivered On", readonly=True)
    manual_retry_count = fields.Integer(readonly=True, default=0)
    job_uuid = fields.Char(string="Job", readonly=True, copy=False)
    delivery_label = fields.Char(compute="_compute_delivery_label")

    _sql_constraints = [
        (
            "idempotency_key_uniq",
            "unique(idempotency_key)",
            "An order with this idempotency key already exists.",
        ),
    ]

    def init(self):
        # the health figures and the requeue cron read the pending orders only
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS telecom_outbox_pending_idx
               ON telecom_outbox (backend_id, create_date) WHERE state = 'pending'"""
        )

    @api.depends("state", "attempt_count", "last_error")
    def _compute_delivery_label(self):
        states = dict(self._fields["state"]._description_selection(self.env))
        for order in self:
            if order.state == "pending" and order.attempt_count:
                order.delivery_label = self.env._(
                    "Billing: pending (%(count)s attempts)", count=order.attempt_count
                )
            else:
                order.delivery_label = self.env._(
                    "Billing: %(state)s", state=states[order.state].lower()
                )

    # ------------------------------------------------------------------
    # creation (in the transaction of the fact)
    # ------------------------------------------------------------------
    @api.model
    def _bss_create(self, vals_list):
        """Create the orders not created yet (same key: same order) and queue them."""
        keys = [vals["idempotency_key"] for vals in vals_list]
        # sudo: orders are written by the system in the request's transaction; users
        # read them but never write them
        Outbox = self.sudo()
        known = set(
            Outbox.search([("idempotency_key", "in", keys)]).mapped("idempotency_key")
        )
        new_vals = [vals for vals in vals_list if vals["idempotency_key"] not in known]
        orders = Outbox.create(new_vals)
        orders._bss_enqueue()
        return orders.with_env(self.env)

    def _bss_enqueue(self, eta=None):
        """Hand the orders to the delivery jobs of their systems.

        A system has at most ``delivery_jobs`` jobs waiting (one per slot: a
        waiting job of the slot is reused), as many as batches of these orders;
        a job that delivered a full batch queues its slot's next one itself.
        """
        for backend, orders in self.grouped("backend_id").items():
            batches = math.ceil(len(orders) / max(1, backend.delivery_batch_size))
            slots = range(min(max(1, backend.delivery_jobs), batches))
            uuids = [self._bss_queue_delivery(backend, slot, eta) for slot in slots]
            self.env.cr.execute(
                SQL(
                    "UPDATE telecom_outbox SET job_uuid = %s WHERE id = ANY(%s)",
                    uuids[0],
                    orders.ids,
                )
            )
        self.invalidate_recordset(["job_uuid"])

    @api.model
    def _bss_queue_delivery(self, backend, slot, eta=None, identity=None):
        """Queue a delivery job of ``backend`` (or take its waiting one); its uuid.

        A waiting job is taken only while it is pending, and locked until this
        transaction ends (see :meth:`_bss_lock_waiting_job`): it starts after
        the orders of this transaction are committed, so its claim sees them.
        A job already enqueued or started may have claimed before them: a new
        job then, beside it (queue_job itself would reuse an enqueued job of the
        same identity key, so the key is set only once the job is created).
        """
        identity = identity or f"telecom.outbox:{backend.id}:{slot}"
        waiting = self._bss_lock_waiting_job(identity)
        if waiting:
            return waiting
        job = (
            self.browse()
            .with_delay(
                channel=JOB_CHANNEL,
                eta=eta,
                max_retries=backend.max_attempts + 2,
                description=self.env._(
                    "Deliver billing orders to %(backend)s", backend=backend.name
                ),
            )
            ._bss_deliver_batch(backend.id, slot)
        )
        if not job:
            return None
        self.env.cr.execute(
            SQL(
                "UPDATE queue_job SET identity_key = %s WHERE uuid = %s",
                identity,
                job.uuid,
            )
        )
        self.env["queue.job"].invalidate_model(["identity_key"])
        return job.uuid

    @api.model
    def _bss_lock_waiting_job(self, identity):
        """The uuid of a pending delivery job of this key, locked until this
        transaction ends (the job runner's switch to ``enqueued`` waits for it),
        or None: none pending, locked by another transaction, or enqueued since
        this transaction's snapshot. The newest first: after a job was enqueued
        under this transaction, the next orders of the transaction take the job
        it queued instead (not one job per order)."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """SELECT uuid FROM queue_job
                            WHERE identity_key = %s AND state = 'pending'
                            ORDER BY id DESC LIMIT 1
                              FOR UPDATE SKIP LOCKED""",
                        identity,
                    ),
                    # enqueued meanwhile is an answer here, not an error to log
                    log_exceptions=False,
                )
                row = self.env.cr.fetchone()
        except psycopg2.errors.SerializationFailure:
            return None
        return row and row[0]

    @api.model
    def _bss_prepare_adjustment_vals(
        self, backend, idempotency_key, account, amount, reason, period=None
    ):
        """Values of an order crediting ``amount`` to ``account`` (a
        ``telecom.account``) in billing, for :meth:`_bss_create`.

        ``idempotency_key`` is the adjustment's external reference: billing posts
        it once, a replay gets the same adjustment back. Callers add the link to
        their own record (a field they add to the outbox) to the values.
        """
        if float(amount or 0) <= 0:
            raise UserError(
                self.env._(
                    "An adjustment credits a positive amount, not %(amount)s.",
                    amount=amount,
                )
            )
        return {
            "idempotency_key": idempotency_key,
            "backend_id": backend.id,
            "operation": "adjustment",
            "partner_id": account.partner_id.id,
            "company_id": account.company_id.id,
            "region_id": account.region_id.id,
            "account_ref": account.billing_reference or account.name,
            "payload": mappers.adjustment_payload(
                amount, account.currency_id.name, reason, period
            ),
        }

    # ------------------------------------------------------------------
    # delivery in batches (the queue job)
    # ------------------------------------------------------------------
    @api.model
    def _bss_deliver_batch(self, backend_id, slot=0):
        """The delivery job: send up to a batch of the system's due orders.

        The orders are claimed first (row locks kept until this transaction,
        which writes billing's answers, ends), then sent in priority order; the
        first transport failure stops the batch (the circuit breaker and the
        next job decide when to go on). Then what comes next is queued: the
        slot's next job while orders are due, else a wake-up at the earliest
        retry or at the end of the circuit's pause.
        """
        # sudo: a job delivers the orders of every user of the system, whoever
        # queued it; billing's answers are applied as the orders' authors below
        orders = self.sudo()._bss_claim(backend_id)
        if not orders:
            # orders waiting out their backoff still need a job at their time
            backend = self.env["telecom.backend"].sudo().browse(backend_id)
            self._bss_queue_retry_wake_up(backend)
            return "nothing to deliver"
        outcome = orders._bss_deliver_claimed()
        orders._bss_queue_next(slot, outcome)
        return (
            f"delivered {outcome['delivered']}, refused {outcome['refused']}, "
            f"failed {outcome['failed']}, left {outcome['left']}"
            + (f" ({outcome['stop']})" if outcome["stop"] else "")
        )

    @api.model
    def _bss_claim(self, backend_id):
        """Lock and return up to a batch of due orders of the system, by priority.

        ``SKIP LOCKED``: an order another job (of any node) holds is left to it.
        The claim should be the first statement of the job's transaction: under
        repeatable read, an order another job delivered after this transaction's
        snapshot cannot be locked; the job then tries again at once.
        """
        priority = SQL(
            "CASE o.operation %s ELSE %s END",
            SQL(" ").join(
                SQL("WHEN %s THEN %s", operation, value)
                for operation, value in OPERATION_PRIORITY.items()
            ),
            DEFAULT_PRIORITY,
        )
        query = SQL(
            """SELECT o.id FROM telecom_outbox o
                WHERE o.backend_id = %(backend)s AND o.state = 'pending'
                  AND (o.next_attempt_at IS NULL
                       OR o.next_attempt_at <= now() at time zone 'utc')
                ORDER BY %(priority)s, o.id
                LIMIT (SELECT delivery_batch_size FROM telecom_backend
                        WHERE id = %(backend)s)
                  FOR UPDATE OF o SKIP LOCKED""",
            backend=backend_id,
            priority=priority,
        )
        try:
            with self.env.cr.savepoint(flush=False):
                # an expected race between jobs, answered below: not logged as
                # a bad query
                self.env.cr.execute(query, log_exceptions=False)
                ids = [row[0] for row in self.env.cr.fetchall()]
        except psycopg2.errors.SerializationFailure as error:
            raise RetryableJobError(
                "orders delivered meanwhile by another job: claim again",
                seconds=1,
                ignore_retry=True,
            ) from error
        if not ids:
            return self.browse()
        # a delivery of one order (_bss_deliver) holds its order's advisory lock:
        # leave that order to it
        self.env.cr.execute(
            SQL(
                """SELECT id FROM unnest(%s::int[]) WITH ORDINALITY AS c(id, rank)
                    WHERE pg_try_advisory_xact_lock(%s, id) ORDER BY rank""",
                ids,
                self._bss_lock_namespace(),
            )
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _bss_deliver_claimed(self):
        """Send the claimed orders of one system and write billing's answers.

        Returns the counts and the reason of an early stop for the job's result.
        """
        backend = self.backend_id.ensure_one()
        journal, answers, refused = [], {}, []
        failed = failure = stop = None
        for order in self:
            try:
                answers[order.id] = order._bss_send(journal)
            except CircuitOpenError as error:
                stop = error  # not an attempt: the pause decides
                break
            except RejectedError as error:
                refused.append((order, error))
            except (TransportError, ProtocolError) as error:
                failed, failure = order, error
                break
        backend._bss_journal(journal)
        # the requests follow as the user who submitted them (as the job of one
        # order did, queued by them)
        for author, orders in self.browse(list(answers)).grouped("create_uid").items():
            orders.with_user(author)._bss_mark_delivered(answers)
        for order, error in refused:
            order.with_user(order.create_uid)._bss_mark_rejected(error)
        if failed:
            failed.with_user(failed.create_uid)._bss_count_failed_attempt(failure)
        sent = len(answers) + len(refused) + bool(failed)
        return {
            "delivered": len(answers),
            "refused": len(refused),
            "failed": int(bool(failed)),
            "left": len(self) - sent,
            "full": len(self) >= backend.delivery_batch_size,
            "circuit_open": bool(stop),
            "stop": (stop or failure) and (stop or failure).message,
        }

    def _bss_queue_next(self, slot, outcome):
        """Queue the delivery that follows this batch (see _bss_deliver_batch)."""
        backend = self.backend_id
        if outcome["circuit_open"]:
            backend.invalidate_recordset()
            eta = (backend.circuit_opened_at or fields.Datetime.now()) + timedelta(
                seconds=backend.circuit_cooldown + 1
            )
            self._bss_queue_wake_up(backend, eta)
        elif outcome["full"] or outcome["left"] or outcome["failed"]:
            self._bss_queue_delivery(backend, slot)
        else:
            self._bss_queue_retry_wake_up(backend)

    @api.model
    def _bss_queue_retry_wake_up(self, backend):
        """A delivery job at the earliest retry of ``backend``'s waiting orders."""
        self.env.cr.execute(
            SQL(
                """SELECT min(next_attempt_at) FROM telecom_outbox
                    WHERE backend_id = %s AND state = 'pending'
                      AND next_attempt_at > now() at time zone 'utc'""",
                backend.id,
            )
        )
        earliest = self.env.cr.fetchone()[0]
        if earliest:
            self._bss_queue_wake_up(backend, earliest)

    @api.model
    def _bss_queue_wake_up(self, backend, eta):
        """A delivery job at ``eta`` (those of the same 10 s are one job)."""
        identity = f"telecom.outbox:{backend.id}:at:{int(eta.timestamp()) // 10}"
        return self._bss_queue_delivery(backend, 0, eta=eta, identity=identity)

    def _bss_count_failed_attempt(self, error):
        """A failed attempt of a batch: dead letter at the last one, else later."""
        self.ensure_one()
        attempt = self.attempt_count + 1
        message = self.env["telecom.backend"]._bss_transport_message(error)
        if attempt >= self.backend_id.max_attempts:
            self._bss_mark_dead(attempt, message)
            return
        self._bss_write_attempt(
            self.env.cr, attempt, self._bss_retry_delay(attempt), message
        )
        self.invalidate_recordset()

    def _bss_write_attempt(self, cr, attempt, delay, message):
        cr.execute(
            SQL(
                """UPDATE telecom_outbox SET attempt_count = %(attempt)s,
                          last_attempt_at = now() at time zone 'utc',
                          next_attempt_at = now() at time zone 'utc'
                              + %(delay)s * interval '1 second',
                          last_error = %(error)s
                    WHERE id = %(id)s AND state = 'pending'""",
                attempt=attempt,
                delay=delay,
                error=message,
                id=self.id,
            )
        )

    # ------------------------------------------------------------------
    # delivery of one order (jobs queued before batches, tests, tools)
    # ------------------------------------------------------------------
    def _bss_deliver(self):
        """Deliver this order once; the job's result says what happened."""
        self.ensure_one()
        if not self._bss_try_lock():
            return "another delivery of this order is running"
        self.invalidate_recordset()
        if self.state != "pending":
            return f"nothing to do: order is {self.state}"
        backend = self.backend_id
        journal = []
        try:
            values = self._bss_send(journal)
        except CircuitOpenError as error:
            # not an attempt: wait for the circuit's pause, whatever its length
            raise RetryableJobError(
                error.message,
                seconds=self._bss_circuit_wait(),
                ignore_retry=True,
            ) from error
        except RejectedError as error:
            backend._bss_journal(journal)
            self._bss_mark_rejected(error)
            return f"rejected: {error.message}"
        except (TransportError, ProtocolError) as error:
            return self._bss_retry_later(error, journal)
        backend._bss_journal(journal)
        self._bss_mark_done(values)
        return f"delivered: {values['external_order_id']}"

    def _bss_send(self, journal):
        """Send the order by the adapter operation its kind needs; return the
        outbox values of billing's answer (the adapter errors go up)."""
        if self.operation == "adjustment":
            payload = self.payload or {}
            answer = self.backend_id._bss_call(
                "post_adjustment",
                self.idempotency_key,
                self.account_ref,
                payload.get("amount"),
                payload.get("currency"),
                payload.get("reason"),
                payload.get("period"),
                journal=journal,
            )
            return mappers.adjustment_result_values(answer)
        answer = self.backend_id._bss_call(
            "submit_order",
            self.idempotency_key,
            self.operation,
            self.account_ref,
            self.msisdn,
            self.payload,
            journal=journal,
        )
        return mappers.order_result_values(answer)

    def _bss_try_lock(self):
        """A transaction lock on the order: two deliveries never run at once."""
        self.env.cr.execute(
            SQL(
                "SELECT pg_try_advisory_xact_lock(%s, %s)",
                self._bss_lock_namespace(),
                self.id,
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _bss_lock_namespace(self):
        return 740_331  # arbitrary, constant: "telecom outbox" advisory locks

    def _bss_circuit_wait(self):
        backend = self.backend_id
        opened = backend.circuit_opened_at or fields.Datetime.now()
        left = (
            opened + timedelta(seconds=backend.circuit_cooldown) - fields.Datetime.now()
        ).total_seconds()
        # spread the wake-ups of a backlog over the next pause
        return max(1, int(left)) + random.randint(0, max(1, backend.circuit_cooldown))

    def _bss_retry_delay(self, attempt):
        backend = self.backend_id
        delay = backend.backoff_base * backend.backoff_factor ** max(0, attempt - 1)
        delay = min(delay, backend.backoff_max)
        return max(1, int(delay * random.uniform(0.9, 1.1)))

    def _bss_retry_later(self, error, journal):
        """Count the failed attempt; retry later, or give up into dead letter."""
        attempt = self.attempt_count + 1
        message = self.env["telecom.backend"]._bss_transport_message(error)
        if attempt >= self.backend_id.max_attempts:
            self.backend_id._bss_journal(journal)
            self._bss_mark_dead(attempt, message)
            return f"dead after {attempt} attempts: {message}"
        delay = self._bss_retry_delay(attempt)
        # the job's transaction is rolled back when it asks for a retry: write the
        # attempt and the call journal in their own short transaction
        self.backend_id.flush_recordset()
        with self.backend_id._bss_short_transaction() as cr:
            self.backend_id._bss_journal(journal, cr=cr)
            self._bss_write_attempt(cr, attempt, delay, message)
        raise RetryableJobError(message, seconds=delay)

    def _bss_mark_done(self, values):
        self._bss_mark_delivered({self.id: values})

    def _bss_mark_delivered(self, answers):
        """Billing applied these orders: write its answers (``answers``: order id
        -> values of ``mappers.order_result_values``) in one statement, then let
        the requests and refunds follow."""
        if not self:
            return
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                """UPDATE telecom_outbox o SET state = 'done',
                          date_done = now() at time zone 'utc',
                          attempt_count = o.attempt_count + 1,
                          last_attempt_at = now() at time zone 'utc',
                          next_attempt_at = NULL,
                          external_order_id = a.external_order_id,
                          external_status = a.external_status,
                          response_message = a.response_message,
                          job_uuid = COALESCE(%(job)s, o.job_uuid),
                          write_uid = %(uid)s,
                          write_date = now() at time zone 'utc'
                     FROM jsonb_to_recordset(%(answers)s::jsonb) AS a(
                          id int, external_order_id varchar,
                          external_status varchar, response_message text)
                    WHERE o.id = a.id""",
                job=self.env.context.get("job_uuid"),
                uid=self.env.uid,
                answers=json.dumps(
                    [{**answers[order_id], "id": order_id} for order_id in self.ids]
                ),
            )
        )
        self.invalidate_recordset()
        self.modified(["state", "attempt_count"])
        self._bss_after_delivered()

    def _bss_after_delivered(self):
        """The requests and refunds of the delivered orders follow billing."""
        self.request_id._bss_on_orders_delivered(self)
        for order in self.filtered("refund_id"):
            order.refund_id._bss_on_adjustment_posted(order)

    def _bss_mark_rejected(self, error):
        # sudo: delivery state is written by the system (see _bss_create)
        self.sudo().write(
            {
                "state": "rejected",
                "attempt_count": self.attempt_count + 1,
                "last_attempt_at": fields.Datetime.now(),
                "next_attempt_at": False,
                "response_message": error.message,
                "external_status": error.code or "REJECTED",
                "last_error": False,
            }
        )
        if self.request_id:
            self.request_id._bss_on_order_rejected(self, error.message)
        self.refund_id._bss_on_adjustment_failed(self)

    def _bss_mark_dead(self, attempt, message):
        # sudo: delivery state is written by the system (see _bss_create)
        self.sudo().write(
            {
                "state": "dead",
                "attempt_count": attempt,
                "last_attempt_at": fields.Datetime.now(),
                "next_attempt_at": False,
                "last_error": message,
            }
        )
        alert = self.env._(
            "Order %(key)s was not delivered after %(count)s attempts: "
            "%(error)s. Retry it from the outbox once billing is back.",
            key=self.idempotency_key,
            count=attempt,
            error=message,
        )
        self.backend_id._bss_alert_owner(
            self.env._("Billing orders in dead letter"), alert
        )
        waiting = self.request_id.filtered(
            lambda request: request.fulfilment_status == "waiting"
        )
        waiting._fail_external_fulfilment(alert)
        self.refund_id._bss_on_adjustment_failed(self)

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_retry(self):
        """Send dead orders again (same key: billing never applies one twice)."""
        if not self.env.user.has_group(MONITOR_GROUP):
            raise UserError(
                self.env._("Only the integration team may retry billing orders.")
            )
        not_dead = self.filtered(lambda order: order.state != "dead")
        if not_dead:
            raise UserError(
                self.env._(
                    "Only dead orders can be retried; %(key)s is not.",
                    key=not_dead[0].idempotency_key,
                )
            )
        for order in self:
            # sudo: delivery state is written by the system (see _bss_create)
            order.sudo().write(
                {
                    "state": "pending",
                    "attempt_count": 0,
                    "next_attempt_at": False,
                    "manual_retry_count": order.manual_retry_count + 1,
                }
            )
        self._bss_enqueue()
        failed = self.request_id.filtered(
            lambda request: request.fulfilment_status == "failed"
        )
        # sudo: the request's status follows its order; the integration team
        # retries orders of zones whose requests it may not write
        failed.sudo().write({"fulfilment_status": "waiting", "completion_error": False})
        return True

    def action_open_request(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "telecom.request",
            "res_id": self.request_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # crons
    # ------------------------------------------------------------------
    @api.model
    def _cron_requeue_stalled(self, batch_size=1000):
        """Queue again the pending orders due for 5 minutes no live job delivers.

        A job may be cancelled by hand, fail on a bug or be lost with its
        database backup: the outbox, not the job queue, is the truth.
        """
        self.flush_model(["state", "next_attempt_at", "job_uuid"])
        self.env.cr.execute(
            SQL(
                """SELECT o.id FROM telecom_outbox o
                     LEFT JOIN queue_job j ON j.uuid = o.job_uuid
                    WHERE o.state = 'pending'
                      AND COALESCE(o.next_attempt_at, o.create_date)
                          < now() at time zone 'utc' - interval '5 minutes'
                      AND (j.id IS NULL
                           OR j.state NOT IN ('wait_dependencies', 'pending',
                                              'enqueued', 'started'))
                    ORDER BY o.id LIMIT %s""",
                batch_size,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.browse(ids)._bss_enqueue()
        # the next run finds the rest: the orders queued now have a live job
        remaining = batch_size if len(ids) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(ids), remaining=remaining)
