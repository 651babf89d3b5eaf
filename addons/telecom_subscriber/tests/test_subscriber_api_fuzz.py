"""Fuzzing of the subscriber API against the OpenAPI document it serves.

Schemathesis reads ``/telecom/api/subscriber/v1/openapi.json`` from the test
server and sends generated calls of every operation, valid ones (positive) and
invalid ones (negative), as a portal subscriber with their API key; each answer
goes through Schemathesis' checks: never a server error, the status code,
content type, headers and body as the document states, and invalid calls
refused. Valid calls run once with random ids and once on the caller's own
line and request (and a claim on that line), so that the 200 and 201 bodies
are checked too.

Cost: ``EXAMPLES`` per operation and mode: 5 under ``TELECOM_TEST_PROFILE=ci``
(about a minute), 30 otherwise; ``TELECOM_SUBSCRIBER_API_FUZZ_EXAMPLES`` sets
it (e.g. 200 for a long run).
"""

import os

from odoo.tests import tagged

from ..tools.subscriber_api import API_BASE
from .common_subscriber_api import SubscriberApiCommon

try:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
except ImportError:  # requirements-test.txt
    schemathesis = None

PROFILE = os.environ.get("TELECOM_TEST_PROFILE", "full")
EXAMPLES = int(
    os.environ.get("TELECOM_SUBSCRIBER_API_FUZZ_EXAMPLES")
    or (5 if PROFILE == "ci" else 30)
)
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "unsupported_method",
    "allow_header_conformance",
]


@tagged("post_install", "-at_install")
class TestSubscriberApiFuzz(SubscriberApiCommon):
    def setUp(self):
        super().setUp()
        if schemathesis is None:
            self.skipTest("schemathesis is not installed (requirements-test.txt)")

    def _schema(self):
        response = self.url_open("/telecom/api/subscriber/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        schema = schemathesis.openapi.from_dict(response.json())
        schema.config.update(
            base_url=self.base_url() + API_BASE,
            headers={"Authorization": f"Bearer {self.owner_key}"},
            request_timeout=60,
        )
        # NUL is refused on purpose (PostgreSQL stores none)
        schema.config.generation.update(max_examples=EXAMPLES, allow_x00=False)
        schema.config.checks.update(included_check_names=CHECKS)
        return schema

    def _fuzz(self, operation, mode, **fixed):
        @given(case=operation.as_strategy(generation_mode=mode, **fixed))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate()

        try:
            run()
        except Unsatisfiable:
            # nothing to generate in this mode (no parameter, no body)
            self.assertEqual(mode, GenerationMode.NEGATIVE)

    def test_fuzz_every_operation(self):
        own_ids = {
            "/product/{id}": str(self.owner_line.id),
            "/product/{id}/tariffOffer": str(self.owner_line.id),
            "/request/{id}": str(self.owner_activation.id),
        }
        operations = [result.ok() for result in self._schema().get_all_operations()]
        self.assertGreaterEqual(len(operations), 8)
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                with self.subTest(operation=operation.label, mode=mode.value):
                    self._fuzz(operation, mode)
            if operation.label == "POST /request":
                # a valid request on the caller's own line: the 201 body checked
                with self.subTest(operation=operation.label, mode="own line"):
                    self._fuzz(
                        operation,
                        GenerationMode.POSITIVE,
                        body={
                            "requestType": "claim",
                            "product": {"id": str(self.owner_line.id)},
                            "values": {
                                "claim_category": "quality",
                                "reason": "No signal at home",
                            },
                        },
                    )
            own_id = own_ids.get(operation.path)
            if own_id is None and operation.path.startswith("/product/{id}/"):
                # a sub-resource of a line another addon adds (e.g. its balance)
                own_id = own_ids["/product/{id}"]
            if own_id:
                with self.subTest(operation=operation.label, mode="own id"):
                    self._fuzz(
                        operation,
                        GenerationMode.POSITIVE,
                        path_parameters={"id": own_id},
                    )
