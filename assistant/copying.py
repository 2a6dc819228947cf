"""Free-text arguments written in the conversation's own words.

A ticket's title, a booking's title, an expense's description: the schema says only "a string", and the small
model fills it with words nobody said ("Ungovernized" for "i gave them my MFA code", "Last updated on
2026-06-10" for "hotel night in hamburg"). Staff act on what such a call records, so a free-text argument is
kept to a run of words the conversation states (its user messages and tool results): while the model writes
one, `CopiedText.allows` says whether the string so far still is one, and the engine masks the tokens that
would make it something else. Properties with an enum, a pattern or a format are the grammar's business, and
the calculator's expression is not free text (`assistant.figures` keeps it to the stated figures).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


def free_text_properties(schema: dict[str, Any]) -> frozenset[str]:
    """The properties of an arguments schema whose values are free text: strings with no enum, pattern or
    format."""
    return frozenset(
        name for name, spec in (schema.get("properties") or {}).items()
        if isinstance(spec, dict) and spec.get("type") == "string"
        and not any(key in spec for key in ("enum", "const", "pattern", "format"))
    )


@dataclass(frozen=True)
class CopiedText:
    """A call's free-text properties and the texts their values may copy from, normalised once."""

    properties: frozenset[str]
    texts: tuple[str, ...]

    @classmethod
    def of(cls, schema: dict[str, Any], texts: Iterable[str]) -> CopiedText | None:
        """The rule for a call with arguments `schema`; None when it has no free-text property."""
        properties = free_text_properties(schema)
        return cls(properties, tuple(_normalised(text) for text in texts if text.strip())) if properties else None

    def allows_arguments(self, partial: str) -> bool:
        """Whether the JSON arguments written so far keep the free-text value being written, if any, to a run
        of the texts."""
        open_value = open_string_value(partial)
        return open_value is None or open_value[0] not in self.properties or self.allows(open_value[1])

    def allows(self, content: str) -> bool:
        """True when `content` (a string value, possibly still being written) is a run of one of the texts,
        ignoring case and runs of whitespace."""
        wanted = _normalised(content)
        return not wanted or any(wanted in text for text in self.texts)


def open_string_value(partial: str) -> tuple[str, str] | None:
    """(property, content so far) when the JSON object `partial` ends inside the string value of one of its
    top-level properties; None otherwise (inside a key, between values, in a nested value)."""
    depth, key, content = 0, "", ""
    in_string = is_key = escaped = False
    expect_key = False
    for char in partial:
        if in_string:
            if escaped:
                escaped = False
                content += char
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
                if is_key:
                    key = content
            else:
                content += char
        elif char in "{[":
            depth += 1
            expect_key = char == "{"
        elif char in "}]":
            depth -= 1
        elif char == ",":
            expect_key = True
        elif char == ":":
            expect_key = False
        elif char == '"':
            in_string, is_key, content = True, expect_key, ""
    if in_string and not is_key and depth == 1:
        return key, content
    return None


def _normalised(text: str) -> str:
    return " ".join(text.casefold().split())
