from odoo import api, models

from odoo.addons.telecom_subscriber.models.telecom_subscriber_api_openapi import (
    answer,
    array_of,
    errors,
    path_id,
    ref,
    string,
)


def nullable(schema):
    return {**schema, "nullable": True}


NULLABLE_MONEY = nullable(
    {
        "type": "object",
        "properties": {"unit": string(8), "value": {"type": "number"}},
    }
)


class TelecomSubscriberApi(models.AbstractModel):
    """Documents ``GET /product/{id}/balance`` in the subscriber API's OpenAPI."""

    _inherit = "telecom.subscriber.api"

    @api.model
    def _api_openapi_schemas(self):
        schemas = super()._api_openapi_schemas()
        schemas["ProductBalance"] = {
            "type": "object",
            "required": ["id", "product", "billing", "usage"],
            "properties": {
                "id": string(64),
                "product": ref("EntityRef"),
                "billing": nullable(
                    {
                        "type": "object",
                        "description": "null for the user of a line (only its "
                        "holder sees the account) and where no billing system "
                        "serves the line.",
                        "required": ["account", "isStale", "charge"],
                        "properties": {
                            "account": string(),
                            "balance": NULLABLE_MONEY,
                            "debt": NULLABLE_MONEY,
                            "creditLimit": NULLABLE_MONEY,
                            "fetchedAt": nullable(string(40, format="date-time")),
                            "isStale": {"type": "boolean"},
                            "ageLabel": string(),
                            "charge": array_of(
                                {
                                    "type": "object",
                                    "properties": {
                                        "date": nullable(string(40)),
                                        "amount": NULLABLE_MONEY,
                                        "description": string(1000),
                                        "msisdn": string(32),
                                    },
                                }
                            ),
                        },
                    }
                ),
                "usage": nullable(
                    {
                        "type": "object",
                        "required": ["month", "item"],
                        "properties": {
                            "month": string(10, format="date"),
                            "isCurrentMonth": {"type": "boolean"},
                            "item": array_of(
                                {
                                    "type": "object",
                                    "properties": {
                                        "kind": {
                                            "type": "string",
                                            "enum": ["data", "voice", "sms"],
                                        },
                                        "used": {"type": "number"},
                                        "included": nullable({"type": "number"}),
                                        "percent": nullable({"type": "number"}),
                                    },
                                }
                            ),
                        },
                    }
                ),
                "@type": string(64),
            },
        }
        return schemas

    @api.model
    def _api_openapi_paths(self):
        paths = super()._api_openapi_paths()
        summary = (
            "Balance, debt and last charges of the line's account (holder only) "
            "and the month's usage against the tariff; when billing does not "
            "answer, the last known figures with isStale"
        )
        paths["/product/{id}/balance"] = {
            "get": {
                "tags": ["Billing"],
                "summary": summary,
                "parameters": [path_id()],
                "responses": {
                    "200": answer(summary, ref("ProductBalance")),
                    **errors(),
                },
            }
        }
        return paths
