from odoo import Command, fields, models
from odoo.exceptions import UserError


class TelecomRequest(models.Model):
    """Add or remove one option of a service.

    An option added for a while (a promotion, a discount) has an end date: once
    added, its removal on that day is a scheduled option change of its own
    (sent to billing on its day like any dated request, cancellable).
    """

    _inherit = "telecom.request"

    option_action = fields.Selection(
        [("add", "Add"), ("remove", "Remove")], string="Option Change", default="add"
    )
    option_id = fields.Many2one(
        "product.product",
        domain="[('telecom_kind', '=', 'option')]",
        ondelete="restrict",
    )
    option_date_end = fields.Date(
        string="Option Until",
        copy=False,
        help="Option added for a while (a promotion, a discount): its removal on "
        "this day is scheduled when the option is added.",
    )

    def _check_submitted_option_change(self):
        self._require_service(("active",), self.env._("An option change"))
        for request in self:
            request._check_option_date_end()
            request._check_option_change()

    def _check_done_option_change(self):
        self._require_service(("active",), self.env._("An option change"))
        for request in self:
            request._check_option_change()

    def _on_done_option_change(self):
        for request in self:
            command = Command.link if request.option_action == "add" else Command.unlink
            request.service_id.write({"option_ids": [command(request.option_id.id)]})

    def _after_done_option_change(self):
        self.filtered(
            lambda request: request.option_action == "add" and request.option_date_end
        )._schedule_option_removals()

    def _event_payload_option_change(self):
        return {
            "option_action": self.option_action,
            "option_code": self.option_id.telecom_billing_code or None,
            "option_date_end": fields.Date.to_string(self.option_date_end) or None,
        }

    def _check_option_date_end(self):
        self.ensure_one()
        if not self.option_date_end:
            return
        if self.option_action != "add":
            raise UserError(self.env._("Only an added option has an end date."))
        if self.option_date_end <= fields.Date.context_today(self):
            raise UserError(self.env._("An option's end date must be in the future."))

    def _schedule_option_removals(self):
        """The scheduled requests removing the options added until a date."""
        removals = self.create(
            [
                {
                    "request_type": "option_change",
                    "option_action": "remove",
                    "option_id": request.option_id.id,
                    "partner_id": request.partner_id.id,
                    "service_id": request.service_id.id,
                    "effective_date": request.option_date_end,
                    "channel": request.channel,
                    "reason": self.env._(
                        "End of option %(option)s added by %(name)s",
                        option=request.option_id.display_name,
                        name=request.name,
                    ),
                }
                for request in self
            ]
        )
        removals._transition("submitted")
        removals._transition("scheduled")
        return removals

    def _check_option_change(self):
        self.ensure_one()
        service = self.service_id
        if not self.option_id:
            raise UserError(self.env._("Choose the option."))
        has_option = self.option_id in service.option_ids
        if self.option_action == "add":
            if has_option:
                raise UserError(
                    self.env._(
                        "%(service)s already has option %(option)s.",
                        service=service.display_name,
                        option=self.option_id.display_name,
                    )
                )
            self._check_options_allowed(service.tariff_id, self.option_id)
        elif not has_option:
            raise UserError(
                self.env._(
                    "%(service)s has no option %(option)s to remove.",
                    service=service.display_name,
                    option=self.option_id.display_name,
                )
            )
