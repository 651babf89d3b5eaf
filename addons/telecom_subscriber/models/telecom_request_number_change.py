from odoo import fields, models
from odoo.exceptions import UserError


class TelecomRequest(models.Model):
    """Number change: a mobile line gets a new MSISDN, its SIM card stays.

    The agent types the new number (normalised and checked like any MSISDN)
    or leaves it empty for :meth:`_prepare_new_numbers` to give one: a number
    inventory overrides that hook to pick a free number of the zone and sends
    the old number to quarantine when the request completes.
    """

    _inherit = "telecom.request"

    request_type = fields.Selection(
        selection_add=[("number_change", "Number Change")],
        ondelete={"number_change": "cascade"},
    )
    previous_msisdn = fields.Char(
        string="Previous MSISDN", readonly=True, copy=False, index="btree_not_null"
    )

    def action_submit(self):
        self.filtered(
            lambda request: (
                request.request_type == "number_change"
                and request.state == "draft"
                and not request.msisdn
            )
        )._prepare_new_numbers()
        return super().action_submit()

    def _prepare_new_numbers(self):
        """Hook: give a new number to the number changes submitted without one.

        Base: the agent types it (the guards ask for it); a number inventory
        picks a free number of the request's zone.
        """
        return

    def _check_submitted_number_change(self):
        self._require_service(("active",), self.env._("A number change"))
        for request in self:
            request._check_new_number()

    def _on_submitted_number_change(self):
        for request in self:
            request.previous_msisdn = request.service_id.msisdn

    def _check_done_number_change(self):
        self._require_service(("active",), self.env._("A number change"))
        for request in self:
            request._check_new_number()

    def _on_done_number_change(self):
        # the numbers freed in this transaction first (one live line per number)
        self.env["telecom.service"].flush_model(["msisdn", "state"])
        for request in self:
            request.service_id.msisdn = request.msisdn

    def _event_payload_number_change(self):
        return {
            "msisdn": self.msisdn,
            "previous_msisdn": self.previous_msisdn or None,
        }

    def _check_new_number(self):
        self.ensure_one()
        if self.service_id.service_type != "mobile":
            raise UserError(self.env._("Only a mobile line changes its number."))
        if not self.msisdn:
            raise UserError(self.env._("Type the new number of the line."))
        if self.msisdn == self.service_id.msisdn:
            raise UserError(
                self.env._(
                    "%(number)s is already the number of the line.", number=self.msisdn
                )
            )
        taken = self.env["telecom.service"]._find_live("msisdn", [self.msisdn])
        if taken - self.service_id:
            raise UserError(
                self.env._(
                    "%(value)s is already used by another service.", value=self.msisdn
                )
            )
