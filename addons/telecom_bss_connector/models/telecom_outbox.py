import logging
import random
from datetime import timedelta

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
MONITOR_GROUP = "telecom_bss_connector.telecom_bss_connector_group_monitor"


class TelecomOutbox(models.Model):
    """One business operation to deliver to billing, written with the fact.

    Rows are created in the transaction of the request transition (so a
    rolled-back submit sends nothing and a committed one is never lost) and
    delivered by a queue job: retries with exponential backoff, the same
    idempotency key every time (billing applies a key once), a dead-letter
    state that alerts the integration owner, and a manual retry.
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
        """One delivery job per order; a job already waiting for it is reused."""
        uuids = []
        for order in self:
            job = order.with_delay(
                channel=JOB_CHANNEL,
                priority=order._bss_job_priority(),
                eta=eta,
                max_retries=order.backend_id.max_attempts + 2,
                identity_key=f"telecom.outbox:{order.id}",
                description=self.env._(
                    "Deliver %(key)s to %(backend)s",
                    key=order.idempotency_key,
                    backend=order.backend_id.name,
                ),
            )._bss_deliver()
            uuids.append(job.uuid if job else None)
        if self:
            self.env.cr.execute(
                SQL(
                    """UPDATE telecom_outbox o SET job_uuid = j.uuid
                         FROM unnest(%s::int[], %s::varchar[]) AS j(id, uuid)
                        WHERE o.id = j.id""",
                    self.ids,
                    uuids,
                )
            )
            self.invalidate_recordset(["job_uuid"])

    def _bss_job_priority(self):
        # a line waiting for activation first, a termination last
        return {"activation": 5, "port_in": 5, "termination": 15}.get(
            self.operation, 10
        )

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
    # delivery (the queue job)
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
        raise RetryableJobError(message, seconds=delay)

    def _bss_mark_done(self, values):
        # sudo: delivery state is written by the system (see _bss_create)
        self.sudo().write(
            {
                **values,
                "state": "done",
                "date_done": fields.Datetime.now(),
                "attempt_count": self.attempt_count + 1,
                "last_attempt_at": fields.Datetime.now(),
                "next_attempt_at": False,
            }
        )
        if self.request_id:
            self.request_id._bss_on_order_delivered(self)
        self.refund_id._bss_on_adjustment_posted(self)

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
        """Queue again the pending orders no live job will deliver.

        A job may be cancelled by hand, fail on a bug or be lost with its
        database backup: the outbox, not the job queue, is the truth.
        """
        self.env.cr.execute(
            SQL(
                """SELECT o.id FROM telecom_outbox o
                     LEFT JOIN queue_job j ON j.uuid = o.job_uuid
                    WHERE o.state = 'pending'
                      AND o.create_date
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
