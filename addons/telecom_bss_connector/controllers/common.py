"""The boundary of the inbound APIs: key check, body parsing, TMF error bodies.

Controllers stay thin: parse, check, call ONE model method as the integration
user. Whatever goes wrong below is answered with a TMF error body; a 500 is
only for a real server bug (and is logged).
"""

import functools
import re

from odoo import http
from odoo.http import request

from odoo.addons.telecom_subscriber.controllers.api_boundary import (
    answer_errors,
    base_url,
    check_method,
    json_response,
    read_json_object,
)

from ..models.telecom_api import MAX_LIMIT
from ..tools.api_schema import ApiError, parse_id

MAX_BODY_BYTES = 1024 * 1024
MAX_QUERY_INT = 10**9
INTEGER = re.compile(r"[+-]?[0-9]{1,100}")


def not_found():
    """The one 404 of every TMF route: a hidden record answers as a missing one."""
    return ApiError(
        404,
        "NOT_FOUND",
        request.env._("Not found"),
        request.env._("No such resource."),
    )


def get_record(model, record_id):
    """The record ``record_id`` the current user may read, else a 404 TMF error.

    ``search`` applies the record rules: a record of another company or zone
    is as absent as a deleted one (``browse().exists()`` would find it).
    """
    number = parse_id(record_id)
    record = model.search([("id", "=", number)]) if number else model.browse()
    if not record:
        raise not_found()
    return record


def api_endpoint(scope, methods):
    """Wrap a handler: method check, API key of ``scope``, errors as TMF bodies."""

    def decorator(handler):
        @functools.wraps(handler)
        def wrapper(self, *args, **kwargs):
            def call():
                check_method(methods)
                with request.env.cr.savepoint():
                    user = request.env["telecom.api"]._api_authenticate(
                        scope, request.httprequest.headers.get("X-API-Key")
                    )
                    request.update_env(user=user.id)
                    return handler(self, *args, **kwargs)

            return answer_errors(
                call,
                "inbound API",
                forbidden=request.env._("The integration user may not do this."),
                conflict=request.env._(
                    "The same object is being written by another request; "
                    "send it again."
                ),
                not_found=not_found,
            )

        return wrapper

    return decorator


def read_json_body():
    """The request's JSON object, or a 400/413 TMF error."""
    payload = read_json_object(MAX_BODY_BYTES)
    if _has_nul(payload):
        raise ApiError(
            400,
            "INVALID_BODY",
            request.env._("Invalid request body"),
            request.env._("Texts must not contain the NUL character (U+0000)."),
        )
    return payload


def _has_nul(value):
    """Whether a NUL character is in a string (or a key) of ``value``.

    PostgreSQL stores no NUL in text nor in jsonb: such a body must be refused
    here, not fail in the database.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def query_int(name, default, maximum=None):
    """An integer query parameter, clamped to 0..``maximum`` (TMF paging).

    The specifications type ``offset`` and ``limit`` as plain integers: a
    negative or huge one is clamped, not refused. ASCII digits only (``7²``
    passes ``str.isdigit()`` but not ``int()``).
    """
    value = request.httprequest.args.get(name)
    if value in (None, ""):
        return default
    if not INTEGER.fullmatch(value):
        raise ApiError(
            400,
            "INVALID_QUERY",
            request.env._("Invalid query parameter"),
            request.env._("%(name)s must be an integer.", name=name),
        )
    return max(0, min(int(value), maximum or MAX_QUERY_INT))


def read_only_on_get(controller):
    """Route ``readonly`` callable: GETs use a read-only cursor, writes do not."""
    return request.httprequest.method == "GET"


# options of every TMF route: API-key authentication, no session, no CSRF token
TMF_ROUTE_OPTIONS = {
    "type": "http",
    "auth": "none",
    "csrf": False,
    "save_session": False,
    "readonly": read_only_on_get,
}


class TelecomApiController(http.Controller):
    """Base of the inbound API controllers (other addons subclass it)."""

    def _fields_filter(self):
        """The attributes asked for with ``?fields=a,b`` (TMF attribute selection)."""
        value = request.httprequest.args.get("fields")
        if not value:
            return None
        return [name.strip() for name in value.split(",") if name.strip()]

    def _page(self):
        """``offset`` and ``limit`` of a TMF list request."""
        return query_int("offset", 0), query_int("limit", 100, maximum=MAX_LIMIT)

    def _tmf_collection(self, model_name, create_schema, create_method, search_method):
        """A TMF collection route: POST creates a resource (201), GET lists a page.

        ``create_method(payload)`` and ``search_method(args, offset=, limit=)``
        are the model's ``_api_*`` methods, called as the integration user.
        """
        Model = request.env[model_name]
        if request.httprequest.method == "POST":
            payload = read_json_body()
            request.env["telecom.api"]._api_validate(create_schema, payload)
            record = getattr(Model, create_method)(payload)
            return json_response(record._tmf_dict(base_url()), status=201)
        offset, limit = self._page()
        records, total = getattr(Model, search_method)(
            request.httprequest.args, offset=offset, limit=limit
        )
        return self._list_response(records, total)

    def _tmf_resource(self, model_name, record_id, update_schema, update_method):
        """A TMF resource route: GET reads it, PATCH updates it (then reads it).

        ``update_method(payload)`` is the record's ``_api_*`` update method.
        """
        record = get_record(request.env[model_name], record_id)
        if request.httprequest.method == "PATCH":
            payload = read_json_body()
            request.env["telecom.api"]._api_validate(update_schema, payload)
            getattr(record, update_method)(payload)
        return json_response(record._tmf_dict(base_url(), self._fields_filter()))

    def _list_response(self, records, total):
        """A TMF list: the resources, with the total and page counts in headers."""
        fields_filter = self._fields_filter()
        return json_response(
            [record._tmf_dict(base_url(), fields_filter) for record in records],
            headers={"X-Total-Count": str(total), "X-Result-Count": str(len(records))},
        )
