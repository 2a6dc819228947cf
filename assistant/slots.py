"""Arguments a request states in so many words, read from its text by the operation's schema.

The small model picks the right operation more often than it writes every argument the request gave: "Show
all urgent IT tickets" becomes `listTickets {"status": "in_progress"}`, "Who has booked Bora on 2025-06-11?"
loses its date, "Which leave requests has E1006 made?" its employee. These values can be read from the
words without a model, because the schema says exactly what they look like:

- an enum value named in the request ("urgent", "high-priority", "in progress", "close ticket 4104" for
  `closed`), when it names one value of one property of the operation;
- a code, id, date or time written out (a token that mixes digits with other characters: E1006, SHP-004211,
  2025-06-11, 14:00) that matches the pattern or date format of properties the call left out, as many
  values as there are such properties ("from 14:00 to 15:00" fills start_time, then end_time);
- a date said in words ("tomorrow", "next friday", "15 june"), resolved against today (`assistant.dates`),
  for a date property the call left out or wrote with a date the words do not mean;
- a time of day ("3 to 4pm", "10:00-11:30", "at noon") for a time property the call left out or wrote
  otherwise;
- a duration ("90 minutes", "2 hrs", "an hour and a half") for the one property counted in minutes, an
  e-mail address for the one e-mail property and a country's code ("shipped to poland": PL,
  `assistant.countries`) for the one country property, where the call wrote another or none;
- a count next to the noun that names it ("for 5 people": `attendees`, "How many people will be in the
  room"; "45 minutes": `duration_minutes`; "floor 3", "the 2nd floor": `floor`), for a number property the
  call left out.
- a boolean a word of whose name the request says ("receipt attached", "3 photos up"), false after a negation
  ("no receipt", "dont email the customer", "w/o a cold store");
- the text the request quotes ("log it as 'customer found 2 units missing'") or labels with a free-text
  property's name ("note: ferry cancelled"), for the one free-text property the call wrote.

`stated_arguments` returns the arguments to set. It never touches a value the call already took from the
words, quoted text ("titled 'Open day'") is not read for enum values, and a word two properties could mean
is left to the model. What the words rule out (a look-up's free-text filter that is the question itself, a
date or a flag nobody said) is `assistant.unsaid`'s.

`stated_count` is how many of an operation's arguments a request states: the router prefers, among
operations it rates alike, the one that takes more of what was said ("Close IT ticket 4104" states a ticket
and the state to set, which `updateTicketStatus` takes and `getTicket` does not).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from itertools import pairwise
from typing import Any

from assistant.codes import as_date, fits, fitting_code, stated_codes, value_shape
from assistant.copying import free_text_properties
from assistant.countries import names_country, stated_countries
from assistant.dates import StatedDate, stated_dates, stated_minutes, stated_times, with_dates_written_out
from tools.lexical import keywords, stems

#: Quoted text: a title or a note, whose words are not filters.
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|‘[^’]*’|(?<!\w)'[^']*'(?!\w)")


def stated_arguments(
    arguments: dict[str, Any], schema: dict[str, Any], request: str, today: date | None = None
) -> dict[str, Any]:
    """The arguments to set on a call so that it says what `request` (the person's message) states: enum
    values named in it that the call left out or wrote otherwise, coded values (ids, dates, times) and
    counts it left out, and, given `today`, the dates it states in words ("tomorrow", "next friday", "15
    june") where the call wrote a date none of them means; booleans it names ("no receipt") and the text it
    quotes for a free-text property. Empty: the call already says everything that can be read from the
    words."""
    return {**_stated_values(arguments, schema, request, today),
            **_stated_booleans(arguments, schema.get("properties") or {}, request),
            **_stated_quote(arguments, schema, request),
            **_labelled_codes(arguments, schema.get("properties") or {}, request)}


def _labelled_codes(arguments: dict[str, Any], properties: dict[str, Any], request: str) -> dict[str, str]:
    """A code property set to the code the request writes after a word of its name ("plate is 1-vxk-228" for
    truck_plate), in capitals where its pattern takes only those, where the call wrote another: the model
    miscopies a code the grammar makes it write in capitals ("gd-4417k" as G-4417K)."""
    found = {}
    for name, spec in properties.items():
        pattern = spec.get("pattern") if isinstance(spec, dict) and spec.get("type") == "string" else None
        words = [word for word in name.casefold().split("_") if len(word) >= 4]
        if not isinstance(pattern, str) or not words:
            continue
        label = rf"\b(?:{'|'.join(map(re.escape, words))})\s*(?:is\s+|no\.?\s+|number\s+|:\s*)?" \
                r"(?P<code>[\w-]*\d[\w-]*)"
        shape = f"pattern:{pattern}"
        codes = {code if fits(shape, code) else code.upper() for match in re.finditer(label, request, re.IGNORECASE)
                 if fits(shape, code := match["code"]) or fits(shape, code.upper())}
        if len(codes) == 1 and arguments.get(name) != (value := codes.pop()):
            found[name] = value
    return found


def _stated_values(
    arguments: dict[str, Any], schema: dict[str, Any], request: str, today: date | None
) -> dict[str, Any]:
    """What `stated_arguments` reads from values written out or named: enums, codes, counts, dates, times,
    durations, e-mail addresses, countries and an amount of money."""
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    request = unquoted(request, properties)  # a note's date or id is the note's: "note: 'closed until 15 june'"
    written, dates = request, {}
    if today is not None:  # "tomorrow" is a written-out date to the code rule, as the call's date would take it
        taken = [value for value in map(as_date, arguments.values()) if value is not None]
        written = with_dates_written_out(request, today, taken)
        dates = _stated_dates(arguments, properties, request, today)
    return {**_stated_enums(arguments, properties, required, request), **_stated_listed(arguments, properties, request),
            **_stated_codes(arguments, properties, request, written), **_stated_counts(arguments, properties, request),
            **dates, **_stated_times(arguments, properties, request), **_stated_minutes(arguments, properties, request),
            **_stated_emails(arguments, properties, request), **_stated_countries(arguments, properties, request),
            **_stated_price(arguments, properties, request)}


#: A figure written beside its currency: "34.80 eur", "€52", "1,200 euros".
PRICED = re.compile(r"(?:[€$£]\s*(\d[\d,]*(?:\.\d+)?)|(?<![\w.,])(\d[\d,]*(?:\.\d+)?)\s*(?:eur|euros?|€|usd|gbp|"
                    r"dollars?|pounds?)\b)", re.IGNORECASE)


def _stated_price(arguments: dict[str, Any], properties: dict[str, Any], request: str) -> dict[str, float]:
    """The one top-level amount of money a call takes (a number property in euros by its name or description) set
    to the one figure the request writes beside a currency, where the call wrote another: "also the conference
    ticket for KubeCon, 1200 eur" after a 39.90 expense."""
    names = [name for name, spec in properties.items() if isinstance(spec, dict) and spec.get("type") == "number"
             and re.search(r"eur|euro", f"{name} {spec.get('description') or ''}", re.IGNORECASE)]
    priced = {float((match.group(1) or match.group(2)).replace(",", "")) for match in PRICED.finditer(request)}
    if len(names) != 1 or len(priced) != 1:
        return {}
    value = priced.pop()
    return {names[0]: value} if arguments.get(names[0]) != value else {}


def word_stem(word: str) -> str:
    """A word's first five letters less a plural's s ("taxi" and "taxis"), as words with one root and different
    endings are compared by."""
    word = word.casefold()
    return (word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word)[:5]


def words_of(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.casefold())


#: Words that open a message before its question ("ok unrelated, is SHP-205117 delivered yet").
_LEAD_IN = r"(?:ok(?:ay)?|so|also|and|but|btw|unrelated|anyway|hey|hi|oh|hm+|quick\s+one)[\s,.:;!-]+"
#: A request that asks rather than tells: it names a state to read, never one to set. A clause may ask after a
#: greeting or an id ("E1009 here, whats happening with my unpaid leave request", "shp-205044 whats the eta",
#: "crm still locked!! ticket 4102 whats the status", "supplier wants to drop off PO-118204 at venlo on wednesday, what
#: inbound slots are free").
_QUESTION = re.compile(r"^\W*(?:" + _LEAD_IN + r")*(?:is|are|was|were|what|which|who|whom|whose|when|where|why|how|has|"
                       r"have|had|did|do|does|can(?!['’]t\b)|could|will|would|should)\b|\?\s*$|"
                       r"^\W*[A-Za-z]+-?\d[\w-]*,?\s+(?:what|whats|what's|which|who|when|where|wheres|how)\b|"
                       r"(?:[,.;:!]|\d)\s+(?:what(?:'?s| is)|where(?:'?s| is)|how(?:'?s| is))\s|"
                       r"[,.;:!]\s+(?:what|which)\s+(?:\w+\s+){0,3}(?:are|is|do|does|have|has|can)\b",
                       re.IGNORECASE)


#: Words that make a question a request to do something: "can you", "could i", "pls", "i'd like", or an order's
#: verb opening it.
_REQUEST_WORDS = re.compile(r"\b(?:(?:can|could|would|will)\s+(?:you|u|i|we|someone|somebody|anyone)|pls|plz|please|"
                            r"i'?d\s+like|i\s+want|i\s+need|need\s+to|let\s+me|go\s+ahead)\b|"
                            # an order put as a question: "put the days in april instead? 8 to 10 april"
                            r"^\W*(?:(?:ok(?:ay)?|so|then|and)\W+)*(?:put|move|change|switch|book|cancel|mark|set|"
                            r"close|raise|submit|log|file)\b", re.IGNORECASE)


def stated_count(schema: dict[str, Any], request: str, today: date | None = None) -> int:
    """How many of an operation's arguments `request` states (as `stated_arguments` reads them; its dates in
    words only given `today`). In a question ("Is ticket 4104 closed?") a required enum, the state an update
    sets, does not count."""
    # what `stated_arguments` reads besides (a boolean's word, a quote) tells no operation apart; one date said
    # ("today") counts once, though it may set both ends of a range
    stated = _stated_values({}, _as_asked(schema, request), request, today)
    properties = schema.get("properties") or {}
    dates = sum(value_shape(properties.get(name) or {}) == "format:date" for name in stated)
    said = len(stated_dates(request, today)) if dates and today is not None else 0
    return len(stated) - dates + min(dates, said)


def is_question(text: str) -> bool:
    """Whether `text` is put as a question: a question mark, or a question word or verb first ("whats my balance")."""
    return bool(_QUESTION.search(text) or "?" in text)


def asks(request: str) -> bool:
    """Whether `request` asks about something rather than asking for something to be done: a question ("SHP-207391
    delivered yet?", "do i have any leave left?") with no word that requests ("can you", "pls", "i'd like")."""
    return is_question(request) and not _REQUEST_WORDS.search(request)


def unstated_required(schema: dict[str, Any], request: str, today: date | None = None) -> list[str]:
    """The required arguments of kinds a request writes out (ids, codes, dates, times, numbers, enum values)
    that `request` does not state: a call would have to make them up. In a question a required enum is not
    stated by naming it ("delivered yet?" sets no status)."""
    properties = schema.get("properties") or {}
    stated = _stated_values({}, _as_asked(schema, request), request, today)
    return [name for name in schema.get("required") or []
            if name not in stated and _written_kind(properties.get(name))]


def _written_kind(spec: Any) -> bool:
    return isinstance(spec, dict) and ("enum" in spec or value_shape(spec) is not None
                                       or spec.get("type") in ("integer", "number"))


def _as_asked(schema: dict[str, Any], request: str) -> dict[str, Any]:
    """`schema` as a question reads it: without its required enums (the state an update would set); a
    question that requests ("can you close ticket 4104?") sets them."""
    if not asks(request):
        return schema
    required = set(schema.get("required") or [])
    properties = {name: spec for name, spec in (schema.get("properties") or {}).items()
                  if not (name in required and "enum" in spec)}
    return {**schema, "properties": properties}


#: A count right before a value's word, which ends its phrase, makes the word a noun counted, not the value: "30
#: people from engineering" names no department People ("last 5 delayed shipments" still names `delayed`, and an
#: id's digits or a time's are no count: "mark shp-207391 delivered", "07:30 inbound"). A state in -ed is no noun
#: to count: "mark ticket 4101 resolved" names `resolved`.
_COUNTED = re.compile(r"(?<![\w:.-])\d+\s*$")
_HEAD_NOUN = re.compile(r"\s*(?:(?:from|in|of|at|on|who|that|with)\b|[.,;:?!]|$)", re.IGNORECASE)


#: What asks after a state in a clause of its own: "so i can check when it was delivered", "see if prague got
#: approved", "and my unpaid leave request, is that still pending?".
_ASKED_OF = re.compile(r"\b(?:when|if|whether)\s+(?:[\w'-]+\s+){1,2}(?:was|were|is|got|has been|had been)\s+$|"
                       r"\b(?:is|are)\s+(?:that|it|this|they|those|these)\s+(?:still\s+|already\s+)?$", re.IGNORECASE)
#: What puts a state to the record changed, right before its word: the record's id ("SHP-204902 delayed") or an
#: order to mark it ("mark it as delayed", "set 4101 to resolved").
_SET_HERE = re.compile(r"(?:\b[A-Za-z]+-?\d[\w-]*|\b(?:mark|set|flag|make|put|change)\b(?:\s+(?:it|this|that|them|"
                       r"[A-Za-z]+-?\d[\w-]*))?)\s+(?:(?:as|to|is|now)\s+)?$", re.IGNORECASE)


def states_asked_after(arguments: dict[str, Any], schema: dict[str, Any], request: str) -> list[str]:
    """The choice arguments whose value `request` names only where it asks after it ("and my unpaid leave
    request, is that still pending?"): the state is the answer's, and filtered on, a "no" would find nothing."""
    properties = schema.get("properties") or {}
    asked = []
    for name, value in arguments.items():
        if not isinstance(value, str) or value not in ((properties.get(name) or {}).get("enum") or ()):
            continue
        starts = [m.start() for m in enum_words(value, verb=False).finditer(request)]
        if starts and all(_ASKED_OF.search(request[max(0, start - 30):start]) for start in starts):
            asked.append(name)
    return asked


def _stated_enums(
    arguments: dict[str, Any], properties: dict[str, Any], required: set[str], request: str
) -> dict[str, Any]:
    text = unquoted(request, properties)
    mentions: dict[str, dict[str, list[tuple[int, int]]]] = {}  # property -> value -> spans naming it
    for name, spec in properties.items():
        for value in spec.get("enum") or []:
            if isinstance(value, str):
                said = enum_words(value, verb=name in required)
                short = _state_word(name, value, spec["enum"])
                spans = [m.span() for pattern in (said, *([short] if short else [])) for m in pattern.finditer(text)
                         if not _NEGATED.search(text[max(0, m.start() - 30):m.start()])
                         and not _ASKED_OF.search(text[max(0, m.start() - 30):m.start()])
                         and not (_COUNTED.search(text[max(0, m.start() - 12):m.start()])
                                  and _HEAD_NOUN.match(text, m.end()) and not value.casefold().endswith("ed"))]
                if spans:
                    mentions.setdefault(name, {})[value] = spans
    claimed: dict[tuple[int, int], set[str]] = {}
    for name, values in mentions.items():
        for spans in values.values():
            for span in spans:
                claimed.setdefault(span, set()).add(name)
    found = {}
    for name, values in mentions.items():
        if len(values) > 1 and name in required:  # "SHP-204902 delayed, tideway's ferry got cancelled"
            set_here = {value: spans for value, spans in values.items()
                        if any(_SET_HERE.search(text[max(0, start - 40):start]) for start, _ in spans)}
            values = set_here if len(set_here) == 1 else values
        if len(values) != 1:
            continue  # "open or in progress": the request names several, the model chooses
        (value, spans), = values.items()
        if all(len(claimed[span]) > 1 for span in spans):
            continue  # every mention could mean another property as well
        if arguments.get(name) != value:
            found[name] = value
    return found


#: The values a string's description lists, when it has no enum: "its name in lower case: mistral, sirocco, zephyr,
#: bora, chinook, foehn or monsoon".
_LISTED = re.compile(r":\s*([a-z][\w-]*(?:,\s*[a-z][\w-]*)+,?\s+or\s+[a-z][\w-]*)\s*\.?\s*$")


def _stated_listed(arguments: dict[str, Any], properties: dict[str, Any], request: str) -> dict[str, Any]:
    """A string property without an enum whose description lists its values, set to the one listed value the
    request names ("can u grab chinook at 3.15": room_id chinook), where the call wrote another."""
    found = {}
    for name, spec in properties.items():
        named = listed_values_named(spec, request)
        if named is not None and len(named) == 1 and arguments.get(name) != named[0] and _takes(spec, named[0]):
            found[name] = named[0]
    return found


def listed_values_named(spec: Any, request: str) -> list[str] | None:
    """The values a string property's description lists (it has no enum) that `request` names; None where the
    description lists none."""
    listed = _LISTED.search(str(spec.get("description") or "")) \
        if isinstance(spec, dict) and spec.get("type") == "string" and "enum" not in spec else None
    if listed is None:
        return None
    values = re.split(r",\s*|,?\s+or\s+", listed.group(1))
    return [value for value in values if re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", request, re.IGNORECASE)]


def _state_word(name: str, value: str, values: list[Any]) -> re.Pattern[str] | None:
    """A state of several words said by its first alone, where no other state opens with it: `pending_approval`
    as "pending" ("my claims that are still pending"). Only for a property named for a state (status, state) and
    a first word of five letters or more: "in" of `in_transit` says nothing."""
    words = re.split(r"[\s_-]+", value)
    if not re.search(r"(?:status|state)$", name) or len(words) < 2 or len(words[0]) < 5 or not words[0].isalpha():
        return None
    if sum(isinstance(other, str) and re.split(r"[\s_-]+", other)[0] == words[0] for other in values) > 1:
        return None
    return re.compile(rf"(?<![\w-]){re.escape(words[0])}(?![\w-])", re.IGNORECASE)


def enum_words(value: str, verb: bool) -> re.Pattern[str]:
    """A named enum value as a person writes it: `in_progress` as "in progress" or "in-progress", `textiles` as
    "textile" and `meal` as "meals", a value of several words with another ending of its last ("video
    conferencing"); with `verb`,
    a state in -ed by its verb too (`closed`: "close"; `cancelled`: "cancel"; `on_hold`: "hold"), and a state
    set again (`open`: "reopen"). Only a required property
    takes the verb: the state an update sets ("close ticket 4104"), while a filter is named by its adjective
    ("closed tickets") and "book" or "load" in a question about shipments names no status."""
    words = [re.escape(word) for word in re.split(r"[\s_-]+", value) if word]
    forms = [r"[\s_-]+".join(words)]
    if words and words[-1].isalpha():  # "textiles" said as "textile", "meals" as "meal", and the other way
        tail = words[-1]
        other = tail[:-1] if tail.endswith("s") and not tail.endswith(("ss", "us", "is")) else tail + "s"
        if len(other) > 3:
            forms.append(r"[\s_-]+".join([*words[:-1], other]))
    if len(words) > 1 and words[-1].isalpha() and len(stem := stems([words[-1].casefold()])[0]) > 3:
        # a value of several words said with another ending of its last: `video_conference` as "video conferencing",
        # or cut short after its first four letters: "video conf"
        forms.append(r"[\s_-]+".join([*words[:-1], re.escape(stem) + r"\w*"]))
        forms.append(r"[\s_-]+".join([*words[:-1], re.escape(words[-1][:4])]))
    last = value.casefold()
    if verb and len(words) == 1 and last.endswith("ed") and len(last) > 4:
        stem = last[:-1] if last[-3] in "aeiouv" or last.endswith(("sed", "zed")) else last[:-2]
        if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiou":  # cancelled -> cancel
            stem = stem[:-1]
        forms.append(re.escape(stem))
    if verb and len(words) == 1 and words[0].isalpha():  # "reopen it": the state `open` set again
        forms.append("re-?" + words[0])
    if verb and len(words) == 2 and words[0].casefold() == "on":  # "hold it pls": the state `on_hold`
        forms.append(words[1])
    return re.compile(r"(?<![\w-])(?:" + "|".join(forms) + r")(?![\w])", re.IGNORECASE)


def _stated_codes(arguments: dict[str, Any], properties: dict[str, Any], request: str, written: str) -> dict[str, Any]:
    """Codes the call left out, for properties of their shape. A date the request says in words ("tomorrow",
    in `written` as 2026-06-11) fills a date property only, not one whose pattern a date happens to fit (a
    truck plate's)."""
    used = " ".join(str(value) for value in arguments.values()).casefold()
    groups: dict[str, list[str]] = {}  # one shape (pattern or date format) -> its properties left out, in order
    for name, spec in properties.items():
        shape = value_shape(spec)
        if shape is not None and name not in arguments:
            groups.setdefault(shape, []).append(name)
    codes, dates = stated_codes([request]), stated_codes([written])
    found = {}
    for shape, names in groups.items():
        tokens = dates if shape == "format:date" else codes
        values = [value for token in tokens
                  if token.casefold() not in used and (value := fitting_code(shape, token)) is not None]
        if len(values) == len(names):  # as many written values of that shape as properties left to fill
            found.update(zip(names, values, strict=True))
    return found


#: Words that make one stated date the end of a range whose other end is open ("since 1 may").
OPEN_RANGE = re.compile(r"\b(?:from|since|(?<!day\s)after|(?<!day\s)before|until|till|between)\b", re.IGNORECASE)


def _stated_dates(arguments: dict[str, Any], properties: dict[str, Any], request: str, today: date) -> dict[str, Any]:
    """The call's date arguments that no reading of the request's dates fits, set to the stated dates in
    order, when it states as many as the call has (or one date for a call with two, such as a one-day leave's
    start and end, unless a word makes it one end of a range). A range's one stated end ("since 1 may",
    "before friday") goes to the first or the second of two date properties the call left out."""
    dates = [name for name, spec in properties.items() if value_shape(spec) == "format:date"]
    names = [name for name in dates if name in arguments]
    stated = stated_dates(request, today)
    if not stated and len(dates) == 2 and is_range(dates) and {"from", "since"} & set(re.split(r"[\W_]+", dates[0])) \
            and _YEAR_SO_FAR.search(request):
        # a filter's "spent on client entertainment this year": from 1 january (not a date phrase of its own: "sick
        # days left this year" asks what is left of a yearly allowance, "3 days off this year" names no day)
        start = today.replace(month=1, day=1).isoformat()
        return {dates[0]: start} if arguments.get(dates[0]) != start else {}
    if TOLD_IN_THE_PAST.search(request):  # "paid on monday", "bought it on the 3rd": the day that has been
        stated = [_in_the_past(said, today) for said in stated]
    opens = OPEN_RANGE.search(request)
    if len(stated) == 1 and len(dates) == 2 and opens and (not names or is_range(dates)):
        # "since 1 may": from_date, not to_date (the other end the call wrote is `unsaid_dates`')
        word = opens.group(0).lower()
        said = stated[0].readings
        # "since monday" is the last one: what has happened since
        meant = min(said) if word in ("since", "after") and min(said) <= today else said[0]
        end = dates[closes(word)]
        return {end: meant.isoformat()} if as_date(arguments.get(end)) != meant else {}
    if len(stated) == 1 and len(dates) == 2 and not opens and (len(names) == 2 or not names and is_range(dates)):
        names, stated = dates, stated * 2  # one day: "sick leave today", "what left yesterday"
    if len(stated) == 2 and len(dates) == 2 and len(names) < 2 and is_range(dates):
        names = dates  # "between 1 and 5 june": both ends, whichever the call wrote
    joined = [(said, then) for said, then in pairwise(stated)
              if _JOINS_RANGE.match(request[said.end:then.start])]
    if len(stated) > 2 and len(dates) == 2 and is_range(dates) and len(joined) == 1:
        names, stated = dates, list(joined[0])  # "due in august, leave from 17 aug until the end of september"
    if len(dates) == 1 and len(stated) > 1 and not any(as_date(arguments.get(dates[0])) in said.readings
                                                       for said in stated):
        # "covering for joris today, ... free inbound slots at WH-04 on wednesday": the day put to the call
        given = [said for said in stated if _GIVEN_DAY.search(request[:said.start])]
        names, stated = (dates, given) if len(given) == 1 else (names, stated)
    if not names or len(stated) != len(names):
        return {}
    if len(names) == 2 and is_range(names):  # "yesterday and the day before": the earlier starts
        stated = sorted(stated, key=lambda said: said.likeliest)
    return {name: said.likeliest.isoformat() for name, said in zip(names, stated, strict=True)
            if as_date(arguments.get(name)) not in said.readings}


#: What puts a day to a call among the days a request states: "on wednesday", "for the 12th".
_GIVEN_DAY = re.compile(r"\b(?:on|for|by)\s+(?:the\s+)?$", re.IGNORECASE)
#: The part of this year that has been: "this year", "so far this year", "year to date", "ytd".
_YEAR_SO_FAR = re.compile(r"\b(?:this|current) year\b|\byear to date\b|\bytd\b", re.IGNORECASE)
#: What joins the two ends of a range of dates: "17 aug until the end of september", "the 3rd to the 7th".
_JOINS_RANGE = re.compile(r"^\s*(?:-|–|to|till|until|through|thru)\s*(?:the\s+)?$", re.IGNORECASE)
#: A verb telling of what has been done: its date ("on monday", "the 3rd") is one that has been.
TOLD_IN_THE_PAST = re.compile(
    r"\b(?:paid|bought|purchased|spent|was|were|had|went|got|took|travell?ed|drove|flew|stayed|shipped|arrived|"
    r"received|returned|happened|incurred|attended|visited|ate|delivered|left\s+(?:on|at|from))\b", re.IGNORECASE)


def _in_the_past(said: StatedDate, today: date) -> StatedDate:
    """`said` with only its readings on or before `today`, when it has any."""
    past = tuple(reading for reading in said.readings if reading <= today)
    return replace(said, readings=past) if past else said


def closes(word: str) -> int:
    """Which end of a range a word opening it names: 0 the start ("since", "from"), 1 the end ("before")."""
    return int(word in ("before", "until", "till"))


def _stated_times(arguments: dict[str, Any], properties: dict[str, Any], request: str) -> dict[str, Any]:
    """The call's time-of-day properties (a pattern that "09:30" fits) set to the times the request states
    ("3 to 4pm", "10:00-11:30", "at noon"), in order, where the call wrote another time or none: as many as
    the call has, or one, its start's, for a call with two, and its end's the start and the one duration the
    request states later ("at 15:15 for half an hour": 15:45)."""
    shapes = {name: shape for name, spec in properties.items()
              if (shape := value_shape(spec)) is not None and shape.startswith("pattern:") and fits(shape, "09:30")
              and not fits(shape, "E1003")}
    stated = stated_times(request)
    if not shapes or not (len(stated) == len(shapes) or len(stated) == 1 and len(shapes) == 2):
        return {}
    minutes = stated_minutes(request)
    if len(stated) == 1 and len(shapes) == 2 and len(minutes) == 1:
        hours, rest = divmod(int(stated[0][:2]) * 60 + int(stated[0][3:]) + minutes[0], 60)
        if hours < 24:
            stated = [stated[0], f"{hours:02d}:{rest:02d}"]
    return {name: value for (name, shape), value in zip(shapes.items(), stated)
            if arguments.get(name) != value and fits(shape, value)}


def _stated_minutes(arguments: dict[str, Any], properties: dict[str, Any], request: str) -> dict[str, Any]:
    """A number property counted in minutes (its name says so) set to the one duration the request states,
    where the call wrote another or none."""
    names = [name for name, spec in properties.items()
             if spec.get("type") in ("integer", "number") and "minute" in name.casefold()]
    return _the_one(arguments, properties, names, stated_minutes(request),
                    lambda spec, minutes: within(spec, float(minutes)))


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _stated_emails(arguments: dict[str, Any], properties: dict[str, Any], request: str) -> dict[str, Any]:
    """The one e-mail property set to the one address the request states, where the call wrote another or
    none."""
    names = [name for name, spec in properties.items()
             if spec.get("format") == "email" or spec.get("type") == "string" and "email" in name.casefold()]
    stated = list(dict.fromkeys(match.group(0).rstrip(".") for match in _EMAIL.finditer(request)))
    return _the_one(arguments, properties, names, stated)


def _stated_countries(arguments: dict[str, Any], properties: dict[str, Any], request: str) -> dict[str, Any]:
    """The one country-code property (named or described as a country, taking "NL") set to the code of the one
    country the request names ("dutch", "poland", `assistant.countries`), where the call wrote another or none; or,
    where the request names none, to the code of the country the call's own value names by another word ("UK")."""
    names = [name for name, spec in properties.items() if spec.get("type") == "string"
             and names_country(name, spec)
             and _takes(spec, "NL")]
    written = [code for name in names if isinstance(arguments.get(name), str)
               for code in stated_countries(arguments[name]) if code != arguments[name]]
    # the call's own "UK" where the request names no country: the code of the country it names, GB
    return _the_one(arguments, properties, names, stated_countries(request) or written, _takes)


#: Words of a boolean's name that say nothing of what it is ("only_free", "photos_attached"), nor which flag it is
#: (the customer of "notify_customer" is in every request about a customer's shipment).
_BARE_WORDS = frozenset({"only", "with", "include", "includes", "attached", "show", "customer", "client", "user",
                         "employee", "supplier", "carrier"})
#: The words staff use for a boolean's word: "dont email them" for notify_customer, "3 pics uploaded" for photos.
FLAG_WORDS = {"notify": ("notify", "email", "e-mail", "inform", "tell", "message"),
              "below": ("below", "under", "low", "short", "running out"),
              "photo": ("photo", "pic", "picture", "image")}
#: A negation up to two words before the word that follows: "no photos", "0 pics", "dont email the customer", "w/o a";
#: before an enum's value it names no state ("its not loaded yet", "hasn't been resolved").
_NEGATED = re.compile(r"(?<![\w'/.,])(?:no|not|0|zero|without|w/o|never|nor|dont|don't|do not|doesn't|doesnt|"
                      r"isn't|isnt|aren't|arent|won't|wont|can't|cant|cannot|hasn't|hasnt|haven't|havent|wasn't|wasnt|"
                      r"weren't|werent|excluding)(?:\s+[^\s,.;:!?]+){0,2}\s+$",
                      re.IGNORECASE)


def _stated_booleans(arguments: dict[str, Any], properties: dict[str, Any], request: str) -> dict[str, Any]:
    """Each boolean property a word of whose name, or an acronym of whose description, the request says
    ("receipt attached", "3 photos up", "the cold store", "adr stuff" for "licensed for ADR dangerous goods") set
    to true, or to false where a negation comes before that word ("no receipt", "dont email the customer", "w/o a
    cold store"), where the call wrote otherwise or nothing. Mentions that disagree settle nothing."""
    text = unquoted(request, properties)
    found = {}
    for name, spec in properties.items():
        said = flag_mentions(name, spec, text)
        if len(said) == 1 and arguments.get(name) != (value := said.pop()):
            found[name] = value
    return found


def flag_mentions(name: str, spec: Any, text: str) -> set[bool]:
    """What `text` says of boolean property `name`: True for each unnegated mention of one of its words, False
    for each negated one (empty: nothing; not a boolean: nothing)."""
    if not isinstance(spec, dict) or spec.get("type") != "boolean":
        return set()
    stems = [word[:-1] if len(word) > 4 and word.endswith("s") else word
             for word in re.split(r"[\W_]+", name.casefold()) if len(word) > 3 and word not in _BARE_WORDS]
    stems = [said for stem in stems for said in FLAG_WORDS.get(stem, (stem,))]
    # an acronym its description names is the word staff use: "ADR" for dangerous_goods
    stems += [word.casefold() for word in re.findall(r"\b[A-Z]{3,6}\b", str(spec.get("description") or ""))]
    # a word of the stem's and a short ending: "photos", "emailed", not the "pic" of "picking"
    said = {_NEGATED.search(text[:m.start()]) is None for stem in stems
            for m in re.finditer(r"(?<![\w-])" + re.escape(stem) + r"\w{0,3}(?![\w-])", text, re.IGNORECASE)}
    # what the description says false lists too is said against the flag: "booked ones too" for only_free
    against = _LISTED_WHEN_FALSE.search(str(spec.get("description") or ""))
    words = [word.casefold() for word in re.findall(r"[A-Za-z]{4,}", against["what"])[:-1]] if against else []
    return said | {_NEGATED.search(text[:m.start()]) is not None for word in words if word not in ("with", "that")
                   for m in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE)}


#: What a flag's description says its false value lists besides: "false lists booked and blocked slots too".
_LISTED_WHEN_FALSE = re.compile(r"\bfalse (?:lists|includes|shows|returns|gives)\s+(?P<what>[^.;]+?)\s+"
                                r"(?:too|as well)\b", re.IGNORECASE)


def _labelled(name: str) -> re.Pattern[str]:
    """A free-text property's value labelled with its name: "note: ferry cancelled", "description: customer reports
    6 units crushed on arrival, outer carton dented" (after a colon, to the sentence's end or a clause said to the
    assistant: ", dont email them"), or without the colon where the name opens a clause (", reason sister's wedding
    in lisbon", to the clause's end). The value is the match's first group that matched (`labelled_value`)."""
    word = r"(?:[^,;.!?\n'\"‘“]|(?<=\w)'(?=\w))"
    return re.compile(rf"(?<![\w-]){re.escape(name)}\s*:\s*((?:{word}|,(?!\s*{_TO_THE_ASSISTANT}))+)"
                      rf"|(?:^|(?<=[,;.!?]))\s*{re.escape(name)}\s(?=[a-z])\s*({word}+)", re.IGNORECASE)


#: What opens a clause said to the assistant rather than written for the record: "dont email them", "pls ...".
_TO_THE_ASSISTANT = r"(?:dont|don't|do not|pls|please|and|also|can|could|mark|set|notify|email|tell|i'?m|im|me|my)\b"


def labelled_value(match: re.Match[str]) -> str:
    """The value a `_labelled` match found."""
    return (match.group(1) or match.group(2) or "").strip()


def unquoted(request: str, properties: dict[str, Any]) -> str:
    """`request` less the texts it quotes or labels with a free-text property's name: a note's words are no
    filter or state ("note: ferry cancelled" sets no status)."""
    text = _QUOTED.sub(" ", request)
    for name in free_text_properties({"properties": properties}):
        text = _labelled(name).sub(" ", text)
    return text


def _stated_quote(arguments: dict[str, Any], schema: dict[str, Any], request: str) -> dict[str, Any]:
    """The free-text property set to the text the request quotes or labels with its name ("log it as 'customer
    found 2 units missing'", "note: ferry cancelled"): the one the call wrote, or the schema's one when it
    wrote none; nothing when the request quotes several texts or the call wrote several free-text values."""
    free = free_text_properties(schema)
    written = [name for name in free if name in arguments]
    labelled = {name: labelled_value(m) for name in free
                if (m := _labelled(name).search(request)) and labelled_value(m)}  # 'note: "..."' is a quote
    quotes = [quote[1:-1].strip() for quote in _QUOTED.findall(request)]
    target = written[0] if len(written) == 1 else next(iter(free)) if len(free) == 1 and not written else None
    if target in labelled and len(labelled) == 1:
        value = labelled[target]
    elif target is not None and len(quotes) == 1 and len(quotes[0].split()) >= 2:
        value = quotes[0]
    else:
        return {}
    return {target: value} if arguments.get(target) != value else {}


def _the_one(
    arguments: dict[str, Any], properties: dict[str, Any], names: list[str], stated: list[Any],
    admits: Callable[[dict[str, Any], Any], bool] = lambda spec, value: True,
) -> dict[str, Any]:
    """The one property of a kind set to the one value of that kind the request states, when its schema
    `admits` it and the call wrote another or none; nothing when either is not one."""
    if len(names) != 1 or len(stated) != 1 or arguments.get(names[0]) == stated[0] or \
            not admits(properties[names[0]], stated[0]):
        return {}
    return {names[0]: stated[0]}


def _takes(spec: dict[str, Any], value: str) -> bool:
    """Whether a string property's enum or pattern admits `value` (one with neither admits anything)."""
    if "enum" in spec:
        return value in spec["enum"]
    shape = value_shape(spec)
    return shape is None or fits(shape, value)


def is_range(names: list[str]) -> bool:
    """Whether two date properties are the two ends of one range (start_date and end_date, shipped_from and
    shipped_to), not two dates of different things (a booking's date and a listing's from_date)."""
    first, second = (re.split(r"[\W_]+", name.casefold()) for name in names)
    return bool({"from", "start", "since", "after"} & set(first)) and \
        bool({"to", "end", "until", "before"} & set(second))


#: A number with the word after it and the word before it: "for 5 people", "floor 3", "the 2nd floor"; "#4106"
#: marks a record's number.
_COUNT = re.compile(r"(?:\b([A-Za-z]+)\s+)?(#)?(?<![\w.,:-])(\d+(?:\.\d+)?)(?:st|nd|rd|th)?(?![\w.,:-]*\d)"
                    r"(?:\s+([A-Za-z]+))?")


#: How chat counts people: "2 of us", "we're 12", "24 ppl", "a room for 8", "just me and the candidate" (2), read as
#: "N people".
_PEOPLE = [(re.compile(r"\b(\d+) of us\b", re.IGNORECASE), r"\1 people"),
           (re.compile(r"\bwe(?:'re| are) (\d+)\b", re.IGNORECASE), r"\1 people"),
           (re.compile(r"\b(\d+) (?:ppl|pax|persons)\b", re.IGNORECASE), r"\1 people"),
           # "need a room for 8 tomorrow", not "a room for 2pm" or "for 2 hours"
           (re.compile(r"\b(?:room|space|table)\s+for\s+(\d+)\b(?![:.]?\d|\s*(?:[ap]\.?m\b|h\b|hrs?\b|hours?\b|min|"
                       r"o'?clock\b))", re.IGNORECASE), r"room for \1 people"),
           (re.compile(r"\b(?:just |only )?(?:me|myself) and (?:the|a|an|my|one) (?!(?:team|group|crew|department|dept|"
                       r"others|rest|whole)\b)[a-z]+\b(?!\s*(?:and|,|\+))", re.IGNORECASE), "2 people")]


def _stated_counts(arguments: dict[str, Any], properties: dict[str, Any], request: str) -> dict[str, Any]:
    # a count the request writes nowhere is the model's ("quantity": 10 for "30 units ... affected"): left out
    written = {name for name, value in arguments.items() if isinstance(value, int | float)
               and not isinstance(value, bool) and _writes(request, value)}
    arguments = {name: value for name, value in arguments.items()
                 if name in written or not isinstance(value, int | float) or isinstance(value, bool)}
    used = {str(value) for value in arguments.values()}
    found: dict[str, Any] = {}
    for pattern, people in _PEOPLE:
        request = pattern.sub(people, request)
    for match in _COUNT.finditer(request):
        before, hashed, number, after = match.groups()
        if number in used:
            continue
        names = [name for name, spec in properties.items()
                 if name not in arguments and spec.get("type") in ("integer", "number")
                 and (_numbers_a_record(name, spec) if hashed else
                      _names_count(name, spec, before, after) or _names_record(name, spec, before))
                 and within(spec, float(number))]
        if len(names) == 1 and names[0] not in found:
            spec = properties[names[0]]
            found[names[0]] = int(float(number)) if spec.get("type") == "integer" else float(number)
    return found


def _writes(request: str, value: float) -> bool:
    """Whether `request` writes the figure `value` as a number of its own (not inside SKU-20817 or 12C)."""
    figure = str(int(value)) if float(value).is_integer() else str(value)
    return re.search(rf"(?<![\w.,-]){re.escape(figure)}(?![\d]|[.,]\d)", request) is not None


#: A unit of time after a count: "the last 3 days" is a span, not how many records to return.
_TIME_UNIT = re.compile(r"(?:minute|hour|day|week|month|year|shift)s?")


def _names_count(name: str, spec: dict[str, Any], before: str | None, after: str | None) -> bool:
    """Whether the noun after a number ("5 people") is a word of the property's name or description, or the
    word before it ("floor 3") a word of its name; "first 10", "top 5", "last 5", "max 10", "show me 20" name a
    limit on how many a look-up returns (a property named limit, or described as the most to return), unless a
    unit of time follows ("the last 3 days")."""
    own = {word.casefold() for word in re.split(r"[\W_]+", name) if len(word) >= 4}
    described = own | {word.casefold() for word in re.findall(r"[A-Za-z]{4,}", str(spec.get("description") or ""))}
    noun = (after or "").casefold()
    if (before or "").casefold() in ("first", "top", "last", "latest", "newest", "recent", "max", "me") and \
            ("limit" in own or {"most", "return"} <= described) and not _TIME_UNIT.fullmatch(noun):
        return True
    return bool(noun) and len(noun) >= 4 and (noun in described or noun.removesuffix("s") in described) or \
        (before or "").casefold() in own


def _names_record(name: str, spec: dict[str, Any], before: str | None) -> bool:
    """Whether the word before a number names the record an integer property numbers: "booking 8090" for "The
    number of the booked slot", "leave 508" for "The number of the leave request" (words compared by stem)."""
    named = set(keywords(f"{name.replace('_', ' ')} {spec.get('description') or ''}")) - _ANY_RECORD
    return bool(before) and _numbers_a_record(name, spec) and bool(set(keywords(before)) & named)


#: Words that name a record's number without saying which record ("number 504", "id 12").
_ANY_RECORD = frozenset(keywords("number id no nr num record"))


def _numbers_a_record(name: str, spec: dict[str, Any]) -> bool:
    """Whether an integer property is a record's number, which "#4106" gives: an id by its name, or described
    as a number ("The IT ticket's number")."""
    return spec.get("type") == "integer" and (name.casefold().endswith("id") or
                                              "number" in str(spec.get("description") or "").casefold())


def within(spec: dict[str, Any], value: float) -> bool:
    """Whether a number property takes `value`: a whole one for an integer, within its bounds."""
    if spec.get("type") == "integer" and not value.is_integer():
        return False
    return spec.get("minimum", value) <= value <= spec.get("maximum", value)
