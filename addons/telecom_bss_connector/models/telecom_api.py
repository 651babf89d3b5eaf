from odoo import api, models
from odoo.tools import SQL

from odoo.addons.base.models.res_users import INDEX_SIZE, KEY_CRYPT_CONTEXT

from ..tools.api_schema import (
    OPENAPI_ERRORS,
    OPENAPI_NOT_FOUND,
    ApiError,
    Validator,
    json_datetime,
    json_ref,
    json_string,
    openapi_answer,
    openapi_body,
    openapi_query,
    openapi_schema,
)

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


TMF_ENTITY = {
    "@type": json_string(64),
    "@baseType": json_string(64),
    "@schemaLocation": json_string(512, format="uri"),
}


def entity_ref():
    """The schema of a TMF EntityRef (AlarmRef, ThresholdRef...)."""
    return {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": json_string(128),
            "href": json_string(512),
            "name": json_string(),
            "@referredType": json_string(64),
            **TMF_ENTITY,
        },
    }


# the largest page of a TMF list
MAX_LIMIT = 1000

# the alarm itself: TMF642 types its @schemaLocation as a plain string
ALARM_ENTITY = {**TMF_ENTITY, "@schemaLocation": json_string(512)}


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
                    "code": json_string(),
                    "reason": json_string(),
                    "message": json_string(2000),
                    "status": json_string(8),
                    "referenceError": json_string(512),
                    **TMF_ENTITY,
                },
            },
            "AlarmedObject": {
                "type": "object",
                "properties": {
                    "id": json_string(128, minLength=1),
                    "href": json_string(512),
                    **TMF_ENTITY,
                },
            },
            "Comment": {
                "type": "object",
                "properties": {
                    "comment": json_string(4000),
                    "systemId": json_string(128),
                    "time": json_datetime(),
                    "userId": json_string(128),
                    **TMF_ENTITY,
                },
            },
            "RelatedPlaceRefOrValue": {
                "type": "object",
                "required": ["role"],
                "properties": {
                    "id": json_string(128),
                    "href": json_string(512),
                    "name": json_string(),
                    "role": json_string(64),
                    "@referredType": json_string(64),
                    **TMF_ENTITY,
                },
            },
            "AlarmRef": entity_ref(),
            "ThresholdRef": entity_ref(),
            "CrossedThresholdInformation": {
                "type": "object",
                "properties": {
                    "direction": json_string(64),
                    "granularity": json_string(64),
                    "indicatorName": json_string(),
                    "indicatorUnit": json_string(64),
                    "observedValue": json_string(),
                    "thresholdCrossingDescription": json_string(1000),
                    "threshold": json_ref("ThresholdRef"),
                    **TMF_ENTITY,
                },
            },
            "AffectedService": {
                "type": "object",
                "properties": {
                    "id": json_string(128),
                    "href": json_string(512),
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
                    "href": json_string(512),
                    **alarm_fields,
                },
            },
            "BillingEvent": {
                "type": "object",
                "required": ["event_id", "type", "account", "occurred_at"],
                "properties": {
                    "event_id": json_string(64, minLength=1),
                    "type": {"type": "string", "enum": BILLING_EVENT_TYPES},
                    "account": json_string(64, minLength=1),
                    "msisdn": json_string(32, nullable=True),
                    "amount": {"type": "number", "nullable": True},
                    "currency": json_string(3, nullable=True),
                    "occurred_at": json_datetime(),
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
                        "items": json_ref("BillingEvent"),
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
                                "event_id": json_string(64),
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
            "alarmType": json_string(64, minLength=1),
            "perceivedSeverity": {"type": "string", "enum": SEVERITIES},
            "probableCause": json_string(255, minLength=1),
            "specificProblem": json_string(1000),
            "state": {"type": "string", "enum": ALARM_STATES},
            "ackState": {"type": "string", "enum": ACK_STATES},
            "ackSystemId": json_string(128),
            "ackUserId": json_string(128),
            "alarmRaisedTime": json_datetime(),
            "alarmChangedTime": json_datetime(),
            "alarmClearedTime": json_datetime(),
            "alarmReportingTime": json_datetime(),
            "alarmDetails": json_string(4000),
            "alarmEscalation": {"type": "boolean"},
            "alarmedObjectType": json_string(64),
            "alarmedObject": json_ref("AlarmedObject"),
            "clearSystemId": json_string(128),
            "clearUserId": json_string(128),
            "externalAlarmId": json_string(128),
            "isRootCause": {"type": "boolean"},
            "plannedOutageIndicator": {
                "type": "string",
                "enum": ["inService", "outOfService"],
            },
            "proposedRepairedActions": json_string(1000),
            "reportingSystemId": json_string(128),
            "serviceAffecting": {"type": "boolean"},
            "sourceSystemId": json_string(128, minLength=1),
            "comment": {"type": "array", "maxItems": 100, "items": json_ref("Comment")},
            "place": {
                "type": "array",
                "maxItems": 20,
                "items": json_ref("RelatedPlaceRefOrValue"),
            },
            "affectedService": {
                "type": "array",
                "maxItems": 100,
                "items": json_ref("AffectedService"),
            },
            # validated, not kept (see the README's deviations)
            "correlatedAlarm": {
                "type": "array",
                "maxItems": 100,
                "items": json_ref("AlarmRef"),
            },
            "parentAlarm": {
                "type": "array",
                "maxItems": 100,
                "items": json_ref("AlarmRef"),
            },
            "crossedThresholdInformation": json_ref("CrossedThresholdInformation"),
            **ALARM_ENTITY,
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
        user_id = self._api_check_key(scope, key[:128])
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

    @api.model
    def _api_check_key(self, scope, key):
        """The user of ``key`` when the key is of exactly ``scope``, else None.

        ``res.users.apikeys._check_credentials`` also accepts a key without a
        scope (a personal RPC key of the user): the telecom APIs do not, an
        integration key is always given for one API.
        """
        # SQL as Odoo's own check does (the key table is readable by no user),
        # but on the exact scope; only the hashes are compared
        self.env.cr.execute(
            SQL(
                """SELECT k.user_id, k.key
                     FROM res_users_apikeys k
                     JOIN res_users u ON u.id = k.user_id
                    WHERE u.active AND k.index = %(index)s AND k.scope = %(scope)s
                      AND (k.expiration_date IS NULL
                           OR k.expiration_date >= now() at time zone 'utc')""",
                index=key[:INDEX_SIZE],
                scope=scope,
            )
        )
        for user_id, hashed in self.env.cr.fetchall():
            if KEY_CRYPT_CONTEXT.verify(key, hashed):
                return user_id
        return None

    # ------------------------------------------------------------------
    # TMF lists
    # ------------------------------------------------------------------
    @api.model
    def _api_filter_domain(self, filters, field_by_param):
        """Domain of the TMF list filters: ``?param=a,b`` is ``field in (a, b)``
        for each ``param: field`` of ``field_by_param``."""
        domain = []
        for param, field_name in field_by_param.items():
            if filters.get(param):
                values = [value for value in filters[param].split(",") if value]
                domain.append((field_name, "in", values))
        return domain

    @api.model
    def _api_search_page(self, model, domain, offset, limit):
        """``(records, total)``: one page of ``model`` records matching
        ``domain`` (at most ``MAX_LIMIT``) and the count of all of them."""
        limit = max(0, min(int(limit), MAX_LIMIT))
        total = model.search_count(domain)
        if not limit:  # limit=0 asks for the count only (search would read all)
            return model.browse(), total
        return model.search(domain, offset=int(offset), limit=limit), total

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
                        "content": {"application/json": {"schema": json_ref("Error")}},
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
        list_params = openapi_query(
            (
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
        )
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
                        "200": openapi_answer(
                            "Alarms",
                            {"type": "array", "items": json_ref("Alarm")},
                            count_headers,
                        ),
                        **OPENAPI_ERRORS,
                    },
                },
                "post": {
                    "tags": ["TMF642 Alarm"],
                    "summary": "Raise an alarm",
                    "requestBody": openapi_body("Alarm_Create"),
                    "responses": {
                        "201": openapi_answer("Alarm raised", json_ref("Alarm")),
                        **OPENAPI_ERRORS,
                    },
                },
            },
            ALARM_PATH + "/{id}": {
                "get": {
                    "tags": ["TMF642 Alarm"],
                    "summary": "Read an alarm",
                    "parameters": [id_param, fields_param],
                    "responses": {
                        "200": openapi_answer("Alarm", json_ref("Alarm")),
                        **OPENAPI_ERRORS,
                        **OPENAPI_NOT_FOUND,
                    },
                },
                "patch": {
                    "tags": ["TMF642 Alarm"],
                    "summary": "Update, acknowledge or clear an alarm",
                    "parameters": [id_param],
                    "requestBody": openapi_body("Alarm_Update"),
                    "responses": {
                        "200": openapi_answer("Alarm updated", json_ref("Alarm")),
                        **OPENAPI_ERRORS,
                        **OPENAPI_NOT_FOUND,
                    },
                },
            },
            BILLING_EVENTS_PATH: {
                "post": {
                    "tags": ["Billing events"],
                    "summary": "Receive billing events (idempotent by event_id)",
                    "requestBody": openapi_body("BillingEventBatch"),
                    "responses": {
                        "200": openapi_answer(
                            "Events received", json_ref("BillingEventResult")
                        ),
                        **OPENAPI_ERRORS,
                    },
                },
            },
        }
