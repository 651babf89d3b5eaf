from odoo import api, fields, models

# changes of these fields move working intervals
CALENDAR_FIELDS = {"tz", "attendance_ids", "telecom_always_on", "two_weeks_calendar"}


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    telecom_always_on = fields.Boolean(
        string="Round the Clock (24/7)",
        help="Every hour of every day is working time, holidays included: the NOC "
        "and 24/7 desks. The attendances are ignored.",
    )

    def write(self, vals):
        result = super().write(vals)
        if CALENDAR_FIELDS & set(vals):
            self.env["telecom.sla.calendar.interval"]._invalidate_calendars(self)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_telecom_intervals(self):
        self.env["telecom.sla.calendar.interval"]._invalidate_calendars(self)

    def _telecom_invalidate_calendars(self):
        """Working intervals of these calendars changed: rebuild them lazily."""
        if self:
            self.env["telecom.sla.calendar.interval"]._invalidate_calendars(self)
