"""Plain request/response objects and a tiny router (no framework needed)."""

import json
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from .errors import ApiError, bad_request

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"

# route kinds: business routes get the knobs and are counted; plain routes (health,
# WSDL) are counted without knobs; admin routes neither
BUSINESS = "business"
PLAIN = "plain"
ADMIN = "admin"


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: object  # email.message.Message: case-insensitive .get()
    body: bytes = b""
    params: dict = field(default_factory=dict)

    def json(self, default=None):
        """The body parsed as JSON (``default`` when empty); 400 when broken."""
        if not self.body.strip():
            return default
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as error:
            raise bad_request(f"the body is not valid JSON: {error}") from error

    def json_object(self):
        """The body as a JSON object ({} when empty); 400 otherwise."""
        data = self.json(default={})
        if not isinstance(data, dict):
            raise bad_request("the body must be a JSON object")
        return data

    def query_int(self, name, default, maximum):
        raw = self.query.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError as error:
            raise bad_request(f"{name} must be an integer") from error
        if not 0 < value <= maximum:
            raise bad_request(f"{name} must be between 1 and {maximum}")
        return value


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: dict = field(default_factory=dict)
    reset_connection: bool = False  # drop the TCP connection instead of answering


def json_response(status, data, headers=None):
    body = json.dumps(data, ensure_ascii=False).encode()
    return Response(status, body, JSON_TYPE, dict(headers or {}))


def error_response(status, code, message, headers=None, **extra):
    return json_response(status, {"code": code, "message": message, **extra}, headers)


@dataclass
class Route:
    method: str
    template: str  # e.g. /api/v1/accounts/{account}
    handler: object  # callable(request) -> Response
    kind: str = BUSINESS
    auth: str | None = None  # "bearer", "basic" or None
    protocol: str = "json"  # how errors are rendered: "json" or "soap"
    pattern: re.Pattern = field(init=False)

    def __post_init__(self):
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template)
        self.pattern = re.compile(f"^{regex}$")

    @property
    def name(self):
        """How the call counters name this endpoint: 'GET /api/v1/orders/{id}'."""
        return f"{self.method} {self.template}"


class Router:
    def __init__(self):
        self.routes = []

    def add(self, method, template, handler, **options):
        self.routes.append(Route(method, template, handler, **options))

    def match(self, method, path):
        """(route, path parameters) or ApiError 404/405."""
        allowed = []
        for route in self.routes:
            found = route.pattern.match(path)
            if not found:
                continue
            if route.method == method:
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
            allowed.append(route.method)
        if allowed:
            raise ApiError(
                405,
                "METHOD_NOT_ALLOWED",
                f"{method} is not allowed on {path}",
                {"Allow": ", ".join(sorted(set(allowed)))},
            )
        raise ApiError(404, "NOT_FOUND", f"no endpoint at {path}")
