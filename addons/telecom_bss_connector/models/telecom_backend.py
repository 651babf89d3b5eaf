import contextlib
import json
import logging
import os
import time
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..adapters.base import (
    BssError,
    CallTimeout,
    CircuitOpenError,
    NotSupportedError,
    ProtocolError,
    RateLimiter,
    RejectedError,
)
from ..adapters.rest_billing import RestBillingAdapter
from ..adapters.soap_billing import SoapBillingAdapter
from ..tools.activities import schedule_system_activity

_logger = logging.getLogger(__name__)

SECRET_GROUP = "base.group_system"
BACKEND_KINDS = [
    ("billing", "Billing"),
    ("provisioning", "Provisioning"),
    ("oss", "OSS / Incidents"),
    ("catalog", "Service Catalog"),
    ("vas", "Value-Added Services"),
]
ADAPTERS = {"rest": RestBillingAdapter, "soap": SoapBillingAdapter}
CIRCUIT_FIELDS = [
    "circuit_state",
    "circuit_failure_count",
    "circuit_opened_at",
    "circuit_status",
]
# outcomes that say the peer is unwell (a functional refusal is a healthy answer)
FAILED_OUTCOMES = ("error", "timeout", "parse_error")


class TelecomBackend(models.Model):
    """An external system the CRM talks to: where, how, how patiently.

    ``_bss_call`` is the one door to it: circuit breaker, rate limit, adapter
    built from a plain config dict, call journal (``telecom.backend.call``).
    """

    _name = "telecom.backend"
    _description = "External System (BSS/OSS Backend)"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    kind = fields.Selection(
        BACKEND_KINDS, required=True, default="billing", index=True, tracking=True
    )
    protocol = fields.Selection(
        [("rest", "REST / JSON"), ("soap", "SOAP")],
        required=True,
        default="rest",
        tracking=True,
    )
    url = fields.Char(
        string="Base URL",
        required=True,
        tracking=True,
        help="Scheme, host and port of the system, e.g. http://billing.example:8090",
    )
    api_prefix = fields.Char(string="REST Path", default="/api/v1")
    wsdl_path = fields.Char(string="WSDL Path", default="/soap/billing?wsdl")
    # authentication: the secrets are for administrators only
    auth_type = fields.Selection(
        [
            ("none", "None"),
            ("basic", "Basic (user / password)"),
            ("token", "Bearer Token"),
            ("api_key", "API Key Header"),
            ("client_cert", "Client Certificate"),
        ],
        string="Authentication",
        required=True,
        default="token",
    )
    username = fields.Char(groups=SECRET_GROUP)
    password = fields.Char(groups=SECRET_GROUP, copy=False)
    token = fields.Char(groups=SECRET_GROUP, copy=False)
    api_key = fields.Char(string="API Key", groups=SECRET_GROUP, copy=False)
    api_key_header = fields.Char(string="API Key Header", default="X-API-Key")
    client_cert = fields.Text(
        string="Client Certificate (PEM)", groups=SECRET_GROUP, copy=False
    )
    client_key = fields.Text(
        string="Client Private Key (PEM)", groups=SECRET_GROUP, copy=False
    )
    verify_tls = fields.Boolean(string="Verify TLS Certificate", default=True)
    # patience
    connect_timeout = fields.Float(
        string="Connect Time-out (s)", default=3.0, required=True
    )
    read_timeout = fields.Float(
        string="Read Time-out (s)",
        default=10.0,
        required=True,
        help="Longest wait for an answer (SOAP operation time-out too).",
    )
    live_timeout = fields.Float(
        string="Interactive Time-out (s)",
        default=2.0,
        required=True,
        help="Longest wait when an agent refreshes live data on the card.",
    )
    max_response_kb = fields.Integer(
        string="Largest Answer (KB)",
        default=2048,
        required=True,
        help="Larger answers are refused as protocol errors.",
    )
    cache_ttl = fields.Integer(
        string="Live Data Cache (s)",
        default=300,
        required=True,
        help="Billing data younger than this is shown without asking billing again.",
    )
    # retry policy of the outbox
    max_attempts = fields.Integer(
        default=8,
        required=True,
        help="Deliveries tried before an order is put in the dead-letter state.",
    )
    backoff_base = fields.Integer(string="First Retry After (s)", default=10)
    backoff_factor = fields.Float(default=2.0)
    backoff_max = fields.Integer(string="Longest Retry Delay (s)", default=1800)
    rate_limit = fields.Float(
        string="Rate Limit (calls/s)", help="0: unlimited. Per Odoo process."
    )
    # circuit breaker
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
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        index=True,
        default=lambda self: self.env.company,
        help="Empty: every branch.",
    )
    region_ids = fields.Many2many(
        "telecom.region",
        string="Zones",
        help="Zones served by this system; empty: every zone.",
    )
    owner_id = fields.Many2one(
        "res.users",
        string="Integration Owner",
        default=lambda self: self.env.user,
        tracking=True,
        help="Gets the alerts: dead orders, crossed thresholds.",
    )
    outbox_ids = fields.One2many("telecom.outbox", "backend_id", string="Orders")
    alert_rule_ids = fields.One2many(
        "telecom.backend.alert.rule", "backend_id", string="Alert Rules"
    )
    # health figures (see telecom_backend_health.py)
    health_window_minutes = fields.Integer(
        string="Health Window (min)", default=60, required=True
    )

    _sql_constraints = [
        (
            "timeouts_positive",
            "CHECK(connect_timeout > 0 AND read_timeout > 0 AND live_timeout > 0)",
            "Time-outs must be positive.",
        ),
        (
            "retry_policy_valid",
            "CHECK(max_attempts >= 1 AND backoff_base >= 0 AND backoff_factor >= 1 "
            "AND backoff_max >= backoff_base)",
            "The retry policy needs at least one attempt, a factor of at least 1 and "
            "a longest delay above the first.",
        ),
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

    @api.constrains("url")
    def _check_url(self):
        for backend in self:
            if not (backend.url or "").startswith(("http://", "https://")):
                raise ValidationError(
                    self.env._(
                        "The URL of %(backend)s must start with http:// or https://.",
                        backend=backend.name,
                    )
                )

    @api.constrains("protocol", "kind")
    def _check_protocol(self):
        for backend in self:
            if backend.protocol == "soap" and backend.kind != "billing":
                raise ValidationError(
                    self.env._("Only billing systems are reached over SOAP.")
                )

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_test_connection(self):
        """Ask the system for its health and say how it went."""
        self.ensure_one()
        try:
            self._bss_call("health", live=True)
        except BssError as error:
            return self._notify(
                self.env._("Connection failed: %(error)s", error=error.message),
                "danger",
            )
        return self._notify(self.env._("Connection works."), "success")

    def action_reset_circuit(self):
        """Close the circuit by hand (the system is known to be back)."""
        self._bss_set_circuit_closed()
        return True

    def action_sync_catalog(self):
        """Bring tariffs and options from this system's catalog."""
        self.ensure_one()
        try:
            counts = self._bss_sync_catalog()
        except BssError as error:
            return self._notify(
                self.env._("Catalog not synchronised: %(error)s", error=error.message),
                "danger",
            )
        return self._notify(
            self.env._(
                "Catalog synchronised: %(created)s new, %(updated)s updated, "
                "%(archived)s archived, %(invalid)s invalid offers skipped.",
                **counts,
            ),
            "success",
        )

    def _bss_sync_catalog(self):
        self.ensure_one()
        offers = self._bss_call("list_offers")
        counts = self.env["product.template"]._bss_sync_offers(self, offers)
        self._message_log(
            body=self.env._(
                "Catalog synchronised: %(created)s new, %(updated)s updated, "
                "%(archived)s archived, %(unchanged)s unchanged, %(invalid)s invalid.",
                **counts,
            )
        )
        return counts

    @api.model
    def _cron_sync_catalog(self):
        """Synchronise every catalog system, one per run (progress reported)."""
        backends = self.search([("kind", "=", "catalog")])
        done = 0
        for backend in backends:
            try:
                backend._bss_sync_catalog()
            except BssError as error:
                _logger.warning(
                    "catalog sync of backend %s failed: %s", backend.id, error.message
                )
            done += 1
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(backends) - done
            )

    def _notify(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": kind, "sticky": False},
        }

    # ------------------------------------------------------------------
    # finding the backend of a job
    # ------------------------------------------------------------------
    @api.model
    def _bss_find(self, kind, company=None, region=None):
        """The active backend of ``kind`` serving ``company`` and ``region``.

        Prefers one of the company over a shared one, and one listing the zone
        (or a parent zone) over one serving every zone.
        """
        company = company or self.env.company
        backend_id = self._bss_find_id(kind, company.id, region.id if region else 0)
        return self.browse(backend_id)

    @api.model
    @tools.ormcache("kind", "company_id", "region_id")
    def _bss_find_id(self, kind, company_id, region_id):
        # sudo: which system serves an order is configuration, not the user's data
        candidates = self.sudo().search(
            [("kind", "=", kind), ("company_id", "in", [company_id, False])],
            order="sequence, id",
        )
        zone_ids = set()
        if region_id:
            # sudo: the zone's ancestors, whatever zones the user may read
            region = self.env["telecom.region"].sudo().browse(region_id)
            zone_ids = {int(zone) for zone in region.parent_path.split("/") if zone}
        ranked = []
        for backend in candidates:
            zones = set(backend.region_ids.ids)
            if zones and not zones & zone_ids:
                continue
            ranked.append(((backend.company_id.id != company_id, not zones), backend))
        if not ranked:
            return False
        return min(ranked, key=lambda pair: pair[0])[1].id

    @api.model_create_multi
    def create(self, vals_list):
        backends = super().create(vals_list)
        self.env.registry.clear_cache()  # _bss_find_id
        return backends

    def write(self, vals):
        result = super().write(vals)
        if {"kind", "company_id", "region_ids", "active", "sequence"} & set(vals):
            self.env.registry.clear_cache()  # _bss_find_id
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()  # _bss_find_id
        return result

    # ------------------------------------------------------------------
    # the one door to the external system
    # ------------------------------------------------------------------
    def _bss_call(
        self, operation, *args, live=False, deadline=None, journal=None, **kwargs
    ):
        """Call ``operation`` of the adapter; return its plain data.

        Raises the adapter errors (``TransportError``, ``RejectedError``,
        ``ProtocolError``…). ``live``: interactive call with the short time-out;
        ``deadline`` (``time.monotonic()`` value): no time-out goes beyond it.
        ``journal``: a list that receives the call records instead of writing
        them now (the caller writes them with :meth:`_bss_journal`, e.g. in
        another transaction).
        """
        self.ensure_one()
        self._bss_check_circuit()
        if not RateLimiter.acquire(
            ("telecom.backend", self.env.cr.dbname, self.id),
            self.rate_limit,
            wait=0.2 if live else 1.0,
        ):
            raise CircuitOpenError(
                self.env._("Rate limit of %(name)s reached", name=self.name)
            )
        records = [] if journal is None else journal
        record = {
            "operation": operation,
            "outcome": "ok",
            "error": None,
            "http_status": None,
        }
        start = time.monotonic()
        adapter = self._bss_get_adapter(live=live, deadline=deadline)
        # a time-out we cut short for the caller's budget says nothing of billing
        normal_read = (
            min(self.read_timeout, self.live_timeout) if live else self.read_timeout
        )
        budget_cut = deadline is not None and adapter.read_timeout < normal_read
        try:
            with adapter:
                return getattr(adapter, operation)(*args, **kwargs)
        except NotSupportedError:
            record = None  # nothing was sent
            raise
        except BssError as error:
            record.update(
                outcome=error.outcome,
                error=error.message[:500],
                http_status=error.http_status,
                budget_cut=budget_cut and error.outcome == "timeout",
            )
            raise
        except Exception as error:
            record.update(outcome="error", error=error.__class__.__name__)
            raise
        finally:
            if record:
                record["duration_ms"] = int((time.monotonic() - start) * 1000)
                record["http_status"] = (
                    adapter.last_http_status or record["http_status"]
                )
                records.append(record)
            if journal is None:
                self._bss_journal(records)

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

    def _bss_get_adapter(self, live=False, deadline=None):
        self.ensure_one()
        adapter_class = ADAPTERS[self.protocol]
        return adapter_class(self._bss_adapter_config(live=live, deadline=deadline))

    def _bss_adapter_config(self, live=False, deadline=None):
        """The plain config dict adapters are built from (secrets included)."""
        self.ensure_one()
        # sudo: the connector reads the secrets it sends to the system; they are
        # never shown to the user nor logged
        secrets = self.sudo().read(
            ["username", "password", "token", "api_key", "client_cert", "client_key"]
        )[0]
        connect, read = self.connect_timeout, self.read_timeout
        total = connect + read
        if live:
            connect = min(connect, self.live_timeout)
            read = min(read, self.live_timeout)
            total = self.live_timeout
        if deadline:
            left = max(0.1, deadline - time.monotonic())
            connect, read, total = min(connect, left), min(read, left), min(total, left)
        return {
            "url": self.url,
            "api_prefix": self.api_prefix,
            "wsdl_path": self.wsdl_path,
            "auth_type": self.auth_type,
            "username": secrets["username"],
            "password": secrets["password"],
            "token": secrets["token"],
            "api_key": secrets["api_key"],
            "api_key_header": self.api_key_header,
            "client_cert": secrets["client_cert"],
            "client_key": secrets["client_key"],
            "verify_tls": self.verify_tls,
            "connect_timeout": connect,
            "read_timeout": read,
            "total_timeout": total,
            "max_response_bytes": self.max_response_kb * 1024,
        }

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
                return self._bss_journal(records, cr=own_cr)
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
        if last.get("budget_cut"):
            pass  # not a sign of billing's health either way
        elif last["outcome"] in FAILED_OUTCOMES:
            self._bss_count_failure(cr)
        elif self.circuit_state != "closed" or self.circuit_failure_count:
            self._bss_set_circuit_closed(cr)
        self.invalidate_recordset(CIRCUIT_FIELDS)

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
        if cr is None:
            self.flush_recordset()
            with self._bss_short_transaction() as own_cr:
                self._bss_set_circuit_closed(own_cr)
            self.invalidate_recordset(CIRCUIT_FIELDS)
            return
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

    @api.model
    def _demo_point_to_simulator(self):
        """Demo data: aim the demo systems at the simulator, if one is configured.

        The URL comes from the system parameter
        ``telecom_bss_connector.simulator_url`` or the ``TELECOM_SIMULATOR_URL``
        environment variable; without one the demo systems stay archived.
        """
        # sudo: demo data loads as the superuser anyway; parameters are system data
        url = self.env["ir.config_parameter"].sudo().get_param(
            "telecom_bss_connector.simulator_url"
        ) or os.environ.get("TELECOM_SIMULATOR_URL")
        if not url:
            return
        demo_ids = [
            "telecom_bss_connector.telecom_backend_demo_billing_rest",
            "telecom_bss_connector.telecom_backend_demo_billing_soap",
            "telecom_bss_connector.telecom_backend_demo_catalog",
            "telecom_bss_connector.telecom_backend_demo_oss",
        ]
        backends = self.browse(
            [
                record.id
                for record in (self.env.ref(xmlid, False) for xmlid in demo_ids)
                if record
            ]
        )
        backends.write({"url": url.rstrip("/")})
        # the SOAP twin stays archived: one billing system serves the demo
        backends.filtered(lambda backend: backend.protocol == "rest").write(
            {"active": True}
        )

    # ------------------------------------------------------------------
    # alerts
    # ------------------------------------------------------------------
    def _bss_alert_owner(self, summary, note):
        """An activity for the integration owner (its assignment mails them)."""
        for backend in self:
            if backend.sudo().activity_ids.filtered(lambda act: act.summary == summary):
                # the owner has not handled the previous alert yet: add to it
                backend._message_log(body=note)
                continue
            owner = backend.owner_id or self.env.ref("base.user_admin")
            schedule_system_activity(backend, summary, note, owner.id, "warning")

    @api.model
    def _bss_transport_message(self, error):
        """A translated explanation of an adapter error, its detail appended."""
        if isinstance(error, CircuitOpenError):
            return error.message  # already a translated sentence
        if isinstance(error, CallTimeout):
            return self.env._(
                "billing did not answer in time (%(detail)s)", detail=error.message
            )
        if isinstance(error, ProtocolError):
            return self.env._(
                "billing's answer was refused (%(detail)s)", detail=error.message
            )
        if isinstance(error, RejectedError):
            return self.env._("billing refused: %(detail)s", detail=error.message)
        return self.env._(
            "billing could not be reached (%(detail)s)", detail=error.message
        )
