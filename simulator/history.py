"""Believable charges (начисления) and usage records (детализация) of an account.

Generated from the account's services, with dates counted back from now, so a seed
needs only accounts and services and the demo never looks stale. The same account
always gets the same figures (the random generator is seeded by its number).

``monthly`` sums a month of a line up as billing closes it: usage (data, voice, SMS,
roaming), charges, what was paid and when, the debt left, and the device seen on the
network. Also deterministic per account (its own seed), so a pull repeated gives the
same figures.
"""

import random
from datetime import datetime, timedelta, timezone

MONTHS_OF_CHARGES = 3
MAX_MONTHS = 24
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


# -- monthly summaries ------------------------------------------------------------
# the line's terms each summary carries when billing knows them (YYYY-MM-DD dates)
LINE_TERMS = ("commitment_end", "promotion_name", "promotion_end")
# (type, operating systems, share of 5G-capable ones) of the devices of mobile lines
MOBILE_DEVICES = (
    ("smartphone", ("Android 14", "Android 13", "iOS 18", "iOS 17", "HarmonyOS 4"), 0.6),
    ("smartphone", ("Android 12", "iOS 16"), 0.2),
    ("feature_phone", ("KaiOS", "Series 30+"), 0.0),
    ("tablet", ("iPadOS 17", "Android 13"), 0.3),
)
DEVICES_BY_TYPE = {"broadband": "router", "iptv": "set_top_box"}
# the newest month's usage against the ones before: most lines steady, some fading
USAGE_TRENDS = (1.0, 1.0, 1.0, 1.05, 1.1, 0.9, 0.7, 0.45)


def month_starts(now, months):
    """The first days of the last ``months`` closed months, newest first."""
    year, month = now.year, now.month
    starts = []
    for _index in range(months):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        starts.append((year, month))
    return starts


def monthly(account, offers, months, debt=0.0, now=None):
    """Monthly summaries of the live lines of ``account``, newest month first.

    ``debt`` (the account's) is spread over the newest bills as what they left
    unpaid: the months of a debtor show it, paid late.
    """
    now = now or datetime.now(timezone.utc)
    rng = random.Random(f"{account['account']}/monthly")
    pays_late = rng.random() < 0.25
    items = []
    starts = month_starts(now, months)
    for service in account["services"]:
        if service["status"] == "terminated":
            continue
        line = _line_profile(service, offers, rng)
        for age, (year, month) in enumerate(starts):
            item = _month_of_line(service, line, age, rng)
            item.update(
                {name: service[name] for name in LINE_TERMS if service.get(name)},
                age=age,
                month=f"{year:04d}-{month:02d}",
                paid_amount=item["charged_amount"],
                debt_amount=0.0,
                paid_late=pays_late and rng.random() < 0.5,
            )
            items.append(item)
    # the account's debt is what its newest bills left unpaid, the newest first
    left_to_owe = round(float(debt or 0.0), 2)
    for item in sorted(items, key=lambda item: item["age"]):
        owed = min(item["charged_amount"], left_to_owe)
        if owed <= 0:
            break
        left_to_owe = round(left_to_owe - owed, 2)
        item.update(
            paid_amount=round(item["charged_amount"] - owed, 2),
            debt_amount=round(owed, 2),
            paid_late=True,
        )
    for item in items:
        del item["age"]
    items.sort(key=lambda item: item["month"], reverse=True)
    return items


def _line_profile(service, offers, rng):
    codes = [service["tariff_code"], *service["option_codes"]]
    fee = sum((offers.get(code) or {}).get("monthly_fee") or 0.0 for code in codes)
    kind = service["service_type"]
    profile = {
        "fee": float(fee),
        "trend": rng.choice(USAGE_TRENDS),
        "roaming": any("ROAM" in code for code in service["option_codes"]),
        "device_type": DEVICES_BY_TYPE.get(kind, ""),
        "device_os": "",
        "device_5g": False,
        "data": 0.0,
        "voice": 0.0,
        "sms": 0,
    }
    if kind == "mobile":
        device_type, systems, share_5g = rng.choice(MOBILE_DEVICES)
        profile.update(
            device_type=device_type,
            device_os=rng.choice(systems),
            device_5g=rng.random() < share_5g,
            data=rng.uniform(300, 25000),
            voice=rng.uniform(20, 900),
            sms=rng.randint(0, 80),
        )
    elif kind == "broadband":
        profile["data"] = rng.uniform(40_000, 400_000)
    elif kind == "fixed_voice":
        profile["voice"] = rng.uniform(30, 600)
    return profile


def _month_of_line(service, line, age, rng):
    """One month of a line; ``age`` 0 is the newest closed month."""
    factor = (line["trend"] if age == 0 else 1.0) * rng.uniform(0.92, 1.08)
    roaming = 0.0
    if line["roaming"] and rng.random() < 0.4:
        roaming = rng.uniform(50, 2500)
    extra = rng.choice((0.0, 0.0, 0.0, rng.uniform(20, 400))) if line["sms"] else 0.0
    return {
        "msisdn": service["msisdn"],
        "service_type": service["service_type"],
        "data_mb": round(line["data"] * factor, 1),
        "voice_minutes": round(line["voice"] * factor, 1),
        "sms_count": int(round(line["sms"] * factor)),
        "roaming_mb": round(roaming, 1),
        "charged_amount": round(line["fee"] + extra + roaming * 0.5, 2),
        "device_type": line["device_type"],
        "device_os": line["device_os"],
        "device_5g": line["device_5g"],
    }
