from odoo import api, fields, models
from odoo.tools import SQL

from ..smpp import pdu
from ..smpp.client import status_name

PART_STATES = [
    ("pending", "Not Submitted"),
    ("submitted", "Submitted"),
    ("delivered", "Delivered"),
    ("undelivered", "Not Delivered"),
    ("failed", "Refused"),
]
# receipt stat (SMPP 3.4 appendix B) -> failure type of the SMS (None: delivered);
# ENROUTE / ACCEPTD are not final and change nothing
RECEIPT_FAILURES = {
    "DELIVRD": None,
    "UNDELIV": "sms_not_delivered",
    "EXPIRED": "sms_expired",
    "DELETED": "sms_not_delivered",
    "REJECTD": "sms_rejected",
    "UNKNOWN": "unknown",
}


class TelecomSmscMessagePart(models.Model):
    """One submit_sm of an SMS (a long SMS has several), with its SMSC message id."""

    _name = "telecom.smsc.message.part"
    _description = "SMS Part Sent through an SMSC"
    _order = "message_id desc, sequence"
    _rec_name = "smsc_reference"

    message_id = fields.Many2one(
        "telecom.smsc.message",
        string="SMS",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    account_id = fields.Many2one(
        related="message_id.account_id", store=True, index=True, string="SMSC"
    )
    sequence = fields.Integer(string="Part", readonly=True)
    esm_class = fields.Integer(readonly=True)
    payload = fields.Char(readonly=True, help="short_message in hexadecimal.")
    state = fields.Selection(
        PART_STATES, required=True, default="pending", readonly=True, index=True
    )
    smsc_reference = fields.Char(
        string="SMSC Message ID", readonly=True, index="btree_not_null"
    )
    submit_status = fields.Char(readonly=True, help="Error status of a refusal.")
    receipt_stat = fields.Char(readonly=True)
    receipt_error = fields.Char(readonly=True)

    def _submit_sm_body(self, account):
        self.ensure_one()
        message = self.message_id
        number = message.number
        ton = account.dest_addr_ton
        if number.startswith("+"):
            number, ton = number[1:], "1"
        return pdu.encode_sm(
            {
                "source_addr_ton": int(account.source_addr_ton),
                "source_addr_npi": int(account.source_addr_npi),
                "source_addr": account.source_addr,
                "dest_addr_ton": int(ton),
                "dest_addr_npi": int(account.dest_addr_npi),
                "destination_addr": number,
                "esm_class": self.esm_class,
                "registered_delivery": 1 if account.request_delivery_receipts else 0,
                "data_coding": int(message.data_coding or 0),
                "short_message": bytes.fromhex(self.payload or ""),
            }
        )

    def _record_results(self, results):
        """Store the SMSC's answers: ``{part id: SubmitResult}``."""
        accepted = [
            (key, result.message_id)
            for key, result in results.items()
            if result.message_id is not None
        ]
        if accepted:
            self.flush_model()
            self.env.cr.execute(
                SQL(
                    """UPDATE telecom_smsc_message_part p
                          SET state = 'submitted', smsc_reference = v.reference,
                              write_date = now() AT TIME ZONE 'UTC', write_uid = %s
                         FROM (VALUES %s) AS v(id, reference)
                        WHERE p.id = v.id AND p.state = 'pending'""",
                    self.env.uid,
                    SQL(", ").join(SQL("(%s, %s)", key, ref) for key, ref in accepted),
                )
            )
            self.invalidate_model(["state", "smsc_reference"])
        refused = {}
        for key, result in results.items():
            if result.message_id is None and not result.transient:
                refused.setdefault(result.status, []).append(key)
        for status, keys in refused.items():
            self.browse(keys).write(
                {"state": "failed", "submit_status": status_name(status)}
            )

    def _failure_type(self):
        """The failure type of the SMS this refused or undelivered part spoils."""
        self.ensure_one()
        if self.state == "undelivered":
            return RECEIPT_FAILURES.get(self.receipt_stat) or "unknown"
        statuses = {status_name(status) for status in _NUMBER_STATUSES}
        return "sms_number_format" if self.submit_status in statuses else "sms_server"

    @api.model
    def _apply_receipts(self, receipts):
        """Delivery receipts ``[{"message_id", "stat", "err"}]`` → parts, SMS,
        trackers and notifications. Receipts of unknown or already final parts
        (a receipt delivered twice) change nothing."""
        final = {
            receipt["message_id"]: receipt
            for receipt in receipts
            if receipt["stat"] in RECEIPT_FAILURES
        }
        if not final:
            return self.browse()
        parts = self.search(
            [("smsc_reference", "in", list(final)), ("state", "=", "submitted")]
        )
        groups = {}
        for part in parts:
            receipt = final[part.smsc_reference]
            state = "delivered" if receipt["stat"] == "DELIVRD" else "undelivered"
            key = (state, receipt["stat"], receipt["err"][:16])
            groups.setdefault(key, self.browse())
            groups[key] |= part
        for (state, stat, error), group in groups.items():
            group.write({"state": state, "receipt_stat": stat, "receipt_error": error})
        parts.message_id._update_from_parts()
        return parts


_NUMBER_STATUSES = (pdu.ESME_RINVDSTADR, 0x0A)
