from odoo import api, models
from odoo.tools import split_every

MESSAGE_MODEL = "telecom.campaign.message"
# SMS recipients handed to Odoo's SMS composer at a time: it keeps their ids as
# text that Odoo refuses to evaluate above 100 KiB (about 14,000 ids)
SMS_COMPOSER_CHUNK = 5000


class MailingMailing(models.Model):
    """Mailings of the campaign message queue apply the contact policy again
    when they send, and log what they send."""

    _inherit = "mailing.mailing"

    @api.ondelete(at_uninstall=False)
    def _unlink_detach_campaign_messages(self):
        # the queue rows have no foreign key (see telecom.campaign.message)
        self.env[MESSAGE_MODEL]._detach_mailings(self.ids)

    def _telecom_is_message_mailing(self):
        self.ensure_one()
        return self.mailing_model_real == MESSAGE_MODEL

    def _telecom_put_in_queue(self):
        """Queue these mailings for Odoo's mass mailing cron (again)."""
        self.write({"state": "in_queue"})
        cron = self.env.ref(
            "mass_mailing.ir_cron_mass_mailing_queue", raise_if_not_found=False
        )
        if cron:
            cron._trigger()

    def _get_remaining_recipients(self):
        res_ids = super()._get_remaining_recipients()
        if not self._telecom_is_message_mailing():
            return res_ids
        return self.env[MESSAGE_MODEL].browse(res_ids)._recheck_policy().ids

    def _action_send_mail(self, res_ids=None):
        messages = self.filtered(lambda mailing: mailing._telecom_is_message_mailing())
        for mailing in messages:
            if res_ids:
                allowed = mailing.env[MESSAGE_MODEL].browse(res_ids)._recheck_policy()
            else:
                allowed = mailing.env[MESSAGE_MODEL].browse(
                    mailing._get_remaining_recipients()
                )
            # only the messages of this mailing
            allowed = allowed.filtered(
                lambda message, m=mailing: message.mailing_id == m
            )
            if not allowed:
                mailing.write({"state": "done"})
                continue
            allowed._mark_sent()
            chunk_size = SMS_COMPOSER_CHUNK if mailing.mailing_type == "sms" else None
            for chunk in split_every(chunk_size or len(allowed), allowed.ids):
                super(MailingMailing, mailing)._action_send_mail(res_ids=list(chunk))
        return super(MailingMailing, self - messages)._action_send_mail(res_ids=res_ids)
