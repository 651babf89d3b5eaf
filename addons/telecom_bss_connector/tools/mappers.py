"""Explicit mapping between the adapters' plain data and model values.

Read path: every function takes plain data and returns plain values; a value of
the wrong shape raises :class:`ProtocolError` (journaled as a parse error), never
a ``KeyError`` or ``TypeError`` deep in a model.

Write path: ``order_payload`` maps a ``telecom.request`` to the JSON payload of its
billing order, one function per operation. It reads the request's fields itself
and borrows nothing from the timeline's event payload, so what the timeline shows
can change without changing what billing receives.
"""

import math
from datetime import datetime, timezone

from ..adapters.base import ProtocolError

SERVICE_STATUSES = ("active", "blocked", "terminated")
USAGE_TYPES = ("voice", "sms", "data")
OFFER_KINDS = ("tariff", "option")
MAX_LIST_ITEMS = 200
MAX_TEXT = 256
MONTHLY_NUMBERS = (
    "data_mb",
    "voice_minutes",
    "roaming_mb",
    "charged_amount",
    "paid_amount",
    "debt_amount",
)


def _number(value, field, required=False):
    if value is None or value == "":
        if required:
            raise ProtocolError(f"missing number {field}")
        return 0.0
    if isinstance(value, bool):
        raise ProtocolError(f"{field} is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError) as error:
        raise ProtocolError(f"{field} is not a number") from error
    if not math.isfinite(number):
        raise ProtocolError(f"{field} is not a finite number")
    return number


def _text(value, field, required=False, limit=MAX_TEXT):
    if value is None or value == "":
        if required:
            raise ProtocolError(f"missing text {field}")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ProtocolError(f"{field} is not a text")
    return str(value)[:limit]


def _datetime(value, field):
    """ISO 8601 text to a naive UTC datetime string Odoo stores; '' if absent."""
    if not value:
        return ""
    if not isinstance(value, str):
        raise ProtocolError(f"{field} is not a date")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise ProtocolError(f"{field} is not an ISO 8601 date") from error
    if moment.tzinfo:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _list(value, field, limit=MAX_LIST_ITEMS):
    if value is None:
        return []
    if not isinstance(value, list):
        raise ProtocolError(f"{field} is not a list")
    return value[:limit]


# ----------------------------------------------------------------------
# read path
# ----------------------------------------------------------------------
def account_values(data):
    """Balance part of a snapshot from ``get_account``."""
    if not isinstance(data, dict):
        raise ProtocolError("account answer is not an object")
    restrictions = [
        _text(item, "restrictions[]")
        for item in _list(data.get("restrictions"), "restrictions")
    ]
    return {
        "balance": _number(data.get("balance"), "balance", required=True),
        "currency_code": _text(data.get("currency"), "currency", limit=3) or False,
        "credit_limit": _number(data.get("credit_limit"), "credit_limit"),
        "debt": _number(data.get("debt"), "debt"),
        "restrictions": [item for item in restrictions if item],
        "billing_status": _text(data.get("status"), "status", limit=32) or False,
        "services": [
            service_values(item) for item in _list(data.get("services"), "services")
        ],
    }


def service_values(data):
    if not isinstance(data, dict):
        raise ProtocolError("service entry is not an object")
    status = _text(data.get("status"), "services[].status", limit=32)
    return {
        "msisdn": _text(data.get("msisdn"), "services[].msisdn", limit=32),
        "tariff_code": _text(data.get("tariff_code"), "services[].tariff_code"),
        "option_codes": [
            _text(code, "services[].option_codes[]")
            for code in _list(data.get("option_codes"), "services[].option_codes")
        ],
        "status": status if status in SERVICE_STATUSES else status or "unknown",
    }


def charge_values(data):
    if not isinstance(data, dict):
        raise ProtocolError("charge entry is not an object")
    return {
        "date": _datetime(data.get("date"), "charges[].date"),
        "amount": _number(data.get("amount"), "charges[].amount"),
        "description": _text(data.get("description"), "charges[].description"),
        "msisdn": _text(data.get("msisdn"), "charges[].msisdn", limit=32),
    }


def usage_values(data):
    if not isinstance(data, dict):
        raise ProtocolError("usage entry is not an object")
    usage_type = _text(data.get("type"), "usage[].type", limit=16)
    return {
        "start": _datetime(data.get("start"), "usage[].start"),
        "type": usage_type if usage_type in USAGE_TYPES else "other",
        "msisdn": _text(data.get("msisdn"), "usage[].msisdn", limit=32),
        "quantity": _number(data.get("quantity"), "usage[].quantity"),
        "unit": _text(data.get("unit"), "usage[].unit", limit=8),
        "amount": _number(data.get("amount"), "usage[].amount"),
        "peer": _text(data.get("peer"), "usage[].peer", limit=64),
    }


def _boolean(value, field):
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise ProtocolError(f"{field} is not a boolean")


def _month(value, field):
    """'YYYY-MM' (or a date of the month) to the first day of the month."""
    text = _text(value, field, required=True, limit=32)
    try:
        return datetime.strptime(text[:7], "%Y-%m").date()
    except ValueError as error:
        raise ProtocolError(f"{field} is not a YYYY-MM month") from error


def monthly_usage_values(data):
    """One closed month of one line (``get_monthly_usage``) as plain values:
    the line's identification (``msisdn``, ``service_type``) and the figures
    ``telecom.usage.monthly._upsert_monthly`` takes."""
    if not isinstance(data, dict):
        raise ProtocolError("monthly usage entry is not an object")
    values = {
        "month": _month(data.get("month"), "months[].month"),
        "msisdn": _text(data.get("msisdn"), "months[].msisdn", limit=32),
        "service_type": _text(
            data.get("service_type"), "months[].service_type", limit=32
        ),
        "sms_count": int(_number(data.get("sms_count"), "months[].sms_count")),
        "paid_late": _boolean(data.get("paid_late"), "months[].paid_late"),
        "device_type": _text(data.get("device_type"), "months[].device_type", limit=32),
        "device_os": _text(data.get("device_os"), "months[].device_os", limit=64),
        "device_5g": _boolean(data.get("device_5g"), "months[].device_5g"),
    }
    for name in MONTHLY_NUMBERS:
        number = _number(data.get(name), f"months[].{name}")
        if number < 0:
            raise ProtocolError(f"months[].{name} is negative")
        values[name] = number
    # the line's terms as billing knows them now (absent: unchanged)
    values["commitment_end_date"] = _date_text(
        data.get("commitment_end"), "months[].commitment_end"
    )
    values["promotion_name"] = _text(
        data.get("promotion_name"), "months[].promotion_name", limit=128
    )
    values["promotion_end_date"] = _date_text(
        data.get("promotion_end"), "months[].promotion_end"
    )
    return values


def _date_text(value, field):
    """'YYYY-MM-DD' (or a longer ISO text) to a date; None if absent."""
    text = _text(value, field, limit=32)
    if not text:
        return None
    try:
        return datetime.strptime(text[:10], "%Y-%m-%d").date()
    except ValueError as error:
        raise ProtocolError(f"{field} is not a YYYY-MM-DD date") from error


def monthly_usage_list_values(items):
    return [monthly_usage_values(item) for item in _list(items, "months", None)]


def charges_values(items):
    return [charge_values(item) for item in _list(items, "charges")]


def usage_list_values(items):
    return [usage_values(item) for item in _list(items, "usage")]


# ----------------------------------------------------------------------
# write path
# ----------------------------------------------------------------------
def order_result_values(result):
    """What the outbox keeps of billing's answer to an order."""
    if not isinstance(result, dict):
        raise ProtocolError("order answer is not an object")
    return {
        "external_order_id": _text(result.get("order_id"), "order_id", required=True),
        "external_status": _text(result.get("status"), "status", limit=32),
        "response_message": _text(result.get("message"), "message", limit=1000),
    }


def adjustment_result_values(result):
    """What the outbox keeps of billing's answer to an adjustment."""
    if not isinstance(result, dict):
        raise ProtocolError("adjustment answer is not an object")
    return {
        "external_order_id": _text(
            result.get("adjustment_id"), "adjustment_id", required=True
        ),
        "external_status": _text(result.get("status"), "status", limit=32),
        "response_message": _text(result.get("message"), "message", limit=1000),
    }


def adjustment_payload(amount, currency, reason, period=None):
    """Payload of an adjustment: a credit of ``amount`` (rounded to the cent) in
    ``currency`` (ISO code), with the ``reason`` billing shows on the bill and
    the month (``period``, a date) it is for."""
    return {
        "amount": round(float(amount), 2),
        "currency": currency or None,
        "reason": (reason or "")[:MAX_TEXT],
        "period": period.strftime("%Y-%m") if period else None,
    }


def _code(product):
    return product.telecom_billing_code or None


def _date(value):
    return value.isoformat() if value else None


def _activation_payload(request):
    return {
        "msisdn": request.msisdn or request.service_id.msisdn or None,
        "iccid": request.iccid or None,
        "tariff_code": _code(request.tariff_id),
        "option_codes": request.option_ids.mapped("telecom_billing_code"),
    }


def _port_in_payload(request):
    return {
        **_activation_payload(request),
        "donor": request.donor_operator_id.code,
        "port_reference": request.port_reference or None,
    }


def _port_out_payload(request):
    return {
        "recipient": request.recipient_operator_id.code,
        "port_reference": request.port_reference or None,
    }


def _tariff_change_payload(request):
    return {
        "tariff_code": _code(request.tariff_id),
        "previous_tariff_code": _code(request.previous_tariff_id),
        "timing": request.change_timing,
    }


def _option_change_payload(request):
    return {
        "option_action": request.option_action,
        "option_code": _code(request.option_id),
    }


def _block_payload(request):
    return {
        "block_reason": request.block_reason,
        "block_until": _date(request.block_until) or "",
    }


def _unblock_payload(request):
    return {}


def _sim_swap_payload(request):
    return {
        "iccid": request.iccid,
        "previous_iccid": request.previous_iccid or None,
        "reason": request.sim_swap_reason,
    }


def _termination_payload(request):
    return {
        "termination_reason": request.termination_reason,
        "target_operator": request.target_operator_id.code or None,
    }


def _owner_change_payload(request):
    new_owner = request.new_partner_id
    return {
        "service_type": request.service_id.service_type,
        "scope": request.owner_change_scope,
        "new_owner": {
            "customer_ref": new_owner.ref or None,
            "name": new_owner.name,
            "is_company": new_owner.is_company,
        },
        "new_account": (
            request.new_account_id.billing_reference or request.new_account_id.name
        )
        or None,
    }


def _number_change_payload(request):
    return {
        "msisdn": request.msisdn,
        "previous_msisdn": request.previous_msisdn or request.service_id.msisdn,
    }


def _relocation_payload(request):
    return {
        "service_type": request.service_id.service_type,
        "address": request.relocation_address,
        "previous_address": request.previous_address or None,
        "access_technology": request.relocation_technology or None,
        "installation_date": _date(request.effective_date),
    }


def _renewal_payload(request):
    return {
        "service_type": request.service_id.service_type,
        "commitment_end": _date(request.new_commitment_end_date),
        "commitment_months": request.renewal_months,
        "tariff_code": _code(request.tariff_id)
        if request.tariff_id != request.previous_tariff_id
        else None,
    }


ORDER_PAYLOADS = {
    "activation": _activation_payload,
    "port_in": _port_in_payload,
    "port_out": _port_out_payload,
    "tariff_change": _tariff_change_payload,
    "option_change": _option_change_payload,
    "block": _block_payload,
    "unblock": _unblock_payload,
    "sim_swap": _sim_swap_payload,
    "termination": _termination_payload,
    "owner_change": _owner_change_payload,
    "number_change": _number_change_payload,
    "relocation": _relocation_payload,
    "renewal": _renewal_payload,
}


def order_payload(request):
    """Payload of the billing order of ``request`` (a single ``telecom.request``)."""
    return {
        "request": request.name,
        "effective_date": _date(request.effective_date),
        **ORDER_PAYLOADS[request.request_type](request),
    }


# ----------------------------------------------------------------------
# catalog
# ----------------------------------------------------------------------
def offer_values(data):
    """Catalog offer → values of a product.template, plus its compatible codes."""
    if not isinstance(data, dict):
        raise ProtocolError("offer is not an object")
    kind = _text(data.get("kind"), "kind", required=True, limit=16)
    if kind not in OFFER_KINDS:
        raise ProtocolError(f"unknown offer kind {kind}")
    values = {
        "telecom_billing_code": _text(data.get("code"), "code", required=True),
        "name": _text(data.get("name"), "name", required=True),
        "telecom_kind": kind,
        "telecom_service_type": _text(
            data.get("service_type"), "service_type", required=True, limit=32
        ),
        "telecom_monthly_fee": _number(data.get("monthly_fee"), "monthly_fee"),
        "telecom_included_minutes": int(
            _number(data.get("included_minutes"), "included_minutes")
        ),
        "telecom_included_sms": int(_number(data.get("included_sms"), "included_sms")),
        "telecom_included_data_gb": _number(
            data.get("included_data_gb"), "included_data_gb"
        ),
        "active": data.get("active", True) is not False,
    }
    compatible = [
        _text(code, "compatible_options[]")
        for code in _list(data.get("compatible_options"), "compatible_options")
    ]
    return values, [code for code in compatible if code]
