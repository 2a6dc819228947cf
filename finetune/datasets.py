"""The fine-tuning dataset: pure builders per source, then de-duplication, a stable split and a report.

Builders (one module each under `finetune.builders`) turn inputs into `Record`s and never touch files;
`finetune.build_data` reads the inputs and writes the results.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assistant.tables import table
from finetune.builders.calculator import calculator_records
from finetune.builders.catalog import catalog_records, sample_arguments
from finetune.builders.feedback import FeedbackTurn, feedback_records
from finetune.builders.instructions import detect_format, instruction_records
from finetune.builders.no_call import ReplyFn, choose_prompts, no_call_records
from finetune.builders.phrasing import phrase_request
from finetune.builders.responses import ResponseDoc, response_docs
from finetune.builders.retrieval import DocChunk, retrieval_records
from finetune.records import SOURCES, DatasetFormatError, Record

__all__ = [
    "DatasetFormatError", "DatasetReport", "DocChunk", "FeedbackTurn", "Record", "ReplyFn", "ResponseDoc",
    "calculator_records", "catalog_records", "choose_prompts", "dedupe_key", "detect_format",
    "feedback_records", "instruction_records", "no_call_records", "phrase_request", "report",
    "response_docs", "retrieval_records", "sample_arguments", "sibling_keys", "split_and_dedupe",
]  # fmt: skip


def dedupe_key(record: Record) -> tuple[str, str | None]:
    """What makes two records the same example: the user's words (case, spacing and end punctuation
    aside) and the tool called."""
    text = " ".join(record.user_text.lower().split())
    return re.sub(r"[\s.!?]+$", "", text), record.tool


def split_and_dedupe(
    records: list[Record], seed: int, eval_fraction: float, kept: Mapping[tuple[str, str | None], bool] | None = None
) -> tuple[list[Record], list[Record]]:
    """(train, eval) after dropping exact duplicates (same id, or same `dedupe_key`); the first one stays.

    Siblings go to one side together: records that share a question, or a `sibling_keys` key (the document chunk
    a search example was written from or the answer it gives, the operation and argument values of a catalog
    call), so that no eval question is answered by a training record written from the same source.

    `kept` maps a `dedupe_key` to the side it must stay on (True: eval), the previous dataset's split
    (`previous_split`). A group holding a kept question follows it; when its kept questions disagree it goes to
    train, since an adapter trained on the old split must never be scored on a question it trained on.

    Any other group goes to eval when the hash of its first question's `dedupe_key` and `seed` falls below
    `eval_fraction`, so its side depends only on the questions: adding records does not move the ones already
    there, and neither does a new answer to the same question (a fixed template, a new self-distilled reply).
    """
    if not 0.0 <= eval_fraction < 1.0:
        raise ValueError(f"eval_fraction must be in [0, 1), not {eval_fraction}")
    unique: list[Record] = []
    seen_ids: set[str] = set()
    seen_keys: set[tuple[str, str | None]] = set()
    for record in records:
        key = dedupe_key(record)
        if record.id in seen_ids or key in seen_keys:
            continue
        seen_ids.add(record.id)
        seen_keys.add(key)
        unique.append(record)
    roots = _roots(unique)
    groups: dict[int, list[int]] = {}
    for index, root in enumerate(roots):
        groups.setdefault(root, []).append(index)
    sides = {root: _group_side([dedupe_key(unique[i]) for i in members], seed, eval_fraction, kept or {})
             for root, members in groups.items()}
    train: list[Record] = []
    evaluation: list[Record] = []
    for index, record in enumerate(unique):
        (evaluation if sides[roots[index]] else train).append(record)
    return train, evaluation


def sibling_keys(record: Record) -> list[tuple[str, str]]:
    """What ties a record to others besides its question: a search example's chunk and answer, a catalog
    call's operation and argument values."""
    if record.source == "retrieval" and "chunk" in record.meta:
        answer = next((m.get("content") or "" for m in reversed(record.messages) if m["role"] == "assistant"), "")
        return [("chunk", str(record.meta["chunk"])), ("answer", answer)]
    if record.source == "catalog" and "arguments" in record.meta:
        return [("call", f"{record.tool}:{json.dumps(record.meta['arguments'], sort_keys=True, default=str)}")]
    return []


def _roots(records: list[Record]) -> list[int]:
    """Union-find over records that share a sibling key: each record's group, named by its first member."""
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str], int] = {}
    for index, record in enumerate(records):
        for key in sibling_keys(record):
            other = first.setdefault(key, index)
            a, b = find(index), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return [find(i) for i in range(len(records))]


def _group_side(
    keys: list[tuple[str, str | None]], seed: int, eval_fraction: float, kept: Mapping[tuple[str, str | None], bool]
) -> bool:
    """True when a group of siblings (their dedupe keys, first record first) goes to eval."""
    previous = {kept[key] for key in keys if key in kept}
    if previous:
        return previous == {True}
    return split_position(keys[0], seed) < eval_fraction


def split_position(key: tuple[str, str | None], seed: int) -> float:
    """Where a record with `dedupe_key` `key` falls in [0, 1) for the split with `seed`."""
    text, tool = key
    digest = hashlib.sha256(f"{seed}:{tool}:{text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass
class DatasetReport:
    """How many records each source and each tool gave, per split."""

    by_source: dict[str, dict[str, int]] = field(default_factory=dict)
    by_tool: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def train(self) -> int:
        return sum(counts["train"] for counts in self.by_source.values())

    @property
    def eval(self) -> int:
        return sum(counts["eval"] for counts in self.by_source.values())

    def to_json(self) -> dict[str, Any]:
        return {"train": self.train, "eval": self.eval, "by_source": self.by_source, "by_tool": self.by_tool}

    def table(self) -> str:
        """Both counts as a plain-text table, sources first, then tools."""
        rows = [["source", "train", "eval"]]
        rows += [[name, str(c["train"]), str(c["eval"])] for name, c in self.by_source.items()]
        rows += [["", "", ""], ["tool", "train", "eval"]]
        rows += [[name, str(c["train"]), str(c["eval"])] for name, c in self.by_tool.items()]
        rows += [["", "", ""], ["total", str(self.train), str(self.eval)]]
        return "\n".join(table(rows, numbers_right=True))


def report(train: list[Record], evaluation: list[Record]) -> DatasetReport:
    """Counts per source (in the order of `SOURCES`) and per tool (sorted; "(none)" for no call)."""
    counts = {"train": Counter(r.source for r in train), "eval": Counter(r.source for r in evaluation)}
    tools = {"train": Counter(r.tool or "(none)" for r in train),
             "eval": Counter(r.tool or "(none)" for r in evaluation)}
    present = [s for s in SOURCES if counts["train"][s] or counts["eval"][s]]
    names = sorted(set(tools["train"]) | set(tools["eval"]), key=lambda name: (name == "(none)", name))
    return DatasetReport(
        by_source={s: {"train": counts["train"][s], "eval": counts["eval"][s]} for s in present},
        by_tool={t: {"train": tools["train"][t], "eval": tools["eval"][t]} for t in names},
    )
