"""Build the simulator's seed from the CRM's demo data, so both tell the same story.

    python3 -m simulator.seed_from_demo > simulator/seed.json

Reads addons/telecom_subscriber/demo/*.xml: the catalog (billing codes, fees,
allowances, compatible options), the accounts (numbered LS000000001… in the order
the demo creates them: the `telecom.account` sequence), and the requests, replayed
the way the demo replays them (completed at submission unless the company's
"complete at submission" switch is off, the type needs review, or the request is
future-dated; completed later by action_complete). Balances are invented but
stable; a line blocked for debt gets the debt its block request states.
"""

import argparse
import json
import random
import re
import sys
from pathlib import Path
from xml.etree import ElementTree

DEMO_DIR = Path(__file__).resolve().parent.parent / "addons/telecom_subscriber/demo"
REF = re.compile(r"ref\('([\w.]+)'\)")
SERVICE_OF = re.compile(r"obj\(ref\('([\w.]+)'\)\)\.service_id")
DEBT_AMOUNT = re.compile(r"(\d[\d\s\u00a0]*)\s*₽")
REVIEWED_TYPES = ("claim", "port_in", "port_out", "termination")
# offers billing has and the demo catalog has not: an archived tariff and a new one
BILLING_ONLY_OFFERS = [
    {
        "code": "TAR-MOB-START19",
        "name": "Старт 2019 (архивный)",
        "kind": "tariff",
        "service_type": "mobile",
        "monthly_fee": 300.0,
        "included_minutes": 200,
        "included_sms": 50,
        "included_data_gb": 5.0,
        "active": False,
        "description": "Закрыт для подключения с 2023 года.",
    },
    {
        "code": "TAR-MOB-SMART",
        "name": "Смарт",
        "kind": "tariff",
        "service_type": "mobile",
        "monthly_fee": 650.0,
        "included_minutes": 800,
        "included_sms": 200,
        "included_data_gb": 25.0,
        "compatible_options": ["OPT-MOB-ROAM", "OPT-MOB-10GB", "OPT-MOB-MUSIC"],
        "active": True,
        "description": "Новый тариф биллинга: 800 минут, 200 SMS и 25 ГБ.",
    },
]


def fields_of(record):
    """{field name: text, or the eval expression} of an XML <record>."""
    values = {}
    for field in record.iter("field"):
        values[field.get("name")] = field.get("ref") or field.get("eval") or field.text
    return values


def _number(expression):
    return float(re.sub(r"[^\d.]", "", expression or "0") or 0)


# -- catalog ---------------------------------------------------------------------------
def read_catalog(path):
    """(offers, {xml id: billing code})."""
    products = [
        (record.get("id"), fields_of(record))
        for record in ElementTree.parse(path).getroot().iter("record")
        if record.get("model") == "product.product"
    ]
    codes = {xml_id: values["telecom_billing_code"] for xml_id, values in products}
    offers = [_offer(values, codes) for _xml_id, values in products]
    for offer in offers:
        if offer["kind"] == "tariff" and not offer["compatible_options"]:
            offer["compatible_options"] = [
                other["code"]
                for other in offers
                if other["kind"] == "option"
                and other["service_type"] == offer["service_type"]
            ]
    return offers + BILLING_ONLY_OFFERS, codes


def _offer(values, codes):
    compatible = REF.findall(values.get("telecom_compatible_option_ids") or "")
    return {
        "code": values["telecom_billing_code"],
        "name": values["name"],
        "kind": values["telecom_kind"],
        "service_type": values["telecom_service_type"],
        "monthly_fee": _number(values.get("telecom_monthly_fee")),
        "included_minutes": int(_number(values.get("telecom_included_minutes"))),
        "included_sms": int(_number(values.get("telecom_included_sms"))),
        "included_data_gb": _number(values.get("telecom_included_data_gb")),
        "compatible_options": [codes[ref] for ref in compatible],
        "active": True,
        "description": values.get("description_sale") or "",
    }


def read_regions(path):
    return {
        record.get("id"): fields_of(record).get("code")
        for record in ElementTree.parse(path).getroot().iter("record")
    }


# -- subscribers: replay of the demo ---------------------------------------------------
class DemoReplay:
    def __init__(self, offers, codes, regions):
        self.offers = {offer["code"]: offer for offer in offers}
        self.codes = codes
        self.regions = regions
        self.partners = {}
        self.accounts = {}  # xml id -> seed account
        self.requests = {}  # xml id -> fields
        self.services = {}  # xml id of the request that opened it -> service
        self.debts = {}  # account number -> amount owed
        self.auto_complete = True

    def run(self, path):
        for node in ElementTree.parse(path).getroot():
            if node.tag == "record":
                self._record(node)
            elif node.tag == "function":
                self._function(node)
        return [self._finished(account) for account in self.accounts.values()]

    def _record(self, node):
        model, values = node.get("model"), fields_of(node)
        if model == "res.partner":
            self.partners[node.get("id")] = values
        elif model == "telecom.account":
            self._open_account(node.get("id"), values)
        elif model == "telecom.request":
            self.requests[node.get("id")] = values

    def _open_account(self, xml_id, values):
        partner = self.partners.get(values["partner_id"], {})
        self.accounts[xml_id] = {
            "account": f"LS{len(self.accounts) + 1:09d}",
            "billing_reference": values.get("billing_reference"),
            "holder": partner.get("name"),
            "region": self.regions.get(partner.get("telecom_region_id")),
            "billing_day": int(_number(values.get("billing_day")) or 1),
            "is_company": bool(partner.get("is_company")),
            "vip": partner.get("telecom_segment") == "vip",
            "services": [],
        }

    def _function(self, node):
        model, method = node.get("model"), node.get("name")
        expression = node.get("eval") or ""
        if model == "res.company" and "telecom_auto_complete" in expression:
            self.auto_complete = "'telecom_auto_complete': True" in expression
            return
        refs = REF.findall(expression)
        request_id = refs[0] if refs else None
        if model != "telecom.request" or request_id not in self.requests:
            return
        request = self.requests[request_id]
        if method == "action_submit" and self._completes_on_submit(request):
            self._apply(request_id, request)
        elif method == "action_complete":
            self._apply(request_id, request)

    def _completes_on_submit(self, request):
        future = (
            "+ relativedelta" in (request.get("effective_date") or "")
            or request.get("change_timing") == "next_cycle"
        )
        return (
            self.auto_complete
            and not future
            and request["request_type"] not in REVIEWED_TYPES
        )

    def _apply(self, request_id, request):
        kind = request["request_type"]
        if kind in ("activation", "port_in"):
            self._open_service(request_id, request)
            return
        found = SERVICE_OF.search(request.get("service_id") or "")
        service = self.services.get(found.group(1)) if found else None
        if service:
            self._change_service(service, request)

    def _open_service(self, request_id, request):
        account = self.accounts[request["account_id"]]
        tariff_code = self.codes[request["tariff_id"]]
        service = {
            "msisdn": request.get("msisdn"),
            "service_type": request.get("new_service_type") or "mobile",
            "tariff_code": tariff_code,
            "option_codes": [
                self.codes[r] for r in REF.findall(request.get("option_ids") or "")
            ],
            "status": "active",
            "iccid": request.get("iccid"),
            "address": request.get("installation_address"),
            "account": account["account"],
        }
        account["services"].append(service)
        self.services[request_id] = service

    def _change_service(self, service, request):
        kind = request["request_type"]
        if kind == "tariff_change":  # billing drops the options the tariff refuses
            tariff = self.offers[self.codes[request["tariff_id"]]]
            service["tariff_code"] = tariff["code"]
            service["option_codes"] = [
                code
                for code in service["option_codes"]
                if code in tariff["compatible_options"]
            ]
        elif kind == "option_change":
            code = self.codes[request["option_id"]]
            if request.get("option_action") == "remove":
                service["option_codes"] = [
                    c for c in service["option_codes"] if c != code
                ]
            elif code not in service["option_codes"]:
                service["option_codes"].append(code)
        elif kind == "block":
            service.update(status="blocked", block_reason=request.get("block_reason"))
            if request.get("block_reason") == "debt":
                found = DEBT_AMOUNT.search(request.get("reason") or "")
                owed = _number(found.group(1)) if found else 1500.0
                self.debts[service["account"]] = owed
        elif kind == "unblock":
            service.update(status="active", block_reason=None)
            self.debts.pop(service["account"], None)
        elif kind == "sim_swap":
            service["iccid"] = request.get("iccid") or service["iccid"]
        elif kind in ("termination", "port_out"):
            service.update(status="terminated", block_reason=None)

    def _finished(self, account):
        """The seed account: amounts invented (stable), helper keys dropped."""
        rng = random.Random(account["account"])
        is_company, vip = account.pop("is_company"), account.pop("vip")
        owed = self.debts.get(account["account"])
        if is_company:
            balance, credit_limit = rng.randint(150, 600) * 100.0, 50_000.0
        else:
            balance = round(rng.uniform(40, 1900), 2)
            credit_limit = 3000.0 if vip else float(rng.choice((0, 300, 500)))
        if owed:
            balance, credit_limit = -owed, 0.0
        for service in account["services"]:
            service.pop("account")
        services = account["services"]
        closed = services and all(s["status"] == "terminated" for s in services)
        return {
            **account,
            "balance": balance,
            "currency": "RUB",
            "credit_limit": credit_limit,
            "restrictions": ["outgoing_calls", "outgoing_sms"] if owed else [],
            "status": "closed" if closed else "active",
        }


def build_seed(demo_dir):
    offers, codes = read_catalog(demo_dir / "telecom_catalog_demo.xml")
    regions = read_regions(demo_dir / "telecom_region_demo.xml")
    accounts = DemoReplay(offers, codes, regions).run(
        demo_dir / "telecom_subscriber_demo.xml"
    )
    return {
        "description": "Demo billing of «Телеком Демо», built from the demo data "
        "of telecom_subscriber by python3 -m simulator.seed_from_demo",
        "currency": "RUB",
        "offers": offers,
        "accounts": accounts,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-dir", type=Path, default=DEMO_DIR)
    args = parser.parse_args(argv)
    json.dump(build_seed(args.demo_dir), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
