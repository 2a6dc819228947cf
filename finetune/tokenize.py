"""Dataset records -> token ids and labels that reproduce exactly what the engine feeds the model.

A record's conversation is rendered turn by turn the way `assistant.engine.Engine` renders it: the prompt is
`chat.prompt_ids(system + history)` (the history rendered, an assistant reply opened); then, for each
assistant message of the turn, its content tokens `chat.encode(content)`; after a tool call, the template glue
`chat.tool_result_suffix(...)` (end of the call message, the tool message, the next assistant header); after
the final message, its end-of-turn token. The engine samples the content tokens and the end-of-turn token and
forces everything else, so those are the only tokens with a label; the rest carry -100.

A later turn's prompt normally extends the earlier turns' tokens, so one record is one example and every turn
is learned. When a chat template re-renders earlier turns differently, the earlier turns become unlabelled
context of the last one instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from assistant.chat_format import ChatFormat, ChatTemplateError, parse_call, system_message, to_toolken_messages
from assistant.config import ConfigError
from assistant.decoding import end_of_turn_ids
from finetune.records import read_json_rows
from tools.base import Tool

IGNORE = -100  # the label of a token the loss skips (PyTorch's cross-entropy ignore_index)
TRAIN_FILE = "train.jsonl"
EVAL_FILE = "eval.jsonl"
_PROBE = "\u2063end-probe\u2063"
_FIRST_DATE = date(2024, 1, 1)
_DATE_SPAN_DAYS = 4 * 365


class DatasetError(ConfigError):
    """A dataset file or record that cannot be trained on; the message names the file or record and why."""


@dataclass(frozen=True)
class Example:
    """One training sequence: token ids and their labels (the id where learned, IGNORE where not)."""

    record_id: str
    input_ids: list[int]
    labels: list[int]


@dataclass
class TokenizedSplit:
    """The examples of one JSONL file and what was left out."""

    examples: list[Example] = field(default_factory=list)
    too_long: list[str] = field(default_factory=list)  # record ids longer than max_seq_len

    @property
    def tokens(self) -> int:
        return sum(len(e.input_ids) for e in self.examples)

    @property
    def learned_tokens(self) -> int:
        return sum(label != IGNORE for e in self.examples for label in e.labels)


def end_of_turn_id(chat: ChatFormat) -> int:
    """The token the chat template closes an assistant message with (SmolLM2: `<|im_end|>`)."""
    messages = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": _PROBE}]
    rendered = chat.render(messages, add_generation_prompt=False)
    tail = rendered[rendered.rfind(_PROBE) + len(_PROBE) :]
    ids = chat.encode(tail)
    if not ids or ids[0] not in end_of_turn_ids(chat.tokenizer):
        raise ChatTemplateError(f"the chat template ends an assistant message with {tail[:20]!r}, not an end-of-turn token")
    return ids[0]


def tokenize_conversation(
    chat: ChatFormat, messages: list[dict[str, Any]], system_prompt: str, end_id: int
) -> tuple[list[int], list[bool]]:
    """Token ids of a toolken-form conversation and, per token, whether the model learns it.

    `messages` are the engine's messages (`to_toolken_messages`); system messages in them are replaced by
    `system_prompt`, as the engine does.
    """
    conversation = [m for m in messages if m["role"] != "system"]
    history: list[dict[str, Any]] = [{"role": "system", "content": system_prompt}]
    ids: list[int] = []
    learned: list[bool] = []
    index = 0
    while index < len(conversation):
        message = conversation[index]
        if message["role"] != "assistant":
            history.append(message)
            index += 1
            continue
        if history[-1]["role"] != "user":
            raise DatasetError(f"message {index} is an assistant reply that does not follow a user message")
        prompt = chat.prompt_ids(history)
        if ids and prompt[: len(ids)] == ids:
            extra = prompt[len(ids) :]
        else:  # the template renders earlier turns differently: they become context of this one
            ids, learned, extra = [], [], prompt
        ids += extra
        learned += [False] * len(extra)
        index = _tokenize_turn(chat, conversation, index, history, ids, learned, end_id)
    if not any(learned):
        raise DatasetError("the conversation has no assistant reply to learn")
    return ids, learned


def _tokenize_turn(
    chat: ChatFormat,
    conversation: list[dict[str, Any]],
    index: int,
    history: list[dict[str, Any]],
    ids: list[int],
    learned: list[bool],
    end_id: int,
) -> int:
    """Append one assistant turn (calls, tool results, final reply) to `ids`/`learned`; return the next index."""
    while True:
        message = conversation[index]
        if message["role"] != "assistant":
            raise DatasetError(f"message {index} is a {message['role']!r} message where an assistant reply belongs")
        content = message["content"]
        content_ids = chat.encode(content)
        ids += content_ids
        learned += [True] * len(content_ids)
        if parse_call(content) is None:  # the final reply: the model also learns to end its turn
            ids.append(end_id)
            learned.append(True)
            history.append({"role": "assistant", "content": content})
            return index + 1
        result = conversation[index + 1] if index + 1 < len(conversation) else None
        if result is None or result["role"] != "tool":
            raise DatasetError(f"the tool call in message {index} is not followed by a tool message")
        suffix = chat.encode(chat.tool_result_suffix(history, content, result["content"]))
        ids += suffix
        learned += [False] * len(suffix)
        history += [{"role": "assistant", "content": content},
                    {"role": "tool", "content": result["content"], "name": result.get("name", "")}]
        index += 2
        if index >= len(conversation):
            raise DatasetError("the conversation ends with a tool message; the reply after it is missing")


def tokenize_record(
    chat: ChatFormat, record: dict[str, Any], system_prompt: str, tools: list[Tool], end_id: int
) -> Example:
    """One dataset record (OpenAI-style messages) as a training example for the model with `tools`."""
    record_id = str(record.get("id", "?"))
    try:
        known = {tool.name: tool.parameters for tool in tools}
        for message in record["messages"]:
            for call in message.get("tool_calls") or []:
                name = call["function"]["name"]
                if name not in known:
                    raise DatasetError(
                        f"it calls {name!r}, which is not among the configured tools ({', '.join(known)}); "
                        "train with the tools config the dataset was built for"
                    )
        messages = to_toolken_messages(record["messages"], schemas=known)
        ids, learned = tokenize_conversation(chat, messages, system_message(system_prompt, record_date(record_id)),
                                             end_id)
    except DatasetError as exc:
        raise DatasetError(f"record {record_id}: {exc}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise DatasetError(f"record {record_id} is malformed: {type(exc).__name__}: {exc}") from None
    labels = [token if keep else IGNORE for token, keep in zip(ids, learned)]
    return Example(record_id, ids, labels)


def record_date(record_id: str) -> date:
    """The date a training conversation's system message states: the engine states today's date in every turn,
    so every record states one too, spread over four years by the record's id (the same on every run)."""
    digest = hashlib.sha256(record_id.encode()).digest()
    return _FIRST_DATE + timedelta(days=int.from_bytes(digest[:4], "big") % _DATE_SPAN_DAYS)


def tokenize_split(
    chat: ChatFormat,
    records: list[dict[str, Any]],
    system_prompt: str,
    tools: list[Tool],
    max_seq_len: int,
) -> TokenizedSplit:
    """Tokenise `records`, leaving out (and naming) those longer than `max_seq_len`.

    A long record is left out whole rather than cut: a cut conversation would teach the model to stop
    mid-answer or would lose the reply it exists for.
    """
    end_id = end_of_turn_id(chat)
    split = TokenizedSplit()
    for record in records:
        example = tokenize_record(chat, record, system_prompt, tools, end_id)
        if len(example.input_ids) > max_seq_len:
            split.too_long.append(example.record_id)
        else:
            split.examples.append(example)
    return split


def stratified(records: list[dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    """At most `limit` records with each source's share of them kept (at least one per source), the first
    ones of each source in file order: an eval loss over the first N records of a file written source by
    source measured one source only."""
    if limit is None or len(records) <= limit:
        return records
    by_source: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        by_source.setdefault(str(record.get("source")), []).append(index)
    quota = {source: max(1, round(limit * len(indices) / len(records))) for source, indices in by_source.items()}
    while sum(quota.values()) > limit:  # rounding up and the minimum of one can overshoot
        largest = max(quota, key=lambda source: quota[source])
        quota[largest] -= 1
    chosen = sorted(index for source, indices in by_source.items() for index in indices[: quota[source]])
    return [records[index] for index in chosen]


def read_records(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The first `limit` records (all when None) of a JSONL file."""
    def refuse(line: int | None, problem: str) -> None:
        raise DatasetError(f"{path}:{line} is {problem}")

    try:
        rows = read_json_rows(path, refuse)
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc.strerror}") from None
    return [value for _, value in rows[:limit]]


def dataset_fingerprint(folder: Path) -> dict[str, Any]:
    """What identifies the training data: sha256 of train.jsonl (and eval.jsonl) and their record counts."""
    info: dict[str, Any] = {"folder": str(Path(folder).resolve())}
    for name in (TRAIN_FILE, EVAL_FILE):
        path = Path(folder) / name
        if not path.is_file():
            continue
        digest = hashlib.sha256()
        records = 0
        with path.open("rb") as handle:
            for line in handle:
                digest.update(line)
                records += bool(line.strip())
        key = name.removesuffix(".jsonl")
        info[f"{key}_sha256"] = digest.hexdigest()
        info[f"{key}_records"] = records
    return info
