from odoo import api, fields, models


class ResourceCalendarLeaves(models.Model):
    """Public holidays: a global leave (no resource) of a calendar or company,
    optionally restricted to a zone (a regional holiday)."""

    _inherit = "resource.calendar.leaves"

    telecom_region_id = fields.Many2one(
        "telecom.region",
        string="Zone",
        index="btree_not_null",
        ondelete="cascade",
        help="A regional holiday: it stops the SLA clocks of the tickets of this "
        "zone (and its sub-zones) whose policy follows the ticket's zone.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        leaves = super().create(vals_list)
        leaves._telecom_invalidate()
        return leaves

    def write(self, vals):
        self.check_access("write")  # before the engine forgets the intervals
        self._telecom_invalidate()
        result = super().write(vals)
        self._telecom_invalidate()
        return result

    def unlink(self):
        self.check_access("unlink")  # before the engine forgets the intervals
        self._telecom_invalidate()
        return super().unlink()

    def _telecom_invalidate(self):
        public = self.filtered(lambda leave: not leave.resource_id)
        if not public:
            return
        Interval = self.env["telecom.sla.calendar.interval"]
        if any(not leave.calendar_id for leave in public):
            # a company-wide holiday: every calendar of the company
            calendars = self.env["resource.calendar"].search(
                [("company_id", "in", [False, *public.company_id.ids])]
            )
        else:
            calendars = public.calendar_id
        Interval._invalidate_calendars(calendars)
