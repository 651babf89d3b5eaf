"""Exceptions the handlers raise; the application turns them into answers."""


class ApiError(Exception):
    """A request the simulator refuses: HTTP ``status`` with a ``code``."""

    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class Rejected(Exception):
    """A functional refusal of billing (unknown tariff, line blocked for debt…).

    ``reason`` is a stable machine code (UNKNOWN_TARIFF, DEBT_BLOCKED…), ``message``
    the text billing shows to the operator (in Russian, as a Russian billing would).
    """

    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason
        self.message = message


def bad_request(message):
    return ApiError(400, "BAD_REQUEST", message)


def not_found(message):
    return ApiError(404, "NOT_FOUND", message)
