"""Reading an OpenAPI 3 file into the operations the assistant can call.

The file is read within bounds and with every `$ref` kept inside the document (`tools.openapi_file`),
validated with openapi-spec-validator, and every operation is turned into one flat JSON Schema of its
arguments, its `$ref`s replaced by what they point to. Every problem is a `CatalogError` that names
the file, the operation and the field.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.validators import validator_for
from jsonschema_path import SchemaPath
from openapi_schema_validator._specifications import (
    REGISTRY as SCHEMA_REGISTRY,  # JSON Schema's and OpenAPI's
)
from openapi_spec_validator import OpenAPIV2SpecValidator
from openapi_spec_validator.shortcuts import get_validator_cls
from openapi_spec_validator.validation.exceptions import (
    DuplicateOperationIDError,
    ValidatorDetectError,
)
from openapi_spec_validator.validation.keywords import SchemaValidator
from openapi_spec_validator.validation.validators import SpecValidator
from referencing import Resource
from referencing.exceptions import Unresolvable

from tools.openapi_file import (
    HTTP_METHODS,
    MAX_DEPTH,
    MAX_SCHEMA_VALUES,
    NO_RETRIEVAL,
    CatalogError,
    iter_operations,
    read_document,
    resolve_local,
)

#: Methods that only read; every other method is a side effect the user confirms first.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: An operationId becomes part of a tool name and toolken, so it stays a plain identifier.
OPERATION_ID = re.compile(r"^[A-Za-z0-9_.\-]+$")
#: Header parameters OpenAPI says to ignore (the HTTP client sets them).
IGNORED_HEADERS = frozenset({"accept", "content-type"})
#: Headers the HTTP client or the connection owns: a parameter that set them could redirect or split
#: the request, or send credentials the model chose.
RESERVED_HEADERS = frozenset({"host", "content-length", "cookie", "transfer-encoding", "connection",
                              "proxy-authorization", "te", "trailer", "upgrade", "keep-alive"})
#: The operation extension listing requests staff might type for it, and its bounds.
EXAMPLES_KEY = "x-examples"
MAX_EXAMPLES = 50
MAX_EXAMPLE_CHARS = 500
#: What a schema that refers back to itself becomes: tool arguments are flat JSON Schemas.
RECURSIVE_PLACEHOLDER = "recursive schema (not expanded; any value accepted here)"


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
    #: Requests staff might type for it (the operation's `x-examples`): the tool router learns from them.
    examples: tuple[str, ...] = ()
    #: Per argument, the description of the schema it refers to where its own description replaced it: a
    #: reason's "rebooked (moved to another slot) or other" behind "Why the slot is cancelled.".
    glosses: dict[str, str] = field(default_factory=dict)

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
    #: Every server's URL, variables set to their defaults (the hosts the catalog's tools may call).
    server_urls: tuple[str, ...] = ()


def read_openapi(path: Path) -> OpenApiDocument:
    """Parse, validate and flatten the OpenAPI 3.0/3.1 file at `path`; raise CatalogError when broken."""
    data = read_document(path)
    # NO_RETRIEVAL: what the validator cannot find inside the document is unresolvable, never fetched.
    spec = SchemaPath.from_dict(data, base_uri=path.resolve().as_uri(), handlers=NO_RETRIEVAL)
    try:
        _validate(spec, data, path)
    except Unresolvable as exc:
        ref = exc.ref if not exc.ref.startswith("/") else "#" + exc.ref
        raise CatalogError(path, f"$ref {ref[:120]!r} cannot be resolved") from None
    except RecursionError:
        # What following `A: {$ref: B}`, `B: {$ref: A}` ends in inside the validator.
        raise CatalogError(path, "a $ref cycle that never reaches a schema") from None
    urls = _server_urls(data)
    return OpenApiDocument(title=str(data["info"]["title"]), server_url=urls[0] if urls else "",
                           operations=list(_operations(data, path)), server_urls=urls)


def _validate(spec: SchemaPath, data: dict[str, Any], path: Path) -> None:
    """Raise CatalogError for the first problem openapi-spec-validator finds."""
    try:
        validator_cls = get_validator_cls(data)
    except ValidatorDetectError as exc:
        raise CatalogError(path, "not an OpenAPI 3 document (no supported version)", field="openapi") from exc
    if validator_cls is OpenAPIV2SpecValidator:
        raise CatalogError(path, "Swagger 2.0 is not supported; convert it to OpenAPI 3", field="swagger")
    for error in _with_crawled_registry(validator_cls)(spec).iter_errors():
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


@functools.cache
def _with_crawled_registry(validator_cls: type[SpecValidator]) -> type[SpecValidator]:
    """`validator_cls`, with its JSON Schema checks starting from a crawled registry.

    The OpenAPI 3.1 schemas reach every Schema Object through `$dynamicRef`; against the registry
    openapi-spec-validator builds, each such lookup crawls the meta-schemas again (milliseconds per
    schema, most of the time a big 3.1 catalog took to load). Crawled once here, lookups are direct.
    """
    keywords = dict(validator_cls.keyword_validators)
    keywords["schema"] = _schema_keyword(keywords["schema"])
    return type(validator_cls.__name__, (validator_cls,),
                {"schema_validator": _crawled(validator_cls.schema_validator.schema), "keyword_validators": keywords})


def _crawled(schema: Any, format_checker: Any = None) -> jsonschema.protocols.Validator:
    """A validator for `schema` whose registry is crawled once, up front."""
    schema = dict(schema)
    registry = SCHEMA_REGISTRY.with_resource(schema.get("$id", ""), Resource.from_contents(schema))
    return validator_for(schema)(schema, registry=registry.crawl(), format_checker=format_checker)


class _IdSet(set):  # type: ignore[type-arg]
    """Schema ids seen, kept by openapi-spec-validator in a list (a lookup per schema made loading
    quadratic in the number of schemas); a set that answers to `append`."""

    append = set.add


def _schema_keyword(base: type[SchemaValidator]) -> type[SchemaValidator]:
    """openapi-spec-validator's Schema Object check with set lookups and one meta-schema checker per dialect."""

    class Checked(base):  # type: ignore[valid-type, misc]
        def __init__(self, registry: Any) -> None:
            super().__init__(registry)
            self.visited_schema_ids = _IdSet()
            self.meta_checked_schema_ids = _IdSet()

        def _get_schema_checker(self, schema: SchemaPath, schema_value: Any) -> Any:
            check = super()._get_schema_checker(schema, schema_value)
            dialect = getattr(getattr(check, "func", None), "__self__", None)  # check = partial(cls.check_schema)
            if not isinstance(check, functools.partial) or getattr(dialect, "META_SCHEMA", None) is None:
                return check
            return functools.partial(_check_against, _meta_checker(dialect, check.keywords.get("format_checker")))

    return Checked


@functools.cache
def _meta_checker(dialect: type, format_checker: Any) -> jsonschema.protocols.Validator:
    """One crawled checker per dialect (the validator asks for one per Schema Object)."""
    return _crawled(dialect.META_SCHEMA, format_checker)


def _check_against(checker: jsonschema.protocols.Validator, schema: Any) -> None:
    """Raise SchemaError for the first way `schema` breaks the meta-schema `checker` holds."""
    error = next(checker.iter_errors(schema), None)
    if error is not None:
        raise jsonschema.SchemaError.create_from(error)


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


def _server_urls(data: dict[str, Any]) -> tuple[str, ...]:
    """Every server's URL with its variables replaced by their defaults."""
    urls = []
    for server in data.get("servers") or []:
        url = str(server["url"])
        for name, variable in (server.get("variables") or {}).items():
            url = url.replace("{" + name + "}", str(variable.get("default", "")))
        urls.append(url)
    return tuple(urls)


def _operations(data: dict[str, Any], path: Path) -> Iterator[Operation]:
    """Every operation in document order; each must have a unique operationId."""
    owners: dict[str, str] = {}
    openapi30 = str(data.get("openapi", "")).startswith("3.0")
    refs = _References(data, path)
    for url, raw_item, method, raw_operation in iter_operations(data):
        item, node = refs.resolve(raw_item), refs.resolve(raw_operation)
        label = f"{method.upper()} {url}"
        op_id = node.get("operationId")
        if not isinstance(op_id, str):
            raise CatalogError(
                path, "missing (it names the tool api.{operationId})", operation=label, field="operationId"
            )
        if not OPERATION_ID.match(op_id):
            raise CatalogError(path, "use only letters, digits, '_', '.' and '-'", operation=label, field="operationId")
        if op_id in owners:
            raise CatalogError(
                path, f"not unique: {owners[op_id]} has it too", operation=f"{op_id} ({label})", field="operationId"
            )
        owners[op_id] = label
        builder = _ArgumentsBuilder(path, op_id, refs, openapi30)
        yield _operation(builder, item, node, method.upper(), url)


def _operation(builder: _ArgumentsBuilder, item: dict[str, Any], node: dict[str, Any], method: str,
               url: str) -> Operation:
    """One operation: its parameters, then its JSON body, merged into one argument schema."""
    for parameter in _parameters(builder.refs, item, node):
        builder.add_parameter(parameter)
    body_style, body_required = (
        builder.add_body(builder.refs.resolve(node["requestBody"])) if "requestBody" in node else (None, False)
    )
    return Operation(
        operation_id=builder.operation,
        method=method,
        path=url,
        summary=str(node.get("summary") or ""),
        description=str(node.get("description") or ""),
        parameters=builder.schema(),
        locations=dict(builder.locations),
        body_style=body_style,
        body_required=body_required,
        examples=_examples(builder, node),
        glosses=dict(builder.glosses),
    )


def _examples(builder: _ArgumentsBuilder, node: dict[str, Any]) -> tuple[str, ...]:
    """The operation's `x-examples`: a list of at most MAX_EXAMPLES non-empty strings of MAX_EXAMPLE_CHARS."""
    examples = node.get(EXAMPLES_KEY)
    if examples is None:
        return ()
    if not isinstance(examples, list) or not all(isinstance(e, str) and e.strip() for e in examples):
        raise builder.error("must be a list of non-empty strings (requests staff might type)", EXAMPLES_KEY)
    if len(examples) > MAX_EXAMPLES or any(len(e) > MAX_EXAMPLE_CHARS for e in examples):
        raise builder.error(f"at most {MAX_EXAMPLES} examples of at most {MAX_EXAMPLE_CHARS} characters each",
                            EXAMPLES_KEY)
    return tuple(" ".join(e.split()) for e in examples)


def _parameters(refs: _References, item: dict[str, Any], node: dict[str, Any]) -> list[dict[str, Any]]:
    """Path-item parameters overridden by the operation's own (same name and location)."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for owner in (item, node):
        for parameter in owner.get("parameters") or []:
            parameter = refs.resolve(parameter)
            merged[(str(parameter["name"]), str(parameter["in"]))] = parameter
    return list(merged.values())


class _References:
    """`$ref`s inside one document (the only kind `tools.openapi_file` lets through), followed."""

    def __init__(self, data: dict[str, Any], source: Path) -> None:
        self.data = data
        self.source = source

    def resolve(self, value: Any) -> Any:
        """`value`, or what its chain of `$ref`s ends at when it is a Reference Object."""
        seen: set[int] = set()
        while isinstance(value, dict) and isinstance(value.get("$ref"), str):
            if id(value) in seen:
                raise CatalogError(self.source, "a $ref cycle that never reaches a schema")
            seen.add(id(value))
            value = resolve_local(self.source, self.data, value["$ref"])
        return value

    def plain(self, raw: Any, field: str) -> Any:
        """`raw` as plain JSON data with every `$ref` replaced by its target, within the size bounds."""
        return _Expansion(self, field).plain(raw, frozenset(), 0)


class _Expansion:
    """One schema being expanded: counts what it produces, so that `$ref`s cannot multiply it."""

    def __init__(self, refs: _References, field: str) -> None:
        self.refs = refs
        self.field = field
        self.values = 0

    def plain(self, raw: Any, enclosing: frozenset[int], depth: int) -> Any:
        """`enclosing` holds the ids of the (resolved) schema objects around this one: meeting one of
        them again means the schema refers to itself, which a flat argument schema cannot express."""
        self.values += 1
        if self.values > MAX_SCHEMA_VALUES or depth > MAX_DEPTH:
            limit = (f"more than {MAX_SCHEMA_VALUES:,} values" if depth <= MAX_DEPTH
                     else f"deeper than {MAX_DEPTH} levels")
            raise CatalogError(self.refs.source, f"the schema expands to {limit} once its $refs are followed",
                               field=self.field)
        resolved = self.refs.resolve(raw)
        if isinstance(resolved, dict):
            if id(resolved) in enclosing:
                plain: dict[str, Any] = {"description": RECURSIVE_PLACEHOLDER}
            else:
                inner = enclosing | {id(resolved)}
                plain = {key: self.plain(value, inner, depth + 1) for key, value in resolved.items()}
            if resolved is not raw and isinstance(raw, dict):
                # OpenAPI 3.1 lets keywords sit beside `$ref` (usually a description); they apply here.
                plain.update((key, self.plain(value, enclosing, depth + 1))
                             for key, value in raw.items() if key != "$ref")
            return plain
        if isinstance(resolved, list):
            return [self.plain(item, enclosing, depth + 1) for item in resolved]
        return resolved


class _ArgumentsBuilder:
    """Collects one operation's arguments, checking that no name is used in two locations."""

    def __init__(self, source: Path, operation: str, refs: _References, openapi30: bool = False) -> None:
        self.source = source
        self.operation = operation
        self.refs = refs
        self.openapi30 = openapi30  # its schemas are OpenAPI 3.0's dialect, translated on the way in
        self.properties: dict[str, Any] = {}
        self.required: list[str] = []
        self.locations: dict[str, str] = {}
        self.glosses: dict[str, str] = {}
        self.security_schemes = bool((refs.data.get("components") or {}).get("securitySchemes"))

    def error(self, problem: str, field: str) -> CatalogError:
        return CatalogError(self.source, problem, operation=self.operation, field=field)

    def add(self, name: str, schema: Any, location: str, required: bool) -> None:
        if name in self.locations:
            raise self.error(f"appears in both {self.locations[name]} and {location}", f"parameter {name!r}")
        self.properties[name] = openapi30_to_json_schema(schema) if self.openapi30 else schema
        self.locations[name] = location
        if required:
            self.required.append(name)

    def add_parameter(self, raw: dict[str, Any]) -> None:
        name, location = str(raw["name"]), str(raw["in"])
        description = raw.get("description")
        required = location == "path" or bool(raw.get("required", False))
        field = f"parameter {name!r}"
        if location == "cookie":
            raise self.error("cookie parameters are not supported", field)
        if location == "header":
            header = name.lower()
            if header in RESERVED_HEADERS:
                raise self.error(f"the header {name} is set by the HTTP client; it cannot be a parameter", field)
            if header == "authorization" and not self.security_schemes:
                raise self.error("credentials are not arguments the model fills in; declare them in "
                                 "components.securitySchemes instead of as a header parameter", field)
            if header in IGNORED_HEADERS or header == "authorization":
                return  # OpenAPI: these header parameters are ignored (a security scheme covers Authorization)
        schema = self._parameter_schema(raw, field)
        if schema is None:
            raise self.error("missing schema", field)
        if description:
            self._gloss(name, schema, str(description))
            schema = {**schema, "description": str(description)} if isinstance(schema, dict) else schema
        self.add(name, schema, location, required)

    def _gloss(self, name: str, schema: Any, description: str) -> None:
        """Keep the description of the schema an argument refers to when the argument's own replaces it."""
        own = schema.get("description") if isinstance(schema, dict) else None
        if isinstance(own, str) and own.strip() and own.strip() != description.strip():
            self.glosses[name] = own.strip()

    def _parameter_schema(self, raw: dict[str, Any], field: str) -> Any | None:
        """A parameter's schema, from `schema` or from its single `content` media type."""
        if "schema" in raw:
            return self.refs.plain(raw["schema"], field)
        for media in (raw.get("content") or {}).values():
            media = self.refs.resolve(media)
            if isinstance(media, dict) and "schema" in media:
                return self.refs.plain(media["schema"], field)
        return None

    def add_body(self, body: dict[str, Any]) -> tuple[str, bool]:
        """Add the JSON request body; return its style ("fields" or "whole") and whether it is required."""
        media_types = list(body.get("content") or {})
        body_required = bool(body.get("required", False))
        media_type = next((m for m in media_types if _is_json(m)), None)
        if media_type is None:
            found = ", ".join(media_types) or "no media type"
            raise self.error(f"only JSON request bodies are supported (found {found})", "requestBody")
        content = self.refs.resolve(body["content"][media_type])
        schema = self.refs.plain(content["schema"], "requestBody") if "schema" in content else {}
        if not _is_field_object(schema):
            self.add("body", schema, "body", body_required)
            return "whole", body_required
        required_fields = set(schema.get("required") or [])
        written = self.refs.resolve(content.get("schema"))
        written_fields = written.get("properties") if isinstance(written, dict) else None
        for name, field_schema in schema["properties"].items():
            # readOnly fields are what the server fills in (ids, timestamps); clients must not send them.
            if isinstance(field_schema, dict) and field_schema.get("readOnly"):
                continue
            raw = written_fields.get(name) if isinstance(written_fields, dict) else None
            if isinstance(raw, dict) and "$ref" in raw and isinstance(raw.get("description"), str):
                self._gloss(name, self.refs.resolve(raw), raw["description"])  # a description beside the $ref
            self.add(name, field_schema, "body", name in required_fields)
        return "fields", body_required

    def schema(self) -> dict[str, Any]:
        """The merged argument schema, each argument's schema checked to be valid JSON Schema (2020-12)."""
        for name, schema in self.properties.items():
            problem = _schema_problem(json.dumps(schema, sort_keys=True))
            if problem is not None:
                raise self.error(f"not a valid JSON Schema (2020-12) at {problem}", f"parameter {name!r}")
        return {
            "type": "object",
            "properties": self.properties,
            "required": self.required,
            "additionalProperties": False,
        }


@functools.lru_cache(maxsize=4096)
def _schema_problem(schema_json: str) -> str | None:
    """Where and why the schema (as JSON text) is not valid JSON Schema 2020-12; None when it is.

    Cached by text: a catalog repeats the same few argument schemas across its operations.
    """
    try:
        jsonschema.Draft202012Validator.check_schema(json.loads(schema_json))
    except jsonschema.SchemaError as exc:
        where = "/".join(str(part) for part in exc.path) or "(top)"
        return f"{where}: {exc.message}"
    return None


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
