"""Which part of a conversation a turn's prompt holds: the system message and the conversation from its earliest
start that fits the model's budget, its oldest turns left out half a budget at a time, so that consecutive turns'
prompts start alike and a decoder still holding the last turn computes only what is new."""

from __future__ import annotations

from datetime import date
from typing import Any

from assistant.chat_format import ChatFormat, system_message
from assistant.decoding import shared_prefix


class TurnTooLong(ValueError):
    """The newest message alone does not fit the model's context budget."""


def fitted_history(chat: ChatFormat, messages: list[dict[str, Any]], system_prompt: str, today: date | None,
                   max_context_tokens: int, max_new_tokens: int) -> list[dict[str, Any]]:
    """The system message (stating `today`; None: no date) + `messages` from the earliest start
    (`history_starts`) whose prompt leaves `max_new_tokens` of `max_context_tokens` for the reply.

    Raises ValueError when `messages` does not end with a user message, TurnTooLong when not even the last one
    fits."""
    if not messages or messages[-1].get("role") != "user":
        raise ValueError("a turn needs the conversation to end with a user message")
    budget = max_context_tokens - max_new_tokens
    conversation = [m for m in messages if m.get("role") != "system"]
    system = [{"role": "system", "content": system_message(system_prompt, today)}]
    size = len(chat.prompt_ids(system + conversation))
    if size <= budget:  # the whole chat fits: no need to size each message to find where to start
        return system + conversation
    for start in history_starts(conversation, _message_sizes(chat, system, conversation), budget)[1:]:
        history = system + conversation[start:]
        size = len(chat.prompt_ids(history))
        if size <= budget:
            return history
    raise TurnTooLong(
        f"the message is {size} tokens with the system prompt; the budget is {budget} "
        f"(model.max_context_tokens {max_context_tokens} - max_new_tokens {max_new_tokens})"
    )


def prompt_opening(chat: ChatFormat, system_prompt: str, today: date | None) -> list[int]:
    """The token ids every turn's prompt starts with (`fitted_history` rendered): the system message stating
    `today` and the template's opening of the first user message, up to where two different messages part."""
    system = [{"role": "system", "content": system_message(system_prompt, today)}]
    one, other = (chat.prompt_ids([*system, {"role": "user", "content": text}]) for text in ("Hi", "What"))
    return one[: shared_prefix(one, other)]


def _message_sizes(chat: ChatFormat, system: list[dict[str, Any]], conversation: list[dict[str, Any]]) -> list[int]:
    """Each message's tokens in a prompt after `system` (rendered alone after it: the template's framing of one
    message, which is what it adds to a longer prompt)."""
    base = len(chat.prompt_ids(system))
    return [len(chat.prompt_ids([*system, message])) - base for message in conversation]


def history_starts(conversation: list[dict[str, Any]], sizes: list[int], budget: int) -> list[int]:
    """Where a prompt may start in `conversation` (indices, earliest first; the engine takes the first that fits):
    its first message, and then only the first user message at or past each multiple of half the `budget`
    (`sizes`: each message's tokens), down to the last user message.

    As the chat grows its earlier messages stay as they were, so these starts stay where they are, and a turn's
    prompt starts where the last turn's did until that no longer fits; then half a budget of the oldest turns
    goes at once, as llama.cpp's context shift drops half of what it holds. Leaving out one turn at a time would
    move the start every turn and recompute the whole history each time (SmolLM2-135M at F16 on one core: about
    1,800 tokens, 6 s)."""
    step = max(1, budget // 2)
    starts, offset, bucket = [0], 0, 1
    for index, message in enumerate(conversation):
        if index and message.get("role") == "user" and offset >= bucket * step:
            starts.append(index)
            bucket = offset // step + 1
        offset += sizes[index]
    last_question = max(i for i, m in enumerate(conversation) if m.get("role") == "user")
    if starts[-1] != last_question:
        starts.append(last_question)
    return starts

