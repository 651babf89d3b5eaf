from odoo import fields, models

from ..tools.selections import BLOCK_REASONS, SERVICE_STATES


class TelecomServiceStateLog(models.Model):
    """One row per status a service entered: who, when, by which request, why."""

    _name = "telecom.service.state.log"
    _description = "Service Status History"
    _order = "date desc, id desc"

    service_id = fields.Many2one(
        "telecom.service", required=True, index=True, ondelete="cascade", readonly=True
    )
    state = fields.Selection(SERVICE_STATES, required=True, readonly=True)
    block_reason = fields.Selection(BLOCK_REASONS, readonly=True)
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="By", default=lambda self: self.env.user, readonly=True
    )
    request_id = fields.Many2one("telecom.request", readonly=True, ondelete="set null")
    reason = fields.Text(readonly=True)
    company_id = fields.Many2one(related="service_id.company_id", store=True)
