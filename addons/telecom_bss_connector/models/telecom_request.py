from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.activities import schedule_system_activity

# request type -> (operation sent to billing, state whose reaching sends it)
# Most orders leave at submission; a termination only when the retention team
# lets it go, a porting on its date (their completion). Billing applies an order
# when it gets it: a request dated in the future sends its order on its day,
# when the scheduled-request cron completes it.
BILLING_ORDERS = {
    "activation": ("activation", "submitted"),
    "tariff_change": ("tariff_change", "submitted"),
    "option_change": ("option_change", "submitted"),
    "block": ("block", "submitted"),
    "unblock": ("unblock", "submitted"),
    "sim_swap": ("sim_swap", "submitted"),
    "termination": ("termination", "done"),
    "port_in": ("port_in", "done"),
    "port_out": ("port_out", "done"),
}
CONFIRMED_CONTEXT = "telecom_bss_confirmed"
DELIVERY_STATES = [
    ("none", "Not Sent"),
    ("pending", "Pending"),
    ("done", "Delivered"),
    ("rejected", "Rejected by Billing"),
    ("dead", "Dead Letter"),
    ("cancelled", "Cancelled"),
]


class TelecomRequest(models.Model):
    """Requests billing fulfils: written to the outbox, completed on confirmation.

    - reaching the type's billing point (see ``BILLING_ORDERS``) writes the
      order to ``telecom.outbox`` in the same transaction;
    - such a request is not completed at submission: the delivery job completes
      it when billing confirms, rejects it when billing refuses;
    - completing it by hand, or the scheduled-request cron, waits for the
      order to be delivered (the order is sent if it was not yet).
    """

    _inherit = "telecom.request"

    bss_outbox_ids = fields.One2many(
        "telecom.outbox", "request_id", string="Billing Orders", readonly=True
    )
    bss_delivery_state = fields.Selection(
        DELIVERY_STATES,
        string="Billing Delivery",
        compute="_compute_bss_delivery",
    )
    bss_delivery_label = fields.Char(string="Billing", compute="_compute_bss_delivery")

    @api.depends("bss_outbox_ids.state", "bss_outbox_ids.attempt_count")
    def _compute_bss_delivery(self):
        for request in self:
            order = request._bss_last_order()
            request.bss_delivery_state = order.state or "none"
            request.bss_delivery_label = order.delivery_label or False

    def _bss_last_order(self):
        self.ensure_one()
        return self.bss_outbox_ids.sorted("id", reverse=True)[:1]

    # ------------------------------------------------------------------
    # hooks of telecom_subscriber
    # ------------------------------------------------------------------
    def _is_completed_on_submit(self):
        if self._bss_backend():
            return False  # billing confirms it; the delivery job completes it
        return super()._is_completed_on_submit()

    def _transition(self, target, note=None):
        if target == "done" and not self.env.context.get(CONFIRMED_CONTEXT):
            waiting = self._bss_waiting_for_billing()
            if waiting:
                waiting._bss_hold_completion()
                others = self - waiting
                if others:
                    super(TelecomRequest, others)._transition(target, note)
                return
        super()._transition(target, note)
        if target == "submitted":
            self._bss_send_orders(target)
        elif target in ("cancelled", "rejected"):
            self._bss_cancel_orders()

    # ------------------------------------------------------------------
    # write path
    # ------------------------------------------------------------------
    def _bss_backend(self):
        """The billing backend fulfilling this request, if any."""
        self.ensure_one()
        if self.request_type not in BILLING_ORDERS:
            return self.env["telecom.backend"]
        return self.env["telecom.backend"]._bss_find(
            "billing", self.company_id, self.region_id
        )

    def _bss_send_orders(self, trigger_state):
        """Write the orders of the requests reaching their billing point."""
        today = fields.Date.context_today(self)
        vals_list = []
        for request in self:
            operation, billing_point = BILLING_ORDERS.get(
                request.request_type, (None, None)
            )
            if billing_point != trigger_state or (
                request.effective_date and request.effective_date > today
            ):
                continue  # a dated request sends its order on its day
            backend = request._bss_backend()
            if backend:
                vals_list.append(request._bss_prepare_order_vals(backend, operation))
        if vals_list:
            self.env["telecom.outbox"]._bss_create(vals_list)

    def _bss_prepare_order_vals(self, backend, operation):
        self.ensure_one()
        account = self.service_id.account_id or self.account_id
        return {
            "idempotency_key": f"{self.name}:{operation}",
            "backend_id": backend.id,
            "operation": operation,
            "request_id": self.id,
            "service_id": self.service_id.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "region_id": self.region_id.id,
            "account_ref": account.billing_reference or account.name,
            "msisdn": self.service_id.msisdn or self.msisdn or False,
            "payload": self._bss_order_payload(),
        }

    def _bss_order_payload(self):
        """What billing needs to apply the operation (codes, dates, reasons)."""
        self.ensure_one()
        payload = {
            "request": self.name,
            "effective_date": fields.Date.to_string(self.effective_date) or None,
        }
        payload_hook = getattr(self, f"_event_payload_{self.request_type}", None)
        if payload_hook:
            payload.update(payload_hook())
        return payload

    def _bss_waiting_for_billing(self):
        """Requests billing fulfils whose order is not delivered yet."""
        return self.filtered(
            lambda request: (
                request._bss_backend()
                and "done" not in request.bss_outbox_ids.mapped("state")
            )
        )

    def _bss_hold_completion(self):
        """Send the missing orders; note why the request is not done yet."""
        live_states = ("pending", "dead")
        missing = self.filtered(
            lambda request: (
                not any(
                    state in live_states
                    for state in request.bss_outbox_ids.mapped("state")
                )
            )
        )
        vals_list = [
            request._bss_prepare_order_vals(
                request._bss_backend(), BILLING_ORDERS[request.request_type][0]
            )
            for request in missing
        ]
        if vals_list:
            self.env["telecom.outbox"]._bss_create(vals_list)
        for request in self:
            order = request._bss_last_order()
            request.completion_error = self.env._(
                "Waiting for billing to confirm order %(key)s (%(state)s).",
                key=order.idempotency_key,
                state=order.delivery_label,
            )

    def _bss_cancel_orders(self):
        """Orders of closed requests are never sent; sent ones are flagged."""
        orders = self.bss_outbox_ids
        # sudo: delivery state is written by the system (see telecom.outbox)
        orders.filtered(lambda order: order.state in ("pending", "dead")).sudo().write(
            {"state": "cancelled", "next_attempt_at": False}
        )
        for request in self:
            delivered = request.bss_outbox_ids.filtered(
                lambda order: order.state == "done"
            )
            if delivered and request.request_type not in ("activation", "port_in"):
                request._message_log(
                    body=self.env._(
                        "Billing already applied order %(order)s: reverse it in "
                        "billing if needed.",
                        order=delivered[0].external_order_id,
                    )
                )

    def _bss_on_order_delivered(self, order):
        """Billing confirmed: complete the request when its day has come."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        if self.state not in ("submitted", "scheduled"):
            return
        if self.effective_date and self.effective_date > today:
            return  # the scheduled-request cron completes it on the day
        try:
            with self.env.cr.savepoint():
                self.with_context(**{CONFIRMED_CONTEXT: True}).action_complete()
        except (UserError, ValidationError) as error:
            self._bss_report_mismatch(order, str(error))

    def _bss_on_order_rejected(self, order, message):
        """Billing refused: the request is rejected (or cancelled) with its reason."""
        self.ensure_one()
        if self.is_closed:
            return
        reason = self.env._("Billing refused: %(message)s", message=message)
        transitions = self._get_transitions().get(self.state, ())
        target = "rejected" if "rejected" in transitions else "cancelled"
        try:
            with self.env.cr.savepoint():
                self._transition(target, note=reason)
        except (UserError, ValidationError) as error:
            self._bss_report_mismatch(order, str(error))
            return
        schedule_system_activity(
            self,
            self.env._("Billing refused %(name)s", name=self.name),
            reason,
            self.user_id.id or self.env.uid,
        )

    def _bss_report_mismatch(self, order, error):
        """Billing and the CRM disagree: tell the request's owner."""
        self.completion_error = self.env._(
            "Billing answered %(status)s to order %(key)s but the request could not "
            "follow: %(error)s",
            status=order.external_status or order.state,
            key=order.idempotency_key,
            error=error,
        )
        schedule_system_activity(
            self,
            self.env._("Check %(name)s against billing", name=self.name),
            self.completion_error,
            self.user_id.id or self.env.uid,
        )
