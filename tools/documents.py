"""Which files of a docs folder are read, and their text: the part of ingest that faces the admin's folder.

Only files inside the folder are read: a symlink whose target is outside it is refused (and named), a
symlink to a file inside it is read under the link's own name, and symlinked folders are never descended,
so no path leads out and no link loop is walked. A file is read only when it is a regular file (never a pipe
or a device) within a size limit; text files must be UTF-8 with no NUL byte anywhere.
"""

from __future__ import annotations

import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_SUFFIXES = (".md", ".txt", ".pdf")
#: The largest document read by default, in MB (`tools.retrieval.max_file_mb`).
DEFAULT_MAX_FILE_MB = 20.0


class UnusableDocument(ValueError):
    """A supported file whose text cannot be used; the message is the reason shown in the report."""


@dataclass(frozen=True)
class DocumentPath:
    """One entry of a docs folder: its source name (relative, POSIX), its path, and why it is not read
    (None: it is read)."""

    source: str
    path: Path
    refused: str | None = None


def document_paths(folder: Path) -> list[DocumentPath]:
    """The files under `folder`, sorted by source, hidden entries left out; symlinks are not followed out.

    A symlinked file is read when its target lies inside `folder` and refused when it does not; a
    symlinked folder is never descended (refused, with where it points), so no path leads out of
    `folder` and no link loop is walked.
    """
    root = Path(os.path.realpath(folder))
    entries: list[DocumentPath] = []
    for directory, subfolders, files in os.walk(folder, followlinks=False):
        here = Path(directory)
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in subfolders:
            if (here / name).is_symlink():
                target = os.path.realpath(here / name)
                where = "inside" if Path(target).is_relative_to(root) else "outside"
                entries.append(DocumentPath(_source(here / name, folder), here / name,
                                            f"symlinked folder to {target}, {where} the docs folder: not followed"))
        for name in files:
            if name.startswith("."):
                continue
            path = here / name
            refused = None
            if path.is_symlink():
                target = os.path.realpath(path)
                if not Path(target).is_relative_to(root):
                    refused = f"symlink to {target}, outside the docs folder: not read"
            entries.append(DocumentPath(_source(path, folder), path, refused))
    return sorted(entries, key=lambda entry: entry.source)


def read_document(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; raises UnusableDocument (a device, a pipe, too
    large) or OSError."""
    # O_NONBLOCK: opening a named pipe would otherwise wait for a writer; a regular file ignores it.
    with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UnusableDocument("not a regular file")
        content = handle.read(max_bytes + 1)
    if info.st_size > max_bytes or len(content) > max_bytes:
        size = max(info.st_size, len(content))
        raise UnusableDocument(f"{size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit "
                               "(tools.retrieval.max_file_mb)")
    return content


def extract_text(content: bytes, suffix: str) -> str:
    """The text of a .md, .txt or .pdf file's bytes; raises UnusableDocument with a reason.

    Text files must be UTF-8 (a BOM is allowed); a NUL byte anywhere means binary content.
    """
    if suffix.lower() == ".pdf":
        return _pdf_text(content)
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnusableDocument("UTF-16 text: save it as UTF-8")
    nul = content.find(b"\x00")
    if nul >= 0:
        raise UnusableDocument(f"binary content in a text file (a NUL byte at offset {nul})")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        raise UnusableDocument(
            f"not UTF-8 text (byte 0x{content[exc.start]:02x} at offset {exc.start}, line {line}): save it as UTF-8"
        ) from None


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content))
        locked = reader.is_encrypted and not reader.decrypt("")
        pages = [] if locked else [(page.extract_text() or "").strip() for page in reader.pages]
    except Exception as exc:  # pypdf raises many kinds of error on malformed input; report, don't crash
        raise UnusableDocument(f"unreadable PDF ({type(exc).__name__}: {exc})") from None
    if locked:
        raise UnusableDocument("encrypted PDF")
    text = "\n\n".join(page for page in pages if page)
    if not text:
        raise UnusableDocument("PDF has no extractable text (scanned images?)")
    return text


def _source(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()
