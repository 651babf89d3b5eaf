"""Plain helpers of the subscriber API: its error, its constants, id parsing.

No ORM here: the model ``telecom.subscriber.api`` and the controller use them.
"""

# where the API lives; every resource path is below it
API_BASE = "/telecom/api/subscriber/v1"
# the scope of the API keys made for the app (a key without a scope, a user's
# personal key, is accepted too, as Odoo's own ``auth="bearer"`` does)
API_SCOPE = "telecom.subscriber_api"
# rate limit defaults (system parameters override them)
RATE_LIMIT_PARAM = "telecom_subscriber.api_rate_limit"
RATE_PERIOD_PARAM = "telecom_subscriber.api_rate_period"
DEFAULT_RATE_LIMIT = 60
DEFAULT_RATE_PERIOD = 60
# paging of the lists
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_BODY_BYTES = 64 * 1024
MAX_TEXT = 2000


class ApiError(Exception):
    """An answer to send as a JSON error body: status, code, reason, message.

    The body has the TM Forum error shape the other APIs of the suite use.
    """

    def __init__(self, status, code, reason, message="", headers=None):
        super().__init__(message or reason)
        self.status = status
        self.code = code
        self.reason = reason
        self.message = message
        self.headers = headers or {}

    def body(self):
        return {
            "code": self.code,
            "reason": self.reason,
            "message": self.message,
            "status": str(self.status),
            "@type": "Error",
        }


def parse_id(value):
    """The database id written in ``value``, or None.

    ASCII digits only (``7²`` passes ``str.isdigit()`` but not ``int()``), and
    small enough for PostgreSQL's integer.
    """
    value = str(value)
    if value.isascii() and value.isdigit() and len(value) < 10:
        number = int(value)
        return number or None
    return None


def json_date(value):
    """A date as the ISO 8601 date-time TM Forum uses (midnight UTC), or None."""
    return f"{value.isoformat()}T00:00:00Z" if value else None


def json_datetime(value):
    """A naive UTC datetime (Odoo's) as an ISO 8601 date-time, or None."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def compact(values):
    """``values`` without its None entries (absent rather than null in JSON)."""
    return {key: value for key, value in values.items() if value is not None}
