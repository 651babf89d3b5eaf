from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .sla_selections import TARGET_KINDS

MAX_TARGET_HOURS = 2000  # the working calendars are materialised for 400 days


class TelecomSlaTarget(models.Model):
    """One target of a policy: first response, periodic update or resolution,
    in working hours of the policy's calendar."""

    _name = "telecom.sla.target"
    _description = "SLA Target"
    _order = "policy_id, kind"

    policy_id = fields.Many2one(
        "telecom.sla.policy", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    active = fields.Boolean(related="policy_id.active", store=True)
    kind = fields.Selection(TARGET_KINDS, required=True)
    hours = fields.Float(
        string="Working Hours",
        required=True,
        help="Working hours of the policy's calendar allowed to reach the target "
        "(for a periodic update: between two public replies).",
    )
    warning_percent = fields.Float(
        string="At Risk at (%)",
        default=75.0,
        required=True,
        help="Share of the allowed time after which the ticket is at risk and the "
        "assignee and team leader are reminded.",
    )

    _sql_constraints = [
        (
            "policy_kind_uniq",
            "unique(policy_id, kind)",
            "A policy has one target per kind.",
        ),
    ]

    @api.constrains("hours", "warning_percent")
    def _check_values(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for target in self:
            if not 0 < target.hours <= MAX_TARGET_HOURS:
                raise ValidationError(
                    self.env._(
                        "The %(kind)s target of %(policy)s must be between 0 and "
                        "%(max)s working hours.",
                        kind=kinds.get(target.kind, target.kind),
                        policy=target.policy_id.display_name,
                        max=MAX_TARGET_HOURS,
                    )
                )
            if not 0 < target.warning_percent < 100:
                raise ValidationError(
                    self.env._(
                        "The warning threshold must be between 0 and 100 %% "
                        "(%(policy)s).",
                        policy=target.policy_id.display_name,
                    )
                )

    def write(self, vals):
        result = super().write(vals)
        if {"hours", "warning_percent"} & set(vals):
            self._propagate_to_open_lines()
        return result

    def _propagate_to_open_lines(self):
        """Open tickets follow their policy: new hours, new deadlines."""
        self.flush_recordset()
        self.env.cr.execute(
            """UPDATE telecom_sla_line l
                  SET target_hours = tg.hours, warning_percent = tg.warning_percent
                 FROM telecom_sla_target tg
                WHERE tg.id = ANY(%s) AND l.target_id = tg.id
                  AND l.status IN ('running', 'paused')""",
            (self.ids,),
        )
        self.env["telecom.sla.line"]._flag_for_recompute(
            SQL("target_id = ANY(%s)", self.ids)
        )
