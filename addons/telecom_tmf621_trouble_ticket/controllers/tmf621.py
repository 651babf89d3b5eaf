from odoo import http

from odoo.addons.telecom_bss_connector.controllers.common import (
    TMF_ROUTE_OPTIONS,
    TelecomApiController,
    api_endpoint,
)

from ..models.telecom_api import SCOPE_TMF621, TICKET_PATH

# the path of the issue and the spec's basePath (/tmf-api/troubleTicket/v4/)
TICKET_ROUTES = [TICKET_PATH, "/tmf-api/troubleTicket/v4/troubleTicket"]


class Tmf621TroubleTicketController(TelecomApiController):
    """TMF621 Trouble Ticket v4 on helpdesk tickets: create, list, read, update."""

    @http.route(TICKET_ROUTES, **TMF_ROUTE_OPTIONS)
    @api_endpoint(SCOPE_TMF621, ("GET", "POST"))
    def tickets(self, **params):
        return self._tmf_collection(
            "helpdesk.ticket",
            "TroubleTicket_Create",
            "_api_tmf_create",
            "_api_tmf_search",
        )

    @http.route(
        [route + "/<string:ticket_id>" for route in TICKET_ROUTES], **TMF_ROUTE_OPTIONS
    )
    @api_endpoint(SCOPE_TMF621, ("GET", "PATCH"))
    def ticket(self, ticket_id, **params):
        return self._tmf_resource(
            "helpdesk.ticket", ticket_id, "TroubleTicket_Update", "_api_tmf_update"
        )
