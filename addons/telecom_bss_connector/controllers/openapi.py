from odoo import http
from odoo.http import request

from .common import base_url, json_response


class OpenApiController(http.Controller):
    """The OpenAPI 3 document of what the CRM serves (public, no data in it)."""

    @http.route(
        "/telecom/api/openapi.json",
        type="http",
        auth="none",
        methods=["GET"],
        save_session=False,
    )
    def openapi(self):
        return json_response(
            request.env["telecom.api"]._api_openapi_document(base_url())
        )
