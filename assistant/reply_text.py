"""A reply's text as the engine reads it while the model writes: where its sentences end, which number it is
writing, and the figures it may state."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from assistant.claims import LIST_NUMBER, could_open_claim
from assistant.events import ToolOutcome

#: A text's last two words, with the space between and after them: where a reply's number being written lies.
_LAST_WORDS = re.compile(r"\S*\s*\S*\s*$")
#: A full stop between a word and a digit: a sentence's end ("out.10"), not a name's digits.
_STOP_BEFORE_DIGIT = re.compile(r"(?<=[^\W\d_])\.(?=\d)")
#: A held opening's text ends a sentence or a line here: what comes after can only open a claim of its own.
_SENTENCE_END = re.compile(r"(?:[.!?:]|\n)\s*$")
#: Where one of a held opening's sentences ends and the next begins.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?:])\s+|\n")


def opens_sentence(before: str, piece: str) -> bool:
    """Whether the newest token's text `piece` starts a new sentence or line after the reply text `before`."""
    return bool(before.strip()) and _SENTENCE_END.search(before) is not None and \
        (piece[:1].isspace() or before.endswith("\n"))


def shown_by_word(text: str) -> bool:
    """Whether a held opening's `text`, which ends in the space before its next word, may be shown now: its last
    sentence holds no figure (one nobody gave would start the turn again with a call, after what is shown) and
    can open no claim (`could_open_claim`). So a plain answer's first words are read as they come, not after the
    guard's lead-in."""
    sentence = _SENTENCE_BREAK.split(text)[-1]
    return bool(sentence.strip()) and not any(char.isdigit() for char in sentence) and not could_open_claim(sentence)


def last_words(text: str) -> str:
    """`text`'s last two words and the space after them, a numbered list's numbers left out and a full stop
    between a word and a digit read as a sentence's end ("out.10" is "out. 10", not a name's digits): the
    number a reply is writing lies there."""
    text = _STOP_BEFORE_DIGIT.sub(". ", LIST_NUMBER.sub(r"\1#", f"\n{text}"[-200:]))  # its start is a line's
    return _LAST_WORDS.search(text).group()  # type: ignore[union-attr]  # it matches any text


def said_figures(stated: list[str], outcomes: list[ToolOutcome]) -> list[str]:
    """What a reply may take figures from: `stated` (the conversation's user messages and tool results), this
    turn's calls and results (`outcomes`) and the number of records each result lists. Not the worked examples
    before a calculator turn (another problem's figures), and not today's date: a figure is masked digit by digit,
    so any number starting with 2 could only grow into 2026."""
    texts = list(stated)
    for outcome in outcomes:
        texts.append(json.dumps(outcome.arguments))
        if outcome.result is not None:
            texts.append(json.dumps(outcome.result))
            texts.extend(str(len(value)) for value in lists_in(outcome.result))
    return texts


def lists_in(value: Any) -> Iterator[list[Any]]:
    """Every list in a JSON value, nested ones too ("I found 14 tickets" counts a list of 14)."""
    if isinstance(value, list):
        yield value
        for item in value:
            yield from lists_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from lists_in(item)

