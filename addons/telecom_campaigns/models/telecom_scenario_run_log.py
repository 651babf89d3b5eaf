from odoo import fields, models

from .telecom_scenario_step import ACTION_TYPES


class TelecomScenarioRunLog(models.Model):
    """One line of a run's journal: a step executed, a wait, a failure, a replay."""

    _name = "telecom.scenario.run.log"
    _description = "Scenario Run Journal"
    _order = "date desc, id desc"

    run_id = fields.Many2one(
        "telecom.scenario.run", required=True, index=True, ondelete="cascade"
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    step_id = fields.Many2one(
        "telecom.scenario.step", readonly=True, ondelete="set null"
    )
    action_type = fields.Selection(ACTION_TYPES, string="Action", readonly=True)
    level = fields.Selection(
        [("info", "Done"), ("error", "Failed")],
        required=True,
        default="info",
        readonly=True,
    )
    message = fields.Text(required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user
    )
