from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class TelecomRequest(models.Model):
    """Contract renewal: a line's commitment is extended, with a new tariff or not.

    Started from the line (card, service form) or by the retention team from a
    termination it saves (:meth:`action_offer_renewal`). When it completes, the
    line's commitment end moves (so the contract-ending facts of the old date
    are over: the daily job tells the new end in its time) and the open
    terminations of the line are cancelled as retained.
    """

    _inherit = "telecom.request"

    request_type = fields.Selection(
        selection_add=[("renewal", "Contract Renewal")],
        ondelete={"renewal": "cascade"},
    )
    renewal_months = fields.Integer(
        string="Commitment (Months)",
        default=12,
        help="Months the commitment is extended by, from its current end (or "
        "from today when it has ended).",
    )
    new_commitment_end_date = fields.Date(
        string="New Commitment End",
        compute="_compute_new_commitment_end_date",
        store=True,
        readonly=False,
        precompute=True,
        copy=False,
    )
    previous_commitment_end_date = fields.Date(
        string="Previous Commitment End", readonly=True, copy=False
    )
    retained_termination_id = fields.Many2one(
        "telecom.request",
        string="Termination Saved",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        domain="[('request_type', '=', 'termination')]",
    )

    @api.depends("request_type", "renewal_months", "service_id")
    def _compute_new_commitment_end_date(self):
        today = fields.Date.context_today(self)
        for request in self:
            if request.request_type != "renewal" or request.renewal_months <= 0:
                continue
            start = max(request.service_id.commitment_end_date or today, today)
            request.new_commitment_end_date = start + relativedelta(
                months=request.renewal_months
            )

    def _check_submitted_renewal(self):
        self._require_service(("active",), self.env._("A contract renewal"))
        for request in self:
            request._check_renewal()

    def _on_submitted_renewal(self):
        for request in self:
            request.write(
                {
                    "previous_commitment_end_date": (
                        request.service_id.commitment_end_date
                    ),
                    "previous_tariff_id": request.service_id.tariff_id.id,
                }
            )

    def _check_done_renewal(self):
        self._require_service(("active",), self.env._("A contract renewal"))
        for request in self:
            request._check_renewal()

    def _on_done_renewal(self):
        for request in self:
            service = request.service_id
            vals = {"commitment_end_date": request.new_commitment_end_date}
            if request._renewal_changes_tariff():
                incompatible = request._incompatible_options(
                    request.tariff_id, service.option_ids
                )
                vals["tariff_id"] = request.tariff_id.id
                vals["option_ids"] = [
                    Command.unlink(option.id) for option in incompatible
                ]
            service.write(vals)

    def _after_done_renewal(self):
        self._retain_terminations()

    def _event_payload_renewal(self):
        return {
            "commitment_end_date": fields.Date.to_string(self.new_commitment_end_date),
            "previous_commitment_end_date": fields.Date.to_string(
                self.previous_commitment_end_date
            )
            or None,
            "renewal_months": self.renewal_months,
            "tariff_code": self.tariff_id.telecom_billing_code or None,
        }

    def action_offer_renewal(self):
        """Retention: save this termination with a renewal of the line's contract."""
        self.ensure_one()
        if self.request_type != "termination" or self.is_closed:
            raise UserError(self.env._("A renewal is offered on an open termination."))
        return self._action_new(
            "renewal",
            {
                "partner_id": self.partner_id.id,
                "account_id": self.account_id.id,
                "service_id": self.service_id.id,
                "retained_termination_id": self.id,
                "channel": self.channel,
            },
        )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _renewal_changes_tariff(self):
        self.ensure_one()
        return bool(self.tariff_id) and self.tariff_id != self.service_id.tariff_id

    def _check_renewal(self):
        self.ensure_one()
        today = fields.Date.context_today(self)
        current_end = self.service_id.commitment_end_date
        if not self.new_commitment_end_date or self.new_commitment_end_date <= max(
            current_end or today, today
        ):
            raise UserError(
                self.env._(
                    "The new commitment end must come after the current one "
                    "(%(date)s) and after today.",
                    date=current_end or today,
                )
            )
        if self._renewal_changes_tariff():
            self._check_new_tariff()

    def _retain_terminations(self):
        """The line stays: its open terminations are cancelled as retained."""
        terminations = self.search(
            [
                ("request_type", "=", "termination"),
                ("service_id", "in", self.service_id.ids),
                ("is_closed", "=", False),
                ("state", "!=", "draft"),
            ]
        )
        if not terminations:
            return
        terminations.write({"retention_outcome": "retained"})
        terminations._transition(
            "cancelled",
            note=self.env._(
                "Subscriber retained: contract renewed (%(requests)s)",
                requests=", ".join(self.mapped("name")),
            ),
        )
