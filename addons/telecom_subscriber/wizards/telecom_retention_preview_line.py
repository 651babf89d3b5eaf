from odoo import api, fields, models

from ..tools.personal_data import PERSONAL_DATA_CATEGORIES, RETENTION_ACTIONS


class TelecomRetentionPreviewLine(models.TransientModel):
    """What a retention run would do to one model for one data category."""

    _name = "telecom.retention.preview.line"
    _description = "Personal Data Retention Dry Run Line"
    _order = "category, model"

    preview_id = fields.Many2one(
        "telecom.retention.preview", required=True, ondelete="cascade"
    )
    category = fields.Selection(PERSONAL_DATA_CATEGORIES, required=True)
    action = fields.Selection(RETENTION_ACTIONS, required=True)
    model = fields.Char(required=True)
    model_name = fields.Char(string="Data", compute="_compute_model_name")
    subscriber_count = fields.Integer(string="Subscribers")
    record_count = fields.Integer(string="Records")

    @api.depends("model")
    def _compute_model_name(self):
        for line in self:
            line.model_name = self.env["ir.model"]._get(line.model).name or line.model
