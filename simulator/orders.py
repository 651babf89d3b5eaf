"""What each order operation does to the ledger (called under the state's lock).

Every operation either changes the ledger and returns the message billing answers,
or raises Rejected (nothing changed) with the reason and message. The payload keys
are those of telecom_subscriber's request events (tariff_code, option_codes,
option_action + option_code, block_reason, iccid, donor, recipient…).
"""

from .errors import Rejected
from .ledger import LIVE_STATUSES, MSISDN_SERVICE_TYPES, debt, normalize_msisdn

OPERATIONS = (
    "activation",
    "tariff_change",
    "option_change",
    "block",
    "unblock",
    "sim_swap",
    "termination",
    "port_in",
    "port_out",
    "owner_change",
    "number_change",
    "relocation",
    "renewal",
)
OPENING_OPERATIONS = ("activation", "port_in")  # they may open a new account
BLOCK_REASONS = ("voluntary", "lost_sim", "debt", "fraud")


def apply_order(ledger, order):
    """Apply ``order`` (operation, account, msisdn, payload) to ``ledger``."""
    operation = order["operation"]
    if operation not in OPERATIONS:
        raise Rejected(
            "INVALID_OPERATION",
            f"Неизвестная операция «{operation}»; допустимы: {', '.join(OPERATIONS)}",
        )
    if operation in OPENING_OPERATIONS:
        return _open_line(ledger, order)
    account = _existing_account(ledger, order["account"])
    service_type = _target_service_type(ledger, order["payload"])
    service = ledger.find_service(account, order["msisdn"], service_type)
    message = _SERVICE_OPERATIONS[operation](ledger, account, service, order["payload"])
    ledger.refresh_status(account)
    return message


def _target_service_type(ledger, payload):
    """The type of line an order without MSISDN targets: payload.service_type,
    else the type of the tariff or option it names."""
    if payload.get("service_type"):
        return payload["service_type"]
    codes = [payload.get("tariff_code"), payload.get("option_code")]
    if isinstance(payload.get("option_codes"), list):
        codes += payload["option_codes"]
    for code in codes:
        offer = ledger.offers.get(code) if isinstance(code, str) else None
        if offer:
            return offer["service_type"]
    return None


def _existing_account(ledger, number):
    account = ledger.find_account(number)
    if not account:
        raise Rejected("UNKNOWN_ACCOUNT", f"Лицевой счёт {number} не найден в биллинге")
    return account


# -- new lines: activation and port-in ------------------------------------------------
def _open_line(ledger, order):
    payload = order["payload"]
    tariff = ledger.offer(payload.get("tariff_code"), "tariff")
    option_codes = _option_codes(payload)
    for code in option_codes:
        _check_option_fits(ledger, tariff, ledger.offer(code, "option"))
    msisdn = order["msisdn"]
    _check_new_number(ledger, order["operation"], tariff, msisdn)
    account = ledger.find_account(order["account"]) or ledger.open_account(
        order["account"], payload.get("holder")
    )
    service = {
        "msisdn": msisdn,
        "service_type": tariff["service_type"],
        "tariff_code": tariff["code"],
        "option_codes": option_codes,
        "status": "active",
        "block_reason": None,
        "iccid": payload.get("iccid"),
        "address": payload.get("installation_address"),
    }
    if order["operation"] == "port_in":
        service["ported_from"] = payload.get("donor")
    account["services"].append(service)
    ledger.refresh_status(account)
    verb = "перенесён в сеть" if order["operation"] == "port_in" else "подключён"
    line = msisdn or tariff["service_type"]
    return f"{line} {verb}: тариф {ledger.offer_name(tariff['code'])}"


def _option_codes(payload):
    codes = payload.get("option_codes") or []
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise Rejected("INVALID_PAYLOAD", "option_codes должен быть списком кодов")
    return list(dict.fromkeys(codes))


def _check_new_number(ledger, operation, tariff, msisdn):
    if operation == "port_in" and tariff["service_type"] != "mobile":
        raise Rejected("INVALID_OPERATION", "Перенести можно только мобильный номер")
    if tariff["service_type"] in MSISDN_SERVICE_TYPES and not msisdn:
        raise Rejected("MISSING_FIELD", "Укажите номер (msisdn) новой линии")
    holder_account, _service = ledger.live_service_of_msisdn(msisdn)
    if msisdn and holder_account:
        raise Rejected(
            "MSISDN_IN_USE",
            f"Номер {msisdn} уже обслуживается (лицевой счёт "
            f"{holder_account['account']})",
        )


def _check_option_fits(ledger, tariff, option):
    if option["service_type"] != tariff["service_type"] or (
        tariff["compatible_options"]
        and option["code"] not in tariff["compatible_options"]
    ):
        raise Rejected(
            "INCOMPATIBLE_OPTION",
            f"Опция {ledger.offer_name(option['code'])} недоступна на тарифе "
            f"{ledger.offer_name(tariff['code'])}",
        )


# -- changes of an existing line ------------------------------------------------------
def _require_live(service):
    if service["status"] not in LIVE_STATUSES:
        raise Rejected("INVALID_STATE", f"Услуга {_label(service)} уже отключена")


def _require_not_debt_blocked(account, service):
    _require_live(service)
    if service["status"] == "blocked" and service["block_reason"] == "debt":
        raise _debt_blocked(account, service)


def _debt_blocked(account, service):
    return Rejected(
        "DEBT_BLOCKED",
        f"Линия {_label(service)} заблокирована за задолженность "
        f"{debt(account):.2f} ₽: сначала погасите долг",
    )


def _label(service):
    return service["msisdn"] or service["service_type"]


def _tariff_change(ledger, account, service, payload):
    _require_not_debt_blocked(account, service)
    tariff = ledger.offer(payload.get("tariff_code"), "tariff")
    if tariff["service_type"] != service["service_type"]:
        raise Rejected(
            "INCOMPATIBLE_TARIFF",
            f"Тариф {ledger.offer_name(tariff['code'])} не для услуг типа "
            f"{service['service_type']}",
        )
    if tariff["code"] == service["tariff_code"]:
        raise Rejected(
            "INVALID_STATE", f"Тариф {ledger.offer_name(tariff['code'])} уже подключён"
        )
    kept, removed = [], []
    for code in service["option_codes"]:
        fits = not tariff["compatible_options"] or code in tariff["compatible_options"]
        (kept if fits else removed).append(code)
    service["tariff_code"] = tariff["code"]
    service["option_codes"] = kept
    message = (
        f"Тариф {ledger.offer_name(tariff['code'])} подключён на {_label(service)}"
    )
    if removed:
        names = ", ".join(ledger.offer_name(code) for code in removed)
        message += f"; отключены несовместимые опции: {names}"
    return message


def _option_change(ledger, account, service, payload):
    _require_not_debt_blocked(account, service)
    action = payload.get("option_action") or payload.get("action") or "add"
    codes = _option_codes(payload) or [payload.get("option_code")]
    if action not in ("add", "remove"):
        raise Rejected("INVALID_OPERATION", f"Неизвестное действие с опцией «{action}»")
    tariff = ledger.offer(service["tariff_code"], "tariff")
    options = [ledger.offer(code, "option") for code in codes]
    for option in options:  # check them all before changing anything
        if action == "add":
            _check_can_add(ledger, tariff, service, option)
        else:
            _check_can_remove(ledger, service, option)
    for option in options:
        if action == "add":
            service["option_codes"].append(option["code"])
        else:
            service["option_codes"].remove(option["code"])
    names = ", ".join(ledger.offer_name(code) for code in codes)
    verb = "подключена" if action == "add" else "отключена"
    return f"Опция {names} {verb} на {_label(service)}"


def _check_can_add(ledger, tariff, service, option):
    _check_option_fits(ledger, tariff, option)
    if option["code"] in service["option_codes"]:
        raise Rejected(
            "INVALID_STATE", f"Опция {ledger.offer_name(option['code'])} уже подключена"
        )


def _check_can_remove(ledger, service, option):
    if option["code"] not in service["option_codes"]:
        raise Rejected(
            "INVALID_STATE", f"Опция {ledger.offer_name(option['code'])} не подключена"
        )


def _block(ledger, account, service, payload):
    _require_live(service)
    reason = payload.get("block_reason") or "voluntary"
    if reason not in BLOCK_REASONS:
        raise Rejected(
            "INVALID_OPERATION", f"Неизвестная причина блокировки «{reason}»"
        )
    if service["status"] == "blocked":
        raise Rejected("INVALID_STATE", f"Линия {_label(service)} уже заблокирована")
    service["status"] = "blocked"
    service["block_reason"] = reason
    return f"Линия {_label(service)} заблокирована ({reason})"


def _unblock(ledger, account, service, payload):
    if service["status"] != "blocked":
        raise Rejected("INVALID_STATE", f"Линия {_label(service)} не заблокирована")
    if service["block_reason"] == "debt" and debt(account):
        raise _debt_blocked(account, service)
    service["status"] = "active"
    service["block_reason"] = None
    return f"Линия {_label(service)} разблокирована"


def _sim_swap(ledger, account, service, payload):
    _require_live(service)
    iccid = payload.get("iccid")
    if service["service_type"] != "mobile":
        raise Rejected("INVALID_OPERATION", "SIM-карта есть только у мобильной линии")
    if not iccid or iccid == service.get("iccid"):
        raise Rejected("MISSING_FIELD", "Укажите ICCID новой SIM-карты")
    service["iccid"] = iccid
    return f"SIM-карта линии {_label(service)} заменена (ICCID {iccid})"


def _termination(ledger, account, service, payload):
    _require_live(service)
    service["status"] = "terminated"
    service["block_reason"] = None
    return f"Услуга {_label(service)} отключена"


def _port_out(ledger, account, service, payload):
    _require_live(service)
    if service["service_type"] != "mobile":
        raise Rejected("INVALID_OPERATION", "Перенести можно только мобильный номер")
    if debt(account):
        raise Rejected(
            "DEBT",
            f"Перенос номера {_label(service)} невозможен: задолженность "
            f"{debt(account):.2f} ₽",
        )
    service["status"] = "terminated"
    service["block_reason"] = None
    service["ported_to"] = payload.get("recipient")
    recipient = payload.get("recipient") or "—"
    return f"Номер {_label(service)} перенесён к оператору {recipient}"


def _owner_change(ledger, account, service, payload):
    """The line (scope ``service``) or the whole account passes to a new owner."""
    _require_not_debt_blocked(account, service)
    if debt(account):
        raise Rejected(
            "DEBT",
            f"Переоформление невозможно: задолженность {debt(account):.2f} ₽ "
            f"на лицевом счёте {account['account']}",
        )
    new_owner = payload.get("new_owner")
    if not isinstance(new_owner, dict) or not new_owner.get("name"):
        raise Rejected("MISSING_FIELD", "Укажите нового владельца (new_owner.name)")
    if payload.get("scope") == "account":
        account["holder"] = new_owner["name"]
        return f"Лицевой счёт {account['account']} переоформлен на {new_owner['name']}"
    number = payload.get("new_account")
    if not number:
        raise Rejected("MISSING_FIELD", "Укажите лицевой счёт нового владельца")
    target = ledger.find_account(number) or ledger.open_account(
        number, new_owner["name"]
    )
    if target is account:
        raise Rejected("INVALID_STATE", "Линия уже на этом лицевом счёте")
    account["services"].remove(service)
    target["services"].append(service)
    ledger.refresh_status(account)
    ledger.refresh_status(target)
    return (
        f"Услуга {_label(service)} переоформлена на {new_owner['name']} "
        f"(лицевой счёт {target['account']})"
    )


def _number_change(ledger, account, service, payload):
    _require_not_debt_blocked(account, service)
    if service["service_type"] != "mobile":
        raise Rejected("INVALID_OPERATION", "Номер меняется только у мобильной линии")
    new_msisdn = normalize_msisdn(payload.get("msisdn"))
    if not new_msisdn or new_msisdn == service["msisdn"]:
        raise Rejected("MISSING_FIELD", "Укажите новый номер (payload.msisdn)")
    holder_account, _line = ledger.live_service_of_msisdn(new_msisdn)
    if holder_account:
        raise Rejected("MSISDN_IN_USE", f"Номер {new_msisdn} уже обслуживается")
    old = service["msisdn"]
    service["msisdn"] = new_msisdn
    return f"Номер {old} заменён на {new_msisdn}"


def _relocation(ledger, account, service, payload):
    _require_not_debt_blocked(account, service)
    if service["service_type"] == "mobile":
        raise Rejected(
            "INVALID_OPERATION", "Переезд возможен только для фиксированной услуги"
        )
    if not payload.get("address"):
        raise Rejected("MISSING_FIELD", "Укажите новый адрес (payload.address)")
    service["address"] = payload["address"]
    return f"Услуга {_label(service)} перенесена по адресу {payload['address']}"


def _renewal(ledger, account, service, payload):
    _require_not_debt_blocked(account, service)
    if not payload.get("commitment_end"):
        raise Rejected("MISSING_FIELD", "Укажите новое окончание обязательств")
    message = ""
    code = payload.get("tariff_code")
    if code and code != service["tariff_code"]:
        message = "; " + _tariff_change(ledger, account, service, payload)
    service["commitment_end"] = payload["commitment_end"]
    return (
        f"Договор по услуге {_label(service)} продлён до "
        f"{payload['commitment_end']}{message}"
    )


_SERVICE_OPERATIONS = {
    "tariff_change": _tariff_change,
    "option_change": _option_change,
    "block": _block,
    "unblock": _unblock,
    "sim_swap": _sim_swap,
    "termination": _termination,
    "port_out": _port_out,
    "owner_change": _owner_change,
    "number_change": _number_change,
    "relocation": _relocation,
    "renewal": _renewal,
}


def order_from_request(data):
    """The order fields of a REST body or SOAP request (no business check yet)."""
    payload = data.get("payload")
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise Rejected("INVALID_PAYLOAD", "payload должен быть объектом JSON")
    operation = data.get("operation")
    account = data.get("account")
    if not isinstance(operation, str) or not operation:
        raise Rejected("INVALID_OPERATION", "Не указана операция (operation)")
    if not isinstance(account, str) or not account:
        raise Rejected("MISSING_FIELD", "Не указан лицевой счёт (account)")
    return {
        "operation": operation,
        "account": account,
        "msisdn": normalize_msisdn(data.get("msisdn") or payload.get("msisdn")),
        "payload": payload,
    }
