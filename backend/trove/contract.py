"""The OpenAPI document as the source of truth for routing and validation.

At start-up the spec is checked, every operation is compiled into a small
plan (coercers and JSON Schema validators for its parameters and body), and
each `operationId` is bound to exactly one handler. Requests then only run
the compiled plan: the spec is never walked per request.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from openapi_spec_validator import validate as validate_spec

from trove.errors import (
    FieldError,
    MalformedJson,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)

SPEC_PATH = Path(__file__).with_name("openapi.yaml")
HTTP_METHODS = ("get", "put", "post", "delete", "patch")
MAX_BODY_DEPTH = 16

Rule = Callable[[str], list[tuple[str, str]]]
Authenticate = Callable[[Any], Awaitable[Any]]


class ContractMismatch(Exception):
    """The handlers and the operations of the spec do not match one to one."""


@dataclass(slots=True)
class Call:
    """The validated input of one request, as a handler receives it."""

    path: dict[str, Any]
    query: dict[str, Any]
    body: Any
    user: Any


@dataclass(slots=True)
class HandlerSpec:
    function: Callable[..., Awaitable[Any]]
    rules: dict[str, Rule]


_registry: dict[str, HandlerSpec] = {}


def operation(operation_id: str, *, rules: dict[str, Rule] | None = None):
    """Bind the decorated handler to the spec operation `operation_id`.

    `rules` maps top-level body fields to functions that return every
    `(code, message)` the value breaks; their findings replace the generic
    schema findings for that field, so that a client sees all rules at once.
    """

    def register(function):
        if operation_id in _registry:
            raise ContractMismatch(f"two handlers for operation {operation_id}")
        _registry[operation_id] = HandlerSpec(function, rules or {})
        return function

    return register


def load_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    """Read and validate the OpenAPI document; raises if it is not valid."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    validate_spec(spec)
    return spec


# -- compiling ---------------------------------------------------------------


@dataclass(slots=True)
class Parameter:
    name: str
    location: str
    required: bool
    default: Any
    coerce: Callable[[str], Any]
    validator: Draft202012Validator


@dataclass(slots=True)
class Operation:
    """One spec operation, compiled."""

    operation_id: str
    method: str
    path: str
    secured: bool
    path_params: list[Parameter] = field(default_factory=list)
    query_params: dict[str, Parameter] = field(default_factory=dict)
    body_validator: Draft202012Validator | None = None
    body_required: bool = False
    max_body_bytes: int = 16 * 1024

    @property
    def uri(self) -> str:
        """The path in Sanic's routing syntax."""
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)


def compile_operations(spec: dict[str, Any]) -> list[Operation]:
    """Compile every operation of `spec`."""
    resolver = _Resolver(spec)
    operations = []
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            if method in item:
                operations.append(
                    _compile_operation(
                        resolver, spec, path, method, item[method], shared
                    )
                )
    return operations


def _compile_operation(resolver, spec, path, method, raw, shared) -> Operation:
    security = raw.get("security", spec.get("security", []))
    op = Operation(
        operation_id=raw["operationId"],
        method=method.upper(),
        path=path,
        secured=bool(security),
    )
    for raw_param in [*shared, *raw.get("parameters", [])]:
        param = _compile_parameter(resolver, resolver.deref(raw_param))
        if param.location == "path":
            op.path_params.append(param)
        elif param.location == "query":
            op.query_params[param.name] = param
        else:
            raise ContractMismatch(f"{param.location} parameters are not supported")

    body = raw.get("requestBody")
    if body is not None:
        body = resolver.deref(body)
        schema = body["content"]["application/json"]["schema"]
        op.body_validator = _validator(resolver.inline(schema))
        op.body_required = body.get("required", False)
        op.max_body_bytes = body.get("x-max-bytes", op.max_body_bytes)
    return op


def _compile_parameter(resolver, raw: dict[str, Any]) -> Parameter:
    schema = resolver.inline(raw["schema"])
    return Parameter(
        name=raw["name"],
        location=raw["in"],
        required=raw.get("required", False),
        default=schema.get("default"),
        coerce=_coercer(schema),
        validator=_validator(schema),
    )


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


class _Resolver:
    """Replaces local `$ref`s by what they point at."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def deref(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = self._lookup(node["$ref"])
        return node

    def inline(self, node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return self.inline(self._lookup(node["$ref"]))
            return {key: self.inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [self.inline(value) for value in node]
        return node

    def _lookup(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise ContractMismatch(f"only local references are supported: {ref}")
        node = self.spec
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node


_INTEGER = re.compile(r"-?[0-9]{1,20}")


class _CoercionError(ValueError):
    pass


def _coercer(schema: dict[str, Any]) -> Callable[[str], Any]:
    """Return a function turning a query or path string into the schema's type."""
    kind = schema.get("type")
    if kind == "integer":
        return _to_integer
    if kind == "boolean":
        return _to_boolean
    if kind == "array":
        item = _coercer(schema.get("items", {}))
        return lambda raw: [item(part) for part in raw.split(",")]
    return str


def _to_integer(raw: str) -> int:
    if not _INTEGER.fullmatch(raw):
        raise _CoercionError("Must be a whole number.")
    return int(raw)


def _to_boolean(raw: str) -> bool:
    if raw == "true":
        return True
    if raw == "false":
        return False
    raise _CoercionError("Must be true or false.")


# -- validating --------------------------------------------------------------


def validate_path(op: Operation, raw: dict[str, str]) -> dict[str, Any]:
    """Coerce and check the path parameters; raises ValidationFailed."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for param in op.path_params:
        _take(param, raw.get(param.name), values, errors)
    if errors:
        raise ValidationFailed(errors=errors)
    return values


def validate_query(op: Operation, args: dict[str, list[str]]) -> dict[str, Any]:
    """Coerce and check the query string, with the spec's defaults filled in.

    Unknown and repeated parameters are refused rather than ignored, so that
    a misspelt filter never silently returns unfiltered results.
    """
    args = dict(args)  # Sanic's get() would return only the first value
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, given in args.items():
        if name not in op.query_params:
            errors.append(
                FieldError("query", name, "unknown_parameter", "Unknown parameter.")
            )
        elif len(given) > 1:
            errors.append(
                FieldError("query", name, "repeated_parameter", "Give this once.")
            )
    for name, param in op.query_params.items():
        given = args.get(name)
        if given is not None and len(given) == 1:
            _take(param, given[0], values, errors)
        elif given is None:
            _take(param, None, values, errors)
    if errors:
        raise ValidationFailed(errors=errors)
    return values


def _take(param: Parameter, raw: str | None, values: dict, errors: list) -> None:
    if raw is None:
        if param.required:
            errors.append(
                FieldError(param.location, param.name, "required", "This is required.")
            )
        elif param.default is not None:
            values[param.name] = param.default
        return
    try:
        value = param.coerce(raw)
    except _CoercionError as exc:
        errors.append(FieldError(param.location, param.name, "invalid_type", str(exc)))
        return
    found = list(_field_errors(param.validator, value, param.location, param.name))
    if found:
        errors.extend(found)
    else:
        values[param.name] = value


def parse_body(op: Operation, content_type: str | None, raw: bytes) -> Any:
    """Decode and check a JSON body; raises the matching TroveError."""
    if len(raw) > op.max_body_bytes:
        raise PayloadTooLarge(f"The body may be at most {op.max_body_bytes} bytes.")
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType()
    if not raw:
        raise MalformedJson("The body is empty; a JSON document is required.")
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MalformedJson(f"The body is not valid JSON: {exc}.") from None
    if _deeper_than(document, MAX_BODY_DEPTH):
        raise ValidationFailed(
            errors=[
                FieldError(
                    "body", "", "too_deep", f"Nest at most {MAX_BODY_DEPTH} levels."
                )
            ]
        )
    return document


def _deeper_than(document: Any, limit: int) -> bool:
    """Whether `document` nests arrays or objects more than `limit` deep.

    Checked without recursion before schema validation, whose error
    messages would otherwise recurse through the whole structure.
    """
    level = [document]
    for _ in range(limit):
        level = [
            child
            for node in level
            if isinstance(node, (dict, list))
            for child in (node.values() if isinstance(node, dict) else node)
        ]
        if not level:
            return False
    return any(isinstance(node, (dict, list)) for node in level)


def validate_body(op: Operation, body: Any, rules: dict[str, Rule]) -> Any:
    """Check a decoded body against the schema and the handler's rules."""
    errors = list(_field_errors(op.body_validator, body, "body", ""))
    if isinstance(body, dict) and rules:
        for name, rule in rules.items():
            value = body.get(name)
            if not isinstance(value, str):
                continue
            found = [FieldError("body", name, code, text) for code, text in rule(value)]
            if found:
                errors = [e for e in errors if e.field != name] + found
    if errors:
        raise ValidationFailed(errors=errors)
    return body


_CODES = {
    "required": "required",
    "additionalProperties": "unknown_field",
    "type": "invalid_type",
    "minLength": "too_short",
    "maxLength": "too_long",
    "minimum": "too_small",
    "exclusiveMinimum": "too_small",
    "maximum": "too_large",
    "exclusiveMaximum": "too_large",
    "enum": "invalid_choice",
    "const": "invalid_choice",
    "pattern": "invalid_format",
    "format": "invalid_format",
    "minItems": "too_few",
    "maxItems": "too_many",
    "uniqueItems": "not_unique",
}


def _field_errors(
    validator: Draft202012Validator, value: Any, location: str, name: str
) -> Iterable[FieldError]:
    for error in validator.iter_errors(value):
        yield from _explain(error, location, name)


def _explain(error: ValidationError, location: str, name: str) -> Iterable[FieldError]:
    parts = [str(part) for part in error.absolute_path]
    if location != "body":
        parts = [name]  # an array item's problem is the parameter's problem
    code = _CODES.get(error.validator, "invalid")

    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        for key in missing or ["?"]:
            yield FieldError(
                location, ".".join([*parts, key]), code, "This is required."
            )
        return
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        for key in extra:
            yield FieldError(location, ".".join([*parts, key]), code, "Unknown field.")
        return
    yield FieldError(location, ".".join(parts), code, _message(error))


def _message(error: ValidationError) -> str:
    value = error.validator_value
    match error.validator:
        case "type":
            return f"Must be of type {value}."
        case "minLength":
            return f"Must be at least {value} characters long."
        case "maxLength":
            return f"Must be at most {value} characters long."
        case "minimum":
            return f"Must be at least {value}."
        case "maximum":
            return f"Must be at most {value}."
        case "enum":
            return "Must be one of: " + ", ".join(str(v) for v in value) + "."
        case "const":
            return f"Must be {value}."
        case "pattern" | "format":
            return "Has the wrong format."
        case "maxItems":
            return f"Must have at most {value} items."
        case "minItems":
            return f"Must have at least {value} items."
        case "uniqueItems":
            return "Must not repeat an item."
    return "Is not valid."


# -- binding -----------------------------------------------------------------


def bind(
    app,
    spec: dict[str, Any],
    authenticate: Authenticate,
    handlers: dict[str, HandlerSpec] | None = None,
    *,
    check_schemas: bool = True,
) -> list[Operation]:
    """Route every spec operation to its handler, or raise ContractMismatch.

    Each route runs, in order: authentication (401 before anything else),
    path, query and body validation (422), then the handler with a `Call`.
    Handler parameters after `request` and `call` are injected by type
    through Sanic Extensions. `check_schemas=False` is for benchmarks only:
    values are still parsed and defaulted but not checked against the spec.
    """
    handlers = _registry if handlers is None else handlers
    operations = compile_operations(spec)
    if not check_schemas:
        _skip_schema_checks(operations)
    _check_one_to_one({op.operation_id for op in operations}, set(handlers))

    for op in operations:
        endpoint = _endpoint(op, handlers[op.operation_id], authenticate)
        app.add_route(
            endpoint,
            op.uri,
            methods=[op.method],
            name=op.operation_id,
            strict_slashes=True,
        )
    return operations


class _NoSchemaChecks:
    """Stands in for every schema validator when checks are switched off."""

    def iter_errors(self, instance: Any) -> Iterable[ValidationError]:
        return ()


def _skip_schema_checks(operations: list[Operation]) -> None:
    # The benchmarks measure what the checks cost by serving without them;
    # settings refuse the switch outside development.
    for op in operations:
        for param in [*op.path_params, *op.query_params.values()]:
            param.validator = _NoSchemaChecks()
        if op.body_validator is not None:
            op.body_validator = _NoSchemaChecks()


def _check_one_to_one(in_spec: set[str], in_code: set[str]) -> None:
    missing = sorted(in_spec - in_code)
    extra = sorted(in_code - in_spec)
    if missing or extra:
        raise ContractMismatch(
            "openapi.yaml and the handlers disagree: "
            f"operations without a handler: {missing or 'none'}; "
            f"handlers without an operation: {extra or 'none'}"
        )


def _endpoint(op: Operation, handler: HandlerSpec, authenticate: Authenticate):
    function = handler.function
    path_names = {param.name for param in op.path_params}
    injected = list(inspect.signature(function).parameters)[2:]

    @functools.wraps(function)
    async def endpoint(request, **kwargs):
        user = await authenticate(request) if op.secured else None
        path = validate_path(op, {k: kwargs[k] for k in path_names})
        query = validate_query(op, request.get_args(keep_blank_values=True))
        body = None
        if op.body_validator is not None:
            raw = parse_body(op, request.content_type, request.body)
            body = validate_body(op, raw, handler.rules)
        call = Call(path=path, query=query, body=body, user=user)
        return await function(request, call, **{k: kwargs[k] for k in injected})

    return endpoint
