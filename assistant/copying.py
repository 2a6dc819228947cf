"""Free-text arguments written in the conversation's own words.

A ticket's title, a booking's title, an expense's description: the schema says only "a string", and the small
model fills it with words nobody said ("Ungovernized" for "i gave them my MFA code", "Last updated on
2026-06-10" for "hotel night in hamburg"). Staff act on what such a call records, so a free-text argument is
kept to a run of words the conversation states (its user messages and tool results): while the model writes
one, `CopiedText.allows` says whether the string so far still is one, and the engine masks the tokens that
would make it something else. Properties with an enum, a pattern or a format are the grammar's business, and
the calculator's expression is not free text (`assistant.figures` keeps it to the stated figures).

A run of the words is not yet the run a person would pick: the model stops early ("My laptop") or starts on the
room or the day ("book mistral tmrw"). For a call that records something, `whole_phrases` settles the value on
a whole phrase of the request once the call is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.dates import stated_dates, stated_duration_spans, stated_time_spans


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


def uncopied(arguments: dict[str, Any], schema: dict[str, Any], said: str) -> list[str]:
    """The optional free-text arguments that are no run of `said` (the conversation's user messages and tool
    results): the copy rule masks only the likeliest tokens, and a note can slip past it ("I found a new
    shipment" for "and SHP-207346 as well")."""
    required = set(schema.get("required") or [])
    text = _normalised(said)
    return [name for name in sorted(free_text_properties(schema) - required)
            if isinstance(arguments.get(name), str) and _normalised(arguments[name]) not in text]


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


#: Words at a phrase's ends that name nothing: "for the budget review", "all hands in", "my laptop", "could you
#: reserve", "can u grab", "needs access to the finance shared drive".
_EDGE_WORDS = frozenset({
    "a", "an", "the", "this", "that", "my", "our", "your", "their", "me", "us", "i", "we", "it", "its",
    "for", "of", "to", "in", "on", "at", "by", "with", "from", "about", "and", "or", "but", "so",
    "pls", "please", "plz", "hi", "hey", "thanks", "just", "could", "can", "would", "will", "you", "u", "someone",
    "somebody", "i'd", "i'm", "we're", "need", "needs", "want", "wants", "like", "since", "until",
    "till", "after", "before", "during", "grab", "reserve", "ok", "okay", "then", "fine", "sure",
    "ugh", "oh", "ah", "hmm", "also", "open", "raise", "log", "file", "new", "one", "another", "put", "claim",
    "different", "unrelated", "thing", "btw"
})
#: Words of a date or a time of day that `stated_dates` leaves to the words around them ("fri 26 june").
_WHEN_WORDS = frozenset({
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "morning", "afternoon",
    "evening", "tonight", "am", "pm"
})
#: Where a clause ends; a phrase never runs across one.
_CLAUSE_END = re.compile(r"[,;:!?()\[\]]|\.(?=\s|$)|\s[-–]\s")
#: Edge words that end a verb's phrase at the end of a clause: "caved in", "fell off", "broke down".
_PARTICLES = frozenset({"in", "on", "off", "up", "down", "out", "over"})
#: A word as written, with the punctuation around it.
_WORD = re.compile(r"\S+")


#: A currency written beside an amount ("a 900 eur hotel expense"): the amount's, never a record's text.
_CURRENCIES = frozenset({"eur", "euro", "euros", "€", "usd", "dollars", "$", "gbp", "pounds", "£", "chf"})
#: What a figure counts, written after it ("for 6 ppl", "100 km total"): the figure's, not a record's text.
_FIGURE_UNITS = frozenset({"ppl", "people", "persons", "pax", "km", "kms", "kg", "kgs", "min", "mins", "minutes",
                           "h", "hr", "hrs", "hours", "days", "pcs", "units", "unit", "degrees", "cases", "pallets",
                           "boxes", "cartons", "pieces", "items"})
#: Where a sentence ends: a phrase is taken from the first sentence that has one (asides and "pls log it, E1013"
#: come after what happened).
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
#: One letter and one digit, a name's part rather than a record's code: "Q3 kickoff", "H1 review".
_SHORT_CODE = re.compile(r"[A-Za-z]\d")


def whole_phrases(
    arguments: dict[str, Any], schema: dict[str, Any], request: str, today: date | None, *, said: str = "",
    action: str = ""
) -> dict[str, str]:
    """The free-text values of a call (a ticket's title, an expense's description) to set to whole phrases of
    `request`, the person's message. A phrase is a run of its words within one clause with no number (nor the
    count's unit after it, "6 ppl"), code (a letter and a digit, "Q3", is a name's), currency, date, time, duration
    or word of another argument's value in it, less the words at its ends that name nothing ("for the budget
    review": "budget review") and the verb that opens the call's name `action` ("submit a taxi expense" of
    submitExpense: "taxi expense"); a run of nothing but such words and the words of `action` ("book room" of
    bookMeetingRoom) is none.

    - A value holding another argument's word or a date ("book mistral tmrw", "Sirocco", "I'm
      e.peeters@harborfreight.example") becomes the request's longest phrase, in its first sentence that has one
      (what happened or is wanted comes before the asides and "pls report it, E1013"): the room, the person and
      the day are arguments of their own, the title is what is left.
    - A value that stops inside a phrase ("My laptop" of "my laptop screen keeps flickering", "Tax" of "taxi
      from the station") runs to the phrase's end, and one that starts inside it ("foehn is flickering" of "the
      screen in foehn is flickering") starts where the phrase does, unless it runs on across clauses. A required
      value the phrases do not hold (the unit of "1 unit") becomes the request's longest phrase.

    - A required value left empty, without a word (a damage report's description "", "{" or "3, 123456.") or
      left out where the description requires it now (a resolved ticket's note, `required_now`) becomes the
      request's longest phrase too, as does a required value of words that name nothing ("book"), or of words
      nobody wrote (in `said`, the conversation's user messages and tool results: "Bottleneck" for "the budget
      review") where that phrase has two words or more.

    Values an earlier message holds where the request holds none, or that the request quotes or labels whole
    ('write it up as "Three units crushed in transit"', "description: logger hit 12C for 1 hour"), are left as
    written."""
    words = [word.casefold() for word in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", action)]
    verb, naming = (words[0] if words else ""), _EDGE_WORDS | set(words)
    free = free_text_properties(schema)
    required = set(schema.get("required") or [])
    others = {word for name, value in arguments.items() if name not in free and isinstance(value, str)
              for word in re.split(r"[\W_]+", value.casefold()) if len(word) > 1}
    dates = [(stated.start, stated.end) for stated in stated_dates(request, today)] if today is not None else []
    # a time or a duration is a booking's, never a title's ("at 3.15 for half an hour"), though a note may hold one
    timed = [(start, end) for start, end, _ in stated_time_spans(request) + stated_duration_spans(request)]

    def named_elsewhere(word: re.Match[str]) -> bool:
        bare = word.group(0).strip("\"'‘’“”.,!?()").casefold()
        return bare in others or bare in _WHEN_WORDS or "@" in bare or \
            any(start < word.end() and word.start() < end for start, end in dates)

    def blocked(word: re.Match[str]) -> bool:
        bare = word.group(0).strip("\"'‘’“”.,!?()")
        return named_elsewhere(word) or any(start < word.end() and word.start() < end for start, end in timed) or \
            any(c.isdigit() for c in bare) and not _SHORT_CODE.fullmatch(bare) or bare.casefold() in _CURRENCIES or \
            bare.casefold() in _FIGURE_UNITS and any(c.isdigit() for c in "".join(request[:word.start()].split()[-1:]))

    phrases = _phrases(request, blocked, verb, naming)
    found = {}
    now = required_now(arguments, schema) - arguments.keys()
    for name in sorted(free & (arguments.keys() | now)):
        value = arguments.get(name, "")
        if isinstance(value, str) and value.strip() and \
                re.search(rf"[\"“‘']\s*{re.escape(value.strip())}\s*[\"”’']|\b{re.escape(name)}\s*:\s*"
                          rf"{re.escape(value.strip())}", request, re.IGNORECASE):
            continue  # the person's own words, quoted or labelled: another argument's word in them is theirs to write
        owed = isinstance(value, str) and name in required | now  # a value the call cannot go without
        empty = owed and not any(word.casefold() not in _CURRENCIES
                                 for word in re.findall(r"[^\W\d_]{2,}", value))  # "{", "3 EUR"
        at = _run_in(request, value) if isinstance(value, str) and value.strip() else None
        idle = owed and bool(value.split()) and all(_names_nothing(word, naming) for word in value.split())
        made_up = owed and at is None and not empty and _normalised(value) not in _normalised(f"{request}\n{said}")
        if at is None and not empty and not idle and not made_up:
            continue
        if empty or idle or made_up or \
                any(named_elsewhere(word) for word in _WORD.finditer(request, *at) if word.end() <= at[1]):
            start, end = _first_longest(phrases, request)
            if made_up and len(re.findall(r"[^\W\d_]{2,}", request[start:end])) < 2:
                continue  # one word left of the request says less than what the model wrote, made up or not
        else:
            phrase = next(((start, end) for start, end in phrases if start <= at[0] < end or at[0] <= start < at[1]),
                          None)
            if phrase is not None:
                # within its phrase, the whole phrase; running across clauses, the value as written to its phrase's end
                start, end = (phrase[0] if at[1] <= phrase[1] else max(phrase[0], at[0])), max(phrase[1], at[1])
            elif owed and phrases:  # "unit" of "1 unit": a figure's word, no description
                start, end = _first_longest(phrases, request)
            else:
                continue
        phrase_text = request[start:end].strip("\"'‘’“” ")
        if name in now and len(phrase_text.split()) < 2:
            continue  # "resolve 4115" says no resolution
        if phrase_text and phrase_text != value:
            found[name] = phrase_text
    return found


#: A free text a description requires when another argument has a value: "required when the new status is resolved".
_REQUIRED_WHEN = re.compile(r"\brequired (?:when|if) (?:the )?(?:new )?(?P<name>[a-z_]+) is (?P<value>[a-z_]+)\b",
                            re.IGNORECASE)


def required_now(arguments: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    """The properties whose description requires them when another argument has the value the call gives it (a
    ticket's note "required when the new status is resolved", for a call setting status resolved)."""
    found = set()
    for name, spec in (schema.get("properties") or {}).items():
        when = _REQUIRED_WHEN.search(str((spec or {}).get("description") or ""))
        if when is not None and str(arguments.get(when["name"])).casefold() == when["value"].casefold():
            found.add(name)
    return found


#: An order to the assistant or a field's name before a colon, opening a free-text value copied from the request:
#: "pls log it: forks went through the side", "note: signed by J. Peeters", "note that i sent the logs".
_LABEL = re.compile(r"^\s*(?:(?:pls|please|can you|could you)\s+)?(?:(?:(?:log|report|file|raise|record|note|write|add|"
                    r"put|say|book|mark|set)(?:\s+(?:it|this|that|them|down|up|in))*|description|desc|note|notes|"
                    r"reason|title|comment)\s*:\s*|note\s+that\s+)(?=\S)", re.IGNORECASE)


#: A name given to what the call makes, opening a free-text value: "call it partner sync", "titled Q4 planning".
_NAMING = re.compile(r"^\s*(?:(?:pls|please)\s+)?(?:(?:call|name|title)\s+it|titled)\s+(?=\S)",
                     re.IGNORECASE)


def unlabelled(arguments: dict[str, Any], schema: dict[str, Any]) -> dict[str, str]:
    """Free-text values that open with an order to the assistant or a field's name and a colon ("log it: forks
    went through the side"), or with the words that give a name ("call it partner sync"), set to what follows:
    the words before it were said to the assistant, not written for the record."""
    free = free_text_properties(schema)
    return {name: value[label.end():] for name, value in arguments.items()
            if name in free and isinstance(value, str)
            and (label := _LABEL.match(value) or _NAMING.match(value)) is not None}


def _phrases(request: str, blocked: Callable[[re.Match[str]], bool], verb: str = "",
             naming: frozenset[str] | set[str] = _EDGE_WORDS) -> list[tuple[int, int]]:
    """The (start, end) of each run of `request`'s words within a clause that `blocked` passes, less its edge
    words and an opening `verb`; a run of nothing but `naming` words is none."""
    phrases = []
    clause_starts = [0] + [m.end() for m in _CLAUSE_END.finditer(request)]
    clause_ends = [m.start() for m in _CLAUSE_END.finditer(request)] + [len(request)]
    for clause_start, clause_end in zip(clause_starts, clause_ends, strict=True):
        run: list[re.Match[str]] = []
        for word in [*_WORD.finditer(request, clause_start, clause_end), None]:
            if word is not None and not blocked(word):
                run.append(word)
                continue
            while run and _names_nothing(run[0].group(0), _EDGE_WORDS | {verb}):
                run.pop(0)
            while run and _names_nothing(run[-1].group(0), _EDGE_WORDS) and \
                    not (word is None and run[-1].group(0).casefold() in _PARTICLES):  # "the pallet caved in"
                run.pop()
            if run and not all(_names_nothing(word.group(0), naming) for word in run):
                phrases.append((run[0].start(), run[-1].end()))
            run = []
    return phrases


def _first_longest(phrases: list[tuple[int, int]], request: str) -> tuple[int, int]:
    """The phrase of most words in the first of `request`'s sentences that has one of two words or more ("ok can
    you file it. WH-02, 1 unit. glass bottle broke ..."), else in the first that has one; (0, 0) when there is
    none."""
    if not phrases:
        return 0, 0
    ends = [m.start() for m in _SENTENCE_END.finditer(request)]
    worded = [span for span in phrases if len(request[span[0]:span[1]].split()) > 1] or phrases
    first = min(sum(end < start for end in ends) for start, _ in worded)
    return max((span for span in phrases if sum(end < span[0] for end in ends) == first),
               key=lambda span: len(request[span[0]:span[1]].split()))


def _names_nothing(word: str, words: Iterable[str]) -> bool:
    """Whether `word`, as written, is one of `words` (lower case) and not an acronym: "it" but not "IT"."""
    bare = word.strip("\"'‘’“”.,!?")
    return bare.casefold() in words and not (len(bare) > 1 and bare.isupper())


def _run_in(text: str, value: str) -> tuple[int, int] | None:
    """Where `value` first stands in `text` (ignoring case and runs of whitespace), from the start of the word it
    starts in ("onfirmed" of "confirmed") to the end of the word it stops in; None when it does not."""
    pattern = r"\s+".join(re.escape(word) for word in value.split())
    found = re.search(pattern, text, re.IGNORECASE)
    if found is None:
        return None
    start, end = found.start(), found.end()
    while start > 0 and text[start].isalnum() and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] in "'-") and text[end - 1].isalnum():
        end += 1
    return start, end


def _normalised(text: str) -> str:
    return " ".join(text.casefold().split())
