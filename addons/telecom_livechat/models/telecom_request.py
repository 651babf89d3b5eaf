from odoo import api, models


class TelecomRequest(models.Model):
    _inherit = "telecom.request"

    @api.model_create_multi
    def create(self, vals_list):
        requests = super().create(vals_list)
        interaction_id = self.env.context.get("telecom_livechat_interaction_id")
        if interaction_id:
            requests[:1]._telecom_link_interaction(interaction_id)
        return requests

    def _telecom_link_interaction(self, interaction_id):
        """The request started from a contact (a live chat) completes its row."""
        interaction = self.env["telecom.interaction"].browse(interaction_id).exists()
        if (
            interaction
            and not interaction.request_id
            and interaction.partner_id == self.partner_id
        ):
            interaction.write({"request_id": self.id, "outcome": "request_created"})
