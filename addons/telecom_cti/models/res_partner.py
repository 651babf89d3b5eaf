from odoo import api, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        call_id = self.env.context.get("telecom_cti_call_id")
        if call_id and partners:
            # the "new caller" form of a screen pop: the call belongs to them
            call = self.env["telecom.cti.call"].browse(call_id).exists()
            if call and not call.partner_id:
                call.partner_id = partners[0]
        return partners

    def action_telecom_cti_call(self):
        """Click-to-call: ring the agent's phone, then the subscriber."""
        self.ensure_one()
        return self.env["telecom.cti.originate"]._cti_queue_call(
            self.mobile or self.phone, partner=self
        )
