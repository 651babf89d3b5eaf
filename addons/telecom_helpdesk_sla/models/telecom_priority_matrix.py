from odoo import api, fields, models

from .sla_selections import IMPACTS, PRIORITIES, URGENCIES


class TelecomPriorityMatrix(models.Model):
    """Impact × urgency → priority: the matrix tickets take their priority from."""

    _name = "telecom.priority.matrix"
    _description = "Priority Matrix Cell"
    _order = "impact, urgency"
    _rec_name = "priority"

    impact = fields.Selection(IMPACTS, required=True)
    urgency = fields.Selection(URGENCIES, required=True)
    priority = fields.Selection(PRIORITIES, required=True)

    _sql_constraints = [
        (
            "impact_urgency_uniq",
            "unique(impact, urgency)",
            "The matrix has one priority per impact and urgency.",
        ),
    ]

    @api.model
    def _get_matrix(self):
        """{(impact, urgency): priority} in one query."""
        cells = self.search_fetch([], ["impact", "urgency", "priority"])
        return {(cell.impact, cell.urgency): cell.priority for cell in cells}
