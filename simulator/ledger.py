"""Billing data: the catalog and the accounts with their services, charges, usage.

Plain dicts (they load from and dump to JSON as they are). The ledger is not
thread-safe by itself: BillingState holds its lock around every use.
"""

import copy
import re
from datetime import datetime, timezone

from . import history
from .errors import Rejected, bad_request

CURRENCY = "RUB"
MSISDN_SERVICE_TYPES = ("mobile", "fixed_voice")
SERVICE_STATUSES = ("active", "blocked", "terminated")
LIVE_STATUSES = ("active", "blocked")
ACCOUNT_STATUSES = ("active", "suspended", "closed")
OFFER_KINDS = ("tariff", "option")


def now_iso():
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def normalize_msisdn(value):
    """'+7 916 169-75-16', '89161697516' → '+79161697516'; None when empty."""
    digits = re.sub(r"\D", "", str(value or ""))
    if not digits:
        return None
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    return "+" + digits


def money(value):
    return round(float(value), 2)


class Ledger:
    def __init__(self, seed):
        self.currency = seed.get("currency", CURRENCY)
        self.offers = {}
        self.accounts = {}
        self.add_offers(seed.get("offers") or [])
        self.add_accounts(seed.get("accounts") or [])

    # -- loading ----------------------------------------------------------------
    def add_offers(self, offers):
        for data in offers:
            offer = normalize_offer(data, self.currency)
            self.offers[offer["code"]] = offer

    def add_accounts(self, accounts):
        for data in accounts:
            account = normalize_account(data, self.currency)
            for service in account["services"]:
                self._check_seeded_codes(account, service)
            self._fill_history(account, data)
            self.accounts[account["account"]] = account

    def _fill_history(self, account, data):
        """Charges and usage the seed leaves out are generated (dates from now)."""
        if data.get("charges") is not None and data.get("usage") is not None:
            return
        charges, usage = history.generate(account, self.offers)
        if data.get("charges") is None:
            account["charges"] = charges
        if data.get("usage") is None:
            account["usage"] = usage

    def _check_seeded_codes(self, account, service):
        codes = [service["tariff_code"], *service["option_codes"]]
        unknown = [code for code in codes if code not in self.offers]
        if unknown:
            raise bad_request(
                f"account {account['account']}: unknown offer codes "
                f"{', '.join(unknown)} (seed the offers first)"
            )

    def as_seed(self):
        """Everything as a seed document (for the state file)."""
        return {
            "currency": self.currency,
            "offers": list(self.offers.values()),
            "accounts": copy.deepcopy(list(self.accounts.values())),
        }

    # -- catalog ----------------------------------------------------------------
    def offer(self, code, kind):
        offer = self.offers.get(code) if isinstance(code, str) else None
        if not offer or offer["kind"] != kind or not offer["active"]:
            if kind == "tariff":
                raise Rejected("UNKNOWN_TARIFF", f"Тариф «{code}» не найден в каталоге")
            raise Rejected("UNKNOWN_OPTION", f"Опция «{code}» не найдена в каталоге")
        return offer

    def offer_name(self, code):
        offer = self.offers.get(code)
        return f"«{offer['name']}»" if offer else f"«{code}»"

    # -- accounts ---------------------------------------------------------------
    def find_account(self, key):
        """The account by its number (LS…) or its billing reference, or None."""
        account = self.accounts.get(key)
        if account:
            return account
        for candidate in self.accounts.values():
            if key and candidate.get("billing_reference") == key:
                return candidate
        return None

    def open_account(self, number, holder=None):
        """A new empty account: activations open the accounts billing lacks."""
        if not re.fullmatch(r"[\w./-]{1,64}", number or ""):
            raise Rejected("INVALID_ACCOUNT", f"Неверный номер счёта «{number}»")
        account = normalize_account(
            {"account": number, "holder": holder, "charges": [], "usage": []},
            self.currency,
        )
        self.accounts[number] = account
        return account

    def live_service_of_msisdn(self, msisdn):
        for account in self.accounts.values():
            for service in account["services"]:
                if service["msisdn"] == msisdn and service["status"] in LIVE_STATUSES:
                    return account, service
        return None, None

    def find_service(self, account, msisdn, service_type=None):
        """The service an order targets: by MSISDN, else the only live line of
        ``service_type`` without MSISDN (home internet, TV…)."""
        if msisdn:
            matches = [s for s in account["services"] if s["msisdn"] == msisdn]
            live = [s for s in matches if s["status"] in LIVE_STATUSES]
            if live or matches:
                return (live or matches)[-1]
            raise Rejected(
                "UNKNOWN_MSISDN",
                f"Номер {msisdn} не найден на лицевом счёте {account['account']}",
            )
        candidates = [
            service
            for service in account["services"]
            if not service["msisdn"]
            and service["status"] in LIVE_STATUSES
            and service_type in (None, service["service_type"])
        ]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise Rejected(
                "UNKNOWN_SERVICE",
                f"На лицевом счёте {account['account']} нет такой услуги: "
                "укажите номер (msisdn)",
            )
        raise Rejected(
            "AMBIGUOUS_SERVICE",
            f"На лицевом счёте {account['account']} несколько услуг без номера: "
            "укажите payload.service_type",
        )

    def refresh_status(self, account):
        """Closed when every service is terminated, active again on a new one."""
        services = account["services"]
        if services and all(s["status"] == "terminated" for s in services):
            account["status"] = "closed"
        elif account["status"] == "closed":
            account["status"] = "active"

    def receive_payment(self, account, amount, when=None):
        """Credit a payment; a paid debt lifts the debt blocks and restrictions."""
        account["balance"] = money(account["balance"] + amount)
        if account["balance"] >= 0:
            account["restrictions"] = []
            for service in account["services"]:
                if service["status"] == "blocked" and service["block_reason"] == "debt":
                    service["status"] = "active"
                    service["block_reason"] = None
        account["charges"].insert(
            0,
            {
                "date": when or now_iso(),
                "amount": money(-amount),
                "description": "Платёж: пополнение лицевого счёта",
                "msisdn": None,
            },
        )


# -- views (the contract's shapes) ---------------------------------------------------
def debt(account):
    return money(max(0.0, -account["balance"]))


def account_view(account):
    return {
        "account": account["account"],
        "billing_reference": account.get("billing_reference"),
        "holder": account.get("holder"),
        "balance": money(account["balance"]),
        "currency": account["currency"],
        "credit_limit": money(account["credit_limit"]),
        "debt": debt(account),
        "restrictions": list(account["restrictions"]),
        "status": account["status"],
        "services": [service_view(service) for service in account["services"]],
        "adjustments": copy.deepcopy(account.get("adjustments") or []),
    }


def service_view(service):
    return {
        "msisdn": service["msisdn"],
        "tariff_code": service["tariff_code"],
        "option_codes": list(service["option_codes"]),
        "status": service["status"],
        "service_type": service["service_type"],
        "block_reason": service["block_reason"],
        "iccid": service.get("iccid"),
    }


# -- normalization of seed data -------------------------------------------------------
def normalize_offer(data, currency):
    if not isinstance(data, dict) or not data.get("code") or not data.get("name"):
        raise bad_request("every offer needs a code and a name")
    if data.get("kind") not in OFFER_KINDS:
        raise bad_request(f"offer {data['code']}: kind must be tariff or option")
    return {
        "code": data["code"],
        "name": data["name"],
        "kind": data["kind"],
        "service_type": data.get("service_type") or "mobile",
        "monthly_fee": money(data.get("monthly_fee") or 0),
        "currency": data.get("currency") or currency,
        "included_minutes": int(data.get("included_minutes") or 0),
        "included_sms": int(data.get("included_sms") or 0),
        "included_data_gb": float(data.get("included_data_gb") or 0),
        "compatible_options": list(data.get("compatible_options") or []),
        "active": bool(data.get("active", True)),
        "description": data.get("description") or "",
    }


def normalize_account(data, currency):
    if not isinstance(data, dict) or not data.get("account"):
        raise bad_request("every account needs its number in 'account'")
    status = data.get("status") or "active"
    if status not in ACCOUNT_STATUSES:
        raise bad_request(f"account {data['account']}: unknown status {status}")
    try:
        balance = money(data.get("balance") or 0)
        credit_limit = money(data.get("credit_limit") or 0)
    except (TypeError, ValueError) as error:
        raise bad_request(f"account {data['account']}: bad amount") from error
    return {
        "account": str(data["account"]),
        "billing_reference": data.get("billing_reference"),
        "holder": data.get("holder"),
        "region": data.get("region"),
        "currency": data.get("currency") or currency,
        "balance": balance,
        "credit_limit": credit_limit,
        "restrictions": list(data.get("restrictions") or []),
        "status": status,
        "billing_day": int(data.get("billing_day") or 1),
        "services": [
            normalize_service(service, data["account"])
            for service in data.get("services") or []
        ],
        "charges": list(data.get("charges") or []),
        "usage": list(data.get("usage") or []),
        "adjustments": list(data.get("adjustments") or []),
    }


def normalize_service(data, account_number):
    if not isinstance(data, dict) or not data.get("tariff_code"):
        raise bad_request(f"account {account_number}: every service needs tariff_code")
    status = data.get("status") or "active"
    if status not in SERVICE_STATUSES:
        raise bad_request(f"account {account_number}: unknown service status {status}")
    return {
        "msisdn": normalize_msisdn(data.get("msisdn")),
        "service_type": data.get("service_type") or "mobile",
        "tariff_code": data["tariff_code"],
        "option_codes": list(data.get("option_codes") or []),
        "status": status,
        "block_reason": data.get("block_reason") if status == "blocked" else None,
        "iccid": data.get("iccid"),
        "address": data.get("address"),
        # the line's terms (YYYY-MM-DD), given back with its monthly summaries
        "commitment_end": data.get("commitment_end"),
        "promotion_name": data.get("promotion_name"),
        "promotion_end": data.get("promotion_end"),
    }
