"""End-to-end: a ticket and a mass incident of telecom_helpdesk_sla over JSON-RPC."""

import uuid


def _subscriber(rpc, zone):
    partner = rpc(
        "res.partner",
        "create",
        {
            "name": f"E2E SLA {uuid.uuid4().hex[:6]}",
            "telecom_is_subscriber": True,
            "telecom_region_id": zone,
        },
    )
    return partner


def _zone(rpc):
    return rpc(
        "telecom.region",
        "create",
        {"name": "E2E SLA zone", "code": f"E2E-SLA-{uuid.uuid4().hex[:6]}"},
    )


def test_ticket_gets_sla_targets_and_explanation(rpc):
    partner = _subscriber(rpc, _zone(rpc))
    ticket_id = rpc(
        "helpdesk.ticket",
        "create",
        {
            "name": "E2E no internet",
            "description": "<p>e2e</p>",
            "partner_id": partner,
            "telecom_impact": "1",
            "telecom_urgency": "1",
        },
    )
    [ticket] = rpc(
        "helpdesk.ticket",
        "read",
        [ticket_id],
        ["priority", "sla_policy_id", "sla_status", "sla_deadline", "sla_line_ids"],
    )
    assert ticket["priority"] == "3"  # P1 from the impact × urgency matrix
    assert ticket["sla_policy_id"]
    assert ticket["sla_status"] == "on_track"
    assert ticket["sla_deadline"]
    lines = rpc(
        "telecom.sla.line", "read", ticket["sla_line_ids"], ["kind", "deadline"]
    )
    assert {line["kind"] for line in lines} >= {"first_response", "resolution"}
    assert all(line["deadline"] for line in lines)
    [explained] = rpc("helpdesk.ticket", "read", [ticket_id], ["sla_explanation"])
    assert "Policy" in explained["sla_explanation"]


def test_incident_links_new_tickets_and_shows_on_the_card(rpc):
    zone = _zone(rpc)
    partner = _subscriber(rpc, zone)
    incident = rpc(
        "telecom.incident",
        "create",
        {
            "name": "E2E outage",
            "region_ids": [(6, 0, [zone])],
            "public_message": "E2E outage in your area.",
            "notify_email": False,
            "notify_sms": False,
        },
    )
    [card] = rpc("res.partner", "read", [partner], ["telecom_active_incident_ids"])
    assert card["telecom_active_incident_ids"] == [incident]
    ticket_id = rpc(
        "helpdesk.ticket",
        "create",
        {"name": "E2E duplicate?", "description": "<p>e2e</p>", "partner_id": partner},
    )
    [ticket] = rpc("helpdesk.ticket", "read", [ticket_id], ["incident_id"])
    assert ticket["incident_id"][0] == incident
    rpc("telecom.incident", "write", [incident], {"resolution": "Fixed."})
    rpc("telecom.incident", "action_resolve", [incident])
    [ticket] = rpc("helpdesk.ticket", "read", [ticket_id], ["closed", "sla_status"])
    assert ticket["closed"]
