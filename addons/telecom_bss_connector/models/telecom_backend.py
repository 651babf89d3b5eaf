import os

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from ..adapters.base import BssError
from ..tools.activities import schedule_system_activity

SECRET_GROUP = "base.group_system"
BACKEND_KINDS = [
    ("billing", "Billing"),
    ("provisioning", "Provisioning"),
    ("oss", "OSS / Incidents"),
    ("catalog", "Service Catalog"),
    ("vas", "Value-Added Services"),
]


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
    delivery_batch_size = fields.Integer(
        string="Orders per Delivery Job",
        default=50,
        required=True,
        help="A delivery job sends up to this many pending orders, then hands over "
        "to the next one.",
    )
    delivery_jobs = fields.Integer(
        string="Parallel Delivery Jobs",
        default=2,
        required=True,
        help="Delivery jobs of this system queued side by side. How many run at "
        "once is capped by the job runner's capacity for the channel "
        "root.telecom_bss.",
    )
    rate_limit = fields.Float(
        string="Rate Limit (calls/s)", help="0: unlimited. Per Odoo process."
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
            "delivery_valid",
            "CHECK(delivery_batch_size >= 1 AND delivery_jobs >= 1)",
            "Delivery jobs send at least one order, and at least one job runs.",
        ),
    ]

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
        # the call is journaled and moves the circuit: configuring users only
        self.check_access("write")
        try:
            self._bss_call("health", live=True)
        except BssError as error:
            return self._notify(
                self.env._("Connection failed: %(error)s", error=error.message),
                "danger",
            )
        return self._notify(self.env._("Connection works."), "success")

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
