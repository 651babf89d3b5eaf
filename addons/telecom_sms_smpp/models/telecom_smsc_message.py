import logging
import re
import time

from odoo import Command, api, fields, models

from ..smpp.client import SmppError
from ..smpp.text import encode_parts

_logger = logging.getLogger(__name__)

MESSAGE_STATES = [
    ("queued", "Queued"),
    ("submitted", "Submitted"),
    ("delivered", "Delivered"),
    ("undelivered", "Not Delivered"),
    ("failed", "Failed"),
]
# SMS state (sms.sms) each journal state shows as; queued: left as it is
SMS_STATE = {
    "submitted": "pending",
    "delivered": "sent",
    "undelivered": "error",
    "failed": "error",
}
_NUMBER_RE = re.compile(r"^\+?\d{3,20}$")


class TelecomSmscMessage(models.Model):
    """One SMS handed to an SMSC: the journal that outlives ``sms.sms``.

    Keyed by the SMS's uuid (unique): a batch sent again after an interruption
    finds what was already submitted and never submits it twice; its parts carry
    the SMSC's message ids that the delivery receipts name.
    """

    _name = "telecom.smsc.message"
    _description = "SMS Sent through an SMSC"
    _order = "id desc"
    _rec_name = "number"

    sms_uuid = fields.Char(string="SMS UUID", required=True, readonly=True, index=True)
    sms_id_int = fields.Integer(string="SMS ID", readonly=True)
    account_id = fields.Many2one(
        "telecom.smsc.account",
        string="SMSC",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    number = fields.Char(readonly=True)
    state = fields.Selection(
        MESSAGE_STATES, required=True, default="queued", readonly=True, index=True
    )
    failure_type = fields.Char(readonly=True, help="Failure type given to the SMS.")
    data_coding = fields.Selection([("0", "GSM 03.38"), ("8", "UCS-2")], readonly=True)
    part_count = fields.Integer(readonly=True)
    part_ids = fields.One2many(
        "telecom.smsc.message.part", "message_id", string="Parts", readonly=True
    )
    attempt_count = fields.Integer(readonly=True)
    next_attempt_date = fields.Datetime(readonly=True)
    last_error = fields.Char(readonly=True)
    submit_date = fields.Datetime(readonly=True)
    done_date = fields.Datetime(string="Receipt Date", readonly=True)

    _sql_constraints = [
        ("sms_uuid_unique", "unique(sms_uuid)", "An SMS is handed to an SMSC once."),
    ]

    # -- preparation ---------------------------------------------------------------
    @api.model
    def _for_sms(self, sms_records, account):
        """The journal rows of ``sms_records`` (created with their parts if new)."""
        existing = self.search([("sms_uuid", "in", sms_records.mapped("uuid"))])
        known = set(existing.mapped("sms_uuid"))
        values = [
            self._prepare_message_vals(sms, account)
            for sms in sms_records
            if sms.uuid not in known
        ]
        return existing | self.create(values)

    @api.model
    def _prepare_message_vals(self, sms, account):
        number = re.sub(r"[\s().-]", "", sms.number or "")
        values = {
            "sms_uuid": sms.uuid,
            "sms_id_int": sms.id,
            "account_id": account.id,
            "number": number,
        }
        if not number or not _NUMBER_RE.match(number):
            failure = "sms_number_format" if number else "sms_number_missing"
            return {**values, "state": "failed", "failure_type": failure}
        # the concatenation reference: stable for this SMS, so a retry of a
        # part is joined with the parts already received
        data_coding, parts = encode_parts(sms.body or "", sms.id % 256)
        return {
            **values,
            "data_coding": str(data_coding),
            "part_count": len(parts),
            "part_ids": [
                Command.create(
                    {"sequence": sequence, "esm_class": esm, "payload": payload.hex()}
                )
                for sequence, (esm, payload) in enumerate(parts, start=1)
            ],
        }

    # -- submission ----------------------------------------------------------------
    def _submit(self, account):
        """Hand the parts not yet accepted to the SMSC, in the session of the
        transaction (see ``_transaction_session``).

        Returns the receipts the session received meanwhile (already applied,
        acknowledged to the SMSC once the transaction committed).
        """
        parts = self.part_ids.filtered(lambda part: part.state == "pending")
        if not parts:
            return []
        submissions = [(part.id, part._submit_sm_body(account)) for part in parts]
        results, error, client, throttled = {}, None, None, 0
        started = time.monotonic()
        try:
            client = account._transaction_session()
            throttled = client.throttled
            results = client.submit_many(
                submissions,
                window=account.window_size,
                max_per_second=account.max_submits_per_second,
                deadline=started + (account.send_time_budget or 240),
            )
            if account.receipt_wait > 0:
                client.drain(
                    idle_timeout=account.receipt_wait,
                    max_seconds=account.receipt_wait * 5,
                )
        except SmppError as failure:
            error = failure
            results = getattr(failure, "results", {})
            _logger.warning("SMSC %s: %s", account.name, failure)
            account._note_error(failure)
            account._drop_transaction_session()
        _logger.info(
            "SMSC %s: %s parts submitted, %s answered, %s throttled in %.1f s",
            account.name,
            len(submissions),
            len(results),
            (client.throttled - throttled) if client else 0,
            time.monotonic() - started,
        )
        parts._record_results(results)
        self._after_attempt(account, error)
        # after an error the session is closed: its receipts come again later
        receipts = client.take_receipts() if client and not error else []
        if receipts:
            self.env["telecom.smsc.message.part"]._apply_receipts(receipts)
        return receipts

    def _after_attempt(self, account, error):
        """Message states from their parts; what is left waits for a retry."""
        now = fields.Datetime.now()
        submitted, failed_by_type, retry = self.browse(), {}, self.browse()
        for message in self.filtered(lambda m: m.state == "queued"):
            states = set(message.part_ids.mapped("state"))
            if "failed" in states:
                failure = message.part_ids.filtered(lambda p: p.state == "failed")[
                    :1
                ]._failure_type()
                failed_by_type.setdefault(failure, self.browse())
                failed_by_type[failure] |= message
            elif "pending" not in states:
                submitted |= message
            else:
                retry |= message
        if submitted:
            submitted.write({"state": "submitted", "submit_date": now})
        for failure, messages in failed_by_type.items():
            messages.write({"state": "failed", "failure_type": failure})
        reason = str(error or self.env._("the SMSC did not accept every part"))[:500]
        exhausted = retry.filtered(
            lambda m: m.attempt_count + 1 >= account.max_attempts
        )
        if exhausted:
            exhausted.write(
                {
                    "state": "failed",
                    "failure_type": "sms_server",
                    "attempt_count": account.max_attempts,
                    "last_error": reason,
                }
            )
        # one write per attempt count: the delay doubles with it
        by_attempts = {}
        for message in retry - exhausted:
            by_attempts.setdefault(message.attempt_count + 1, self.browse())
            by_attempts[message.attempt_count + 1] |= message
        for attempts, messages in by_attempts.items():
            messages.write(
                {
                    "attempt_count": attempts,
                    "next_attempt_date": now + account._retry_delay_after(attempts),
                    "last_error": reason,
                }
            )

    # -- receipts and SMS states ---------------------------------------------------
    def _update_from_parts(self):
        """Submitted messages whose parts all have their receipt become final."""
        now = fields.Datetime.now()
        delivered, undelivered = self.browse(), {}
        for message in self.filtered(lambda m: m.state == "submitted"):
            parts = message.part_ids
            bad = parts.filtered(lambda p: p.state == "undelivered")[:1]
            if bad:
                failure = bad._failure_type()
                undelivered.setdefault(failure, self.browse())
                undelivered[failure] |= message
            elif all(part.state == "delivered" for part in parts):
                delivered |= message
        if delivered:
            delivered.write({"state": "delivered", "done_date": now})
        for failure, messages in undelivered.items():
            messages.write(
                {"state": "undelivered", "failure_type": failure, "done_date": now}
            )
        final = delivered | self.browse().union(*undelivered.values())
        final._sync_sms(unlink=True)

    def _sync_sms(self, unlink=False, unlink_failed=False):
        """Give the SMS, their trackers and notifications the state of these rows.

        ``unlink`` marks the SMS of submitted or delivered rows for deletion (as
        Odoo does once IAP took them; the journal and the trackers keep the
        history), ``unlink_failed`` those of failed rows.
        """
        uuids = self.mapped("sms_uuid")
        # sudo: SMS, trackers and notifications are system records that the
        # gateway updates for whoever sent the SMS (as Odoo's IAP webhook does)
        all_sms = (
            self.env["sms.sms"]
            .sudo()
            .with_context(sms_skip_msg_notification=True)
            .search([("uuid", "in", uuids)])
        )
        trackers = self.env["sms.tracker"].sudo().search([("sms_uuid", "in", uuids)])
        groups = {}
        for message in self.filtered(lambda m: m.state != "queued"):
            groups.setdefault((message.state, message.failure_type), set()).add(
                message.sms_uuid
            )
        for (state, failure), group_uuids in groups.items():
            sms = all_sms.filtered(lambda s, u=group_uuids: s.uuid in u)
            group_trackers = trackers.filtered(lambda t, u=group_uuids: t.sms_uuid in u)
            error = state in ("failed", "undelivered")
            to_delete = unlink_failed if state == "failed" else unlink
            values = {
                "state": SMS_STATE[state],
                "failure_type": failure if error else False,
            }
            if to_delete:
                values["to_delete"] = True
            if sms:
                sms.write(values)
            if state == "undelivered":
                # "sms_expired" -> "expired": Odoo's provider error vocabulary
                group_trackers._action_update_from_provider_error(
                    failure.removeprefix("sms_")
                )
            elif error:
                group_trackers._action_update_from_sms_state(
                    "error", failure_type=failure
                )
            else:
                group_trackers._action_update_from_sms_state(SMS_STATE[state])
        (
            all_sms.mail_message_id | trackers.mail_notification_id.mail_message_id
        )._notify_message_notification_update()
