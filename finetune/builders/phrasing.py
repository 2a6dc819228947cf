"""Requests in words: how a member of staff might ask for an API operation with given arguments.

The operation's summary becomes a verb phrase (with id and kind arguments worked in where it names
their noun: "Get an employee's remaining leave days" -> "get employee E1007's remaining annual leave
days"), each other argument becomes a short mention (from its name, or from its description when that
reads "Only tickets with this priority."), and a template puts them together: imperative, question,
polite, terse, first person, "Details: ...", or with small talk around. Every value appears verbatim.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

from assistant.result_answers import humanize, scalar_text
from tools.openapi import Operation


_SYNONYMS: dict[str, list[str]] = {
    "get": ["get", "show me", "look up", "fetch", "pull up", "check"],
    "list": ["list", "show", "show me", "give me"],
    "show": ["show", "show me", "display"],
    "search": ["search", "look through"],
    "open": ["open", "create", "raise", "log"],
    "create": ["create", "open", "add", "make"],
    "book": ["book", "reserve"],
    "submit": ["submit", "file", "send in"],
    "request": ["request", "ask for", "book"],
    "cancel": ["cancel", "withdraw"],
    "change": ["change", "update", "set"],
    "update": ["update", "change"],
    "delete": ["delete", "remove"],
}  # fmt: skip
_GREETINGS = ["Hi!", "Hello.", "Hey,", "Good morning!", "Quick question.", "Sorry to bother you.",
              "I'm doing some admin today.", "One more thing.", "For my manager:"]  # fmt: skip
_THANKS = ["Thanks!", "Thank you.", "Cheers.", "Thanks in advance."]
_KIND_WORDS = {"type", "kind", "category", "class"}
_LIMIT_NAMES = {"limit", "max_results", "top", "top_k", "page_size", "per_page", "k"}
_QUERY_NAMES = {"query", "q", "search", "keyword", "keywords", "term"}
_UNIT_SUFFIXES = {"eur": ["EUR", "euros"], "usd": ["USD", "dollars"], "gbp": ["GBP", "pounds"],
                  "days": ["days"], "hours": ["hours"], "minutes": ["minutes"]}  # fmt: skip


def phrase_request(operation: Operation, arguments: dict[str, Any], rng: random.Random) -> str:
    """A request for `operation` in words, mentioning every argument value verbatim."""
    action, inline = _action(operation, arguments, rng)
    properties = operation.parameters.get("properties", {})
    rest = [name for name in arguments if name not in inline]
    if rng.random() < 0.3:
        rng.shuffle(rest)
    parts = [_mention(name, arguments[name], properties.get(name, {}), rng) for name in rest]
    template = rng.choice(_TEMPLATES)
    return template(action, parts, rng)


def _action(operation: Operation, arguments: dict[str, Any], rng: random.Random) -> tuple[str, set[str]]:
    """The summary as a verb phrase, with id and enum arguments worked in where it names their noun."""
    text = " ".join(operation.summary.split()).rstrip(".")
    text = re.sub(r",\s*(optionally|or|e\.g\.)\b.*$", "", text)
    text = re.sub(r"\s*\([^)]*\)", "", text)
    inline: set[str] = set()
    properties = operation.parameters.get("properties", {})
    for name, value in arguments.items():
        words = humanize(name).split()
        if words[-1] == "id" and len(words) > 1 and not isinstance(value, bool):
            noun = words[-2]
            pattern = re.compile(rf"\b(?:a|an|one|the)\s+((?:[\w-]+\s+){{0,2}}?){noun}('s)?\b", re.I)
            text, count = pattern.subn(lambda m: f"{m.group(1)}{noun} {scalar_text(value)}{m.group(2) or ''}", text, 1)
            if count:
                inline.add(name)
        elif len(words) == 2 and words[1] in _KIND_WORDS and "enum" in properties.get(name, {}) \
                and isinstance(value, str) and rng.random() < 0.5:
            noun = words[0]  # leave_type "sick" in "Request leave" -> "Request sick leave"
            if re.search(rf"\b{noun}\b", text, re.I) and value.lower() not in text.lower():
                text = re.sub(rf"\b{noun}\b", f"{value} {noun}", text, count=1, flags=re.I)
                inline.add(name)
    first, _, rest = text.partition(" ")
    if first.lower() in _SYNONYMS and rng.random() < 0.6:
        first = rng.choice(_SYNONYMS[first.lower()])
    if not (first.isupper() and len(first) > 1):
        first = first[:1].lower() + first[1:]
    return f"{first} {rest}".strip(), inline


def _mention(name: str, value: Any, schema: dict[str, Any], rng: random.Random) -> str:
    """One argument in words; the value itself always appears verbatim (booleans as yes/no)."""
    label = humanize(name)
    shown = scalar_text(value)
    noun = label.removesuffix(" id") if label.endswith(" id") else label
    forms: list[str]
    if isinstance(value, bool):
        forms = [f"{label}: {shown}", f"{label} {shown}"]
    elif name in _QUERY_NAMES:
        forms = [f'for "{shown}"', f'matching "{shown}"', f"for {shown}", f'with "{shown}" in it']
    elif "enum" in schema:
        forms = [f"{shown} {label}", f"{label} {shown}", f"{label}: {shown}", f"with {label} {shown}"]
    elif isinstance(value, (int, float)):
        forms = _number_forms(name, label, shown)
    elif schema.get("format") in ("date", "date-time"):
        forms = [f"{label} {shown}", f"{label}: {shown}"]
        if label in ("date", "day"):
            forms += [f"on {shown}", f"for {shown}"]
    elif "pattern" in schema:
        forms = [f"{noun} {shown}", f"{label} {shown}", f"{label}: {shown}"]
        if noun.startswith("start"):
            forms += [f"from {shown}", f"starting at {shown}"]
        if noun.startswith("end"):
            forms += [f"until {shown}", f"ending at {shown}"]
    elif "title" in label or "name" in label:
        forms = [f'titled "{shown}"', f'called "{shown}"', f'{label} "{shown}"']
    else:
        forms = [f'{label} "{shown}"', f"{label}: {shown}", f'{label}: "{shown}"']
    clause = _description_clause(schema.get("description", ""), value, schema)
    if clause and rng.random() < 0.5:
        return clause
    return rng.choice(forms)


def _number_forms(name: str, label: str, shown: str) -> list[str]:
    words = label.split()
    units = _UNIT_SUFFIXES.get(words[-1]) if len(words) > 1 else None
    if units:
        base = " ".join(words[:-1])
        return [f"{base} {shown} {unit}" for unit in units] + [f"{shown} {units[0]}"]
    if name in _LIMIT_NAMES:
        return [f"at most {shown}", f"limit {shown}", f"show {shown}", f"{label} {shown}"]
    noun = label.removesuffix(" id")
    forms = [f"{label} {shown}", f"{label}: {shown}"]
    return forms + [f"{noun} {shown}", f"#{shown}"] if label.endswith(" id") else forms


_THIS = re.compile(r"\bthis(\s+many|\s+much)?\s+([A-Za-z][\w-]*(?:\s+(?!of\b|on\b|in\b|for\b)[A-Za-z][\w-]*){0,2})")


def _description_clause(description: str, value: Any, schema: dict[str, Any]) -> str | None:
    """"Only tickets with this priority." -> "only tickets with the high priority" (None when not of that shape)."""
    sentence = re.split(r"[;.](?:\s|$)", re.sub(r"\s*\([^)]*\)", "", description), maxsplit=1)[0].strip()
    if not sentence.lower().startswith("only ") or isinstance(value, bool):
        return None
    match = _THIS.search(sentence)
    if match is None:
        return None
    shown = scalar_text(value)
    many, noun = match.group(1), match.group(2)
    if many:
        phrase = f"{shown} {noun}"
    elif schema.get("format") in ("date", "date-time"):
        phrase = shown
    elif "enum" in schema:
        phrase = f"the {shown} {noun}"
    else:
        phrase = f"{noun} {shown}"
    return "only " + sentence[5 : match.start()] + phrase + sentence[match.end() :]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _joined(parts: list[str], rng: random.Random) -> str:
    if not parts:
        return ""
    return rng.choice([", ", " - ", ": "]) + ", ".join(parts)


def _imperative(action: str, parts: list[str], rng: random.Random) -> str:
    return f"{_cap(action)}{_joined(parts, rng)}."


def _question(action: str, parts: list[str], rng: random.Random) -> str:
    return f"{rng.choice(['Can you', 'Could you', 'Would you'])} {action}{_joined(parts, rng)}?"


def _polite(action: str, parts: list[str], rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"Please {action}{_joined(parts, rng)}."
    return f"{_cap(action)}{_joined(parts, rng)}, please."


def _terse(action: str, parts: list[str], rng: random.Random) -> str:
    return f"{action}: {', '.join(parts)}" if parts else action


def _first_person(action: str, parts: list[str], rng: random.Random) -> str:
    action = re.sub(r"^(show|give|display)( me)?\b", "see", action)  # not "I need to show me ..."
    return f"{rng.choice(['I need to', 'I would like to', 'I want to', 'Help me'])} {action}{_joined(parts, rng)}."


def _details(action: str, parts: list[str], rng: random.Random) -> str:
    if not parts:
        return _imperative(action, parts, rng)
    return f"{_cap(action)}. {rng.choice(['Details', 'Info', 'That is'])}: {', '.join(parts)}."


def _with_small_talk(action: str, parts: list[str], rng: random.Random) -> str:
    core = rng.choice([_imperative, _question, _polite, _first_person])(action, parts, rng)
    before = rng.choice(_GREETINGS) + " " if rng.random() < 0.7 else ""
    after = " " + rng.choice(_THANKS) if rng.random() < 0.5 or not before else ""
    return f"{before}{core}{after}"


_TEMPLATES: list[Callable[[str, list[str], random.Random], str]] = [
    _imperative, _question, _polite, _terse, _first_person, _details, _with_small_talk,
]


def mentions(text: str, name: str, value: Any) -> bool:
    """Whether the request `text` states the argument: its value verbatim (a boolean as its yes/no)."""
    if isinstance(value, bool):
        return f"{humanize(name)}: {scalar_text(value)}" in text or f"{humanize(name)} {scalar_text(value)}" in text
    return scalar_text(value) in text
