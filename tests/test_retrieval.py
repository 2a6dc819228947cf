"""Document retrieval: chunking, ingest (idempotent, replacing, pruning), search and the `search` tool.

Everything runs against a real embedded Chroma database under tmp_path and the real embedded
all-MiniLM-L6-v2 model (loaded once for the module); one test drives a real `chroma run` server on
loopback.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from pydantic import ValidationError

from tools import retrieval
from tools.chunking import chunk_text, markdown_sections
from tools.focus import statements
from tools.retrieval import DocumentStore, Embedder, RetrievalConfig, SearchTool, extract_text

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_HANDBOOK = REPO_ROOT / "data" / "demo" / "handbook"

LEAVE_POLICY = """# Leave policy

Northwind Labs staff receive twenty-seven days of paid annual leave per calendar year, plus public holidays.

## Carrying leave over

Up to five unused days may be carried into the first quarter of the next year; the rest lapses on 31 March.

## Sick leave

Tell your manager before 10:00 on the first day of illness. From the fourth day a doctor's note is required.
"""

EXPENSES = """# Travel and expenses

Book trains in second class. Flights are allowed only for journeys longer than six hours by rail.
Hotel costs are reimbursed up to 140 euros per night in capital cities and 110 euros elsewhere.
Submit receipts in the finance portal within thirty days of the trip.
"""

SECURITY = """Information security rules

Lock your screen whenever you leave your desk. Passwords must be at least sixteen characters long and are
stored in the company password manager. Report a lost laptop to the IT service desk within one hour.
"""

PDF_LINES = [
    "Onboarding checklist for new employees.",
    "Every new hire receives a cycling allowance through the bike leasing scheme.",
    "Collect your badge from reception on your first morning.",
]


class CountingEmbedder(Embedder):
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts_embedded = 0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.texts_embedded += len(texts)
        return super().embed(texts)


def make_pdf(lines: list[str]) -> bytes:
    """A minimal valid one-page PDF showing `lines` in Type1 Helvetica (no lines: a page with a rule)."""
    if lines:
        shown = " T* ".join("(" + line.replace("\\", r"\\").replace("(", r"\(").replace(")", r"\)") + ") Tj"
                            for line in lines)
        content = f"BT /F1 12 Tf 14 TL 72 720 Td {shown} ET".encode("latin-1")
    else:
        content = b"72 700 m 540 700 l S"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)


@pytest.fixture(scope="module")
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    (folder / "it").mkdir(parents=True)
    (folder / "leave-policy.md").write_text(LEAVE_POLICY, encoding="utf-8")
    (folder / "expenses.md").write_text(EXPENSES, encoding="utf-8")
    (folder / "it" / "security.txt").write_text(SECURITY, encoding="utf-8")
    (folder / "onboarding.pdf").write_bytes(make_pdf(PDF_LINES))
    (folder / "scan.pdf").write_bytes(make_pdf([]))
    (folder / "broken.pdf").write_bytes(b"this is not a PDF at all")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (folder / "dump.txt").write_bytes(b"header\x00\x01\x02binary")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return folder


def new_store(tmp_path: Path, embedder: Embedder, **config: object) -> DocumentStore:
    return DocumentStore(RetrievalConfig(**config), tmp_path / "chroma", embedder=embedder)


def ingested(tmp_path: Path, embedder: Embedder, name: str, text: str) -> DocumentStore:
    """A store holding one document, `name`, of `text`."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / name).write_text(text, encoding="utf-8")
    store = new_store(tmp_path, embedder)
    store.ingest(tmp_path / "docs")
    return store


# ---- chunking (pure) -------------------------------------------------------------------------------


def test_chunker_respects_size_overlap_and_word_boundaries() -> None:
    # Paragraphs of two long lines of short sentences, then one run-on sentence: every cutting level is used.
    words = [f"w{i:04d}" for i in range(1200)]
    sentences = [" ".join(words[i : i + 9]) + "." for i in range(0, len(words), 9)]
    paragraphs = [
        " ".join(sentences[i : i + 4]) + "\n" + " ".join(sentences[i + 4 : i + 8])
        for i in range(0, len(sentences), 8)
    ]
    run_on = [f"r{i:04d}" for i in range(150)]
    text = "\n\n".join([*paragraphs, " ".join(run_on)])
    chunk_chars, overlap = 300, 60

    chunks = chunk_text(text, chunk_chars, overlap)

    assert [chunk.index for chunk in chunks] == list(range(len(chunks)))
    assert all(len(chunk.text) <= chunk_chars for chunk in chunks)
    assert all(len(chunk.text) >= chunk_chars // 2 for chunk in chunks[:-1])  # packed, not one sentence each
    original_tokens = set(text.split())
    for chunk in chunks:  # every token is a whole word of the original: no mid-word cut
        assert set(chunk.text.split()) <= original_tokens
    for before, after in zip(chunks, chunks[1:]):
        shared = max(n for n in range(0, overlap + 1) if before.text.endswith(after.text[:n]))
        assert 0 < shared <= overlap
    covered = [token.rstrip(".") for chunk in chunks for token in chunk.text.split()]
    assert sorted(set(covered)) == sorted(words + run_on)  # nothing lost


def test_markdown_chunks_keep_their_heading_and_never_span_sections() -> None:
    text = "Preamble line.\n\n# Leave\n\nIntro.\n\n```\n# not a heading\n```\n\n## Sick leave ##\n\nCall in."
    assert [section.heading for section in markdown_sections(text)] == ["", "Leave", "Sick leave"]

    chunks = chunk_text(text, 200, 20, markdown=True)

    assert [(chunk.heading, chunk.text) for chunk in chunks] == [
        ("", "Preamble line."),
        ("Leave", "Intro.\n\n```\n# not a heading\n```"),
        ("Sick leave", "Call in."),
    ]


def test_chunker_cuts_inside_a_word_only_when_one_token_exceeds_a_chunk() -> None:
    token = "x" * 450
    chunks = chunk_text(f"short words first {token} and after", 200, 30)
    assert all(len(chunk.text) <= 200 for chunk in chunks)
    assert "".join(chunk.text for chunk in chunks).count("x") >= 450
    assert chunks[0].text.startswith("short words first")


def test_config_rejects_overlap_not_below_chunk_size_and_unknown_keys() -> None:
    with pytest.raises(ValidationError, match="chunk_overlap"):
        RetrievalConfig(chunk_chars=200, chunk_overlap=200)
    with pytest.raises(ValidationError):
        RetrievalConfig(top_k=21)
    with pytest.raises(ValidationError):
        RetrievalConfig(persist=True)
    with pytest.raises(ValidationError, match="chroma_url"):
        RetrievalConfig(chroma_url="127.0.0.1:8000")


def test_hand_written_pdf_text_is_extracted_by_pypdf() -> None:
    text = extract_text(make_pdf(PDF_LINES), ".pdf")
    assert "bike leasing scheme" in text
    assert "Collect your badge" in text


# ---- ingest and search -------------------------------------------------------------------------------


@pytest.mark.slow
def test_ingest_then_search_finds_the_right_source_first(
    tmp_path: Path, docs: Path, embedder: CountingEmbedder
) -> None:
    store = new_store(tmp_path, embedder)
    assert store.search("annual leave") == []  # empty store

    report = store.ingest(docs)

    assert sorted(report.added) == ["expenses.md", "it/security.txt", "leave-policy.md", "onboarding.pdf"]
    reasons = dict(report.skipped)
    assert set(reasons) == {"scan.pdf", "broken.pdf", "logo.png", "dump.txt"}
    assert "no extractable text" in reasons["scan.pdf"]
    assert "unreadable PDF" in reasons["broken.pdf"]
    assert "unsupported" in reasons["logo.png"]
    assert "binary" in reasons["dump.txt"]
    assert report.chunks_added == report.chunks_total == store.count() > 4
    assert store.sources() == sorted(report.added)
    assert "4 added" in str(report) and "4 skipped" in str(report)

    hits = store.search("How many days of paid vacation do I get per year?")
    assert hits[0].source == "leave-policy.md"
    allowance = next(hit for hit in hits if "twenty-seven days" in hit.text)
    assert (allowance.source, allowance.heading, allowance.chunk) == ("leave-policy.md", "Leave policy", 0)
    assert len(hits) == 4
    assert all(-1.0 <= hit.score <= 1.0 for hit in hits)
    assert store.search("Is there a bicycle leasing benefit?", k=1)[0].source == "onboarding.pdf"
    assert store.search("what to do when my laptop is lost", k=2)[0].source == "it/security.txt"


@pytest.mark.slow
def test_second_ingest_of_unchanged_files_embeds_nothing(
    tmp_path: Path, docs: Path, embedder: CountingEmbedder
) -> None:
    store = new_store(tmp_path, embedder)
    first = store.ingest(docs)
    embedded = embedder.texts_embedded

    second = store.ingest(docs)

    assert embedder.texts_embedded == embedded
    assert sorted(second.unchanged) == sorted(first.added)
    assert second.added == second.updated == second.removed == []
    assert second.chunks_added == second.chunks_deleted == 0
    assert second.chunks_total == first.chunks_total


@pytest.mark.slow
def test_new_chunking_settings_recut_every_file(
    tmp_path: Path, docs: Path, embedder: CountingEmbedder
) -> None:
    first = new_store(tmp_path, embedder).ingest(docs)

    recut = new_store(tmp_path, embedder, chunk_chars=120, chunk_overlap=20).ingest(docs)

    assert sorted(recut.updated) == sorted(first.added) and recut.unchanged == []
    assert recut.chunks_deleted == first.chunks_added and recut.chunks_total == recut.chunks_added


@pytest.mark.slow
def test_changed_file_replaces_all_its_chunks(tmp_path: Path, docs: Path, embedder: CountingEmbedder) -> None:
    config = {"chunk_chars": 200, "chunk_overlap": 40}
    handbook = docs / "handbook.md"
    sections = [
        f"## Topic {n}\n\nThe zebra mascot rule number {n} says staff feed the zebra on day {n}."
        for n in range(8)
    ]
    handbook.write_text("# Handbook\n\n" + "\n\n".join(sections), encoding="utf-8")
    store = new_store(tmp_path, embedder, **config)
    store.ingest(docs)
    old_chunks = len(chunk_text(handbook.read_text(encoding="utf-8"), 200, 40, markdown=True))
    others = store.count() - old_chunks
    assert old_chunks > 1

    new_text = "# Handbook\n\nParking spaces are assigned by the facilities team every January."
    handbook.write_text(new_text, encoding="utf-8")
    report = store.ingest(docs)

    assert report.updated == ["handbook.md"]
    assert report.chunks_deleted == old_chunks and report.chunks_added == 1
    assert store.count() == others + 1
    hits = store.search("feeding the zebra mascot", k=20)
    assert not any("zebra" in hit.text for hit in hits)
    assert store.search("who assigns parking spaces", k=1)[0].source == "handbook.md"


@pytest.mark.slow
def test_prune_removes_chunks_of_deleted_files(
    tmp_path: Path, docs: Path, embedder: CountingEmbedder
) -> None:
    store = new_store(tmp_path, embedder)
    store.ingest(docs)
    (docs / "expenses.md").unlink()

    kept = store.ingest(docs)
    assert kept.removed == [] and "expenses.md" in store.sources()

    before = store.count()
    pruned = store.ingest(docs, prune=True)
    assert pruned.removed == ["expenses.md"]
    assert "expenses.md" not in store.sources()
    assert store.count() == before - pruned.chunks_deleted
    assert all(hit.source != "expenses.md" for hit in store.search("hotel costs per night", k=10))


@pytest.mark.slow
def test_store_persists_across_instances_and_processes(
    tmp_path: Path, docs: Path, embedder: CountingEmbedder
) -> None:
    first = new_store(tmp_path, embedder)
    first.ingest(docs)

    second = new_store(tmp_path, embedder)
    assert second.count() == first.count()
    assert second.search("doctor's note for sick leave", k=1)[0].source == "leave-policy.md"
    assert second.ingest(docs).chunks_added == 0

    # A fresh process reads the same database from disk (and needs no embedder to count).
    script = (
        "import sys; from pathlib import Path; from tools.retrieval import DocumentStore, RetrievalConfig; "
        "store = DocumentStore(RetrievalConfig(), Path(sys.argv[1])); print(store.count(), *store.sources())"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "chroma")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=True,
    ).stdout.split()
    assert int(out[0]) == first.count() and out[1:] == first.sources()


@pytest.mark.slow
def test_search_tool_through_call(tmp_path: Path, docs: Path, embedder: CountingEmbedder) -> None:
    store = new_store(tmp_path, embedder)
    tool = SearchTool(store)
    empty = tool.call({"query": "hotel costs"})
    assert empty.ok and empty.value == [] and empty.sources == []
    assert tool.nearest(embedder.embed(["hotel costs"])[0]) is None  # no documents: nothing to weigh
    store.ingest(docs)
    question = "hotel reimbursement per night"
    vector = embedder.embed([question])[0]
    plain = new_store(tmp_path, embedder, focus_passages=False)
    assert SearchTool(plain).nearest(vector) == pytest.approx(plain.search(question, k=1)[0].score, abs=1e-5)
    assert tool.nearest(vector) >= plain.search(question, k=1)[0].score - 1e-5  # or one of its statements

    result = tool.call({"query": "hotel reimbursement per night", "k": 3})

    assert result.ok, result.error
    assert len(result.value) == 3
    assert set(result.value[0]) == {"source", "heading", "score", "text"}
    assert result.value[0]["source"] == "expenses.md"
    assert result.value[0]["score"] == round(result.value[0]["score"], 3)
    assert result.sources == list(dict.fromkeys(passage["source"] for passage in result.value))
    for bad in ({}, {"query": ""}, {"query": "x", "k": 0}, {"query": "x", "k": 11}, {"query": "x", "top": 2}):
        assert tool.call(bad).error is not None
    assert tool.call({"query": "   "}).error == "the query is empty"


@pytest.mark.slow
def test_warming_embeds_every_passages_statements_so_a_question_embeds_none(tmp_path: Path, docs: Path,
                                                                            embedder: CountingEmbedder) -> None:
    store = new_store(tmp_path, embedder)
    assert SearchTool(store).warm() == 0  # nothing stored yet
    store.ingest(docs)
    tool = SearchTool(store)
    assert tool.warm() > 0
    before = embedder.texts_embedded
    vector = embedder.embed(["hotel reimbursement per night"])[0]
    assert tool.nearest(vector) is not None
    assert embedder.texts_embedded == before + 1  # the question only: its passages' statements were embedded
    assert tool.warm() > 0 and embedder.texts_embedded == before + 1  # warming again embeds nothing new
    assert new_store(tmp_path, embedder, focus_passages=False).warm() == 0  # statements not weighed: not cut


# ---- a real Chroma server -----------------------------------------------------------------------------


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    """`chroma run` (the server shipped with chromadb) on a free loopback port; yields its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "chroma-server.log").open("w")
    launch = "import sys; from chromadb.cli.cli import app; sys.argv[0] = 'chroma'; app()"
    server = subprocess.Popen(
        [sys.executable, "-c", launch, "run", "--path", str(tmp_path / "server-db"),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                output = (tmp_path / "chroma-server.log").read_text()[-500:]
                pytest.skip(f"chroma run exited with {server.returncode}: {output}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.skip("chroma run did not start listening within 30 s")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.mark.slow
def test_chroma_server_path(
    tmp_path: Path, docs: Path, embedder: CountingEmbedder, chroma_server: str
) -> None:
    store = new_store(tmp_path, embedder, chroma_url=chroma_server, collection="handbook-test")

    report = store.ingest(docs)

    assert len(report.added) == 4 and store.count() == report.chunks_total
    assert store.search("paid annual leave days", k=1)[0].source == "leave-policy.md"
    assert not (tmp_path / "chroma").exists()  # nothing embedded was opened
    assert store.ingest(docs).chunks_added == 0


# ---- the demo handbook shipped with the assistant ----------------------------------------------------


TRAVEL = """# Travel policy

This policy covers trips for customer visits, conferences, training and team events. It aims to keep travel
safe, comfortable enough to work and affordable.

## Safety and insurance

All business travellers are covered by the company's travel insurance, policy number NW-TRV-2291, which
covers medical costs, lost luggage and repatriation worldwide.

## Trains and flights

Take the train for trips under six hours. Book flights through the travel desk.

## Hotels

The company's travel desk books hotels near the customer; a hotel outside this policy's nightly budget
needs your manager's approval.

## Car hire

Hire a car only when no train or bus goes there. The company's policy is to book the smallest car that fits.
"""


def test_a_search_ranks_by_the_questions_words_as_well_as_its_embedding(
    tmp_path: Path, embedder: CountingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ingested(tmp_path, embedder, "travel.md", TRAVEL)
    question = "What is the policy number of the company's travel insurance?"
    plain = new_store(tmp_path, embedder, keyword_ranking=False, focus_passages=False).search(question)
    assert [hit.score for hit in plain] == sorted((hit.score for hit in plain), reverse=True)  # embedding order
    assert "NW-TRV-2291" not in plain[0].text  # the embedding puts the policy's opening first
    assert "NW-TRV-2291" in store.search(question, k=1)[0].text

    # A passage only the keywords offer (the embedding offers one candidate here) comes with its own cosine
    # similarity, the same one the embedding ranking gives it.
    query = "travel desk flights"
    cosine = {hit.chunk: hit.score for hit in new_store(tmp_path, embedder, keyword_ranking=False).search(query, k=10)}
    monkeypatch.setattr(retrieval, "KEYWORD_CANDIDATES", 1)
    hits = store.search(query, k=2)
    assert "travel desk" in hits[0].text and len(hits) == 2
    assert all(abs(hit.score - cosine[hit.chunk]) < 1e-4 for hit in hits)


SIGN_IN = """# IT security

## Passwords and sign-in

- Your password must have at least 14 characters. We recommend a passphrase of four random words.
- You do not have to change your password on a schedule.
- After 5 failed sign-in attempts your account is locked for 15 minutes.

## Laptops

Lock your screen whenever you leave your desk. Laptops are encrypted by IT before you receive them.
"""


def test_the_statement_that_answers_comes_first_and_is_embedded_once(
    tmp_path: Path, embedder: CountingEmbedder
) -> None:
    store = ingested(tmp_path, embedder, "security.md", SIGN_IN)
    question = "After how many failed sign-in attempts is an account locked?"
    plain = new_store(tmp_path, embedder, focus_passages=False)

    assert plain.search(question)[0].text.startswith("- Your password")
    first = store.search(question)[0]
    assert first.text.startswith("- After 5 failed sign-in attempts")
    assert sorted(first.text.split()) == sorted(plain.search(question)[0].text.split())  # nothing dropped
    assert first.score == pytest.approx(plain.search(question)[0].score)  # the passage's own cosine

    # The router weighs the nearest statement, less the discount: here still nearer than the whole passage.
    vector = embedder.embed([question])[0]
    statement = embedder.embed([retrieval.embedding_input("Passwords and sign-in", first.text.splitlines()[0])])[0]
    cosine = sum(a * b for a, b in zip(vector, statement))
    assert store.nearest(vector) == pytest.approx(cosine - retrieval.STATEMENT_DISCOUNT, abs=1e-4)
    assert store.nearest(vector) > plain.nearest(vector)

    before = embedder.texts_embedded
    store.search(question)
    assert embedder.texts_embedded == before + 1  # the question only: the statements' embeddings are kept


WRITE_OFFS = """# Damage

## Write-off

Write-offs need approval by value:

| Value of the goods | Approved by |
|---|---|
| Up to 500 euros | The shift lead |
| 500 to 5,000 euros | The site manager |
| Above 5,000 euros | The finance director |
"""


def test_the_row_whose_range_holds_the_questions_amount_comes_first_the_passages_score_its_own(
    tmp_path: Path, embedder: CountingEmbedder
) -> None:
    store = ingested(tmp_path, embedder, "damage.md", WRITE_OFFS)
    plain = new_store(tmp_path, embedder, focus_passages=False)
    question = "who approves a write-off of goods worth about 3,000 euros?"

    first = store.search(question)[0]
    assert first.text.startswith("| 500 to 5,000 euros")
    assert first.score == pytest.approx(plain.search(question)[0].score)


@pytest.mark.slow
def test_demo_handbook_answers_come_from_the_right_document(
    tmp_path: Path, embedder: CountingEmbedder
) -> None:
    store = new_store(tmp_path, embedder)

    report = store.ingest(DEMO_HANDBOOK)

    assert report.skipped == [] and "benefits.md" in report.added
    assert store.search("Which pension provider does the company use?", k=1)[0].source == "benefits.md"
    assert store.search("How many characters must my password have?", k=1)[0].source == "it_security.md"
    # The passage whose statement holds the question's words comes first, starting at that statement (an
    # embedding alone put "After 90 days": "Many joiners go on to become buddies ..." first), or at the sentence
    # before it where that one is nearer the question than the next.
    first = store.search("How many days do new joiners have to finish the mandatory training courses?")[0]
    assert first.text.startswith("Complete these courses in the learning portal within your first **14 days**")
    first = store.search("lost a badge again, do I pay for the replacement?")[0]
    opening = [first.text[start:end] for start, end in statements(first.text)[:2]]
    assert opening[0].startswith("If you lose it") and opening[1].startswith("The first replacement is free")
