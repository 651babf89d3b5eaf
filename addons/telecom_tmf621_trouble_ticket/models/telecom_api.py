from odoo import api, models

from odoo.addons.telecom_bss_connector.models.telecom_api import TMF_ENTITY
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
            "channel": json_ref("ChannelRef"),
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
            # validated, not kept (see the connector README's deviations)
            "attachment": {
                "type": "array",
                "maxItems": 20,
                "items": json_ref("AttachmentRefOrValue"),
            },
            "troubleTicketRelationship": {
                "type": "array",
                "maxItems": 20,
                "items": json_ref("TroubleTicketRelationship"),
            },
            "expectedResolutionDate": json_datetime(),
            "resolutionDate": json_datetime(),
            **TMF_ENTITY,
        }
        # set by the CRM: accepted on creation (as the specification lists
        # them), not taken from the caller
        create_fields = {
            **ticket_fields,
            "creationDate": json_datetime(),
            "lastUpdate": json_datetime(),
            "statusChangeDate": json_datetime(),
            "statusChange": {
                "type": "array",
                "maxItems": 50,
                "items": json_ref("StatusChange"),
            },
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
                        **TMF_ENTITY,
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
                        **TMF_ENTITY,
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
                        **TMF_ENTITY,
                    },
                },
                "StatusChange": {
                    "type": "object",
                    "properties": {
                        "status": json_string(32),
                        "changeDate": json_datetime(),
                        "changeReason": json_string(1000),
                        **TMF_ENTITY,
                    },
                },
                "ChannelRef": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {
                        "id": json_string(64),
                        "href": json_string(512),
                        "name": json_string(64),
                        "@referredType": json_string(64),
                        **TMF_ENTITY,
                    },
                },
                "Quantity": {
                    "type": "object",
                    "properties": {
                        "amount": {"type": "number"},
                        "units": json_string(64),
                    },
                },
                "TimePeriod": {
                    "type": "object",
                    "properties": {
                        "startDateTime": json_datetime(),
                        "endDateTime": json_datetime(),
                    },
                },
                "AttachmentRefOrValue": {
                    "type": "object",
                    "properties": {
                        "id": json_string(64),
                        "href": json_string(512),
                        "attachmentType": json_string(64),
                        "content": json_string(10000),
                        "description": json_string(1000),
                        "mimeType": json_string(128),
                        "name": json_string(255),
                        "url": json_string(512),
                        "size": json_ref("Quantity"),
                        "validFor": json_ref("TimePeriod"),
                        "@referredType": json_string(64),
                        **TMF_ENTITY,
                    },
                },
                "TroubleTicketRelationship": {
                    "type": "object",
                    "properties": {
                        "id": json_string(64),
                        "href": json_string(512),
                        "name": json_string(255),
                        "relationshipType": json_string(64),
                        **TMF_ENTITY,
                    },
                },
                "TroubleTicket_Create": {
                    "type": "object",
                    "required": ["description", "severity", "ticketType"],
                    "properties": create_fields,
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
