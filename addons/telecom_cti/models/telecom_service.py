from odoo import models


class TelecomService(models.Model):
    _inherit = "telecom.service"

    def action_telecom_cti_call(self):
        """Click-to-call the line's number."""
        self.ensure_one()
        return self.env["telecom.cti.originate"]._cti_queue_call(
            self.msisdn, partner=self.partner_id, service=self
        )
