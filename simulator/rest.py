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


def _unknown_account(number):
    return not_found(f"account {number} not found")
