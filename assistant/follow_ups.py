"""A message that goes on from the call before it: reading that call, and the arguments a call keeps of it.

Staff refine and correct what they just asked ("and urgent?", "only annual leave", "just travel", "no wait,
10:30 to 11:30", "actually make it today and tomorrow", "same for kwame, E1012") and act on the record they just
looked up ("ok i'll take that one, move it to in progress"). Such a message names only what changes: "and urgent?"
had lost the open status the call before it filtered on, and "mark it resolved" after a look-up of ticket 4103
closed ticket 4.

The call before is the last API call of the turn before this one, as the chat's history holds it (the
assistant's call message, `assistant.chat_format.parse_call`); a message says in words that it goes on
(`refines`: "and ...", "only ...", "no wait", "make it", "those", "free ones") or corrects it
(`assistant.corrections`). Which call such a message wants is `assistant.follow_up_calls`'. Of the arguments, a
refinement of the same operation keeps every one the message does not state again, and a call of another
operation takes the record's id the message refers to ("it", "that one") and does not write itself, or the id the
person gave as their own earlier in the chat where the message speaks of them ("now show me all my claims" after
an expense submitted "for me E1013").
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from assistant.chat_format import ParsedCall, parse_call
from assistant.codes import (
    fitting_code,
    id_pattern,
    is_id,
    named_id_arguments,
    record_number,
    stated_codes,
    value_shape,
)
from assistant.copying import free_text_properties, whole_phrases
from assistant.corrections import CORRECTS, DENIED, corrected_count, corrects
from assistant.dates import stated_dates, stated_times
from assistant.message_kinds import (
    follow_up,
    sentences,
    word_count,
)
from assistant.named_search import name_argument, next_name, own_words, searched_name
from assistant.operation_fit import name_nouns
from assistant.slots import asks, stated_arguments
from assistant.unsaid import forgotten_filters

#: A message that refines or corrects the one before it, beyond `message_kinds.follow_up`'s words: "only
#: annual leave", "economy only", "just travel", "no wait, 10:30 to 11:30", "actually make it today and
#: tomorrow", "sorry i meant bora", "oh and dont email the customer", "any of them with a projector", "free ones
#: thursday 9 till 12", "with standard service", "top 5 is enough", "needs video conf, one of them is remote".
_REFINES = re.compile(r"^\W*(?:(?:ok(?:ay)?|oh|hm+|ah)\W+)?(?:and|n|with|without|incl|including|excluding|needs?|"
                      r"must have)\b|"
                      r"\b(?:of them|ones)\b|\b(?:top|first) \d+\b|\b(?:is|are) enough\b", re.IGNORECASE)
#: The most words of a message that is nothing but a value the call before takes: "gdansk", "sirocco?".
VALUE_WORDS = 2
#: Words that go along with what was said before and name nothing: "ok zephyr then", "fine, 4pm".
_ASSENT = re.compile(r"\b(?:ok(?:ay)?|fine|sure|alright|then|pls|please|thanks|thx)\b", re.IGNORECASE)
#: Words that point at the one record looked up before among others: "the one in IT".
_THE_ONE = re.compile(r"\bthe one\b", re.IGNORECASE)
#: Words that point back at the record the call before named: "move it to in progress", "mark that one resolved".
_POINTS_BACK = re.compile(r"\b(?:it|that|this|that one|this one|the same one)\b", re.IGNORECASE)
#: Words that point back at that record and at nothing else ("claims that are pending" points at none).
POINTS_AT_IT = re.compile(r"\b(?:it|that one|this one|the same one|her|his|him|their)\b", re.IGNORECASE)
#: Words that give a record's text anew: "actually call it budget review", "titled ...", a quote.
_RETEXTS = re.compile(r"\b(?:call|name|rename|title)\s+it\b|\btitled\b|[\"“‘]", re.IGNORECASE)
#: The word by which the person speaks of what is theirs: "my leave requests", "tickets of mine".
_POSSESSIVE = re.compile(r"\b(?:my|mine)\b", re.IGNORECASE)
#: Words by which the person speaks of themself: "show me all my claims", "how many days do i have now".
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|me|my|mine|myself)\b", re.IGNORECASE)


def refines(text: str) -> bool:
    """Whether `text` says in words that it goes on from the message before it, refining or correcting it, or its
    last sentence does ("hm none? what about high")."""
    parts = sentences(text)
    return follow_up(text) or corrects(text) or _REFINES.search(text) is not None or \
        len(parts) > 1 and follow_up(parts[-1])


def last_call(messages: list[dict[str, Any]], back: int = 1) -> ParsedCall | None:
    """The last API call of the turn `back` turns before the last user message of `messages` (1: the turn just
    before); None when it made none."""
    users = [index for index, message in enumerate(messages) if message.get("role") == "user"]
    if len(users) < back + 1:
        return None
    turn = messages[users[-1 - back] + 1 : users[-back]]
    for index in reversed(range(len(turn))):
        if turn[index].get("role") != "assistant":
            continue
        parsed = parse_call(str(turn[index].get("content") or ""))
        if parsed is not None and parsed.tool.startswith("api.") and isinstance(parsed.arguments, dict):
            result = turn[index + 1] if index + 1 < len(turn) and turn[index + 1].get("role") == "tool" else {}
            return replace(parsed, held_for=_held_for(str(result.get("content") or "")))
    return None


def _held_for(result: str) -> tuple[str, ...]:
    """The property a tool message says its call was held for (`Engine._hold_for`'s "held_for"), as a tuple."""
    try:
        held = json.loads(result).get("held_for")
    except (ValueError, AttributeError):
        return ()
    return (held,) if isinstance(held, str) else ()


def call_before(messages: list[dict[str, Any]], schemas: dict[str, dict[str, Any]], reads: Collection[str],
                today: date | None) -> tuple[ParsedCall | None, str]:
    """The call the last user message of `messages` goes on from, and the person's message that call answered:
    the last API call of the turn before; or, where that turn only looked something up and the message gives
    what the call of the turn before it was held for (`held_answer`), that held call ("E1006" after "which
    organizer?" and a look-up of the person named)."""
    users = [str(message.get("content") or "") for message in messages if message.get("role") == "user"]
    previous, held = last_call(messages), last_call(messages, back=2)
    if previous is not None and previous.tool in reads and held is not None and held.tool in schemas \
            and held_answer(users[-1], held, schemas[held.tool], today):
        return held, users[-3]
    if previous is None and held is not None:  # a question or a thanks between: "and SHP-206002 as well, same note"
        return held, users[-3]
    return previous, users[-2] if len(users) > 1 else ""


def held_answer(request: str, previous: ParsedCall, schema: dict[str, Any], today: date | None) -> dict[str, Any]:
    """What `request` gives of the properties the call before was held for (`ParsedCall.held_for`, an id nobody
    wrote): those it states ("E1006" for an organizer), and a record number where that is the one held for and
    `request` writes one number alone ("505", "it's #505" after "which request?"). Empty when it gives none, or
    asks something of its own ("do i have any open IT tickets? E1006" after "which requester?")."""
    held = previous.held_for
    if not held or asks(request):
        return {}
    given = {name: value for name, value in stated_arguments({}, schema, request, today).items() if name in held}
    properties = schema.get("properties") or {}
    numbers = [name for name in held if record_number(name, properties.get(name))]
    written = re.findall(r"(?<![\w.,#-])#?(\d+)(?!\w|[.,]\d)", request)
    if len(numbers) == 1 and numbers[0] not in given and len(written) == 1:
        given[numbers[0]] = int(written[0])
    return given


def completed_request(request: str, tool: str, previous: ParsedCall | None, schema: dict[str, Any],
                      today: date | None, asked: str) -> str:
    """The words a call of `tool` is written from: `request`, and before it `asked`, the message that asked for
    the call before, where this call is that one, held for an id, and `request` gives it ("my laptop screen
    keeps flickering, open a ticket", then "E1006": the ticket's title is the first message's, not "E1006")."""
    if previous is None or previous.tool != tool or not asked or not held_answer(request, previous, schema, today):
        return request
    return f"{asked}\n{request}"


def restated_arguments(schema: dict[str, Any], request: str, today: date | None, named: Iterable[str]
                       ) -> dict[str, Any]:
    """The arguments of `schema` that `request` states: written out or named (`stated_arguments`), and ids it
    names by a name the `named` requests write beside them (`codes.named_id_arguments`). What a correction says
    it is not does not count ("sorry 08:30 not 08:00": 08:30)."""
    if corrects(request):
        request = DENIED.sub(" ", request)
    return {**named_id_arguments({}, schema, request, named), **stated_arguments({}, schema, request, today)}


def carried_arguments(arguments: dict[str, Any], tool: str, schema: dict[str, Any], request: str,
                      previous: ParsedCall | None, today: date | None, earlier: list[str] | None = None,
                      named: Iterable[str] = ()) -> dict[str, Any]:
    """`arguments` with what they keep of the call before (`previous`):

    - a refinement of the same operation keeps each argument of the call before that `request` does not state
      again ("and urgent?": the status filter stays, the priority changes), but for a name looked up
      (`assistant.named_search`) where it states another filter ("who else is in IT") or another name ("and
      kessler?"), and but for the filters it does not state again where it looks up a name ("actually just look
      up baltic pack by name"), and so does the same call again after
      it was held for an id nobody wrote (`held_answer`: "E1006" after "Not sent: which organizer?");
    - a call of another operation that points back ("move it to in progress", after a look-up of ticket 4102)
      takes the call before's id of the same name where it wrote none or one `request` does not state;
    - a call of another operation where the person speaks of themself ("now show me all my claims", after an
      expense they submitted for "me E1013") takes the call before's id of the same name that the person gave
      as their own in one of the `earlier` messages (the chat's user messages before `request`), where the call
      wrote none or one `request` does not state;
    - a call of another operation that refines ("what about 4-5pm?", after a booking for tomorrow) takes the call
      before's date of the same name where it wrote none and `request` states none: the times were asked of that
      day, and listMeetingRooms refuses times without a date;
    - an id `request` names by a name the `named` requests write beside it ("and antwerp?": WH-02) is stated;
    - and whatever the call before, where the person speaks of themself, an id of a kind (its pattern) the call
      wrote and `request` does not state is the one of that kind the person last gave as their own (`_own_ids`).
    """
    properties = schema.get("properties") or {}
    arguments = {**arguments, **_own_ids(arguments, properties, request, earlier or [])}
    if previous is None:
        return arguments
    kept = {name: value for name, value in previous.arguments.items() if name in properties}
    if previous.tool == tool and (refines(request) or previous.held_for or word_count(request) <= VALUE_WORDS):
        restated = {**corrected_count(request, kept, properties), **restated_arguments(schema, request, today, named),
                    **held_answer(request, previous, schema, today),
                    **next_name_arguments(request, previous, schema)}
        for name in forgotten_filters({**kept, **restated}, schema, request):  # "forget express, who goes to ireland"
            kept.pop(name, None)
            restated.pop(name, None)
        named = name_argument(schema)
        dropped = named if named in kept and restated.keys() - {named} and not _written(kept[named], request) \
            and not _THE_ONE.search(request) else None  # "the one in IT" after sofia's email is still sofia
        if dropped is not None:  # "who else is in IT" after "whats sofia rossi's extension" lists IT, not her again
            del kept[dropped]
        narrowed = _JUST.match(request) if named is not None and not restated else None
        if narrowed is not None and not _NAMES_NOTHING.fullmatch(narrowed["words"]):
            # "just the accountant" after everyone in finance, "just data scientists": a part of a name or title
            words = narrowed["words"].split()
            last = words[-1][:-1] if words[-1].endswith("s") and not words[-1].endswith("ss") else words[-1]
            restated[named] = " ".join([*words[:-1], last])
        if named is not None and searched_name(request, schema, own_words(tool)) is not None:
            # "actually just look up baltic pack by name" after packaging suppliers in poland: the name alone
            kept = {name: value for name, value in kept.items() if name in restated or _written(value, request)}
        same_record = _changes_the_same_record(tool, kept, arguments, properties)
        undated = today is not None and not stated_dates(request, today)
        carried = {**kept, **{name: value for name, value in arguments.items()
                              # a date the refinement does not say ("n max 10" had shipped_to the day shipped_from was)
                              if not (undated and name not in kept and name not in restated
                                      and value_shape(properties[name]) == "format:date")
                              and (name not in kept or name in restated
                                   or _stands(name, value, properties[name], request, same_record)
                                   and not _names_another(name, value, arguments))
                              and not (name == dropped and not _written(value, request))},  # nor the model's copy
                   **restated}
        held = bool(previous.held_for)  # the held call's own record, answered: "E1006" after "which organizer?"
        return carried if held else _own_texts(carried, kept, tool, schema, request, today, restated)
    ids = {name: value for name, value in kept.items() if is_id(name, properties[name])}
    pointed = {name: value for name, value in ids.items()
               if name in arguments and _POINTS_BACK.search(request) and not _written(arguments[name], request)
               or name not in arguments and POINTS_AT_IT.search(request)}
    own = {name: value for name, value in ids.items() if _FIRST_PERSON.search(request)
           and not (name in arguments and _written(arguments[name], request)) and _given_as_own(value, earlier or [])}
    # an id the model made up, where the person gave the call before's earlier in the chat: "ok great, then pls
    # request 23 to 27 march" after the leave balance of E1007 had asked for E2007
    said = "\n".join([*(earlier or []), request])
    made_up = {name: value for name, value in ids.items() if name in arguments and not _written(arguments[name], said)
               and _written(value, "\n".join(earlier or []))}
    # the model's own day where the request says none is made up ("book sirocco for that" after rooms next friday)
    days = {name: value for name, value in kept.items() if value_shape(properties[name]) == "format:date"
            and arguments.get(name) != value} if refines(request) and today is not None \
        and not stated_dates(request, today) else {}
    return {**arguments, **made_up, **pointed, **own, **days,
            **_people_and_times(arguments, properties, request, previous, earlier or [])}


def _people_and_times(arguments: dict[str, Any], properties: dict[str, Any], request: str, previous: ParsedCall,
                      earlier: list[str]) -> dict[str, Any]:
    """What a call of another operation that goes on ("book monsoon then") takes that the request does not say
    again: the count of people the call before looked for ("we'll be about 15 ppl" for a room's min_capacity, a
    booking's attendees), and the times of day the message before it gave ("need a call booth tomorrow 9 to 9:30,
    is chinook taken?", then "book it for me then"), where the call's own are not the request's."""
    if not (refines(request) or _THEN.search(request) or POINTS_AT_IT.search(request)):
        return {}
    found: dict[str, Any] = {}
    people = [value for name, value in previous.arguments.items() if isinstance(value, int)
              and not isinstance(value, bool) and _PEOPLE_NAME.search(name)]
    counts = [name for name, spec in properties.items() if isinstance(spec, dict) and spec.get("type") == "integer"
              and _PEOPLE.search(str(spec.get("description") or "")) and name not in previous.arguments]
    if len(people) == 1 and len(counts) == 1 and not _written(arguments.get(counts[0]), request):
        found[counts[0]] = people[0]
    times = [name for name in properties if name.endswith("_time")]
    said = stated_times(earlier[-1]) if earlier else []
    if len(times) == 2 and len(said) == 2 and not stated_times(request) and \
            not all(name in previous.arguments for name in times):
        found |= {name: value for name, value in zip(times, said, strict=True) if arguments.get(name) != value}
    return found


#: A refinement down to a part of a name or title: "just the accountant", "only data scientists".
_JUST = re.compile(r"^\W*(?:just|only)\s+(?:the\s+)?(?P<words>[a-z]+(?:\s+[a-z]+)?)\W*$", re.IGNORECASE)
#: Words after "just" that name no one: "just one", "only those", "just checking".
_NAMES_NOTHING = re.compile(r"(?:one|ones|those|these|them|that|this|checking|wondering|curious|asking|kidding|"
                            r"a sec|a moment|now|today|mine|me)", re.IGNORECASE)
#: A word by which an order goes on from what was just looked up: "book monsoon then", "book sirocco for that".
_THEN = re.compile(r"\bthen\b|\bfor that\b", re.IGNORECASE)
#: A property counting people, by its description ("How many people will be in the room") or by its name
#: (min_capacity).
_PEOPLE = re.compile(r"\bpeople\b|\bpersons?\b|\battendees\b", re.IGNORECASE)
_PEOPLE_NAME = re.compile(r"capacity|people|attendees|guests|headcount|persons", re.IGNORECASE)


def next_name_arguments(request: str, previous: ParsedCall, schema: dict[str, Any]) -> dict[str, str]:
    """{the name argument: the name} where the call before looked up a name and `request` goes on to another
    ("and kessler?"; `assistant.named_search.next_name`), else {}."""
    named = name_argument(schema)
    name = next_name(request, schema, previous.tool) if named is not None and named in previous.arguments else None
    return {named: name} if named is not None and name is not None else {}


def _own_texts(carried: dict[str, Any], kept: dict[str, Any], tool: str, schema: dict[str, Any], request: str,
               today: date | None, restated: dict[str, Any]) -> dict[str, Any]:
    """`carried` without the call before's texts where the refinement is about another record: a change of a record
    another id names ("and close 4104 too, the licence works" after ticket 4101's resolution note), or a new record
    made again that is no correction ("also the conference ticket for KubeCon, 1200 eur" after a book's expense).
    A required text is then the request's own phrase (`copying.whole_phrases`); "same note" keeps it."""
    properties = schema.get("properties") or {}
    makes = tool.removeprefix("api.").startswith(_MAKES)
    another = not makes and any(carried.get(name) != kept[name] for name in _record_ids(tool, kept, properties)) or \
        makes and _ANOTHER.search(request) is not None and not corrects(request) and bool(restated)
    texts = [name for name in free_text_properties(schema) if name in kept and carried.get(name) == kept[name]
             and not _written(kept[name], request)]
    if not another or not texts or _SAME_TEXT.search(request):
        return carried
    carried = {name: value for name, value in carried.items() if name not in texts}
    owed = {name: "" for name in texts if name in set(schema.get("required") or [])}
    if owed:
        carried |= whole_phrases({**carried, **owed}, schema, request, today, action=tool.removeprefix("api."))
    return carried


#: The verbs opening the name of an operation that makes a new record (submitExpense, createTicket, bookDockSlot).
_MAKES = ("create", "submit", "book", "report", "add", "request", "open")
#: Words that ask for a second record like the one before: "also the conference ticket for KubeCon, 1200 eur".
_ANOTHER = re.compile(r"\b(?:also|another|plus)\b", re.IGNORECASE)
#: Words that keep the call before's text for another record: "and SHP-206002 as well, same note".
_SAME_TEXT = re.compile(r"\bsame\b", re.IGNORECASE)


def _own_ids(arguments: dict[str, Any], properties: dict[str, Any], request: str, earlier: list[str]
             ) -> dict[str, str]:
    """The ids of `arguments` that `request` does not write out, where it speaks of the person themself,
    replaced by the one id of that kind (the property's id pattern) in the latest of the `earlier` messages in
    which the person speaks of themself and gives one: the small model makes one up ("how many annual days do
    i have now" after "cancel my leave request 508 pls, not moving after all. E1006" asked for E2344). Where
    the request says "my" and states no id of the kind, an id property the call left out is set so too."""
    if not _FIRST_PERSON.search(request):
        return {}
    found = {}
    # "oh and my leave requests too pls" after "... any other tickets of mine? i'm E1011": the filter by their id
    mine = {name: "" for name in properties if name not in arguments and _POSSESSIVE.search(request)}
    for name, value in {**arguments, **mine}.items():
        spec = properties.get(name)
        if not is_id(name, spec) or not isinstance(spec.get("pattern"), str) or not id_pattern(spec["pattern"]) \
                or _written(value, request) or name in mine and _stated_id(spec, request):
            continue
        for text in reversed(earlier):
            if not _FIRST_PERSON.search(text):
                continue
            given = {fitting_code(value_shape(spec), code) for code in stated_codes([text])} - {None}
            if given:
                if len(given) == 1:
                    found[name] = given.pop()
                break
    return found


def _stated_id(spec: dict[str, Any], request: str) -> bool:
    """Whether `request` writes out an id of the kind `spec`'s pattern takes."""
    return any(fitting_code(value_shape(spec), code) is not None for code in stated_codes([request]))


def _given_as_own(value: Any, earlier: list[str]) -> bool:
    """Whether one of the `earlier` messages writes `value` out where the person speaks of themself ("i'm
    E1015", "submit an expense for me E1013"), rather than of someone else ("how many days has E1012 got")."""
    return any(_FIRST_PERSON.search(text) and _written(value, text) for text in earlier)


def _stands(name: str, value: Any, spec: Any, request: str, same_record: bool = False) -> bool:
    """Whether the call's own `value` stands over the call before's in a refinement: a choice or an amount is the
    model's reading of the words ("and lunch that day, 18.50": meals, 18.5), an id, a date or a text only where
    `request` writes it out (else it is the model's guess at what the message does not say). A correction, and
    a change again of the `same_record`, changes only what it states: a choice it names none of stays as it was
    ("actually make that thursday" had set a delayed shipment's status to cancelled, "oh and dont email the
    customer" to returned), nor does a change again of the same record write its text anew unless the message
    names it ("note: ...")."""
    listed = isinstance(spec, dict) and "enum" in spec
    if listed and (corrects(request) or same_record):
        return False
    choice = isinstance(value, bool) or listed or isinstance(spec, dict) and \
        spec.get("type") in ("number", "integer", "array") and not is_id(name, spec)
    if not choice and (same_record or corrects(request)) and isinstance(value, str) and not is_id(name, spec) and \
            re.search(rf"\b{re.escape(name)}\b", request, re.IGNORECASE) is None and _RETEXTS.search(request) is None:
        return False  # a text of the record stays unless the message gives one ("note: ...", "call it ..."): "wait
        # dont email the customer, account mgr is calling them himself" is said to the assistant, not for the record
    return choice or _written(value, request) and not _only_goes_on(value)


def _changes_the_same_record(tool: str, kept: dict[str, Any], arguments: dict[str, Any],
                             properties: dict[str, Any]) -> bool:
    """Whether a call of `tool` changes again the record the call before changed: `tool` is named for the record
    its id names (updateShipment's shipment_id), and the call keeps that id."""
    return any(arguments.get(name, kept[name]) == kept[name] for name in _record_ids(tool, kept, properties))


def _record_ids(tool: str, kept: dict[str, Any], properties: dict[str, Any]) -> list[str]:
    """The ids among `kept` of the record `tool` is named for (updateShipment's shipment_id)."""
    nouns = name_nouns(tool)  # singular, as the id's name is read
    return [name for name in kept if is_id(name, properties.get(name))
            and name.removesuffix("_id").removesuffix("s") in nouns]


def _names_another(name: str, value: Any, arguments: dict[str, Any]) -> bool:
    """Whether the text `value` is another argument's value, as a title "Zephyr" is the room's ("ok zephyr then")."""
    return isinstance(value, str) and any(
        other != name and isinstance(given, str) and given.casefold() == value.strip().casefold()
        for other, given in arguments.items())


def _only_goes_on(value: Any) -> bool:
    """Whether `value` is nothing but the words by which a message goes on from the one before ("no wait" as
    a booking's title, after "no wait, 10:30 to 11:30"; "ok" after "ok zephyr then")."""
    if not isinstance(value, str):
        return False
    left = _ASSENT.sub(" ", _REFINES.sub(" ", CORRECTS.sub(" ", value)))
    return not re.search(r"\w", left)


def _written(value: Any, request: str) -> bool:
    """Whether `request` writes `value` out (a code, a number, a word), case aside."""
    text = value if isinstance(value, str) else json.dumps(value)
    return bool(text) and re.search(rf"(?<!\w){re.escape(text)}(?!\w)", request, re.IGNORECASE) is not None


