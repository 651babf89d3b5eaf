"""End-to-end: a front office and an integration drive telecom_subscriber over HTTP."""

import datetime
import uuid

import pytest
from conftest import OdooRPC, OdooRPCError


def _luhn_digit(body):
    for digit in "0123456789":
        total = 0
        for index, char in enumerate(reversed(body + digit)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return digit
    raise AssertionError(body)


def _unique_line():
    serial = uuid.uuid4().int % 10**7
    body = f"897099{serial:012d}"
    return f"+7995{serial:07d}", body + _luhn_digit(body)


@pytest.fixture(scope="module")
def zone(rpc):
    code = f"E2E-{uuid.uuid4().hex[:6]}"
    return rpc("telecom.region", "create", {"name": "E2E zone", "code": code})


@pytest.fixture(scope="module")
def tariffs(rpc):
    def tariff(name):
        return rpc(
            "product.product",
            "create",
            {
                "name": name,
                "type": "service",
                "telecom_kind": "tariff",
                "telecom_service_type": "mobile",
                "telecom_billing_code": f"E2E-{uuid.uuid4().hex[:8]}",
            },
        )

    return tariff("E2E Basic"), tariff("E2E Unlimited")


@pytest.fixture(scope="module")
def agent(rpc, odoo_url, odoo_db, zone):
    """A front-office agent of the e2e zone, logged in over JSON-RPC."""
    login = f"e2e.front.{uuid.uuid4().hex[:6]}"
    group = rpc(
        "ir.model.data",
        "check_object_reference",
        "telecom_subscriber",
        "telecom_subscriber_group_front_office",
    )[1]
    rpc(
        "res.users",
        "create",
        {
            "name": "E2E Front Office",
            "login": login,
            "password": login,
            "groups_id": [(6, 0, [group])],
            "telecom_region_ids": [(6, 0, [zone])],
        },
    )
    return OdooRPC(odoo_url, odoo_db, login, login)


def _new_subscriber(agent, zone, name="E2E Subscriber"):
    partner = agent(
        "res.partner",
        "create",
        {"name": name, "telecom_is_subscriber": True, "telecom_region_id": zone},
    )
    account = agent("telecom.account", "create", {"partner_id": partner})
    return partner, account


def _activate(agent, partner, account, tariff):
    msisdn, iccid = _unique_line()
    request = agent(
        "telecom.request",
        "create",
        {
            "request_type": "activation",
            "partner_id": partner,
            "account_id": account,
            "tariff_id": tariff,
            "msisdn": msisdn,
            "iccid": iccid,
        },
    )
    agent("telecom.request", "action_submit", [request])
    [values] = agent("telecom.request", "read", [request], ["state", "service_id"])
    return values, msisdn


def test_login_page_is_served(http, odoo_url):
    response = http.get(f"{odoo_url}/web/login", timeout=30)
    assert response.status_code == 200
    assert 'name="login"' in response.text


def test_front_office_lifecycle_over_rpc(agent, zone, tariffs):
    basic, unlimited = tariffs
    partner, account = _new_subscriber(agent, zone)
    activation, msisdn = _activate(agent, partner, account, basic)
    assert activation["state"] == "done"
    service_id = activation["service_id"][0]

    # the agent finds the subscriber by number, in national format
    national = "8" + msisdn[2:]
    assert agent("res.partner", "search", [("telecom_lookup", "=", national)]) == [
        partner
    ]

    change = agent(
        "telecom.request",
        "create",
        {
            "request_type": "tariff_change",
            "partner_id": partner,
            "service_id": service_id,
            "tariff_id": unlimited,
        },
    )
    agent("telecom.request", "action_submit", [change])
    [service] = agent("telecom.service", "read", [service_id], ["tariff_id", "state"])
    assert (service["tariff_id"][0], service["state"]) == (unlimited, "active")

    events = agent(
        "telecom.event",
        "search_read",
        [("request_id", "=", change)],
        ["event_type", "payload"],
        order="id",
    )
    assert [event["event_type"] for event in events] == [
        "request.submitted",
        "request.done",
    ]
    timeline = agent(
        "telecom.interaction", "search_count", [("partner_id", "=", partner)]
    )
    assert timeline == 4  # activation and tariff change, submitted and done


def test_bad_input_gets_a_clear_error_and_changes_nothing(agent, zone, tariffs):
    basic, _unlimited = tariffs
    partner, account = _new_subscriber(agent, zone, "E2E Porting")
    msisdn, iccid = _unique_line()
    too_soon = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    donor = agent("telecom.operator", "search", [("is_own", "=", False)], limit=1)
    if not donor:
        pytest.skip("no other operator in the database")
    port_in = agent(
        "telecom.request",
        "create",
        {
            "request_type": "port_in",
            "partner_id": partner,
            "account_id": account,
            "tariff_id": basic,
            "msisdn": msisdn,
            "iccid": iccid,
            "donor_operator_id": donor[0],
            "effective_date": too_soon,
        },
    )
    with pytest.raises(OdooRPCError, match="porting date") as error:
        agent("telecom.request", "action_submit", [port_in])
    assert error.value.name == "odoo.exceptions.UserError"
    [request] = agent("telecom.request", "read", [port_in], ["state", "service_id"])
    assert (request["state"], request["service_id"]) == ("draft", False)

    with pytest.raises(OdooRPCError, match="not a valid phone number"):
        agent("res.partner", "write", [partner], {"mobile": "+7 123"})


def test_agent_does_not_see_other_zones(rpc, agent, tariffs):
    other_zone = rpc(
        "telecom.region",
        "create",
        {"name": "Other", "code": f"E2E-O-{uuid.uuid4().hex[:6]}"},
    )
    partner, account = _new_subscriber(rpc, other_zone, "E2E Other Zone")
    assert agent("res.partner", "search", [("id", "=", partner)]) == []
    with pytest.raises(OdooRPCError) as error:
        agent("telecom.account", "read", [account], ["name"])
    assert error.value.name == "odoo.exceptions.AccessError"


def test_integration_records_interactions(rpc, odoo_url, odoo_db, agent, zone, tariffs):
    basic, _unlimited = tariffs
    partner, account = _new_subscriber(agent, zone, "E2E Contact Centre")
    _activation, msisdn = _activate(agent, partner, account, basic)
    login = f"e2e.integration.{uuid.uuid4().hex[:6]}"
    group = rpc(
        "ir.model.data",
        "check_object_reference",
        "telecom_subscriber",
        "telecom_subscriber_group_integration",
    )[1]
    rpc(
        "res.users",
        "create",
        {
            "name": "Contact centre",
            "login": login,
            "password": login,
            "groups_id": [(6, 0, [group])],
        },
    )
    integration = OdooRPC(odoo_url, odoo_db, login, login)
    payload = {
        "msisdn": msisdn,
        "channel": "call",
        "summary": "Asked about the bill",
        "outcome": "resolved",
        "external_reference": f"cc-{uuid.uuid4().hex}",
    }
    first = integration("telecom.interaction", "api_record", [payload])
    again = integration("telecom.interaction", "api_record", [payload])
    assert first == again, "a resent contact is recorded once"
    [contact] = agent(
        "telecom.interaction", "read", first, ["partner_id", "channel", "service_id"]
    )
    assert contact["partner_id"][0] == partner
    assert contact["channel"] == "call"
    assert contact["service_id"]
