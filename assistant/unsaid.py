"""What a call says that nobody said: the arguments to leave out before it is sent.

The small model adds what the request never stated: an empty note, a description that is the title again, a
filter naming everyone, a date nobody gave ("foehn bookings" sent with today's date), the other end of a range
the request left open, a flag nobody mentioned (a customer e-mail on a status change), a look-up's free text that
is the question itself, or a figure of a time or a date written as a count or a price (the 9 of "9 to 11" as a
room's capacity). Each function here names such arguments by the request's words and the operation's schema;
`assistant.arguments` leaves them out and logs why. What the request does state is `assistant.slots`'.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from assistant.codes import as_date, value_shape
from assistant.copying import free_text_properties
from assistant.dates import says_when, stated_dates, stated_time_spans
from assistant.slots import (
    FLAG_WORDS,
    OPEN_RANGE,
    PRICED,
    TOLD_IN_THE_PAST,
    closes,
    flag_mentions,
    is_range,
    unquoted,
    word_stem,
    words_of,
)

#: The share of a free-text argument's words that are the request's for it to count as a copy of it.
COPIED_SHARE = 0.8


def empty_arguments(arguments: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """The optional arguments the call wrote as an empty string: they say nothing, and a schema with a
    minLength refuses the whole call over them ("note": "" on a status change)."""
    required = set(schema.get("required") or [])
    return [name for name, value in arguments.items() if name not in required and isinstance(value, str)
            and not value.strip()]


#: Words that name nobody and nothing in particular: a filter of only these ("everyone") filters nothing.
_NOBODY_IN_PARTICULAR = frozenset({"everyone", "everybody", "anyone", "anybody", "someone", "somebody", "all",
                                   "people", "staff", "employees", "everything", "anything", "any", "some"})


#: Words a request addresses the assistant with, and negations: a note of only these and the call's own
#: words ("pls update it", "don't email the customer" beside notify_customer false) records nothing.
_ADDRESSING = frozenset({"pls", "plz", "please", "thanks", "thx", "it", "this", "that", "them", "can", "could",
                         "you", "u", "for", "me", "now", "just", "do", "the", "a", "an", "to", "and", "don", "t",
                         "dont", "not", "no"})


def idle_texts(arguments: dict[str, Any], schema: dict[str, Any], subject: str = "") -> list[str]:
    """The optional free-text arguments that say nothing: one repeating another argument's value (a ticket's
    description that is its title again), a filter naming nobody in particular ("query": "everyone"), or,
    given `subject` (the operation's name and summary), a text of only words that address the assistant and
    words of the operation or of the call's other arguments: "pls update it" as a shipment update's note,
    "don't email the customer" beside notify_customer false; or words that only say when ("fri" as a reason) or
    that the request goes on ("too")."""
    required = set(schema.get("required") or [])
    idle = []
    for name in sorted(free_text_properties(schema) & set(arguments) - required, key=list(arguments).index):
        value = arguments[name]
        if not isinstance(value, str):
            continue
        words = words_of(value)
        repeats = any(other != name and other not in idle and isinstance(said, str) and
                      said.strip().casefold() == value.strip().casefold() for other, said in arguments.items())
        restates = subject and words and {word_stem(word) for word in words} <= \
            _call_words({other: said for other, said in arguments.items() if other != name}, subject)
        if repeats or words and any(set(words) <= only for only in (_NOBODY_IN_PARTICULAR, _WHEN_ONLY, _FILLER)) or \
                restates:
            idle.append(name)
    return idle


#: Words that only say a request goes on from the one before: "too" as the note of "and close 4104 too".
_FILLER = frozenset({"too", "also", "again", "as", "well", "then", "instead", "now", "aswell"})
#: Words that only say when, which the call's dates and times say: "fri" as a leave's reason.
_WHEN_ONLY = frozenset({
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "today", "tomorrow", "tmrw", "yesterday", "tonight", "morning",
    "afternoon", "evening", "next", "this", "last", "week", "am", "pm"})


def _call_words(arguments: dict[str, Any], subject: str) -> set[str]:
    """The stems of the words that say what a call already says: the operation's (split where its name's case
    changes), its arguments' names and string values, the words staff use for its booleans' words, and
    `_ADDRESSING`."""
    text = " ".join([re.sub(r"(?<=[a-z])(?=[A-Z])", " ", subject), *arguments,
                     *(value for value in arguments.values() if isinstance(value, str))])
    words = set(words_of(text.replace("_", " "))) | _ADDRESSING
    words |= {said for word in words for said in FLAG_WORDS.get(word, ())}
    return {word_stem(word) for word in words}


def copied_requests(arguments: dict[str, Any], schema: dict[str, Any], request: str) -> list[str]:
    """The optional free-text arguments of a look-up that copy the request ("Who works in the Finance
    department" as `query` beside `department: Finance`): at least four words, and most of them the request's.
    A record's name or title never reads like the question about it, so such a filter finds nothing. Named
    only while another argument is left to filter by."""
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    asked = words_of(request)
    copied = []
    for name, value in arguments.items():
        spec = properties.get(name) or {}
        if name in required or not isinstance(value, str) or any(key in spec for key in ("enum", "pattern", "format")):
            continue
        words = words_of(value)
        if len(words) >= 4 and sum(word in asked for word in words) >= COPIED_SHARE * len(words):
            copied.append(name)
    return copied if len(copied) < len(arguments) else []


def unsaid_dates(arguments: dict[str, Any], schema: dict[str, Any], request: str, today: date) -> list[str]:
    """The optional date arguments of a call on which `request` states one end of a range ("shipped since
    monday", "bookings from the 15th") that no date it states means: the other end, which the model made up
    (shipped_to the coming monday). Named only once another date argument holds the stated end."""
    opens = OPEN_RANGE.search(request)
    dates = [name for name, spec in (schema.get("properties") or {}).items() if value_shape(spec) == "format:date"]
    stated = stated_dates(request, today)
    if not opens or len(stated) != 1 or len(dates) != 2 or not is_range(dates):
        return []
    end = closes(opens.group(0).lower())
    other = dates[1 - end]
    held = as_date(arguments.get(dates[end])) in stated[0].readings
    return [other] if held and other in arguments and other not in (schema.get("required") or []) else []


def undated(arguments: dict[str, Any], schema: dict[str, Any], request: str, today: date | None = None) -> list[str]:
    """The optional date arguments of a call whose request says nothing of when ("foehn bookings" sent with
    today's date): a filter nobody asked for, which narrows a list to one day. With `today`, also those dated
    more than FAR_YEARS from it in a year the request does not write: a placeholder ("shipped_from":
    "0000-01-01" for "which shipments are still in transit"), not a date anyone meant."""
    required = set(schema.get("required") or [])
    properties = schema.get("properties") or {}
    dates = [name for name in arguments if name not in required
             and value_shape(properties.get(name) or {}) == "format:date"]
    text = re.sub(r"\b[A-Za-z]+-?\d[\w-]*", " ", unquoted(request, properties))  # an id is no when
    if _names_a_state(text, properties):  # "on hold right now" is the state's now, no day a record was dated
        text = _STATE_NOW.sub(" ", text)
    if not says_when(text):
        return dates
    return [name for name in dates if today is not None and _far_and_unwritten(arguments[name], request, today)]


#: Words that say a state holds now, not when a record was dated: "which shipments are on hold right now", "what
#: does swifthaul have in transit atm".
_STATE_NOW = re.compile(r"\b(?:right now|just now|as of now|atm|at the moment|at present|currently|as we speak)\b",
                        re.IGNORECASE)


def _names_a_state(text: str, properties: dict[str, Any]) -> bool:
    """Whether `text` says a value of one of `properties`' choices ("on hold" for on_hold)."""
    values = {str(value).replace("_", " ").casefold() for spec in properties.values() if isinstance(spec, dict)
              for value in spec.get("enum") or ()}
    return any(re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text, re.IGNORECASE) for value in values if value)


#: How many years from today a date argument may lie without the request writing its year.
FAR_YEARS = 2


def _far_and_unwritten(value: Any, request: str, today: date) -> bool:
    year = str(value)[:4]  # written as a year of its own: SHP-205301 writes no 2053
    return year.isdigit() and abs(int(year) - today.year) > FAR_YEARS and \
        re.search(rf"(?<![\w-]){year}(?![\w-])", request) is None


def unsaid_flags(arguments: dict[str, Any], schema: dict[str, Any], request: str, change: bool = True) -> list[str]:
    """The optional booleans the call set that `request` says nothing of, by any word of theirs: a customer
    e-mail nobody asked for ("SHP-205066 got to the customer this morning, set it to delivered" wrote
    notify_customer true). Left out, the operation's default applies. A look-up's filter (not `change`) may be
    said in other words ("running low" for below_reorder_point), so there only a filter whose description's words
    the request says none of either is named (dangerous_goods for "belgian warehouses, dock door count?",
    cold_storage false for "which of our sites can take dangerous goods")."""
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    text = unquoted(request, properties)
    said = {word_stem(word) for word in words_of(text)}
    return [name for name, value in arguments.items() if isinstance(value, bool) and name not in required
            and not flag_mentions(name, properties.get(name), text)
            and (change or not said & _described(name, properties))]


#: A filter the person lets go of: "forget express", "never mind the cold ones", "drop the status filter", "tickets
#: of any priority".
_FORGETS = re.compile(r"\b(?:forget(?: about)?|never ?mind|nvm|drop|ignore|skip|scrap|not(?: just| only)?|"
                      r"(?:of|in|with) any)\s+"
                      r"(?:the\s+)?([a-z][\w-]*)", re.IGNORECASE)
#: "any" before a word of a filter's name lets go of it: "which ones deliver to ireland, any service" (not "any
#: urgent ones", a value).
_ANY_NAMED = re.compile(r"\bany\s+([a-z][\w-]*)", re.IGNORECASE)
#: What lets go of every choice filter: "the last 5 tickets of any kind", "all sorts".
_ANY_KIND = re.compile(r"\b(?:of )?(?:any|all) (?:kinds?|types?|sorts?)\b", re.IGNORECASE)
#: Words of a property's name that name no filter of its own ("only_free", "include_closed").
_BARE_NAME_WORDS = frozenset({"only", "with", "include", "includes"})


def forgotten_filters(arguments: dict[str, Any], schema: dict[str, Any], request: str) -> list[str]:
    """The optional arguments `request` lets go of by a word of their value or of their name: "forget express, who
    goes to ireland" drops service_level express, "forget cold, which ones are adr licensed" drops cold_storage,
    "probation is fine too, drop the status filter" drops status, "show all of them not just pending" drops status
    pending, "any service" drops service_level; "of any kind" drops every choice filter."""
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    let_go = {word_stem(match.group(1)) for match in _FORGETS.finditer(request)}
    any_named = {word_stem(match.group(1)) for match in _ANY_NAMED.finditer(request)}  # only by a filter's name
    any_kind = _ANY_KIND.search(request) is not None
    if not let_go and not any_named and not any_kind:
        return []
    dropped = []
    for name, value in arguments.items():
        if name in required:
            continue
        choice = isinstance(value, str) and "enum" in (properties.get(name) or {})
        named = [word for word in words_of(name.replace("_", " ")) if len(word) >= 4 and word not in _BARE_NAME_WORDS]
        words = named + (words_of(value.replace("_", " ")) if choice else [])
        if {word_stem(word) for word in words} & let_go or {word_stem(word) for word in named} & any_named or \
                any_kind and (choice or isinstance(value, bool)):
            dropped.append(name)
    return dropped


def _described(name: str, properties: dict[str, Any]) -> set[str]:
    """The stems of the words of five letters or more that the description of property `name` has and no other
    property's: what it alone is about ("licensed", "dangerous", not the "warehouses" every filter's has)."""
    def stems(spec: Any) -> set[str]:
        description = str(spec.get("description") or "") if isinstance(spec, dict) else ""
        return {word_stem(word) for word in words_of(description) if len(word) >= 5}
    others = set().union(*(stems(spec) for other, spec in properties.items() if other != name))
    return stems(properties.get(name)) - others


def when_figures(arguments: dict[str, Any], schema: dict[str, Any], request: str, today: date) -> list[str]:
    """The optional number arguments whose figure the request writes only as part of a time of day or a date:
    the 9 of "9 to 11" sent as a room's min_capacity, the 24 of "delivery 24 june" as a price."""
    spans = _when_spans(request, today)
    return _when_figures(arguments, schema, request, spans)


def priced_for_when_figures(arguments: dict[str, Any], schema: dict[str, Any], request: str, today: date
                            ) -> dict[str, float]:
    """The required amounts (number arguments) the call took from a figure the request writes only as part of a date
    or a time of day, set to the one figure it writes beside a currency: "taxi to client 27 feb 34.80 eur" is
    34.8, not 27."""
    spans = _when_spans(request, today)
    priced = [float((match.group(1) or match.group(2)).replace(",", "")) for match in PRICED.finditer(request)
              if not any(start <= match.start() < end for start, end in spans)]
    if len(set(priced)) != 1:
        return {}
    properties = schema.get("properties") or {}
    amounts = {name: value for name, value in arguments.items() if name in set(schema.get("required") or [])
               and (properties.get(name) or {}).get("type") == "number"}
    taken = _when_figures(amounts, {"properties": properties}, request, spans)
    return {name: priced[0] for name in taken if arguments[name] != priced[0]}


def lines_without_when_figures(
    arguments: dict[str, Any], schema: dict[str, Any], request: str, today: date
) -> dict[str, Any]:
    """The call's lists of objects (an order's lines) less the optional numbers `when_figures` names in each."""
    spans = _when_spans(request, today)
    changed = {}
    for name, value in arguments.items():
        items = ((schema.get("properties") or {}).get(name) or {}).get("items") or {}
        if not isinstance(value, list) or items.get("type") != "object":
            continue
        kept = [_less(item, _when_figures(item, items, request, spans)) if isinstance(item, dict) else item
                for item in value]
        if kept != value:
            changed[name] = kept
    return changed


def _less(item: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {key: field for key, field in item.items() if key not in names}


def _when_spans(request: str, today: date) -> list[tuple[int, int]]:
    """Where `request` states a time of day or a date."""
    return [(start, end) for start, end, _ in stated_time_spans(request)] + \
        [(said.start, said.end) for said in stated_dates(request, today)]


def _when_figures(arguments: dict[str, Any], schema: dict[str, Any], request: str, spans: list[tuple[int, int]]
                  ) -> list[str]:
    required = set(schema.get("required") or [])
    properties = schema.get("properties") or {}
    named = []
    for name, value in arguments.items():
        if name in required or isinstance(value, bool) or not isinstance(value, int | float) or \
                (properties.get(name) or {}).get("type") not in ("integer", "number"):
            continue
        figure = str(int(value)) if float(value).is_integer() else str(value)
        places = [m.start() for m in re.finditer(rf"(?<![\d.,:]){re.escape(figure)}(?![\d]|[.,:]\d)", request)]
        if places and all(any(start <= place < end for start, end in spans) for place in places):
            named.append(name)
    return named


#: A date property's name that looks forward: an expected, planned or requested day, not one that has been.
_AHEAD = re.compile(r"expected|eta|planned|requested|due|deliver_by|new_", re.IGNORECASE)
#: Words before a date that make it one looked forward to, whatever the tense around it: "new eta today".
_LOOKED_FORWARD = re.compile(r"\b(?:eta|expected|new|due|by|until|till|planned|delivery date)\b", re.IGNORECASE)


def past_for_ahead(arguments: dict[str, Any], schema: dict[str, Any], request: str, today: date) -> list[str]:
    """The optional date arguments named for a day looked forward to (expected_delivery) that hold a day the
    request tells of as past: "SHP-205066 got to the customer this morning, set it to delivered" states when it
    was delivered, not a new expected date."""
    required = set(schema.get("required") or [])
    stated = stated_dates(request, today)
    past = []
    for name, value in arguments.items():
        day = as_date(value)
        if name in required or day is None or day > today or not _AHEAD.search(name):
            continue
        for said in stated:
            clause = re.split(r"[,;.!?]", request[max(0, said.start - 40):said.start])[-1]
            if day in said.readings and TOLD_IN_THE_PAST.search(clause) and not _LOOKED_FORWARD.search(clause):
                past.append(name)
                break
    return past

