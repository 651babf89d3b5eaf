"""A small JSON-schema subset: one source for validation and the OpenAPI document.

Supported keywords: ``type`` (object, array, string, number, integer, boolean),
``properties``, ``required``, ``additionalProperties`` (bool), ``items``,
``maxItems``, ``minItems``, ``maxLength``, ``minLength``, ``enum``, ``format``
(``date-time``, ``uri``), ``minimum``, ``maximum``, ``nullable``, ``$ref``
(``#/components/schemas/<name>``), ``description``, ``example``.
"""

import re
from datetime import datetime, timezone

# one error and one id parser for every inbound API of the suite
from odoo.addons.telecom_subscriber.tools.subscriber_api import (  # noqa: F401
    ApiError,
    parse_id,
)

MAX_DEPTH = 12
# an absolute URI (RFC 3986: a scheme, then no space nor forbidden character)
URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")


def parse_datetime(value):
    """An ISO 8601 date-time (with Z or an offset) as an aware datetime, or None.

    None too for a moment that cannot be brought to UTC (year 1 with a
    positive offset, year 9999 with a negative one).
    """
    if not isinstance(value, str) or len(value) > 40:
        return None
    value = value.upper()  # RFC 3339 allows "t" and "z"
    if "T" not in value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo:
            moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None
    return moment


class Validator:
    """Validate values against the schemas of one registry (name → schema)."""

    def __init__(self, schemas):
        self.schemas = schemas

    def validate(self, schema, value):
        """The list of errors of ``value`` ("path: message"), empty when valid."""
        errors = []
        self._check(schema, value, "$", errors, 0)
        return errors

    def _resolve(self, schema):
        ref = schema.get("$ref")
        if ref:
            return self.schemas[ref.rsplit("/", 1)[-1]]
        return schema

    def _check(self, schema, value, path, errors, depth):
        schema = self._resolve(schema)
        if depth > MAX_DEPTH:
            errors.append(f"{path}: nested too deeply")
            return
        if value is None:
            if not schema.get("nullable"):
                errors.append(f"{path}: must not be null")
            return
        kind = schema.get("type")
        checker = {
            "object": self._check_object,
            "array": self._check_array,
            "string": self._check_string,
            "number": self._check_number,
            "integer": self._check_number,
            "boolean": self._check_boolean,
        }.get(kind)
        if checker:
            checker(schema, value, path, errors, depth)
        if "enum" in schema and value not in schema["enum"]:
            allowed = ", ".join(str(item) for item in schema["enum"])
            errors.append(f"{path}: must be one of {allowed}")

    def _check_object(self, schema, value, path, errors, depth):
        if not isinstance(value, dict):
            errors.append(f"{path}: must be an object")
            return
        properties = schema.get("properties", {})
        for name in schema.get("required", ()):
            if name not in value:
                errors.append(f"{path}.{name}: is required")
        for name, item in value.items():
            if name in properties:
                self._check(properties[name], item, f"{path}.{name}", errors, depth + 1)
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}.{name}: unknown field")

    def _check_array(self, schema, value, path, errors, depth):
        if not isinstance(value, list):
            errors.append(f"{path}: must be an array")
            return
        if len(value) > schema.get("maxItems", 1000):
            errors.append(f"{path}: at most {schema.get('maxItems', 1000)} items")
            return
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: at least {schema['minItems']} items")
        items = schema.get("items")
        if items:
            for index, item in enumerate(value):
                self._check(items, item, f"{path}[{index}]", errors, depth + 1)

    def _check_string(self, schema, value, path, errors, depth):
        if not isinstance(value, str):
            errors.append(f"{path}: must be a string")
            return
        if len(value) > schema.get("maxLength", 10000):
            errors.append(
                f"{path}: at most {schema.get('maxLength', 10000)} characters"
            )
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{path}: at least {schema['minLength']} characters")
        if "\x00" in value:
            errors.append(f"{path}: contains a NUL character")
        if schema.get("format") == "uri" and not URI.fullmatch(value):
            errors.append(f"{path}: must be an absolute URI")
        if schema.get("format") == "date-time" and not parse_datetime(value):
            errors.append(f"{path}: must be an ISO 8601 date-time")

    def _check_number(self, schema, value, path, errors, depth):
        integer = schema.get("type") == "integer"
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors.append(f"{path}: must be {'an integer' if integer else 'a number'}")
            return
        if integer and not isinstance(value, int):
            errors.append(f"{path}: must be an integer")
            return
        if value != value or value in (float("inf"), float("-inf")):
            errors.append(f"{path}: must be a finite number")
            return
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: must be at least {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: must be at most {schema['maximum']}")

    def _check_boolean(self, schema, value, path, errors, depth):
        if not isinstance(value, bool):
            errors.append(f"{path}: must be true or false")


def openapi_schema(schema):
    """The schema as an OpenAPI 3.0 schema object (our subset is compatible)."""
    if isinstance(schema, dict):
        return {key: openapi_schema(value) for key, value in schema.items()}
    if isinstance(schema, list | tuple):
        return [openapi_schema(item) for item in schema]
    return schema


def json_string(max_length=255, **extra):
    """JSON schema of a bounded string."""
    return {"type": "string", "maxLength": max_length, **extra}


def json_ref(name):
    """Reference to a schema of the OpenAPI document's components."""
    return {"$ref": f"#/components/schemas/{name}"}


def json_datetime(**extra):
    """JSON schema of an ISO 8601 date-time."""
    return {"type": "string", "format": "date-time", "maxLength": 40, **extra}


# answers every operation may give, and the one of operations on one resource
OPENAPI_ERRORS = {
    status: {"$ref": f"#/components/responses/{status}"}
    for status in ("400", "401", "403", "500")
}
OPENAPI_NOT_FOUND = {"404": {"$ref": "#/components/responses/404"}}


def openapi_body(schema):
    """A required JSON request body of the component ``schema``."""
    return {
        "required": True,
        "content": {"application/json": {"schema": json_ref(schema)}},
    }


def openapi_answer(description, schema, headers=None):
    """A JSON answer carrying ``schema`` (and ``headers``)."""
    result = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    if headers:
        result["headers"] = headers
    return result


def openapi_query(params):
    """Query parameters from (name, JSON type) pairs."""
    return [
        {"name": name, "in": "query", "schema": {"type": kind}} for name, kind in params
    ]
