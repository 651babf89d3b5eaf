from odoo import models
from odoo.exceptions import UserError


class TelecomInteraction(models.Model):
    _inherit = "telecom.interaction"

    def action_telecom_create_ticket(self):
        """The ticket of the live chat this row records."""
        self.ensure_one()
        if self.res_model != "discuss.channel":
            raise UserError(self.env._("This contact is not a live chat."))
        return (
            self.env["discuss.channel"]
            .browse(self.res_id)
            .action_telecom_create_ticket()
        )
