"""REST/JSON API of billing and OSS (the contract's /api/v1 endpoints)."""

from .errors import ApiError, bad_request, not_found
from .history import MAX_MONTHS
from .web import PLAIN, error_response, json_response

MAX_LIMIT = 1000


class RestApi:
    def __init__(self, state):
        self.state = state

    def register(self, router):
        bearer = {"auth": "bearer"}
        router.add("GET", "/api/v1/health", self.health, kind=PLAIN)
        router.add("GET", "/api/v1/accounts/{account}", self.get_account, **bearer)
        router.add("GET", "/api/v1/accounts/{account}/charges", self.charges, **bearer)
        router.add("GET", "/api/v1/accounts/{account}/usage", self.usage, **bearer)
        router.add(
            "GET",
            "/api/v1/accounts/{account}/usage/monthly",
            self.monthly_usage,
            **bearer,
        )
        router.add(
            "POST",
            "/api/v1/accounts/{account}/adjustments",
            self.post_adjustment,
            **bearer,
        )
        router.add(
            "GET", "/api/v1/accounts/{account}/adjustments", self.adjustments, **bearer
        )
        router.add("POST", "/api/v1/orders", self.submit_order, **bearer)
        router.add("GET", "/api/v1/orders/{order_id}", self.get_order, **bearer)
        router.add("GET", "/api/v1/catalog/offers", self.offers, **bearer)

    def health(self, request):
        return json_response(200, {"status": "ok"})

    def get_account(self, request):
        account = self.state.account(request.params["account"])
        if account is None:
            raise _unknown_account(request.params["account"])
        return json_response(200, account)

    def charges(self, request):
        return self._history(request, "charges", default_limit=20)

    def usage(self, request):
        return self._history(request, "usage", default_limit=50)

    def monthly_usage(self, request):
        months = request.query_int("months", 6, MAX_MONTHS)
        items = self.state.monthly_usage(request.params["account"], months)
        if items is None:
            raise _unknown_account(request.params["account"])
        return json_response(200, {"items": items})

    def _history(self, request, kind, default_limit):
        limit = request.query_int("limit", default_limit, MAX_LIMIT)
        items = self.state.history(request.params["account"], kind, limit)
        if items is None:
            raise _unknown_account(request.params["account"])
        return json_response(200, {"items": items})

    def submit_order(self, request):
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key:
            raise ApiError(
                400,
                "IDEMPOTENCY_KEY_REQUIRED",
                "the Idempotency-Key header is mandatory on POST /api/v1/orders",
            )
        if len(key) > 255:
            raise bad_request("the Idempotency-Key header is longer than 255")
        order, replayed = self.state.submit_order(key, request.json_object())
        return order_answer(order, replayed)

    def post_adjustment(self, request):
        data = request.json_object()
        key = _adjustment_key(request, data)
        adjustment, replayed = self.state.post_adjustment(
            key, request.params["account"], data
        )
        return adjustment_answer(adjustment, replayed)

    def adjustments(self, request):
        items = self.state.adjustments(request.params["account"])
        if items is None:
            raise _unknown_account(request.params["account"])
        return json_response(200, {"items": items})

    def get_order(self, request):
        order = self.state.order(request.params["order_id"])
        if order is None:
            raise not_found(f"order {request.params['order_id']} not found")
        return json_response(200, order)

    def offers(self, request):
        return json_response(200, {"items": self.state.offers()})


def order_answer(order, replayed):
    """201 (200 when replayed) with the order's outcome, or 422 when refused."""
    if order["status"] == "rejected":
        return error_response(
            422,
            "REJECTED",
            order["message"],
            reason=order["reason"],
            order_id=order["order_id"],
        )
    body = {
        "order_id": order["order_id"],
        "status": order["status"],
        "message": order["message"],
    }
    return json_response(200 if replayed else 201, body)


def _adjustment_key(request, data):
    """The idempotency key: the header, else the body's external_reference."""
    header = (request.headers.get("Idempotency-Key") or "").strip()
    reference = data.get("external_reference")
    if reference is not None and not isinstance(reference, str):
        raise bad_request("external_reference must be a string")
    reference = (reference or "").strip()
    if header and reference and header != reference:
        raise bad_request("Idempotency-Key and external_reference differ")
    key = header or reference
    if not key:
        raise ApiError(
            400,
            "IDEMPOTENCY_KEY_REQUIRED",
            "an adjustment needs an Idempotency-Key header or an external_reference",
        )
    if len(key) > 255:
        raise bad_request("the idempotency key is longer than 255")
    return key


def adjustment_answer(adjustment, replayed):
    """201 (200 when replayed) with the adjustment, or 422 when refused."""
    if adjustment["status"] == "rejected":
        return error_response(
            422,
            "REJECTED",
            adjustment["message"],
            reason=adjustment["refusal"],
            adjustment_id=adjustment["adjustment_id"],
        )
    body = {
        name: adjustment[name]
        for name in (
            "adjustment_id",
            "external_reference",
            "account",
            "amount",
            "currency",
            "period",
            "status",
            "message",
        )
    }
    return json_response(200 if replayed else 201, body)


def _unknown_account(number):
    return not_found(f"account {number} not found")
