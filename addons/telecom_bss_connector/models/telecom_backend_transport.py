import time

from odoo import api, models

from ..adapters.base import (
    BssError,
    CallTimeout,
    CircuitOpenError,
    NotSupportedError,
    ProtocolError,
    RateLimiter,
    RejectedError,
)
from ..adapters.rest_billing import RestBillingAdapter
from ..adapters.soap_billing import SoapBillingAdapter

ADAPTERS = {"rest": RestBillingAdapter, "soap": SoapBillingAdapter}


class TelecomBackend(models.Model):
    """The one door to the external system: adapter, time-outs, journal."""

    _inherit = "telecom.backend"

    def _bss_call(
        self, operation, *args, live=False, deadline=None, journal=None, **kwargs
    ):
        """Call ``operation`` of the adapter; return its plain data.

        Raises the adapter errors (``TransportError``, ``RejectedError``,
        ``ProtocolError``…). ``live``: interactive call with the short time-out;
        ``deadline`` (``time.monotonic()`` value): no time-out goes beyond it.
        ``journal``: a list that receives the call records instead of writing
        them now (the caller writes them with :meth:`_bss_journal`, e.g. in
        another transaction).
        """
        self.ensure_one()
        self._bss_check_circuit()
        if not RateLimiter.acquire(
            ("telecom.backend", self.env.cr.dbname, self.id),
            self.rate_limit,
            wait=0.2 if live else 1.0,
        ):
            raise CircuitOpenError(
                self.env._("Rate limit of %(name)s reached", name=self.name)
            )
        records = [] if journal is None else journal
        record = {
            "operation": operation,
            "outcome": "ok",
            "error": None,
            "http_status": None,
        }
        start = time.monotonic()
        adapter = self._bss_get_adapter(live=live, deadline=deadline)
        # a time-out we cut short for the caller's budget says nothing of billing
        normal_read = (
            min(self.read_timeout, self.live_timeout) if live else self.read_timeout
        )
        budget_cut = deadline is not None and adapter.read_timeout < normal_read
        try:
            with adapter:
                return getattr(adapter, operation)(*args, **kwargs)
        except NotSupportedError:
            record = None  # nothing was sent
            raise
        except BssError as error:
            record.update(
                outcome=error.outcome,
                error=error.message[:500],
                http_status=error.http_status,
                budget_cut=budget_cut and error.outcome == "timeout",
            )
            raise
        except Exception as error:
            record.update(outcome="error", error=error.__class__.__name__)
            raise
        finally:
            if record:
                record["duration_ms"] = int((time.monotonic() - start) * 1000)
                record["http_status"] = (
                    adapter.last_http_status or record["http_status"]
                )
                records.append(record)
            if journal is None:
                self._bss_journal(records)

    def _bss_get_adapter(self, live=False, deadline=None):
        self.ensure_one()
        adapter_class = ADAPTERS[self.protocol]
        return adapter_class(self._bss_adapter_config(live=live, deadline=deadline))

    def _bss_adapter_config(self, live=False, deadline=None):
        """The plain config dict adapters are built from (secrets included)."""
        self.ensure_one()
        # sudo: the connector reads the secrets it sends to the system; they are
        # never shown to the user nor logged
        secrets = self.sudo().read(
            ["username", "password", "token", "api_key", "client_cert", "client_key"]
        )[0]
        connect, read = self.connect_timeout, self.read_timeout
        total = connect + read
        if live:
            connect = min(connect, self.live_timeout)
            read = min(read, self.live_timeout)
            total = self.live_timeout
        if deadline:
            left = max(0.1, deadline - time.monotonic())
            connect, read, total = min(connect, left), min(read, left), min(total, left)
        return {
            "url": self.url,
            "api_prefix": self.api_prefix,
            "wsdl_path": self.wsdl_path,
            "auth_type": self.auth_type,
            "username": secrets["username"],
            "password": secrets["password"],
            "token": secrets["token"],
            "api_key": secrets["api_key"],
            "api_key_header": self.api_key_header,
            "client_cert": secrets["client_cert"],
            "client_key": secrets["client_key"],
            "verify_tls": self.verify_tls,
            "connect_timeout": connect,
            "read_timeout": read,
            "total_timeout": total,
            "max_response_bytes": self.max_response_kb * 1024,
        }

    @api.model
    def _bss_transport_message(self, error):
        """A translated explanation of an adapter error, its detail appended."""
        if isinstance(error, CircuitOpenError):
            return error.message  # already a translated sentence
        if isinstance(error, CallTimeout):
            return self.env._(
                "billing did not answer in time (%(detail)s)", detail=error.message
            )
        if isinstance(error, ProtocolError):
            return self.env._(
                "billing's answer was refused (%(detail)s)", detail=error.message
            )
        if isinstance(error, RejectedError):
            return self.env._("billing refused: %(detail)s", detail=error.message)
        return self.env._(
            "billing could not be reached (%(detail)s)", detail=error.message
        )
