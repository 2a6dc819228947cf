"""A message that corrects the call before it: the words that say so, and the figure it puts right.

"no wait, 10:30 to 11:30", "actually make it today and tomorrow", "sorry 450 not 400", "oops it was 37.80 not
27.80": a correction names only what changes, often with the value it replaces beside it. `corrects` reads the
words; `corrected_count` the one figure a correction sets in the call before (its one count, or the figure said
to be wrong); `DENIED` what it says a value is not, which no argument takes ("sorry 08:30 not 08:00" is 08:30).
"""

from __future__ import annotations

import re
from typing import Any

from assistant.codes import is_id

#: A message that narrows or corrects the call before it, rather than asking something new that builds on it:
#: "only ...", "just ...", "no wait", "actually", "make that", "same for kwame, E1012", "it was 20 units not 18",
#: "we'll be about 15 ppl actually".
CORRECTS = re.compile(r"^\W*(?:(?:ok(?:ay)?|oh|hm+|ah)\W+)?(?:only|just|no wait|wait|no,|sorry|oops|actually|"
                       r"correction|make it|make that|change it|change that|same)\b"
                       r"|\b(?:instead|i meant|rather|the same)\b|\b(?:only|actually)\W*$"
                       r"|\b\d[\d:.,]*(?:\s+[a-z]+)?\s+not\s+\d", re.IGNORECASE)  # "it was 20 units not 18"


#: What a correction says a value is not: "not 08:00", "instead of bora", "rather than friday", "driver cant make
#: 10:30".
DENIED = re.compile(r"\b(?:not|instead of|rather than|can'?t (?:make|do)|cannot (?:make|do))\s+(?:the\s+)?[^\s,;]+",
                     re.IGNORECASE)


def corrects(text: str) -> bool:
    """Whether `text` narrows or corrects the message before it ("only annual leave", "no wait, 08:30")."""
    return CORRECTS.search(text) is not None


def corrected_count(request: str, kept: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    """The call before's one count set to the one whole number a correction states ("no wait make it 600" after an
    order of 400 of one SKU): a top-level integer or the integer of a one-line list, neither an id nor a choice;
    empty where the correction states another figure or the call had more counts than one."""
    if not corrects(request):
        return {}
    swapped = _swapped_figure(request, kept)
    if swapped:
        return swapped
    figures = re.findall(r"(?<![\w.,:/-])(\d+)(?![\w.,:/-]|\s*(?:%|[ap]\.?m\b|h\b|hrs?\b|hours?\b|min))", request)
    if len(figures) != 1 or len(re.findall(r"\d+", request)) != 1:
        return {}
    counts: list[tuple[str, int | None, str | None]] = [
        (name, None, None) for name, value in kept.items() if _is_count(name, value, properties.get(name))]
    for name, value in kept.items():
        items = (properties.get(name) or {}).get("items") or {}
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
            counts += [(name, 0, field) for field, inner in value[0].items()
                       if _is_count(field, inner, (items.get("properties") or {}).get(field))]
    if len(counts) != 1:
        return {}
    name, index, field = counts[0]
    if index is None or field is None:
        return {name: int(figures[0])}
    return {name: [{**kept[name][0], field: int(figures[0])}]}


def _swapped_figure(request: str, kept: dict[str, Any]) -> dict[str, Any]:
    """The one figure of the call before (top-level, or in an order's one line) that a correction says was wrong,
    set to the figure said instead: "oops it was 37.80 not 27.80" after an expense of 27.8, "its 8 not 6" after a
    report of 6 units, "sorry 450 not 400" after an order of 400."""
    said = _FIGURE_NOT.search(request)
    if said is None:
        return {}
    new, old = (float(figure.replace(",", ".")) for figure in said.groups())

    def swapped(value: Any) -> Any:
        return int(new) if isinstance(value, int) and new.is_integer() else new

    def wrong(value: Any) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool) and float(value) == old

    found = {name: swapped(value) for name, value in kept.items() if wrong(value)}
    for name, value in kept.items():  # an order's one line: "sorry 450 not 400"
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
            fields = [field for field, inner in value[0].items() if wrong(inner)]
            if len(fields) == 1:
                found[name] = [{**value[0], fields[0]: swapped(value[0][fields[0]])}]
    return found if len(found) == 1 else {}


#: A figure said in place of another: "it was 37.80 not 27.80", "8 not 6", "20 units not 18".
_FIGURE_NOT = re.compile(r"(?<![\w.,:/-])(\d+(?:[.,]\d+)?)(?:\s+[a-z]+)?\s+not\s+(\d+(?:[.,]\d+)?)(?![\w:/-]|[.,]\d)",
                         re.IGNORECASE)


def _is_count(name: str, value: Any, spec: Any) -> bool:
    """Whether an argument is a count: a whole number, neither an id nor one of listed choices."""
    return isinstance(value, int) and not isinstance(value, bool) and isinstance(spec, dict) and \
        spec.get("type") == "integer" and "enum" not in spec and not is_id(name, spec)
