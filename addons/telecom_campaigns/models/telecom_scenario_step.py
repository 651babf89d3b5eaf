from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.telecom_subscriber.tools.selections import CHANNELS

ACTION_TYPES = [
    ("send_email", "Send an offer by e-mail"),
    ("send_sms", "Send an offer by SMS"),
    ("retention_case", "Put on the retention list"),
    ("activity", "Create a task for the retention team"),
    ("apply_offer", "Apply an offer through billing"),
    ("add_campaign", "Add to a campaign"),
    ("wait", "Wait"),
    ("branch", "Branch on a condition"),
]


class TelecomScenarioStep(models.Model):
    """One step of a scenario: an action on the subscriber, a wait or a branch.

    Steps run in sequence order; a branch jumps forward to another step of the
    same scenario when its condition holds.
    """

    _name = "telecom.scenario.step"
    _description = "Scenario Step"
    _order = "sequence, id"
    _check_company_auto = True

    scenario_id = fields.Many2one(
        "telecom.scenario", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="scenario_id.company_id")
    sequence = fields.Integer(default=10)
    name = fields.Char(
        string="Description",
        compute="_compute_name",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    action_type = fields.Selection(
        ACTION_TYPES, string="Action", required=True, default="activity"
    )
    # wait
    wait_days = fields.Integer(string="Days to Wait", default=1)
    # branch
    branch_segment_id = fields.Many2one(
        "telecom.segment",
        string="If the Subscriber Matches",
        help="The segment's conditions, evaluated when the run reaches the step.",
    )
    branch_step_id = fields.Many2one(
        "telecom.scenario.step",
        string="Then Go To",
        domain="[('scenario_id', '=', scenario_id), ('id', '!=', id)]",
        help="A later step; otherwise the run continues with the next step.",
    )
    # retention task and case
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Task Type",
        default=lambda self: self.env.ref(
            "mail.mail_activity_data_todo", raise_if_not_found=False
        ),
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assigned To",
        help="The retention agent of the task or case.",
    )
    deadline_days = fields.Integer(string="Due in (days)", default=2)
    note = fields.Text(string="Instructions")
    # send an offer, add to a campaign
    offer_id = fields.Many2one(
        "telecom.offer",
        check_company=True,
        help="Sent (e-mail, SMS) or applied through billing (its tariff or option).",
    )
    campaign_id = fields.Many2one(
        "telecom.campaign",
        check_company=True,
        domain="[('state', '=', 'running')]",
        help="A running campaign: the subscriber gets its offer like its targets.",
    )
    # apply an offer through billing
    tariff_id = fields.Many2one(
        "product.product",
        string="New Tariff",
        domain=[("telecom_kind", "=", "tariff")],
    )
    option_id = fields.Many2one(
        "product.product",
        string="Option to Add",
        domain=[("telecom_kind", "=", "option")],
    )
    change_timing = fields.Selection(
        [("now", "Now"), ("next_cycle", "Next Billing Cycle")],
        string="Takes Effect",
        default="next_cycle",
    )
    request_channel = fields.Selection(
        [channel for channel in CHANNELS if channel[0] != "system"],
        string="Request Received Through",
        default="call",
    )

    @api.depends(
        "action_type",
        "wait_days",
        "branch_segment_id",
        "tariff_id",
        "option_id",
        "activity_type_id",
        "offer_id",
        "campaign_id",
    )
    def _compute_name(self):
        labels = dict(self._fields["action_type"]._description_selection(self.env))
        for step in self:
            if step.action_type == "wait":
                step.name = self.env._("Wait %s days", step.wait_days)
            elif step.action_type == "branch" and step.branch_segment_id:
                step.name = self.env._("If in %s", step.branch_segment_id.name)
            elif step.action_type == "apply_offer" and (
                step.tariff_id or step.option_id or step.offer_id
            ):
                step.name = self.env._(
                    "Apply %s",
                    (step.tariff_id or step.option_id or step.offer_id).display_name,
                )
            elif step.action_type == "send_email" and step.offer_id:
                step.name = self.env._("E-mail offer %s", step.offer_id.display_name)
            elif step.action_type == "send_sms" and step.offer_id:
                step.name = self.env._("SMS offer %s", step.offer_id.display_name)
            elif step.action_type == "add_campaign" and step.campaign_id:
                step.name = self.env._(
                    "Add to campaign %s", step.campaign_id.display_name
                )
            else:
                step.name = labels.get(step.action_type, "")

    def _check_ready(self):
        """Raise a UserError for the first step that cannot run."""
        for step in self:
            if step.action_type in ("send_email", "send_sms") and not step.offer_id:
                raise UserError(
                    self.env._("Step “%s”: choose the offer to send.", step.name)
                )
            if step.action_type == "add_campaign" and not step.campaign_id:
                raise UserError(
                    self.env._("Step “%s”: choose the campaign.", step.name)
                )
            if step.action_type == "wait" and step.wait_days < 1:
                raise UserError(
                    self.env._("Step “%s”: wait at least one day.", step.name)
                )
            if step.action_type == "branch":
                if not step.branch_segment_id or not step.branch_step_id:
                    raise UserError(
                        self.env._(
                            "Step “%s”: choose the condition and the step to go to.",
                            step.name,
                        )
                    )
                target = step.branch_step_id
                order = step.scenario_id.step_ids.sorted()
                if target.scenario_id != step.scenario_id or list(order).index(
                    target
                ) <= list(order).index(step):
                    raise UserError(
                        self.env._("Step “%s” can only go to a later step.", step.name)
                    )
            if step.action_type == "activity" and not step.user_id:
                raise UserError(
                    self.env._(
                        "Step “%s”: choose who the task is assigned to.", step.name
                    )
                )
            if step.action_type == "apply_offer" and not step._get_product():
                raise UserError(
                    self.env._(
                        "Step “%s”: choose the tariff, the option or an offer.",
                        step.name,
                    )
                )

    def _get_product(self):
        """The tariff or option an "apply an offer" step applies."""
        self.ensure_one()
        offer = self.offer_id
        return (
            self.tariff_id
            or self.option_id
            or (offer.tariff_id if offer.offer_type == "tariff" else offer.option_id)
        )

    def _get_next_step(self):
        """The step after this one in the scenario, or an empty recordset."""
        self.ensure_one()
        order = list(self.scenario_id.step_ids.sorted())
        position = order.index(self)
        return order[position + 1] if position + 1 < len(order) else self.browse()
