from odoo import http
from odoo.http import request

from odoo.addons.telecom_subscriber.controllers.subscriber_api import (
    ROUTE_OPTIONS,
    SubscriberApiController,
    base_url,
    json_response,
    subscriber_endpoint,
)
from odoo.addons.telecom_subscriber.tools.subscriber_api import API_BASE


class SubscriberBalanceApi(SubscriberApiController):
    """``GET /product/{id}/balance``: billing figures of one of the caller's lines."""

    @http.route(f"{API_BASE}/product/<string:line_id>/balance", **ROUTE_OPTIONS)
    @subscriber_endpoint(("GET",))
    def subscriber_api_balance(self, line_id, **params):
        return json_response(
            request.env["telecom.subscriber.api"]._api_balance(line_id, base_url())
        )
