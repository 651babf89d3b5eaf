from odoo import http
from odoo.http import request

from ..models.telecom_api import BILLING_EVENTS_PATH, SCOPE_BILLING_EVENTS
from .common import TelecomApiController, api_endpoint, json_response, read_json_body


class BillingEventsController(TelecomApiController):
    """Webhook billing pushes its events to (idempotent by event_id)."""

    @http.route(
        BILLING_EVENTS_PATH,
        type="http",
        auth="none",
        csrf=False,
        save_session=False,
        readonly=False,
    )
    @api_endpoint(SCOPE_BILLING_EVENTS, ("POST",))
    def billing_events(self, **params):
        payload = read_json_body()
        request.env["telecom.api"]._api_validate("BillingEventBatch", payload)
        result = request.env["telecom.billing.event"]._api_receive(payload["events"])
        return json_response(result)
