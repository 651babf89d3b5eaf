from odoo import fields, models


class HelpdeskTicketCategory(models.Model):
    _inherit = "helpdesk.ticket.category"

    telecom_complaint = fields.Boolean(
        string="Complaint",
        help="Tickets of this category and of its sub-categories are complaints of "
        "the subscriber: their timeline row has the outcome Complaint (they count in "
        "the complaint figures) and they reach the business event feed as "
        "complaint.registered.",
    )

    def _telecom_complaint_ids(self):
        """Ids of the categories of ``self`` that are complaints (flagged
        themselves or below a flagged category), reading the ancestors once."""
        ancestor_ids = {
            int(part)
            for category in self
            for part in (category.parent_path or "").split("/")
            if part
        }
        flagged = set(self.browse(ancestor_ids).filtered("telecom_complaint").ids)
        return {
            category.id
            for category in self
            if flagged
            & {int(part) for part in (category.parent_path or "").split("/") if part}
        }
