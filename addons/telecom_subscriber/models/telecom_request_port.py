from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

# Mobile number portability, as in the Russian procedure: the recipient files
# the request to the central porting database, the donor validates it (debt,
# identity), the port date is fixed, and the number moves that night.
PORT_TRANSITIONS = {
    "draft": ("submitted", "cancelled"),
    "submitted": ("validated", "rejected", "cancelled"),
    "validated": ("scheduled", "rejected", "cancelled"),
    "scheduled": ("done", "cancelled"),
}

PORT_REJECTION_CODES = [
    ("debt", "Debt with the donor"),
    ("identity_mismatch", "Subscriber data mismatch"),
    ("number_unknown", "Number not served by the donor"),
    ("pending_port", "Another porting request is open"),
    ("blocked", "Number blocked by law enforcement"),
    ("other", "Other"),
]


class TelecomRequest(models.Model):
    """Number porting in (we are the recipient) and out (we are the donor)."""

    _inherit = "telecom.request"

    donor_operator_id = fields.Many2one("telecom.operator", ondelete="restrict")
    recipient_operator_id = fields.Many2one("telecom.operator", ondelete="restrict")
    port_reference = fields.Char(
        string="Porting Database Ref.",
        copy=False,
        help="Request id in the central database.",
    )
    port_rejection_code = fields.Selection(
        PORT_REJECTION_CODES, string="Porting Rejection", copy=False, tracking=True
    )
    port_earliest_date = fields.Date(compute="_compute_port_date_window")
    port_latest_date = fields.Date(compute="_compute_port_date_window")

    @api.depends(
        "request_type", "partner_id.is_company", "date_submitted", "company_id"
    )
    def _compute_port_date_window(self):
        for request in self:
            if request.request_type in ("port_in", "port_out"):
                earliest, latest = request._port_date_window()
            else:
                earliest = latest = False
            request.port_earliest_date = earliest
            request.port_latest_date = latest

    def _get_transitions(self):
        if self.request_type in ("port_in", "port_out"):
            return PORT_TRANSITIONS
        return super()._get_transitions()

    def _is_completed_on_submit(self):
        if self.request_type in ("port_in", "port_out"):
            return False
        return super()._is_completed_on_submit()

    def _port_date_window(self):
        """Earliest and latest porting date allowed for this application."""
        self.ensure_one()
        company = self.company_id or self.env.company
        applied_on = fields.Date.to_date(
            self.date_submitted
        ) or fields.Date.context_today(self)
        lead_days = (
            company.telecom_mnp_min_days_company
            if self.partner_id.is_company
            else company.telecom_mnp_min_days_person
        )
        return (
            applied_on + timedelta(days=lead_days),
            applied_on + timedelta(days=company.telecom_mnp_max_days),
        )

    def _check_port_date(self):
        for request in self:
            if not request.effective_date:
                raise UserError(self.env._("Choose the porting date."))
            earliest, latest = request._port_date_window()
            if not earliest <= request.effective_date <= latest:
                raise UserError(
                    self.env._(
                        "The porting date of %(request)s must be between %(earliest)s "
                        "and %(latest)s.",
                        request=request.name,
                        earliest=earliest,
                        latest=latest,
                    )
                )

    def _check_no_other_open_port(self):
        numbers = [request.msisdn or request.service_id.msisdn for request in self]
        # sudo: a number is in one porting process at a time, whichever zone handles it
        clash = self.sudo().search_count(
            [
                ("request_type", "in", ("port_in", "port_out")),
                ("state", "in", ("submitted", "validated", "scheduled")),
                ("id", "not in", self.ids),
                "|",
                ("msisdn", "in", numbers),
                ("service_id.msisdn", "in", numbers),
            ],
            limit=1,
        )
        if clash:
            raise UserError(
                self.env._("Another porting request is already open for this number.")
            )

    def _check_operators(self, operator_field):
        for request in self:
            operator = request[operator_field]
            if not operator or operator.is_own:
                raise UserError(
                    self.env._(
                        "Choose the other operator of the porting (not our network)."
                    )
                )

    # port-in --------------------------------------------------------------
    def _check_submitted_port_in(self):
        self._check_operators("donor_operator_id")
        if any(request.new_service_type != "mobile" for request in self):
            raise UserError(self.env._("Only mobile numbers can be ported."))
        self._check_no_other_open_port()
        self._check_port_date()
        for request in self:
            request._check_new_line()

    def _on_submitted_port_in(self):
        self._create_pending_services()
        self.service_id.with_context(telecom_request_apply=True).write(
            {"ported_in": True}
        )

    def _check_scheduled_port_in(self):
        self._check_port_date()

    def _on_done_port_in(self):
        self.service_id._apply_state("active", requests=self)

    def _on_rejected_port_in(self):
        self._release_pending_services()

    def _on_cancelled_port_in(self):
        self._release_pending_services()

    def _event_payload_port_in(self):
        return {
            **self._event_payload_activation(),
            "donor": self.donor_operator_id.code,
            "port_reference": self.port_reference or None,
        }

    # port-out -------------------------------------------------------------
    def _check_submitted_port_out(self):
        self._check_operators("recipient_operator_id")
        self._require_service(("active", "blocked"), self.env._("Porting out"))
        if any(request.service_id.service_type != "mobile" for request in self):
            raise UserError(self.env._("Only mobile numbers can be ported."))
        self._check_no_other_open_port()
        self._check_port_date()

    def _check_validated_port_out(self):
        """The donor's checks: a line blocked for debt or fraud cannot leave."""
        for request in self:
            if request.service_id.block_reason in ("debt", "fraud"):
                raise UserError(
                    self.env._(
                        "%(service)s is blocked for debt or fraud: reject the porting "
                        "with that reason.",
                        service=request.service_id.display_name,
                    )
                )

    def _check_scheduled_port_out(self):
        self._check_port_date()

    def _on_done_port_out(self):
        self.service_id._apply_state("terminated", requests=self)

    def _event_payload_port_out(self):
        return {
            "recipient": self.recipient_operator_id.code,
            "port_reference": self.port_reference or None,
        }
