"""REST/JSON adapter of the billing / OSS peer (``/api/v1``)."""

import time
from urllib.parse import quote

import requests

from .base import (
    BaseAdapter,
    NotFoundError,
    ProtocolError,
    RejectedError,
    TransportError,
)

# answers that mean "our request was refused": not retried
FUNCTIONAL_STATUSES = {400, 404, 405, 409, 410, 413, 422}


class RestBillingAdapter(BaseAdapter):
    """Billing over REST/JSON: accounts, charges, usage, orders, catalog."""

    def __init__(self, config):
        super().__init__(config)
        prefix = config.get("api_prefix") or "/api/v1"
        self.api_url = self.base_url + "/" + prefix.strip("/")
        self.session.headers["Accept"] = "application/json"

    # ------------------------------------------------------------------
    # operations
    # ------------------------------------------------------------------
    def health(self):
        answer = self._request("health", "GET", "/health")
        return {"status": str((answer or {}).get("status") or "unknown")}

    def get_account(self, account):
        answer = self._request("get_account", "GET", f"/accounts/{quote(account)}")
        return self._expect_dict(answer, ("account", "balance"))

    def get_charges(self, account, limit=20):
        answer = self._request(
            "get_charges",
            "GET",
            f"/accounts/{quote(account)}/charges",
            params={"limit": int(limit)},
        )
        return self._expect_items(answer)

    def get_usage(self, account, limit=50):
        answer = self._request(
            "get_usage",
            "GET",
            f"/accounts/{quote(account)}/usage",
            params={"limit": int(limit)},
        )
        return self._expect_items(answer)

    def get_monthly_usage(self, account, months=6):
        answer = self._request(
            "get_monthly_usage",
            "GET",
            f"/accounts/{quote(account)}/usage/monthly",
            params={"months": int(months)},
        )
        return self._expect_items(answer)

    def submit_order(self, idempotency_key, operation, account, msisdn, payload):
        answer = self._request(
            "submit_order",
            "POST",
            "/orders",
            json={
                "operation": operation,
                "account": account,
                "msisdn": msisdn,
                "payload": payload or {},
            },
            headers={"Idempotency-Key": idempotency_key},
        )
        order = self._expect_dict(answer, ("order_id", "status"))
        if order["status"] == "rejected":
            raise RejectedError(
                str(order.get("message") or "order rejected by billing"),
                code="REJECTED",
            )
        return {
            "order_id": str(order["order_id"]),
            "status": str(order["status"]),
            "message": str(order.get("message") or ""),
        }

    def post_adjustment(
        self, idempotency_key, account, amount, currency, reason, period=None
    ):
        answer = self._request(
            "post_adjustment",
            "POST",
            f"/accounts/{quote(account, safe='')}/adjustments",
            json={
                "amount": amount,
                "currency": currency,
                "reason": reason,
                "period": period,
                "external_reference": idempotency_key,
            },
            headers={"Idempotency-Key": idempotency_key},
        )
        adjustment = self._expect_dict(answer, ("adjustment_id", "status"))
        if adjustment["status"] == "rejected":
            raise RejectedError(
                str(adjustment.get("message") or "adjustment refused by billing"),
                code="REJECTED",
            )
        return {
            "adjustment_id": str(adjustment["adjustment_id"]),
            "status": str(adjustment["status"]),
            "message": str(adjustment.get("message") or ""),
        }

    def get_order(self, order_id):
        answer = self._request("get_order", "GET", f"/orders/{quote(order_id)}")
        return self._expect_dict(answer, ("order_id", "status"))

    def list_offers(self):
        return self._expect_items(
            self._request("list_offers", "GET", "/catalog/offers")
        )

    # ------------------------------------------------------------------
    # plumbing
    # ------------------------------------------------------------------
    def _request(self, operation, method, path, **kwargs):
        with self._journal(operation) as record:
            deadline = time.monotonic() + self.total_timeout
            try:
                response = self.session.request(
                    method,
                    self.api_url + path,
                    timeout=self.timeout,
                    stream=True,
                    allow_redirects=False,
                    **kwargs,
                )
            except requests.exceptions.RequestException as error:
                raise self._transport_error(error) from error
            record["http_status"] = response.status_code
            body = self._read_capped(response, deadline)
            return self._handle_status(response, body)

    def _handle_status(self, response, body):
        status = response.status_code
        if 200 <= status < 300:
            return self._parse_json(body, status)
        message = self._error_message(body) or f"HTTP {status}"
        if status in (401, 403):
            raise TransportError(
                f"billing refused our credentials (HTTP {status}): check the backend",
                http_status=status,
            )
        if status == 404:
            raise NotFoundError(message, http_status=status, code="NOT_FOUND")
        if status in FUNCTIONAL_STATUSES:
            raise RejectedError(
                message, http_status=status, code=self._error_code(body)
            )
        raise TransportError(f"billing error HTTP {status}", http_status=status)

    def _error_message(self, body):
        try:
            answer = self._parse_json(body)
        except ProtocolError:
            return None
        if isinstance(answer, dict):
            return str(answer.get("message") or answer.get("reason") or "") or None
        return None

    def _error_code(self, body):
        try:
            answer = self._parse_json(body)
        except ProtocolError:
            return None
        return str(answer.get("code") or "") if isinstance(answer, dict) else None

    @staticmethod
    def _expect_dict(answer, required):
        if not isinstance(answer, dict) or any(key not in answer for key in required):
            raise ProtocolError(
                "unexpected answer: expected an object with " + ", ".join(required)
            )
        return answer

    @staticmethod
    def _expect_items(answer):
        items = answer.get("items") if isinstance(answer, dict) else None
        if not isinstance(items, list) or not all(
            isinstance(item, dict) for item in items
        ):
            raise ProtocolError("unexpected answer: expected a list of items")
        return items
