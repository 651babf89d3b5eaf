"""The boundary every inbound JSON API of the suite shares.

The subscriber API here and the TM Forum APIs of ``telecom_bss_connector``
answer the same way: a method check, then the handler, and every exception as
a JSON error body with a fixed sentence (the texts of Odoo's exceptions can
name other people's records); a 500 only for a real server bug, logged. Each
API gives its own sentences where they differ (who may not do what, what is
being written concurrently) and its own 404.
"""

import json
import logging

import psycopg2

from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from ..tools.subscriber_api import ApiError

_logger = logging.getLogger(__name__)


def json_response(data, status=200, headers=None):
    return request.make_json_response(data, status=status, headers=headers or {})


def error_response(error):
    return json_response(error.body(), status=error.status, headers=error.headers)


def base_url():
    return request.httprequest.host_url.rstrip("/")


def check_method(methods):
    """A 405 with the ``Allow`` header unless the request uses one of ``methods``."""
    if request.httprequest.method not in methods:
        raise ApiError(
            405,
            "METHOD_NOT_ALLOWED",
            request.env._("Method not allowed"),
            request.env._("Use %(methods)s.", methods=", ".join(methods)),
            headers={"Allow": ", ".join(methods)},
        )


def answer_errors(call, api_name, forbidden, conflict, not_found):
    """``call()``'s response, or the JSON error body of what it raised.

    ``forbidden`` and ``conflict`` are the sentences of a 403 and a 409,
    ``not_found()`` makes the API's 404; ``api_name`` names the API in the log
    of a 500.
    """
    try:
        return call()
    except ApiError as error:
        return error_response(error)
    except (psycopg2.errors.ReadOnlySqlTransaction, psycopg2.OperationalError):
        raise  # Odoo retries the request (read/write cursor, concurrency)
    except AccessError:
        return _fixed_error(403, "FORBIDDEN", request.env._("Forbidden"), forbidden)
    except MissingError:
        return error_response(not_found())
    except (UserError, ValidationError) as error:
        # a sentence written for the user: why the request is refused
        message = error.args[0] if error.args else ""
        return _fixed_error(
            400, "REQUEST_REFUSED", request.env._("Request refused"), message
        )
    except psycopg2.IntegrityError:
        return _fixed_error(409, "CONFLICT", request.env._("Conflict"), conflict)
    except Exception:
        _logger.exception("%s %s failed", api_name, request.httprequest.path)
        return _fixed_error(
            500,
            "INTERNAL_ERROR",
            request.env._("Internal error"),
            request.env._("The error was logged."),
        )


def _fixed_error(status, code, reason, message):
    return error_response(ApiError(status, code, reason, message))


def read_json_object(max_bytes):
    """The request body as a JSON object, or a 400/413 error."""
    env = request.env
    length = request.httprequest.content_length
    too_large = bool(length and length > max_bytes)
    raw = b"" if too_large else request.httprequest.get_data(cache=False)
    if too_large or len(raw) > max_bytes:
        raise ApiError(
            413,
            "PAYLOAD_TOO_LARGE",
            env._("Payload too large"),
            env._("At most %(size)s bytes.", size=max_bytes),
        )
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ApiError(
            400,
            "INVALID_JSON",
            env._("Malformed JSON"),
            env._("The body is not valid UTF-8 JSON."),
        ) from error
    if not isinstance(payload, dict):
        raise ApiError(
            400,
            "INVALID_BODY",
            env._("Invalid request body"),
            env._("The body must be a JSON object."),
        )
    return payload
