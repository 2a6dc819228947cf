"""One training example: OpenAI-style messages with a stable id, stored one per line in JSONL.

A record is `{"id", "source", "tool", "messages"}`. A tool call is an assistant message with
`tool_calls` (id `call_0`, arguments as a JSON string written exactly as the argument grammar writes
them), then a `tool` message holding `ToolResult.to_message()` text, then the final assistant reply.
Records carry no system message: the trainer adds the configured system prompt, as the engine does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from assistant.chat_format import arguments_json

Source = Literal["catalog", "no_call", "calculator", "retrieval", "instructions", "feedback"]
SOURCES: tuple[str, ...] = ("catalog", "no_call", "calculator", "retrieval", "instructions", "feedback")


class DatasetFormatError(ValueError):
    """An input file that cannot become records; the message names the file, the line and what was expected."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = problem
        where = f"{file}, line {line}" if line is not None else file
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Record:
    """One training conversation. `meta` holds builder facts for the public eval files (never written)."""

    source: Source
    #: The tool the conversation calls (the first one when it calls several); None when it calls none.
    tool: str | None
    messages: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def id(self) -> str:
        return record_id(self.messages)

    @property
    def user_text(self) -> str:
        """The user messages joined, what de-duplication and the eval files look at."""
        return "\n".join(m.get("content") or "" for m in self.messages if m["role"] == "user")

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "tool": self.tool, "messages": self.messages}


def record_id(messages: list[dict[str, Any]]) -> str:
    """The first 16 hex digits of the sha1 of the canonical JSON of `messages`."""
    canonical = json.dumps(messages, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:16]


def call_messages(
    user: str | list[dict[str, Any]],
    tool: str,
    arguments: dict[str, Any],
    result_message: str,
    answer: str,
    *,
    schema: dict[str, Any] | None = None,
    text_before: str = "",
) -> list[dict[str, Any]]:
    """The messages of one tool-using exchange: user, call, tool result, final answer.

    `user` is the question, or the whole conversation up to and including it. The arguments are written
    in `schema` order with the grammar's separators, so the JSON text is what the engine would decode.
    """
    history = [{"role": "user", "content": user}] if isinstance(user, str) else list(user)
    function = {"name": tool, "arguments": arguments_json(arguments, schema)}
    return [
        *history,
        {"role": "assistant", "content": text_before,
         "tool_calls": [{"id": "call_0", "type": "function", "function": function}]},
        {"role": "tool", "tool_call_id": "call_0", "name": tool, "content": result_message},
        {"role": "assistant", "content": answer},
    ]


def write_jsonl(path: Path, records: Iterable[Record]) -> int:
    """Write `records` one JSON object per line (UTF-8, `\\n`); returns how many were written."""
    count = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for record in records:
            handle.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
            count += 1
    return count


def read_jsonl(path: Path) -> list[Record]:
    """Records written by `write_jsonl`; a line that is not one raises DatasetFormatError."""
    records: list[Record] = []
    for number, data in read_json_rows(path):
        try:
            record = Record(source=data["source"], tool=data["tool"], messages=data["messages"])
        except (KeyError, TypeError) as exc:
            raise DatasetFormatError(str(path), number, f"not a record ({exc!r})") from None
        if data.get("id") not in (None, record.id):
            raise DatasetFormatError(str(path), number, f"id {data['id']} does not match its messages")
        records.append(record)
    return records


#: Told of a row that cannot be read: (line number or None for the whole file, the problem).
RowProblem = Callable[[int | None, str], None]


def read_json_rows(path: Path, problem: RowProblem | None = None) -> list[tuple[int, Any]]:
    """(line number, JSON value) per row of a .jsonl file, or per item of a .json list (numbered from 1): the
    one reader of JSON rows from a file. `problem` is told of each row that cannot be read; by default the
    first one raises DatasetFormatError naming the file and the line."""
    path = Path(path)

    def refuse(line: int | None, message: str) -> None:
        raise DatasetFormatError(str(path), line, message)

    return parse_json_rows(path.read_text(encoding="utf-8"), path.suffix.lower() == ".json", problem or refuse)


def parse_json_rows(text: str, json_list: bool, problem: RowProblem) -> list[tuple[int, Any]]:
    """(line number, JSON value) per line of JSONL text, or per item of a JSON list (numbered from 1).

    Each row that cannot be read goes to `problem`, which may raise (a build stops at the first) or
    collect (an upload reports every bad row); the rows that could be read are returned.
    """
    if json_list:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            problem(exc.lineno, f"not valid JSON ({exc.msg})")
            return []
        if not isinstance(data, list):
            problem(None, "a .json file must hold a list of rows (.jsonl: one per line)")
            return []
        return list(enumerate(data, start=1))
    rows: list[tuple[int, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            problem(number, f"not valid JSON ({exc.msg}); expected one JSON object per line")
    return rows
