from odoo import fields, models


class ResCompany(models.Model):
    """Satisfaction requests after a ticket is closed (Telecom settings)."""

    _inherit = "res.company"

    telecom_survey_request_enabled = fields.Boolean(
        string="Satisfaction Requests",
        default=True,
        help="Ask the subscriber to rate a closed ticket, by e-mail (else SMS), "
        "through the contact policy.",
    )
    telecom_survey_request_delay_hours = fields.Integer(
        string="Satisfaction Request Delay (hours)",
        default=2,
        help="Hours after a ticket is closed before its satisfaction request is sent.",
    )

    _sql_constraints = [
        (
            "telecom_survey_request_delay_positive",
            "CHECK(telecom_survey_request_delay_hours >= 0)",
            "The satisfaction request delay cannot be negative.",
        ),
    ]
