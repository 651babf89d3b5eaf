"""Conformance fuzzing of the inbound TMF APIs against the official specifications.

Schemathesis generates requests from the TM Forum TMF621 (Trouble Ticket) and
TMF642 (Alarm Management) v4 swagger documents of ``tests/specs/tmf/`` and sends
them, authenticated with integration API keys, to the running Odoo of the e2e
stage. Every response goes through Schemathesis' checks: no server error, the
status code, content type, headers and body as the specification documents
them, spec-invalid requests refused and spec-valid ones accepted.

Only the operations the CRM serves are fuzzed; the deliberate deviations from
the specifications are applied to the generated *requests* only, by
narrowing (never widening) the official schemas with the constraints the CRM
publishes in its own OpenAPI document (``/telecom/api/openapi.json``):
enumerations, bounded lengths and list sizes. A narrowed schema accepts less,
so a response valid for it is valid for the official one. Every deviation is
listed with its reason in the telecom_bss_connector README ("Conformance with
the TM Forum specifications").

Cost: ``TELECOM_TMF_FUZZ_EXAMPLES`` examples per operation and phase (default
5; the coverage phase adds its fixed boundary cases: about three minutes on two
busy cores); ``TELECOM_TMF_FUZZ_EXAMPLES=200`` for a full
run.
"""

import copy
import json
import os
import uuid
from pathlib import Path

import pytest
import requests
import schemathesis
from conftest import TIMEOUT
from hypothesis import HealthCheck, settings

SPECS = Path(__file__).resolve().parent / "specs" / "tmf"
EXAMPLES = int(os.environ.get("TELECOM_TMF_FUZZ_EXAMPLES") or 5)
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "unsupported_method",
    "allow_header_conformance",
]
# served operations: {spec path: methods}; the rest of each specification
# (hub, listeners, the alarm task resources, DELETE) is not served (README)
SERVED = {
    "TMF642": {"/alarm": ("get", "post"), "/alarm/{id}": ("get", "patch")},
    "TMF621": {
        "/troubleTicket": ("get", "post"),
        "/troubleTicket/{id}": ("get", "patch"),
    },
}
SPEC_FILES = {
    "TMF642": "TMF642-Alarm-v4.0.0.swagger.json",
    "TMF621": "TMF621-TroubleTicket-v4.0.0.swagger.json",
}
SCOPES = {"TMF642": "telecom.tmf642", "TMF621": "telecom.tmf621"}
# request definitions narrowed with the CRM's published constraints, by name
NARROWED = {
    "TMF642": (
        "Alarm_Create",
        "Alarm_Update",
        "AlarmedObject",
        "Comment",
        "RelatedPlaceRefOrValue",
        "AlarmRef",
        "CrossedThresholdInformation",
        "ThresholdRef",
    ),
    "TMF621": (
        "TroubleTicket_Create",
        "TroubleTicket_Update",
        "Note",
        "RelatedParty",
        "RelatedEntity",
        "ChannelRef",
        "StatusChange",
        "AttachmentRefOrValue",
        "TroubleTicketRelationship",
        "Quantity",
        "TimePeriod",
    ),
}
KEYWORDS = ("enum", "maxLength", "minLength", "maxItems", "minItems")


def served_spec(api, published):
    """The official specification restricted to what is served, narrowed."""
    spec = json.loads((SPECS / SPEC_FILES[api]).read_text())
    spec["paths"] = {
        path: {
            method: operation
            for method, operation in spec["paths"][path].items()
            if method in methods or method == "parameters"
        }
        for path, methods in SERVED[api].items()
    }
    ours = published["components"]["schemas"]
    for name in NARROWED[api]:
        theirs = spec["definitions"].get(name)
        mine = ours.get(name)
        if not (theirs and mine):
            continue
        for prop, constraints in mine.get("properties", {}).items():
            target = theirs.get("properties", {}).get(prop)
            if target is None or "$ref" in target:
                continue
            for keyword in KEYWORDS:
                if keyword in constraints:
                    target[keyword] = copy.deepcopy(constraints[keyword])
            if target.get("type") == "array" and "items" in constraints:
                items = constraints["items"]
                if "$ref" not in items and "$ref" not in target.get("items", {}):
                    for prop_name, sub in items.get("properties", {}).items():
                        sub_target = (
                            target["items"].get("properties", {}).get(prop_name)
                        )
                        for keyword in KEYWORDS:
                            if sub_target is not None and keyword in sub:
                                sub_target[keyword] = sub[keyword]
        required = set(theirs.get("required", ())) | set(mine.get("required", ()))
        if required:
            theirs["required"] = sorted(required)
    return spec


@pytest.fixture(scope="module")
def published(odoo_url):
    response = requests.get(f"{odoo_url}/telecom/api/openapi.json", timeout=TIMEOUT)
    response.raise_for_status()
    return response.json()


@pytest.fixture(scope="module")
def api_keys(rpc):
    """Integration API keys, one per API, of a fresh integration user."""
    group = rpc(
        "ir.model.data",
        "check_object_reference",
        "telecom_subscriber",
        "telecom_subscriber_group_integration",
    )[1]
    user = rpc(
        "res.users",
        "create",
        {
            "name": "TMF conformance",
            "login": f"tmf.fuzz.{uuid.uuid4().hex[:8]}",
            "groups_id": [(6, 0, [group])],
        },
    )
    keys = {}
    for api, scope in SCOPES.items():
        wizard = rpc(
            "telecom.api.key.wizard",
            "create",
            {"user_id": user, "scope": scope, "name": "conformance"},
        )
        rpc("telecom.api.key.wizard", "action_generate", [wizard])
        keys[api] = rpc("telecom.api.key.wizard", "read", [wizard], ["key"])[0]["key"]
    return keys


def load_schema(api, odoo_url, published, api_keys):
    spec = served_spec(api, published)
    schema = schemathesis.openapi.from_dict(spec)
    base_path = spec["basePath"].rstrip("/")
    schema.config.update(
        base_url=odoo_url + base_path,
        headers={"X-API-Key": api_keys[api]},
        request_timeout=TIMEOUT,
    )
    # NUL is refused on purpose (PostgreSQL stores none): generated by the
    # negative phase and by the Odoo tests, not expected to be accepted
    schema.config.generation.update(max_examples=EXAMPLES, allow_x00=False)
    schema.config.checks.update(included_check_names=CHECKS)
    return schema


@pytest.fixture(scope="module")
def tmf642_schema(odoo_url, published, api_keys):
    return load_schema("TMF642", odoo_url, published, api_keys)


@pytest.fixture(scope="module")
def tmf621_schema(odoo_url, published, api_keys):
    return load_schema("TMF621", odoo_url, published, api_keys)


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
tmf642 = schemathesis.pytest.from_fixture("tmf642_schema")
tmf621 = schemathesis.pytest.from_fixture("tmf621_schema")


@tmf642.parametrize()
@FUZZ_SETTINGS
def test_tmf642_conformance(case):
    case.call_and_validate()


@tmf621.parametrize()
@FUZZ_SETTINGS
def test_tmf621_conformance(case):
    case.call_and_validate()
