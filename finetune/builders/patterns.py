"""Strings that match a regular expression, drawn from the tree of the stdlib's own regex parser.

Covers what JSON Schema `pattern`s in API catalogs use: literals, `.`, classes (`[a-z0-9_]`, `\\d`,
`\\w`, `\\s`), groups, alternation, anchors and repeats. Lookarounds, back-references and negated
classes are refused with an error naming the field.
"""

from __future__ import annotations

import random
import re
import re._parser as sre_parse  # the stdlib's regex parser; its tree is what `re` itself compiles
from collections.abc import Iterable
from typing import Any


class UnsupportedSchema(ValueError):
    """A schema no value can be drawn for; the message names the field."""


_UNBOUNDED_EXTRA = 6  # `+` and `*` repeat at most this many times beyond their minimum
_CATEGORIES = {
    "CATEGORY_DIGIT": "0123456789",
    "CATEGORY_WORD": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
    "CATEGORY_SPACE": " ",
}


def pattern_value(pattern: str, rng: random.Random, field: str = "(value)") -> str:
    """A string that `re.search(pattern, ...)` accepts; raises UnsupportedSchema naming `field` otherwise.

    Handles literals, `.`, classes (`[a-z0-9_]`, `\\d`, `\\w`, `\\s`), groups, alternation, anchors and
    repeats; lookarounds, back-references and negated classes are refused.
    """
    try:
        tree = sre_parse.parse(pattern)
    except re.error as exc:
        raise UnsupportedSchema(f"argument {field!r}: invalid pattern {pattern!r} ({exc})") from None
    try:
        text = "".join(_emit(tree, rng))
    except _Unsupported as exc:
        raise UnsupportedSchema(f"argument {field!r}: pattern {pattern!r} uses {exc}, which is not supported") from None
    if re.search(pattern, text) is None:
        raise UnsupportedSchema(f"argument {field!r}: could not generate a string for pattern {pattern!r}")
    return text


class _Unsupported(Exception):
    pass


def _emit(items: Iterable[tuple[Any, Any]], rng: random.Random) -> list[str]:
    out: list[str] = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "ANY":
            out.append(rng.choice("abcdefghijklmnopqrstuvwxyz"))
        elif name == "IN":
            out.append(_from_class(arg, rng))
        elif name == "AT":
            continue
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, body = arg
            high = low + _UNBOUNDED_EXTRA if high is sre_parse.MAXREPEAT else high
            for _ in range(rng.randint(low, max(low, high))):
                out += _emit(body, rng)
        elif name == "SUBPATTERN":
            out += _emit(arg[-1], rng)
        elif name == "ATOMIC_GROUP":
            out += _emit(arg, rng)
        elif name == "BRANCH":
            out += _emit(rng.choice(arg[1]), rng)
        elif name == "CATEGORY":
            out.append(_from_category(arg, rng))
        else:
            raise _Unsupported(name.lower().replace("_", " "))
    return out


def _from_class(items: list[tuple[Any, Any]], rng: random.Random) -> str:
    choices: list[str] = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            choices.append(chr(arg))
        elif name == "RANGE":
            choices += [chr(code) for code in range(arg[0], arg[1] + 1)]
        elif name == "CATEGORY":
            choices += list(_CATEGORIES.get(str(arg), ""))
        else:
            raise _Unsupported("a negated character class" if name == "NEGATE" else name.lower())
    if not choices:
        raise _Unsupported("an empty character class")
    return rng.choice(choices)


def _from_category(category: Any, rng: random.Random) -> str:
    choices = _CATEGORIES.get(str(category))
    if not choices:
        raise _Unsupported(str(category).lower())
    return rng.choice(choices)
