from odoo import api, fields, models
from odoo.exceptions import UserError

# orders that have credited the account, or still may: never queued twice
LIVE_ORDER_STATES = ("pending", "dead", "done")


class TelecomRefund(models.Model):
    """An approved refund credited to its account goes to billing as an
    adjustment through the outbox; billing's confirmation marks it paid with
    the adjustment id as its payment reference."""

    _inherit = "telecom.refund"

    bss_outbox_ids = fields.One2many(
        "telecom.outbox", "refund_id", string="Billing Adjustments", readonly=True
    )
    bss_delivery_label = fields.Char(
        string="Billing", compute="_compute_bss_delivery_label"
    )

    @api.depends("bss_outbox_ids.state", "bss_outbox_ids.attempt_count")
    def _compute_bss_delivery_label(self):
        for refund in self:
            order = refund._bss_last_order()
            refund.bss_delivery_label = order.delivery_label or False

    def _bss_last_order(self):
        self.ensure_one()
        # sudo: the refund shows its delivery whatever orders the user reads
        return self.sudo().bss_outbox_ids.sorted("id", reverse=True)[:1]

    # ------------------------------------------------------------------
    # actions and cron
    # ------------------------------------------------------------------
    def action_send_to_billing(self):
        """A supervisor sends approved refunds to billing as adjustments."""
        self._check_supervisor(
            self.env._("Only a supervisor sends refunds to billing.")
        )
        self._check_state(
            ("approved",), self.env._("Only an approved refund goes to billing.")
        )
        self.check_access("write")
        for refund in self:
            problem = refund._bss_adjustment_problem()
            if problem:
                raise UserError(problem)
        self._bss_send_adjustments()
        return True

    @api.model
    def _get_bss_due_refunds_domain(self):
        """Approved refunds credited to an account, never sent to billing."""
        return [
            ("state", "=", "approved"),
            ("account_id", "!=", False),
            ("bss_outbox_ids", "=", False),
        ]

    @api.model
    def _cron_send_to_billing(self, batch_size=200):
        refunds = self.search(
            self._get_bss_due_refunds_domain(), order="id", limit=batch_size
        )
        refunds.filtered(
            lambda refund: not refund._bss_adjustment_problem()
        )._bss_send_adjustments()
        remaining = batch_size if len(refunds) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(refunds), remaining=remaining)

    # ------------------------------------------------------------------
    # sending
    # ------------------------------------------------------------------
    def _bss_backend(self):
        self.ensure_one()
        return self.env["telecom.backend"]._bss_find(
            "billing", self.company_id, self.region_id
        )

    def _bss_adjustment_problem(self):
        """Why the refund cannot go to billing now, or False."""
        self.ensure_one()
        if not self.account_id:
            return self.env._(
                "Refund %(refund)s has no account to credit.", refund=self.name
            )
        if not self._bss_backend():
            return self.env._(
                "No billing system serves refund %(refund)s.", refund=self.name
            )
        if self._bss_last_order().state in LIVE_ORDER_STATES:
            return self.env._(
                "Refund %(refund)s is already on its way to billing (%(status)s).",
                refund=self.name,
                status=self.bss_delivery_label,
            )
        return False

    def _bss_send_adjustments(self):
        Outbox = self.env["telecom.outbox"]
        vals_list = []
        for refund in self:
            vals = Outbox._bss_prepare_adjustment_vals(
                refund._bss_backend(),
                refund._bss_adjustment_key(),
                refund.account_id,
                refund.amount,
                self.env._("Refund %(refund)s", refund=refund.name),
            )
            vals["refund_id"] = refund.id
            vals_list.append(vals)
        if vals_list:
            Outbox._bss_create(vals_list)

    def _bss_adjustment_key(self):
        """The same on every attempt; a new one only after billing refused."""
        self.ensure_one()
        earlier = len(self.sudo().bss_outbox_ids)
        key = f"{self.name}:adjustment"
        return f"{key}:{earlier}" if earlier else key

    # ------------------------------------------------------------------
    # billing's answers (from the delivery job)
    # ------------------------------------------------------------------
    def _bss_on_adjustment_posted(self, order):
        """Billing credited the account: the refund is paid."""
        for refund in self.filtered(lambda refund: refund.state == "approved"):
            # sudo: billing's confirmation pays the refund whoever runs the job
            refund.sudo().payment_reference = order.external_order_id
            refund.sudo()._transition(
                {"state": "paid", "date_paid": fields.Date.context_today(self)},
                "refund.paid",
            )

    def _bss_on_adjustment_failed(self, order):
        """Billing refused the adjustment or its delivery gave up: tell the
        approver on the refund."""
        for refund in self:
            # sudo: billing's answer is a system event (see above)
            refund.sudo().message_post(
                body=self.env._(
                    "The credit of %(refund)s to account %(account)s is not posted "
                    "(%(status)s): %(error)s",
                    refund=refund.name,
                    account=order.account_ref,
                    status=order.delivery_label,
                    error=order.response_message or order.last_error or "",
                ),
                partner_ids=refund.approved_by_id.partner_id.ids,
                subtype_xmlid="mail.mt_note",
            )
