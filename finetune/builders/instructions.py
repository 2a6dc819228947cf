"""A user's own instruction data, in any of the three common shapes, as records.

- Alpaca: `{"instruction", "input"?, "output"}`
- ShareGPT: `{"conversations": [{"from": "human" | "gpt" | "system", "value"}]}`
- messages: `{"messages": [{"role", "content", "tool_calls"?}]}` (OpenAI style)

The shape is detected once per file from its first rows (they must agree); a row of another shape, or
one that breaks its shape's rules, is a `DatasetFormatError` naming the file, the line and what was
expected. System messages are dropped: the trainer adds the configured system prompt to every record.
"""

from __future__ import annotations

from typing import Any, Literal

from finetune.records import DatasetFormatError, Record

Format = Literal["alpaca", "sharegpt", "messages"]
#: How many leading rows must agree on the shape.
DETECT_ROWS = 5
_SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
                   "chatgpt": "assistant", "model": "assistant", "bot": "assistant", "system": "system"}  # fmt: skip
_EXPECTED = {
    "alpaca": 'an Alpaca row {"instruction": str, "input"?: str, "output": str}',
    "sharegpt": 'a ShareGPT row {"conversations": [{"from": "human" | "gpt" | "system", "value": str}, ...]}',
    "messages": 'a messages row {"messages": [{"role": "user" | "assistant" | "system" | "tool", '
                '"content": str}, ...]}',
}
_A_ROW = {"alpaca": "an Alpaca row", "sharegpt": "a ShareGPT row", "messages": "a messages row"}
_MESSAGE_KEYS = ("role", "content", "tool_calls", "tool_call_id", "name")
_ANY = "a JSON object in Alpaca (instruction/input/output), ShareGPT (conversations) or messages format"


def detect_format(rows: list[tuple[int, Any]], file: str) -> Format:
    """The shape shared by the first rows of `file`; rows are (line number, parsed JSON)."""
    if not rows:
        raise DatasetFormatError(file, None, f"no rows; expected {_ANY}")
    found: Format | None = None
    for line, row in rows[:DETECT_ROWS]:
        shape = _shape(row)
        if shape is None:
            raise DatasetFormatError(file, line, f"expected {_ANY}, found {_describe(row)}")
        if found is not None and shape != found:
            raise DatasetFormatError(file, line, f"{_A_ROW[shape]} in a file whose first rows are "
                                                 f"{_A_ROW[found].split(' ', 1)[1]}s; expected {_EXPECTED[found]}")
        found = shape
    assert found is not None
    return found


def majority_format(rows: list[tuple[int, Any]]) -> Format | None:
    """The shape most rows have (None: no row has one): an upload is read in it, so each row that breaks it
    is reported on its own instead of the first one stopping the check."""
    shapes = [shape for _, row in rows if (shape := _shape(row)) is not None]
    return max(set(shapes), key=shapes.count) if shapes else None


def instruction_records(rows: list[tuple[int, Any]], file: str) -> list[Record]:
    """Every row of `file` as a record, after detecting the file's shape."""
    shape = detect_format(rows, file)
    return [instruction_record(shape, line, row, file) for line, row in rows]


def instruction_record(shape: Format, line: int | None, row: Any, file: str) -> Record:
    """One row of `file`, which must have `shape`, as a record; DatasetFormatError names what is wrong."""
    if _shape(row) != shape:
        raise DatasetFormatError(file, line, f"expected {_EXPECTED[shape]}, found {_describe(row)}")
    convert = {"alpaca": _alpaca, "sharegpt": _sharegpt, "messages": _messages}[shape]
    try:
        messages = convert(row)
        _check_turns(messages)
    except ValueError as exc:
        raise DatasetFormatError(file, line, f"{exc}; expected {_EXPECTED[shape]}") from None
    calls = [call for m in messages for call in m.get("tool_calls") or []]
    tool = calls[0]["function"]["name"] if calls else None
    return Record("instructions", tool, messages)


def _shape(row: Any) -> Format | None:
    if not isinstance(row, dict):
        return None
    if "messages" in row:
        return "messages"
    if "conversations" in row:
        return "sharegpt"
    if "instruction" in row and "output" in row:
        return "alpaca"
    return None


def _describe(row: Any) -> str:
    if isinstance(row, dict):
        keys = ", ".join(repr(key) for key in list(row)[:6]) or "no keys"
        return f"an object with {keys}"
    return f"a JSON {type(row).__name__}"


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} is {type(value).__name__}, not a string")
    return value


def _alpaca(row: dict[str, Any]) -> list[dict[str, Any]]:
    instruction = _text(row["instruction"], "'instruction'").strip()
    extra = _text(row.get("input") or "", "'input'").strip()
    output = _text(row["output"], "'output'").strip()
    user = f"{instruction}\n\n{extra}" if extra else instruction
    return [{"role": "user", "content": user}, {"role": "assistant", "content": output}]


def _sharegpt(row: dict[str, Any]) -> list[dict[str, Any]]:
    turns = row["conversations"]
    if not isinstance(turns, list):
        raise ValueError("'conversations' is not a list")
    messages = []
    for index, turn in enumerate(turns):
        if not isinstance(turn, dict) or "from" not in turn or "value" not in turn:
            raise ValueError(f"conversations[{index}] has no 'from' and 'value'")
        role = _SHAREGPT_ROLES.get(str(turn["from"]).lower())
        if role is None:
            raise ValueError(f"conversations[{index}] is from {turn['from']!r}, which is not supported")
        if role != "system":
            messages.append({"role": role, "content": _text(turn["value"], f"conversations[{index}].value")})
    return messages


def _messages(row: dict[str, Any]) -> list[dict[str, Any]]:
    given = row["messages"]
    if not isinstance(given, list):
        raise ValueError("'messages' is not a list")
    messages = []
    for index, message in enumerate(given):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant", "system", "tool"):
            raise ValueError(f"messages[{index}] has no role user, assistant, system or tool")
        if message["role"] == "system":
            continue
        content = message.get("content")
        if content is None and not message.get("tool_calls"):
            raise ValueError(f"messages[{index}] has no content")
        kept = {key: value for key, value in message.items() if key in _MESSAGE_KEYS}
        kept["content"] = _text(content if content is not None else "", f"messages[{index}].content")
        messages.append(kept)
    return messages


def _check_turns(messages: list[dict[str, Any]]) -> None:
    if not messages or messages[0]["role"] != "user":
        raise ValueError("the conversation does not start with a user message")
    if messages[-1]["role"] != "assistant" or not messages[-1]["content"].strip():
        raise ValueError("the conversation does not end with an assistant reply")
