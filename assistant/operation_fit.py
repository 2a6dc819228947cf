"""Which of a catalog's operations a request fits, read from what it writes: the arguments it states of each
(`assistant.slots.stated_count`), the verb it writes, the ids it names in an operation's own patterns, and
whether it asks or requests. The router (`assistant.router`) weighs these against its classifier, which places
a request by its nouns and hardly by what it states: "Close IT ticket 4104" sits next to getTicket's requests,
"how many pallets of SKU-31005 have we got at WH-03? driver says he can take 26" next to the word problems.
Every function reads a request and the operations' argument schemas; none embeds or calls anything.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

from assistant.codes import narrowed_schema, stated_codes
from assistant.message_kinds import sentences
from assistant.slots import (
    _written_kind,
    asks,
    listed_values_named,
    stated_arguments,
    stated_count,
    unquoted,
    unstated_required,
)
from tools.calculator import Calculator
from tools.retrieval import SearchTool

#: The tools the router's checks know by name: the documents' search and the calculator.
SEARCH = SearchTool.name
CALCULATOR = Calculator.name
#: The least probability at which the classifier's second or third operation is weighed against its first by
#: the arguments the request states.
RIVAL_PROBABILITY = 0.1
#: The least probability at which an operation without side effects is weighed against one with side effects
#: that a question would make up arguments for.
READER_PROBABILITY = 0.05
#: How many of a look-up's arguments a question the classifier would answer without a tool must state for the
#: look-up to take the call ("who can do adr to poland" states listCarriers' dangerous goods and country).
STATED_LOOKUP = 2


#: An order to show records: "show me all claims still waiting for approval", "pls list ...", "can you pull up ...".
_ORDERS_A_READ = re.compile(r"^\W*(?:(?:can|could) (?:u|you) )?(?:pls |please )?(?:show|list|pull up|display|give)"
                            r"(?: me| us)?\b", re.IGNORECASE)


def takes_more_of_the_request(
    tool: str, candidates: Mapping[str, float], schemas: Mapping[str, dict[str, Any]], request: str,
    today: date | None = None, changes: Collection[str] = (),
) -> str | None:
    """Among the operations the classifier rates near `tool` (its top three with probability at least
    RIVAL_PROBABILITY), the one whose arguments `request` states more of than `tool`'s; None when none does.
    Between two changes (`changes`) stating as much, and something, the one that would make up fewer required
    arguments.

    A sentence embedding weighs the nouns and hardly the verb: "Close IT ticket 4104" sits next to getTicket's
    requests, but it states a state to set that only updateTicketStatus takes; "slot 8124 isnt needed anymore,
    we moved that truck to a later slot on thursday" sits next to the bookings, but a booking would make up its
    dock, time and shipment where a cancellation has the slot. Where the request writes `tool`'s verb, the verb
    decides: no rival whose verb it does not write takes the call; where it writes the verb of one rival with side
    effects and not `tool`'s, and states something of that rival's, the rival takes it; and a question (`asks`) or
    an order to show ("show me all claims still waiting for approval") about a look-up's records is not moved to a
    change ("who does E1008 report to? they approved my 3 day trip to hamburg")."""
    if tool not in schemas:
        return None
    rivals = sorted((name for name, p in candidates.items()
                     if name != tool and name in schemas and name not in (SEARCH, CALCULATOR)
                     and p >= RIVAL_PROBABILITY), key=candidates.__getitem__, reverse=True)[:2]
    if tool not in changes and (asks(request) or _ORDERS_A_READ.match(request)):
        # a question or an order to show reads; it changes nothing because it names more
        rivals = [name for name in rivals if name not in changes]
    if verb_written(tool, request):  # "can i still cancel my leave request 509? the 3 days in july ..."
        rivals = [name for name in rivals if verb_written(name, request)]
    written = [name for name in rivals if name in changes and verb_written(name, request)]
    if len(written) == 1 and stated_count(schemas[written[0]], request, today) > 0:
        return written[0]  # "we moved the pickup to thursday so the old booking 7802 can go": a cancellation

    def fit(name: str, rival: str) -> tuple[int, int]:
        # made-up arguments weigh only between two changes (a look-up needs less than the booking it lists for)
        # that the request states something of (a call stating nothing makes up everything)
        stated = stated_count(schemas[name], request, today)
        weigh = tool in changes and rival in changes and stated > 0
        return stated, -len(unstated_required(schemas[name], request, today)) if weigh else 0

    fits = {name: fit(name, name) for name in rivals}
    better = [name for name in rivals if fits[name] > fit(tool, name)]
    return max(better, key=lambda name: (fits[name], candidates[name]), default=None)


def verb_written(tool: str, request: str) -> bool:
    """Whether `request` writes the verb `tool`'s name opens with, as a verb: api.cancelLeaveRequest -> "cancel",
    "cancels", "cancelled" (not "booking", which is mostly a noun, nor "a book"), or a phrase staff say it with
    ("slot 7802 can go", "release the slot", "isn't needed anymore", "raise it", "put me down sick today", "grab
    chinook", "pls claim it")."""
    verb = re.match(r"[a-z]+", tool.removeprefix("api."))
    if verb is None:
        return False
    said = rf"{_NOT_A_NOUN}\b{verb.group()}(?:s|d|ed|led)?\b" + \
        (f"|{_SAID_FOR[verb.group()]}" if verb.group() in _SAID_FOR else "")
    return re.search(said, request, re.IGNORECASE) is not None


def requested_in_words(tool: str, schema: dict[str, Any], request: str, changes: Collection[str],
                       reads: Collection[str]) -> bool:
    """Whether `request` asks for `tool`'s call in words, whatever else it says: a change's verb written outside
    the texts it quotes ("cancel request 508 please, the trip got moved"; not "fix my grammar: 'i has cancel the
    leave request 506'"), or the state it sets told rather than asked after ("4109 is fixed, replaced the docking
    station. mark it resolved"); or a question put to a look-up ("who's got bora tomorrow? we always seem to
    clash")."""
    if tool in changes:
        properties = schema.get("properties") or {}
        states = [name for name in schema.get("required") or [] if "enum" in (properties.get(name) or {})]
        return verb_written(tool, unquoted(request, properties)) or \
            bool(states) and not asks(request) and not set(states) & set(unstated_required(schema, request))
    return tool in reads and asks(request)


#: Phrases staff write an operation's verb with.
#: A verb's word after a determiner is a noun: "bought a book on kubernetes" books no room.
_NOT_A_NOUN = "".join(rf"(?<!\b{word} )"
                      for word in ("a", "an", "the", "my", "your", "our", "this", "that", "his", "her"))
_SAID_FOR = {"cancel": r"\bcancell?ing\b|\bcan go\b(?=\s*(?:$|[,.;!?]|now|too|as well))|\breleas(?:e|ed|ing)\b|"
                       r"\bfree (?:it )?up\b|"
                       r"\b(?:is ?n'?t|not|no longer) needed\b",
             "create": r"\b(?:raise|open)\s+(?:it|a|an|one|that)\b|\bput\s+(?:me|him|her|us)\s+down\b",
             "book": r"\b(?:reserve|grab)\b",
             "submit": r"\b(?:claim|expense)\s+(?:it|that|this)\b"}


def read_instead(
    tool: str, candidates: Mapping[str, float], schemas: Mapping[str, dict[str, Any]], changes: Collection[str],
    request: str, today: date | None,
) -> str | None:
    """The look-up to call instead of `tool`, an operation with side effects, when the request asks rather than
    requests ("SHP-207391 delivered yet?", "do i have any leave left? E1003 here") and leaves out a required
    argument of `tool` that a call would have to make up (the status to set, the dates of a leave): among the
    operations without side effects the classifier rates at READER_PROBABILITY or more, whose name shares a noun
    with `tool`'s (getShipment for updateShipment) and whose required arguments the request leaves out are
    fewer of those `tool`'s ("how did they fix 4109?": getTicket lacks the ticket's number as updateTicketStatus
    does, but no status to set), the one the request states more of, then the likelier; None when there is
    none."""
    made_up = set(unstated_required(schemas[tool], request, today)) if tool in changes and asks(request) else set()
    if not made_up:
        return None
    readers = [name for name in _look_ups(candidates, schemas, changes, READER_PROBABILITY)
               if name_nouns(name) & name_nouns(tool)
               and set(unstated_required(schemas[name], request, today)) < made_up]
    return max(readers, key=lambda name: (stated_count(schemas[name], request, today), candidates[name]),
               default=None)


def _look_ups(
    candidates: Mapping[str, float], schemas: Mapping[str, dict[str, Any]], changes: Collection[str],
    floor: float = 0.0,
) -> dict[str, float]:
    """The API operations without side effects among `candidates` that the classifier rates at `floor` or more,
    with their probabilities."""
    return {name: p for name, p in candidates.items() if name in schemas and name not in changes
            and name not in (SEARCH, CALCULATOR) and p >= floor}


def stated_lookup(
    candidates: Mapping[str, float], schemas: Mapping[str, dict[str, Any]], changes: Collection[str], request: str,
    today: date | None,
) -> str | None:
    """Among the operations without side effects the classifier rates at READER_PROBABILITY or more, the one
    whose arguments the question states STATED_LOOKUP or more of, the most, then the likelier ("who can do adr
    to poland": listCarriers by dangerous goods and country); None when none does."""
    counts = {name: stated_count(schemas[name], request, today)
              for name in _look_ups(candidates, schemas, changes, READER_PROBABILITY)}
    stating = [name for name, count in counts.items() if count >= STATED_LOOKUP]
    return max(stating, key=lambda name: (counts[name], candidates[name]), default=None)


def reader_of_named_record(
    candidates: Mapping[str, float], schemas: Mapping[str, dict[str, Any]], changes: Collection[str], request: str,
    today: date | None,
) -> str | None:
    """The operation without side effects whose required id the question writes out in the id's own pattern
    ("do you think SHP-207391 makes it today?": getShipment); the one the question states more of, then the
    likelier; None when no such operation takes a code the question writes."""
    readers = {name: p for name, p in _look_ups(candidates, schemas, changes).items() if schemas[name].get("required")}
    return operation_named_by_id(readers, schemas, request, today)


def states_nothing(schema: dict[str, Any], request: str, today: date | None) -> bool:
    """Whether `request` states no argument of an operation that needs some written out (an id, a date, a
    state to set) and writes no number: "thanks, the slot booking worked" or "help me write an email to a
    haulier" is no change of a record; a call would make up every value."""
    properties = schema.get("properties") or {}
    needed = [name for name in schema.get("required") or [] if _written_kind(properties.get(name))]
    # A bare number may be a record's id ("cancel leave 508"): a request with a digit states something.
    return bool(needed) and not writes_a_digit(request) and \
        stated_count(schema, request, today) == 0 and len(unstated_required(schema, request, today)) == len(needed)


def writes_a_digit(text: str) -> bool:
    """Whether `text` writes a digit: an id, an amount or a date a call could take."""
    return any(character.isdigit() for character in text)


def record_unnamed(schema: dict[str, Any], texts: Sequence[str]) -> bool:
    """Whether a look-up needs a record's id written with digits (E1004, SHP-207391, a request number) and the
    conversation's user messages `texts` write no digit: whatever else they state (an annual leave type),
    the record read would be made up."""
    properties = schema.get("properties") or {}
    return any(_digit_id(name, properties.get(name)) for name in schema.get("required") or []) and \
        not any(map(writes_a_digit, texts))


def _digit_id(name: str, spec: Any) -> bool:
    """Whether property `name` is an id written with digits: a pattern with a digit, or an integer named an id."""
    if not isinstance(spec, dict):
        return False
    pattern = spec.get("pattern")
    if isinstance(pattern, str):
        return _digits_in(pattern)
    return spec.get("type") == "integer" and re.search(r"(?:^|_)id$|[a-z]Id$", name) is not None


def reader_named_in_full(
    candidates: Mapping[str, float], schemas: Mapping[str, dict[str, Any]], changes: Collection[str], request: str,
    today: date | None,
) -> str | None:
    """The one look-up whose name's nouns the request says and whose required arguments it states, all of them:
    "planning a big trip... whats my leave balance, all types pls? im E1017" is getLeaveBalance's, however near
    the handbook's leave passages it comes. None when no look-up or several are named so."""
    said = {word.casefold().removesuffix("s") for word in re.findall(r"[A-Za-z]+", request)}
    named = [name for name in _look_ups(candidates, schemas, changes) if schemas[name].get("required")
             and name_nouns(name) <= said and not unstated_required(schemas[name], request, today)]
    return named[0] if len(named) == 1 else None


def named_in_words(schema: dict[str, Any], request: str) -> bool:
    """Whether a required argument is a name written in letters (a room's id "foehn", pattern ^[a-z]+$) that
    `request` may state in a way `stated_count` does not read: any such name, or where its description lists the
    names there are, one of them ("hi, can you see my outlook calendar?" names no room, and had read room
    "outdoor")."""
    properties = schema.get("properties") or {}
    return any(isinstance(spec := properties.get(name), dict) and "pattern" in spec
               and not _digits_in(spec["pattern"]) and listed_values_named(spec, request) != []
               for name in schema.get("required") or [])


def _digits_in(pattern: str) -> bool:
    """Whether a property's regex `pattern` has digits in the values it matches (`\\d` or `0-9`)."""
    return re.search(r"\\d|0-9", pattern) is not None


def team_looked_up(candidates: Mapping[str, float], schemas: Mapping[str, dict[str, Any]], changes: Collection[str],
                   request: str, today: date | None) -> str | None:
    """The one look-up among `candidates` whose choice (an enum value) a question who is in a team or department
    names ("who's in the people team": searchDirectory by department People); None otherwise."""
    if _WHO_IN_TEAM.search(request) is None:
        return None
    named = [name for name in _look_ups(candidates, schemas, changes)
             if any("enum" in ((schemas[name].get("properties") or {}).get(argument) or {})
                    for argument in stated_arguments({}, schemas[name], request, today))]
    return named[0] if len(named) == 1 else None


#: A question who is in a team: "who's in the people team", "who works in the legal department".
_WHO_IN_TEAM = re.compile(r"\bwho(?:'?s| is| are| works?)\s+(?:in|on)\b.*\b(?:team|department|dept)\b", re.IGNORECASE)


def ordered_look_up(tool: str, schemas: Mapping[str, dict[str, Any]], changes: Collection[str], request: str
                    ) -> str | None:
    """The one look-up whose verb opens `request` as an order and whose name shares a noun with `tool`'s, in place
    of `tool`, a change whose verb the request does not write ("then list everything still in progress" after a
    ticket's update: listTickets, not the update to in progress); None otherwise."""
    order = _LOOK_UP_ORDER.match(request)
    if order is None or tool not in changes or verb_written(tool, request):
        return None
    named = [name for name in schemas if name not in changes and name_nouns(name) & name_nouns(tool)
             and name.removeprefix("api.").startswith(order["verb"].casefold())]
    return named[0] if len(named) == 1 else None


#: A look-up's verb opening a request as an order: "then list everything still in progress", "ok search for ...".
_LOOK_UP_ORDER = re.compile(r"^\W*(?:(?:ok(?:ay)?|then|and|now|also|pls|please|so)\W+)*(?P<verb>list|search)\b",
                            re.IGNORECASE)


def name_nouns(tool: str) -> set[str]:
    """The words of an operation's name after its verb, singular: api.listLeaveRequests -> {leave, request}."""
    words = re.findall(r"[A-Z]?[a-z]+", tool.removeprefix("api."))[1:]
    return {word.casefold().removesuffix("s") for word in words}


#: An order for a new record by its noun: "ok open a ticket then", "pls book a room for us", "submit an expense".
_NEW_RECORD = re.compile(r"\b(?:open|raise|log|file|create|make|book|submit|report|add|put in)\s+"
                         r"(?:(?:a|an|one|new|another|me|us|quick)\s+){1,3}(?P<noun>[a-z]+?)s?\b", re.IGNORECASE)
#: The verbs that open the name of an operation making a new record.
_MAKING = frozenset({"create", "book", "submit", "report", "add", "open", "raise", "log", "file", "request", "new"})


def new_record_ordered(text: str, changes: Collection[str]) -> str | None:
    """The one change making a new record whose noun an order in `text` names ("ok open a ticket then, need a 27
    inch monitor for home" is createTicket's, whatever figures it writes); None where none or several do."""
    nouns = {match["noun"].casefold() for match in _NEW_RECORD.finditer(text)}
    named = [tool for tool in sorted(changes) if name_nouns(tool) & nouns
             and re.findall(r"[a-z]+", tool.removeprefix("api."))[:1] in ([verb] for verb in _MAKING)]
    return named[0] if len(named) == 1 else None


def operation_named_by_id(
    candidates: Mapping[str, float], schemas: Mapping[str, dict[str, Any]], request: str, today: date | None = None,
    changes: Collection[str] = (),
) -> str | None:
    """The operation a request that writes out an id of one of its id patterns (SKU-27714, SHP-207391) is
    about, when the classifier sent it to the calculator for its figures: a word problem names no records ("how
    many SKU-27714 do we have left in WH-05? customer wants 300" reads the stock). Among the operations taking
    such an id, the one whose arguments the request states more of, then the likelier, and when the sentences
    writing out the ids ask, only among the look-ups they state every required argument of ("how many pallets
    of SKU-31005 have we got at WH-03? driver says he can take 26" states more of a damage report); None when
    the request writes out no such id. The documents may name ids (a handbook's table of warehouses), so a
    question the classifier sent to them stays there."""
    codes = stated_codes([request])
    takers = [tool for tool in candidates if tool in schemas and codes and
              narrowed_schema(schemas[tool], codes) != schemas[tool]]
    if not takers:
        return None
    readers = [tool for tool in takers if tool not in changes and not unstated_required(schemas[tool], request, today)]
    if readers and asks(" ".join(_sentences_naming(request, codes))):
        takers = readers
    return max(takers, key=lambda tool: (stated_count(schemas[tool], request, today), candidates[tool]))


def _sentences_naming(text: str, codes: Sequence[str]) -> list[str]:
    """The sentences of `text` that write out one of `codes` ("E1006: need a 2nd monitor, hardware." but not
    "also do monitors come out of my 600 eur budget?")."""
    wanted = [code.casefold() for code in codes]
    return [sentence for sentence in sentences(text) if any(code in sentence.casefold() for code in wanted)]
