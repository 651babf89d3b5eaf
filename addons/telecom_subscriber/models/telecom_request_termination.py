from odoo import fields, models
from odoo.exceptions import UserError

TERMINATION_REASONS = [
    ("price", "Price"),
    ("coverage", "Coverage"),
    ("quality", "Service Quality"),
    ("customer_service", "Customer Service"),
    ("competitor_offer", "Competitor Offer"),
    ("relocation", "Relocation"),
    ("no_longer_needed", "No Longer Needed"),
    ("deceased", "Holder Deceased"),
    ("non_payment", "Non-payment"),
    ("other", "Other"),
]


class TelecomRequest(models.Model):
    """Termination of a service; open ones are the retention team's work list."""

    _inherit = "telecom.request"

    termination_reason = fields.Selection(TERMINATION_REASONS, tracking=True)
    target_operator_id = fields.Many2one(
        "telecom.operator",
        string="Leaving For",
        ondelete="restrict",
        help="Operator the subscriber says they are moving to.",
    )
    retention_outcome = fields.Selection(
        [("retained", "Retained"), ("lost", "Lost")],
        readonly=True,
        copy=False,
        tracking=True,
    )

    def _check_submitted_termination(self):
        self._require_service(("active", "blocked"), self.env._("A termination"))
        self._require_termination_reason()

    def _check_done_termination(self):
        self._require_service(("active", "blocked"), self.env._("A termination"))

    def _on_done_termination(self):
        self.write({"retention_outcome": "lost"})
        for date, requests in self.grouped("effective_date").items():
            requests.service_id._apply_state(
                "terminated", requests=requests, date=date or None
            )

    def _is_completed_on_submit(self):
        if self.request_type == "termination":
            return False  # the retention team gets its chance first
        return super()._is_completed_on_submit()

    def _event_payload_termination(self):
        return {
            "termination_reason": self.termination_reason,
            "target_operator": self.target_operator_id.code or None,
        }

    def action_retain(self):
        """The subscriber stays: the termination is cancelled as retained."""
        self.write({"retention_outcome": "retained"})
        self.action_cancel(reason=self.env._("Subscriber retained"))
        return True

    def _require_termination_reason(self):
        if not all(self.mapped("termination_reason")):
            raise UserError(self.env._("Give the reason of the termination."))
