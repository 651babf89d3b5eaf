from odoo import models

from odoo.addons.telecom_subscriber.models.telecom_consent import CHANNEL_PURPOSES


class TelecomConsent(models.Model):
    """A withdrawn marketing consent stops the campaign messages of its channel
    at once: those waiting in the queue and those handed to Odoo's e-mail or
    SMS queue but not sent yet."""

    _inherit = "telecom.consent"

    def _apply_withdrawal(self):
        result = super()._apply_withdrawal()
        Message = self.env["telecom.campaign.message"]
        for channel, purpose in CHANNEL_PURPOSES.items():
            partners = self.filtered(
                lambda consent, p=purpose: consent.purpose == p
            ).partner_id
            if partners:
                Message._stop_for_withdrawn_consent(partners.ids, channel)
        return result
