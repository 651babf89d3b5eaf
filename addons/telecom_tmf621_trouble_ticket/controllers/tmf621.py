from odoo import http
from odoo.http import request

from odoo.addons.telecom_bss_connector.controllers.common import (
    TMF_ROUTE_OPTIONS,
    TelecomApiController,
    api_endpoint,
    base_url,
    get_record,
    json_response,
    read_json_body,
)

from ..models.telecom_api import SCOPE_TMF621, TICKET_PATH

# the path of the issue and the spec's basePath (/tmf-api/troubleTicket/v4/)
TICKET_ROUTES = [TICKET_PATH, "/tmf-api/troubleTicket/v4/troubleTicket"]


class Tmf621TroubleTicketController(TelecomApiController):
    """TMF621 Trouble Ticket v4 on helpdesk tickets: create, list, read, update."""

    @http.route(TICKET_ROUTES, **TMF_ROUTE_OPTIONS)
    @api_endpoint(SCOPE_TMF621, ("GET", "POST"))
    def tickets(self, **params):
        Ticket = request.env["helpdesk.ticket"]
        if request.httprequest.method == "POST":
            payload = read_json_body()
            request.env["telecom.api"]._api_validate("TroubleTicket_Create", payload)
            ticket = Ticket._api_tmf_create(payload)
            return json_response(ticket._tmf_dict(base_url()), status=201)
        offset, limit = self._page()
        tickets, total = Ticket._api_tmf_search(
            request.httprequest.args, offset=offset, limit=limit
        )
        return self._list_response(tickets, total)

    @http.route(
        [route + "/<string:ticket_id>" for route in TICKET_ROUTES], **TMF_ROUTE_OPTIONS
    )
    @api_endpoint(SCOPE_TMF621, ("GET", "PATCH"))
    def ticket(self, ticket_id, **params):
        ticket = self._get_ticket(ticket_id)
        if request.httprequest.method == "PATCH":
            payload = read_json_body()
            request.env["telecom.api"]._api_validate("TroubleTicket_Update", payload)
            ticket._api_tmf_update(payload)
        return json_response(ticket._tmf_dict(base_url(), self._fields_filter()))

    def _get_ticket(self, ticket_id):
        return get_record(request.env["helpdesk.ticket"], ticket_id)
