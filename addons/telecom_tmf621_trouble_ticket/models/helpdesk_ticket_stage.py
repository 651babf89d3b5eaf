from odoo import fields, models

TMF_STATUSES = [
    ("acknowledged", "Acknowledged"),
    ("inProgress", "In Progress"),
    ("pending", "Pending"),
    ("held", "Held"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
    ("rejected", "Rejected"),
]


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    tmf_status = fields.Selection(
        TMF_STATUSES,
        string="TMF621 Status",
        help="Status of the tickets of this stage in the TMF621 Trouble Ticket API; "
        "a status set through the API moves the ticket to the first stage having "
        "it.",
    )
