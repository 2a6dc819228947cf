"""Files admins upload in the console: OpenAPI catalogs and documents, kept in the state directory.

Catalogs go to `<home>/catalogs/<name>.<yaml|json>` once they load (`tools.catalog.load_catalog` names what
is wrong otherwise); their operations become toolkens when an adapter is trained with them. An operation's
example requests (its `x-examples`) are edited in place with `set_examples`. Documents go to
`<home>/documents/`, the folder the console ingests into the document store.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import yaml

from tools.catalog import Catalog, load_catalog
from tools.openapi import EXAMPLES_KEY
from tools.openapi_file import CatalogError, iter_operations, read_document
from tools.retrieval import SUPPORTED_SUFFIXES

CATALOGS_DIR = "catalogs"
DOCUMENTS_DIR = "documents"
CATALOG_SUFFIXES = (".yaml", ".yml", ".json")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_file_name(name: str) -> str:
    """`name` without folders and with only letters, digits, `_`, `.` and `-` (others become `_`)."""
    base = _UNSAFE.sub("_", Path(name).name).strip("._")
    if not base:
        raise ValueError(f"{name!r} is not a usable file name")
    return base


def save_catalog(home: Path, file_name: str, content: bytes) -> tuple[Path, Catalog]:
    """Check an uploaded OpenAPI file and keep it; raises `CatalogError` (naming the problem) or ValueError."""
    name = safe_file_name(file_name)
    if Path(name).suffix.lower() not in CATALOG_SUFFIXES:
        raise ValueError(f"{file_name}: an OpenAPI catalog is a .yaml, .yml or .json file")
    folder = Path(home) / CATALOGS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    return target, _write_checked(target, content)


def list_catalogs(home: Path, configured: Path | None) -> list[Path]:
    """The configured catalog first, then the uploaded ones."""
    found = [configured] if configured is not None else []
    folder = Path(home) / CATALOGS_DIR
    if folder.is_dir():
        found += sorted(p for p in folder.iterdir() if p.suffix.lower() in CATALOG_SUFFIXES)
    return found


def save_documents(home: Path, files: list[tuple[str, bytes]]) -> tuple[Path, list[str]]:
    """Keep uploaded documents in `<home>/documents/`; returns the folder and the names kept. A file of a
    type the document store cannot read is refused with a ValueError naming it."""
    folder = Path(home) / DOCUMENTS_DIR
    kept = []
    for file_name, content in files:
        name = safe_file_name(file_name)
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            raise ValueError(f"{file_name}: only {', '.join(sorted(SUPPORTED_SUFFIXES))} files can be ingested")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
        kept.append(name)
    return folder, kept


def set_examples(path: Path, operation_id: str, examples: list[str]) -> Catalog:
    """Make `examples` the `x-examples` of operation `operation_id` in the catalog file at `path` (none: the key
    goes), and return the catalog as it now loads.

    The file is written again as JSON or YAML, as it was (YAML comments are not kept), checked under another
    name first and then moved over the old one, so a refused edit (`CatalogError`: too many or too long
    examples, naming the limit) leaves the file as it was. ValueError: no such operation.
    """
    path = Path(path)
    document = read_document(path)
    found = [operation for _, _, _, operation in iter_operations(document)
             if isinstance(operation, dict) and operation.get("operationId") == operation_id]
    if not found:
        raise ValueError(f"{path.name} has no operation {operation_id!r}")
    cleaned = [" ".join(example.split()) for example in examples if example.strip()]
    if cleaned:
        found[0][EXAMPLES_KEY] = cleaned
    else:
        found[0].pop(EXAMPLES_KEY, None)
    if path.suffix.lower() == ".json":
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    else:
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
    return _write_checked(path, text.encode("utf-8"))


def _write_checked(target: Path, content: bytes) -> Catalog:
    """Put `content` at `target` only if it loads as a catalog, and return the catalog loaded from `target`.

    It is checked under its own name in a scratch folder beside `target`, then moved over it, so a refused file
    (`CatalogError`, naming `target` rather than the scratch copy) leaves `target` as it was.
    """
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        candidate = Path(scratch) / target.name
        candidate.write_bytes(content)
        try:
            load_catalog(candidate).close()
        except CatalogError as exc:
            raise CatalogError(target, exc.problem, operation=exc.operation, field=exc.field) from None
        candidate.replace(target)
    return load_catalog(target)
