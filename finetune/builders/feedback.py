"""Training records from staff feedback on logged turns.

A turn rated up becomes a record as it happened (tool calls included). A turn with a correction becomes
the same turn with the corrected answer in place of the final one: its tool calls and their results stay,
since a correction fixes what was said, and the calls are how the right answer is found. Other turns give
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.chat_format import to_openai_messages
from finetune.records import Record


@dataclass(frozen=True)
class FeedbackTurn:
    """A logged turn and the latest feedback on it."""

    turn_id: int
    #: The turn's toolken messages, starting with the user's message (as `assistant.store` logs them).
    messages: list[dict[str, Any]]
    rating: int
    correction: str | None
    #: The id of that feedback row (ids grow with time: the retrain loop's watermark).
    feedback_id: int = 0


def feedback_records(turns: list[FeedbackTurn]) -> list[Record]:
    """Records from rated-up and corrected turns, in the order given."""
    records: list[Record] = []
    for turn in turns:
        question = next((m for m in turn.messages if m.get("role") == "user"), None)
        if question is None:
            continue
        corrected = bool(turn.correction and turn.correction.strip())
        if not corrected and turn.rating != 1:
            continue
        messages = to_openai_messages(turn.messages)
        if corrected:
            messages = _with_answer(messages, turn.correction.strip())
        calls = [call for m in messages for call in m.get("tool_calls") or []]
        tool = calls[0]["function"]["name"] if calls else None
        records.append(Record("feedback", tool, messages, meta={"turn_id": turn.turn_id}))
    return records


def _with_answer(messages: list[dict[str, Any]], answer: str) -> list[dict[str, Any]]:
    """`messages` with `answer` as the final reply: it replaces a final assistant text, or follows the last
    tool result when the turn ended without one."""
    last = messages[-1] if messages else None
    if last is not None and last["role"] == "assistant" and not last.get("tool_calls"):
        messages = messages[:-1]
    return [*messages, {"role": "assistant", "content": answer}]
