"""The data of one retrain, as pure functions: which feedback is new, personal data scrubbed out, the mix
with the base training data, and the eval items the feedback gives.

`finetune.retrain` reads the log and the files and writes the dataset version; nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from finetune.builders.feedback import FeedbackTurn, feedback_records
from finetune.records import Record

Patterns = dict[str, re.Pattern[str]]
#: The group of a pattern that is the personal data itself, when the rest of the match is context.
PII_GROUP = "pii"


@dataclass(frozen=True)
class Watermark:
    """How far earlier runs got, as feedback ids (they only grow)."""

    #: The newest feedback a finished run has seen: feedback after it is new.
    last_run: int = 0
    #: The newest feedback trained into an adapter that was promoted: feedback after it is still to learn.
    last_promoted: int = 0


@dataclass
class FeedbackSplit:
    """The log's rated turns, sorted by what a run does with them. Only usable turns (rated up, or with a
    correction) are kept; `ignored_new` counts new ones that were neither."""

    new: list[FeedbackTurn] = field(default_factory=list)
    pending: list[FeedbackTurn] = field(default_factory=list)
    earlier: list[FeedbackTurn] = field(default_factory=list)
    ignored_new: int = 0
    #: The newest feedback id of all the turns, usable or not (0 when there are none): what a run has seen.
    newest_id: int = 0


def usable(turn: FeedbackTurn) -> bool:
    """Whether the turn can teach anything: rated up, or given a better answer."""
    return turn.rating == 1 or bool(turn.correction and turn.correction.strip())


def split_feedback(turns: Iterable[FeedbackTurn], watermark: Watermark) -> FeedbackSplit:
    """New turns (since the last run), pending ones (since the last promotion: this run's training
    feedback) and earlier ones (already learned: the regression set of good answers)."""
    split = FeedbackSplit()
    for turn in turns:
        split.newest_id = max(split.newest_id, turn.feedback_id)
        is_new = turn.feedback_id > watermark.last_run
        if not usable(turn):
            split.ignored_new += is_new
            continue
        if is_new:
            split.new.append(turn)
        if turn.feedback_id > watermark.last_promoted:
            split.pending.append(turn)
        else:
            split.earlier.append(turn)
    return split


# ----------------------------------------------------------------------------------------------------
# Personal data


def compile_patterns(patterns: dict[str, str]) -> Patterns:
    """Each configured regex compiled, in order."""
    return {name: re.compile(pattern) for name, pattern in patterns.items()}


def scrub_text(text: str, patterns: Patterns, counts: Counter[str] | None = None) -> str:
    """`text` with every match of each pattern replaced by `[NAME]` (only its group named `pii` when it has
    one, so a keyword that anchors the match stays); matches are added to `counts`."""
    for name, pattern in patterns.items():
        placeholder = f"[{name.upper()}]"
        if PII_GROUP in pattern.groupindex:
            text, found = pattern.subn(partial(_replace_group, placeholder=placeholder), text)
        else:
            text, found = pattern.subn(placeholder, text)
        if counts is not None and found:
            counts[name] += found
    return text


def _replace_group(match: re.Match[str], placeholder: str) -> str:
    start, end = match.span(PII_GROUP)
    if start < 0:  # the group took no part in this match: nothing personal in it
        return match.group(0)
    return match.string[match.start() : start] + placeholder + match.string[end : match.end()]


def scrub_record(record: Record, patterns: Patterns, counts: Counter[str] | None = None) -> Record:
    """The record with personal data scrubbed from every message: text, tool results, and the string
    values of call arguments (the arguments stay valid JSON)."""
    messages = []
    for message in record.messages:
        scrubbed = dict(message)
        if isinstance(message.get("content"), str):
            scrubbed["content"] = scrub_text(message["content"], patterns, counts)
        if message.get("tool_calls"):
            scrubbed["tool_calls"] = [_scrub_call(call, patterns, counts) for call in message["tool_calls"]]
        messages.append(scrubbed)
    return Record(record.source, record.tool, messages, record.meta)


def _scrub_call(call: dict[str, Any], patterns: Patterns, counts: Counter[str] | None) -> dict[str, Any]:
    function = dict(call["function"])
    arguments = function["arguments"]
    parsed = json.loads(arguments) if isinstance(arguments, str) else arguments
    cleaned = _scrub_value(parsed, patterns, counts)
    function["arguments"] = json.dumps(cleaned, ensure_ascii=False) if isinstance(arguments, str) else cleaned
    return {**call, "function": function}


def _scrub_value(value: Any, patterns: Patterns, counts: Counter[str] | None) -> Any:
    if isinstance(value, str):
        return scrub_text(value, patterns, counts)
    if isinstance(value, dict):
        return {key: _scrub_value(item, patterns, counts) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_value(item, patterns, counts) for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A number that is personal data as a whole (a phone or account number sent as a number).
        text = str(value)
        cleaned = scrub_text(text, patterns, counts)
        return value if cleaned == text else cleaned
    return value


def scrubbed_feedback(
    turns: list[FeedbackTurn], patterns: Patterns, counts: Counter[str] | None = None
) -> list[Record]:
    """The training records of `turns` (`feedback_records`), scrubbed."""
    return [scrub_record(record, patterns, counts) for record in feedback_records(turns)]


# ----------------------------------------------------------------------------------------------------
# The mix and the eval items


def held_back(feedback: list[Record], fraction: float) -> list[Record]:
    """The feedback records the gate measures and training never sees: `fraction` of them (rounded up, at
    least one once there are two), chosen by a hash of each record's id, so the choice is stable."""
    if len(feedback) < 2 or fraction <= 0:
        return []
    count = min(len(feedback) - 1, math.ceil(fraction * len(feedback)))
    ranked = sorted(feedback, key=lambda record: hashlib.sha256(record.id.encode()).hexdigest())
    chosen = {record.id for record in ranked[:count]}
    return [record for record in feedback if record.id in chosen]


def mix(feedback: list[Record], base: list[Record], per_feedback: float, seed: int) -> list[Record]:
    """The training set: every feedback record and `per_feedback` base records per feedback record
    (sampled, so old skills keep being trained), shuffled; a record in both is kept once."""
    rng = random.Random(f"{seed}:retrain-mix")
    wanted = min(len(base), round(per_feedback * len(feedback)))
    sample = rng.sample(base, wanted)
    seen: set[str] = set()
    records = []
    for record in [*feedback, *sample]:
        if record.id not in seen:
            seen.add(record.id)
            records.append(record)
    rng.shuffle(records)
    return records


def tool_queries(records: Iterable[Record]) -> list[dict[str, Any]]:
    """`{"q", "tool", "args"}` per single-question record, as in `assistant eval`'s tools set: the call a
    good answer made (its operationId for API tools) or None when it made none."""
    queries = []
    for record in records:
        users = [m for m in record.messages if m["role"] == "user"]
        if len(users) != 1 or not (users[0].get("content") or "").strip():
            continue
        calls = [call for m in record.messages for call in m.get("tool_calls") or []]
        if calls:
            function = calls[0]["function"]
            arguments = function["arguments"]
            arguments = json.loads(arguments) if isinstance(arguments, str) else arguments
            queries.append({"q": users[0]["content"], "tool": function["name"].removeprefix("api."),
                            "args": arguments})
        else:
            queries.append({"q": users[0]["content"], "tool": None, "args": {}})
    return queries
