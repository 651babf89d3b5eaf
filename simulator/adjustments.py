"""Adjustments: credits billing posts to an account (service credits, goodwill).

``adjustment_from_request`` reads the fields of a REST body or SOAP request (no
business check yet); ``apply_adjustment`` checks them against the ledger and
credits the account (called under the state's lock), or raises Rejected (nothing
changed) with the reason and the message billing answers.
"""

import math
import re

from .errors import Rejected
from .ledger import money, now_iso

MAX_REASON = 255
PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def adjustment_from_request(account, data):
    """The adjustment fields of a request for ``account``, as given."""
    return {
        "account": account,
        "amount": data.get("amount"),
        "currency": data.get("currency"),
        "reason": data.get("reason"),
        "period": data.get("period"),
    }


def apply_adjustment(ledger, adjustment):
    """Credit ``adjustment["amount"]`` to its account; the message billing shows."""
    account = ledger.find_account(adjustment["account"])
    if not account:
        raise Rejected(
            "UNKNOWN_ACCOUNT",
            f"Лицевой счёт {adjustment['account']} не найден в биллинге",
        )
    amount = _amount(adjustment["amount"])
    currency = adjustment["currency"] or account["currency"]
    if currency != account["currency"]:
        raise Rejected(
            "CURRENCY_MISMATCH",
            f"Лицевой счёт {account['account']} ведётся в {account['currency']}, "
            f"а не в {currency}",
        )
    reason = _reason(adjustment["reason"])
    period = _period(adjustment["period"])
    adjustment.update(
        account=account["account"], amount=amount, currency=currency, period=period
    )
    account["balance"] = money(account["balance"] + amount)
    account["charges"].insert(
        0,
        {
            "date": adjustment["created_at"],
            "amount": money(-amount),
            "description": f"Корректировка: {reason}",
            "msisdn": None,
        },
    )
    account.setdefault("adjustments", []).append(
        {
            name: adjustment[name]
            for name in (
                "adjustment_id",
                "external_reference",
                "amount",
                "currency",
                "reason",
                "period",
                "created_at",
            )
        }
    )
    return (
        f"Начислена корректировка {amount:.2f} {currency} на счёт {account['account']}"
    )


def _amount(value):
    if isinstance(value, bool) or value in (None, ""):
        raise Rejected("INVALID_AMOUNT", "Укажите сумму корректировки (amount)")
    try:
        amount = float(value)
    except (TypeError, ValueError):
        raise Rejected("INVALID_AMOUNT", f"Сумма «{value}» не число") from None
    if not math.isfinite(amount) or money(amount) <= 0:
        raise Rejected(
            "INVALID_AMOUNT", "Сумма корректировки должна быть положительной"
        )
    return money(amount)


def _reason(value):
    if not isinstance(value, str) or not value.strip():
        raise Rejected("MISSING_FIELD", "Укажите основание корректировки (reason)")
    if len(value) > MAX_REASON:
        raise Rejected("INVALID_PAYLOAD", f"Основание длиннее {MAX_REASON} символов")
    return value.strip()


def _period(value):
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not PERIOD.fullmatch(value):
        raise Rejected("INVALID_PAYLOAD", f"Период «{value}» не в формате ГГГГ-ММ")
    return value


def new_adjustment(number, key, fields):
    """The stored record of a first submission of ``key`` (not applied yet)."""
    return {
        "adjustment_id": f"ADJ-{number:06d}",
        "external_reference": key,
        **fields,
        "status": None,
        "message": None,
        "refusal": None,
        "created_at": now_iso(),
        "submissions": 1,
        "applied_count": 0,
    }
