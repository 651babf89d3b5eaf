from odoo import Command, fields, models
from odoo.exceptions import UserError


class TelecomRequest(models.Model):
    """Add or remove one option of a service."""

    _inherit = "telecom.request"

    option_action = fields.Selection(
        [("add", "Add"), ("remove", "Remove")], string="Option Change", default="add"
    )
    option_id = fields.Many2one(
        "product.product",
        domain="[('telecom_kind', '=', 'option')]",
        ondelete="restrict",
    )

    def _check_submitted_option_change(self):
        self._require_service(("active",), self.env._("An option change"))
        for request in self:
            request._check_option_change()

    def _check_done_option_change(self):
        self._check_submitted_option_change()

    def _on_done_option_change(self):
        for request in self:
            command = Command.link if request.option_action == "add" else Command.unlink
            request.service_id.write({"option_ids": [command(request.option_id.id)]})

    def _event_payload_option_change(self):
        return {
            "option_action": self.option_action,
            "option_code": self.option_id.telecom_billing_code or None,
        }

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
