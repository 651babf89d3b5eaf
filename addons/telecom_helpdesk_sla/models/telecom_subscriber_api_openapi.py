from odoo import api, models

from odoo.addons.telecom_subscriber.models.telecom_subscriber_api_openapi import (
    PAGE_PARAMS,
    answer,
    array_of,
    errors,
    path_id,
    ref,
    string,
)


def nullable(schema):
    return {**schema, "nullable": True}


DATE_TIME = nullable(string(40, format="date-time"))


class TelecomSubscriberApi(models.AbstractModel):
    """Documents the trouble tickets and incident notices of the subscriber API."""

    _inherit = "telecom.subscriber.api"

    @api.model
    def _api_openapi_schemas(self):
        schemas = super()._api_openapi_schemas()
        schemas["TroubleTicket"] = {
            "type": "object",
            "required": ["id", "name", "status", "rating"],
            "properties": {
                "id": string(64),
                "href": string(512),
                "externalId": string(64),
                "name": string(),
                "status": {"type": "string", "enum": ["inProgress", "closed"]},
                "statusLabel": string(),
                "ticketType": string(),
                "creationDate": DATE_TIME,
                "lastUpdate": DATE_TIME,
                "resolutionDate": DATE_TIME,
                "rating": {
                    "type": "object",
                    "required": ["canRate"],
                    "properties": {
                        "canRate": {"type": "boolean"},
                        "satisfaction": nullable(
                            {"type": "integer", "minimum": 1, "maximum": 5}
                        ),
                        "recommendation": nullable(
                            {"type": "integer", "minimum": 0, "maximum": 10}
                        ),
                        "ratedDate": DATE_TIME,
                    },
                },
                "@type": string(64),
            },
        }
        schemas["TroubleTicketRating"] = {
            "type": "object",
            "required": ["satisfaction"],
            "properties": {
                "satisfaction": {"type": "integer", "minimum": 1, "maximum": 5},
                "recommendation": nullable(
                    {"type": "integer", "minimum": 0, "maximum": 10}
                ),
            },
        }
        schemas["IncidentNotice"] = {
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                "id": string(64),
                "href": string(512),
                "name": string(),
                "description": string(10000),
                "startDate": DATE_TIME,
                "expectedRestoreDate": DATE_TIME,
                "@type": string(64),
            },
        }
        return schemas

    @api.model
    def _api_openapi_paths(self):
        paths = super()._api_openapi_paths()
        tag = "TMF621 Trouble Ticket"
        paths["/troubleTicket"] = {
            "get": {
                "tags": [tag],
                "summary": "My tickets, newest first",
                "parameters": PAGE_PARAMS,
                "responses": {
                    "200": answer(
                        "My tickets", array_of(ref("TroubleTicket")), list_headers=True
                    ),
                    **errors(),
                },
            }
        }
        paths["/troubleTicket/{id}"] = {
            "get": {
                "tags": [tag],
                "summary": "One ticket",
                "parameters": [path_id()],
                "responses": {
                    "200": answer("One ticket", ref("TroubleTicket")),
                    **errors(),
                },
            }
        }
        paths["/troubleTicket/{id}/rating"] = {
            "post": {
                "tags": [tag],
                "summary": "Rate my closed ticket (satisfaction 1-5, "
                "recommendation 0-10), once",
                "parameters": [path_id()],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": ref("TroubleTicketRating")}
                    },
                },
                "responses": {
                    "201": answer("Ticket rated", ref("TroubleTicket")),
                    **errors("409", "413", "415"),
                },
            }
        }
        paths["/incidentNotice"] = {
            "get": {
                "tags": ["Incident notices"],
                "summary": "Network incidents affecting me now, with the "
                "expected restoration",
                "parameters": [],
                "responses": {
                    "200": answer("Incident notices", array_of(ref("IncidentNotice"))),
                    **errors(),
                },
            }
        }
        return paths
