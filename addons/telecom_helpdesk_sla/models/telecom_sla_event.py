from odoo import fields, models
from odoo.exceptions import UserError

from .sla_selections import EVENT_TYPES, TARGET_KINDS


class TelecomSlaEvent(models.Model):
    """Append-only journal of the SLA clocks: started, paused, resumed, at risk,
    breached, met, reopened, recomputed. The engine writes it in the same SQL
    statement as the change it records; nobody edits it afterwards."""

    _name = "telecom.sla.event"
    _description = "SLA Event"
    _order = "date desc, id desc"
    _log_access = False

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, readonly=True, index=True, ondelete="cascade"
    )
    line_id = fields.Many2one(
        "telecom.sla.line", string="SLA Target", readonly=True, ondelete="cascade"
    )
    kind = fields.Selection(TARGET_KINDS, readonly=True)
    event_type = fields.Selection(EVENT_TYPES, required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True, index=True)
    reason = fields.Char(readonly=True)
    work_seconds = fields.Float(
        readonly=True, help="Working time the clock was stopped (resumed events)."
    )
    work_hours = fields.Float(
        string="Paused Working Hours", compute="_compute_work_hours"
    )
    incident_id = fields.Many2one(
        "telecom.incident", readonly=True, index="btree_not_null", ondelete="set null"
    )
    user_id = fields.Many2one("res.users", readonly=True, ondelete="set null")
    company_id = fields.Many2one("res.company", readonly=True, index=True)

    def _compute_work_hours(self):
        for event in self:
            event.work_hours = event.work_seconds / 3600

    def write(self, vals):  # pylint: disable=method-required-super
        self.check_access("write")
        raise UserError(self.env._("SLA events cannot be changed."))

    def unlink(self):  # pylint: disable=method-required-super
        self.check_access("unlink")
        raise UserError(self.env._("SLA events cannot be deleted."))
