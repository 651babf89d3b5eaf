"""The subscriber-facing JSON API (the operator's mobile app and chat-bot).

Thin: method check, authentication and rate limit, body and query parsing,
then ONE ``telecom.subscriber.api._api_*`` method run as the calling portal
user. Every refusal is a JSON error body with a code (400/401/403/404/405/409/
413/415/429); a 500 is only for a real server bug, and is logged.

Other addons add routes (balance, tickets, incident notices) by subclassing
:class:`SubscriberApiController` and decorating their handlers with
:func:`subscriber_endpoint`, and document them by extending
``telecom.subscriber.api._api_openapi_paths``.
"""

import functools
import re

from odoo import http
from odoo.http import request

from ..tools.subscriber_api import (
    API_BASE,
    DEFAULT_LIMIT,
    MAX_BODY_BYTES,
    MAX_LIMIT,
    ApiError,
)
from .api_boundary import (
    answer_errors,
    base_url,
    check_method,
    json_response,
    read_json_object,
)

INTEGER = re.compile(r"[0-9]{1,9}")


def _api():
    return request.env["telecom.subscriber.api"]


def subscriber_endpoint(methods):
    """Wrap a handler: method check, the portal user's credentials, the rate
    limit, and every error as a JSON body."""

    def decorator(handler):
        @functools.wraps(handler)
        def wrapper(self, *args, **kwargs):
            def call():
                check_method(methods)
                user = _api()._api_authenticate(
                    request.httprequest.headers.get("Authorization"),
                    request.session.uid,
                )
                request.update_env(
                    user=user.id, context=dict(request.env.context, lang=user.lang)
                )
                _api()._api_check_rate(user)
                with request.env.cr.savepoint():
                    return handler(self, *args, **kwargs)

            return answer_errors(
                call,
                "subscriber API",
                forbidden=request.env._(
                    "Only the account holder of the line can do this."
                ),
                conflict=request.env._("The line is being changed; send it again."),
                not_found=lambda: _api()._api_not_found(),
            )

        return wrapper

    return decorator


def read_json_body():
    """The call's JSON object, or a 400/413/415 error.

    JSON only: a browser cannot send it across sites without a CORS preflight,
    which this API never grants, so the session of the app's web view cannot be
    used by another site's form (CSRF).
    """
    if request.httprequest.mimetype != "application/json":
        raise ApiError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            request.env._("Unsupported media type"),
            request.env._("Send the body as application/json."),
        )
    return read_json_object(MAX_BODY_BYTES)


def query_int(name, default, maximum):
    """An integer query parameter between 0 and ``maximum``, else a 400 (an
    empty one too: only an absent parameter takes the default)."""
    value = request.httprequest.args.get(name)
    if value is None:
        return default
    if not INTEGER.fullmatch(value) or int(value) > maximum:
        raise ApiError(
            400,
            "INVALID_QUERY",
            request.env._("Invalid query parameter"),
            request.env._(
                "%(name)s must be an integer from 0 to %(maximum)s.",
                name=name,
                maximum=maximum,
            ),
        )
    return int(value)


# options of every route: credentials checked by the endpoint, no session
# written, no CSRF token (JSON bodies only, see read_json_body). Not read-only
# even for GETs: every call writes its rate counter.
ROUTE_OPTIONS = {
    "type": "http",
    "auth": "none",
    "csrf": False,
    "save_session": False,
    "readonly": False,
}


class SubscriberApiController(http.Controller):
    """Routes of the subscriber API (other addons subclass it for theirs)."""

    def _page(self):
        return (
            query_int("offset", 0, 10**9),
            query_int("limit", DEFAULT_LIMIT, MAX_LIMIT),
        )

    def _list_response(self, items, total):
        return json_response(
            items,
            headers={"X-Total-Count": str(total), "X-Result-Count": str(len(items))},
        )

    @http.route(
        f"{API_BASE}/openapi.json",
        type="http",
        auth="none",
        methods=["GET"],
        save_session=False,
        readonly=True,
    )
    def subscriber_api_openapi(self):
        """The OpenAPI 3 document (public: it holds no data)."""
        return json_response(_api().sudo()._api_openapi_document(base_url()))

    @http.route(f"{API_BASE}/customer", **ROUTE_OPTIONS)
    @subscriber_endpoint(("GET",))
    def subscriber_api_customer(self, **params):
        return json_response(_api()._api_customer(base_url()))

    @http.route(f"{API_BASE}/product", **ROUTE_OPTIONS)
    @subscriber_endpoint(("GET",))
    def subscriber_api_products(self, **params):
        offset, limit = self._page()
        status = [
            value
            for value in request.httprequest.args.get("status", "").split(",")
            if value
        ]
        items, total = _api()._api_lines(base_url(), status, offset, limit)
        return self._list_response(items, total)

    @http.route(f"{API_BASE}/product/<string:line_id>", **ROUTE_OPTIONS)
    @subscriber_endpoint(("GET",))
    def subscriber_api_product(self, line_id, **params):
        Api = _api()
        line = Api._api_line(line_id)
        held = Api._api_held_lines(line)
        return json_response(Api._api_product_dict(line, base_url(), bool(held)))

    @http.route(f"{API_BASE}/product/<string:line_id>/tariffOffer", **ROUTE_OPTIONS)
    @subscriber_endpoint(("GET",))
    def subscriber_api_tariff_offers(self, line_id, **params):
        Api = _api()
        return json_response(Api._api_tariff_offers(Api._api_line(line_id)))

    @http.route(f"{API_BASE}/usage", **ROUTE_OPTIONS)
    @subscriber_endpoint(("GET",))
    def subscriber_api_usage(self, **params):
        offset, limit = self._page()
        items, total = _api()._api_usages(
            base_url(), request.httprequest.args.get("product.id"), offset, limit
        )
        return self._list_response(items, total)

    @http.route(f"{API_BASE}/request", **ROUTE_OPTIONS)
    @subscriber_endpoint(("GET", "POST"))
    def subscriber_api_requests(self, **params):
        Api = _api()
        if request.httprequest.method == "POST":
            new_request = Api._api_create_request(read_json_body())
            return json_response(
                Api._api_request_dict(new_request, base_url()), status=201
            )
        offset, limit = self._page()
        items, total = Api._api_requests(base_url(), offset, limit)
        return self._list_response(items, total)

    @http.route(f"{API_BASE}/request/<string:request_id>", **ROUTE_OPTIONS)
    @subscriber_endpoint(("GET",))
    def subscriber_api_request(self, request_id, **params):
        Api = _api()
        return json_response(
            Api._api_request_dict(Api._api_request(request_id), base_url())
        )
