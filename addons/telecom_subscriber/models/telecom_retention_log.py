from odoo import fields, models

from ..tools.personal_data import PERSONAL_DATA_CATEGORIES, RETENTION_ACTIONS


class TelecomRetentionLog(models.Model):
    """One subscriber whose data of one category a retention run processed:
    the proof of it, and what keeps the next runs from processing it again."""

    _name = "telecom.retention.log"
    _description = "Personal Data Retention Log"
    _order = "id desc"
    _log_access = False

    run_id = fields.Many2one(
        "telecom.retention.run", required=True, index=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(
        "res.partner", string="Subscriber", required=True, ondelete="cascade"
    )
    category = fields.Selection(PERSONAL_DATA_CATEGORIES, required=True)
    action = fields.Selection(RETENTION_ACTIONS, required=True)
    date = fields.Datetime(related="run_id.date_start")

    _sql_constraints = [
        (
            "partner_category_uniq",
            "unique(partner_id, category)",
            "A subscriber's data of one category is processed once.",
        )
    ]
