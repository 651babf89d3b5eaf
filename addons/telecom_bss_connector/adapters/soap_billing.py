"""SOAP adapter of the billing peer (document/literal, ``urn:telecom:billing:v1``).

zeep parses with DTDs, entities and external references forbidden, so an answer
carrying an entity-expansion DOCTYPE (an "XML bomb") is refused; the transport
reads answers with a size cap and a total deadline.
"""

import decimal
import json
import threading
import time

import requests
import zeep
from zeep import exceptions as zeep_exceptions
from zeep import helpers

from .base import (
    BaseAdapter,
    CallTimeout,
    NotFoundError,
    ProtocolError,
    RejectedError,
    TransportError,
)

DEFAULT_WSDL_PATH = "/soap/billing?wsdl"
CLIENT_CACHE_SECONDS = 600


class CappedTransport(zeep.Transport):
    """zeep transport with (connect, read) time-outs, a size cap and a deadline."""

    def __init__(self, adapter, session):
        super().__init__(
            session=session,
            timeout=adapter.connect_timeout + adapter.read_timeout,
            operation_timeout=adapter.timeout,
        )
        self.adapter = adapter

    def _load_remote_data(self, url):
        deadline = time.monotonic() + self.adapter.total_timeout
        try:
            response = self.session.get(url, timeout=self.adapter.timeout, stream=True)
        except requests.exceptions.RequestException as error:
            raise self.adapter._transport_error(error) from error
        if response.status_code != 200:
            response.close()
            raise TransportError(
                f"WSDL not available (HTTP {response.status_code})",
                http_status=response.status_code,
            )
        return self.adapter._read_capped(response, deadline)

    def post(self, address, message, headers):
        deadline = time.monotonic() + self.adapter.total_timeout
        try:
            response = self.session.post(
                address,
                data=message,
                headers=headers,
                timeout=self.adapter.timeout,
                stream=True,
                allow_redirects=False,
            )
        except requests.exceptions.RequestException as error:
            raise self.adapter._transport_error(error) from error
        self.adapter._last_http_status = response.status_code
        body = self.adapter._read_capped(response, deadline)
        if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
            # SOAP 1.1 messages must not carry a DTD: refuse before parsing
            raise ProtocolError(
                "dangerous XML refused (DTD or entity declaration in a SOAP answer)",
                http_status=response.status_code,
            )
        response._content = body
        response._content_consumed = True
        return response


class SoapBillingAdapter(BaseAdapter):
    """Billing over SOAP: balance, charges, monthly usage and orders."""

    _clients = threading.local()

    def __init__(self, config):
        super().__init__(config)
        wsdl_path = config.get("wsdl_path") or DEFAULT_WSDL_PATH
        self.wsdl_url = self.base_url + "/" + wsdl_path.lstrip("/")
        self.service_url = self.wsdl_url.split("?", 1)[0]
        self.soap_http_status = None

    # ------------------------------------------------------------------
    # operations
    # ------------------------------------------------------------------
    def health(self):
        """Reachable when the WSDL loads and names the billing operations."""
        with self._journal("health") as record:
            try:
                service = self._service()
            except (
                zeep_exceptions.Error,
                requests.exceptions.RequestException,
            ) as error:
                raise TransportError(f"WSDL not usable: {error}") from error
            finally:
                record["http_status"] = self.soap_http_status
            if not hasattr(service, "SubmitOrder"):
                raise ProtocolError("the WSDL has no SubmitOrder operation")
        return {"status": "ok"}

    def get_account(self, account):
        answer = self._call("get_account", "GetAccountBalance", account=account)
        if not isinstance(answer, dict) or "balance" not in answer:
            raise ProtocolError("unexpected GetAccountBalance answer")
        answer.setdefault("account", account)
        answer["restrictions"] = self._as_list(answer.get("restrictions"))
        return answer

    def get_charges(self, account, limit=20):
        answer = self._call("get_charges", "GetCharges", account=account, limit=limit)
        return [item for item in self._as_list(answer) if isinstance(item, dict)]

    def get_monthly_usage(self, account, months=6):
        answer = self._call(
            "get_monthly_usage", "GetMonthlyUsage", account=account, months=months
        )
        return [item for item in self._as_list(answer) if isinstance(item, dict)]

    def submit_order(self, idempotency_key, operation, account, msisdn, payload):
        answer = self._call(
            "submit_order",
            "SubmitOrder",
            idempotency_key=idempotency_key,
            operation=operation,
            account=account,
            msisdn=msisdn or "",
            payload_json=json.dumps(payload or {}, sort_keys=True),
        )
        if not isinstance(answer, dict) or not answer.get("order_id"):
            raise ProtocolError("unexpected SubmitOrder answer")
        if answer.get("status") == "rejected":
            raise RejectedError(
                str(answer.get("message") or "order rejected by billing"),
                code="REJECTED",
            )
        return {
            "order_id": str(answer["order_id"]),
            "status": str(answer.get("status") or "completed"),
            "message": str(answer.get("message") or ""),
        }

    def post_adjustment(
        self, idempotency_key, account, amount, currency, reason, period=None
    ):
        answer = self._call(
            "post_adjustment",
            "PostAdjustment",
            external_reference=idempotency_key,
            account=account,
            amount=decimal.Decimal(str(amount)),
            currency=currency or None,
            reason=reason,
            period=period or None,
        )
        if not isinstance(answer, dict) or not answer.get("adjustment_id"):
            raise ProtocolError("unexpected PostAdjustment answer")
        if answer.get("status") == "rejected":
            raise RejectedError(
                str(answer.get("message") or "adjustment refused by billing"),
                code="REJECTED",
            )
        return {
            "adjustment_id": str(answer["adjustment_id"]),
            "status": str(answer.get("status") or "posted"),
            "message": str(answer.get("message") or ""),
        }

    # ------------------------------------------------------------------
    # plumbing
    # ------------------------------------------------------------------
    def _call(self, journal_name, soap_operation, **arguments):
        with self._journal(journal_name) as record:
            try:
                service = self._service()
                result = getattr(service, soap_operation)(**arguments)
            except zeep_exceptions.Fault as fault:
                raise self._fault_error(fault) from fault
            except (
                zeep_exceptions.DTDForbidden,
                zeep_exceptions.EntitiesForbidden,
            ) as error:
                raise ProtocolError(
                    "dangerous XML refused (DTD or entity declaration)"
                ) from error
            except (
                zeep_exceptions.XMLSyntaxError,
                zeep_exceptions.XMLParseError,
                zeep_exceptions.ValidationError,
                zeep_exceptions.UnexpectedElementError,
                zeep_exceptions.LookupError,
            ) as error:
                raise ProtocolError(f"malformed SOAP answer: {error}") from error
            except zeep_exceptions.TransportError as error:
                if "invalid XML" in str(error):
                    raise ProtocolError(
                        "malformed SOAP answer (invalid XML)",
                        http_status=error.status_code,
                    ) from error
                raise TransportError(
                    f"SOAP transport error (HTTP {error.status_code})",
                    http_status=error.status_code,
                ) from error
            except requests.exceptions.RequestException as error:
                raise self._transport_error(error) from error
            finally:
                record["http_status"] = self.soap_http_status
            return self._plain(helpers.serialize_object(result, dict))

    def _fault_error(self, fault):
        code = (fault.code or "").split(":")[-1]
        message = fault.message or code or "SOAP fault"
        detail_code = self._detail_code(fault.detail)
        if code in ("Client.Unauthorized", "Client.Forbidden") or (
            self.soap_http_status in (401, 403)
        ):
            return TransportError(
                "billing refused our credentials: check the backend",
                http_status=self.soap_http_status,
                code=code,
            )
        if code == "Client.NotFound" or detail_code == "NOT_FOUND":
            return NotFoundError(
                message, http_status=self.soap_http_status, code="NOT_FOUND"
            )
        if code.startswith("Client"):
            return RejectedError(
                message,
                http_status=self.soap_http_status,
                code=detail_code or code,
            )
        if "timeout" in code.lower():
            return CallTimeout(message, http_status=self.soap_http_status)
        return TransportError(
            f"billing server fault {code}: {message}",
            http_status=self.soap_http_status,
            code=detail_code or code,
        )

    @staticmethod
    def _detail_code(detail):
        if detail is None:
            return None
        for element in detail.iter():
            tag = element.tag if isinstance(element.tag, str) else ""
            if tag.rsplit("}", 1)[-1] == "code" and element.text:
                return element.text.strip()
        return None

    def _service(self):
        """The zeep service proxy, cached per thread for this configuration."""
        cache = self._clients.__dict__.setdefault("entries", {})
        key = self._cache_key()
        entry = cache.get(key)
        now = time.monotonic()
        if entry and entry["expires"] > now:
            entry["transport"].adapter = self
            return entry["service"]
        # a session of its own, kept alive as long as the cached client
        transport = CappedTransport(self, self._make_session())
        settings = zeep.Settings(
            strict=True,
            xml_huge_tree=False,
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        )
        client = zeep.Client(self.wsdl_url, transport=transport, settings=settings)
        binding = next(iter(client.wsdl.bindings))
        service = client.create_service(binding, self.service_url)
        # the cached client owns its session's certificate files now
        cache[key] = {
            "client": client,
            "service": service,
            "transport": transport,
            "cert_dir": self._cert_dir,
            "expires": now + CLIENT_CACHE_SECONDS,
        }
        self._cert_dir = None
        return service

    def _cache_key(self):
        return self._config_key(
            (
                "url",
                "wsdl_path",
                "auth_type",
                "username",
                "password",
                "token",
                "api_key",
                "client_cert",
                "verify_tls",
            )
        )

    @classmethod
    def _plain(cls, value):
        """zeep's serialized objects as plain dicts, lists and scalars."""
        if isinstance(value, dict):
            return {str(key): cls._plain(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [cls._plain(item) for item in value]
        if isinstance(value, decimal.Decimal):
            return float(value)
        if hasattr(value, "isoformat"):
            return value.isoformat()
        if value is None or isinstance(value, bool | int | float | str):
            return value
        return str(value)

    @staticmethod
    def _as_list(value):
        """A repeated element may come wrapped (``{"charge": [...]}``) or bare."""
        if value is None:
            return []
        if isinstance(value, dict) and len(value) == 1:
            inner = next(iter(value.values()))
            if isinstance(inner, list):
                return inner
        if isinstance(value, list):
            return value
        return [value]
