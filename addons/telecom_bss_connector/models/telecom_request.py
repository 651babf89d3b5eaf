from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

from ..tools import mappers
from ..tools.activities import schedule_system_activity

# request type -> operation sent to billing
BILLING_OPERATIONS = {
    "activation": "activation",
    "tariff_change": "tariff_change",
    "option_change": "option_change",
    "block": "block",
    "unblock": "unblock",
    "sim_swap": "sim_swap",
    "termination": "termination",
    "port_in": "port_in",
    "port_out": "port_out",
    "owner_change": "owner_change",
    "number_change": "number_change",
    "relocation": "relocation",
    "renewal": "renewal",
}
# Types billing fulfils as soon as they are submitted: their completion is asked
# at submission, so their order leaves at once. A termination goes when the
# retention team lets it go, a porting on its date, a change of owner when a
# supervisor approves it (their completion). Billing
# applies an order when it gets it: a request dated in the future sends its order
# on its day, when the scheduled-request cron completes it.
COMPLETED_ON_SUBMIT = (
    "activation",
    "tariff_change",
    "option_change",
    "block",
    "unblock",
    "sim_swap",
    "number_change",
    "relocation",
    "renewal",
)
# orders still on their way to billing (a dead one waits for a retry)
LIVE_ORDER_STATES = ("pending", "dead")
DELIVERY_STATES = [
    ("none", "Not Sent"),
    ("pending", "Pending"),
    ("done", "Delivered"),
    ("rejected", "Rejected by Billing"),
    ("dead", "Dead Letter"),
    ("cancelled", "Cancelled"),
]


class TelecomRequest(models.Model):
    """Requests billing fulfils, through the fulfilment hooks of telecom_subscriber.

    - completing such a request (at submission for the simple types, when the
      retention team lets a termination go, on the date of a porting or of a
      dated request) passes the guards, then holds it for billing
      (``fulfilment_status`` *waiting*) and writes its order to
      ``telecom.outbox`` in the same transaction;
    - the delivery job completes it through ``_complete_after_fulfilment`` when
      billing confirms (the guards run again), rejects it when billing refuses;
    - an order in dead letter, or a request that cannot follow billing's answer,
      sets ``fulfilment_status`` *failed* with the reason in ``completion_error``;
    - the order's payload is built by the connector's mappers
      (``tools/mappers.py``), never from what the timeline shows.
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
    # extension points of telecom_subscriber
    # ------------------------------------------------------------------
    def _is_completed_on_submit(self):
        if self.request_type in COMPLETED_ON_SUBMIT and self._bss_backend():
            return True  # its order leaves now; billing's confirmation completes it
        return super()._is_completed_on_submit()

    def _get_external_fulfilment_requests(self):
        """Requests billing fulfils whose order is not delivered yet."""
        return super()._get_external_fulfilment_requests() | self.filtered(
            lambda request: (
                request._bss_backend()
                and "done" not in request.bss_outbox_ids.mapped("state")
            )
        )

    def _request_external_fulfilment(self):
        """Write the missing orders; flag the requests whose order cannot leave."""
        result = super()._request_external_fulfilment()
        billed = self.filtered(lambda request: request._bss_backend())
        billed._bss_send_orders()
        for request in billed:
            order = request._bss_last_order()
            if order.state != "pending":
                request._fail_external_fulfilment(
                    self.env._(
                        "Billing order %(key)s is not on its way (%(state)s): the "
                        "integration team retries it from the billing outbox.",
                        key=order.idempotency_key,
                        state=order.delivery_label,
                    )
                )
        return result

    def _cancel_external_fulfilment(self):
        result = super()._cancel_external_fulfilment()
        self._bss_cancel_orders()
        return result

    @api.model
    def _get_due_requests_domain(self):
        # the outbox is the truth: whatever a request's status says, the cron does
        # not complete it while its order is on its way to billing
        return expression.AND(
            [
                super()._get_due_requests_domain(),
                [("bss_outbox_ids", "not any", [("state", "in", LIVE_ORDER_STATES)])],
            ]
        )

    # ------------------------------------------------------------------
    # write path
    # ------------------------------------------------------------------
    def _bss_backend(self):
        """The billing backend fulfilling this request, if any."""
        self.ensure_one()
        if self.request_type not in BILLING_OPERATIONS:
            return self.env["telecom.backend"]
        return self.env["telecom.backend"]._bss_find(
            "billing", self.company_id, self.region_id
        )

    def _bss_send_orders(self):
        """Write the orders of the requests that have none on its way or delivered."""
        sent_states = (*LIVE_ORDER_STATES, "done")
        missing = self.filtered(
            lambda request: (
                not any(
                    state in sent_states
                    for state in request.bss_outbox_ids.mapped("state")
                )
            )
        )
        vals_list = [
            request._bss_prepare_order_vals(
                request._bss_backend(), BILLING_OPERATIONS[request.request_type]
            )
            for request in missing
        ]
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
        """What billing needs to apply the operation (codes, dates, reasons).

        Built by the connector's mappers from the request's fields: the
        timeline's event payload may show more or less, billing is not affected.
        """
        self.ensure_one()
        return mappers.order_payload(self)

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

    def _bss_on_orders_delivered(self, orders):
        """Billing confirmed ``orders`` (of these requests): complete the requests
        whose day has come, together; one by one if one of them cannot."""
        waiting = self.filtered(
            lambda request: request.state in ("submitted", "scheduled")
        )
        today = fields.Date.context_today(self)
        later = waiting.filtered(
            lambda request: request.effective_date and request.effective_date > today
        )
        # billing has them; the scheduled-request cron completes them on their day
        later.fulfilment_status = "none"
        due = waiting - later
        if not due:
            return
        try:
            with self.env.cr.savepoint():
                due._complete_after_fulfilment()
        except (UserError, ValidationError) as error:
            order_of = {order.request_id.id: order for order in orders}
            if len(due) == 1:
                due._bss_report_mismatch(order_of[due.id], str(error))
                return
            for request in due:
                request._bss_on_orders_delivered(order_of[request.id])

    def _bss_on_order_delivered(self, order):
        """Billing confirmed: complete the request when its day has come."""
        self.ensure_one()
        self._bss_on_orders_delivered(order)

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
        """Billing and the CRM disagree: the fulfilment failed, tell the owner."""
        self._fail_external_fulfilment(
            self.env._(
                "Billing answered %(status)s to order %(key)s but the request could "
                "not follow: %(error)s",
                status=order.external_status or order.state,
                key=order.idempotency_key,
                error=error,
            )
        )
        schedule_system_activity(
            self,
            self.env._("Check %(name)s against billing", name=self.name),
            self.completion_error,
            self.user_id.id or self.env.uid,
        )
