from odoo import api, models

from ..tools.api_schema import ApiError, Validator, openapi_schema

INTEGRATION_GROUP = "telecom_subscriber.telecom_subscriber_group_integration"
SCOPE_TMF642 = "telecom.tmf642"
SCOPE_BILLING_EVENTS = "telecom.billing_events"
ALARM_PATH = "/tmf-api/alarmManagement/v4/alarm"
BILLING_EVENTS_PATH = "/telecom/api/v1/billing/events"
SEVERITIES = ["critical", "major", "minor", "warning", "indeterminate", "cleared"]
ALARM_STATES = ["raised", "updated", "cleared"]
ACK_STATES = ["acknowledged", "unacknowledged"]
BILLING_EVENT_TYPES = [
    "payment_received",
    "balance_low",
    "usage_threshold",
    "invoice_issued",
]


def _string(max_length=255, **extra):
    return {"type": "string", "maxLength": max_length, **extra}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _datetime(**extra):
    return {"type": "string", "format": "date-time", "maxLength": 40, **extra}


TMF_ENTITY = {
    "@type": _string(64),
    "@baseType": _string(64),
    "@schemaLocation": _string(512),
}


class TelecomApi(models.AbstractModel):
    """What the inbound APIs share: schemas, validation, key check, OpenAPI.

    Schemas are the one source of truth: the controllers validate payloads
    with them and ``/telecom/api/openapi.json`` publishes them. Other addons
    add theirs by extending ``_api_schemas`` and ``_api_paths``.
    """

    _name = "telecom.api"
    _description = "Telecom Inbound API"

    # ------------------------------------------------------------------
    # schemas
    # ------------------------------------------------------------------
    @api.model
    def _api_schemas(self):
        alarm_fields = self._alarm_fields()
        return {
            "Error": {
                "type": "object",
                "required": ["code", "reason"],
                "properties": {
                    "code": _string(),
                    "reason": _string(),
                    "message": _string(2000),
                    "status": _string(8),
                    "referenceError": _string(512),
                    **TMF_ENTITY,
                },
            },
            "AlarmedObject": {
                "type": "object",
                "properties": {
                    "id": _string(128, minLength=1),
                    "href": _string(512),
                    **TMF_ENTITY,
                },
            },
            "Comment": {
                "type": "object",
                "properties": {
                    "comment": _string(4000),
                    "systemId": _string(128),
                    "time": _datetime(),
                    "userId": _string(128),
                    **TMF_ENTITY,
                },
            },
            "RelatedPlaceRefOrValue": {
                "type": "object",
                "required": ["role"],
                "properties": {
                    "id": _string(128),
                    "href": _string(512),
                    "name": _string(),
                    "role": _string(64),
                    "@referredType": _string(64),
                    **TMF_ENTITY,
                },
            },
            "Alarm_Create": {
                "type": "object",
                "required": [
                    "alarmType",
                    "perceivedSeverity",
                    "probableCause",
                    "alarmedObject",
                    "sourceSystemId",
                    "state",
                    "alarmRaisedTime",
                ],
                "properties": alarm_fields,
            },
            "Alarm_Update": {"type": "object", "properties": alarm_fields},
            "Alarm": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "href": _string(512),
                    **alarm_fields,
                },
            },
            "BillingEvent": {
                "type": "object",
                "required": ["event_id", "type", "account", "occurred_at"],
                "properties": {
                    "event_id": _string(64, minLength=1),
                    "type": {"type": "string", "enum": BILLING_EVENT_TYPES},
                    "account": _string(64, minLength=1),
                    "msisdn": _string(32, nullable=True),
                    "amount": {"type": "number", "nullable": True},
                    "currency": _string(3, nullable=True),
                    "occurred_at": _datetime(),
                    "details": {"type": "object", "nullable": True},
                },
            },
            "BillingEventBatch": {
                "type": "object",
                "required": ["events"],
                "properties": {
                    "events": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 1000,
                        "items": _ref("BillingEvent"),
                    }
                },
            },
            "BillingEventResult": {
                "type": "object",
                "properties": {
                    "received": {"type": "integer"},
                    "created": {"type": "integer"},
                    "duplicates": {"type": "integer"},
                    "unmatched": {"type": "integer"},
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "event_id": _string(64),
                                "status": {
                                    "type": "string",
                                    "enum": ["created", "duplicate", "unmatched"],
                                },
                            },
                        },
                    },
                },
            },
        }

    @api.model
    def _alarm_fields(self):
        return {
            "alarmType": _string(64, minLength=1),
            "perceivedSeverity": {"type": "string", "enum": SEVERITIES},
            "probableCause": _string(255, minLength=1),
            "specificProblem": _string(1000),
            "state": {"type": "string", "enum": ALARM_STATES},
            "ackState": {"type": "string", "enum": ACK_STATES},
            "ackSystemId": _string(128),
            "ackUserId": _string(128),
            "alarmRaisedTime": _datetime(),
            "alarmChangedTime": _datetime(),
            "alarmClearedTime": _datetime(),
            "alarmReportingTime": _datetime(),
            "alarmDetails": _string(4000),
            "alarmEscalation": {"type": "boolean"},
            "alarmedObjectType": _string(64),
            "alarmedObject": _ref("AlarmedObject"),
            "clearSystemId": _string(128),
            "clearUserId": _string(128),
            "externalAlarmId": _string(128),
            "isRootCause": {"type": "boolean"},
            "plannedOutageIndicator": {
                "type": "string",
                "enum": ["inService", "outOfService"],
            },
            "proposedRepairedActions": _string(1000),
            "reportingSystemId": _string(128),
            "serviceAffecting": {"type": "boolean"},
            "sourceSystemId": _string(128, minLength=1),
            "comment": {"type": "array", "maxItems": 100, "items": _ref("Comment")},
            "place": {
                "type": "array",
                "maxItems": 20,
                "items": _ref("RelatedPlaceRefOrValue"),
            },
            "affectedService": {
                "type": "array",
                "maxItems": 100,
                "items": {"type": "object", "properties": {"id": _string(128)}},
            },
            **TMF_ENTITY,
        }

    @api.model
    def _api_validate(self, schema_name, payload):
        """Raise a 400 TMF error listing what is wrong with ``payload``."""
        schemas = self._api_schemas()
        errors = Validator(schemas).validate(schemas[schema_name], payload)
        if errors:
            raise ApiError(
                400,
                "INVALID_BODY",
                self.env._("Invalid request body"),
                "; ".join(errors[:20]),
            )

    # ------------------------------------------------------------------
    # authentication
    # ------------------------------------------------------------------
    @api.model
    def _api_authenticate(self, scope, key):
        """The integration user of API key ``key`` for ``scope``, or a 401/403."""
        if not key:
            raise ApiError(
                401,
                "UNAUTHORIZED",
                self.env._("Missing API key"),
                self.env._("Send the key in the X-API-Key header."),
                headers={"WWW-Authenticate": 'ApiKey header="X-API-Key"'},
            )
        # sudo: checking a key reads the key table, which no user may read
        user_id = (
            self.env["res.users.apikeys"]
            .sudo()
            ._check_credentials(scope=scope, key=key[:128])
        )
        if not user_id:
            raise ApiError(
                401,
                "UNAUTHORIZED",
                self.env._("Invalid API key"),
                self.env._(
                    "The key is unknown, expired or not valid for %(scope)s.",
                    scope=scope,
                ),
                headers={"WWW-Authenticate": 'ApiKey header="X-API-Key"'},
            )
        user = self.env["res.users"].browse(user_id)
        if not user.with_user(user).has_group(INTEGRATION_GROUP):
            raise ApiError(
                403,
                "FORBIDDEN",
                self.env._("Not an integration user"),
                self.env._("The key's user needs the Integration (API) role."),
            )
        return user

    # ------------------------------------------------------------------
    # OpenAPI
    # ------------------------------------------------------------------
    @api.model
    def _api_openapi_document(self, base_url):
        return {
            "openapi": "3.0.3",
            "info": {
                "title": "Telecom CRM inbound API",
                "version": "1.0.0",
                "description": "TM Forum Open APIs (v4) and the billing event "
                "webhook the CRM serves. Authenticate with an API key of an "
                "integration user in the X-API-Key header; each key has a scope.",
            },
            "servers": [{"url": base_url}],
            "components": {
                "schemas": openapi_schema(self._api_schemas()),
                "securitySchemes": {
                    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}
                },
                "responses": {
                    status: {
                        "description": description,
                        "content": {"application/json": {"schema": _ref("Error")}},
                    }
                    for status, description in (
                        ("400", "Bad Request"),
                        ("401", "Unauthorized"),
                        ("403", "Forbidden"),
                        ("404", "Not Found"),
                        ("405", "Method Not Allowed"),
                        ("409", "Conflict"),
                        ("413", "Payload Too Large"),
                        ("500", "Internal Server Error"),
                    )
                },
            },
            "security": [{"apiKey": []}],
            "paths": self._api_paths(),
        }

    @api.model
    def _api_paths(self):
        errors = {
            status: {"$ref": f"#/components/responses/{status}"}
            for status in ("400", "401", "403", "500")
        }
        not_found = {"404": {"$ref": "#/components/responses/404"}}

        def body(schema):
            return {
                "required": True,
                "content": {"application/json": {"schema": _ref(schema)}},
            }

        def answer(description, schema, headers=None):
            result = {
                "description": description,
                "content": {"application/json": {"schema": schema}},
            }
            if headers:
                result["headers"] = headers
            return result

        list_params = [
            {"name": name, "in": "query", "schema": {"type": kind}}
            for name, kind in (
                ("fields", "string"),
                ("offset", "integer"),
                ("limit", "integer"),
                ("state", "string"),
                ("perceivedSeverity", "string"),
                ("alarmType", "string"),
                ("ackState", "string"),
                ("sourceSystemId", "string"),
                ("alarmedObject.id", "string"),
            )
        ]
        count_headers = {
            "X-Total-Count": {"schema": {"type": "integer"}},
            "X-Result-Count": {"schema": {"type": "integer"}},
        }
        id_param = {
            "name": "id",
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
        }
        fields_param = {"name": "fields", "in": "query", "schema": {"type": "string"}}
        return {
            ALARM_PATH: {
                "get": {
                    "tags": ["TMF642 Alarm"],
                    "summary": "List or find alarms",
                    "parameters": list_params,
                    "responses": {
                        "200": answer(
                            "Alarms",
                            {"type": "array", "items": _ref("Alarm")},
                            count_headers,
                        ),
                        **errors,
                    },
                },
                "post": {
                    "tags": ["TMF642 Alarm"],
                    "summary": "Raise an alarm",
                    "requestBody": body("Alarm_Create"),
                    "responses": {
                        "201": answer("Alarm raised", _ref("Alarm")),
                        **errors,
                    },
                },
            },
            ALARM_PATH + "/{id}": {
                "get": {
                    "tags": ["TMF642 Alarm"],
                    "summary": "Read an alarm",
                    "parameters": [id_param, fields_param],
                    "responses": {
                        "200": answer("Alarm", _ref("Alarm")),
                        **errors,
                        **not_found,
                    },
                },
                "patch": {
                    "tags": ["TMF642 Alarm"],
                    "summary": "Update, acknowledge or clear an alarm",
                    "parameters": [id_param],
                    "requestBody": body("Alarm_Update"),
                    "responses": {
                        "200": answer("Alarm updated", _ref("Alarm")),
                        **errors,
                        **not_found,
                    },
                },
            },
            BILLING_EVENTS_PATH: {
                "post": {
                    "tags": ["Billing events"],
                    "summary": "Receive billing events (idempotent by event_id)",
                    "requestBody": body("BillingEventBatch"),
                    "responses": {
                        "200": answer("Events received", _ref("BillingEventResult")),
                        **errors,
                    },
                },
            },
        }
