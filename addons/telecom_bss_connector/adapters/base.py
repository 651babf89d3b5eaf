"""What every adapter shares: its errors, the call journal, time-outs, size caps.

Adapters are plain Python: they are built from a *config dict* (never an Odoo
record), return plain dicts and lists, and raise only the exceptions below. Models
never see a ``requests`` or ``zeep`` object.
"""

import contextlib
import hashlib
import json
import os
import tempfile
import threading
import time

import requests

DEFAULT_MAX_RESPONSE_BYTES = 2 * 1024 * 1024
CHUNK_SIZE = 64 * 1024
# an HTTP session (and its kept-alive connections) serves the calls of one thread
# to one system for this long, then a new one is made
SESSION_CACHE_SECONDS = 600
# what a session is made of: a change of any of them makes a new session
SESSION_CONFIG_KEYS = (
    "url",
    "auth_type",
    "username",
    "password",
    "token",
    "api_key",
    "api_key_header",
    "client_cert",
    "client_key",
    "verify_tls",
)

# outcomes journaled for each call (telecom.backend.call)
OUTCOME_OK = "ok"
OUTCOME_ERROR = "error"
OUTCOME_TIMEOUT = "timeout"
OUTCOME_REJECTED = "rejected"
OUTCOME_PARSE_ERROR = "parse_error"


class BssError(Exception):
    """Base of the adapter errors: a message for people, the HTTP status if any."""

    outcome = OUTCOME_ERROR
    retryable = False

    def __init__(self, message, http_status=None, code=None):
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.code = code


class TransportError(BssError):
    """The peer could not be reached or failed (5xx, connection, auth): retry."""

    retryable = True


class CallTimeout(TransportError):
    """The peer did not answer within the time-out."""

    outcome = OUTCOME_TIMEOUT


class CircuitOpenError(TransportError):
    """The circuit breaker is open: the call was not even tried."""


class RejectedError(BssError):
    """A functional refusal (unknown tariff, line blocked…): never retried."""

    outcome = OUTCOME_REJECTED


class NotFoundError(RejectedError):
    """The peer does not know the object (unknown account, order…)."""


class ProtocolError(BssError):
    """Malformed, oversized or dangerous answer: refused, counted as a failure."""

    outcome = OUTCOME_PARSE_ERROR
    retryable = True


class NotSupportedError(BssError):
    """The adapter's protocol has no such operation."""


class BaseAdapter:
    """Shared plumbing: session, auth, time-outs, size cap, call journal.

    The HTTP session is kept per thread and configuration
    (``SESSION_CACHE_SECONDS``): successive calls of a thread to the same system
    reuse its kept-alive connections instead of a TCP (and TLS) handshake each.

    ``config`` keys: ``url``, ``auth_type`` (none, basic, token, api_key,
    client_cert), ``username``, ``password``, ``token``, ``api_key``,
    ``api_key_header``, ``client_cert`` and ``client_key`` (PEM text),
    ``connect_timeout``, ``read_timeout``, ``total_timeout`` (seconds),
    ``max_response_bytes``, ``verify_tls``.
    After each call ``last_http_status`` holds the HTTP status (None if no
    answer); errors carry theirs and an ``outcome`` for the call journal.
    """

    def __init__(self, config):
        self.config = dict(config)
        self.last_http_status = None
        self.base_url = (config.get("url") or "").rstrip("/")
        self.connect_timeout = float(config.get("connect_timeout") or 3.0)
        self.read_timeout = float(config.get("read_timeout") or 10.0)
        self.total_timeout = float(
            config.get("total_timeout") or self.connect_timeout + self.read_timeout
        )
        self.max_response_bytes = int(
            config.get("max_response_bytes") or DEFAULT_MAX_RESPONSE_BYTES
        )
        self._cert_dir = None
        self._session = None

    _sessions = threading.local()

    @property
    def session(self):
        """The HTTP session of this thread for this configuration (kept alive)."""
        if self._session is None:
            self._session = self._pooled_session()
        return self._session

    def _pooled_session(self):
        entries = self._sessions.__dict__.setdefault("entries", {})
        now = time.monotonic()
        for key in [key for key, entry in entries.items() if entry["expires"] <= now]:
            self._drop_session(entries.pop(key))
        key = self._config_key(SESSION_CONFIG_KEYS)
        entry = entries.get(key)
        if entry is None:
            session = self._make_session()
            # the pool owns the session and its certificate files from now on
            entry = entries[key] = {
                "session": session,
                "cert_dir": self._cert_dir,
                "expires": now + SESSION_CACHE_SECONDS,
            }
            self._cert_dir = None
        return entry["session"]

    @staticmethod
    def _drop_session(entry):
        entry["session"].close()
        if entry["cert_dir"]:
            entry["cert_dir"].cleanup()

    def _config_key(self, keys):
        """A digest of the ``keys`` of the config (secrets never kept in clear)."""
        relevant = {key: self.config.get(key) for key in keys}
        return hashlib.sha256(
            json.dumps(relevant, sort_keys=True, default=str).encode()
        ).hexdigest()

    # ------------------------------------------------------------------
    # lifecycle
    # ------------------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        # the session stays in the thread's pool, its connections kept alive
        self._session = None
        if self._cert_dir:
            self._cert_dir.cleanup()
            self._cert_dir = None

    def _make_session(self):
        session = requests.Session()
        session.verify = self.config.get("verify_tls", True)
        auth_type = self.config.get("auth_type") or "none"
        if auth_type == "basic":
            session.auth = (
                self.config.get("username") or "",
                self.config.get("password") or "",
            )
        elif auth_type == "token":
            session.headers["Authorization"] = f"Bearer {self.config.get('token')}"
        elif auth_type == "api_key":
            header = self.config.get("api_key_header") or "X-API-Key"
            session.headers[header] = self.config.get("api_key") or ""
        elif auth_type == "client_cert":
            session.cert = self._write_client_cert()
        return session

    def _write_client_cert(self):
        """requests wants file paths: write the PEM to a private temporary dir."""
        self._cert_dir = tempfile.TemporaryDirectory(prefix="telecom_bss_")
        paths = []
        for name in ("client_cert", "client_key"):
            path = os.path.join(self._cert_dir.name, f"{name}.pem")
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(self.config.get(name) or "")
            paths.append(path)
        return tuple(paths)

    @property
    def timeout(self):
        return (self.connect_timeout, self.read_timeout)

    # ------------------------------------------------------------------
    # call status
    # ------------------------------------------------------------------
    @contextlib.contextmanager
    def _journal(self, operation):
        """Remember the HTTP status of the call (``last_http_status``)."""
        self.last_http_status = None
        record = {"operation": operation, "http_status": None}
        try:
            yield record
        finally:
            self.last_http_status = record["http_status"]

    # ------------------------------------------------------------------
    # HTTP helpers
    # ------------------------------------------------------------------
    def _read_capped(self, response, deadline):
        """Read the body, refusing more than max_response_bytes or the deadline."""
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_response_bytes:
            response.close()
            raise ProtocolError(
                f"answer of {int(declared)} bytes refused "
                f"(limit {self.max_response_bytes})",
                http_status=response.status_code,
            )
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(CHUNK_SIZE):
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise ProtocolError(
                        f"answer larger than {self.max_response_bytes} bytes refused",
                        http_status=response.status_code,
                    )
                if time.monotonic() > deadline:
                    raise CallTimeout(
                        f"answer not complete within {self.total_timeout:g} s",
                        http_status=response.status_code,
                    )
                chunks.append(chunk)
        except requests.exceptions.RequestException as error:
            raise self._transport_error(error) from error
        finally:
            response.close()
        return b"".join(chunks)

    def _transport_error(self, error):
        if isinstance(error, requests.exceptions.Timeout | TimeoutError):
            return CallTimeout(
                f"no answer within {self.read_timeout:g} s "
                f"(connect {self.connect_timeout:g} s)"
            )
        if isinstance(error, requests.exceptions.SSLError):
            return TransportError(f"TLS error: {error}")
        if isinstance(error, requests.exceptions.ConnectionError):
            return TransportError("connection refused or reset")
        return TransportError(f"transport error: {error.__class__.__name__}")

    @staticmethod
    def _parse_json(body, http_status=None):
        try:
            return json.loads(body or b"null")
        except (ValueError, UnicodeDecodeError) as error:
            raise ProtocolError(
                "malformed JSON answer", http_status=http_status
            ) from error

    # ------------------------------------------------------------------
    # the operations (plain data in, plain data out)
    # ------------------------------------------------------------------
    def health(self):
        raise NotSupportedError("health check not supported")

    def get_account(self, account):
        raise NotSupportedError("account reading not supported")

    def get_charges(self, account, limit=20):
        raise NotSupportedError("charges reading not supported")

    def get_usage(self, account, limit=50):
        raise NotSupportedError("usage reading not supported")

    def get_monthly_usage(self, account, months=6):
        raise NotSupportedError("monthly usage reading not supported")

    def submit_order(self, idempotency_key, operation, account, msisdn, payload):
        raise NotSupportedError("orders not supported")

    def get_order(self, order_id):
        raise NotSupportedError("order reading not supported")

    def post_adjustment(
        self, idempotency_key, account, amount, currency, reason, period=None
    ):
        """Credit ``amount`` to ``account``; ``idempotency_key`` is the external
        reference billing applies once (a replay answers the same adjustment)."""
        raise NotSupportedError("adjustments not supported")

    def list_offers(self):
        raise NotSupportedError("catalog reading not supported")


class RateLimiter:
    """Per-process token bucket per backend: ``acquire`` waits at most ``wait``."""

    _buckets = {}
    _lock = threading.Lock()

    @classmethod
    def acquire(cls, key, rate, wait=1.0):
        """Take one token of ``key`` (``rate`` per second); False if none in time."""
        if not rate or rate <= 0:
            return True
        deadline = time.monotonic() + wait
        while True:
            with cls._lock:
                now = time.monotonic()
                tokens, last = cls._buckets.get(key, (rate, now))
                tokens = min(rate, tokens + (now - last) * rate)
                if tokens >= 1:
                    cls._buckets[key] = (tokens - 1, now)
                    return True
                cls._buckets[key] = (tokens, now)
                missing = (1 - tokens) / rate
            if now + missing > deadline:
                return False
            time.sleep(missing)
