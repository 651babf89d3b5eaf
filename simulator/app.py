"""The application: routes a Request to its handler through auth and the knobs."""

import base64
import binascii
import hmac
import logging

from . import soap
from .admin import AdminApi
from .errors import ApiError
from .faults import FaultInjector, unavailable_json
from .rest import RestApi
from .soap import SoapApi
from .telegram import TelegramApi
from .web import ADMIN, BUSINESS, Router, error_response

_logger = logging.getLogger("simulator")


class Credentials:
    """REST bearer tokens and the SOAP endpoint's HTTP Basic user/password."""

    def __init__(self, tokens, soap_user, soap_password):
        self.tokens = [token for token in tokens if token]
        self.soap_user = soap_user
        self.soap_password = soap_password

    def check(self, scheme, authorization):
        """Raise 401 unless the Authorization header satisfies ``scheme``."""
        if scheme == "bearer" and self._bearer_ok(authorization):
            return
        if scheme == "basic" and self._basic_ok(authorization):
            return
        challenge = (
            'Bearer realm="billing"' if scheme == "bearer" else 'Basic realm="billing"'
        )
        raise ApiError(
            401,
            "UNAUTHORIZED",
            "missing or wrong credentials",
            {"WWW-Authenticate": challenge},
        )

    def _bearer_ok(self, authorization):
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        return any(_same(token.strip(), known) for known in self.tokens)

    def _basic_ok(self, authorization):
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, _, password = decoded.partition(":")
        return _same(user, self.soap_user) & _same(password, self.soap_password)


def _same(given, expected):
    return hmac.compare_digest(given.encode(), expected.encode())


class Simulator:
    def __init__(self, state, credentials, rng=None, telegram_tokens=None):
        self.state = state
        self.credentials = credentials
        self.faults = FaultInjector(state.count_injected, rng)
        self.router = Router()
        RestApi(state).register(self.router)
        SoapApi(state).register(self.router)
        self.telegram = TelegramApi(telegram_tokens)
        self.telegram.register(self.router)
        self.admin = AdminApi(state, self.faults)
        self.admin.telegram = self.telegram
        self.admin.register(self.router)

    def handle(self, request):
        try:
            route, request.params = self.router.match(request.method, request.path)
        except ApiError as error:
            return _render(None, error)
        if route.kind != ADMIN:
            self.state.count_call(route.name)
        if route.kind != BUSINESS:
            return self._call(route, request)
        knobs = self.faults.knobs
        self.faults.wait(knobs)
        render_unavailable = (
            soap.unavailable if route.protocol == "soap" else unavailable_json
        )
        refusal = self.faults.refusal(knobs, render_unavailable)
        if refusal:
            return refusal
        return self.faults.spoil(knobs, self._call(route, request), route.protocol)

    def _call(self, route, request):
        try:
            if route.auth:
                self.credentials.check(
                    route.auth, request.headers.get("Authorization") or ""
                )
            return route.handler(request)
        except ApiError as error:
            return _render(route, error)
        except Exception:  # a bug of ours: log it, answer 500, keep serving
            _logger.exception("%s %s failed", request.method, request.path)
            return _render(route, ApiError(500, "INTERNAL", "internal simulator error"))


def _render(route, error):
    if route and route.protocol == "soap":
        return soap.api_error_response(error)
    return error_response(error.status, error.code, error.message, error.headers)
