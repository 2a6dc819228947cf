"""Training records from staff feedback on logged turns.

A turn rated up becomes a record as it happened (tool calls included). A turn with a correction becomes
the user's question followed by the corrected answer; the rejected answer is dropped. Other turns give
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


def feedback_records(turns: list[FeedbackTurn]) -> list[Record]:
    """Records from rated-up and corrected turns, in the order given."""
    records: list[Record] = []
    for turn in turns:
        question = next((m for m in turn.messages if m.get("role") == "user"), None)
        if question is None:
            continue
        if turn.correction and turn.correction.strip():
            messages = [{"role": "user", "content": question["content"]},
                        {"role": "assistant", "content": turn.correction.strip()}]
            records.append(Record("feedback", None, messages, meta={"turn_id": turn.turn_id}))
        elif turn.rating == 1:
            messages = to_openai_messages(turn.messages)
            calls = [call for m in messages for call in m.get("tool_calls") or []]
            tool = calls[0]["function"]["name"] if calls else None
            records.append(Record("feedback", tool, messages, meta={"turn_id": turn.turn_id}))
    return records
