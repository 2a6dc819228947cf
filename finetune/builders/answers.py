"""Final answers written from an API result: the numbers and names of the result, in short sentences.

The model must learn to read the tool message and repeat what it says, so the answer is built from the
result body alone: a list becomes "I found 2 tickets:" and one line per item; an object becomes one
line of its most telling fields (its name or title, id and status first, then the fields whose names
share words with the operation's summary, such as `remaining_days` for "remaining leave days").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from tools.openapi import Operation

#: Item lines shown for a list; the rest is summarised as "and N more".
MAX_ITEMS = 4
#: Fields shown per item besides its label and id.
MAX_FIELDS = 4
_LABEL_KEYS = ("name", "title")
_SKIP_KEYS = {"count", "total_count", "size", "history", "created_at", "updated_at", "submitted_at", "changed_at"}
_UNITS = {"eur": "EUR", "usd": "USD", "gbp": "GBP", "days": "days", "hours": "hours", "minutes": "minutes"}


def humanize(name: str) -> str:
    """`remaining_days` -> "remaining days"; `employeeId` -> "employee id"."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ")
    return " ".join(spaced.split()).lower()


def scalar_text(value: Any) -> str:
    """How a value is written in a sentence: strings as they are, numbers and booleans as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return json.dumps(value, ensure_ascii=False)


def describe_result(operation: Operation, body: Any) -> str:
    """A short answer that states what the API returned for `operation`."""
    done = "Done. " if operation.side_effects else ""
    focus = Focus(_words(operation.summary), _words(operation.description.split(". ")[0]))
    if isinstance(body, list):
        return done + _describe_list("results", body, focus, subject="")
    if not isinstance(body, dict):
        return done + ("The service confirmed it." if body is None else f"The service answered: {scalar_text(body)}.")
    lists = [(key, value) for key, value in body.items() if isinstance(value, list) and key not in _SKIP_KEYS]
    if lists and "id" not in body:  # a list of results, not one record that holds a list
        key, items = lists[0]
        text = _describe_list(key, items, focus, _subject(body))
        extras = [_field_text(name, value) for name, value in body.items()
                  if name.startswith("total") and isinstance(value, (int, float))]
        return done + text + "".join(f"\n{extra[0].upper()}{extra[1:]}." for extra in extras)
    nested = [(key, value) for key, value in body.items() if isinstance(value, dict)]
    if nested and len(nested) == len([v for v in body.values() if v is not None]):
        lines = [f"{humanize(key).capitalize()}: {_item_line(value, focus)}." for key, value in nested]
        return done + "\n".join(lines)
    return done + f"{_item_line(body, focus)}."


@dataclass(frozen=True)
class Focus:
    """What the operation is about: the words of its summary, and of its description's first sentence."""

    summary: set[str]
    description: set[str]


def _words(text: str) -> set[str]:
    return {word.rstrip("s") for word in re.findall(r"[a-z]+", text.lower()) if len(word) > 2}


def _subject(body: dict[str, Any]) -> str:
    """Who or what a list belongs to: "Fatima El-Amin (E1007)" from sibling name and id fields."""
    names = [value for key, value in body.items() if isinstance(value, str) and key.endswith("name")]
    ids = [value for key, value in body.items() if isinstance(value, (str, int)) and key.endswith("id")
           and not isinstance(value, bool)]
    if names and ids:
        return f"{names[0]} ({scalar_text(ids[0])})"
    return names[0] if names else (scalar_text(ids[0]) if ids else "")


def _describe_list(key: str, items: list[Any], focus: Focus, subject: str) -> str:
    noun = humanize(key)
    owner = f" for {subject}" if subject else ""
    if not items:
        return f"I found no {noun}{owner}."
    if len(items) == 1:
        head = f"I found 1 {noun.removesuffix('es') if noun.endswith('sses') else noun.removesuffix('s')}{owner}:"
    else:
        head = f"I found {len(items)} {noun}{owner}:"
    lines = [f"- {_item_line(item, focus)}" for item in items[:MAX_ITEMS]]
    if len(items) > MAX_ITEMS:
        lines.append(f"- and {len(items) - MAX_ITEMS} more")
    return "\n".join([head, *lines])


def _item_line(item: Any, focus: Focus) -> str:
    """One line for one object: its label and id, then its most relevant fields."""
    if not isinstance(item, dict):
        return scalar_text(item) if not isinstance(item, list) else ", ".join(_short(v) for v in item)
    label = _label(item)
    identifier = item.get("id")
    head = label or ""
    if identifier is not None and not isinstance(identifier, (dict, list)):
        head = f"{head} ({scalar_text(identifier)})" if head else f"#{scalar_text(identifier)}"
    used = {key for key in item if item.get(key) in (label, identifier)} | {"id"}
    fields = [key for key in item if key not in used and key not in _SKIP_KEYS and item[key] is not None]
    ranked = sorted(fields, key=lambda key: (-_relevance(key, focus), fields.index(key)))
    shown = [_field_text(key, item[key]) for key in ranked[:MAX_FIELDS]]
    shown = [text for text in shown if text]
    if not head:
        return ", ".join(shown) if shown else "(no details)"
    return f"{head}: {', '.join(shown)}" if shown else head


def _label(item: dict[str, Any]) -> str:
    for key in _LABEL_KEYS:
        if isinstance(item.get(key), str):
            return item[key]
    for key, value in item.items():
        if isinstance(value, str) and (key.endswith("_name") or key.endswith("_type")):
            return value
    return ""


def _relevance(key: str, focus: Focus) -> int:
    words = _words(humanize(key))
    score = 2 * len(words & focus.summary) + len(words & focus.description)
    return score + (1 if key in ("status", "priority") else 0)


def _field_text(key: str, value: Any) -> str:
    label = humanize(key)
    unit = _UNITS.get(label.split()[-1]) if " " in label else None
    if unit and isinstance(value, (int, float)) and not isinstance(value, bool):
        base = label.rsplit(" ", 1)[0]
        return f"{base} {scalar_text(value)} {unit}" if unit.isupper() else f"{scalar_text(value)} {label}"
    if isinstance(value, dict):
        inner = _label(value) or scalar_text(value.get("id", ""))
        return f"{label} {inner}" if inner else ""
    if isinstance(value, list):
        return f"{label} {', '.join(_short(v) for v in value)}" if value else f"no {label}"
    return f"{label} {scalar_text(value)}"


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return _label(value) or scalar_text(value.get("id", ""))
    return scalar_text(value)
