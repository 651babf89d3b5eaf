import logging

from odoo import fields, models

_logger = logging.getLogger(__name__)


class SmsSms(models.Model):
    """SMS leave through the operator's SMSC (SMPP) when one is configured."""

    _inherit = "sms.sms"

    # failure types of delivery receipts (as on mail.notification)
    failure_type = fields.Selection(
        selection_add=[
            ("sms_expired", "Expired"),
            ("sms_invalid_destination", "Invalid Destination"),
            ("sms_not_delivered", "Not Delivered"),
            ("sms_rejected", "Rejected"),
        ]
    )

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        account = self.env["telecom.smsc.account"]._get_active_account()
        if not account:
            return super()._send(
                unlink_failed=unlink_failed,
                unlink_sent=unlink_sent,
                raise_exception=raise_exception,
            )
        return self._smpp_send(
            account, unlink_failed=unlink_failed, unlink_sent=unlink_sent
        )

    def _smpp_send(self, account, unlink_failed=False, unlink_sent=True):
        """Submit these SMS through ``account`` (SMPP); idempotent by SMS uuid.

        SMS already handed over (a batch run again) only get their state back;
        SMS waiting for a retry (SMSC down, temporary errors) stay queued until
        their next attempt, when the SMS queue runs again.
        """
        # sudo: the journal is a system record, written for any sender of SMS
        messages = self.env["telecom.smsc.message"].sudo()._for_sms(self, account)
        now = fields.Datetime.now()
        to_send = messages.filtered(
            lambda m: (
                m.state == "queued"
                and (not m.next_attempt_date or m.next_attempt_date <= now)
            )
        )
        to_send._submit(account)
        messages._sync_sms(unlink=unlink_sent, unlink_failed=unlink_failed)
        retry_dates = messages.filtered(lambda m: m.state == "queued").mapped(
            "next_attempt_date"
        )
        if retry_dates:
            self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger(
                at=min(retry_dates)
            )
