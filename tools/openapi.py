"""Reading an OpenAPI 3 file into the operations the assistant can call.

The file is parsed (JSON or YAML, told apart by content), validated with openapi-spec-validator, and
every operation is turned into one flat JSON Schema of its arguments. `$ref`s are followed with
jsonschema-path's `SchemaPath`, the same resolver the validator uses, so local, relative-file and
chained references behave exactly as the validator saw them. Every problem is a `CatalogError` that
names the file, the operation and the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from jsonschema_path import SchemaPath
from jsonschema_path.loaders import JsonschemaSafeLoader
from openapi_spec_validator import OpenAPIV2SpecValidator
from openapi_spec_validator.shortcuts import get_validator_cls
from openapi_spec_validator.validation.exceptions import DuplicateOperationIDError, ValidatorDetectError
from referencing.exceptions import Unresolvable

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: Methods that only read; every other method is a side effect the user confirms first.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: An operationId becomes part of a tool name and toolken, so it stays a plain identifier.
OPERATION_ID = re.compile(r"^[A-Za-z0-9_.\-]+$")
#: Header parameters OpenAPI says to ignore (the HTTP client sets them).
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
#: What a schema that refers back to itself becomes: tool arguments are flat JSON Schemas.
RECURSIVE_PLACEHOLDER = "recursive schema (not expanded; any value accepted here)"


class CatalogError(ValueError):
    """A catalog file that cannot become tools; the message names file, operation and field."""

    def __init__(
        self, source: Path | str, problem: str, *, operation: str | None = None, field: str | None = None
    ) -> None:
        self.source = Path(source)
        self.problem = problem
        #: The operationId, or "METHOD /path" when the operation has none; None for document-level problems.
        self.operation = operation
        #: What inside the operation (or document) is wrong, e.g. "parameter 'priority'".
        self.field = field
        where = [str(source)]
        if operation:
            where.append(f"operation {operation}")
        if field:
            where.append(field)
        super().__init__(": ".join([*where, problem]))


@dataclass(frozen=True)
class Operation:
    """One API operation, with its arguments flattened into a single object schema."""

    operation_id: str
    #: Upper-case HTTP method.
    method: str
    #: Path template, e.g. "/tickets/{ticket_id}".
    path: str
    summary: str
    description: str
    #: JSON Schema (type object) of the path, query and header parameters and the JSON body's fields.
    parameters: dict[str, Any]
    #: Where each argument goes: "path", "query", "header" or "body".
    locations: dict[str, str]
    #: None without a JSON body; "fields" when the body's top-level properties are arguments;
    #: "whole" when the body (not an object schema) is the single argument `body`.
    body_style: str | None = None
    #: Whether the request body must be sent (an empty object is sent when no field was given).
    body_required: bool = False

    @property
    def side_effects(self) -> bool:
        """True when calling it may change state (any method but GET, HEAD and OPTIONS)."""
        return self.method not in SAFE_METHODS


@dataclass(frozen=True)
class OpenApiDocument:
    """What the assistant needs from an OpenAPI file."""

    title: str
    #: The first server's URL with its variables set to their defaults ("" when there is none).
    server_url: str
    operations: list[Operation]


def read_openapi(path: Path) -> OpenApiDocument:
    """Parse, validate and flatten the OpenAPI 3.0/3.1 file at `path`; raise CatalogError when broken."""
    data = _parse(path)
    spec = SchemaPath.from_dict(data, base_uri=path.resolve().as_uri())
    try:
        _validate(spec, data, path)
        operations = list(_operations(spec, path))
    except Unresolvable as exc:
        ref = exc.ref if not exc.ref.startswith("/") else "#" + exc.ref
        raise CatalogError(path, f"$ref {ref!r} cannot be resolved") from exc
    except RecursionError as exc:
        # What following `A: {$ref: B}`, `B: {$ref: A}` ends in, inside the validator or here.
        raise CatalogError(path, "a $ref cycle that never reaches a schema") from exc
    return OpenApiDocument(title=str(data["info"]["title"]), server_url=_server_url(data), operations=operations)


def _parse(path: Path) -> dict[str, Any]:
    """The document as plain JSON data; JSON is tried first, then YAML, whatever the file is called."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(path, f"cannot read the file: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            # Leaves dates as strings, as openapi-spec-validator's own reader does.
            data = yaml.load(text, Loader=JsonschemaSafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
            reason = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]
            raise CatalogError(path, f"neither JSON nor YAML ({reason}{where})") from exc
    if not isinstance(data, dict):
        raise CatalogError(path, f"not an OpenAPI document: expected a mapping, found {type(data).__name__}")
    try:
        # YAML allows keys like `200:` (an int); JSON and the validator expect strings.
        return json.loads(json.dumps(data))
    except (TypeError, ValueError) as exc:
        raise CatalogError(path, f"holds a value JSON cannot represent: {exc}") from exc


def _validate(spec: SchemaPath, data: dict[str, Any], path: Path) -> None:
    """Raise CatalogError for the first problem openapi-spec-validator finds."""
    try:
        validator_cls = get_validator_cls(data)
    except ValidatorDetectError as exc:
        raise CatalogError(path, "not an OpenAPI 3 document (no supported version)", field="openapi") from exc
    if validator_cls is OpenAPIV2SpecValidator:
        raise CatalogError(path, "Swagger 2.0 is not supported; convert it to OpenAPI 3", field="swagger")
    for error in validator_cls(spec).iter_errors():
        # Reported by `_operations`, which names both operations sharing the id.
        if isinstance(error, DuplicateOperationIDError):
            continue
        parts, problem = _document_path(error, data), _explain(error)
        at = f" (at {error.json_path})" if parts else ""
        if error.validator == "required" and isinstance(error.instance, dict):
            # Name the missing field itself: "info: missing" rather than "(root): 'info' is required".
            missing = [name for name in error.validator_value if name not in error.instance]
            parts, problem = parts + missing[:1], "missing"
        operation, field = _locate(parts, data)
        raise CatalogError(path, problem + at, operation=operation, field=field)


_ROOT_KEYS = frozenset({"openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components",
                        "security", "tags", "externalDocs"})


def _document_path(error: jsonschema.ValidationError, data: dict[str, Any]) -> list[Any]:
    """Where in the document `error` is: OpenAPI 3.1 reports a Schema Object's error relative to that
    schema, so the schema is found again by checking each one against JSON Schema 2020-12."""
    parts = list(error.absolute_path)
    if not parts or parts[0] in _ROOT_KEYS:
        return parts
    checker = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)
    for where, schema in _schema_objects(data, []):
        for found in checker.iter_errors(schema):
            if list(found.absolute_path) == parts and found.message == error.message:
                return where + parts
    return parts


def _schema_objects(node: Any, where: list[Any]) -> Iterator[tuple[list[Any], Any]]:
    """Every Schema Object in the document (a `schema` value, or an entry of components.schemas)."""
    if isinstance(node, dict):
        for key, value in node.items():
            inside = where + [key]
            if key == "schema" or where == ["components", "schemas"]:
                yield inside, value
            else:
                yield from _schema_objects(value, inside)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _schema_objects(value, where + [index])


def _locate(parts: list[Any], data: dict[str, Any]) -> tuple[str | None, str | None]:
    """(operation, field) naming where in the document the JSON path `parts` points."""
    if len(parts) < 2 or parts[0] != "paths":
        return None, ".".join(str(part) for part in parts) or None
    item = _child(data, parts[:2])
    if len(parts) >= 3 and parts[2] in HTTP_METHODS:
        operation = _child(data, parts[:3])
        op_id = operation.get("operationId") if isinstance(operation, dict) else None
        label = op_id if isinstance(op_id, str) else f"{parts[2].upper()} {parts[1]}"
        return label, _field(parts[3:], operation)
    inner = _field(parts[2:], item)
    return None, f"path {parts[1]}" + (f": {inner}" if inner else "")


def _field(parts: list[Any], container: Any) -> str | None:
    """Name the field at `parts` inside an operation or path item, naming parameters by name."""
    if len(parts) >= 2 and parts[0] == "parameters" and isinstance(parts[1], int):
        parameter = _child(container, parts[:2])
        name = parameter.get("name") if isinstance(parameter, dict) else None
        head = f"parameter {name!r}" if isinstance(name, str) else f"parameters[{parts[1]}]"
        rest = ".".join(str(part) for part in parts[2:])
        return f"{head} {rest}" if rest else head
    return ".".join(str(part) for part in parts) or None


def _child(data: Any, parts: list[Any]) -> Any:
    """The raw value at `parts`, or None when the path does not exist."""
    for part in parts:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _explain(error: jsonschema.ValidationError) -> str:
    """The validator's message, or "missing X or Y" for an object that matches none of its forms."""
    if error.validator in ("oneOf", "anyOf") and isinstance(error.instance, dict):
        missing = _missing_alternatives(error)
        if missing:
            return "missing " + " or ".join(repr(name) for name in missing)
    message = error.message
    return message if len(message) <= 300 else message[:299] + "…"


def _missing_alternatives(error: jsonschema.ValidationError) -> list[str]:
    """Properties any one of which would satisfy a oneOf/anyOf of `required` forms (nested ones too).

    `$ref` is left out: the object is evidently not meant as a Reference Object.
    """
    missing: list[str] = []
    for branch in error.context or []:
        if branch.relative_path:
            continue
        if branch.validator == "required":
            missing += [name for name in branch.validator_value if name != "$ref" and name not in branch.instance]
        elif branch.validator in ("oneOf", "anyOf"):
            missing += _missing_alternatives(branch)
    return list(dict.fromkeys(missing))


def _server_url(data: dict[str, Any]) -> str:
    """The first server's URL with its variables replaced by their defaults."""
    servers = data.get("servers") or []
    if not servers:
        return ""
    url = str(servers[0]["url"])
    for name, variable in (servers[0].get("variables") or {}).items():
        url = url.replace("{" + name + "}", str(variable.get("default", "")))
    return url


def _operations(spec: SchemaPath, path: Path) -> Iterator[Operation]:
    """Every operation in document order; each must have a unique operationId."""
    if "paths" not in spec:
        return
    owners: dict[str, str] = {}
    openapi30 = (spec / "openapi").read_str("").startswith("3.0")
    for url, item in (spec / "paths").str_items():
        for method in HTTP_METHODS:
            if method not in item:
                continue
            node = item / method
            label = f"{method.upper()} {url}"
            op_id = (node / "operationId").read_str(None) if "operationId" in node else None
            if op_id is None:
                raise CatalogError(
                    path, "missing (it names the tool api.{operationId})", operation=label, field="operationId"
                )
            if not OPERATION_ID.match(op_id):
                raise CatalogError(
                    path, "use only letters, digits, '_', '.' and '-'", operation=label, field="operationId"
                )
            if op_id in owners:
                raise CatalogError(
                    path, f"not unique: {owners[op_id]} has it too", operation=f"{op_id} ({label})", field="operationId"
                )
            owners[op_id] = label
            yield _operation(_ArgumentsBuilder(path, op_id, openapi30), item, node, method.upper(), url)


def _operation(builder: _ArgumentsBuilder, item: SchemaPath, node: SchemaPath, method: str, url: str) -> Operation:
    """One operation: its parameters, then its JSON body, merged into one argument schema."""
    for parameter in _parameters(item, node):
        builder.add_parameter(parameter)
    body_style, body_required = builder.add_body(node / "requestBody") if "requestBody" in node else (None, False)
    with node.open() as raw:
        summary, description = str(raw.get("summary") or ""), str(raw.get("description") or "")
    return Operation(
        operation_id=builder.operation,
        method=method,
        path=url,
        summary=summary,
        description=description,
        parameters=builder.schema(),
        locations=dict(builder.locations),
        body_style=body_style,
        body_required=body_required,
    )


def _parameters(item: SchemaPath, node: SchemaPath) -> list[SchemaPath]:
    """Path-item parameters overridden by the operation's own (same name and location)."""
    merged: dict[tuple[str, str], SchemaPath] = {}
    for owner in (item, node):
        if "parameters" in owner:
            for parameter in owner / "parameters":
                with parameter.open() as raw:
                    merged[(raw["name"], raw["in"])] = parameter
    return list(merged.values())


class _ArgumentsBuilder:
    """Collects one operation's arguments, checking that no name is used in two locations."""

    def __init__(self, source: Path, operation: str, openapi30: bool = False) -> None:
        self.source = source
        self.operation = operation
        self.openapi30 = openapi30  # its schemas are OpenAPI 3.0's dialect, translated on the way in
        self.properties: dict[str, Any] = {}
        self.required: list[str] = []
        self.locations: dict[str, str] = {}

    def error(self, problem: str, field: str) -> CatalogError:
        return CatalogError(self.source, problem, operation=self.operation, field=field)

    def add(self, name: str, schema: Any, location: str, required: bool) -> None:
        if name in self.locations:
            raise self.error(f"appears in both {self.locations[name]} and {location}", f"parameter {name!r}")
        self.properties[name] = openapi30_to_json_schema(schema) if self.openapi30 else schema
        self.locations[name] = location
        if required:
            self.required.append(name)

    def add_parameter(self, parameter: SchemaPath) -> None:
        with parameter.open() as raw:
            name, location = str(raw["name"]), str(raw["in"])
            description = raw.get("description")
            required = location == "path" or bool(raw.get("required", False))
        field = f"parameter {name!r}"
        if location == "cookie":
            raise self.error("cookie parameters are not supported", field)
        if location == "header" and name.lower() in IGNORED_HEADERS:
            return
        schema = _parameter_schema(parameter)
        if schema is None:
            raise self.error("missing schema", field)
        if description:
            schema = {**schema, "description": str(description)} if isinstance(schema, dict) else schema
        self.add(name, schema, location, required)

    def add_body(self, body: SchemaPath) -> tuple[str, bool]:
        """Add the JSON request body; return its style ("fields" or "whole") and whether it is required."""
        with body.open() as raw:
            media_types = list(raw.get("content") or {})
            body_required = bool(raw.get("required", False))
        media_type = next((m for m in media_types if _is_json(m)), None)
        if media_type is None:
            found = ", ".join(media_types) or "no media type"
            raise self.error(f"only JSON request bodies are supported (found {found})", "requestBody")
        content = body / "content" / media_type
        schema = _schema_at(content) if "schema" in content else {}
        if not _is_field_object(schema):
            self.add("body", schema, "body", body_required)
            return "whole", body_required
        required_fields = set(schema.get("required") or [])
        for name, field_schema in schema["properties"].items():
            # readOnly fields are what the server fills in (ids, timestamps); clients must not send them.
            if isinstance(field_schema, dict) and field_schema.get("readOnly"):
                continue
            self.add(name, field_schema, "body", name in required_fields)
        return "fields", body_required

    def schema(self) -> dict[str, Any]:
        """The merged argument schema, checked to be a valid JSON Schema (2020-12)."""
        schema = {
            "type": "object",
            "properties": self.properties,
            "required": self.required,
            "additionalProperties": False,
        }
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            parts = list(exc.path)
            if len(parts) >= 2 and parts[0] == "properties":
                field, parts = f"parameter {parts[1]!r}", parts[2:]
            else:
                field = "parameters"
            where = "/".join(str(part) for part in parts) or "(top)"
            raise self.error(f"not a valid JSON Schema (2020-12) at {where}: {exc.message}", field) from exc
        return schema


def _parameter_schema(parameter: SchemaPath) -> Any | None:
    """A parameter's schema, from `schema` or from its single `content` media type."""
    if "schema" in parameter:
        return _schema_at(parameter)
    if "content" in parameter:
        for _media_type, media in (parameter / "content").str_items():
            if "schema" in media:
                return _schema_at(media)
    return None


def _schema_at(owner: SchemaPath) -> Any:
    """The plain, fully resolved `schema` of a parameter or media type."""
    with owner.open() as raw:
        raw_schema = raw["schema"]
    return _plain(owner / "schema", raw_schema)


def _is_json(media_type: str) -> bool:
    essence = media_type.split(";")[0].strip().lower()
    return essence == "application/json" or essence.endswith("+json")


def _is_field_object(schema: Any) -> bool:
    """Whether a body schema is a plain object whose top-level properties can become arguments."""
    return (
        isinstance(schema, dict)
        and isinstance(schema.get("properties"), dict)
        and schema.get("type", "object") == "object"
        and not any(key in schema for key in ("allOf", "anyOf", "oneOf", "not", "if"))
        and not isinstance(schema.get("additionalProperties"), dict)
    )


def _plain(node: SchemaPath, raw: Any = None, enclosing: frozenset[int] = frozenset()) -> Any:
    """The value at `node` as plain JSON data with every `$ref` replaced by its target.

    `enclosing` holds the ids of the (resolved) schema objects around this one: meeting one of them
    again means the schema refers to itself, which a flat argument schema cannot express.
    """
    with node.open() as value:
        resolved = value
    if isinstance(resolved, dict):
        if id(resolved) in enclosing:
            plain: dict[str, Any] = {"description": RECURSIVE_PLACEHOLDER}
        else:
            inner = enclosing | {id(resolved)}
            plain = {key: _plain(node / key, resolved[key], inner) for key in resolved}
        if isinstance(raw, dict) and "$ref" in raw:
            # OpenAPI 3.1 lets keywords sit beside `$ref` (usually a description); they apply here.
            plain.update((key, item) for key, item in raw.items() if key != "$ref")
        return plain
    if isinstance(resolved, list):
        return [_plain(node / index, item, enclosing) for index, item in enumerate(resolved)]
    return resolved


_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMAS = ("items", "not", "additionalProperties", "contains")


def openapi30_to_json_schema(schema: Any) -> Any:
    """An OpenAPI 3.0 schema object in JSON Schema 2020-12 terms, which the argument validation speaks.

    3.0 differs where it matters for arguments: `nullable: true` (2020-12: "null" among the types) and
    boolean `exclusiveMinimum`/`exclusiveMaximum` that qualify `minimum`/`maximum` (2020-12: numbers).
    """
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if isinstance(out.get(exclusive), bool):
            if out.pop(exclusive) and bound in out:
                out[exclusive] = out.pop(bound)
    if out.pop("nullable", False) is True:
        declared = out.get("type")
        if isinstance(declared, str):
            out["type"] = [declared, "null"]
        elif isinstance(declared, list) and "null" not in declared:
            out["type"] = [*declared, "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    if isinstance(out.get("properties"), dict):
        out["properties"] = {key: openapi30_to_json_schema(value) for key, value in out["properties"].items()}
    for key in _SUBSCHEMA_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [openapi30_to_json_schema(item) for item in out[key]]
    for key in _SUBSCHEMAS:
        if isinstance(out.get(key), dict):
            out[key] = openapi30_to_json_schema(out[key])
    return out
