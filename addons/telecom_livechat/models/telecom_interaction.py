from odoo import models
from odoo.exceptions import UserError


class TelecomInteraction(models.Model):
    _inherit = "telecom.interaction"

    def action_telecom_new_request(self):
        """A lifecycle request of the subscriber from this contact (a claim by
        default): the request completes the row (outcome Request Created)."""
        self.ensure_one()
        self.check_access("write")
        if self.request_id:
            raise UserError(self.env._("A request was created from this contact."))
        action = self.env["telecom.request"]._action_new(
            self.env.context.get("telecom_request_type") or "claim",
            {
                "partner_id": self.partner_id.id,
                "account_id": (
                    self.service_id.account_id or self.partner_id.telecom_account_ids
                )[:1].id,
                "service_id": self.service_id.id,
            },
        )
        action["context"]["telecom_livechat_interaction_id"] = self.id
        return action

    def action_telecom_open_conversation(self):
        self.ensure_one()
        if self.res_model != "discuss.channel":
            raise UserError(self.env._("This contact is not a live chat."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "discuss.channel",
            "res_id": self.res_id,
            "views": [
                (self.env.ref("im_livechat.discuss_channel_view_form").id, "form")
            ],
        }
