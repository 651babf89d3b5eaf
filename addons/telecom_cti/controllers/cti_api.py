"""The connector's API: one token per exchange, JSON in and out.

Thin: authenticate the exchange by its token, parse the body, call one method of
``telecom.pbx`` as the exchange's integration user.
"""

from odoo import http
from odoo.http import request

from odoo.addons.telecom_subscriber.controllers.api_boundary import (
    answer_errors,
    json_response,
    read_json_object,
)
from odoo.addons.telecom_subscriber.tools.subscriber_api import ApiError

MAX_BODY_BYTES = 4 * 1024 * 1024
ROUTE = {
    "type": "http",
    "auth": "none",
    "csrf": False,
    "save_session": False,
    "readonly": False,
}


def _not_found():
    return ApiError(404, "NOT_FOUND", request.env._("Not found"))


def _bearer_token():
    header = request.httprequest.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class TelecomCtiApi(http.Controller):
    @http.route("/telecom_cti/config", methods=["GET"], **ROUTE)
    def config(self):
        return self._answer(lambda pbx: {"pbx": pbx._api_config()})

    @http.route("/telecom_cti/events", methods=["POST"], **ROUTE)
    def events(self):
        def receive(pbx):
            payload = read_json_object(MAX_BODY_BYTES)
            events = payload.get("events")
            if not isinstance(events, list) or not all(
                isinstance(event, dict) for event in events
            ):
                raise ApiError(
                    400,
                    "INVALID_BODY",
                    request.env._("Invalid request body"),
                    request.env._("'events' must be a list of objects."),
                )
            return pbx._api_receive_events(events)

        return self._answer(receive)

    @http.route("/telecom_cti/originates/claim", methods=["POST"], **ROUTE)
    def claim_originates(self):
        return self._answer(lambda pbx: {"originates": pbx._api_claim_originates()})

    def _answer(self, handler):
        def call():
            pbx = request.env["telecom.pbx"]._api_authenticate(_bearer_token())
            if not pbx:
                raise ApiError(
                    401,
                    "UNAUTHORIZED",
                    request.env._("Invalid token"),
                    request.env._("Send the exchange's token as a Bearer token."),
                    headers={"WWW-Authenticate": "Bearer"},
                )
            request.update_env(user=pbx.user_id.id)
            return json_response(handler(pbx.with_user(pbx.user_id)))

        return answer_errors(
            call,
            "CTI API",
            forbidden=request.env._("The exchange's user may not do this."),
            conflict=request.env._(
                "The same call is being written by another request; send it again."
            ),
            not_found=_not_found,
        )
