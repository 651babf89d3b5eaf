from odoo import models
from odoo.exceptions import UserError


class TelecomRequest(models.Model):
    """Number changes take their new number from the pool: submitted without
    one, they pick a free regular number of the zone; a pool number typed or
    chosen must be free. When the change completes the old pool number rests in
    quarantine and the new one is assigned to the line."""

    _inherit = "telecom.request"

    def action_pick_number(self):
        number_changes = self.filtered(
            lambda request: request.request_type == "number_change"
        )
        if not number_changes:
            return super().action_pick_number()
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("Numbers are picked for draft requests."))
        self._pick_numbers()
        return True

    def _prepare_new_numbers(self):
        result = super()._prepare_new_numbers()
        self.filtered(lambda request: not request.msisdn)._pick_numbers()
        return result

    def _check_submitted_number_change(self):
        result = super()._check_submitted_number_change()
        self._check_inventory_numbers_free()
        return result

    def _on_submitted_number_change(self):
        result = super()._on_submitted_number_change()
        self._hold_inventory_numbers()
        return result

    def _on_done_number_change(self):
        # the old number leaves the line first (one assigned number per line)
        # sudo: the inventory rows follow the lines, whatever the zone of the stock
        self.env["telecom.number"].sudo().search(
            [("service_id", "in", self.service_id.ids), ("state", "=", "assigned")]
        )._end_of_service()
        # one assigned number per line (unique index): the old one leaves first
        self.env["telecom.number"].flush_model()
        result = super()._on_done_number_change()
        numbers = self._inventory_numbers()
        for request in self.filtered(lambda request: request.msisdn in numbers):
            numbers[request.msisdn]._assign(request.service_id)
        return result

    def _on_rejected_number_change(self):
        self.number_id._release()

    def _on_cancelled_number_change(self):
        self.number_id._release()
