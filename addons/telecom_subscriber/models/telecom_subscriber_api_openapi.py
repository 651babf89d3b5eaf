from odoo import api, models

from ..tools.subscriber_api import API_BASE, MAX_LIMIT, MAX_TEXT
from .telecom_service_portal import PORTAL_REQUEST_FIELDS
from .telecom_subscriber_api import PRODUCT_STATUS

ERROR_STATUSES = {
    "400": "Bad Request",
    "401": "Unauthorized",
    "403": "Forbidden",
    "404": "Not Found",
    "405": "Method Not Allowed",
    "409": "Conflict",
    "413": "Payload Too Large",
    "415": "Unsupported Media Type",
    "429": "Too Many Requests",
}
# the answers every operation may give
COMMON_ERRORS = ("400", "401", "403", "404", "429")


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def string(max_length=255, **extra):
    return {"type": "string", "maxLength": max_length, **extra}


def array_of(schema):
    return {"type": "array", "items": schema}


def errors(*statuses):
    return {
        status: {"$ref": f"#/components/responses/{status}"}
        for status in (*COMMON_ERRORS, *statuses)
    }


def answer(description, schema, list_headers=False):
    result = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    if list_headers:
        result["headers"] = {
            "X-Total-Count": {"schema": {"type": "integer"}},
            "X-Result-Count": {"schema": {"type": "integer"}},
        }
    return result


def query(name, kind="string", **extra):
    return {"name": name, "in": "query", "schema": {"type": kind, **extra}}


def path_id(name="id"):
    return {"name": name, "in": "path", "required": True, "schema": string(64)}


PAGE_PARAMS = [
    query("offset", "integer", minimum=0),
    query("limit", "integer", minimum=0, maximum=MAX_LIMIT),
]
MONEY = {
    "type": "object",
    "properties": {"unit": string(8), "value": {"type": "number"}},
}
ENTITY_REF = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": string(64),
        "href": string(512),
        "name": string(),
        "@referredType": string(64),
    },
}


class TelecomSubscriberApi(models.AbstractModel):
    """The OpenAPI 3 document of the subscriber API, served at
    ``/telecom/api/subscriber/v1/openapi.json``. Addons that add routes (balance
    from billing, tickets, incident notices) extend ``_api_openapi_paths`` and
    ``_api_openapi_schemas``."""

    _inherit = "telecom.subscriber.api"

    @api.model
    def _api_openapi_document(self, base_url):
        return {
            "openapi": "3.0.3",
            "info": {
                "title": "Telecom CRM subscriber API",
                "version": "1.0.0",
                "description": "The operator's mobile app and chat-bot read the "
                "subscriber's profile (TMF629 Customer), lines (TMF637 Product), "
                "billed usage (TMF635 Usage) and requests, and make self-service "
                "requests with the portal's rules. Authenticate as the portal "
                "user with 'Authorization: Bearer <API key>' (or the Odoo "
                "session of the app's web view). Calls are rate-limited per user "
                "(429 with Retry-After).",
            },
            "servers": [{"url": base_url + API_BASE}],
            "security": [{"bearer": []}, {"session": []}],
            "components": {
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer"},
                    "session": {
                        "type": "apiKey",
                        "in": "cookie",
                        "name": "session_id",
                    },
                },
                "schemas": self._api_openapi_schemas(),
                "responses": {
                    status: self._api_openapi_error(status, description)
                    for status, description in ERROR_STATUSES.items()
                },
            },
            "paths": self._api_openapi_paths(),
        }

    @api.model
    def _api_openapi_error(self, status, description):
        response = answer(description, ref("Error"))
        if status == "429":
            response["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before the next call.",
                    "schema": {"type": "integer"},
                }
            }
        if status == "401":
            response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        return response

    # ------------------------------------------------------------------
    # schemas
    # ------------------------------------------------------------------
    @api.model
    def _api_openapi_schemas(self):
        characteristic = {
            "type": "object",
            "required": ["name", "value"],
            "properties": {
                "name": string(64),
                "valueType": string(32),
                "value": {},
            },
        }
        return {
            "Error": {
                "type": "object",
                "required": ["code", "reason"],
                "properties": {
                    "code": string(64),
                    "reason": string(),
                    "message": string(2000),
                    "status": string(8),
                    "@type": string(64),
                },
            },
            "EntityRef": ENTITY_REF,
            "Money": MONEY,
            "Characteristic": characteristic,
            "Customer": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": string(64),
                    "href": string(512),
                    "name": string(),
                    "status": string(32),
                    "engagedParty": ref("EntityRef"),
                    "contactMedium": array_of(
                        {
                            "type": "object",
                            "properties": {
                                "mediumType": string(32),
                                "preferred": {"type": "boolean"},
                                "characteristic": {"type": "object"},
                            },
                        }
                    ),
                    "account": array_of(ref("EntityRef")),
                    "individualIdentification": array_of(
                        {
                            "type": "object",
                            "description": "Identity document, its number masked.",
                            "properties": {
                                "identificationType": string(32),
                                "identificationId": string(64),
                            },
                        }
                    ),
                    "@type": string(64),
                },
            },
            "ProductOfferingRef": ENTITY_REF,
            "Product": self._api_openapi_product_schema(),
            "TariffOffer": {
                "type": "object",
                "required": ["id", "monthlyFee", "monthlyDifference"],
                "properties": {
                    **ENTITY_REF["properties"],
                    "monthlyFee": ref("Money"),
                    "monthlyDifference": ref("Money"),
                    "removedOptions": array_of(ref("ProductOfferingRef")),
                },
            },
            "Usage": {
                "type": "object",
                "required": ["id", "usageDate"],
                "properties": {
                    "id": string(64),
                    "href": string(512),
                    "usageDate": string(40, format="date-time"),
                    "usageType": string(32),
                    "status": {"type": "string", "enum": ["rated", "billed"]},
                    "description": string(1000),
                    "usageCharacteristic": array_of(ref("Characteristic")),
                    "ratedProductUsage": array_of(
                        {
                            "type": "object",
                            "properties": {
                                "isBilled": {"type": "boolean"},
                                "taxIncludedRatingAmount": ref("Money"),
                                "productRef": ref("EntityRef"),
                                "@type": string(64),
                            },
                        }
                    ),
                    "@type": string(64),
                },
            },
            "TelecomRequest": self._api_openapi_request_schema(),
            "TelecomRequest_Create": self._api_openapi_request_create_schema(),
        }

    @api.model
    def _api_openapi_product_schema(self):
        return {
            "type": "object",
            "required": ["id", "status", "accountHolder", "allowedRequests"],
            "properties": {
                "id": string(64),
                "href": string(512),
                "name": string(),
                "productSerialNumber": string(64),
                "status": {
                    "type": "string",
                    "enum": sorted(set(PRODUCT_STATUS.values())),
                },
                "isBundle": {"type": "boolean"},
                "isCustomerVisible": {"type": "boolean"},
                "startDate": string(40, format="date-time"),
                "terminationDate": string(40, format="date-time"),
                "productOffering": ref("ProductOfferingRef"),
                "productPrice": array_of(
                    {
                        "type": "object",
                        "required": ["priceType", "price"],
                        "properties": {
                            "name": string(),
                            "priceType": string(32),
                            "recurringChargePeriod": string(32),
                            "price": {
                                "type": "object",
                                "properties": {"taxIncludedAmount": ref("Money")},
                            },
                        },
                    }
                ),
                "productCharacteristic": array_of(ref("Characteristic")),
                "product": array_of(
                    {
                        "type": "object",
                        "properties": {
                            "id": string(64),
                            "name": string(),
                            "productOffering": ref("ProductOfferingRef"),
                            "@type": string(64),
                        },
                    }
                ),
                "billingAccount": ref("EntityRef"),
                "accountHolder": {
                    "type": "boolean",
                    "description": "The caller holds the line and may change it.",
                },
                "allowedRequests": {
                    "type": "array",
                    "description": "Request types the caller may make on the line "
                    "now (POST /request).",
                    "items": {"type": "string", "enum": list(PORTAL_REQUEST_FIELDS)},
                },
                "@type": string(64),
            },
        }

    @api.model
    def _api_openapi_request_schema(self):
        Request = self.env["telecom.request"]
        return {
            "type": "object",
            "required": ["id", "name", "requestType", "state"],
            "properties": {
                "id": string(64),
                "href": string(512),
                "name": string(64),
                "requestType": {
                    "type": "string",
                    "enum": [
                        key for key, _label in Request._fields["request_type"].selection
                    ],
                },
                "state": {
                    "type": "string",
                    "enum": [key for key, _label in Request._fields["state"].selection],
                },
                "isClosed": {"type": "boolean"},
                "channel": string(32),
                "creationDate": string(40, format="date-time"),
                "closedDate": string(40, format="date-time"),
                "effectiveDate": string(40, format="date-time"),
                "rejectionReason": string(MAX_TEXT * 5),
                "product": ref("EntityRef"),
                "@type": string(64),
            },
        }

    @api.model
    def _api_openapi_request_create_schema(self):
        request_fields = self.env["telecom.request"]._fields
        names = dict.fromkeys(
            name for names in PORTAL_REQUEST_FIELDS.values() for name in names
        )
        return {
            "type": "object",
            "required": ["requestType", "product"],
            "properties": {
                "requestType": {
                    "type": "string",
                    "enum": list(PORTAL_REQUEST_FIELDS),
                },
                "product": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {"id": string(64)},
                    "description": "The line (its id in GET /product).",
                },
                "values": {
                    "type": "object",
                    "description": "The request's fields, as on the portal form; "
                    "only those of the request type.",
                    "additionalProperties": False,
                    "properties": {
                        name: self._api_openapi_field_schema(request_fields[name])
                        for name in names
                    },
                },
            },
        }

    @api.model
    def _api_openapi_field_schema(self, field):
        """The JSON schema of a request field the API takes in ``values``."""
        description = field._description_string(self.env)
        if field.type == "boolean":
            return {"type": "boolean", "description": description}
        if field.type in ("float", "monetary"):
            return {"type": "number", "description": description}
        if field.type == "selection":
            return {
                "type": "string",
                "enum": [key for key, _label in field.selection],
                "description": description,
            }
        if field.type == "date":
            return string(10, format="date", description=description)
        if field.type == "many2one":
            return string(
                64, description=description + " (id from the offers of the line)"
            )
        return string(MAX_TEXT, description=description)

    # ------------------------------------------------------------------
    # paths
    # ------------------------------------------------------------------
    @api.model
    def _api_openapi_paths(self):
        def get(tag, summary, response, parameters=(), list_headers=False):
            return {
                "tags": [tag],
                "summary": summary,
                "parameters": list(parameters),
                "responses": {
                    "200": answer(summary, response, list_headers),
                    **errors(),
                },
            }

        return {
            "/customer": {
                "get": get("TMF629 Customer", "My profile", ref("Customer")),
            },
            "/product": {
                "get": get(
                    "TMF637 Product Inventory",
                    "My lines",
                    array_of(ref("Product")),
                    [query("status"), *PAGE_PARAMS],
                    list_headers=True,
                ),
            },
            "/product/{id}": {
                "get": get(
                    "TMF637 Product Inventory", "One line", ref("Product"), [path_id()]
                ),
            },
            "/product/{id}/tariffOffer": {
                "get": get(
                    "TMF637 Product Inventory",
                    "Tariffs the line may move to, with the price difference",
                    array_of(ref("TariffOffer")),
                    [path_id()],
                ),
            },
            "/usage": {
                "get": get(
                    "TMF635 Usage",
                    "Billed usage of my lines, by month",
                    array_of(ref("Usage")),
                    [query("product.id"), *PAGE_PARAMS],
                    list_headers=True,
                ),
            },
            "/request": {
                "get": get(
                    "Requests",
                    "My requests",
                    array_of(ref("TelecomRequest")),
                    PAGE_PARAMS,
                    list_headers=True,
                ),
                "post": {
                    "tags": ["Requests"],
                    "summary": "Make a self-service request on a line",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": ref("TelecomRequest_Create")}
                        },
                    },
                    "responses": {
                        "201": answer("Request made", ref("TelecomRequest")),
                        **errors("409", "413", "415"),
                    },
                },
            },
            "/request/{id}": {
                "get": get(
                    "Requests", "One request", ref("TelecomRequest"), [path_id()]
                ),
            },
        }
