from odoo import api, fields, models

from ..tools.personal_data import PERSONAL_DATA_CATEGORIES, RETENTION_ACTIONS


class TelecomRetentionRunLine(models.Model):
    """What a retention run did to one model for one data category."""

    _name = "telecom.retention.run.line"
    _description = "Personal Data Retention Run Line"
    _order = "run_id desc, category, model"

    run_id = fields.Many2one(
        "telecom.retention.run", required=True, index=True, ondelete="cascade"
    )
    category = fields.Selection(PERSONAL_DATA_CATEGORIES, required=True)
    action = fields.Selection(RETENTION_ACTIONS, required=True)
    model = fields.Char(required=True)
    model_name = fields.Char(string="Data", compute="_compute_model_name")
    field_names = fields.Char(string="Fields")
    subscriber_count = fields.Integer(string="Subscribers")
    record_count = fields.Integer(string="Records")

    @api.depends("model")
    def _compute_model_name(self):
        for line in self:
            line.model_name = self.env["ir.model"]._get(line.model).name or line.model
