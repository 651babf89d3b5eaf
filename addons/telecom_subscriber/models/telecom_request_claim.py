from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

CLAIM_TRANSITIONS = {
    "draft": ("submitted", "cancelled"),
    "submitted": ("done", "rejected", "cancelled"),
}


class TelecomRequest(models.Model):
    """Claim (претензия): registered, answered before its deadline, maybe refunded."""

    _inherit = "telecom.request"

    claim_category = fields.Selection(
        [
            ("billing", "Wrong Charge"),
            ("quality", "Service Quality"),
            ("not_provided", "Service Not Provided"),
            ("equipment", "Equipment"),
            ("other", "Other"),
        ],
    )
    claim_amount = fields.Monetary(
        string="Amount Claimed", currency_field="currency_id"
    )
    claim_outcome = fields.Selection(
        [
            ("upheld", "Upheld"),
            ("partial", "Partially Upheld"),
            ("dismissed", "Dismissed"),
        ],
        string="Outcome",
        copy=False,
        tracking=True,
    )
    refund_amount = fields.Monetary(currency_field="currency_id", copy=False)
    resolution = fields.Text(copy=False, help="Answer sent to the subscriber.")
    refund_ids = fields.One2many("telecom.refund", "claim_id", string="Refunds")

    def _get_transitions(self):
        if self.request_type == "claim":
            return CLAIM_TRANSITIONS
        return super()._get_transitions()

    def _is_completed_on_submit(self):
        if self.request_type == "claim":
            return False
        return super()._is_completed_on_submit()

    @api.constrains("claim_amount", "refund_amount")
    def _check_claim_amounts(self):
        for request in self:
            if request.claim_amount < 0 or request.refund_amount < 0:
                raise UserError(
                    self.env._("Claim and refund amounts cannot be negative.")
                )

    def _check_submitted_claim(self):
        if not all(self.mapped("claim_category")) or not all(self.mapped("reason")):
            raise UserError(
                self.env._("A claim needs a category and the subscriber's statement.")
            )

    def _on_submitted_claim(self):
        for request in self:
            request.date_deadline = fields.Date.context_today(request) + timedelta(
                days=request.company_id.telecom_claim_days
            )

    def _check_done_claim(self):
        for request in self:
            request._check_claim_answer()

    def _on_done_claim(self):
        to_refund = self.filtered(lambda request: request.refund_amount > 0)
        self.env["telecom.refund"].create(
            [request._prepare_refund_vals() for request in to_refund]
        )

    def _on_rejected_claim(self):
        self.write({"claim_outcome": "dismissed"})

    def _event_payload_claim(self):
        return {
            "claim_category": self.claim_category,
            "claim_amount": self.claim_amount,
            "claim_outcome": self.claim_outcome or None,
            "refund_amount": self.refund_amount,
        }

    def _check_claim_answer(self):
        self.ensure_one()
        if not self.claim_outcome or not (self.resolution or "").strip():
            raise UserError(
                self.env._(
                    "Record the outcome and the answer before closing the claim."
                )
            )
        if self.claim_outcome == "dismissed" and self.refund_amount:
            raise UserError(self.env._("A dismissed claim gives no refund."))
        if (
            self.claim_outcome != "dismissed"
            and not self.refund_amount
            and self.claim_amount
        ):
            raise UserError(self.env._("Give the amount refunded for an upheld claim."))
        if self.refund_amount > self.claim_amount:
            raise UserError(self.env._("The refund cannot exceed the amount claimed."))

    def _prepare_refund_vals(self):
        self.ensure_one()
        return {
            "claim_id": self.id,
            "account_id": (self.account_id or self.service_id.account_id).id,
            "amount": self.refund_amount,
        }
