from odoo import api, models

from odoo.addons.telecom_bss_connector.tools.api_schema import (
    OPENAPI_ERRORS,
    OPENAPI_NOT_FOUND,
    json_datetime,
    json_ref,
    json_string,
    openapi_answer,
    openapi_body,
    openapi_query,
)

SCOPE_TMF621 = "telecom.tmf621"
TICKET_PATH = "/tmf-api/troubleTicketManagement/v4/troubleTicket"
STATUSES = [
    "acknowledged",
    "rejected",
    "pending",
    "held",
    "inProgress",
    "cancelled",
    "closed",
    "resolved",
]


ENTITY = {
    "@type": json_string(64),
    "@baseType": json_string(64),
    "@schemaLocation": json_string(512),
}


class TelecomApi(models.AbstractModel):
    """TMF621 Trouble Ticket: schemas and paths of the published API."""

    _inherit = "telecom.api"

    @api.model
    def _api_schemas(self):
        schemas = super()._api_schemas()
        ticket_fields = {
            "name": json_string(255),
            "description": json_string(10000, minLength=1),
            "severity": json_string(32, minLength=1),
            "ticketType": json_string(64, minLength=1),
            "priority": json_string(32),
            "externalId": json_string(128),
            "requestedResolutionDate": json_datetime(),
            "statusChangeReason": json_string(1000),
            "status": {"type": "string", "enum": STATUSES},
            "channel": {
                "type": "object",
                "properties": {"id": json_string(64), "name": json_string(64)},
            },
            "note": {"type": "array", "maxItems": 50, "items": json_ref("Note")},
            "relatedParty": {
                "type": "array",
                "maxItems": 20,
                "items": json_ref("RelatedParty"),
            },
            "relatedEntity": {
                "type": "array",
                "maxItems": 20,
                "items": json_ref("RelatedEntity"),
            },
            **ENTITY,
        }
        schemas.update(
            {
                "Note": {
                    "type": "object",
                    "properties": {
                        "id": json_string(64),
                        "author": json_string(128),
                        "date": json_datetime(),
                        "text": json_string(10000),
                        **ENTITY,
                    },
                },
                "RelatedParty": {
                    "type": "object",
                    "required": ["@referredType", "id"],
                    "properties": {
                        "id": json_string(64, minLength=1),
                        "href": json_string(512),
                        "name": json_string(255),
                        "role": json_string(64),
                        "@referredType": json_string(64),
                        **ENTITY,
                    },
                },
                "RelatedEntity": {
                    "type": "object",
                    "required": ["@referredType", "id", "role"],
                    "properties": {
                        "id": json_string(64, minLength=1),
                        "href": json_string(512),
                        "name": json_string(255),
                        "role": json_string(64),
                        "@referredType": json_string(64),
                        **ENTITY,
                    },
                },
                "StatusChange": {
                    "type": "object",
                    "properties": {
                        "status": json_string(32),
                        "changeDate": json_datetime(),
                        "changeReason": json_string(1000),
                    },
                },
                "TroubleTicket_Create": {
                    "type": "object",
                    "required": ["description", "severity", "ticketType"],
                    "properties": ticket_fields,
                },
                "TroubleTicket_Update": {
                    "type": "object",
                    "properties": ticket_fields,
                },
                "TroubleTicket": {
                    "type": "object",
                    "properties": {
                        "id": json_string(32),
                        "href": json_string(512),
                        "creationDate": json_datetime(),
                        "lastUpdate": json_datetime(),
                        "statusChangeDate": json_datetime(),
                        "resolutionDate": json_datetime(),
                        "expectedResolutionDate": json_datetime(),
                        "statusChange": {
                            "type": "array",
                            "items": json_ref("StatusChange"),
                        },
                        **ticket_fields,
                    },
                },
            }
        )
        return schemas

    @api.model
    def _api_paths(self):
        paths = super()._api_paths()
        query = openapi_query(
            (
                ("fields", "string"),
                ("offset", "integer"),
                ("limit", "integer"),
                ("status", "string"),
                ("severity", "string"),
                ("ticketType", "string"),
                ("priority", "string"),
                ("externalId", "string"),
                ("relatedParty.id", "string"),
                ("creationDate.gt", "string"),
                ("creationDate.lt", "string"),
            )
        )
        id_param = {
            "name": "id",
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
        }
        tags = ["TMF621 Trouble Ticket"]
        paths[TICKET_PATH] = {
            "get": {
                "tags": tags,
                "summary": "List or find trouble tickets",
                "parameters": query,
                "responses": {
                    "200": openapi_answer(
                        "Trouble tickets",
                        {"type": "array", "items": json_ref("TroubleTicket")},
                        {
                            "X-Total-Count": {"schema": {"type": "integer"}},
                            "X-Result-Count": {"schema": {"type": "integer"}},
                        },
                    ),
                    **OPENAPI_ERRORS,
                },
            },
            "post": {
                "tags": tags,
                "summary": "Create a trouble ticket",
                "requestBody": openapi_body("TroubleTicket_Create"),
                "responses": {
                    "201": openapi_answer("Ticket created", json_ref("TroubleTicket")),
                    **OPENAPI_ERRORS,
                },
            },
        }
        paths[TICKET_PATH + "/{id}"] = {
            "get": {
                "tags": tags,
                "summary": "Read a trouble ticket",
                "parameters": [id_param, query[0]],
                "responses": {
                    "200": openapi_answer("Ticket", json_ref("TroubleTicket")),
                    **OPENAPI_ERRORS,
                    **OPENAPI_NOT_FOUND,
                },
            },
            "patch": {
                "tags": tags,
                "summary": "Update a trouble ticket (status, severity, notes…)",
                "parameters": [id_param],
                "requestBody": openapi_body("TroubleTicket_Update"),
                "responses": {
                    "200": openapi_answer("Ticket updated", json_ref("TroubleTicket")),
                    **OPENAPI_ERRORS,
                    **OPENAPI_NOT_FOUND,
                },
            },
        }
        return paths
