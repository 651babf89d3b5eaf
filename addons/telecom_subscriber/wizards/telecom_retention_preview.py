from odoo import api, fields, models
from odoo.exceptions import UserError


class TelecomRetentionPreview(models.TransientModel):
    """Dry run of the retention policies: what a run on a day would anonymise
    or delete, per data category and model, changing nothing; an administrator
    may then apply it today."""

    _name = "telecom.retention.preview"
    _description = "Personal Data Retention Dry Run"

    reference_date = fields.Date(
        string="As Of", required=True, default=fields.Date.context_today
    )
    line_ids = fields.One2many(
        "telecom.retention.preview.line", "preview_id", string="Would Be Processed"
    )
    subscriber_count = fields.Integer(string="Subscribers", readonly=True)
    is_today = fields.Boolean(compute="_compute_is_today")

    @api.depends("reference_date")
    def _compute_is_today(self):
        today = fields.Date.context_today(self)
        for preview in self:
            preview.is_today = preview.reference_date == today

    def action_preview(self):
        self.ensure_one()
        self.env["telecom.retention.run"].check_access("read")
        # sudo: the dry run counts every subscriber the run would process, like
        # the run itself; it changes nothing
        plan = (
            self.env["telecom.retention.run"]
            .sudo()
            ._retention_plan(self.reference_date)
        )
        subscribers = set()
        lines = [fields.Command.clear()]
        for (category, action, model), (partner_ids, records) in sorted(plan.items()):
            subscribers |= partner_ids
            lines.append(
                fields.Command.create(
                    {
                        "category": category,
                        "action": action,
                        "model": model,
                        "subscriber_count": len(partner_ids),
                        "record_count": records,
                    }
                )
            )
        self.write({"line_ids": lines, "subscriber_count": len(subscribers)})
        return self._reopen()

    def action_apply(self):
        """Apply the policies today, as the dry run showed them."""
        self.ensure_one()
        Run = self.env["telecom.retention.run"]
        Run._check_retention_manager()
        if not self.is_today:
            raise UserError(
                self.env._("Retention is applied as of today only; preview today.")
            )
        run = Run._apply_retention(self.reference_date, trigger="manual")
        return {
            "type": "ir.actions.act_window",
            "res_model": run._name,
            "res_id": run.id,
            "view_mode": "form",
        }

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
