from odoo import http
from odoo.http import request

from odoo.addons.telecom_subscriber.controllers.subscriber_api import (
    ROUTE_OPTIONS,
    SubscriberApiController,
    base_url,
    json_response,
    read_json_body,
    subscriber_endpoint,
)
from odoo.addons.telecom_subscriber.tools.subscriber_api import API_BASE


def _api():
    return request.env["telecom.subscriber.api"]


class SubscriberTicketApi(SubscriberApiController):
    """Trouble tickets and incident notices of the subscriber API."""

    @http.route(f"{API_BASE}/troubleTicket", **ROUTE_OPTIONS)
    @subscriber_endpoint(("GET",))
    def subscriber_api_tickets(self, **params):
        offset, limit = self._page()
        items, total = _api()._api_tickets(base_url(), offset, limit)
        return self._list_response(items, total)

    @http.route(f"{API_BASE}/troubleTicket/<string:ticket_id>", **ROUTE_OPTIONS)
    @subscriber_endpoint(("GET",))
    def subscriber_api_ticket(self, ticket_id, **params):
        Api = _api()
        return json_response(
            Api._api_ticket_dict(Api._api_ticket(ticket_id), base_url())
        )

    @http.route(f"{API_BASE}/troubleTicket/<string:ticket_id>/rating", **ROUTE_OPTIONS)
    @subscriber_endpoint(("POST",))
    def subscriber_api_ticket_rating(self, ticket_id, **params):
        Api = _api()
        ticket = Api._api_rate_ticket(ticket_id, read_json_body())
        return json_response(Api._api_ticket_dict(ticket, base_url()), status=201)

    @http.route(f"{API_BASE}/incidentNotice", **ROUTE_OPTIONS)
    @subscriber_endpoint(("GET",))
    def subscriber_api_incident_notices(self, **params):
        return json_response(_api()._api_incident_notices(base_url()))
