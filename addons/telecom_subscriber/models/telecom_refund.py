from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

SUPERVISOR_GROUP = "telecom_subscriber.telecom_subscriber_group_supervisor"
# written by the transitions (Approve, Mark Paid, Cancel) only
TRANSITION_FIELDS = ("state", "approved_by_id", "date_approved", "date_paid")


class TelecomRefund(models.Model):
    """Money given back after an upheld claim: approved by a supervisor, then paid."""

    _name = "telecom.refund"
    _description = "Refund"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    claim_id = fields.Many2one(
        "telecom.request",
        required=True,
        index=True,
        ondelete="restrict",
        domain=[("request_type", "=", "claim")],
        check_company=True,
    )
    partner_id = fields.Many2one(related="claim_id.partner_id", store=True, index=True)
    region_id = fields.Many2one(related="claim_id.region_id", store=True, index=True)
    company_id = fields.Many2one(related="claim_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    account_id = fields.Many2one(
        "telecom.account",
        string="Account Credited",
        check_company=True,
        ondelete="restrict",
    )
    amount = fields.Monetary(required=True, currency_field="currency_id", tracking=True)
    state = fields.Selection(
        [
            ("draft", "To Approve"),
            ("approved", "Approved"),
            ("paid", "Paid"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_approved = fields.Datetime(readonly=True, copy=False)
    date_paid = fields.Date(readonly=True, copy=False)
    payment_reference = fields.Char(
        copy=False, help="Credit note or transfer in billing."
    )

    _sql_constraints = [
        ("amount_positive", "CHECK(amount > 0)", "A refund amount must be positive."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(
            vals.get(field_name)
            and (field_name != "state" or vals[field_name] != "draft")
            for vals in vals_list
            for field_name in TRANSITION_FIELDS
        ):
            raise AccessError(self.env._("A refund starts waiting for approval."))
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("telecom.refund") or "/"
                )
        refunds = super().create(vals_list)
        refunds._emit("refund.created")
        return refunds

    def write(self, vals):
        if not self.env.su:
            if set(TRANSITION_FIELDS) & set(vals):
                raise AccessError(
                    self.env._(
                        "The state of a refund changes through Approve, Mark Paid "
                        "and Cancel only."
                    )
                )
            if "amount" in vals and any(refund.state != "draft" for refund in self):
                raise UserError(
                    self.env._("The amount of an approved refund cannot change.")
                )
        return super().write(vals)

    def action_approve(self):
        self._check_supervisor(self.env._("Only a supervisor approves refunds."))
        self._check_state(
            ("draft",),
            self.env._("Only a refund waiting for approval can be approved."),
        )
        self._transition(
            {
                "state": "approved",
                "approved_by_id": self.env.uid,
                "date_approved": fields.Datetime.now(),
            },
            "refund.approved",
        )
        return True

    def action_mark_paid(self):
        self._check_supervisor(self.env._("Only a supervisor marks refunds paid."))
        self._check_state(
            ("approved",), self.env._("Only an approved refund can be marked paid.")
        )
        self._transition(
            {"state": "paid", "date_paid": fields.Date.context_today(self)},
            "refund.paid",
        )
        return True

    def action_cancel(self):
        self._check_state(
            ("draft", "approved"),
            self.env._("A paid or cancelled refund cannot be cancelled."),
        )
        if any(refund.state == "approved" for refund in self):
            self._check_supervisor(
                self.env._("Only a supervisor cancels an approved refund.")
            )
        self._transition({"state": "cancelled"}, "refund.cancelled")
        return True

    def _check_supervisor(self, message):
        if not self.env.su and not self.env.user.has_group(SUPERVISOR_GROUP):
            raise UserError(message)

    def _transition(self, vals, event_type):
        self.check_access("write")
        # sudo: the transition fields are written here only (see write); the
        # caller's right to write these refunds and to make this move was checked
        self.sudo().write(vals)
        self._emit(event_type)

    def _check_state(self, allowed_states, message):
        if any(refund.state not in allowed_states for refund in self):
            raise UserError(message)

    def _emit(self, event_type):
        self.env["telecom.event"]._emit(
            event_type,
            [
                {
                    "partner_id": refund.partner_id.id,
                    "request_id": refund.claim_id.id,
                    "res_model": self._name,
                    "res_id": refund.id,
                    "summary": refund.name,
                    "payload": {
                        "amount": refund.amount,
                        "account": refund.account_id.name,
                    },
                }
                for refund in self
            ],
        )
