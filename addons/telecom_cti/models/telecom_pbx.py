import hmac
import secrets

from odoo import api, fields, models

from ..tools.call_events import HANDLED_EVENTS, normalize

MAX_EVENTS_PER_BATCH = 5000
ORIGINATES_PER_CLAIM = 50


def _new_token():
    return secrets.token_urlsafe(32)


class TelecomPbx(models.Model):
    """A telephone exchange reached over the Asterisk Manager Interface.

    The connector process (``python3 -m cti_connector``) keeps one AMI connection
    per PBX, authenticates to Odoo with the PBX's token and pushes its call events
    to ``/telecom_cti/events``; the AMI secret stays in the connector's environment.
    """

    _name = "telecom.pbx"
    _description = "Telephone Exchange (PBX)"
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True)
    code = fields.Char(
        required=True,
        help="Short code of the exchange, part of the references of its calls.",
    )
    active = fields.Boolean(default=True)
    host = fields.Char(
        string="AMI Host", required=True, default="127.0.0.1", help="Host of the AMI."
    )
    port = fields.Integer(string="AMI Port", required=True, default=5038)
    ami_username = fields.Char(string="AMI User", required=True)
    ami_secret_env = fields.Char(
        string="Secret Variable",
        required=True,
        default="TELECOM_AMI_SECRET",
        help="Name of the environment variable of the connector that holds the AMI "
        "secret: the secret itself is never stored in Odoo.",
    )
    api_token = fields.Char(
        string="Connector Token",
        groups="base.group_system",
        copy=False,
        default=lambda self: _new_token(),
        help="The connector sends it as 'Authorization: Bearer <token>'.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Integration User",
        required=True,
        help="Odoo user the events of this exchange are recorded as; give them the "
        "Integration (API) role.",
    )
    extension_max_length = fields.Integer(
        default=4,
        help="Numbers of at most this many digits are internal extensions.",
    )
    originate_channel = fields.Char(
        string="Agent Channel",
        required=True,
        default="PJSIP/{extension}",
        help="Channel rung first on click-to-call; {extension} is the agent's.",
    )
    originate_context = fields.Char(
        string="Dial Context", required=True, default="from-internal"
    )
    recording_url = fields.Char(
        string="Recording URL",
        help="Link to a recording; {filename} is replaced by the file name the "
        "exchange records to (e.g. https://pbx.example.com/recordings/{filename}).",
    )
    callback_user_id = fields.Many2one(
        "res.users",
        string="Call-back Responsible",
        help="Gets the call-back of a missed call whose queue has no responsible.",
    )
    queue_ids = fields.One2many("telecom.cti.queue", "pbx_id", string="Queues")
    last_event_date = fields.Datetime(readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        ("code_uniq", "unique(code)", "The code of an exchange must be unique."),
        ("token_uniq", "unique(api_token)", "Two exchanges cannot share a token."),
    ]

    def action_regenerate_token(self):
        self.ensure_one()
        self.check_access("write")
        self.api_token = _new_token()

    # ------------------------------------------------------------------
    # the connector's API (controllers/cti_api.py)
    # ------------------------------------------------------------------
    @api.model
    def _api_authenticate(self, token):
        """The active exchange of ``token``, or an empty recordset."""
        if not token or len(token) > 256:
            return self.browse()
        # sudo: the request is not authenticated yet; the token is compared in
        # constant time and only the matching exchange is returned
        candidates = (
            self.sudo()
            .with_context(active_test=True)
            .search_fetch([("api_token", "=", token)], ["api_token", "user_id"])
        )
        for pbx in candidates:
            if hmac.compare_digest(pbx.api_token, token) and pbx.user_id.active:
                return pbx
        return self.browse()

    def _api_config(self):
        """What the connector needs to reach the exchange (never the secret)."""
        self.ensure_one()
        return {
            "id": self.id,
            "code": self.code,
            "host": self.host,
            "port": self.port,
            "username": self.ami_username,
            "secret_env": self.ami_secret_env,
            "events": sorted(HANDLED_EVENTS),
        }

    def _api_receive_events(self, events):
        """Record a batch of AMI events of this exchange, in order."""
        self.ensure_one()
        normalized = [normalize(event) for event in events[:MAX_EVENTS_PER_BATCH]]
        handled = [e for e in normalized if e.get("event") in HANDLED_EVENTS]
        originate_responses = [e for e in handled if e["event"] == "originateresponse"]
        call_events = [e for e in handled if e["event"] != "originateresponse"]
        calls = self.env["telecom.cti.call"]._cti_apply_events(self, call_events)
        self.env["telecom.cti.originate"]._cti_apply_responses(
            self, originate_responses
        )
        self.last_event_date = fields.Datetime.now()
        return {"received": len(events), "handled": len(handled), "calls": len(calls)}

    def _api_claim_originates(self):
        """The queued click-to-calls of this exchange, marked sent (at most once)."""
        self.ensure_one()
        originates = self.env["telecom.cti.originate"].search(
            [("pbx_id", "=", self.id), ("state", "=", "queued")],
            order="id",
            limit=ORIGINATES_PER_CLAIM,
        )
        return originates._cti_claim()

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _agents_by_extension(self, extensions):
        """{extension: user} of the agents of this exchange."""
        self.ensure_one()
        extensions = [extension for extension in extensions if extension]
        if not extensions:
            return {}
        users = self.env["res.users"].search(
            [
                ("telecom_cti_extension", "in", extensions),
                "|",
                ("telecom_cti_pbx_id", "=", self.id),
                ("telecom_cti_pbx_id", "=", False),
            ]
        )
        return {user.telecom_cti_extension: user for user in users}

    def _queues_by_name(self, names):
        self.ensure_one()
        return {queue.name: queue for queue in self.queue_ids if queue.name in names}

    def _recording_link(self, filename):
        self.ensure_one()
        if not filename:
            return False
        if filename.startswith(("http://", "https://")):
            return filename
        if not self.recording_url:
            return False
        return self.recording_url.replace("{filename}", filename.rsplit("/", 1)[-1])
