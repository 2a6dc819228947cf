"""An OpenAPI file read into plain JSON data within bounds, with references kept inside the document.

A catalog comes from an admin's upload, so it is read as untrusted input: the file size, the nesting
depth, the number of values once YAML aliases are expanded and the number of operations are bounded,
and every `$ref` must point into the document itself (`#/...`). Nothing a catalog names is ever read
from the disk or the network; `NO_RETRIEVAL` is the resolver setting that makes the validator's own
reference resolution refuse to do so as well. Every problem is a one-line `CatalogError`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml
from jsonschema_path.loaders import JsonschemaSafeLoader

#: Largest catalog file read; the console's upload limit is larger and applies to every kind of file.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Most operations in one catalog (each becomes a tool and a toolken).
MAX_OPERATIONS = 2000
#: Deepest nesting of objects and arrays, in the file and in an argument schema once `$ref`s are expanded.
MAX_DEPTH = 64
#: Most values (objects, arrays and scalars) in the document once YAML aliases are expanded.
MAX_VALUES = 1_000_000
#: Most values in one operation's argument schema once `$ref`s are expanded.
MAX_SCHEMA_VALUES = 20_000

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


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
        # One line whatever the parts hold: a message is printed, logged and shown in the console.
        super().__init__(" ".join(": ".join([*where, problem]).split()))


def pointer(parts: list[Any]) -> str:
    """The JSON pointer (RFC 6901) of `parts`, e.g. ["paths", "/a/{b}", "get"] → "/paths/~1a~1{b}/get"."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts) or "/"


def read_document(path: Path) -> dict[str, Any]:
    """The file at `path` as plain JSON data (JSON tried first, then YAML), checked against every bound."""
    text = _read_text(path)
    data = _parse(path, text)
    if not isinstance(data, dict):
        raise CatalogError(path, f"not an OpenAPI document: expected a mapping, found {type(data).__name__}")
    _check_shape(path, data)
    try:
        # YAML allows keys like `200:` (an int); JSON and the validator expect strings.
        return json.loads(json.dumps(data))
    except (TypeError, ValueError) as exc:
        raise CatalogError(path, f"holds a value JSON cannot represent: {exc}") from exc


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CatalogError(path, f"the file is {size / 2**20:.1f} MB; a catalog may be at most "
                                     f"{MAX_FILE_BYTES / 2**20:.0f} MB")
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)  # a file that grows after stat() is still bounded
        if len(raw) > MAX_FILE_BYTES:
            raise CatalogError(path, f"the file is larger than {MAX_FILE_BYTES / 2**20:.0f} MB")
        return raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(path, f"cannot read the file: {exc}") from exc


def _parse(path: Path, text: str) -> Any:
    too_deep = f"nested deeper than {MAX_DEPTH} levels"
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    except RecursionError:
        raise CatalogError(path, too_deep) from None
    try:
        # Leaves dates as strings, as openapi-spec-validator's own reader does. Aliases are shared,
        # not copied, here; `_check_shape` bounds what expanding them would make.
        return yaml.load(text, Loader=JsonschemaSafeLoader)
    except RecursionError:
        raise CatalogError(path, too_deep) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]
        raise CatalogError(path, f"neither JSON nor YAML ({reason}{where})") from exc


def _check_shape(path: Path, data: dict[str, Any]) -> None:
    """Bound depth and expanded size, refuse alias cycles and references that leave the document.

    YAML aliases make a graph of shared nodes, so each container is measured once (its size and
    height remembered by id) and its expanded size is the sum over what it contains. Iterative: the
    nesting it checks may be deep.
    """
    sizes: dict[int, int] = {}  # id of a measured container → values in it once expanded, itself included
    heights: dict[int, int] = {}  # id of a measured container → levels of nesting in it
    on_path: set[int] = set()
    stack: list[tuple[Any, list[Any], bool]] = [(data, [], False)]
    while stack:
        node, where, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            children = list(node.values() if isinstance(node, dict) else node)
            sizes[key] = 1 + sum(sizes.get(id(child), 1) for child in children)
            heights[key] = 1 + max((heights.get(id(child), 0) for child in children), default=0)
        elif key in on_path:
            raise CatalogError(path, f"a YAML alias contains itself (at {pointer(where)})")
        elif len(where) + heights.get(key, 1) > MAX_DEPTH:
            raise CatalogError(path, f"nested deeper than {MAX_DEPTH} levels (at {pointer(where[:MAX_DEPTH])})")
        elif key not in sizes:
            on_path.add(key)
            stack.append((node, where, True))
            for child_key, child in _children(node):
                if child_key in ("$ref", "$dynamicRef") and isinstance(child, str):
                    check_local_ref(path, child, where + [child_key])
                if isinstance(child, (dict, list)):
                    stack.append((child, where + [child_key], False))
    total = sizes[id(data)]
    if total > MAX_VALUES:
        raise CatalogError(path, f"expands to {total:,} values (YAML aliases included); "
                                 f"a catalog may hold at most {MAX_VALUES:,}")
    operations = sum(1 for _ in iter_operations(data))
    if operations > MAX_OPERATIONS:
        raise CatalogError(path, f"{operations:,} operations; a catalog may have at most {MAX_OPERATIONS:,}",
                           field="paths")


def _children(node: Any) -> Iterator[tuple[Any, Any]]:
    if isinstance(node, dict):
        return iter(node.items())
    if isinstance(node, list):
        return enumerate(node)
    return iter(())


def iter_operations(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str, Any]]:
    """(path template, path item, method, operation) for every operation, in document order."""
    paths = data.get("paths")
    if not isinstance(paths, dict):
        return
    for url, item in paths.items():
        if isinstance(item, dict):
            for method in HTTP_METHODS:
                if method in item:
                    yield str(url), item, method, item[method]


def check_local_ref(path: Path, ref: str, where: list[Any]) -> None:
    """Refuse a reference that leaves the document; the message names it, never what it points to."""
    if not ref.startswith("#"):
        raise CatalogError(
            path, f"$ref {_shown(ref)} points outside the document; only references inside it (#/...) "
                  f"are followed (at {pointer(where)})")


def _shown(ref: str) -> str:
    return repr(ref if len(ref) <= 120 else ref[:119] + "…")


def resolve_local(path: Path, data: dict[str, Any], ref: str) -> Any:
    """The value the in-document reference `ref` ("#/components/schemas/Ticket") points to."""
    check_local_ref(path, ref, [])
    fragment = unquote(ref[1:])
    if fragment and not fragment.startswith("/"):
        raise CatalogError(path, f"$ref {_shown(ref)} cannot be resolved (only JSON pointers #/... are supported)")
    node: Any = data
    for token in fragment.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        try:
            node = node[int(token)] if isinstance(node, list) else node[token]
        except (KeyError, IndexError, ValueError, TypeError):
            raise CatalogError(path, f"$ref {_shown(ref)} cannot be resolved") from None
    return node


class _NoRetrieval:
    """A resolver handler that reads nothing: every URI outside the document is unresolvable."""

    def __call__(self, uri: str) -> Any:
        raise ValueError("references outside the catalog are not followed")


class _RefuseEveryScheme(dict):  # type: ignore[type-arg]
    """Handlers for every URI scheme, all refusing: jsonschema-path falls back to urllib for a scheme
    missing from its handlers, so the mapping must claim to have them all."""

    def __contains__(self, scheme: object) -> bool:
        return True

    def __getitem__(self, scheme: str) -> _NoRetrieval:
        return _NoRetrieval()


#: `handlers` for `SchemaPath.from_dict` that resolve only references inside the document.
NO_RETRIEVAL = _RefuseEveryScheme()
