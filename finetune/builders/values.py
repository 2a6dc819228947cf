"""Plausible values for JSON Schemas: the tool arguments people would type, and response fields.

Everything is drawn from a `random.Random` passed in, so the same seed gives the same values. A value
respects its schema's type, enum, pattern, format and bounds; string fields first use the examples
their description gives ("e.g. E1007", `"family wedding"`, "one of: mistral, sirocco or bora"), then a
small vocabulary chosen by the field's name and the operation's topic, then a generator for the regex.
"""

from __future__ import annotations

import math
import random
import re
from datetime import date, datetime, time, timedelta
from typing import Any

import jsonschema

from finetune.builders.patterns import UnsupportedSchema, pattern_value

__all__ = ["UnsupportedSchema", "description_examples", "sample_value", "schema_types", "text_pool", "valid"]


PERSON_NAMES = [
    "Sofia Rossi", "Lars Eriksen", "Priya Raman", "Jonas Becker", "Fatima El-Amin", "Daniel Kim",
    "Hannah Novak", "Kwame Mensah", "Elena Petrova", "Ravi Shah", "Chloe Martin", "Noah Fischer",
    "Aisha Khan", "Lucas Silva", "Ingrid Larsen", "Mateo Garcia", "Mei Lin Zhou", "Oliver Grant",
]  # fmt: skip
PLACE_NAMES = ["Aurora", "Mistral", "Zephyr", "Bora", "Sirocco", "Chinook", "Monsoon", "Foehn", "Horizon"]
SEARCH_TERMS = ["sofia", "rossi", "engineer", "manager", "lars", "designer", "finance", "kim", "support", "novak"]

#: Free text by what the field holds and what the operation is about ("" is any topic).
TEXT_POOLS: dict[tuple[str, str], list[str]] = {
    ("title", "ticket"): [
        "Laptop will not boot", "VPN keeps disconnecting", "Need access to the finance share",
        "Monitor flickers on my desk", "Outlook crashes on start", "Printer on floor 2 is jammed",
        "Request a new keyboard", "Cannot log in to Jira", "Suspicious email with a link",
        "Wi-Fi drops in the meeting rooms", "Password reset for the HR portal", "Docking station not detected",
    ],
    ("title", "meeting"): [
        "Sprint planning", "Quarterly business review", "Design critique", "Client call with Acme",
        "One-to-one with my manager", "Hiring sync", "Budget workshop", "Onboarding session", "Team retro",
        "Product demo",
    ],
    ("title", "employee"): [
        "Software Engineer", "Product Designer", "Accountant", "IT Support Specialist", "Sales Director",
        "Data Scientist", "People Partner", "Office Manager", "Marketing Lead", "Legal Counsel",
    ],
    ("title", ""): ["Weekly update", "Project kickoff", "Follow-up", "Planning session", "Review"],
    ("details", "meeting"): [
        "Quiet room by the windows", "Large room for all-hands meetings", "Small room for calls",
        "Room with a sofa corner", "Workshop room with movable tables",
    ],
    ("details", "ticket"): [
        "It shows a black screen after the logo", "Tried restarting twice, same error",
        "The error says connection timed out", "Started after this morning's update",
        "Happens every time I join a video call", "The login page says my account is locked",
    ],
    ("details", "expense"): [
        "Train ticket to Utrecht for a client visit", "Taxi from the airport to the office",
        "Hotel night in Berlin for the conference", "Lunch with a client", "Ergonomic keyboard for home office",
        "Conference ticket for a data engineering event", "Monthly design tool subscription",
        "Team dinner after the release", "Parking at the client site", "Book on software architecture",
    ],
    ("details", ""): ["See the attached notes", "More details to follow", "As discussed with my manager"],
    ("reason", "leave"): [
        "family wedding", "Moving house", "Summer holiday", "Doctor's appointment", "Visiting family abroad",
        "Long weekend away", "Child's school event", "Recovering from the flu",
    ],
    ("reason", "ticket"): [
        "Replaced the power adapter", "Waiting for the new part", "Reset the password with the user",
        "Reinstalled the VPN client", "Escalated to the network team", "Duplicate of another ticket",
    ],
    ("reason", ""): ["As agreed with my manager", "Personal reasons", "See the earlier email"],
}  # fmt: skip
_TEXT_KINDS = {
    "title": "title", "subject": "title", "summary": "title", "name": "title",
    "description": "details", "details": "details", "body": "details", "text": "details",
    "reason": "reason", "note": "reason", "comment": "reason", "message": "reason", "resolution": "reason",
}  # fmt: skip
_TOPICS = {"ticket": "ticket", "meeting": "meeting", "room": "meeting", "booking": "meeting",
           "expense": "expense", "leave": "leave", "employee": "employee",
           "directory": "employee", "staff": "employee"}  # fmt: skip
_QUERY_NAMES = {"query", "q", "search", "keyword", "keywords", "term"}
_PAST_HINTS = re.compile(r"\b(last|past|ago|spent|was|were|happened|on or after)\b", re.I)
_FUTURE_HINTS = re.compile(r"\b(today or later|later|upcoming|future|next|meeting)\b", re.I)
_STATED_RANGE = re.compile(r"\b(\d+) to (\d+)\b")
_WITHIN_LAST = re.compile(r"within the last (\d+) days", re.I)
_QUOTED = re.compile(r"\"([^\"]{1,120})\"")
_EG = re.compile(r"\b(?:e\.g\.|for example|such as)\s+([^\s,;\"()]+?)[.,;)]?(?:\s|$)", re.I)
_LISTED = re.compile(r":\s*([\w-]+(?:,\s*[\w-]+)+,?\s+or\s+[\w-]+)")


def schema_types(schema: dict[str, Any]) -> list[str]:
    """The schema's types, "null" last; inferred from enum/properties/items when `type` is missing."""
    declared = schema.get("type")
    if isinstance(declared, str):
        types = [declared]
    elif isinstance(declared, list):
        types = list(declared)
    elif "enum" in schema:
        types = sorted({_json_type(value) for value in schema["enum"]})
    elif "properties" in schema or "allOf" in schema:
        types = ["object"]
    elif "items" in schema:
        types = ["array"]
    else:
        types = []
    return sorted(types, key=lambda t: t == "null")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "string")


def description_examples(description: str, schema: dict[str, Any]) -> list[Any]:
    """The example values a description gives that are valid for `schema`, in order, without repeats."""
    found: list[str] = _QUOTED.findall(description) + _EG.findall(description)
    for listing in _LISTED.findall(description):
        found += [part.strip() for part in re.split(r",\s*|\s+or\s+", listing) if part.strip()]
    examples: list[Any] = []
    for text in found:
        value: Any = text
        if "integer" in schema_types(schema) and re.fullmatch(r"-?\d+", text):
            value = int(text)
        if value not in examples and valid(value, schema):
            examples.append(value)
    return examples


def valid(value: Any, schema: dict[str, Any]) -> bool:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).is_valid(value)


def sample_value(
    name: str, schema: dict[str, Any], rng: random.Random, today: date, topic: str = ""
) -> Any:
    """A value for the argument `name` that `schema` accepts, as a person would give it.

    `topic` is text about the operation (summary, description) that picks the vocabulary and whether
    dates lie in the past or the future.
    """
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return rng.choice(schema["enum"])
    types = [t for t in schema_types(schema) if t != "null"] or ["string"]
    kind = types[0]
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "integer":
        return _integer(name, schema, rng)
    if kind == "number":
        return _number(schema, rng)
    if kind == "string":
        return _string(name, schema, rng, today, topic)
    if kind == "array":
        item_schema = schema.get("items", {})
        low = max(1, schema.get("minItems", 1))
        count = rng.randint(low, max(low, min(schema.get("maxItems", 3), 3)))
        return [sample_value(name, item_schema, rng, today, topic) for _ in range(count)]
    if kind == "object":
        properties = schema.get("properties", {})
        return {key: sample_value(key, sub, rng, today, topic) for key, sub in properties.items()
                if key in schema.get("required", [])}
    raise UnsupportedSchema(f"argument {name!r}: cannot make a value of type {kind!r}")


def _bounds(schema: dict[str, Any]) -> tuple[float | None, float | None]:
    low = schema.get("minimum")
    if "exclusiveMinimum" in schema:
        low = max(low if low is not None else -math.inf, schema["exclusiveMinimum"])
    high = schema.get("maximum")
    if "exclusiveMaximum" in schema:
        high = min(high if high is not None else math.inf, schema["exclusiveMaximum"])
    return low, high


def _integer(name: str, schema: dict[str, Any], rng: random.Random) -> int:
    lo = max(schema.get("minimum", -math.inf), schema.get("exclusiveMinimum", -math.inf) + 1)
    hi = min(schema.get("maximum", math.inf), schema.get("exclusiveMaximum", math.inf) - 1)
    lo = 1 if lo == -math.inf else math.ceil(lo)
    if hi < lo:
        raise UnsupportedSchema(f"argument {name!r}: no integer between {lo} and {hi}")
    stated = _STATED_RANGE.search(schema.get("description", ""))  # "(2 to 5)": the usual values
    if stated and lo <= int(stated.group(1)) <= int(stated.group(2)) <= hi:
        return rng.randint(int(stated.group(1)), int(stated.group(2)))
    if hi == math.inf and (name.endswith("id") or name.endswith("number")):
        return rng.randint(max(lo, 100), max(lo, 100) + 9899)  # record numbers look like 4103
    return rng.randint(lo, int(min(hi, lo + 30)))


def _number(schema: dict[str, Any], rng: random.Random) -> int | float:
    low, high = _bounds(schema)
    lo = 1.0 if low is None else float(low)
    hi = lo + 500.0 if high is None else min(float(high), lo + 500.0)
    for _ in range(20):
        value: int | float = rng.randint(math.ceil(lo), math.floor(hi)) if rng.random() < 0.4 and hi - lo >= 1 \
            else round(rng.uniform(lo, hi), 2)
        if valid(value, schema):
            return value
    return round((lo + hi) / 2, 2)


def _string(name: str, schema: dict[str, Any], rng: random.Random, today: date, topic: str) -> str:
    description = schema.get("description", "")
    fmt = schema.get("format")
    if fmt == "date":
        return _date(rng, today, f"{name} {description}").isoformat()
    if fmt == "date-time":
        moment = datetime.combine(_date(rng, today, description), time(rng.randint(7, 18), rng.choice([0, 15, 30, 45])))
        return moment.isoformat() + "Z"
    if fmt == "time":
        return f"{rng.randint(8, 17):02d}:{rng.choice(['00', '15', '30', '45'])}:00"
    if fmt == "email":
        first, *rest = rng.choice(PERSON_NAMES).lower().split()
        return f"{first}.{rest[-1]}@example.com".replace("'", "")
    examples = description_examples(description, schema)
    if "pattern" in schema:
        if examples and (len(examples) >= 3 or rng.random() < 0.3):
            return rng.choice(examples)
        clock = f"{rng.randint(8, 17):02d}:{rng.choice(['00', '15', '30', '45'])}"
        if re.search(schema["pattern"], clock):
            return clock
        return pattern_value(schema["pattern"], rng, name)
    # The built-in pools are written for a few office topics (tickets, meetings, expenses, leave, staff); for
    # any other topic the description's own examples are the only text known to fit.
    if examples and (rng.random() < 0.4 or not topic_subject(topic)):
        return rng.choice(examples)
    pool = text_pool(name, topic)
    low, high = schema.get("minLength", 1), schema.get("maxLength", 10_000)
    fitting = [text for text in pool if low <= len(text) <= high]
    if not fitting:
        raise UnsupportedSchema(f"argument {name!r}: no text of {low} to {high} characters")
    return rng.choice(fitting)


def text_pool(name: str, topic: str) -> list[str]:
    words = set(re.findall(r"[a-z]+", name.lower()))
    if words & _QUERY_NAMES:
        return SEARCH_TERMS
    kind = next((_TEXT_KINDS[word] for word in _TEXT_KINDS if word in words), "details")
    return TEXT_POOLS.get((kind, topic_subject(topic))) or TEXT_POOLS[(kind, "")]


def topic_subject(topic: str) -> str:
    """Which of the built-in pools' topics `topic` (an operation's summary and description) is about; "" if none."""
    return next((value for key, value in _TOPICS.items() if key in topic.lower()), "")


def _date(rng: random.Random, today: date, hint: str) -> date:
    """A day near `today`: in the past or the future when the description says so."""
    within = _WITHIN_LAST.search(hint)
    if within:
        offset = -rng.randint(0, max(0, int(within.group(1)) - 1))
    elif _PAST_HINTS.search(hint):
        offset = -rng.randint(0, 45)
    elif _FUTURE_HINTS.search(hint):
        offset = rng.randint(1, 45)
    else:
        offset = rng.randint(-20, 45)
    return today + timedelta(days=offset)
