from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError

from ..tools.selections import BLOCK_REASONS

SUPERVISOR_GROUP = "telecom_subscriber.telecom_subscriber_group_supervisor"


class TelecomRequest(models.Model):
    """Temporary block (voluntary, lost SIM, debt, fraud) and unblock."""

    _inherit = "telecom.request"

    block_reason = fields.Selection(BLOCK_REASONS, default="voluntary")
    block_until = fields.Date(
        help="Voluntary block: the line is unblocked automatically on this date."
    )

    def _check_submitted_block(self):
        self._require_service(("active",), self.env._("A block"))
        for request in self:
            request._check_block_period()

    def _on_done_block(self):
        for reason, requests in self.grouped("block_reason").items():
            requests.service_id._apply_state(
                "blocked", requests=requests, block_reason=reason
            )

    def _after_done_block(self):
        self.filtered("block_until")._schedule_unblocks()

    def _event_payload_block(self):
        return {
            "block_reason": self.block_reason,
            "block_until": str(self.block_until or ""),
        }

    def _check_block_period(self):
        self.ensure_one()
        if self.block_reason != "voluntary":
            return
        today = fields.Date.context_today(self)
        limit = self.company_id.telecom_voluntary_block_max_days
        if not self.block_until or not today < self.block_until <= today + timedelta(
            days=limit
        ):
            raise UserError(
                self.env._(
                    "A voluntary block needs an end date within %(days)s days.",
                    days=limit,
                )
            )

    def _schedule_unblocks(self):
        """Create the unblock requests that lift voluntary blocks on their end date."""
        unblocks = self.create(
            [
                {
                    "request_type": "unblock",
                    "partner_id": request.partner_id.id,
                    "service_id": request.service_id.id,
                    "effective_date": request.block_until,
                    "channel": request.channel,
                    "reason": self.env._(
                        "End of voluntary block %(name)s", name=request.name
                    ),
                }
                for request in self
            ]
        )
        unblocks._transition("submitted")
        unblocks._transition("scheduled")

    # unblock --------------------------------------------------------------
    def _check_submitted_unblock(self):
        self._require_service(("blocked",), self.env._("An unblock"))
        self._check_may_lift_block()

    def _check_done_unblock(self):
        self._require_service(("blocked",), self.env._("An unblock"))

    def _on_done_unblock(self):
        self.service_id._apply_state("active", requests=self)

    def _check_may_lift_block(self):
        """Debt and fraud blocks are lifted by billing or a supervisor only."""
        protected = self.filtered(
            lambda request: request.service_id.block_reason in ("debt", "fraud")
        )
        if protected and not self.env.user.has_group(SUPERVISOR_GROUP):
            raise UserError(
                self.env._(
                    "A block for debt or fraud is lifted by billing or a supervisor."
                )
            )
