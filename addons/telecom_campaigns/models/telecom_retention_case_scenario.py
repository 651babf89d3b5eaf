from odoo import fields, models


class TelecomRetentionCase(models.Model):
    """Retention cases opened by a scenario step, without a request."""

    _inherit = "telecom.retention.case"

    request_id = fields.Many2one(required=False)
    trigger = fields.Selection(
        selection_add=[("scenario", "Scenario")], ondelete={"scenario": "cascade"}
    )
    scenario_run_id = fields.Many2one(
        "telecom.scenario.run",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
