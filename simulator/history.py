"""Believable charges (начисления) and usage records (детализация) of an account.

Generated from the account's services, with dates counted back from now, so a seed
needs only accounts and services and the demo never looks stale. The same account
always gets the same figures (the random generator is seeded by its number).
"""

import random
from datetime import datetime, timedelta, timezone

MONTHS_OF_CHARGES = 3
DAYS_OF_USAGE = 14
PEER_PREFIXES = ("+7916", "+7925", "+7903", "+7985", "+7495", "+7812", "+7913")
EXTRA_CHARGES = (
    ("Звонки на номера других регионов сверх пакета", 40, 260),
    ("SMS сверх пакета", 10, 90),
    ("Мобильный интернет в поездке по России", 60, 300),
    ("Подписка «Гороскоп на каждый день»", 29, 29),
)


def generate(account, offers, now=None):
    """(charges, usage) of ``account``, newest first."""
    now = now or datetime.now(timezone.utc)
    rng = random.Random(account["account"])
    charges, usage = [], []
    for service in account["services"]:
        if service["status"] == "terminated":
            continue
        charges += _monthly_fees(account, service, offers, now)
        charges += _extra_charges(service, rng, now)
        usage += _usage(service, rng, now)
    charges.sort(key=lambda item: item["date"], reverse=True)
    usage.sort(key=lambda item: item["start"], reverse=True)
    return charges, usage


def _iso(moment):
    return moment.isoformat(timespec="seconds")


def _cycle_starts(billing_day, now):
    """The last MONTHS_OF_CHARGES billing dates up to now, newest first."""
    year, month = now.year, now.month
    starts = []
    while len(starts) < MONTHS_OF_CHARGES:
        moment = datetime(year, month, min(billing_day, 28), 3, tzinfo=timezone.utc)
        if moment <= now:
            starts.append(moment)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts


def _monthly_fees(account, service, offers, now):
    codes = [service["tariff_code"], *service["option_codes"]]
    charges = []
    for start in _cycle_starts(account["billing_day"], now):
        for code in codes:
            offer = offers.get(code)
            if not offer or not offer["monthly_fee"]:
                continue
            label = "тариф" if offer["kind"] == "tariff" else "опция"
            charges.append(
                {
                    "date": _iso(start),
                    "amount": offer["monthly_fee"],
                    "description": f"Абонентская плата: {label} «{offer['name']}»",
                    "msisdn": service["msisdn"],
                }
            )
    return charges


def _extra_charges(service, rng, now):
    if service["service_type"] != "mobile":
        return []
    charges = []
    for _ in range(rng.randint(0, 3)):
        description, low, high = rng.choice(EXTRA_CHARGES)
        moment = now - timedelta(days=rng.randint(1, 80), minutes=rng.randint(0, 1439))
        charges.append(
            {
                "date": _iso(moment),
                "amount": float(rng.randint(low, high)),
                "description": description,
                "msisdn": service["msisdn"],
            }
        )
    return charges


def _usage(service, rng, now):
    kinds = {
        "mobile": ("voice", "voice", "sms", "data", "data"),
        "fixed_voice": ("voice",),
        "broadband": ("home_data",),
    }.get(service["service_type"])
    if not kinds:
        return []
    records = []
    for day in range(DAYS_OF_USAGE):
        for _ in range(rng.randint(1, 5)):
            moment = now - timedelta(days=day, seconds=rng.randint(60, 86_000))
            record = _usage_record(rng.choice(kinds), rng)
            records.append(
                {"start": _iso(moment), "msisdn": service["msisdn"], **record}
            )
    return records


def _usage_record(kind, rng):
    if kind == "voice":
        seconds = rng.randint(12, 1500)
        paid = rng.random() < 0.1
        return {
            "type": "voice",
            "quantity": seconds,
            "unit": "s",
            "amount": round(1.8 * (seconds // 60 + 1), 2) if paid else 0.0,
            "peer": _peer(rng),
        }
    if kind == "sms":
        return {
            "type": "sms",
            "quantity": 1,
            "unit": "sms",
            "amount": 2.5 if rng.random() < 0.2 else 0.0,
            "peer": _peer(rng),
        }
    megabytes = rng.uniform(500, 9000) if kind == "home_data" else rng.uniform(1, 900)
    return {
        "type": "data",
        "quantity": round(megabytes, 1),
        "unit": "MB",
        "amount": 0.0,
        "peer": "internet",
    }


def _peer(rng):
    return rng.choice(PEER_PREFIXES) + f"{rng.randint(0, 9_999_999):07d}"
