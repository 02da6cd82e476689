"""The bundled Meraki Dashboard OpenAPI extract: operation lookup and validation against it.

The spec is OpenAPI 3.0, whose schema objects are close to JSON Schema draft 4. Before validating, each schema is
converted: OpenAPI-only keywords (``nullable``, ``example``, ...) are translated or dropped, and in strict mode every
object that lists its ``properties`` rejects keys it does not list (the spec itself never says
``additionalProperties``, so without this a misspelled key like ``org_access`` would pass silently).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker

SPEC_PATH = Path(__file__).with_name("openapi-admins-v1.42.0.json")
_DROPPED_KEYWORDS = frozenset(
    {"description", "example", "examples", "nullable", "readOnly", "writeOnly", "deprecated", "xml", "externalDocs"}
)
_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@dataclass(frozen=True)
class Operation:
    """One operation of the spec.

    Attributes:
        operation_id: The spec's operationId, e.g. ``createOrganizationAdmin``.
        method: Upper-case HTTP method.
        template: Path template relative to the API root, e.g. ``/organizations/{organizationId}/admins``.
        regex: Compiled full-match regex for the template; path parameters are named groups.
    """

    operation_id: str
    method: str
    template: str
    regex: re.Pattern[str]

    @property
    def definition(self) -> dict[str, Any]:
        """The raw operation object from the spec."""
        return load_spec()["paths"][self.template][self.method.lower()]


@cache
def load_spec() -> dict[str, Any]:
    """Load the spec from disk once.

    Returns:
        The parsed OpenAPI document (shared; do not mutate).
    """
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


@cache
def operations() -> dict[str, Operation]:
    """All operations of the spec, keyed by operationId."""
    found: dict[str, Operation] = {}
    for template, item in load_spec()["paths"].items():
        pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(template))
        regex = re.compile(pattern)
        for method in _HTTP_METHODS:
            if method in item:
                op_id = item[method]["operationId"]
                found[op_id] = Operation(op_id, method.upper(), template, regex)
    return found


def match_operation(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    """Find the operation serving ``method`` on ``path``.

    Args:
        method: HTTP method, any case.
        path: Path relative to the API root, e.g. ``/organizations/100/admins``.

    Returns:
        The operation and its path parameters, or None when the spec has no such operation.
    """
    for operation in operations().values():
        if operation.method != method.upper():
            continue
        found = operation.regex.fullmatch(path)
        if found:
            return operation, found.groupdict()
    return None


def openapi_to_json_schema(schema: Any, strict: bool = True) -> Any:
    """Translate an OpenAPI 3.0 schema object into a draft-4 JSON Schema.

    Args:
        schema: The OpenAPI schema object (not modified).
        strict: Reject object keys that the schema does not list.

    Returns:
        A new JSON Schema.
    """
    if isinstance(schema, list):
        return [openapi_to_json_schema(item, strict) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DROPPED_KEYWORDS:
            continue
        if key == "properties":
            result[key] = {name: openapi_to_json_schema(sub, strict) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            result[key] = openapi_to_json_schema(value, strict)
        else:
            result[key] = value
    if schema.get("nullable"):
        if "type" in result:
            result["type"] = [result["type"], "null"]
        if "enum" in result:
            result["enum"] = [*result["enum"], None]
    if strict and "properties" in result and "additionalProperties" not in result:
        result["additionalProperties"] = False
    return result


def _json_schema(operation_id: str, kind: str, status: str | None = None) -> dict[str, Any] | None:
    definition = operations()[operation_id].definition
    if kind == "request":
        container = definition.get("requestBody", {})
    else:
        container = definition.get("responses", {}).get(status or "", {})
    return container.get("content", {}).get("application/json", {}).get("schema")


@cache
def _validator(operation_id: str, kind: str, status: str | None, strict: bool) -> Draft4Validator | None:
    schema = _json_schema(operation_id, kind, status)
    if schema is None:
        return None
    return Draft4Validator(openapi_to_json_schema(schema, strict), format_checker=FormatChecker())


def _messages(validator: Draft4Validator, instance: Any) -> list[str]:
    errors = sorted(validator.iter_errors(instance), key=lambda error: [str(part) for part in error.absolute_path])
    messages = []
    for error in errors:
        where = ".".join(str(part) for part in error.absolute_path)
        messages.append(f"{where}: {error.message}" if where else error.message)
    return messages


def validate_request_body(operation_id: str, body: Any, strict: bool = True) -> list[str]:
    """Check a request body against the operation's requestBody schema.

    Args:
        operation_id: The spec's operationId.
        body: The parsed JSON body, or None when the request had none.
        strict: Also reject keys the schema does not list.

    Returns:
        Human-readable violations; empty when the body conforms.
    """
    request_body = operations()[operation_id].definition.get("requestBody")
    if request_body is None:
        return [] if body is None else ["this operation takes no request body"]
    if body is None:
        return ["a JSON request body is required"] if request_body.get("required") else []
    validator = _validator(operation_id, "request", None, strict)
    return _messages(validator, body) if validator else []


def success_statuses(operation_id: str) -> list[int]:
    """The 2xx statuses the spec declares for an operation."""
    responses = operations()[operation_id].definition.get("responses", {})
    return [int(code) for code in responses if code.isdigit() and code.startswith("2")]


def validate_response_body(operation_id: str, status: int, body: Any, strict: bool = True) -> list[str]:
    """Check a successful response against the operation's declared response.

    Args:
        operation_id: The spec's operationId.
        status: The HTTP status sent.
        body: The parsed JSON body, or None for an empty body.
        strict: Also reject keys the schema does not list.

    Returns:
        Human-readable violations; empty when the response conforms.
    """
    if status not in success_statuses(operation_id):
        return [f"status {status} is not declared; the spec declares {success_statuses(operation_id)}"]
    validator = _validator(operation_id, "response", str(status), strict)
    if validator is None:
        return [] if body is None else [f"status {status} must have an empty body"]
    if body is None:
        return [f"status {status} must have a JSON body"]
    return _messages(validator, body)


def query_parameters(operation_id: str) -> dict[str, dict[str, Any]]:
    """The query parameters the spec declares for an operation, keyed by name."""
    parameters = operations()[operation_id].definition.get("parameters", [])
    return {param["name"]: param for param in parameters if param.get("in") == "query"}


def _coerce(value: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        if value not in ("true", "false"):
            raise ValueError(value)
        return value == "true"
    return value


def validate_query(operation_id: str, query: dict[str, str | list[str]]) -> tuple[dict[str, Any], list[str]]:
    """Coerce and check the declared query parameters of a request.

    Array parameters are accepted as ``name[]`` (what Meraki and its SDK use) or ``name``. Parameters the spec does
    not declare are ignored, as the Dashboard ignores them.

    Args:
        operation_id: The spec's operationId.
        query: Raw query values (a list for repeated or ``[]`` keys).

    Returns:
        The declared parameters coerced to their schema types (arrays under their plain name), and the violations.
    """
    values: dict[str, Any] = {}
    errors: list[str] = []
    for name, param in query_parameters(operation_id).items():
        schema = param.get("schema", {})
        raw = query.get(f"{name}[]", query.get(name))
        if raw is None:
            continue
        items = raw if isinstance(raw, list) else [raw]
        if schema.get("type") != "array":
            items = items[-1:]
        item_schema = schema.get("items", {}) if schema.get("type") == "array" else schema
        try:
            coerced = [_coerce(item, item_schema) for item in items]
        except ValueError:
            errors.append(f"{name}: {raw!r} is not of type '{item_schema.get('type')}'")
            continue
        validator = Draft4Validator(openapi_to_json_schema(item_schema), format_checker=FormatChecker())
        problems = [message for item in coerced for message in _messages(validator, item)]
        errors.extend(f"{name}: {message}" for message in problems)
        if not problems:
            values[name] = coerced if schema.get("type") == "array" else coerced[0]
    return values, errors
