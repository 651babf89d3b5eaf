from odoo import Command, fields, models
from odoo.exceptions import UserError


class TelecomRequest(models.Model):
    """Tariff change, now or at the start of the next billing cycle."""

    _inherit = "telecom.request"

    previous_tariff_id = fields.Many2one("product.product", readonly=True, copy=False)
    change_timing = fields.Selection(
        [("now", "Now"), ("next_cycle", "Next Billing Cycle")],
        string="Takes Effect",
        default="now",
    )
    remove_incompatible_options = fields.Boolean(
        help="Remove the options the new tariff does not allow instead of refusing."
    )

    def _check_submitted_tariff_change(self):
        self._require_service(("active",), self.env._("A tariff change"))
        for request in self:
            request._check_new_tariff()

    def _on_submitted_tariff_change(self):
        today = fields.Date.context_today(self)
        for request in self:
            request.previous_tariff_id = request.service_id.tariff_id
            if request.change_timing == "next_cycle":
                request.effective_date = (
                    request.service_id.account_id._next_billing_date(today)
                )

    def _check_done_tariff_change(self):
        self._require_service(("active",), self.env._("A tariff change"))
        for request in self:
            request._check_new_tariff()

    def _on_done_tariff_change(self):
        for request in self:
            service = request.service_id
            incompatible = request._incompatible_options(
                request.tariff_id, service.option_ids
            )
            service.write(
                {
                    "tariff_id": request.tariff_id.id,
                    "option_ids": [
                        Command.unlink(option.id) for option in incompatible
                    ],
                }
            )

    def _event_payload_tariff_change(self):
        return {
            "tariff_code": self.tariff_id.telecom_billing_code or None,
            "previous_tariff_code": self.previous_tariff_id.telecom_billing_code
            or None,
            "timing": self.change_timing,
        }

    def _check_new_tariff(self):
        self.ensure_one()
        service = self.service_id
        if not self.tariff_id or self.tariff_id.telecom_kind != "tariff":
            raise UserError(self.env._("Choose the new tariff plan."))
        if self.tariff_id == service.tariff_id:
            raise UserError(
                self.env._(
                    "%(service)s already has tariff %(tariff)s.",
                    service=service.display_name,
                    tariff=self.tariff_id.display_name,
                )
            )
        if self.tariff_id.telecom_service_type != service.service_type:
            raise UserError(
                self.env._(
                    "Tariff %(tariff)s is not made for this type of service.",
                    tariff=self.tariff_id.display_name,
                )
            )
        incompatible = self._incompatible_options(self.tariff_id, service.option_ids)
        if incompatible and not self.remove_incompatible_options:
            raise UserError(
                self.env._(
                    "Tariff %(tariff)s does not allow options %(options)s: remove them "
                    "or tick 'Remove incompatible options'.",
                    tariff=self.tariff_id.display_name,
                    options=", ".join(incompatible.mapped("display_name")),
                )
            )

    def _incompatible_options(self, tariff, options):
        return options.filtered(
            lambda option: (
                not tariff.product_tmpl_id._telecom_allows_option(
                    option.product_tmpl_id
                )
            )
        )
