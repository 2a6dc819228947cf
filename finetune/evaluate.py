"""`assistant eval`: run the serving engine over fixed eval sets and score what its events say.

Every question is one turn of the same `Engine` that serves users, run with `dry_run=True`: calls
that would leave the process (every API operation, GETs included) are planned, never sent, so an eval
makes no traffic and its tool metrics come from the `ToolCall` events. The calculator and the search
tool are local and run for real, because the final number and the cited documents depend on their
results. Turns go straight to the engine, not through `Assistant.ask`, so nothing lands in the
conversation log (whose feedback becomes training data). Each question is a fresh conversation, or, with
`EvalConfig.chat_turns`, a set's questions are asked in chats of that many turns, each after the ones before it
and the engine's own answers to them: what a long chat does to tool use, which single questions cannot show.
A chats file holds written chats instead: each message after the first goes on from the ones before it ("and for
E1004?", "make it 2 hours", "thanks!"), and every message is scored as a tool query.

The eval files are public JSONL formats, one object a line:
    tools   {"q": str, "tool": operationId | "calculator" | "search" | null, "args": {...}}
    calc    {"q": str, "answer": number}
    docs    {"q": str, "keywords": [str], "any": bool, "source": file name}
    chats   {"turns": [{"q", "tool", "args"}, ...]}: a person's messages in one chat, each with its call or null;
            a message may build only on what the person said before it (its calls are planned, none returns)
    FuncQA  the benchmark's own JSON list of {"question", "answer", "func"}
The scoring rules are in `finetune.metrics`.

A test set is a folder of these files with a `manifest.json` holding the date its requests treat as today and
the sha256 of each file: the hand-written sets in data/demo/test/ and data/examples/harbor/test/ are frozen
that way (`load_test_set` refuses a changed file) and no builder, training run or tuning choice reads them.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.config import DATA_DIR, REPO_ROOT, AssistantConfig, GenerationConfig
from assistant.context_window import TurnTooLong
from assistant.engine import Engine
from assistant.events import FinalAnswer, ToolCall, ToolOutcome
from assistant.tables import figure, table
from finetune import metrics
from finetune.records import read_json_rows
from tools.documents import document_paths

#: The shipped demo eval set: the fixed regression gate over the demo catalog and handbook.
DEMO_EVAL_DIR = DATA_DIR / "demo" / "eval"
DEMO_EVAL_FILES = {"tools": DEMO_EVAL_DIR / "tools.jsonl", "calc": DEMO_EVAL_DIR / "calc.jsonl",
                   "docs": DEMO_EVAL_DIR / "docs.jsonl"}
#: The hand-written test sets, by name: written by separate writers who never saw the builders, frozen by manifest.json.
TEST_SETS = {"demo": DATA_DIR / "demo" / "test", "harbor": DATA_DIR / "examples" / "harbor" / "test"}
TEST_FILES = {"tools": "tools.jsonl", "calc": "calc.jsonl", "docs": "docs.jsonl", "chats": "chats.jsonl"}
#: FuncQA one-hop, kept beside the repository in the team's shared benchmarks folder.
DEFAULT_FUNCQA = REPO_ROOT.parent / "shared" / "benchmarks" / "funcqa" / "funcqa_oh.json"

SetName = Literal["tools", "calc", "docs", "chats", "funcqa"]
SET_NAMES: tuple[SetName, ...] = ("tools", "calc", "docs", "chats", "funcqa")
#: The metrics.json section of each set.
SECTIONS: dict[SetName, str] = {"tools": "tools", "calc": "calculator", "docs": "documents", "chats": "chats",
                                "funcqa": "funcqa"}


# ----------------------------------------------------------------------------------------------------
# The eval items and their files


class ToolQuery(BaseModel):
    """A question and the call it should produce (`tool` None: it should produce none)."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=1)
    tool: str | None
    args: dict[str, Any] = Field(default_factory=dict)


class NumberQuestion(BaseModel):
    """A question whose answer is one number (the calculator set and FuncQA)."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=1)
    answer: float


class DocQuestion(BaseModel):
    """A handbook question: the answer should contain the keywords and cite `source`."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=1)
    keywords: list[str] = Field(min_length=1)
    any: bool = False
    source: str = Field(min_length=1)


class Chat(BaseModel):
    """A person's messages in one chat, in order, each with the call it should produce."""

    model_config = ConfigDict(extra="forbid")

    turns: list[ToolQuery] = Field(min_length=2)


class EvalFormatError(ValueError):
    """An eval file that cannot be read; the message names the file, the line and the problem."""


class ForeignDocuments(ValueError):
    """A test set run on a state directory whose document store holds documents besides its company's own: its
    searches would find them, and its document and chat figures would count what they say."""


@dataclass
class EvalSets:
    """The items to run, per set; an empty set is skipped."""

    tools: list[ToolQuery] = field(default_factory=list)
    calc: list[NumberQuestion] = field(default_factory=list)
    docs: list[DocQuestion] = field(default_factory=list)
    chats: list[Chat] = field(default_factory=list)
    funcqa: list[NumberQuestion] = field(default_factory=list)


Item = TypeVar("Item", bound=BaseModel)


def read_jsonl(path: Path, model: type[Item]) -> list[Item]:
    """One `model` per non-empty line of `path`; raises EvalFormatError naming the line."""
    def refuse(line: int | None, problem: str) -> None:
        raise EvalFormatError(f"{path}, line {line}: {problem}")

    items = []
    for number, value in read_json_rows(path, refuse):
        try:
            items.append(model.model_validate(value))
        except ValidationError as exc:
            problem = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in exc.errors())
            raise EvalFormatError(f"{path}, line {number}: {problem}") from None
    return items


def read_funcqa(path: Path) -> list[NumberQuestion]:
    """FuncQA's JSON list of {"question", "answer", "func"} as number questions."""
    try:
        rows = json.loads(Path(path).read_text(encoding="utf-8"))
        return [NumberQuestion(q=row["question"], answer=row["answer"]) for row in rows]
    except (json.JSONDecodeError, KeyError, TypeError, ValidationError) as exc:
        raise EvalFormatError(f"{path}: not a FuncQA list of {{question, answer, func}}: {exc}") from None


def load_sets(
    tools: Path | None = None, calc: Path | None = None, docs: Path | None = None, funcqa: Path | None = None,
    chats: Path | None = None,
) -> EvalSets:
    """Read the given files; when none of tools, calc, docs and chats is given, the first three are the demo set."""
    if tools is None and calc is None and docs is None and chats is None:
        tools, calc, docs = DEMO_EVAL_FILES["tools"], DEMO_EVAL_FILES["calc"], DEMO_EVAL_FILES["docs"]
    return EvalSets(
        tools=read_jsonl(tools, ToolQuery) if tools else [],
        calc=read_jsonl(calc, NumberQuestion) if calc else [],
        docs=read_jsonl(docs, DocQuestion) if docs else [],
        chats=read_jsonl(chats, Chat) if chats else [],
        funcqa=read_funcqa(funcqa) if funcqa else [],
    )


class TestManifest(BaseModel):
    """A test set's manifest.json: the date its requests treat as today and the sha256 of every file."""

    model_config = ConfigDict(extra="forbid")

    today: date
    sha256: dict[str, str]


def load_test_set(folder: Path | str) -> tuple[EvalSets, date]:
    """The sets of a test-set folder (a name in TEST_SETS, or a path) and the date its requests are relative to.

    Raises EvalFormatError when a file's sha256 differs from the manifest's: a frozen set that was edited is
    no longer the set earlier figures were measured on.
    """
    folder = TEST_SETS.get(str(folder), Path(folder))
    manifest_path = folder / "manifest.json"
    try:
        manifest = TestManifest.model_validate_json(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvalFormatError(f"{folder} is not a test set: it has no manifest.json") from None
    except ValidationError as exc:
        raise EvalFormatError(f"{manifest_path}: {exc.errors()[0]['msg']}") from None
    paths: dict[str, Path | None] = {}
    for name, file_name in TEST_FILES.items():
        path = folder / file_name
        if file_name not in manifest.sha256:
            paths[name] = None
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "(missing)"
        if digest != manifest.sha256[file_name]:
            raise EvalFormatError(f"{path} is not the frozen file its manifest names (sha256 {digest[:12]}, "
                                  f"manifest {manifest.sha256[file_name][:12]}): figures on it would not compare")
        paths[name] = path
    sets = EvalSets(
        tools=read_jsonl(paths["tools"], ToolQuery) if paths["tools"] else [],
        calc=read_jsonl(paths["calc"], NumberQuestion) if paths["calc"] else [],
        docs=read_jsonl(paths["docs"], DocQuestion) if paths["docs"] else [],
        chats=read_jsonl(paths["chats"], Chat) if paths["chats"] else [],
    )
    return sets, manifest.today


# ----------------------------------------------------------------------------------------------------
# Configuration and report


class EvalConfig(BaseModel):
    """How an eval runs; the files themselves are arguments of `run_eval`."""

    model_config = ConfigDict(extra="forbid")

    sets: list[SetName] | None = Field(
        None, description="Which of the loaded sets to run; None runs every set that has items."
    )
    limit: int | None = Field(None, ge=1, description="Run at most this many items of each set (the first ones).")
    generation: dict[str, Any] = Field(
        default_factory=dict,
        description="Overrides of the engine's generation settings for eval turns, e.g. "
        '{"max_new_tokens": 96}; keys and values as in the `generation:` config section.',
    )
    exact_rel_tol: float = Field(1e-6, gt=0, description="Relative tolerance of calculator exactness.")
    funcqa_rel_tol: float = Field(
        1e-3, gt=0, description="FuncQA's own tolerance: correct when |pred - true| <= tol * |true|."
    )
    today: date | None = Field(
        None, description="The date eval turns state as today (a test set's manifest pins it); None: the day it runs."
    )
    chat_turns: int | None = Field(
        None, ge=2, description="Ask each set's items in chats of this many turns, one after another in one "
        "conversation whose earlier turns are the engine's own answers (a person who keeps one tab open); None: "
        "each item is a fresh conversation. A chats file's chats are its own.",
    )

    @field_validator("generation")
    @classmethod
    def _known_generation_keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - set(GenerationConfig.model_fields))
        if unknown:
            raise ValueError(f"unknown generation setting(s) {', '.join(unknown)}")
        GenerationConfig.model_validate(value)  # the values themselves
        return value


@dataclass
class EvalReport:
    """The metrics (the shape of metrics.json) and one prediction per item for error analysis."""

    metrics: dict[str, Any]
    predictions: list[dict[str, Any]]

    def write(self, folder: Path) -> dict[str, Path]:
        """Write `metrics.json` and `predictions.jsonl` into `folder`; returns their paths.

        In an adapter folder, whose metrics.json already holds the trainer's `training` figures, the
        metrics go under its `evaluation` key and the training figures stay.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = {"metrics": folder / "metrics.json", "predictions": folder / "predictions.jsonl"}
        content: dict[str, Any] = self.metrics
        existing = _read_json_object(paths["metrics"])
        if existing is not None and "training" in existing:
            content = {**existing, "evaluation": self.metrics}
        paths["metrics"].write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        with paths["predictions"].open("w", encoding="utf-8", newline="\n") as handle:
            for row in self.predictions:
                handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        return paths

    def table(self) -> str:
        """The headline figures as plain-text tables, one block per set that ran."""
        return format_report(self.metrics)


def _read_json_object(path: Path) -> dict[str, Any] | None:
    """The JSON object in `path`; None when there is no file or it holds something else."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


# ----------------------------------------------------------------------------------------------------
# Running


@dataclass(frozen=True)
class EvalTurn:
    """What one eval turn produced, read off its events."""

    answer: str
    #: Each call in order: {"tool", "arguments", "status", "result", "error"}; an abandoned call has arguments {}.
    calls: list[dict[str, Any]]
    sources: list[str]
    stop_reason: str
    elapsed_s: float
    error: str | None = None
    guarded: bool = False  # the engine's claim guard started the turn again with a call
    routed: bool = False  # the tool router opened the turn with a call
    #: The turn's messages for the conversation's history (the assistant's, the tools'): what a chat goes on from.
    messages: list[dict[str, Any]] = field(default_factory=list)

    def called(self, tool: str) -> bool:
        return any(call["tool"] == tool for call in self.calls)

    def evidence(self) -> str:
        """Everything the turn's tools said, results and errors: what an answer may repeat without inventing it."""
        return "\n".join(json.dumps([call.get("result"), call.get("error")], ensure_ascii=False, default=str)
                         for call in self.calls)

    def produced_by(self, tool: str) -> bool:
        """A call of `tool` (or of any API operation, for an `api.` prefix alone) that ran or was planned."""
        return any(call["status"] in metrics.PRODUCING_STATUSES
                   and (call["tool"] == tool or (tool == metrics.API_PREFIX and call["tool"].startswith(tool)))
                   for call in self.calls)


Progress = Callable[[str], None]


def evaluate(
    engine_or_assistant: Any, sets: EvalSets, config: EvalConfig | None = None, progress: Progress | None = None
) -> EvalReport:
    """Run every item of `sets` as one dry-run turn of the engine (alone, or in chats of `config.chat_turns`) and
    score it.

    `engine_or_assistant` is an `Engine` (or anything with its `run_turn`, `generation` and `tools`) or an
    `Assistant`, whose engine is used and whose model and adapter are named in the report. `progress`
    gets one line per finished item.
    """
    config = config or EvalConfig()
    engine: Engine = getattr(engine_or_assistant, "engine", engine_or_assistant)
    unknown = sorted({q.tool for q in sets.tools if q.tool is not None and _engine_tool(engine, q.tool) is None})
    if unknown:
        raise EvalFormatError(f"the tool queries expect tools the engine does not have: {', '.join(unknown)}")
    generation = GenerationConfig.model_validate({**engine.generation.model_dump(), **config.generation})
    loaded = getattr(engine_or_assistant, "loaded", None)
    started = time.perf_counter()
    result: dict[str, Any] = {section: None for section in SECTIONS.values()}
    predictions: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    scorers = {"tools": _score_tools, "calc": _score_numbers, "docs": _score_docs, "chats": _score_chats,
               "funcqa": _score_numbers}
    for name in SET_NAMES:
        items = getattr(sets, name)[: config.limit]
        if not items or (config.sets is not None and name not in config.sets):
            continue
        set_started = time.perf_counter()
        if name == "chats":
            questions = [(turn.q, index == 0) for chat in items for index, turn in enumerate(chat.turns)]
        else:
            questions = [(item.q, config.chat_turns is None or index % config.chat_turns == 0)
                         for index, item in enumerate(items)]
        turns = []
        earlier: list[dict[str, Any]] = []  # the chat's turns before this question's
        for index, (question, starts_chat) in enumerate(questions):
            if starts_chat:
                earlier = []
            turns.append(_run_turn(engine, question, generation, config.today, earlier))
            # a turn that failed (too long a question) has no answer to go on from: the next item starts a chat
            earlier = [*earlier, {"role": "user", "content": question}, *turns[-1].messages] \
                if turns[-1].error is None else []
            if progress is not None:
                progress(f"{name} {index + 1}/{len(questions)}  {turns[-1].elapsed_s:.1f}s")
        section, rows = scorers[name](engine, name, items, turns, config)
        section["elapsed_s"] = round(time.perf_counter() - set_started, 2)
        result[SECTIONS[name]] = section
        predictions += rows
        counts[name] = len(items)
    result.update(
        n=counts,
        model=loaded.source.name if loaded is not None else None,
        adapter=str(loaded.adapter) if loaded is not None and loaded.adapter else None,
        generation=generation.model_dump(mode="json"),
        chat_turns=config.chat_turns,
        elapsed_s=round(time.perf_counter() - started, 2),
    )
    return EvalReport(result, predictions)


def run_eval(
    config: AssistantConfig,
    home: Path,
    *,
    tools: Path | None = None,
    calc: Path | None = None,
    docs: Path | None = None,
    funcqa: Path | None = None,
    chats: Path | None = None,
    test_set: Path | str | None = None,
    eval_config: EvalConfig | None = None,
    progress: Progress | None = None,
) -> EvalReport:
    """Build the configured `Assistant` (model, adapter, tools) and evaluate it on the given files.

    tools, calc, docs, chats: eval files in the public formats; when none of them is given, the shipped
    demo set (data/demo/eval/) is used for tools, calc and docs. test_set: a frozen test-set folder or its name in
    TEST_SETS instead of those files; its manifest's date is the turns' today. funcqa: FuncQA one-hop JSON
    (`DEFAULT_FUNCQA`), None to skip it. The demo API is not started: every API call is planned, none is sent.
    """
    from assistant.runtime import Assistant  # heavy: models, Chroma

    if test_set is not None:
        if tools or calc or docs or chats:
            raise EvalFormatError("give a test set or eval files, not both")
        sets, today = load_test_set(test_set)
        refuse_foreign_documents(config, home)
        sets.funcqa = read_funcqa(funcqa) if funcqa else []
        eval_config = (eval_config or EvalConfig()).model_copy(update={"today": today})
    else:
        sets = load_sets(tools, calc, docs, funcqa, chats)
        today = files_today([path for path in (tools, calc, docs, chats) if path is not None])
        if today is not None and (eval_config is None or eval_config.today is None):
            eval_config = (eval_config or EvalConfig()).model_copy(update={"today": today})
    assistant = Assistant(config.model_copy(update={"start_demo_api": False}), home)
    try:
        return evaluate(assistant, sets, eval_config, progress)
    finally:
        assistant.close()


def files_today(paths: list[Path]) -> date | None:
    """The date that eval files' requests treat as today, from a manifest.json beside them (a set folder's, as
    `data/demo/eval/chats/`): "tomorrow" in a chat written for 2026-03-02 is 2026-03-03, whatever day the eval
    runs. None where no manifest beside them names one. Raises EvalFormatError where two files' manifests name
    different days."""
    days = set()
    for folder in {path.parent for path in paths}:
        manifest = folder / "manifest.json"
        if manifest.is_file():
            try:
                days.add(TestManifest.model_validate_json(manifest.read_text(encoding="utf-8")).today)
            except ValidationError as exc:
                raise EvalFormatError(f"{manifest}: {exc.errors()[0]['msg']}") from None
    if len(days) > 1:
        raise EvalFormatError(f"the eval files' manifests name different days as today: {sorted(map(str, days))}; "
                              f"evaluate them apart")
    return next(iter(days), None)


def refuse_foreign_documents(config: AssistantConfig, home: Path) -> None:
    """Raise ForeignDocuments when the document store in `home`, the one the assistant would search, holds
    documents that are not files under the configured documents folder: ingesting the folder adds and updates,
    it never removes what another folder brought."""
    from tools.retrieval import DocumentStore  # heavy: Chroma

    retrieval = config.tools.retrieval
    if not retrieval.enabled or retrieval.docs is None:
        return
    stored = DocumentStore(retrieval, home / "chroma").sources()
    own = {entry.source for entry in document_paths(retrieval.docs)} if stored else set()
    foreign = [source for source in stored if source not in own]
    if foreign:
        raise ForeignDocuments(
            f"the document store in {home} holds {len(foreign)} document(s) that are not in {retrieval.docs} "
            f"({', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''}), and the test set's searches "
            f"would find them: use a fresh state directory, or drop them with "
            f"`assistant ingest --prune {retrieval.docs} --home {home}`")


def _run_turn(engine: Engine, question: str, generation: GenerationConfig, today: date | None,
              earlier: list[dict[str, Any]] | None = None) -> EvalTurn:
    """One turn answering `question` after the conversation's `earlier` messages (none: a fresh one), dry run:
    API calls are planned, local tools run."""
    started = time.perf_counter()
    calls: list[dict[str, Any]] = []
    final: FinalAnswer | None = None
    messages = [*(earlier or []), {"role": "user", "content": question}]
    try:
        for event in engine.run_turn(messages, dry_run=True, generation=generation, today=today):
            if isinstance(event, ToolCall):
                calls.append({"tool": event.tool, "arguments": event.arguments, "status": None})
            elif isinstance(event, ToolOutcome):
                if not (calls and calls[-1]["status"] is None and calls[-1]["tool"] == event.tool):
                    # abandoned while writing its arguments: no ToolCall came first
                    calls.append({"tool": event.tool, "arguments": event.arguments, "status": None})
                calls[-1].update(status=event.status, result=event.result, error=event.error)
            elif isinstance(event, FinalAnswer):
                final = event
    except TurnTooLong as exc:
        return EvalTurn("", calls, [], "error", time.perf_counter() - started, str(exc))
    if final is None:
        raise RuntimeError("the engine's turn ended without a FinalAnswer")
    return EvalTurn(final.answer, calls, list(final.sources), final.stop_reason, time.perf_counter() - started,
                    guarded=final.guarded, routed=final.routed, messages=final.messages)


def _turn_fields(turn: EvalTurn) -> dict[str, Any]:
    row = {"answer": turn.answer, "calls": turn.calls, "sources": turn.sources,
           "stop_reason": turn.stop_reason, "elapsed_s": round(turn.elapsed_s, 3), "guarded": turn.guarded,
           "routed": turn.routed}
    if turn.error:
        row["error"] = turn.error
    return row


def _score_tools(
    engine: Engine, name: str, items: list[ToolQuery], turns: list[EvalTurn], config: EvalConfig,
    counted: Callable[[str], bool] = lambda tool: True,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Each item against the turn's first call of a `counted` tool (every tool by default)."""
    scores, rows, fabrications = [], [], []
    for index, (item, turn) in enumerate(zip(items, turns, strict=True)):
        first = next((call for call in turn.calls if counted(call["tool"])), None)
        predicted_tool = first["tool"] if first else None
        predicted_args = first["arguments"] if first else {}
        score = metrics.score_tool_query(item.tool, item.args, predicted_tool, predicted_args,
                                         _schema_defaults(engine, item.tool))
        scores.append(score)
        claims = None if item.tool is None else metrics.fabricated_claims(
            item.q, turn.answer, turn.produced_by(_producer(engine, item.tool)), turn.evidence())
        fabrications.append(claims)
        rows.append({"set": name, "index": index, "q": item.q, "expected_tool": item.tool, "expected_args": item.args,
                     "predicted_tool": predicted_tool, "predicted_args": predicted_args, **asdict(score),
                     "selected": score.selected, "fabricated": claims or [], **_turn_fields(turn)})
    section = metrics.tool_metrics(scores)
    section.update(metrics.fabrication_metrics([claims for claims in fabrications if claims is not None]))
    section["guarded_rate"] = metrics.rate(turn.guarded for turn in turns)
    section["routed_rate"] = metrics.rate(turn.routed for turn in turns)
    return section, rows


def _score_chats(
    engine: Engine, name: str, chats: list[Chat], turns: list[EvalTurn], config: EvalConfig
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Every message of the chats scored as a tool query (`_score_tools`) on its API calls, and apart: the
    messages that go on from earlier ones (a chat's second on), and the share of chats whose every message got its
    call right (the right call with its exact arguments, or none where none is wanted).

    A chat's expected call is an API operation or none: its writers were asked which operation each message
    wants, so a handbook search or a calculation on a message that wants no operation ("btw are we allowed to eat
    in monsoon?") is not held against it; an API call there is."""
    queries = [turn for chat in chats for turn in chat.turns]
    places = [(number, index) for number, chat in enumerate(chats) for index in range(len(chat.turns))]
    section, rows = _score_tools(engine, name, queries, turns, config,
                                 counted=lambda tool: tool.startswith(metrics.API_PREFIX))
    for row, (number, index) in zip(rows, places, strict=True):
        row.update(chat=number, turn=index)
    later = metrics.tool_metrics([metrics.ToolScore(row["expected"], row["predicted"], row["arguments"],
                                                    row["call_exact"]) for row in rows if row["turn"] > 0])
    section["follow_up_n"] = later["n"]
    for key in ("selection_accuracy", "call_exact_match", "no_call_accuracy"):
        section[f"follow_up_{key}"] = later[key]
    wrong = {row["chat"] for row in rows if not (row["selected"] and (row["expected_tool"] is None or row["call_exact"]))}
    section["chats_all_right"] = metrics.rate(number not in wrong for number in range(len(chats)))
    section["chats"] = len(chats)
    return section, rows


def _score_numbers(
    engine: Engine, name: str, items: list[NumberQuestion], turns: list[EvalTurn], config: EvalConfig
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    tolerance = config.funcqa_rel_tol
    scores, rows = [], []
    for index, (item, turn) in enumerate(zip(items, turns, strict=True)):
        score = metrics.score_number_answer(turn.answer, item.answer, turn.called("calculator"),
                                            config.exact_rel_tol, tolerance)
        scores.append(score)
        rows.append({"set": name, "index": index, "q": item.q, "expected": item.answer, **asdict(score),
                     **_turn_fields(turn)})
    section = metrics.number_metrics(scores)
    section.update(exact_rel_tol=config.exact_rel_tol, tolerance_rel_tol=tolerance)
    if name == "funcqa":  # the benchmark's own figure, as its paper reports it
        section["accuracy"] = section["tolerance_accuracy"]
    return section, rows


def _score_docs(
    engine: Engine, name: str, items: list[DocQuestion], turns: list[EvalTurn], config: EvalConfig
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    scores, rows, fabrications = [], [], []
    for index, (item, turn) in enumerate(zip(items, turns, strict=True)):
        score = metrics.score_doc_answer(turn.answer, turn.sources, item.keywords, item.any, item.source,
                                         turn.called("search"))
        scores.append(score)
        fabrications.append(metrics.fabricated_claims(item.q, turn.answer, turn.produced_by("search"), turn.evidence()))
        rows.append({"set": name, "index": index, "q": item.q, "keywords": item.keywords, "any": item.any,
                     "source": item.source, **asdict(score), "fabricated": fabrications[-1], **_turn_fields(turn)})
    section = metrics.doc_metrics(scores)
    section.update(metrics.fabrication_metrics(fabrications))
    return section, rows


def _producer(engine: Engine, tool: str) -> str:
    """The tool whose call can produce the answer to a query expecting `tool`: any API operation for an
    operation (a wrong operation is a selection error, not a fabrication), else the tool itself."""
    return tool if tool in engine.tools and not tool.startswith(metrics.API_PREFIX) else metrics.API_PREFIX


def _schema_defaults(engine: Engine, tool: str | None) -> dict[str, Any]:
    """The default values in the expected tool's argument schema (they count as left out)."""
    found = _engine_tool(engine, tool) if tool is not None else None
    properties = found.parameters.get("properties", {}) if found is not None else {}
    return {name: schema["default"] for name, schema in properties.items() if "default" in schema}


def _engine_tool(engine: Engine, tool: str) -> Any:
    """The engine's tool for an eval file's tool name (an operationId stands for `api.{operationId}`)."""
    return engine.tools.get(tool) or engine.tools.get(metrics.API_PREFIX + tool)


# ----------------------------------------------------------------------------------------------------
# The printed table

_HEADLINES: dict[str, list[str]] = {
    "tools": ["selection_accuracy", "macro_f1", "no_call_accuracy", "call_rate", "argument_accuracy",
              "argument_accuracy_given_tool", "call_exact_match", "call_exact_match_given_tool", "fabrication_rate",
              "guarded_rate", "routed_rate"],
    "calculator": ["exact_accuracy", "tolerance_accuracy", "calculator_call_rate", "no_number_rate"],
    "documents": ["keyword_accuracy", "cited_in_text_rate", "retrieved_rate", "grounded_accuracy", "search_call_rate",
                  "fabrication_rate"],
    "chats": ["selection_accuracy", "no_call_accuracy", "call_exact_match", "call_exact_match_given_tool",
              "fabrication_rate", "follow_up_selection_accuracy", "follow_up_call_exact_match",
              "follow_up_no_call_accuracy", "chats_all_right"],
    "funcqa": ["accuracy", "exact_accuracy", "calculator_call_rate", "no_number_rate"],
}


def format_report(result: dict[str, Any]) -> str:
    """metrics.json as plain-text tables: the headline rates per set, then per-tool P/R/F1."""
    adapter = f" + {result['adapter']}" if result.get("adapter") else ""
    lines = [f"model: {result.get('model') or '(engine)'}{adapter}    elapsed: {result.get('elapsed_s', 0):.1f}s"]
    for section, keys in _HEADLINES.items():
        figures = result.get(section)
        if not figures:
            continue
        lines += ["", f"{section} ({figures['n']} items, {figures['elapsed_s']:.1f}s)"]
        lines += table([[key, figure(figures[key])] for key in keys], numbers_right=True, indent="  ")
    tools = result.get("tools")
    if tools:
        rows = [[label, figure(row["precision"]), figure(row["recall"]), figure(row["f1"]),
                 str(row["support"]), str(row["predicted"])] for label, row in tools["per_tool"].items()]
        header = ["tool", "precision", "recall", "f1", "expected", "predicted"]
        lines += ["", "per tool"] + table([header, *rows], numbers_right=True, indent="  ")
    return "\n".join(lines)


