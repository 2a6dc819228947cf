"""Files admins upload in the console: OpenAPI catalogs and documents, kept in the state directory.

Catalogs go to `<home>/catalogs/<name>.<yaml|json>` once they load (`tools.catalog.load_catalog` names what
is wrong otherwise); their operations become toolkens when an adapter is trained with them. Documents go to
`<home>/documents/`, the folder the console ingests into the document store.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from tools.catalog import Catalog, load_catalog
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
    with tempfile.TemporaryDirectory(dir=folder) as scratch:  # checked under its own name, then moved
        candidate = Path(scratch) / name
        candidate.write_bytes(content)
        load_catalog(candidate)
        target = folder / name
        candidate.replace(target)
    return target, load_catalog(target)


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
