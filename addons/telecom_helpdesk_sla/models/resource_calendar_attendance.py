from odoo import api, models


class ResourceCalendarAttendance(models.Model):
    _inherit = "resource.calendar.attendance"

    @api.model_create_multi
    def create(self, vals_list):
        attendances = super().create(vals_list)
        attendances._telecom_invalidate()
        return attendances

    def write(self, vals):
        calendars = self.calendar_id
        result = super().write(vals)
        (calendars | self.calendar_id).exists()._telecom_invalidate_calendars()
        return result

    def unlink(self):
        calendars = self.calendar_id
        result = super().unlink()
        calendars.exists()._telecom_invalidate_calendars()
        return result

    def _telecom_invalidate(self):
        self.calendar_id._telecom_invalidate_calendars()
