"""Which call a message that goes on from the call before it wants.

Staff refine and correct what they just asked ("and urgent?", "only annual leave", "no wait, 10:30 to 11:30") and
act on the record they just looked up ("ok i'll take that one, move it to in progress", "and show me the full
history of it"). Read alone, "only annual leave" had searched the handbook and "no wait, 10:30 to 11:30" looked
for free rooms instead of moving the booking. Only a message that says in words that it goes on
(`assistant.follow_ups.refines`: "and ...", "only ...", "no wait", "make it", "those") takes the call before's
operation, where it states something the operation takes: a narrowing or a correction always, a message that
only goes on where the router found no operation that takes more of it. An order pointing back at the record
just looked up ("mark it delayed") is the change that states most of it or the look-up that needs its id. What
the chosen call keeps of the call before is `assistant.follow_ups.carried_arguments`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from assistant.chat_format import ParsedCall
from assistant.codes import is_id, named_id_arguments, stated_codes
from assistant.corrections import corrected_count, corrects
from assistant.follow_ups import (
    POINTS_AT_IT,
    VALUE_WORDS,
    held_answer,
    next_name_arguments,
    refines,
    restated_arguments,
)
from assistant.message_kinds import (
    asks_what_follows,
    limit_question,
    reaction,
    requests_something,
    rule_question,
    sentences,
    text_work,
    word_count,
)
from assistant.operation_fit import name_nouns, verb_written
from assistant.slots import asks, stated_count, words_of

#: The most words of a follow-up that is hardly more than the value it gives: "and E1007?", "what about E1004".
BARE_WORDS = 3
#: Words that point at the records the call before listed: "and which ones can take ADR stuff", "any of them".
_ONES = re.compile(r"\b(?:which|those|these|the) ones\b|\b(?:any|which|some) of (?:them|those)\b", re.IGNORECASE)
#: Words that ask for the same again: "and SHP-206002 as well, same note", "E1004 too".
_AGAIN = re.compile(r"\b(?:as well|too|also|same)\b", re.IGNORECASE)


def refined_tool(request: str, previous: ParsedCall | None, schemas: dict[str, dict[str, Any]],
                 today: date | None, routed: str | None = None, named: Iterable[str] = ()) -> str | None:
    """The operation of the call before, when `request` refines it and states something that operation takes
    ("only annual leave" after a look-up of leave requests), or gives what it was held for (`held_answer`: "E1006"
    after "Not sent: which organizer?"); None otherwise. A reaction ("meh, it's low prio anyway") refines nothing.

    `routed` is the API operation the router found for the message alone (None: none): a message that only goes
    on ("and ...", "for that") keeps it where it states as much for it as for the operation before ("book foehn
    for that, 10 of us, E1014" after a look-up of free rooms books one); a narrowing or a correction ("only ...",
    "no wait, 10:30 to 11:30", "same for E1012") takes the operation before. An answer to a held call keeps
    it unless the message states more for `routed` than it gives the held call ("book bora tomorrow 10-11 for
    E1005" after a leave request held for its employee books the room). A message of BARE_WORDS words at most, or
    one that asks for the same again, that only goes on and states as much for the operation before as for
    `routed` keeps the one before ("and E1007?" after a leave balance, "and SHP-206002 as well, same note"). One
    that points at the records the call before listed ("and which ones can take ADR stuff" after sites with a cold
    store) keeps it too.

    `named`: the requests that write a record's id beside its name (the catalog's examples), by which a name
    states an id ("and antwerp?" after delayed shipments out of rotterdam: WH-02). A request for a text ("can you
    write a reply to the customer saying we're on it") or a question about what the call before brings ("will that
    count as a no show?") refines nothing."""
    if previous is None or previous.tool not in schemas or _asks_no_call(request) or \
            limit_question(request) or rule_question(request):  # "and whats the cut off for releasing adr orders"
        return None
    schema = schemas[previous.tool]
    given = held_answer(request, previous, schema, today)
    if given and (routed is None or routed == previous.tool or routed not in schemas
                  or stated_count(schemas[routed], request, today) <= len(given)):
        return previous.tool  # the answer to "which organizer?", not a request of its own that also names one
    if next_name_arguments(request, previous, schema):
        return previous.tool  # "and kessler?" after a look-up of baltic pack by its name
    if corrects(request) and (own := _own_question(request)) is not None:
        # "wait no sorry thursday doesnt work for daniel. what's booked in zephyr on friday" asks its own question
        return refined_tool(own, previous, schemas, today, routed, named)
    stated = restated_arguments(schema, request, today, named) or \
        corrected_count(request, previous.arguments, schema.get("properties") or {})
    if not (refines(request) or word_count(request) <= VALUE_WORDS) or not stated:
        return None
    if routed is None or routed == previous.tool or routed not in schemas or corrects(request) or \
            _ONES.search(request) is not None:  # "and which ones can take ADR stuff" after sites with a cold store
        return previous.tool
    words = {word.removesuffix("s") for word in words_of(request)}
    if verb_written(routed, request) and name_nouns(routed) & words and not name_nouns(previous.tool) & words:
        return None  # "there was a dock slot for it too, 9120, cancel that as well" after a shipment's cancellation
    before, other = _stated_count(schema, request, today, named), _stated_count(schemas[routed], request, today, named)
    # a tie goes to the call before where the message is hardly more than what it states ("and E1007?") or asks for
    # the same again ("and SHP-206002 as well, same note"), not where it asks something of its own ("and where's
    # SHP-205032 at" after an update of another shipment)
    again = word_count(request) <= BARE_WORDS or _AGAIN.search(request) is not None
    # but not where it writes the verb of the router's operation and not that of the one before ("ok then book it
    # friday same time" after a look-up of the room's bookings)
    again = again and not (verb_written(routed, request) and not verb_written(previous.tool, request))
    return previous.tool if before > other or before == other and again else None


def _own_question(request: str) -> str | None:
    """The last sentence of `request` where it is a question of its own after sentences that correct ("wait no
    sorry thursday doesnt work. what's booked in zephyr on friday"): it corrects nothing itself."""
    parts = sentences(request)
    last = parts[-1] if len(parts) > 1 else ""
    return last if last and asks(last) and not corrects(last) and not refines(last) else None


def pointed_change(request: str, previous: ParsedCall | None, tool: str, schemas: dict[str, dict[str, Any]],
                   changes: Collection[str], today: date | None) -> bool:
    """Whether `request` orders the change `tool` (the router's likeliest operation, though below its bar) on the
    record the call before named: it asks for something, points back ("it", "that one"), writes no id of its own,
    states an argument of `tool`, and `tool` takes the id the call before wrote ("customer says it arrived
    yesterday, mark it delivered" after a look-up of SHP-207345)."""
    if previous is None or tool not in changes or tool not in schemas or not _orders_on_it(request):
        return False
    properties = schemas[tool].get("properties") or {}
    ids = [name for name, value in previous.arguments.items() if name in properties and is_id(name, properties[name])]
    return bool(ids) and stated_count(schemas[tool], request, today) > 0


def pointed_operation(request: str, previous: ParsedCall | None, routed: str | None,
                      schemas: dict[str, dict[str, Any]], changes: Collection[str], reads: Collection[str],
                      today: date | None) -> str | None:
    """The operation `request` orders on the record the call before named, where the router's operation `routed`
    (None: none) takes no id of that record: it asks for something, points back ("it", "that one") and writes no
    id of its own. The change that takes the record's id and states the most of the message, where one does
    ("mark it delayed, nordline says thursday now" after a look-up of SHP-204877 had listed delayed shipments);
    else the one look-up that needs that id ("and show me the full history of it" after ticket 4104 was
    reopened). None otherwise."""
    if previous is None or not _orders_on_it(request):
        return None
    ids = [name for name in previous.arguments if name.endswith("_id")]

    def takes(tool: str) -> bool:
        properties = schemas[tool].get("properties") or {}
        return any(is_id(name, properties.get(name)) for name in ids)

    if routed in schemas and takes(routed):
        return None
    stated = {tool: stated_count(schemas[tool], request, today) for tool in sorted(changes)
              if tool in schemas and takes(tool)}
    most = max(stated.values(), default=0)
    if most > 0:
        best = [tool for tool, count in stated.items() if count == most]
        return best[0] if len(best) == 1 else None
    needing = [tool for tool in sorted(reads) if tool in schemas
               and set(ids) & set(schemas[tool].get("required") or [])]
    return needing[0] if len(needing) == 1 else None


def ordered_after_look_up(request: str, previous: ParsedCall | None, tool: str, schemas: dict[str, dict[str, Any]],
                          changes: Collection[str], reads: Collection[str], today: date | None) -> bool:
    """Whether `request` orders the change `tool` (the router's likeliest, though below its bar) by its verb,
    stating some of its arguments, after a look-up of the same things (the call before shares an argument with
    it): "book 10:30 for SHP-204990, portex, 90 min" after free outbound slots at antwerp tomorrow."""
    if previous is None or previous.tool not in reads or tool not in changes or tool not in schemas or \
            not verb_written(tool, request) or _asks_no_call(request) or asks(request):
        return False
    shared = previous.arguments.keys() & (schemas[tool].get("properties") or {}).keys()
    return bool(shared) and stated_count(schemas[tool], request, today) > 0


def _orders_on_it(request: str) -> bool:
    """Whether `request` asks for something on the record before it: it requests, points back ("it", "that one"),
    writes no id of its own and is none of the messages that want no call."""
    return requests_something(request) and POINTS_AT_IT.search(request) is not None and \
        not stated_codes([request]) and not _asks_no_call(request)


def _asks_no_call(request: str) -> bool:
    """Whether `request` asks for no call whatever came before it: news or thanks, work on a text, a question
    about what the thing just said brings."""
    return reaction(request) or text_work(request) or asks_what_follows(request)


def _stated_count(schema: dict[str, Any], request: str, today: date | None, named: Iterable[str]) -> int:
    """How many of `schema`'s arguments `request` states (`slots.stated_count`) or names (`restated_arguments`)."""
    return stated_count(schema, request, today) + len(named_id_arguments({}, schema, request, named))
