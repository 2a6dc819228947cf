"""Final answers written from an API result: the numbers and names of the result, in short sentences.

The answer is built from the result body alone: a list becomes "I found 2 tickets:" and one line per item; an
object becomes one line of its most telling fields (its name or title, id and status first, then the fields
whose names share words with the question, then with the operation's summary, such as `remaining_days` for
"remaining leave days"). The training answers after a tool message are these (`finetune.builders.catalog`,
with no question), and the engine answers with them after a call that ran (generation.describe_api_results):
the small model, repeating them, put a record's figures under the wrong names ("12 used days" for 12 remaining).

After a call that did not go through (the API refused it, or could not be reached) the answer is the API's own
reason (`describe_failure`): the model, writing it, made up records and figures ("she has 31 left" where the
API said 32, "seats 2,026") and asked for ids nobody needed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from assistant.codes import id_shape
from tools.openapi import Operation

#: Item lines shown for a list; the rest is summarised as "and N more".
MAX_ITEMS = 4
#: Fields shown per item besides its label and id; an answer to a question shows more of a single record (a
#: booking's date and times besides its room).
MAX_FIELDS = 4
MAX_RECORD_FIELDS = 6
#: Words by which questions ask for a field named otherwise: "how many sick days do i have left" asks for
#: `remaining_days`, "who reported ticket 4102" for `requester_name`.
_ASKED_AS = {"left": "remaining", "boss": "manager", "reported": "requester", "raised": "requester",
             "phone": "extension", "ext": "extension", "when": "date"}
#: A field that says when: what a person acts on in a booking, a request or a ticket.
_WHEN = re.compile(r"(?:^|_)(?:date|time)$|_at$")
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


def describe_result(operation: Operation, body: Any, question: str | None = None) -> str:
    """A short answer that states what the API returned for `operation`. Given the `question` it answers, the
    fields it names come first, then those that say when, and a single record shows MAX_RECORD_FIELDS; without
    one (a training answer), the fields the operation's summary names come first."""
    done = "Done. " if operation.side_effects else ""
    asked = None if question is None else frozenset(
        _words(" ".join(_ASKED_AS.get(word, word) for word in re.findall(r"[a-z]+", question.lower()))))
    focus = Focus(_words(operation.summary), _words(operation.description.split(". ")[0]), asked)
    if isinstance(body, list):
        return done + _describe_list("results", body, focus, subject="", question=question)
    if not isinstance(body, dict):
        return done + ("The service confirmed it." if body is None else f"The service answered: {scalar_text(body)}.")
    lists = [(key, value) for key, value in body.items() if isinstance(value, list) and key not in _SKIP_KEYS]
    if lists and "id" not in body:  # a list of results, not one record that holds a list
        key, items = lists[0]
        shared = {name: value for name, value in body.items() if not isinstance(value, (dict, list))}
        text = _describe_list(key, items, focus, _subject(body), None if asked is None else shared, question)
        extras = [_field_text(name, value) for name, value in body.items()
                  if name.startswith("total") and isinstance(value, (int, float))]
        return done + text + "".join(f"\n{extra[0].upper()}{extra[1:]}." for extra in extras)
    nested = [(key, value) for key, value in body.items() if isinstance(value, dict)]
    if nested and len(nested) == len([v for v in body.values() if v is not None]):
        lines = [f"{humanize(key).capitalize()}: {_item_line(value, focus)}." for key, value in nested]
        return done + "\n".join(lines)
    return done + f"{_item_line(body, focus, MAX_FIELDS if asked is None else MAX_RECORD_FIELDS)}."


#: The status line the API tool puts before an error's detail: "HTTP 409 Conflict: <detail>".
_HTTP_STATUS = re.compile(r"^HTTP \d{3}(?: [^:]*)?(?::\s*(?P<detail>.*))?$", re.DOTALL)


def describe_failure(operation: Operation, error: str) -> str:
    """The answer after a call of `operation` that the API refused or that never reached it: "Not done: " (a
    call that would change something) or "I could not look that up: " and the API's reason as it gave it (a
    validation error's list is read as its messages); the status line alone where the API gave no reason."""
    lead = "Not done: " if operation.side_effects else "I could not look that up: "
    matched = _HTTP_STATUS.match(error.strip())
    if matched is None:
        reason = error.strip()
    elif matched.group("detail"):
        reason = _validation_messages(matched.group("detail").strip())
    else:
        reason = f"the API answered {error.strip()}"
    return lead + reason.rstrip(".") + "."


def _validation_messages(detail: str) -> str:
    """A validation error's messages ("start_time: field required") where `detail` is the JSON list most
    frameworks send ([{"loc": [...], "msg": ...}]); `detail` itself otherwise."""
    try:
        errors = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(errors, list) or not errors or not all(isinstance(e, dict) and "msg" in e for e in errors):
        return detail
    messages = []
    for problem in errors:
        where = [str(part) for part in problem.get("loc") or [] if part not in ("body", "query", "path")]
        messages.append(f"{where[-1]}: {problem['msg']}" if where else str(problem["msg"]))
    return "; ".join(messages)


@dataclass(frozen=True)
class Focus:
    """What the answer is about: the words of the operation's summary, of its description's first sentence and
    of the question it answers (None: a training answer)."""

    summary: set[str]
    description: set[str]
    asked: frozenset[str] | None = None


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


def _describe_list(key: str, items: list[Any], focus: Focus, subject: str, shared: dict[str, Any] | None = None,
                   question: str | None = None) -> str:
    """"I found N <key>" and a line per item (MAX_ITEMS at most), less the fields an item shares with the
    record that holds the list (`shared`: the room of a room's bookings). Where the `question` names items by
    their ids ("status of leave request 505?", answered by a list of them all), the answer is those items, or
    that none of the list is one."""
    noun = humanize(key)
    owner = f" for {subject}" if subject else ""
    if not items:
        return f"I found no {noun}{owner}."
    named = _named_ids(items, question, noun.split()[-1].removesuffix("s"))
    if named:
        found = [item for item in items if scalar_text(item["id"]).casefold() in named]
        if not found:
            return f"I found {len(items)} {noun}{owner}; none of them is {' or '.join(sorted(named))}."
        return "\n".join(f"{_item_line(_without(item, shared or {}), focus, MAX_RECORD_FIELDS)}." for item in found)
    if len(items) == 1:
        head = f"I found 1 {noun.removesuffix('es') if noun.endswith('sses') else noun.removesuffix('s')}{owner}:"
    else:
        head = f"I found {len(items)} {noun}{owner}:"
    lines = [f"- {_item_line(_without(item, shared or {}), focus)}" for item in items[:MAX_ITEMS]]
    if len(items) > MAX_ITEMS:
        lines.append(f"- and {len(items) - MAX_ITEMS} more")
    return "\n".join([head, *lines])


def _named_ids(items: list[Any], question: str | None, noun: str) -> set[str]:
    """The words of `question` written as the items' ids are (the same letters, as many digits: "E1003" for
    E1001), case-folded; a number alone only right after the items' `noun`, "#" or "id" ("leave request 505",
    not "in 2026" of tickets 4101 on). None where an item has no plain id."""
    ids = [item.get("id") if isinstance(item, dict) else None for item in items]
    if question is None or not all(isinstance(value, (int, str)) and not isinstance(value, bool) for value in ids):
        return set()
    shapes = {id_shape(scalar_text(value)) for value in ids}
    named = set()
    for word in re.finditer(r"[A-Za-z0-9][\w-]*", question):
        text = word.group(0)
        if not any(c.isdigit() for c in text) or id_shape(text) not in shapes:
            continue
        before = question[:word.start()].casefold().split()[-1:]
        if not text.isdigit() or question[:word.start()].rstrip().endswith("#") or \
                any(w.strip("#:.,") in (noun, f"{noun}s", "id", "no", "number") for w in before):
            named.add(text.casefold())
    return named


def _without(item: Any, shared: dict[str, Any]) -> Any:
    """`item` less the fields that hold the same value in `shared`."""
    if not isinstance(item, dict) or not shared:
        return item
    return {key: value for key, value in item.items() if key not in shared or shared[key] != value}


def _item_line(item: Any, focus: Focus, most: int = MAX_FIELDS) -> str:
    """One line for one object: its label and id, then its most relevant fields."""
    if not isinstance(item, dict):
        return scalar_text(item) if not isinstance(item, list) else ", ".join(_short(v) for v in item)
    label = _label(item)
    identifier = item.get("id")
    head = label or ""
    if identifier is not None and not isinstance(identifier, (dict, list)):
        head = f"{head} ({scalar_text(identifier)})" if head else f"#{scalar_text(identifier)}"
    used = {key for key in item if item.get(key) in (label, identifier)} | {"id"}
    fields = [key for key in item if key not in used and key not in _SKIP_KEYS and item[key] not in (None, "")]
    ranked = sorted(fields, key=lambda key: (-_relevance(key, focus), fields.index(key)))
    shown = [_field_text(key, item[key]) for key in ranked[:most]]
    shown = [text for text in shown if text]
    if not head:
        return ", ".join(shown) if shown else "(no details)"
    return f"{head}: {', '.join(shown)}" if shown else head


def _label(item: dict[str, Any]) -> str:
    for key in _LABEL_KEYS:
        if isinstance(item.get(key), str):
            return item[key]
    for key, value in item.items():
        if isinstance(value, str) and key.endswith(("_name", "_type")):
            return value
    return ""


def _relevance(key: str, focus: Focus) -> int:
    words = _words(humanize(key))
    score = 2 * len(words & focus.summary) + len(words & focus.description)
    if focus.asked is not None:
        score += 4 * len(words & focus.asked) + (2 if _WHEN.search(key) else 0)
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
