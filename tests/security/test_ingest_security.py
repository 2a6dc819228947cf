"""Ingest against a careless admin's docs folder: a run killed between batches, symlinks out of the folder,
binary and non-UTF-8 text, huge files, pipes. Each case ends in a stored state someone can rely on.

The store is a real embedded Chroma database under tmp_path; embeddings come from a hash, not a model, so
the cases run in well under a second each.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from tools.chunking import chunk_text
from tools.retrieval import DocumentStore, Embedder, RetrievalConfig, chunk_id

CHUNKING = {"chunk_chars": 100, "chunk_overlap": 10}


class HashEmbedder(Embedder):
    """8-dimensional vectors from each text's sha256; counts the texts it embeds."""

    def __init__(self) -> None:
        self.texts_embedded = 0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.texts_embedded += len(texts)
        return [[byte / 255 + 0.01 for byte in hashlib.sha256(text.encode()).digest()[:8]] for text in texts]


class Killed(BaseException):
    """Stands for SIGKILL between two batches: nothing after it runs."""


def paragraphs(count: int, word: str = "zebra") -> str:
    return "\n\n".join(f"Paragraph {n} says the {word} rule number {n} holds on day {n}." for n in range(count))


def new_store(tmp_path: Path, embedder: Embedder | None = None, **config: object) -> DocumentStore:
    store = DocumentStore(RetrievalConfig(**{**CHUNKING, **config}), tmp_path / "chroma",
                          embedder=embedder or HashEmbedder())
    store.count()  # opens the collection, which sets the batch size
    return store


def kill_after_batches(store: DocumentStore, monkeypatch: pytest.MonkeyPatch, batches: int, size: int) -> None:
    """Make `store` write `size` chunks per batch and die after `batches` of them."""
    written = store._store_batch
    done = []

    def store_batch(*args: object) -> None:
        if len(done) == batches:
            raise Killed
        written(*args)
        done.append(1)

    store._max_batch = size
    monkeypatch.setattr(store, "_store_batch", store_batch)


def stored_texts(store: DocumentStore, source: str) -> dict[str, str]:
    found = store._collection.get(where={"source": source}, include=["documents"])
    return dict(zip(found["ids"], found["documents"]))


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "big.txt").write_text(paragraphs(60), encoding="utf-8")
    (folder / "small.md").write_text("# Small\n\nOne short paragraph.", encoding="utf-8")
    return folder


# ---- a run killed between batches ------------------------------------------------------------------------


def test_a_file_killed_between_batches_is_resumed_not_recorded_as_ingested(
    tmp_path: Path, docs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = chunk_text((docs / "big.txt").read_text(encoding="utf-8"), **CHUNKING)
    assert len(expected) > 20
    embedder = HashEmbedder()
    store = new_store(tmp_path, embedder)
    kill_after_batches(store, monkeypatch, batches=1, size=10)
    with pytest.raises(Killed):
        store.ingest(docs)
    assert store.count() == 10  # the first batch of big.txt, and nothing of the rest
    monkeypatch.undo()

    embedder.texts_embedded = 0
    report = new_store(tmp_path, embedder).ingest(docs)

    assert report.resumed == ["big.txt"] and report.added == ["small.md"] and report.unchanged == []
    assert "1 resumed" in str(report)
    texts = stored_texts(store, "big.txt")
    assert texts == {chunk_id("big.txt", chunk.index): chunk.text for chunk in expected}
    assert embedder.texts_embedded == len(expected) - 10 + 1  # the stored batch is kept, small.md is new
    again = new_store(tmp_path, embedder).ingest(docs)
    assert sorted(again.unchanged) == ["big.txt", "small.md"] and again.chunks_added == 0


def test_an_update_killed_between_batches_is_finished_by_the_next_run(
    tmp_path: Path, docs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = new_store(tmp_path)
    store.ingest(docs)
    new_text = paragraphs(30, word="giraffe")  # shorter than the old version: old chunks are left over
    (docs / "big.txt").write_text(new_text, encoding="utf-8")
    kill_after_batches(store, monkeypatch, batches=1, size=10)
    with pytest.raises(Killed):
        store.ingest(docs)
    monkeypatch.undo()

    report = new_store(tmp_path).ingest(docs)

    assert report.resumed == ["big.txt"] and report.unchanged == ["small.md"]
    expected = chunk_text(new_text, **CHUNKING)
    assert stored_texts(store, "big.txt") == {chunk_id("big.txt", c.index): c.text for c in expected}
    assert new_store(tmp_path).ingest(docs).unchanged == ["big.txt", "small.md"]


def test_chunks_written_without_a_chunk_count_are_redone_once(tmp_path: Path, docs: Path) -> None:
    store = new_store(tmp_path)
    store.ingest(docs)
    # A store written before chunks carried their file's chunk count: it cannot tell whole from partial.
    found = store._collection.get(include=["metadatas", "documents", "embeddings"])
    store._collection.delete(ids=found["ids"])
    store._collection.add(ids=found["ids"], documents=found["documents"], embeddings=found["embeddings"],
                          metadatas=[{key: value for key, value in meta.items() if key != "chunks"}
                                     for meta in found["metadatas"]])

    redone = new_store(tmp_path).ingest(docs)

    assert sorted(redone.updated) == ["big.txt", "small.md"]
    assert new_store(tmp_path).ingest(docs).chunks_added == 0


# ---- what is read at all ------------------------------------------------------------------------------


def test_a_symlink_out_of_the_folder_is_skipped_with_a_warning_and_its_old_chunks_go(
    tmp_path: Path, docs: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = tmp_path / "serve-secret.md"
    secret.write_text("signing key: hunter2-very-secret", encoding="utf-8")
    store = new_store(tmp_path)
    (docs / "passwd.md").write_text("An ordinary page at first.", encoding="utf-8")
    store.ingest(docs)
    (docs / "passwd.md").unlink()
    (docs / "passwd.md").symlink_to(secret)
    (docs / "etc").symlink_to(tmp_path, target_is_directory=True)

    with caplog.at_level(logging.WARNING, logger="tools.retrieval"):
        report = store.ingest(docs)

    reasons = dict(report.skipped)
    assert "outside the docs folder" in reasons["passwd.md"] and str(secret) in reasons["passwd.md"]
    assert "not followed" in reasons["etc"]
    assert "passwd.md" in caplog.text and "outside the docs folder" in caplog.text
    assert "passwd.md" not in store.sources() and not any(s.startswith("etc/") for s in store.sources())
    everything = store._collection.get(include=["documents"])["documents"]
    assert not any("hunter2" in text for text in everything)


def test_a_symlink_to_a_file_inside_the_folder_is_ingested_under_its_own_name(tmp_path: Path, docs: Path) -> None:
    (docs / "latest.md").symlink_to(docs / "small.md")
    (docs / "again").symlink_to(docs, target_is_directory=True)  # a loop, never walked

    report = new_store(tmp_path).ingest(docs)

    assert report.added == ["big.txt", "latest.md", "small.md"]
    assert dict(report.skipped)["again"].endswith("inside the docs folder: not followed")


def test_binary_content_anywhere_in_a_text_file_is_skipped(tmp_path: Path, docs: Path) -> None:
    (docs / "dump.txt").write_bytes(b"plain text header " * 600 + b"\x00\x01\x02 binary tail")  # NUL past 8 KiB

    report = new_store(tmp_path).ingest(docs)

    assert "binary content" in dict(report.skipped)["dump.txt"] and "10800" in dict(report.skipped)["dump.txt"]
    assert "dump.txt" not in report.added


@pytest.mark.parametrize("content, reason", [
    ("Caf\u00e9 menu\nPrix: 5 \u20ac\n".encode("cp1252"),
     "not UTF-8 text (byte 0xe9 at offset 3, line 1): save it as UTF-8"),
    ("Leave policy".encode("utf-16"), "UTF-16 text: save it as UTF-8"),
])
def test_text_that_is_not_utf8_gets_a_clear_reason(tmp_path: Path, docs: Path, content: bytes, reason: str) -> None:
    (docs / "legacy.txt").write_bytes(content)

    assert dict(new_store(tmp_path).ingest(docs).skipped)["legacy.txt"] == reason


def test_a_file_over_the_size_limit_is_skipped_unread_and_its_old_chunks_go(tmp_path: Path, docs: Path) -> None:
    store = new_store(tmp_path, max_file_mb=0.01)
    assert store.ingest(docs).added == ["big.txt", "small.md"]
    (docs / "big.txt").write_text(paragraphs(400), encoding="utf-8")  # about 25 kB

    report = store.ingest(docs)

    reason = dict(report.skipped)["big.txt"]
    assert "over the 0.01 MB limit (tools.retrieval.max_file_mb)" in reason
    assert store.sources() == ["small.md"]
    assert RetrievalConfig().max_file_mb == 20.0


def test_a_named_pipe_is_skipped_without_blocking(tmp_path: Path, docs: Path) -> None:
    os.mkfifo(docs / "pipe.txt")  # opening it for reading would wait for a writer forever

    report = new_store(tmp_path).ingest(docs)

    assert dict(report.skipped)["pipe.txt"] == "not a regular file"


# ---- progress ---------------------------------------------------------------------------------------


def test_progress_goes_to_stderr_only_when_asked_or_on_a_terminal(
    tmp_path: Path, docs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new_store(tmp_path).ingest(docs)  # captured output is no terminal: no bar
    assert capsys.readouterr() == ("", "")

    (docs / "big.txt").write_text(paragraphs(70), encoding="utf-8")
    new_store(tmp_path).ingest(docs, progress=True)
    out, err = capsys.readouterr()
    assert out == "" and "chunk" in err


def test_build_data_reads_the_same_files_as_ingest(tmp_path: Path, docs: Path) -> None:
    from finetune.build_data import read_chunks

    (tmp_path / "secret.md").write_text("signing key: hunter2-very-secret", encoding="utf-8")
    (docs / "passwd.md").symlink_to(tmp_path / "secret.md")
    (docs / "etc").symlink_to(tmp_path, target_is_directory=True)

    chunks = read_chunks(docs, **CHUNKING)

    assert {chunk.source for chunk in chunks} == {"big.txt", "small.md"}
    assert not any("hunter2" in chunk.text for chunk in chunks)
