"""SOAP 1.1 billing endpoint: the WSDL, safe request parsing, answers and faults.

Requests are parsed with lxml without entity resolution, DTD loading or network
access, and a request carrying a DOCTYPE is refused. Business refusals are Faults
with faultcode soap:Client.Rejected and a tns:BillingFault detail (code, message);
malformed requests soap:Client.BadRequest; server trouble soap:Server.*.
"""

import json
from pathlib import Path
from string import Template
from xml.sax.saxutils import quoteattr

from lxml import etree

from .errors import ApiError
from .history import LINE_TERMS, MAX_MONTHS
from .web import BUSINESS, PLAIN, XML_TYPE, Response

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TNS = "urn:telecom:billing:v1"
WSDL_PATH = Path(__file__).with_name("billing.wsdl")
MAX_CHARGES = 1000
# HTTP status of an ApiError -> SOAP faultcode (under soap:)
FAULT_CODES = {
    400: "Client.BadRequest",
    401: "Client.Unauthorized",
    404: "Client.NotFound",
    405: "Client.BadRequest",
    413: "Client.BadRequest",
    503: "Server.Unavailable",
}


class SoapFault(Exception):
    def __init__(self, code, message, detail_code=None, status=500):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail_code = detail_code
        self.status = status


class SoapApi:
    def __init__(self, state):
        self.state = state
        self.wsdl_template = Template(WSDL_PATH.read_text(encoding="utf-8"))
        self.operations = {
            "GetAccountBalance": self.get_account_balance,
            "GetCharges": self.get_charges,
            "GetMonthlyUsage": self.get_monthly_usage,
            "SubmitOrder": self.submit_order,
            "PostAdjustment": self.post_adjustment,
        }

    def register(self, router):
        # the WSDL is always served, knobs or not: a client can be built while
        # billing misbehaves, and only its calls fail
        router.add("GET", "/soap/billing", self.wsdl, kind=PLAIN, protocol="soap")
        router.add(
            "POST",
            "/soap/billing",
            self.call,
            kind=BUSINESS,
            auth="basic",
            protocol="soap",
        )

    def wsdl(self, request):
        if "wsdl" not in {name.lower() for name in request.query}:
            raise ApiError(400, "BAD_REQUEST", "GET /soap/billing?wsdl for the WSDL")
        host = request.headers.get("Host") or "127.0.0.1:8090"
        location = quoteattr(f"http://{host}/soap/billing")[1:-1]
        text = self.wsdl_template.substitute(location=location)
        return Response(200, text.encode(), XML_TYPE)

    def call(self, request):
        try:
            name, fields = parse_request(request.body)
            operation = self.operations.get(name)
            if not operation:
                raise SoapFault("Client.BadRequest", f"unknown operation {name}")
            self.state.count_call(f"SOAP {name}")
            return envelope(operation(fields))
        except SoapFault as fault:
            return fault_response(fault)

    # -- operations ---------------------------------------------------------------
    def get_account_balance(self, fields):
        account = self.state.account(_required(fields, "account"))
        if account is None:
            raise _unknown_account(fields["account"])
        answer = _tns("GetAccountBalanceResponse")
        _add(answer, "account", account["account"])
        _add(answer, "balance", f"{account['balance']:.2f}")
        _add(answer, "currency", account["currency"])
        _add(answer, "credit_limit", f"{account['credit_limit']:.2f}")
        _add(answer, "debt", f"{account['debt']:.2f}")
        for restriction in account["restrictions"]:
            _add(answer, "restrictions", restriction)
        return answer

    def get_charges(self, fields):
        limit = _limit(fields.get("limit"))
        charges = self.state.history(_required(fields, "account"), "charges", limit)
        if charges is None:
            raise _unknown_account(fields["account"])
        answer = _tns("GetChargesResponse")
        for charge in charges:
            item = _add(answer, "charge")
            _add(item, "date", charge["date"])
            _add(item, "amount", f"{charge['amount']:.2f}")
            _add(item, "description", charge["description"])
            if charge.get("msisdn"):
                _add(item, "msisdn", charge["msisdn"])
        return answer

    def get_monthly_usage(self, fields):
        months = _limit(
            fields.get("months"), default=6, maximum=MAX_MONTHS, name="months"
        )
        items = self.state.monthly_usage(_required(fields, "account"), months)
        if items is None:
            raise _unknown_account(fields["account"])
        answer = _tns("GetMonthlyUsageResponse")
        for summary in items:
            item = _add(answer, "month")
            _add(item, "month", summary["month"])
            if summary.get("msisdn"):
                _add(item, "msisdn", summary["msisdn"])
            _add(item, "service_type", summary["service_type"])
            for name in ("data_mb", "voice_minutes", "roaming_mb"):
                _add(item, name, f"{summary[name]:.1f}")
            _add(item, "sms_count", summary["sms_count"])
            for name in ("charged_amount", "paid_amount", "debt_amount"):
                _add(item, name, f"{summary[name]:.2f}")
            _add(item, "paid_late", "true" if summary["paid_late"] else "false")
            if summary.get("device_type"):
                _add(item, "device_type", summary["device_type"])
            if summary.get("device_os"):
                _add(item, "device_os", summary["device_os"])
            _add(item, "device_5g", "true" if summary["device_5g"] else "false")
            for name in LINE_TERMS:
                if summary.get(name):
                    _add(item, name, summary[name])
        return answer

    def submit_order(self, fields):
        key = _required(fields, "idempotency_key")
        data = {
            "operation": fields.get("operation"),
            "account": fields.get("account"),
            "msisdn": fields.get("msisdn"),
            "payload": _payload(fields.get("payload_json")),
        }
        order, _replayed = self.state.submit_order(key, data)
        if order["status"] == "rejected":
            raise SoapFault("Client.Rejected", order["message"], order["reason"])
        answer = _tns("SubmitOrderResponse")
        _add(answer, "order_id", order["order_id"])
        _add(answer, "status", order["status"])
        _add(answer, "message", order["message"])
        return answer

    def post_adjustment(self, fields):
        key = _required(fields, "external_reference")
        data = {
            name: fields.get(name) or None
            for name in ("amount", "currency", "reason", "period")
        }
        adjustment, _replayed = self.state.post_adjustment(
            key, _required(fields, "account"), data
        )
        if adjustment["status"] == "rejected":
            raise SoapFault(
                "Client.Rejected", adjustment["message"], adjustment["refusal"]
            )
        answer = _tns("PostAdjustmentResponse")
        _add(answer, "adjustment_id", adjustment["adjustment_id"])
        _add(answer, "status", adjustment["status"])
        _add(answer, "amount", f"{adjustment['amount']:.2f}")
        _add(answer, "currency", adjustment["currency"])
        _add(answer, "message", adjustment["message"])
        return answer


# -- request parsing ------------------------------------------------------------------
def parse_request(body):
    """(operation name, {field: text}) of a SOAP 1.1 document/literal request."""
    parser = etree.XMLParser(  # one per call: lxml parsers are not shared
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        raise SoapFault(
            "Client.BadRequest", f"the request is not XML: {error}"
        ) from None
    if root.getroottree().docinfo.doctype:
        raise SoapFault("Client.BadRequest", "DOCTYPE declarations are refused")
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapFault("VersionMismatch", "a SOAP 1.1 Envelope is expected")
    body_node = root.find(f"{{{SOAP_ENV}}}Body")
    operation = _first_element(body_node)
    if operation is None or etree.QName(operation).namespace != TNS:
        raise SoapFault("Client.BadRequest", f"the Body must hold one {TNS} element")
    fields = {
        etree.QName(child).localname: (child.text or "").strip()
        for child in operation
        if isinstance(child.tag, str)
    }
    return etree.QName(operation).localname, fields


def _first_element(node):
    if node is None:
        return None
    return next((child for child in node if isinstance(child.tag, str)), None)


def _required(fields, name):
    if not fields.get(name):
        raise SoapFault("Client.BadRequest", f"{name} is required")
    return fields[name]


def _limit(raw, default=20, maximum=MAX_CHARGES, name="limit"):
    if not raw:
        return default
    try:
        limit = int(raw)
    except ValueError:
        raise SoapFault("Client.BadRequest", f"{name} must be an integer") from None
    if not 0 < limit <= maximum:
        raise SoapFault("Client.BadRequest", f"{name} must be between 1 and {maximum}")
    return limit


def _payload(raw):
    if not raw:
        return {}
    try:
        payload = json.loads(raw)
    except ValueError:
        raise SoapFault("Client.BadRequest", "payload_json is not valid JSON") from None
    if not isinstance(payload, dict):
        raise SoapFault("Client.BadRequest", "payload_json must be a JSON object")
    return payload


def _unknown_account(number):
    return SoapFault("Client.Rejected", f"Лицевой счёт {number} не найден", "NOT_FOUND")


# -- answers --------------------------------------------------------------------------
def _tns(name):
    return etree.Element(f"{{{TNS}}}{name}", nsmap={"tns": TNS})


def _add(parent, name, text=None):
    child = etree.SubElement(parent, f"{{{TNS}}}{name}")
    if text is not None:
        child.text = str(text)
    return child


def envelope(content, status=200):
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    etree.SubElement(root, f"{{{SOAP_ENV}}}Body").append(content)
    body = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return Response(status, body, XML_TYPE)


def fault_response(fault):
    node = etree.Element(f"{{{SOAP_ENV}}}Fault", nsmap={"soap": SOAP_ENV})
    etree.SubElement(node, "faultcode").text = f"soap:{fault.code}"
    etree.SubElement(node, "faultstring").text = fault.message
    if fault.detail_code:
        detail = _tns("BillingFault")
        _add(detail, "code", fault.detail_code)
        _add(detail, "message", fault.message)
        etree.SubElement(node, "detail").append(detail)
    return envelope(node, fault.status)


def api_error_response(error):
    """An ApiError (401, 503, 500…) of the SOAP endpoint as a SOAP Fault."""
    code = FAULT_CODES.get(error.status, "Server.Internal")
    response = fault_response(SoapFault(code, error.message, status=error.status))
    response.headers.update(error.headers)
    return response


def unavailable(message):
    return api_error_response(
        ApiError(503, "UNAVAILABLE", message, {"Retry-After": "1"})
    )
