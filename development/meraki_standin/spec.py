"""The bundled Meraki Dashboard OpenAPI extract: operation lookup and validation against it, by openapi-core.

openapi-core does the work: it finds the operation of a method and path, deserializes and coerces query
parameters, and validates bodies against the OpenAPI 3.0 schemas (``nullable``, formats, ...). Two rules are ours:

- strict mode: every object schema that lists its ``properties`` rejects keys it does not list. The spec itself
  never says ``additionalProperties``, so without this a misspelled key like ``org_access`` would pass silently.
  openapi-core is handed a copy of the spec with ``additionalProperties: false`` added to those schemas.
- array query parameters are accepted as ``name[]`` (what Meraki and its SDK send) or ``name``; parameters the
  spec does not declare are ignored, as the Dashboard ignores them.

Validators are built once per spec variant and reused: the stand-in checks every request and response.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from openapi_core import OpenAPI
from openapi_core.casting.schemas.exceptions import CastError
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.paths.finders import APICallPathFinder
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.unmarshalling.request.unmarshallers import V30RequestParametersUnmarshaller
from openapi_core.validation.request.validators import V30RequestBodyValidator
from openapi_core.validation.response.validators import V30ResponseDataValidator
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue

# Meraki's extract of every path about who can get into an organization (admins, SAML, login security, ...).
SPEC_PATH = Path(__file__).with_name("openapi-access-v1.42.0.json")
# openapi-core matches full URLs against the spec's servers; the stand-in works with paths under this root.
_SERVER = "https://api.meraki.com/api/v1"
_HOST, _ROOT = "https://api.meraki.com", "/api/v1"
_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@dataclass(frozen=True)
class Operation:
    """One operation of the spec.

    Attributes:
        operation_id: The spec's operationId, e.g. ``createOrganizationAdmin``.
        method: Upper-case HTTP method.
        template: Path template relative to the API root, e.g. ``/organizations/{organizationId}/admins``.
    """

    operation_id: str
    method: str
    template: str

    @property
    def definition(self) -> dict[str, Any]:
        """The raw operation object from the spec."""
        return load_spec()["paths"][self.template][self.method.lower()]

    @property
    def example_path(self) -> str:
        """A concrete path of this operation (each path parameter ``x``), to address it in openapi-core."""
        path = self.template
        for name in _path_parameter_names(self.template):
            path = path.replace(f"{{{name}}}", "x")
        return path


def _path_parameter_names(template: str) -> list[str]:
    return [part[1:-1] for part in template.split("/") if part.startswith("{") and part.endswith("}")]


@cache
def load_spec() -> dict[str, Any]:
    """Load the spec from disk once.

    Returns:
        The parsed OpenAPI document (shared; do not mutate).
    """
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


def strict_schemas(node: Any) -> Any:
    """A copy of an OpenAPI document or schema in which every object listing ``properties`` rejects other keys.

    Args:
        node: Any part of an OpenAPI document (not modified).

    Returns:
        The copy; an explicit ``additionalProperties`` is kept.
    """
    if isinstance(node, list):
        return [strict_schemas(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: strict_schemas(value) for key, value in node.items()}
    if isinstance(result.get("properties"), dict) and "additionalProperties" not in result:
        result["additionalProperties"] = False
    return result


@cache
def _openapi(strict: bool) -> OpenAPI:
    document = strict_schemas(load_spec()) if strict else copy.deepcopy(load_spec())
    document["servers"] = [{"url": _SERVER}]
    return OpenAPI.from_dict(document)


@cache
def _body_validator(strict: bool) -> V30RequestBodyValidator:
    return V30RequestBodyValidator(_openapi(strict).spec)


@cache
def _response_validator(strict: bool) -> V30ResponseDataValidator:
    return V30ResponseDataValidator(_openapi(strict).spec)


@cache
def _parameters_unmarshaller() -> V30RequestParametersUnmarshaller:
    return V30RequestParametersUnmarshaller(_openapi(True).spec)


@cache
def _path_finder() -> APICallPathFinder:
    return APICallPathFinder(_openapi(True).spec)


@cache
def operations() -> dict[str, Operation]:
    """All operations of the spec, keyed by operationId."""
    found: dict[str, Operation] = {}
    for template, item in load_spec()["paths"].items():
        for method in _HTTP_METHODS:
            if method in item:
                op_id = item[method]["operationId"]
                found[op_id] = Operation(op_id, method.upper(), template)
    return found


@cache
def _operations_by_route() -> dict[tuple[str, str], Operation]:
    return {(operation.method, operation.template): operation for operation in operations().values()}


def match_operation(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    """Find the operation serving ``method`` on ``path``.

    Args:
        method: HTTP method, any case.
        path: Path relative to the API root, e.g. ``/organizations/100/admins``.

    Returns:
        The operation and its path parameters, or None when the spec has no such operation.
    """
    found = _match_operation(method.upper(), path)
    return None if found is None else (found[0], dict(found[1]))


@lru_cache(maxsize=4096)
def _match_operation(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    try:
        found = _path_finder().find(method.lower(), f"{_SERVER}{path}")
    except PathError:
        return None
    return _operations_by_route()[(method, found.path.parts[-1])], dict(found.path_result.variables)


def _request(operation_id: str, query: dict[str, Any] | None = None, body: Any = None) -> MockRequest:
    operation = operations()[operation_id]
    data = None if body is None else json.dumps(body).encode()
    return MockRequest(_HOST, operation.method, f"{_ROOT}{operation.example_path}", args=query, data=data)


def _messages(error: Exception, prefix: str = "") -> list[str]:
    """Human-readable lines for an openapi-core error: one per schema violation, ``path: message``."""
    cause = error.__cause__ if error.__cause__ is not None else error
    if isinstance(cause, InvalidSchemaValue):
        violations = sorted(cause.schema_errors, key=lambda item: [str(part) for part in item.absolute_path])
        lines = []
        for violation in violations:
            where = ".".join(str(part) for part in violation.absolute_path)
            lines.append(f"{where}: {violation.message}" if where else violation.message)
    elif isinstance(cause, CastError):
        lines = [f"{cause.value!r} is not of type '{cause.type}'"]
    else:
        lines = [str(cause)]
    return [f"{prefix}{line}" for line in lines]


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
    request = _request(operation_id, body=body)
    return [line for error in _body_validator(strict).iter_errors(request) for line in _messages(error)]


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
    declared = operations()[operation_id].definition["responses"][str(status)]
    if "application/json" not in declared.get("content", {}):
        return [] if body is None else [f"status {status} must have an empty body"]
    if body is None:
        return [f"status {status} must have a JSON body"]
    response = MockResponse(json.dumps(body).encode(), status_code=status)
    errors = _response_validator(strict).iter_errors(_request(operation_id), response)
    return [line for error in errors for line in _messages(error)]


def query_parameters(operation_id: str) -> dict[str, dict[str, Any]]:
    """The query parameters the spec declares for an operation, keyed by name."""
    parameters = operations()[operation_id].definition.get("parameters", [])
    return {param["name"]: param for param in parameters if param.get("in") == "query"}


def validate_query(operation_id: str, query: dict[str, str | list[str]]) -> tuple[dict[str, Any], list[str]]:
    """Coerce and check the declared query parameters of a request.

    Array parameters are accepted as ``name[]`` (what Meraki and its SDK use) or ``name``; a repeated scalar
    parameter counts with its last value. Parameters the spec does not declare are ignored, as the Dashboard
    ignores them.

    Args:
        operation_id: The spec's operationId.
        query: Raw query values (a list for repeated or ``[]`` keys).

    Returns:
        The declared parameters coerced to their schema types (arrays under their plain name), and the violations.
    """
    key = tuple(sorted((name, tuple(raw) if isinstance(raw, list) else raw) for name, raw in query.items()))
    values, errors = _validate_query(operation_id, key)
    return copy.deepcopy(values), list(errors)


@cache
def _validate_query(operation_id: str, key: tuple[tuple[str, Any], ...]) -> tuple[dict[str, Any], list[str]]:
    """validate_query for a hashable query: openapi-core walks every declared parameter, so answers are kept."""
    query = {name: list(raw) if isinstance(raw, tuple) else raw for name, raw in key}
    args: dict[str, list[str]] = {}
    errors: list[str] = []
    for name, param in query_parameters(operation_id).items():
        raw = query.get(f"{name}[]", query.get(name))
        if raw is None:
            continue
        items = raw if isinstance(raw, list) else [raw]
        schema = param.get("schema", {})
        items = items if schema.get("type") == "array" else items[-1:]
        # openapi-core also reads yes/no/on/off/1/0 as booleans; Meraki's JSON spelling is true/false.
        if schema.get("type") == "boolean" and items[0] not in ("true", "false"):
            errors.append(f"{name}: {raw!r} is not of type 'boolean'")
            continue
        args[name] = items
    if not args:
        return {}, errors
    result = _parameters_unmarshaller().unmarshal(_request(operation_id, query=args))
    for error in result.errors:
        name = getattr(error, "name", "")
        errors.extend(_messages(error, f"{name}: " if name else ""))
    bad = {getattr(error, "name", None) for error in result.errors}
    values = {name: value for name, value in result.parameters.query.items() if name not in bad}
    return values, errors
