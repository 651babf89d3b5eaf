import contextlib
import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..adapters.base import CircuitOpenError

MONITOR_GROUP = "telecom_bss_connector.telecom_bss_connector_group_monitor"
CIRCUIT_FIELDS = [
    "circuit_state",
    "circuit_failure_count",
    "circuit_opened_at",
    "circuit_status",
]
# outcomes that say the peer is unwell (a functional refusal is a healthy answer)
FAILED_OUTCOMES = ("error", "timeout", "parse_error")


class TelecomBackend(models.Model):
    """Circuit breaker and call journal of each system.

    Failed calls open the circuit after ``circuit_threshold`` failures in a
    row; while open, calls are refused at once; after the pause one probe is
    let through (half-open). Both are written in a short transaction of their
    own (see :meth:`_bss_short_transaction`).
    """

    _inherit = "telecom.backend"

    circuit_threshold = fields.Integer(
        string="Failures Before Opening", default=5, required=True
    )
    circuit_cooldown = fields.Integer(
        string="Open Circuit Pause (s)",
        default=60,
        required=True,
        help="While open, calls are not tried; after the pause one probe is let "
        "through (half-open).",
    )
    circuit_state = fields.Selection(
        [("closed", "Closed"), ("open", "Open")],
        default="closed",
        required=True,
        readonly=True,
        copy=False,
    )
    circuit_failure_count = fields.Integer(readonly=True, copy=False, default=0)
    circuit_opened_at = fields.Datetime(readonly=True, copy=False)
    circuit_status = fields.Selection(
        [("closed", "Closed"), ("open", "Open"), ("half_open", "Half-open")],
        string="Circuit",
        compute="_compute_circuit_status",
    )

    _sql_constraints = [
        (
            "circuit_valid",
            "CHECK(circuit_threshold >= 1 AND circuit_cooldown >= 0)",
            "The circuit breaker needs a threshold of at least one failure.",
        ),
    ]

    @api.depends("circuit_state", "circuit_opened_at", "circuit_cooldown")
    def _compute_circuit_status(self):
        now = fields.Datetime.now()
        for backend in self:
            backend.circuit_status = backend._circuit_status_at(now)

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_reset_circuit(self):
        """Close the circuit by hand (the system is known to be back)."""
        self._bss_check_monitor()
        if self._bss_set_circuit_closed():
            self._bss_queue_outage_retries()
        return True

    def _bss_check_monitor(self):
        """Only the integration team acts on a system's delivery (RPC included).

        The backend is read-only for every telecom user; closing its circuit or
        sending its dead orders again is the job of Integration Monitoring.
        """
        self.check_access("read")
        user = self.env.user
        if not (
            self.env.su
            or user.has_group(MONITOR_GROUP)
            or user.has_group("base.group_system")
        ):
            raise AccessError(
                self.env._(
                    "Only the integration team (Integration Monitoring) may act on "
                    "the delivery to %(backend)s.",
                    backend=", ".join(self.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # circuit state
    # ------------------------------------------------------------------
    def _bss_check_circuit(self):
        """Refuse at once while the circuit is open and its pause not over."""
        if self._circuit_status_at(fields.Datetime.now()) == "open":
            raise CircuitOpenError(
                self.env._(
                    "%(name)s is not answering: calls paused until %(time)s",
                    name=self.name,
                    time=fields.Datetime.to_string(
                        self.circuit_opened_at
                        + timedelta(seconds=self.circuit_cooldown)
                    ),
                )
            )

    def _circuit_status_at(self, now):
        self.ensure_one()
        if self.circuit_state != "open":
            return "closed"
        reopen = (self.circuit_opened_at or now) + timedelta(
            seconds=self.circuit_cooldown
        )
        return "open" if now < reopen else "half_open"

    # ------------------------------------------------------------------
    # call journal and circuit breaker
    # ------------------------------------------------------------------
    @contextlib.contextmanager
    def _bss_short_transaction(self):
        """A short transaction of its own (read committed), committed at once.

        The call journal and the circuit breaker are written there: they never
        hold a lock in the caller's transaction (concurrent jobs and agents do
        not queue on the backend row), and a failed call stays journaled when
        the caller's transaction is rolled back (a job asking for a retry).
        """
        with self.env.registry.cursor() as cr:
            if not self.env.registry.in_test_mode():
                # concurrent counter increments wait instead of failing to
                # serialize (Odoo's transactions are repeatable read)
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            yield cr

    def _bss_journal(self, records, cr=None):
        """Append the call records and move the circuit breaker, set-based.

        ``cr``: a cursor of :meth:`_bss_short_transaction` to write with (else
        one is opened for it).
        """
        self.ensure_one()
        if not records:
            return
        if cr is None:
            self.flush_recordset()  # settings changed in this transaction count
            with self._bss_short_transaction() as own_cr:
                made_due = self._bss_journal(records, cr=own_cr)
            if made_due:
                self._bss_queue_outage_retries()
            return made_due
        cr.execute(
            SQL(
                """INSERT INTO telecom_backend_call
                       (backend_id, company_id, date, operation, duration_ms,
                        outcome, http_status, error)
                   SELECT %(backend)s, %(company)s,
                          clock_timestamp() at time zone 'utc',
                          rec.operation, rec.duration_ms, rec.outcome,
                          rec.http_status, rec.error
                     FROM jsonb_to_recordset(%(records)s::jsonb) AS rec(
                          operation varchar, duration_ms int, outcome varchar,
                          http_status int, error text)""",
                backend=self.id,
                company=self.company_id.id or None,
                records=json.dumps(records, default=str),
            )
        )
        last = records[-1]
        made_due = 0
        if last.get("budget_cut"):
            pass  # not a sign of billing's health either way
        elif last["outcome"] in FAILED_OUTCOMES:
            self._bss_count_failure(cr)
        elif self.circuit_state != "closed" or self.circuit_failure_count:
            made_due = self._bss_set_circuit_closed(cr)
        self.invalidate_recordset(CIRCUIT_FIELDS)
        return made_due

    def _bss_count_failure(self, cr):
        cr.execute(
            SQL(
                """UPDATE telecom_backend SET
                       circuit_failure_count = COALESCE(circuit_failure_count, 0) + 1,
                       circuit_state = CASE
                           WHEN circuit_state = 'open'
                             OR COALESCE(circuit_failure_count, 0) + 1
                                >= circuit_threshold
                           THEN 'open' ELSE circuit_state END,
                       circuit_opened_at = CASE
                           WHEN circuit_state = 'open'
                             OR COALESCE(circuit_failure_count, 0) + 1
                                >= circuit_threshold
                           THEN clock_timestamp() at time zone 'utc'
                           ELSE circuit_opened_at END
                    WHERE id = %s""",
                self.id,
            )
        )

    def _bss_set_circuit_closed(self, cr=None):
        """Close the circuit; the number of orders made due again (see below)."""
        if cr is None:
            self.flush_recordset()
            with self._bss_short_transaction() as own_cr:
                made_due = self._bss_set_circuit_closed(own_cr)
            self.invalidate_recordset(CIRCUIT_FIELDS)
            return made_due
        made_due = self._bss_make_outage_failures_due(cr)
        cr.execute(
            SQL(
                """UPDATE telecom_backend SET circuit_state = 'closed',
                          circuit_failure_count = 0, circuit_opened_at = NULL
                    WHERE id IN %s
                      AND (circuit_state != 'closed'
                           OR COALESCE(circuit_failure_count, 0) != 0)""",
                tuple(self.ids),
            )
        )
        return made_due

    def _bss_make_outage_failures_due(self, cr):
        """Orders that failed while billing was down are due again at once.

        When an open circuit closes, billing answers again: the orders waiting
        out the backoff of an attempt that failed during the outage need not
        wait any longer (a backlog drains at once, not over the backoff's last
        step). Orders another transaction holds are left as they are (``SKIP
        LOCKED``: never wait on a row lock from this short transaction).
        """
        cr.execute(
            SQL(
                """UPDATE telecom_outbox SET next_attempt_at = now() at time zone 'utc'
                    WHERE id IN (
                        SELECT o.id FROM telecom_outbox o
                          JOIN telecom_backend b ON b.id = o.backend_id
                         WHERE b.id IN %s AND b.circuit_state = 'open'
                           AND o.state = 'pending' AND o.attempt_count > 0
                           AND o.next_attempt_at > now() at time zone 'utc'
                           FOR UPDATE OF o SKIP LOCKED)""",
                tuple(self.ids),
            )
        )
        if cr.rowcount:
            self.env["telecom.outbox"].invalidate_model(["next_attempt_at"])
        return cr.rowcount

    def _bss_queue_outage_retries(self):
        """A delivery job for the orders made due when the circuit closed."""
        for backend in self:
            self.env["telecom.outbox"]._bss_queue_delivery(backend, 0)
