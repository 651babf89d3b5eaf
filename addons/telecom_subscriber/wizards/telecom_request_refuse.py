from odoo import fields, models

from ..models.telecom_request_port import PORT_REJECTION_CODES


class TelecomRequestRefuse(models.TransientModel):
    """Reject or cancel a request with the reason, kept in its journal."""

    _name = "telecom.request.refuse"
    _description = "Reject or Cancel a Request"

    request_id = fields.Many2one("telecom.request", required=True, ondelete="cascade")
    request_type = fields.Selection(related="request_id.request_type")
    outcome = fields.Selection(
        [("rejected", "Reject"), ("cancelled", "Cancel")],
        required=True,
        default="rejected",
    )
    reason = fields.Text(required=True)
    port_rejection_code = fields.Selection(
        PORT_REJECTION_CODES, string="Porting Rejection"
    )

    def action_confirm(self):
        self.ensure_one()
        request = self.request_id
        if self.port_rejection_code:
            request.port_rejection_code = self.port_rejection_code
        if self.outcome == "rejected":
            request.action_reject(reason=self.reason)
        else:
            request.action_cancel(reason=self.reason)
        return {"type": "ir.actions.act_window_close"}
