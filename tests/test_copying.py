"""Free-text arguments kept to the conversation's words (`assistant.copying`): pure functions."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.copying import (
    CopiedText,
    free_text_properties,
    open_string_value,
    unlabelled,
    whole_phrases,
)

BOOKING = {"type": "object", "properties": {
    "room_id": {"type": "string", "pattern": "^[a-z]+$"}, "organizer_id": {"type": "string", "pattern": "^E\\d{4}$"},
    "title": {"type": "string"}, "priority": {"type": "string", "enum": ["low", "high"]},
    "reporter_email": {"type": "string", "format": "email"}}}


def test_free_text_properties_are_strings_without_enum_pattern_or_format() -> None:
    schema = {"properties": {
        "title": {"type": "string"}, "note": {"type": "string", "maxLength": 200},
        "status": {"type": "string", "enum": ["open", "closed"]}, "id": {"type": "string", "pattern": "^E\\d{4}$"},
        "day": {"type": "string", "format": "date"}, "limit": {"type": "integer"},
    }}
    assert free_text_properties(schema) == {"title", "note"}
    assert free_text_properties({}) == frozenset()


@pytest.mark.parametrize(
    ("partial", "open_value"),
    [
        ('{"title": "lap', ("title", "lap")),
        ('{"title": "', ("title", "")),
        ('{"id": "E1010", "title": "wifi in', ("title", "wifi in")),
        ('{"a": 1, "b": "say \\"hi', ("b", 'say "hi')),  # an escaped quote is part of the value
        ('{"title": "laptop", "cat', None),  # inside a key
        ('{"title": "laptop"', None),  # between values
        ('{"tags": ["a', None),  # nested: not a top-level property's string
        ('{"x": {"y": "z', None),
        ('{"title": "done"}', None),
    ],
)
def test_the_string_value_being_written_and_its_property(partial: str, open_value: tuple[str, str] | None) -> None:
    assert open_string_value(partial) == open_value


def test_a_copy_is_a_run_of_the_stated_words_ignoring_case_and_spacing() -> None:
    schema = {"properties": {"title": {"type": "string"}, "id": {"type": "string", "pattern": "^E\\d{4}$"}}}
    copied = CopiedText.of(schema, ["my Laptop screen  keeps flickering, E1010", "", '{"name": "Sofia Rossi"}'])
    assert copied is not None
    assert copied.allows("") and copied.allows("laptop")
    assert copied.allows("laptop screen keeps") and copied.allows("LAPTOP  SCREEN ")
    assert copied.allows("sofia ross")  # a tool result's words count, and a value may still be growing
    assert not copied.allows("laptop screens") and not copied.allows("broken laptop")


def test_the_arguments_written_so_far_are_judged_by_the_free_text_value_being_written() -> None:
    schema = {"properties": {"title": {"type": "string"}, "id": {"type": "string", "pattern": "^E\\d{4}$"}}}
    copied = CopiedText.of(schema, ["my laptop screen keeps flickering, E1010"])
    assert copied is not None
    assert copied.allows_arguments('{"id": "E1010", "title": "laptop scr')
    assert not copied.allows_arguments('{"id": "E1010", "title": "laptop screens')
    assert copied.allows_arguments('{"id": "E99')  # a pattern's value is the grammar's, not this rule's
    assert copied.allows_arguments('{"title": "anything", "id')  # between values
    assert CopiedText.of({"properties": {"id": {"type": "string", "pattern": "^E\\d{4}$"}}}, ["x"]) is None


@pytest.mark.parametrize(("request_text", "arguments", "phrase"), [
    # the title holds the room, the day or an e-mail: the longest phrase naming none of them
    ("grab zephyr tomorrow 14:00 for the design crit, E1002", {"room_id": "zephyr", "title": "grab zephyr"},
     "design crit"),
    ("could you book aurora on friday for the hiring sync please", {"room_id": "aurora", "title": "Friday"},
     "hiring sync"),
    ("pallet dropped off the forklift, lid cracked. me: k.jansen@x.example",
     {"reporter_email": "k.jansen@x.example", "title": "me: k.jansen@x.example"}, "pallet dropped off the forklift"),
    # a title stopping inside a phrase runs to its end, and leaves the phrase's edge words out
    ("my docking station keeps disconnecting, E1004, high priority", {"priority": "high", "title": "My docking"},
     "docking station keeps disconnecting"),
    ("the vpn drops every hour since monday", {"title": "vpn dro"}, "vpn drops every hour"),
    # one starting inside its phrase (or inside a word) starts where the phrase does
    ("close ticket 4105 pls, user confirmed everything works", {"title": "onfirmed everything works"},
     "user confirmed everything works"),
    ("also the screen in foehn is flickering, hardware", {"title": "foehn is flickering"},
     "screen in foehn is flickering"),
    # a verb's particle at the end of its clause stays
    ("bottom layer of the pallet caved in, 6 units", {"title": "bottom layer of the pallet caved"},
     "bottom layer of the pallet caved in"),
])
def test_a_records_free_text_is_a_whole_phrase_of_the_request(request_text: str, arguments: dict, phrase: str) -> None:
    assert whole_phrases(arguments, BOOKING, request_text, date(2026, 6, 10)) == {"title": phrase}


def test_a_required_free_text_left_empty_is_the_requests_longest_phrase() -> None:
    damage = {"type": "object", "required": ["warehouse_id", "description"], "properties": {
        "warehouse_id": {"type": "string", "pattern": "^WH-\\d{2}$"}, "description": {"type": "string"},
        "note": {"type": "string"}}}
    request = "forklift backed into a pallet of SKU-18840 in storage at WH-01, 6 units crushed, 3 pics uploaded"
    arguments = {"warehouse_id": "WH-01", "description": "", "note": ""}
    assert whole_phrases(arguments, damage, request, None) == {"description": "forklift backed into a pallet"}


@pytest.mark.parametrize(("request_text", "arguments"), [
    ("book zephyr for the design crit", {"room_id": "zephyr", "title": "design crit"}),  # already whole
    ("book zephyr for a design crit, then lunch", {"title": "design crit, then lunch"}),  # runs across clauses
    # quoted whole: the person's own words, though they hold another argument's ("zephyr")
    ('book zephyr, title "zephyr kick-off"', {"room_id": "zephyr", "title": "zephyr kick-off"}),
])
def test_a_whole_phrase_or_words_the_request_does_not_hold_are_left_as_written(request_text: str,
                                                                               arguments: dict) -> None:
    assert whole_phrases(arguments, BOOKING, request_text, date(2026, 6, 10)) == {}


TITLED = {**BOOKING, "required": ["room_id", "title"]}


@pytest.mark.parametrize(("request_text", "title", "phrase"), [
    # words nobody wrote, or words that name nothing but the call, are the request's phrase; "IT" is no "it"
    ("book zephyr tuesday 3-4pm for the budget review, I'm E1005", "Bottleneck", "budget review"),
    ("book zephyr on friday 9 to 10 for IT sync, I'm E1001", "book", "IT sync"),
    ("book room zephyr tuesday 10-11 for IT sync", "I Want to sync", "IT sync"),
    # the call's verb opens no phrase, and "book room" names nothing more than the call does
    ("Book the team meeting in zephyr", "Book", "team meeting"),
])
def test_a_required_text_nobody_wrote_is_the_requests_phrase_less_the_calls_own_words(
        request_text: str, title: str, phrase: str) -> None:
    arguments = {"room_id": "zephyr", "title": title}
    assert whole_phrases(arguments, TITLED, request_text, date(2026, 6, 10), action="bookMeetingRoom") == \
        {"title": phrase}


def test_a_text_an_earlier_message_holds_or_an_optional_one_is_left_as_written() -> None:
    earlier = "we need a room for the hiring sync"
    assert whole_phrases({"room_id": "zephyr", "title": "hiring sync"}, TITLED, "book zephyr at 3", None,
                         said=earlier, action="bookMeetingRoom") == {}
    assert whole_phrases({"room_id": "zephyr", "title": "Bottleneck"}, BOOKING, "book zephyr for the budget review",
                         None, action="bookMeetingRoom") == {}


def test_an_amounts_currency_is_no_part_of_a_description() -> None:
    claim = {"type": "object", "required": ["description"], "properties": {"description": {"type": "string"}}}
    request = "submit a 900 eur hotel expense for E1003 from yesterday"
    assert whole_phrases({"description": "eur hotel expense"}, claim, request, None, action="submitExpense") == \
        {"description": "hotel expense"}
    assert whole_phrases({"description": "submit a taxi expense"}, claim, "submit a taxi expense of 23.50",
                         None, action="submitExpense") == {"description": "taxi expense"}


def test_the_words_to_the_assistant_before_a_colon_are_no_part_of_a_records_text() -> None:
    schema = {"type": "object", "properties": {"description": {"type": "string"}, "sku": {"type": "string",
                                                                                          "pattern": "^SKU-\\d+$"}}}
    assert unlabelled({"description": "log it: forks went through the side"}, schema) == \
        {"description": "forks went through the side"}
    assert unlabelled({"description": "pls report this: two cartons wet"}, schema) == {"description": "two cartons wet"}
    assert unlabelled({"description": "note: signed by J. Peeters"}, schema) == {"description": "signed by J. Peeters"}
    assert unlabelled({"description": "forks went through: bottom layer"}, schema) == {}  # the record's own colon
    assert unlabelled({"description": "log it:"}, schema) == {}  # nothing after it
    # the words that give a name
    assert unlabelled({"description": "call it partner sync"}, schema) == {"description": "partner sync"}
    assert unlabelled({"description": "titled Q4 planning"}, schema) == {"description": "Q4 planning"}
    assert unlabelled({"description": "called off: the supplier's truck"}, schema) == {}
    assert unlabelled({"description": "calling it a day"}, schema) == {}


def test_a_free_text_the_description_requires_now_is_the_requests_phrase() -> None:
    status = {"type": "object", "required": ["ticket_id", "status"], "properties": {
        "ticket_id": {"type": "integer"}, "status": {"type": "string", "enum": ["open", "resolved", "closed"]},
        "note": {"type": "string", "description": "Why it changes; required when the new status is resolved."}}}
    resolved = {"ticket_id": 4120, "status": "resolved"}
    assert whole_phrases(resolved, status, "resolve 4120, swapped the faulty docking station", None) == \
        {"note": "swapped the faulty docking station"}
    assert whole_phrases(resolved, status, "resolve 4120", None) == {}  # no resolution said
    assert whole_phrases({"ticket_id": 4120, "status": "closed"}, status, "close 4120, user left", None) == {}


def test_a_title_nobody_wrote_is_taken_from_the_first_sentence_and_no_figures_unit_or_currency_is_one() -> None:
    request = "book zephyr for 6 ppl thursday 14:00-15:30, budget review, im E1015. 2 of them are from finance " \
              "if that matters. zephyr is honestly the best room we have"
    assert whole_phrases({"room_id": "zephyr", "title": "Beset"}, TITLED, request, date(2026, 6, 10),
                         action="bookMeetingRoom") == {"title": "budget review"}
    claim = {"type": "object", "required": ["description"], "properties": {"description": {"type": "string"}}}
    request = "drove to the client in delft and back, 100 km total, thats 23 eur, pls claim it"
    assert whole_phrases({"description": "3 EUR"}, claim, request, None, action="submitExpense") == \
        {"description": "drove to the client in delft and back"}


def test_a_made_up_text_is_left_where_the_request_has_no_phrase_of_two_words() -> None:
    damage = {"type": "object", "required": ["description"], "properties": {
        "sku": {"type": "string", "pattern": "^SKU-\\d+$"}, "damage_type": {"type": "string", "enum": ["punctured"]},
        "stage": {"type": "string", "enum": ["picking"]}, "description": {"type": "string"}}}
    request = "forklift punctured 4 drums of SKU-50021 while picking, pls log it."
    arguments = {"sku": "SKU-50021", "damage_type": "punctured", "stage": "picking", "description": "Puncture 4"}
    assert whole_phrases(arguments, damage, request, None, action="reportDamage") == {}  # not "forklift"
    # the request's first sentence holds what happened; the id and the ask come after it
    ticket = {"type": "object", "required": ["title"], "properties": {
        "requester_id": {"type": "string", "pattern": "^E\\d{4}$"}, "title": {"type": "string"}}}
    request = "someone just texted me pretending to be the ceo asking for gift cards. E1013, pls report it to security"
    assert whole_phrases({"requester_id": "E1013", "title": "someone"}, ticket, request, None,
                         action="createTicket") == {"title": "texted me pretending to be the ceo asking for gift cards"}


def test_an_exclamation_or_the_order_to_open_a_record_is_no_title() -> None:
    ticket = {"type": "object", "required": ["title"], "properties": {
        "title": {"type": "string"}, "requester_id": {"type": "string", "pattern": "^E\\d{4}$"}}}
    request = "ugh ok. can you also open a new one for me, E1011, my mouse is broken. low priority, i have a spare"
    assert whole_phrases({"requester_id": "E1011", "title": "ugh"}, ticket, request, date(2026, 3, 2),
                         action="createTicket") == {"title": "mouse is broken"}
