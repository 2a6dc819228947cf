"""`assistant build-data`: read every input, run the builders, write the dataset and its public eval files.

Writes into the output folder: `train.jsonl` and `eval.jsonl` (records), `eval_tools.jsonl`
(`{"q", "tool", "args"}`), `eval_calc.jsonl` (`{"q", "answer"}`), `eval_docs.jsonl`
(`{"q", "keywords", "any", "source"}`) and `report.json` (counts per source and tool, the dataset
fingerprint, the configuration). All reading and writing happens here; the builders are pure.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from jsonschema_path.loaders import JsonschemaSafeLoader
from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.config import DATA_DIR, DEMO_CATALOG, DEMO_DOCS, AssistantConfig, GenerationConfig, ModelConfig
from finetune.builders.catalog import undescribed
from finetune.datasets import (
    DatasetReport,
    DocChunk,
    FeedbackTurn,
    ReplyFn,
    calculator_records,
    catalog_records,
    dedupe_key,
    feedback_records,
    instruction_records,
    no_call_records,
    report,
    response_docs,
    retrieval_records,
    split_and_dedupe,
)
from finetune.records import Record, read_json_rows, read_jsonl, write_jsonl
from tools.calculator import Calculator
from tools.catalog import load_catalog
from tools.chunking import chunk_text
from tools.documents import (
    DEFAULT_MAX_FILE_MB,
    SUPPORTED_SUFFIXES,
    UnusableDocument,
    document_paths,
    extract_text,
    read_document,
)

log = logging.getLogger(__name__)

NO_CALL_PROMPTS = DATA_DIR / "no_call_prompts.txt"
#: The embedded model's replies to the shipped no-call prompts (cached_replies files), so no build pays for them.
SHIPPED_REPLIES = DATA_DIR / "replies"
#: Longest no-call reply the base model writes, in tokens.
REPLY_MAX_NEW_TOKENS = 96


class BuildDataConfig(BaseModel):
    """What `build_data` reads and how much of each source it makes."""

    model_config = ConfigDict(extra="forbid")

    catalog: Path | None = Field(
        DEMO_CATALOG, description="OpenAPI file whose operations get tool-call examples; None: none."
    )
    docs: Path | None = Field(
        DEMO_DOCS, description="Folder of .md/.txt/.pdf documents for search examples; None: none."
    )
    instructions: list[Path] = Field(
        default_factory=list,
        description="Your own instruction files (.jsonl, or .json holding a list) in Alpaca, ShareGPT or "
        "messages format.",
    )
    conversations_db: Path | None = Field(
        None,
        description="Conversation log to take rated turns from; None: conversations.db in the state directory, "
        "if it exists.",
    )
    feedback: bool = Field(True, description="Take the rated turns of the conversation log (conversations_db).")
    no_call_prompts: Path = Field(NO_CALL_PROMPTS, description="Prompts that need no tool, one per line (# comments).")
    seed: int = Field(0, description="Seed of every random choice and of the train/eval split.")
    eval_fraction: float = Field(0.1, ge=0.0, lt=1.0, description="Share of records held out for evaluation.")
    keep_split: bool = Field(
        True, description="Keep every question the output folder's previous dataset holds on its side of the split."
    )
    per_operation: int = Field(40, ge=1, description="Examples per catalog operation.")
    per_chunk: int = Field(2, ge=1, description="Search examples per document chunk.")
    calculator: int = Field(
        960, ge=0, description="Calculator examples: 45 problem kinds drawn by weight (calculator.PROBLEMS, 79 "
        "shares), so about 11 a share in the train split."
    )
    no_call: int = Field(
        200, ge=0, description="No-tool examples (the prompts, then variants of them); each is one base-model reply."
    )
    today: date | None = Field(
        None, description="The date examples treat as today (YYYY-MM-DD); None: the day of the build."
    )
    output: Path | None = Field(None, description="Folder for the files; None: data/ in the state directory.")
    max_tool_result_chars: int = Field(
        1500, ge=100, description="Tool messages are cut to this length, as generation.max_tool_result_chars does."
    )
    chunk_chars: int = Field(
        800, ge=100, description="Chunk size for the documents; match tools.retrieval.chunk_chars."
    )
    chunk_overlap: int = Field(120, ge=0, description="Chunk overlap; match tools.retrieval.chunk_overlap.")

    @model_validator(mode="after")
    def _inputs_exist(self) -> BuildDataConfig:
        named = [("catalog", self.catalog), ("docs", self.docs), ("no_call_prompts", self.no_call_prompts),
                 ("conversations_db", self.conversations_db)]
        named += [(f"instructions[{i}]", path) for i, path in enumerate(self.instructions)]
        for key, path in named:
            if path is not None and not Path(path).exists():
                raise ValueError(f"{key}: {path} does not exist")
        if self.chunk_overlap >= self.chunk_chars:
            raise ValueError("chunk_overlap must be smaller than chunk_chars")
        return self


@dataclass
class BuildReport:
    """What one `build_data` run wrote."""

    output: Path
    counts: DatasetReport
    #: sha256 of train.jsonl: names the exact data an adapter was trained on.
    fingerprint: str
    seconds: float
    files: dict[str, Path] = field(default_factory=dict)
    #: Records each builder made before de-duplication.
    built: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "output": str(self.output),
            "fingerprint": self.fingerprint,
            "seconds": round(self.seconds, 1),
            "built": self.built,
            **self.counts.to_json(),
            "files": {name: path.name for name, path in self.files.items()},
        }


def build_data(config: BuildDataConfig, reply_fn: ReplyFn | None, home: Path) -> BuildReport:
    """Build every source, de-duplicate, split and write the dataset under the output folder.

    `reply_fn` writes the no-call replies (see `default_reply_fn`); it may be None when `config.no_call` is 0.
    """
    if config.no_call and reply_fn is None:
        raise ValueError("no_call examples need a reply_fn (the base model's replies)")
    started = time.perf_counter()
    output = Path(config.output) if config.output is not None else Path(home) / "data"
    today = config.today or date.today()
    records, built = collect_records(config, reply_fn, Path(home), today)
    kept = previous_split(output) if config.keep_split else {}
    train, evaluation = split_and_dedupe(records, config.seed, config.eval_fraction, kept)
    if kept:
        log.info("the split of the previous dataset in %s (%d questions) kept for the questions it holds", output,
                 len(kept))
    files = write_outputs(output, train, evaluation)
    counts = report(train, evaluation)
    fingerprint = hashlib.sha256(files["train"].read_bytes()).hexdigest()
    result = BuildReport(output, counts, fingerprint, time.perf_counter() - started, files, built)
    summary = {**result.to_json(), "config": config.model_dump(mode="json"), "today": today.isoformat()}
    files["report"] = output / "report.json"
    files["report"].write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log.info("dataset written to %s\n%s", output, counts.table())
    return result


def previous_split(folder: Path) -> dict[tuple[str, str | None], bool]:
    """The side (True: eval) of every question in the dataset `folder` already holds; empty when it holds none.

    A rebuild into the same folder keeps them there: the split function or the seed may have changed since
    that dataset was written, and an adapter trained on it must not be continued and then evaluated on its own
    training questions.
    """
    files = {side: Path(folder) / f"{side}.jsonl" for side in ("train", "eval")}
    if not all(path.is_file() for path in files.values()):
        return {}
    return {dedupe_key(record): side == "eval" for side, path in files.items() for record in read_jsonl(path)}


def collect_records(
    config: BuildDataConfig, reply_fn: ReplyFn | None, home: Path, today: date
) -> tuple[list[Record], dict[str, int]]:
    """Every source's records, in source order, and how many each source made."""
    records: list[Record] = []
    built: dict[str, int] = {}

    def add(source: str, made: list[Record]) -> None:
        built[source] = built.get(source, 0) + len(made)
        records.extend(made)
        log.info("%s: %d records", source, len(made))

    if config.catalog is not None:
        add("catalog", _catalog_source(config, today))
    if config.calculator:
        add("calculator", _calculator_source(config))
    if config.docs is not None:
        chunks = read_chunks(config.docs, config.chunk_chars, config.chunk_overlap)
        add("retrieval", retrieval_records(chunks, _rng(config, "retrieval"), config.per_chunk,
                                           max_tool_result_chars=config.max_tool_result_chars))
    if config.no_call and reply_fn is not None:
        prompts = read_prompts(config.no_call_prompts)
        replies = _logging_progress(reply_fn, config.no_call)
        add("no_call", no_call_records(prompts, replies, _rng(config, "no_call"), config.no_call))
    for path in config.instructions:
        add("instructions", instruction_records(read_json_rows(path), str(path)))
    database = config.conversations_db or home / "conversations.db"
    if config.feedback and database.is_file():
        add("feedback", feedback_records(read_feedback(database)))
    return records, built


def _logging_progress(reply_fn: ReplyFn, total: int) -> ReplyFn:
    """`reply_fn`, logging every 20th reply: the base model's replies are the slow part of a build."""
    done = 0

    def reply(messages: list[dict[str, Any]]) -> str:
        nonlocal done
        text = reply_fn(messages)
        done += 1
        if done % 20 == 0 or done == total:
            log.info("no_call: %d/%d replies", done, total)
        return text

    return reply


def _rng(config: BuildDataConfig, source: str) -> random.Random:
    """One generator per source, so changing one source's size leaves the others' records as they were."""
    return random.Random(f"{config.seed}:{source}")


def _catalog_source(config: BuildDataConfig, today: date) -> list[Record]:
    assert config.catalog is not None
    catalog = load_catalog(config.catalog)  # validates the file; raises CatalogError naming what is wrong
    for problem in undescribed(catalog.operations):
        log.warning("%s: %s (its requests can only be phrased from names; add one for better examples)",
                    config.catalog, problem)
    # The loader `tools.openapi` reads with: dates stay strings, JSON files parse as YAML.
    document = yaml.load(Path(config.catalog).read_text(encoding="utf-8"), Loader=JsonschemaSafeLoader)
    return catalog_records(catalog.operations, _rng(config, "catalog"), config.per_operation, today=today,
                           responses=response_docs(document), max_tool_result_chars=config.max_tool_result_chars)


def _calculator_source(config: BuildDataConfig) -> list[Record]:
    with Calculator() as calculator:
        return calculator_records(_rng(config, "calculator"), config.calculator, calculator.call,
                                  max_tool_result_chars=config.max_tool_result_chars)


# ----------------------------------------------------------------------------------------------------
# Reading the inputs


def read_chunks(folder: Path, chunk_chars: int, chunk_overlap: int) -> list[DocChunk]:
    """The chunks `DocumentStore.ingest` would store for `folder`: same files, same cuts, same sources."""
    chunks: list[DocChunk] = []
    for entry in document_paths(Path(folder)):
        if entry.refused is not None:
            log.warning("skipping %s: %s", entry.source, entry.refused)
            continue
        path = entry.path
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            continue
        try:
            text = extract_text(read_document(path, int(DEFAULT_MAX_FILE_MB * 1_000_000)), path.suffix)
        except (UnusableDocument, OSError) as exc:
            log.warning("skipping %s: %s", entry.source, exc)
            continue
        for chunk in chunk_text(text, chunk_chars, chunk_overlap, markdown=path.suffix.lower() == ".md"):
            chunks.append(DocChunk(entry.source, chunk.heading, chunk.text))
    return chunks


def read_prompts(path: Path) -> list[str]:
    """One prompt per line; blank lines and `#` comments skipped."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def read_feedback(database: Path) -> list[FeedbackTurn]:
    """Every turn with feedback in the conversation log, with its latest feedback, oldest turn first.

    The database is opened read-only: reading feedback never changes the log.
    """
    uri = f"file:{Path(database).resolve().as_posix()}?mode=ro"
    db = sqlite3.connect(uri, uri=True)
    try:
        rows = db.execute(
            """
            SELECT t.id, t.messages, f.rating, f.correction, f.id
            FROM turns AS t
            JOIN feedback AS f ON f.id = (
                SELECT id FROM feedback WHERE turn_id = t.id ORDER BY created_at DESC, id DESC LIMIT 1
            )
            ORDER BY t.id
            """
        ).fetchall()
    finally:
        db.close()  # `with sqlite3.connect(...)` only ends the transaction; the file would stay open
    return [FeedbackTurn(turn_id=row[0], messages=json.loads(row[1]), rating=row[2], correction=row[3],
                         feedback_id=row[4]) for row in rows]


# ----------------------------------------------------------------------------------------------------
# Writing the outputs


def write_outputs(output: Path, train: list[Record], evaluation: list[Record]) -> dict[str, Path]:
    """The record files and the public eval files; returns their paths by name."""
    output.mkdir(parents=True, exist_ok=True)
    files = {name: output / f"{name}.jsonl" for name in ("train", "eval", "eval_tools", "eval_calc", "eval_docs")}
    write_jsonl(files["train"], train)
    write_jsonl(files["eval"], evaluation)
    _write_lines(files["eval_tools"], eval_tool_rows(evaluation))
    _write_lines(files["eval_calc"], ({"q": r.user_text, "answer": r.meta["answer"]} for r in evaluation
                                      if r.source == "calculator" and r.meta.get("answer") is not None))
    _write_lines(files["eval_docs"], ({"q": r.user_text, **{k: r.meta[k] for k in ("keywords", "any", "source")}}
                                      for r in evaluation if r.source == "retrieval" and r.meta.get("keywords")))
    return files


_TOOL_SOURCES = ("catalog", "calculator", "retrieval", "no_call")


def eval_tool_rows(records: Iterable[Record]) -> Iterable[dict[str, Any]]:
    """`{"q", "tool", "args"}` per single-question record: which tool (operationId for API tools, None
    for none) and which arguments the question should produce."""
    for record in records:
        users = [m for m in record.messages if m["role"] == "user"]
        if record.source not in _TOOL_SOURCES or len(users) != 1:
            continue
        calls = [call for m in record.messages for call in m.get("tool_calls") or []]
        arguments = json.loads(calls[0]["function"]["arguments"]) if calls else {}
        tool = record.tool.removeprefix("api.") if record.tool else None
        yield {"q": users[0]["content"], "tool": tool, "args": arguments}


def _write_lines(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


# ----------------------------------------------------------------------------------------------------
# The base model's own replies


def default_reply_fn(
    model_config: ModelConfig,
    home: Path,
    system_prompt: str | None = None,
    max_new_tokens: int = REPLY_MAX_NEW_TOKENS,
) -> ReplyFn:
    """A reply function that runs the configured base model through the engine with no tools, greedy,
    at most `max_new_tokens` new tokens (a reply cut there ends at its last full sentence).

    `system_prompt` defaults to the assistant's default one, which the trainer adds to every record too.
    """
    from assistant.chat_format import ChatFormat
    from assistant.decoding import CausalLMDecoder
    from assistant.engine import Engine
    from assistant.events import FinalAnswer
    from assistant.model import load_model

    loaded = load_model(model_config, [], Path(home) / "models")
    generation = GenerationConfig(temperature=0.0, max_new_tokens=max_new_tokens, max_tool_calls=0)
    prompt = system_prompt if system_prompt is not None else AssistantConfig.model_fields["system_prompt"].default
    # No date in the system message: a reply must not depend on the day of the build (it is cached and shipped).
    engine = Engine(CausalLMDecoder(loaded.model), ChatFormat(loaded.tokenizer), loaded.registry, [],
                    generation, prompt, model_config.max_context_tokens, tell_date=False)

    def reply(messages: list[dict[str, Any]]) -> str:
        final = next(event for event in engine.run_turn(messages) if isinstance(event, FinalAnswer))
        if final.stop_reason == "max_new_tokens":
            return _whole_sentences(final.answer)
        return final.answer

    identity = {"model": model_identity(loaded.source), "adapter": str(model_config.adapter),
                "precision": loaded.precision, "system_prompt": prompt, "max_new_tokens": max_new_tokens}
    return cached_replies(reply, Path(home) / "cache", identity, shipped=SHIPPED_REPLIES)


def model_identity(source: Path) -> str:
    """A model file's or folder's name and size in bytes: the same on every machine that installed it, so a
    reply cache written on one (the shipped one) is found on another."""
    source = Path(source)
    files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    return f"{source.name}:{sum(p.stat().st_size for p in files)}"


def cached_replies(
    reply_fn: ReplyFn, folder: Path, identity: dict[str, Any], shipped: Path | None = None
) -> ReplyFn:
    """`reply_fn` with its replies kept in a JSONL file in `folder`, one file per `identity`.

    Greedy replies of one model to one conversation do not change, so a rebuild (another catalog, the
    retraining loop) reuses them instead of generating them again; they are the slow part of a build.
    `shipped` is a read-only folder of such files that the project ships (the embedded model's replies to
    the shipped prompt list), read first. A line cut short by a killed run is ignored.
    """
    name = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]
    path = Path(folder) / f"replies-{name}.jsonl"
    known: dict[str, str] = {}
    if shipped is not None:
        known.update(_read_replies(Path(shipped) / path.name))
    known.update(_read_replies(path))
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if text and not text.endswith("\n"):
            with path.open("a", encoding="utf-8") as handle:
                handle.write("\n")  # the next reply starts on a line of its own

    def reply(messages: list[dict[str, Any]]) -> str:
        key = hashlib.sha256(json.dumps(messages, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        if key not in known:
            known[key] = reply_fn(messages)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8", newline="\n") as handle:
                handle.write(json.dumps({"key": key, "reply": known[key]}, ensure_ascii=False) + "\n")
        return known[key]

    return reply


def _read_replies(path: Path) -> dict[str, str]:
    """The {key: reply} entries of a reply cache file; none when there is no file, lines cut short skipped."""
    known: dict[str, str] = {}
    if not path.is_file():
        return known
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
            known[entry["key"]] = entry["reply"]
        except (json.JSONDecodeError, KeyError, TypeError):
            continue
    return known


def _whole_sentences(text: str) -> str:
    """`text` up to its last sentence end (all of it when it has none)."""
    ends = [match.end() for match in re.finditer(r"[.!?](?=\s|$)", text)]
    return text[: ends[-1]].strip() if ends else text.strip()
