"""A choice the request does not name, taken by meaning.

An operation's required enum is often a classification: a ticket's category, an expense's category, a damage
report's type, a cancellation's reason. People seldom name the value ("excel crashes whenever i open big csv
files" is a `software` ticket; "hotel night in hamburg" an `accommodation` expense; "truck has engine trouble"
a `vehicle_breakdown`), and the small model picks one almost at random. The sentence embedder that routes
requests knows better: `nearest_enums` sets such a property to the value nearest the request in meaning when
it is nearer than the model's value by ENUM_MARGIN of cosine. A value the request names is `stated_arguments`'
business. Where the description glosses the values ("inbound (a supplier delivers to us) or outbound (a carrier
collects from us)"), the one value one of whose glossing phrases the request says whole is taken first ("taxi
from the airport": travel, "(train, flights, taxis, mileage)"), then the one value whose gloss shares a word
with the request ("nordline collecting SHP-207391": outbound), and then the one another argument's description
pairs with that argument's kind of id ("The outbound shipment (e.g. SHP-204518) or inbound purchase order (e.g.
PO-118204)": a booking for SHP-205410 is outbound).

An optional enum the call left out is set only by a glossing phrase said whole (`glossed_options`: "we collect
from them ourselves" is the incoterm EXW, "(we collect)"); any weaker reading would add a filter nobody asked
for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from assistant.slots import enum_words, word_stem

#: How much nearer in cosine the request must be to another value than to the model's for it to replace it.
#: Chosen on the development sets' tickets, expenses and dock cancellations: below it the embedder's choice
#: is a coin toss (inbound 0.248 against outbound 0.239 for "nordline collecting SHP-207391").
ENUM_MARGIN = 0.04

#: A word of four letters or more, as glosses and requests are compared by.
_WORD = re.compile(r"[A-Za-z]{4,}")
#: The letters an id opens with, before its digits: SHP-205410 -> "SHP-".
_ID_PREFIX = re.compile(r"([A-Za-z]+-?)\d")
#: Stems of words a gloss may hold that say nothing of the value.
_COMMON = {"from", "with", "that", "this", "them", "they", "what", "when", "where", "which", "other", "their",
           "there", "about", "into", "only", "some", "more", "than"}

#: The cosine similarity of a text to each of some labels.
Similarities = Callable[[str, Sequence[str]], list[float]]


def glossed_value(values: Sequence[str], description: str, request: str, subject: str = "") -> str | None:
    """The one value whose gloss in `description` ("inbound (a supplier delivers to us) or outbound (a carrier
    collects from us)") shares a word with `request` ("nordline collecting SHP-207391": outbound), words
    compared by their first five letters, the words of `subject` (the operation's: "slot" of "rebooked (moved
    to another slot)") aside; None when no value or several do."""
    said = {word_stem(word) for word in _WORD.findall(request)} - {word_stem(word) for word in _WORD.findall(subject)}
    matching = [value for value in values if (gloss := _gloss(value, description)) is not None
                and said & {word_stem(word) for word in _WORD.findall(gloss)} - _COMMON]
    return matching[0] if len(matching) == 1 else None


def _gloss(value: str, description: str) -> str | None:
    """What `description` says of `value` in brackets after it: "supplier delivers to us" of "inbound (a supplier
    delivers to us)"; None where it says nothing so."""
    gloss = re.search(rf"\b{re.escape(value)}\s*\(([^)]*)\)", description, re.IGNORECASE)
    return gloss.group(1) if gloss is not None else None


#: Words a gloss's phrase may hold that say nothing of its value: "(a supplier delivers to us)".
_FILLER = frozenset({"a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "by", "for", "is", "it", "all",
                     "with", "from", "us"})


def glossed_options(
    arguments: dict[str, Any], schema: dict[str, Any], request: str, glosses: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The optional string enums the call left out, set to the one value one of whose glossing phrases the
    request says every word of: "damaged/blocked stock area" is the quarantine zone, "(damaged or blocked
    stock)"; "we collect from them ourselves" the incoterm EXW, "(we collect)"; "supplier delivers and pays
    import duties" DDP. A gloss lists its phrases with commas and "or" ("travel (train, flights, taxis,
    mileage)"); a phrase of one word counts from five letters on, and words are compared by their first five
    letters. A value named outright is `stated_arguments`' business; nothing is set where two values fit."""
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    chosen = {}
    for name, spec in properties.items():
        values = [value for value in (spec or {}).get("enum") or [] if isinstance(value, str)]
        if name in required or name in arguments or len(values) < 2:
            continue
        description = f"{spec.get('description') or ''} {(glosses or {}).get(name, '')}"
        phrased = phrased_value(values, description, request)
        if phrased is not None and phrased != spec.get("default"):
            chosen[name] = phrased
    return chosen


def phrased_value(values: Sequence[str], description: str, request: str) -> str | None:
    """The one value one of whose glossing phrases in `description` the request says every word of, a phrase
    that holds another's the one said ("supplier delivers and pays import duties" is DDP's, not DAP's "supplier
    delivers"); None when no value or several do."""
    said = {word_stem(word) for word in re.findall(r"[A-Za-z]{2,}", request)}
    fitting = [(value, phrase) for value in values for phrase in _glossing_phrases(value, description)
               if phrase <= said]
    named = {value for value, phrase in fitting if not any(phrase < other for _, other in fitting)}
    return named.pop() if len(named) == 1 else None


def _glossing_phrases(value: str, description: str) -> list[set[str]]:
    """The stems of each phrase of `value`'s gloss in `description` that can name it: those of two words or
    more but filler ("(damaged or blocked stock)" gives {block, stock}; "(IT is working on it)" none), the
    words of five letters or more of a gloss that lists single words ("(maternity, paternity or adoption)",
    "(holiday)"; not "(new)"), and a state in -ed of five letters or more in any gloss ("resolved (fixed, awaiting
    confirmation)": "tickets that got fixed")."""
    gloss = _gloss(value, description)
    if gloss is None:
        return []
    phrases = [re.findall(r"[A-Za-z]{2,}", phrase) for phrase in re.split(r",|\bor\b", gloss)]
    listed = all(len(words) <= 1 for words in phrases)
    named = []
    for words in phrases:
        content = [word for word in words if word.casefold() not in _FILLER]
        single = content and len(content[0]) >= 5 and (listed or content[0].casefold().endswith("ed"))
        if len(content) > 1 or single:
            named.append({word_stem(word) for word in content})
    return named


def paired_value(values: Sequence[str], arguments: dict[str, Any], properties: dict[str, Any]) -> str | None:
    """The one value that another argument's description pairs with an example of that argument's kind: a
    dock booking's `reference` is "The outbound shipment (e.g. SHP-204518) or inbound purchase order (e.g.
    PO-118204)", so a booking for SHP-205410 is `outbound`; examples and values compared by the letters their
    ids open with. None when no value or several are paired so."""
    paired = set()
    for name, value in arguments.items():
        prefix = _ID_PREFIX.match(value) if isinstance(value, str) else None
        description = str((properties.get(name) or {}).get("description") or "")
        if prefix is None or not description:
            continue
        for candidate in values:
            pairing = re.search(rf"\b{re.escape(candidate)}\b[^()]{{0,40}}\((?:e\.g\.|for example)?\s*([A-Za-z]+-?)\d",
                                description, re.IGNORECASE)
            if pairing is not None and pairing.group(1).casefold() == prefix.group(1).casefold():
                paired.add(candidate)
    return next(iter(paired)) if len(paired) == 1 else None


def nearest_enums(
    arguments: dict[str, Any], schema: dict[str, Any], request: str, similarities: Similarities,
    glosses: Mapping[str, str] | None = None, subject: str = "",
) -> dict[str, str]:
    """The required string enums of the call the request names no value of, set to the value nearest the
    request where it is ENUM_MARGIN nearer than the one the call wrote. `glosses` add to a property's description
    what the schema it refers to says of its values (`tools.base.Tool.glosses`); the words of `subject` (the
    operation's name and summary: "Cancel a dock slot booking") are left out of the request it is compared by,
    since they say which operation, not which value ("cancel it" is no `order_cancelled`)."""
    properties = schema.get("properties") or {}
    chosen = {}
    for name in schema.get("required") or []:
        spec = properties.get(name) or {}
        values = [value for value in spec.get("enum") or [] if isinstance(value, str)]
        written = arguments.get(name)
        if len(values) < 2 or written not in values or \
                any(enum_words(value, verb=True).search(request) for value in values):
            continue
        description = f"{spec.get('description') or ''} {(glosses or {}).get(name, '')}"
        described = phrased_value(values, description, request) or \
            glossed_value(values, description, request, subject) or paired_value(values, arguments, properties)
        if described is not None:
            if described != written:
                chosen[name] = described
            continue
        asked = _without_subject(request, subject, values)
        scores = dict(zip(values, similarities(asked, [value.replace("_", " ") for value in values]), strict=True))
        nearest = max(values, key=scores.__getitem__)
        if nearest != written and scores[nearest] - scores[written] >= ENUM_MARGIN:
            chosen[name] = nearest
    return chosen


def _without_subject(request: str, subject: str, values: Sequence[str]) -> str:
    """`request` less the words of `subject` that are no value's word: "ugh the truck for slot 7869 broke down
    AGAIN, cancel it" is compared as "ugh the truck for 7869 broke down AGAIN, it"."""
    named = {word.casefold() for word in re.findall(r"[A-Z]?[a-z]+|[A-Z]+", subject)} - \
        {word for value in values for word in re.split(r"[\s_-]+", value.casefold())}
    kept = [word for word in request.split() if re.sub(r"\W", "", word).casefold() not in named]
    return " ".join(kept) or request
