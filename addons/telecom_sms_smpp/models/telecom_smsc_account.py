import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..smpp.client import SmppBindError, SmppClient, SmppError, status_name

_logger = logging.getLogger(__name__)

RECEIPT_HORIZON_DAYS = 3
# cr.postcommit.data key: the SMPP sessions of a transaction, by account id
SESSIONS_KEY = "telecom_sms_smpp.sessions"

TON_SELECTION = [
    ("0", "Unknown"),
    ("1", "International"),
    ("2", "National"),
    ("3", "Network Specific"),
    ("4", "Subscriber Number"),
    ("5", "Alphanumeric"),
    ("6", "Abbreviated"),
]
NPI_SELECTION = [
    ("0", "Unknown"),
    ("1", "ISDN (E.163/E.164)"),
    ("3", "Data (X.121)"),
    ("4", "Telex (F.69)"),
    ("6", "Land Mobile (E.212)"),
    ("8", "National"),
    ("9", "Private"),
    ("14", "Internet (IP)"),
]


class TelecomSmscAccount(models.Model):
    """The operator's SMSC, reached over SMPP 3.4: where, who, how fast.

    While an active account exists, Odoo's SMS (``sms.sms``) leave through it
    instead of the IAP cloud; the first active account of the company (or shared)
    in sequence order is used.
    """

    _name = "telecom.smsc.account"
    _description = "SMSC Account (SMPP)"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to send the SMS of every company through this SMSC.",
    )
    host = fields.Char(required=True, help="Host name or IP address of the SMSC.")
    port = fields.Integer(required=True, default=2775)
    system_id = fields.Char(
        string="System ID", required=True, help="The ESME account name (bind)."
    )
    password = fields.Char(groups="base.group_system", copy=False)
    system_type = fields.Char(help="Given by the SMSC operator; often empty.")
    source_addr = fields.Char(
        string="Sender",
        required=True,
        help="Alphanumeric sender name (up to 11 characters) or a number.",
    )
    source_addr_ton = fields.Selection(
        TON_SELECTION, string="Sender TON", required=True, default="5"
    )
    source_addr_npi = fields.Selection(
        NPI_SELECTION, string="Sender NPI", required=True, default="0"
    )
    dest_addr_ton = fields.Selection(
        TON_SELECTION, string="Recipient TON", required=True, default="1"
    )
    dest_addr_npi = fields.Selection(
        NPI_SELECTION, string="Recipient NPI", required=True, default="1"
    )
    bind_mode = fields.Selection(
        [("transceiver", "Transceiver")],
        required=True,
        default="transceiver",
        help="One session both submits the messages and receives their receipts.",
    )
    window_size = fields.Integer(
        required=True,
        default=10,
        help="Submits waiting for the SMSC's answer at the same time (SMPP window).",
    )
    max_submits_per_second = fields.Integer(
        required=True,
        default=50,
        help="Submits per second agreed with the SMSC operator (0: no limit). "
        "Above it the SMSC answers ESME_RTHROTTLED: the message is submitted "
        "again after a pause, never dropped.",
    )
    request_delivery_receipts = fields.Boolean(default=True)
    connect_timeout = fields.Integer(string="Connection Timeout (s)", default=10)
    response_timeout = fields.Integer(string="Answer Timeout (s)", default=10)
    receipt_wait = fields.Float(
        string="Receipt Wait (s)",
        default=1.0,
        help="How long a sending session stays bound after its last submit to "
        "collect early delivery receipts; the others are collected by the "
        "scheduled action 'SMSC: collect delivery receipts'.",
    )
    send_time_budget = fields.Integer(
        string="Batch Time Budget (s)",
        default=240,
        help="A batch still submitting after that time stops: the rest of its "
        "messages stay queued for the next run.",
    )
    max_attempts = fields.Integer(
        default=10,
        help="Attempts to hand a message to the SMSC (connection failures, "
        "temporary errors) before it is marked as failed.",
    )
    retry_delay = fields.Integer(
        string="First Retry Delay (s)",
        default=60,
        help="Pause after a failed attempt, doubled at each attempt "
        "(at most one hour).",
    )
    last_error = fields.Char(readonly=True, copy=False)
    last_error_date = fields.Datetime(readonly=True, copy=False)

    @api.constrains("port", "window_size", "max_submits_per_second", "max_attempts")
    def _check_limits(self):
        for account in self:
            if not 0 < account.port < 65536:
                raise ValidationError(self.env._("The SMSC port must be 1-65535."))
            if account.window_size < 1:
                raise ValidationError(self.env._("The window size must be at least 1."))
            if account.max_submits_per_second < 0 or account.max_attempts < 1:
                raise ValidationError(
                    self.env._(
                        "Submits per second cannot be negative and at least one "
                        "attempt is needed."
                    )
                )

    # -- actions -----------------------------------------------------------------
    def action_test_connection(self):
        """Bind and unbind once; tell the administrator what the SMSC said."""
        self.ensure_one()
        try:
            with self._smpp_client() as client:
                client.enquire_link()
        except SmppBindError as error:
            raise UserError(
                self.env._(
                    "The SMSC refused the bind (%s): check the system ID, the "
                    "password and the system type.",
                    status_name(error.status),
                )
            ) from error
        except SmppError as error:
            raise UserError(
                self.env._(
                    "Cannot reach the SMSC %(address)s: %(error)s",
                    address=f"{self.host}:{self.port}",
                    error=error,
                )
            ) from error
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Connected and bound to %s.", self.name),
            },
        }

    # -- business methods --------------------------------------------------------
    @api.model
    def _get_active_account(self):
        """The SMSC the current company's SMS leave through (empty: IAP).

        Returned in sudo: the gateway is system configuration that the sending
        of any user's SMS reads (as Odoo's IAP account is).
        """
        return self.sudo().search(
            [("company_id", "in", [False, self.env.company.id])],
            order="company_id, sequence, id",
            limit=1,
        )

    def _smpp_client(self):
        """An unbound client with this account's settings (use it as a context)."""
        self.ensure_one()
        # sudo: the password is readable by system administrators only; the
        # gateway binds on behalf of whoever sends an SMS
        account = self.sudo()
        return SmppClient(
            account.host,
            account.port,
            account.system_id,
            account.password or "",
            account.system_type or "",
            connect_timeout=account.connect_timeout or 10,
            response_timeout=account.response_timeout or 10,
        )

    def _transaction_session(self):
        """The bound SMPP session of this account for the current transaction.

        It stays open until the transaction ends: the receipts taken from it
        (``take_receipts``) are acknowledged to the SMSC only once the
        transaction storing them committed; on a rollback (or if the process
        dies) the session closes without acknowledging and the SMSC delivers
        them again. The batches of one transaction share the session.
        Raises SmppError when the SMSC cannot be bound.
        """
        self.ensure_one()
        cr = self.env.cr
        sessions = cr.postcommit.data.get(SESSIONS_KEY)
        if sessions is None:
            sessions = cr.postcommit.data[SESSIONS_KEY] = {}
            cr.postcommit.add(lambda: _end_sessions(sessions, acknowledge=True))
            cr.postrollback.add(lambda: _end_sessions(sessions, acknowledge=False))
        client = sessions.get(self.id)
        if client is None or not client.connected:
            client = self._smpp_client()
            client.bind()
            sessions[self.id] = client
        return client

    def _drop_transaction_session(self):
        """Close this account's session after an error (unacknowledged receipts
        are delivered again to the next session)."""
        self.ensure_one()
        sessions = self.env.cr.postcommit.data.get(SESSIONS_KEY) or {}
        client = sessions.pop(self.id, None)
        if client:
            client.close()

    def _retry_delay_after(self, attempts):
        self.ensure_one()
        return timedelta(
            seconds=min(3600, (self.retry_delay or 60) * 2 ** (attempts - 1))
        )

    def _note_error(self, error):
        # sudo: the sender of an SMS may not write the configuration
        self.sudo().write(
            {"last_error": str(error)[:500], "last_error_date": fields.Datetime.now()}
        )

    @api.model
    def _cron_collect_receipts(self):
        """Bind each SMSC that still owes receipts and collect what it has.

        Parts submitted more than RECEIPT_HORIZON_DAYS ago are not waited for
        any more (an SMSC keeps a message at most its validity period).
        """
        parts = self.env["telecom.smsc.message.part"].sudo()
        horizon = fields.Datetime.now() - timedelta(days=RECEIPT_HORIZON_DAYS)
        groups = parts._read_group(
            [
                ("state", "=", "submitted"),
                ("message_id.submit_date", ">=", horizon),
                ("account_id.active", "=", True),
                ("account_id.request_delivery_receipts", "=", True),
            ],
            ["account_id"],
        )
        collected = 0
        for done, (account,) in enumerate(groups, start=1):
            try:
                client = account._transaction_session()
                client.drain(idle_timeout=2.0, max_seconds=50.0)
            except SmppError as error:
                # the receipts read stay unacknowledged: the SMSC sends them again
                _logger.warning(
                    "SMSC %s: receipts not collected: %s", account.name, error
                )
                account._note_error(error)
                account._drop_transaction_session()
            else:
                # acknowledged to the SMSC once this transaction committed
                receipts = client.take_receipts()
                if receipts:
                    parts._apply_receipts(receipts)
                    collected += len(receipts)
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(groups) - done
            )
        return collected


def _end_sessions(sessions, acknowledge):
    """End the SMPP sessions of a transaction: acknowledge the receipts it
    stored (committed) or not (rolled back), then unbind."""
    for account_id, client in list(sessions.items()):
        try:
            if acknowledge:
                client.acknowledge()
            client.close()
        except Exception:  # a post-commit hook must not fail the commit
            _logger.exception("SMSC account %s: session not closed cleanly", account_id)
    sessions.clear()
