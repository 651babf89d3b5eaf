from odoo import api, fields, models
from odoo.exceptions import ValidationError

# helpdesk_mgmt's priority keys, read as P1..P4 (as telecom_helpdesk_sla does)
PRIORITIES = [
    ("3", "P1 - Critical"),
    ("2", "P2 - High"),
    ("1", "P3 - Medium"),
    ("0", "P4 - Low"),
]
MAX_HOURS = 2000


class TelecomB2bContractSla(models.Model):
    """The SLA a contract promises for one ticket priority: targets in working
    hours of a calendar (e.g. P1: response 0.5 h, resolution 4 h, 24/7).

    The helpdesk applies them to the customer's tickets ahead of its general
    policies when ``telecom_b2b_partner_helpdesk`` is installed."""

    _name = "telecom.b2b.contract.sla"
    _description = "B2B Contract SLA Term"
    _order = "contract_id, priority desc"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "telecom.b2b.contract", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    priority = fields.Selection(PRIORITIES, required=True)
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Calendar",
        required=True,
        check_company=True,
        default=lambda self: self.env.ref(
            "telecom_b2b_partner.resource_calendar_24_7", raise_if_not_found=False
        ),
        help="Time the targets are counted in, e.g. around the clock (24/7) or "
        "business hours.",
    )
    first_response_hours = fields.Float(string="First Response (h)", required=True)
    update_hours = fields.Float(
        string="Update Every (h)", help="Between two public replies. 0: no target."
    )
    resolution_hours = fields.Float(string="Resolution (h)", required=True)

    _sql_constraints = [
        (
            "contract_priority_uniq",
            "unique(contract_id, priority)",
            "A contract has one SLA term per priority.",
        ),
    ]

    @api.constrains("first_response_hours", "update_hours", "resolution_hours")
    def _check_hours(self):
        priorities = dict(PRIORITIES)
        for term in self:
            hours = (term.first_response_hours, term.resolution_hours)
            if (
                not all(0 < h <= MAX_HOURS for h in hours)
                or not 0 <= term.update_hours <= MAX_HOURS
                or term.first_response_hours > term.resolution_hours
            ):
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s, %(priority)s: the targets are "
                        "between 0 and %(max)s working hours, and the first "
                        "response comes no later than the resolution.",
                        contract=term.contract_id.name,
                        priority=priorities[term.priority],
                        max=MAX_HOURS,
                    )
                )
