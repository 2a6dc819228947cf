"""Fitting the tool router (`assistant.router`) on a built dataset, in seconds.

Examples: every training record's first user message, labelled with the tool its first call uses (NO_CALL
for records without a call); each tool's description and example requests (a catalog operation's
`x-examples`); each document passage, labelled `search`; and messages staff wrote, labelled by hand
(`read_labelled`: the development sets' files, or corrected conversations in their format). The weights
are a multinomial logistic regression over the sentence embeddings (scikit-learn, classes balanced). The
threshold on the probability of NO_CALL is chosen on the dataset's eval split, which the fit never reads
otherwise: the one with the best balanced accuracy of the call decision (calls made where one is due, none
where none is), the nearest to 0.5 among equals. Beside the weights the router keeps, per catalog operation, a
fixed sample of the training questions for it: its exemplars, which a question must be nearer to than to
the documents for a call to stay with that operation (`ToolRouter.route`); and, for the calculator, a fixed
sample of the training conversations that call it: worked examples the engine puts before a question that
opens with it (`ToolRouter.worked_examples_for`).

`assistant train` fits one into every adapter it writes; `assistant fit-router` fits one into an adapter folder
that has none (or refits it).
"""

from __future__ import annotations

import glob
import json
import logging
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.router import CALCULATOR, NO_CALL, PROBE_TEXT, ROUTER_FILE, SEARCH, Embed, ToolRouter
from finetune.metrics import API_PREFIX
from finetune.tokenize import read_records
from tools.base import Tool
from tools.registry import ToolsConfig

log = logging.getLogger(__name__)

#: Inverse regularisation strength of the logistic regression.
REGULARISATION_C = 2.0
#: Thresholds on P(NO_CALL) the eval split chooses among.
THRESHOLDS = tuple(round(0.05 * step, 2) for step in range(2, 19))
#: Training questions kept per operation as its exemplars (a fixed sample: more changed nothing on
#: data/demo/eval, and each is embedded when the router first serves).
EXEMPLARS_PER_OPERATION = 32
#: The tools whose worked examples the router keeps: the calculator, whose multi-step word problems the model
#: writes a one-step expression for unless a problem of the same kind, solved, comes before it (development
#: figures, none / one / three nearest: 0.750 / 0.833 / 0.750 on data/demo/eval/calc.jsonl, 0.650 / 0.750 /
#: 0.820 on the build's eval split; API calls have the engine's argument rules, document answers their passages).
WORKED_EXAMPLE_TOOLS = (CALCULATOR,)
#: Worked examples kept per tool (a fixed sample; each is embedded when the router first serves one).
WORKED_EXAMPLES_KEPT = 400
#: Near misses of an operation, labelled NO_CALL: one of its example requests quoted in a request for writing
#: (translate, correct, reword it), which names the operation's subject but asks for no call.
NEAR_MISSES = (
    "translate this into German: {example}",
    "fix the grammar in this sentence: {example}",
    "rewrite this to sound more polite: {example}",
)


#: The router report's list of the labelled files (paths or globs) it was fitted on: a retrain fits its own
#: router on them again unless its training config names its own (`fitted_labelled`).
LABELLED_KEY = "labelled"


class RouterDataError(ValueError):
    """The dataset cannot make a router: no records without a call, or no record with one; or a file of labelled
    messages that cannot be read."""


@dataclass(frozen=True)
class Example:
    text: str
    label: str


def record_example(record: Mapping[str, Any], tools: set[str]) -> Example | None:
    """A training record's first user message and its label (the JSONL row's `tool`); None for a tool this
    engine does not have."""
    text = next((str(m.get("content") or "") for m in record.get("messages") or [] if m.get("role") == "user"), "")
    if not text.strip():
        return None
    label = record.get("tool") or NO_CALL
    if label != NO_CALL and label not in tools:
        return None
    return Example(text, label)


def read_labelled(patterns: Iterable[Path | str]) -> list[Example]:
    """The messages of JSONL files (each of `patterns` a path or a glob), each labelled as its line says: `tool`
    names an operation (its operationId), `calculator`, `search` or, null, no call; a line without `tool` is a
    handbook question where it names its `source` and a word problem where it gives its `answer`. These are the
    development sets' formats (`finetune.evaluate`), so a set written to measure the router can teach it.

    Messages a catalog does not name in its `x-examples` teach the router most where its other examples are
    thinnest: chat on an operation's subject that asks for nothing, and questions the handbook answers (fitted
    alongside the build's records, the development sets' no-call and handbook lines took a fresh Harbor set's
    first decisions from 84 to 93 of 100 right; README has the figures).

    Raises RouterDataError naming the file and line of a line that is no labelled message, and a pattern that
    matches no file."""
    examples = []
    for pattern in patterns:
        paths = matching_files(pattern)
        if not paths:
            raise RouterDataError(f"labelled messages: no file at {pattern}")
        for path in paths:
            examples += _labelled_lines(Path(path))
    return examples


def matching_files(pattern: Path | str) -> list[str]:
    """The files a path or a glob names, in name order; empty where it names none."""
    text = str(pattern)
    if glob.has_magic(text):
        return sorted(path for path in glob.glob(text) if Path(path).is_file())
    return [text] if Path(text).is_file() else []


def fitted_labelled(adapter: Path | None) -> list[str]:
    """The labelled files the router of the adapter folder `adapter` was fitted on that are still there; a file
    gone since is named in a warning and left out. Empty where the folder has no router, or a router fitted on
    none."""
    path = Path(adapter) / ROUTER_FILE if adapter is not None else None
    if path is None or not path.is_file():
        return []
    try:
        listed = json.loads(path.read_text(encoding="utf-8")).get("report", {}).get(LABELLED_KEY) or []
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        return []
    found = [pattern for pattern in listed if isinstance(pattern, str) and matching_files(pattern)]
    for pattern in set(listed) - set(found):
        log.warning("the labelled messages %s that %s was fitted on are gone; its retrain fits without them",
                    pattern, path)
    return found


def _labelled_lines(path: Path) -> list[Example]:
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise RouterDataError(f"{path}:{number}: not JSON ({error.msg})") from None
        text = row.get("q") if isinstance(row, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise RouterDataError(f"{path}:{number}: a labelled message is an object with its text in `q`")
        if "tool" in row:
            tool = row["tool"]
            if tool is not None and not isinstance(tool, str):
                raise RouterDataError(f"{path}:{number}: `tool` is an operationId, calculator, search or null")
            if tool is None:
                label = NO_CALL
            elif tool in (CALCULATOR, SEARCH) or tool.startswith(API_PREFIX):
                label = tool
            else:  # an operationId, as the sets write it
                label = API_PREFIX + tool
        elif "source" in row:
            label = SEARCH
        elif "answer" in row:
            label = CALCULATOR
        else:
            raise RouterDataError(f"{path}:{number}: a labelled message has `tool` (an operationId, calculator, "
                                  "search or null), `source` (a handbook question) or `answer` (a word problem)")
        examples.append(Example(text, label))
    return examples


def router_examples(records: Iterable[Mapping[str, Any]], tools: Sequence[Tool], passages: Iterable[str],
                    near_misses: bool = True, labelled: Sequence[Example] = ()) -> list[Example]:
    """The fit's examples: records, tool descriptions and example requests, near misses of those (unless
    `near_misses` is off), (when there is a search tool) document passages, and the `labelled` messages
    (`read_labelled`) of these tools that no example above holds already: the shipped catalogs' `x-examples`
    hold their development sets' requests, and a request counted twice would weigh twice."""
    names = {tool.name for tool in tools}
    examples = [example for record in records if (example := record_example(record, names)) is not None]
    examples += [Example(tool.description, tool.name) for tool in tools if tool.description.strip()]
    examples += [Example(text, tool.name) for tool in tools for text in tool.examples]
    if near_misses:
        examples += near_miss_examples(tools)
    if SEARCH in names:
        examples += [Example(passage, SEARCH) for passage in passages if passage.strip()]
    held = {_same(example) for example in examples}
    for example in labelled:
        if (example.label == NO_CALL or example.label in names) and _same(example) not in held:
            held.add(_same(example))
            examples.append(example)
    return examples


def _same(example: Example) -> tuple[str, str]:
    """An example as duplicates of it read: its words folded to lower case, and its label."""
    return " ".join(example.text.split()).casefold(), example.label


def near_miss_examples(tools: Sequence[Tool]) -> list[Example]:
    """NO_CALL examples next to every operation: its first example requests, each quoted in a writing request.

    Writing requests about an operation's subject ("write a message to my team about my leave") were tried
    too: on data/demo/eval they changed nothing alone, and beside these they moved the threshold and cost tool
    messages.
    """
    return [Example(template.format(example=example), NO_CALL)
            for tool in tools for template, example in zip(NEAR_MISSES, tool.examples, strict=False)]


def fit_router(
    train: list[Mapping[str, Any]],
    held_out: list[Mapping[str, Any]],
    tools: Sequence[Tool],
    passages: Iterable[str],
    embed: Embed,
    near_misses: bool = True,
    labelled: Sequence[Example] = (),
) -> ToolRouter:
    """A router fitted on `train` (with the tools' descriptions and examples, their near misses unless
    `near_misses` is off, `passages` and `labelled` messages), its threshold chosen on `held_out`; its report
    says what it scored there."""
    from sklearn.linear_model import LogisticRegression  # a dependency of sentence-transformers, as is torch

    examples = router_examples(train, tools, passages, near_misses, labelled)
    labels = sorted({example.label for example in examples})
    if NO_CALL not in labels or len(labels) < 2:
        raise RouterDataError("a router needs training records without a call and records with one; "
                              f"this dataset's labels are {labels}")
    vectors = np.asarray(embed([example.text for example in examples]), dtype=np.float32)  # (examples, dim)
    model = LogisticRegression(C=REGULARISATION_C, class_weight="balanced", max_iter=5000)
    model.fit(vectors, [example.label for example in examples])
    order = [list(model.classes_).index(label) for label in labels]
    router = ToolRouter(labels, model.coef_[order].astype(np.float32), model.intercept_[order].astype(np.float32),
                        0.5, np.asarray(embed([PROBE_TEXT])[0], dtype=np.float32), embed,
                        exemplars=operation_exemplars(train, tools), worked_examples=worked_examples(train, tools))
    names = {tool.name for tool in tools}
    checks = [example for record in held_out if (example := record_example(record, names)) is not None]
    router.no_call_threshold, router.report = choose_threshold(router, checks, names)
    router.report["examples"] = {label: sum(example.label == label for example in examples) for label in labels}
    return router


def operation_exemplars(records: Iterable[Mapping[str, Any]], tools: Sequence[Tool]) -> dict[str, list[str]]:
    """Per tool other than search and the calculator, up to EXEMPLARS_PER_OPERATION distinct training questions
    for it, sampled with a fixed seed."""
    names = {tool.name for tool in tools} - {SEARCH, CALCULATOR}
    questions: dict[str, dict[str, None]] = {}  # per operation, its distinct questions in the records' order
    for record in records:
        example = record_example(record, names)
        if example is not None and example.label != NO_CALL:
            questions.setdefault(example.label, {})[example.text] = None
    return {tool: random.Random(tool).sample(list(texts), min(len(texts), EXEMPLARS_PER_OPERATION))
            for tool, texts in sorted(questions.items())}


def worked_examples(records: Iterable[Mapping[str, Any]], tools: Sequence[Tool]) -> dict[str, list[list[dict[str, Any]]]]:
    """Per tool of WORKED_EXAMPLE_TOOLS that `tools` has, up to WORKED_EXAMPLES_KEPT training conversations of
    one question, one call of that tool, its result and the answer (OpenAI-style messages), sampled with a fixed
    seed: the engine puts the ones nearest a question before it (`ToolRouter.worked_examples_for`)."""
    names = {tool.name for tool in tools} & set(WORKED_EXAMPLE_TOOLS)
    found: dict[str, list[list[dict[str, Any]]]] = {}
    for record in records:
        messages = list(record.get("messages") or [])
        roles = [message.get("role") for message in messages]
        if roles != ["user", "assistant", "tool", "assistant"] or len(messages[1].get("tool_calls") or []) != 1:
            continue
        tool = messages[1]["tool_calls"][0]["function"]["name"]
        if tool in names:
            found.setdefault(tool, []).append(messages)
    return {tool: random.Random(tool).sample(conversations, min(len(conversations), WORKED_EXAMPLES_KEPT))
            for tool, conversations in sorted(found.items())}


def choose_threshold(router: ToolRouter, checks: list[Example], tools: set[str]) -> tuple[float, dict[str, Any]]:
    """The threshold on P(NO_CALL) with the best balanced call-decision accuracy on `checks`, and the report."""
    if not checks:
        return 0.5, {"held_out": 0}
    rows = router.probabilities([example.text for example in checks], tools)
    need = np.array([example.label != NO_CALL for example in checks])
    no_call = np.array([row[NO_CALL] for row in rows])
    best_tool = [max((label for label in row if label != NO_CALL), key=row.__getitem__) for row in rows]

    def rates(threshold: float) -> tuple[float | None, float | None]:
        """(calls made where one is due, none made where none is); None where `checks` has no such item."""
        call = no_call < threshold
        return (float(np.mean(call[need])) if need.any() else None,
                float(np.mean(~call[~need])) if (~need).any() else None)

    def balanced(threshold: float) -> float:
        return float(np.mean([rate for rate in rates(threshold) if rate is not None]))

    threshold = max(THRESHOLDS, key=lambda t: (round(balanced(t), 6), -abs(t - 0.5)))
    call_recall, no_call_accuracy = rates(threshold)
    tool_right = [tool == example.label for tool, example in zip(best_tool, checks) if example.label != NO_CALL]
    report = {
        "held_out": len(checks),
        "no_call_threshold": threshold,
        "call_recall": round(call_recall, 4) if call_recall is not None else None,
        "no_call_accuracy": round(no_call_accuracy, 4) if no_call_accuracy is not None else None,
        "tool_accuracy": round(float(np.mean(tool_right)), 4) if tool_right else None,
    }
    return threshold, report


def fit_router_for_dataset(data_dir: Path, tools: Sequence[Tool], docs: Path | None, chunk_chars: int,
                           chunk_overlap: int, embed: Embed, labelled: Sequence[Example] = ()) -> ToolRouter:
    """Fit on a build-data folder (train.jsonl, eval.jsonl, read as the trainer reads them), the documents
    the search tool serves and `labelled` messages."""
    data_dir = Path(data_dir)
    held_out_path = data_dir / "eval.jsonl"
    held_out = read_records(held_out_path) if held_out_path.is_file() else []
    passages = document_passages(docs, chunk_chars, chunk_overlap) if docs is not None else []
    router = fit_router(read_records(data_dir / "train.jsonl"), held_out, tools, passages, embed, labelled=labelled)
    log.info("router fitted: %s", router.report)
    return router


def document_passages(docs: Path, chunk_chars: int, chunk_overlap: int) -> list[str]:
    """The documents' chunks as the document store embeds them (heading and text)."""
    from finetune.build_data import read_chunks
    from tools.retrieval import embedding_input

    return [embedding_input(chunk.heading, chunk.text) for chunk in read_chunks(docs, chunk_chars, chunk_overlap)]


def fit_router_into(adapter: Path, data_dir: Path, tools_config: ToolsConfig, home: Path,
                    labelled: Iterable[Path | str] = ()) -> ToolRouter:
    """Fit a router on the build-data folder `data_dir` and the messages of the `labelled` files (paths or globs,
    `read_labelled`) for the tools of `tools_config` and save it as the adapter folder's router.json (the
    embedder is `tools.retrieval.embedder`, the one serving loads)."""
    from tools.registry import build_tools
    from tools.retrieval import Embedder

    messages = read_labelled(labelled)  # a bad file is named before anything is loaded
    tools = build_tools(tools_config, home)
    retrieval = tools_config.retrieval
    docs = retrieval.docs if retrieval.enabled else None
    router = fit_router_for_dataset(data_dir, tools, docs, retrieval.chunk_chars, retrieval.chunk_overlap,
                                    Embedder(retrieval.embedder).embed, messages)
    router.report[LABELLED_KEY] = [str(Path(pattern).expanduser().absolute()) for pattern in labelled]
    router.save(adapter)
    return router
