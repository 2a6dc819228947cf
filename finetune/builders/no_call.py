"""Conversations that need no tool: greetings, thanks, general questions, questions near a tool's topic.

The replies come from the base model itself (self-distillation through `reply_fn`), so fine-tuning on
tool calls does not teach the model a new voice for everything else, nor to call a tool for everything.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from finetune.records import Record

#: messages (the conversation so far, ending with the user's message) -> the assistant's reply.
ReplyFn = Callable[[list[dict[str, Any]]], str]

_OPENERS = ["Hi! ", "Hello, ", "Hey, ", "Quick question: ", "Sorry, ", "Good morning. ", "One thing: "]
_CLOSERS = [" Thanks!", " Thank you.", " Cheers."]


def no_call_records(
    prompts: list[str], reply_fn: ReplyFn, rng: random.Random, n: int | None = None
) -> list[Record]:
    """One record per prompt, replied to by `reply_fn`; with `n`, exactly `n` prompts (a sample of the
    list when it is longer, the list plus surface variants of it when it is shorter).

    Prompts whose reply comes back empty are left out.
    """
    chosen = choose_prompts(prompts, rng, n)
    records: list[Record] = []
    for prompt in chosen:
        messages = [{"role": "user", "content": prompt}]
        reply = reply_fn(messages).strip()
        if reply:
            records.append(Record("no_call", None, [*messages, {"role": "assistant", "content": reply}]))
    return records


def choose_prompts(prompts: list[str], rng: random.Random, n: int | None) -> list[str]:
    """`n` distinct prompts: the given ones first (sampled when there are more), then variants."""
    unique = list(dict.fromkeys(prompt.strip() for prompt in prompts if prompt.strip()))
    if n is None:
        return unique
    if n <= len(unique):
        return rng.sample(unique, n)
    chosen, seen = list(unique), set(unique)
    for _ in range(n * 20):
        if len(chosen) >= n or not unique:
            break
        variant = prompt_variant(rng.choice(unique), rng)
        if variant not in seen:
            seen.add(variant)
            chosen.append(variant)
    return chosen


def prompt_variant(prompt: str, rng: random.Random) -> str:
    """The same request typed differently: an opener, a closer, lower case, no final punctuation."""
    text = prompt
    kind = rng.randrange(4)
    if kind == 0:
        text = rng.choice(_OPENERS) + text[:1].lower() + text[1:]
    elif kind == 1:
        text = text + rng.choice(_CLOSERS)
    elif kind == 2:
        text = text.lower()
    else:
        text = text.rstrip("?.!") if text[-1:] in "?.!" else text + "?"
    return text
