from odoo import api, models

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


def _string(max_length=255, **extra):
    return {"type": "string", "maxLength": max_length, **extra}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _datetime():
    return {"type": "string", "format": "date-time", "maxLength": 40}


ENTITY = {
    "@type": _string(64),
    "@baseType": _string(64),
    "@schemaLocation": _string(512),
}


class TelecomApi(models.AbstractModel):
    """TMF621 Trouble Ticket: schemas and paths of the published API."""

    _inherit = "telecom.api"

    @api.model
    def _api_schemas(self):
        schemas = super()._api_schemas()
        ticket_fields = {
            "name": _string(255),
            "description": _string(10000, minLength=1),
            "severity": _string(32, minLength=1),
            "ticketType": _string(64, minLength=1),
            "priority": _string(32),
            "externalId": _string(128),
            "requestedResolutionDate": _datetime(),
            "statusChangeReason": _string(1000),
            "status": {"type": "string", "enum": STATUSES},
            "channel": {
                "type": "object",
                "properties": {"id": _string(64), "name": _string(64)},
            },
            "note": {"type": "array", "maxItems": 50, "items": _ref("Note")},
            "relatedParty": {
                "type": "array",
                "maxItems": 20,
                "items": _ref("RelatedParty"),
            },
            "relatedEntity": {
                "type": "array",
                "maxItems": 20,
                "items": _ref("RelatedEntity"),
            },
            **ENTITY,
        }
        schemas.update(
            {
                "Note": {
                    "type": "object",
                    "properties": {
                        "id": _string(64),
                        "author": _string(128),
                        "date": _datetime(),
                        "text": _string(10000),
                        **ENTITY,
                    },
                },
                "RelatedParty": {
                    "type": "object",
                    "required": ["@referredType", "id"],
                    "properties": {
                        "id": _string(64, minLength=1),
                        "href": _string(512),
                        "name": _string(255),
                        "role": _string(64),
                        "@referredType": _string(64),
                        **ENTITY,
                    },
                },
                "RelatedEntity": {
                    "type": "object",
                    "required": ["@referredType", "id", "role"],
                    "properties": {
                        "id": _string(64, minLength=1),
                        "href": _string(512),
                        "name": _string(255),
                        "role": _string(64),
                        "@referredType": _string(64),
                        **ENTITY,
                    },
                },
                "StatusChange": {
                    "type": "object",
                    "properties": {
                        "status": _string(32),
                        "changeDate": _datetime(),
                        "changeReason": _string(1000),
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
                        "id": _string(32),
                        "href": _string(512),
                        "creationDate": _datetime(),
                        "lastUpdate": _datetime(),
                        "statusChangeDate": _datetime(),
                        "resolutionDate": _datetime(),
                        "expectedResolutionDate": _datetime(),
                        "statusChange": {
                            "type": "array",
                            "items": _ref("StatusChange"),
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

        query = [
            {"name": name, "in": "query", "schema": {"type": kind}}
            for name, kind in (
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
        ]
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
                    "200": answer(
                        "Trouble tickets",
                        {"type": "array", "items": _ref("TroubleTicket")},
                        {
                            "X-Total-Count": {"schema": {"type": "integer"}},
                            "X-Result-Count": {"schema": {"type": "integer"}},
                        },
                    ),
                    **errors,
                },
            },
            "post": {
                "tags": tags,
                "summary": "Create a trouble ticket",
                "requestBody": body("TroubleTicket_Create"),
                "responses": {
                    "201": answer("Ticket created", _ref("TroubleTicket")),
                    **errors,
                },
            },
        }
        paths[TICKET_PATH + "/{id}"] = {
            "get": {
                "tags": tags,
                "summary": "Read a trouble ticket",
                "parameters": [id_param, query[0]],
                "responses": {
                    "200": answer("Ticket", _ref("TroubleTicket")),
                    **errors,
                    **not_found,
                },
            },
            "patch": {
                "tags": tags,
                "summary": "Update a trouble ticket (status, severity, notes…)",
                "parameters": [id_param],
                "requestBody": body("TroubleTicket_Update"),
                "responses": {
                    "200": answer("Ticket updated", _ref("TroubleTicket")),
                    **errors,
                    **not_found,
                },
            },
        }
        return paths
