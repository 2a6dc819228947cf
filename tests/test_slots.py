"""Arguments read from the request's words by the operation's schema (assistant/slots.py), and those left out as
nobody's (assistant/unsaid.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from assistant.arguments import repeated_codes, searched_sentences, settled_arguments
from assistant.config import GenerationConfig
from assistant.dates import stated_minutes
from assistant.slots import (
    asks,
    stated_arguments,
    stated_count,
    unstated_required,
)
from assistant.unsaid import (
    copied_requests,
    empty_arguments,
    forgotten_filters,
    idle_texts,
    lines_without_when_figures,
    past_for_ahead,
    priced_for_when_figures,
    undated,
    unsaid_dates,
    unsaid_flags,
    when_figures,
)
from tools.base import Tool, ToolResult

TICKETS = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["open", "in_progress", "waiting", "resolved", "closed"]},
        "priority": {"type": "string", "enum": ["low", "normal", "high", "urgent"]},
        "requester_id": {"type": "string", "pattern": "^E\\d{4}$"},
        "limit": {"type": "integer"},
    },
    "required": [],
}
UPDATE = {
    "type": "object",
    "properties": {
        "ticket_id": {"type": "integer"},
        "status": {"type": "string", "enum": ["open", "in_progress", "waiting", "resolved", "closed", "cancelled"]},
        "note": {"type": "string"},
    },
    "required": ["ticket_id", "status"],
}
BOOKING = {
    "type": "object",
    "properties": {
        "room_id": {"type": "string", "pattern": "^[a-z]+$"},
        "date": {"type": "string", "format": "date"},
        "start_time": {"type": "string", "pattern": "^([01]\\d|2[0-3]):(00|15|30|45)$"},
        "end_time": {"type": "string", "pattern": "^([01]\\d|2[0-3]):(00|15|30|45)$"},
        "from_date": {"type": "string", "format": "date"},
    },
    "required": ["room_id"],
}


@pytest.mark.parametrize(
    ("request_text", "arguments", "stated"),
    [
        ("Show all urgent IT tickets.", {"status": "in_progress"}, {"priority": "urgent"}),
        ("Which IT tickets are still open?", {}, {"status": "open"}),
        ("any high-priority tickets in progress?", {}, {"priority": "high", "status": "in_progress"}),
        ("WAITING tickets please", {"status": "open"}, {"status": "waiting"}),
        ("Which tickets has E1006 raised?", {}, {"requester_id": "E1006"}),
    ],
)
def test_a_filter_the_request_names_is_set(request_text, arguments, stated):
    assert stated_arguments(arguments, TICKETS, request_text) == stated


@pytest.mark.parametrize(
    ("request_text", "arguments"),
    [
        ("open or in progress tickets?", {}),  # two values of one property: the model's choice stands
        ('tickets titled "urgent: printer"', {}),  # quoted words are a title, not a filter
        ("Which tickets are open?", {"status": "open"}),  # already said
        ("list tickets", {"status": "open"}),  # nothing stated: the model's value is not for this module
        ("tickets from E1006 or E1007", {}),  # two ids, one property
        ("who raised ticket 4104?", {}),  # a bare number is no id
        ("I'd like to close my laptop lid", {}),  # a filter is not named by a verb
    ],
)
def test_nothing_is_set_that_the_words_do_not_say_unambiguously(request_text, arguments):
    assert stated_arguments(arguments, TICKETS, request_text) == {}


def test_the_state_an_update_sets_is_named_by_its_verb():
    assert stated_arguments({"ticket_id": 4104, "status": "open"}, UPDATE, "Close IT ticket 4104.") == \
        {"status": "closed"}
    assert stated_arguments({"ticket_id": 12, "status": "open"}, UPDATE, "please cancel ticket 12") == \
        {"status": "cancelled"}
    assert stated_arguments({"ticket_id": 4103, "status": "resolved"}, UPDATE, "Resolve ticket 4103") == {}


def test_a_state_said_with_a_negation_is_not_the_one_named():
    # "not resolved" names no state: the verb "close" is the only one
    assert stated_arguments({"ticket_id": 4103, "status": "resolved"}, UPDATE,
                            "close ticket 4103, its not resolved but nobody needs it") == {"status": "closed"}
    assert stated_arguments({"ticket_id": 4103, "status": "open"}, UPDATE,
                            "4103 hasn't been resolved yet, set it to waiting") == {"status": "waiting"}


def test_dates_and_times_fill_the_properties_left_out_in_order():
    request = "Is Bora free on 2025-06-10 from 14:00 to 15:00?"
    # start_time and end_time share a pattern: two times, two properties, in the order written. The date fits
    # two properties (date, from_date), so one date cannot say which.
    assert stated_arguments({"room_id": "bora"}, BOOKING, request) == {"start_time": "14:00", "end_time": "15:00"}
    assert stated_arguments({"room_id": "bora", "start_time": "14:00"}, BOOKING, request) == {"end_time": "15:00"}
    # a value the call already holds is not offered again
    assert stated_arguments({"room_id": "bora", "date": "2025-06-10", "start_time": "14:00", "end_time": "15:00"},
                            BOOKING, request) == {}
    # an impossible date fits no date property
    assert stated_arguments({"room_id": "bora", "start_time": "14:00", "end_time": "15:00", "date": "x"},
                            BOOKING, "on 2025-02-30 please") == {}


def test_a_single_date_fills_a_single_date_property():
    schema = {"type": "object", "properties": {"room_id": {"type": "string"}, "date": {"type": "string",
                                                                                      "format": "date"}}}
    assert stated_arguments({"room_id": "bora"}, schema, "Who has booked Bora on 2025-06-11?") == \
        {"date": "2025-06-11"}
    assert stated_arguments({"room_id": "bora"}, schema, "Who booked Bora on 2025-06-11 or 2025-06-12?") == {}


def test_a_pattern_python_cannot_read_fills_nothing():
    schema = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^\\p{L}+1$"}}}
    assert stated_arguments({}, schema, "code ab1 please") == {}


ROOMS = {
    "type": "object",
    "properties": {
        "min_capacity": {"type": "integer", "minimum": 1, "description": "Only rooms that seat at least this many people."},
        "floor": {"type": "integer", "minimum": 2, "maximum": 5, "description": "Only rooms on this floor (2 to 5)."},
        "date": {"type": "string", "format": "date"},
    },
}


@pytest.mark.parametrize(
    ("request_text", "arguments", "stated"),
    [
        ("rooms on floor 3 for 12 people", {}, {"floor": 3, "min_capacity": 12}),
        ("rooms on the 2nd floor", {}, {"floor": 2}),
        ("a room for 12 people", {"min_capacity": 12}, {}),  # already said
        ("rooms on floor 9", {}, {}),  # outside the schema's range
        ("rooms for 2.5 people", {}, {}),  # not an integer
        ("rooms on 2026-03-04 for 4 people", {}, {"date": "2026-03-04", "min_capacity": 4}),  # a date is no count
        ("3 coffees please", {}, {}),  # the noun names no property
        ("3 rooms please", {}, {}),  # both descriptions speak of rooms: which one is not said
    ],
)
def test_a_count_is_set_on_the_property_its_noun_names(request_text, arguments, stated):
    assert stated_arguments(arguments, ROOMS, request_text) == stated


DIRECTORY = {
    "type": "object",
    "properties": {
        "query": {"type": "string", "description": "Part of a name or title."},
        "department": {"type": "string", "enum": ["Finance", "Sales"]},
    },
}


@pytest.mark.parametrize(
    ("arguments", "copied"),
    [
        ({"query": "Who works in the Finance department", "department": "Finance"}, ["query"]),
        ({"query": "who works in finance department", "department": "Finance"}, ["query"]),
        ({"query": "Who works in the Finance department"}, []),  # nothing else would filter
        ({"query": "Finance people", "department": "Finance"}, []),  # a short filter is a filter
        ({"query": "accountants and controllers of Finance", "department": "Finance"}, []),  # not the request's words
    ],
)
def test_a_free_text_filter_copying_the_request_is_named(arguments, copied):
    assert copied_requests(arguments, DIRECTORY, "Who works in the Finance department?") == copied


ROOM_DAY = {
    "type": "object",
    "properties": {"room_id": {"type": "string", "pattern": "^[a-z]+$"}, "date": {"type": "string", "format": "date"}},
    "required": ["room_id"],
}
LEAVE = {
    "type": "object",
    "properties": {
        "employee_id": {"type": "string", "pattern": "^E\\d{4}$"},
        "start_date": {"type": "string", "format": "date"},
        "end_date": {"type": "string", "format": "date"},
    },
    "required": ["employee_id", "start_date", "end_date"],
}
EXPENSES = {
    "type": "object",
    "properties": {"from_date": {"type": "string", "format": "date"}, "to_date": {"type": "string", "format": "date"}},
    "required": [],
}
WEDNESDAY = date(2026, 6, 10)


@pytest.mark.parametrize(
    ("schema", "request_text", "arguments", "stated"),
    [
        (ROOM_DAY, "who has booked bora tomorrow?", {"room_id": "bora"}, {"date": "2026-06-11"}),
        (ROOM_DAY, "who has booked bora tomorrow?", {"room_id": "bora", "date": "2026-06-18"}, {"date": "2026-06-11"}),
        (LEAVE, "annual leave for E1002 next monday to wednesday",
         {"employee_id": "E1002", "start_date": "2025-06-15", "end_date": "2026-06-16"},
         {"start_date": "2026-06-15", "end_date": "2026-06-17"}),
        (EXPENSES, "my expense claims since 1 may", {}, {"from_date": "2026-05-01"}),
        (EXPENSES, "claims dated before friday", {}, {"to_date": "2026-06-12"}),
        (LEAVE, "sick leave for E1013 today", {"employee_id": "E1013", "start_date": "2026-06-10",
                                               "end_date": "2026-06-11"}, {"end_date": "2026-06-10"}),
    ],
)
def test_a_date_said_in_words_is_set_where_the_call_left_it_out_or_wrote_another(
    schema, request_text, arguments, stated
):
    assert stated_arguments(arguments, schema, request_text, WEDNESDAY) == stated
    assert stated_arguments(arguments, schema, request_text) == {}  # without today, words are not dates


@pytest.mark.parametrize(
    ("schema", "request_text", "arguments"),
    [
        (BOOKING, "who has booked bora next friday?", {"room_id": "bora", "date": "2026-06-12"}),  # one reading
        (BOOKING, "who has booked bora next friday?", {"room_id": "bora", "date": "2026-06-19"}),  # the other
        (BOOKING, "who has booked bora tomorrow?", {"room_id": "bora"}),  # date or from_date: not said
        (EXPENSES, "my expense claims since 1 may", {"from_date": "2026-05-01", "to_date": "2026-06-10"}),
        (LEAVE, "leave for E1002 from monday", {"employee_id": "E1002", "start_date": "2026-06-15",
                                                "end_date": "2026-06-19"}),
    ],
)
def test_a_date_the_words_may_mean_or_do_not_settle_is_left_as_written(schema, request_text, arguments):
    assert stated_arguments(arguments, schema, request_text, WEDNESDAY) == {}


def test_times_said_in_words_replace_the_times_the_call_wrote():
    written = {"room_id": "mistral", "date": "2026-06-11", "start_time": "09:00", "end_time": "17:00"}
    assert stated_arguments(written, BOOKING, "book mistral tmrw 9 to 10") == {"end_time": "10:00"}
    assert stated_arguments({"room_id": "bora"}, BOOKING, "is bora free 3 to 4pm?") == \
        {"start_time": "15:00", "end_time": "16:00"}
    # one time said: the start's; the end is left to the call
    assert stated_arguments({"room_id": "bora", "start_time": "10:00", "end_time": "11:00"}, BOOKING,
                            "bora at 3pm") == {"start_time": "15:00"}
    assert stated_arguments({"room_id": "bora", "start_time": "15:00", "end_time": "16:00"}, BOOKING,
                            "bora at 3pm") == {}
    # three times for two properties: which two is not said
    assert stated_arguments({"room_id": "bora"}, BOOKING, "bora at 9am, 10am or 11am") == {}


@pytest.mark.parametrize(
    ("said", "minutes"),
    [("book a door for 60 min", [60]), ("they need about an hour and a half", [90]), ("need the door 2 hrs", [120]),
     ("half an hour is plenty", [30]), ("half hour is plenty", [30]), ("a half-hour slot", [30]), ("1.5 hours", [90]),
     ("1 hour 30 minutes", [90]), ("at 14:30", [])],
)
def test_the_durations_a_request_states_in_minutes(said: str, minutes: list[int]):
    assert stated_minutes(said) == minutes


SLOT = {"type": "object", "properties": {
    "duration_minutes": {"type": "integer", "minimum": 30, "maximum": 120},
    "reporter_email": {"type": "string", "format": "email"},
    "note": {"type": "string", "minLength": 1}, "shipped_from": {"type": "string", "format": "date"},
    "shipped_to": {"type": "string", "format": "date"}}, "required": ["reporter_email"]}


def test_a_duration_an_email_and_one_days_range_are_set_as_stated():
    assert stated_arguments({"duration_minutes": 30}, SLOT, "need the door 2 hrs") == {"duration_minutes": 120}
    assert stated_arguments({"duration_minutes": 30}, SLOT, "need the door for 5 hrs") == {}  # over the maximum
    assert stated_arguments({"reporter_email": "smit@x.example"}, SLOT, "I'm r.smit@x.example.") == \
        {"reporter_email": "r.smit@x.example"}
    # one day said, a range's two ends left out: both ends are that day
    assert stated_arguments({}, SLOT, "what left WH-04 yesterday", WEDNESDAY) == \
        {"shipped_from": "2026-06-09", "shipped_to": "2026-06-09"}
    # "since monday" is the last one
    assert stated_arguments({}, SLOT, "shipped since monday", WEDNESDAY) == {"shipped_from": "2026-06-08"}


def test_an_empty_optional_string_is_named():
    assert empty_arguments({"note": " ", "reporter_email": ""}, SLOT) == ["note"]


def test_the_country_a_request_names_is_set_as_its_code():
    schema = {"type": "object", "properties": {
        "country": {"type": "string", "pattern": "^[A-Z]{2}$", "description": "A two-letter ISO code."},
        "status": {"type": "string", "enum": ["approved", "probation"]}}}
    assert stated_arguments({"country": "PZ"}, schema, "suppliers in poland") == {"country": "PL"}
    assert stated_arguments({"country": "PL"}, schema, "suppliers in poland") == {}
    assert stated_arguments({}, schema, "suppliers in poland or germany") == {}  # which one is not said
    enum = {"type": "object", "properties": {"country": {"type": "string", "enum": ["NL", "BE"]}}}
    assert stated_arguments({}, enum, "suppliers in poland") == {}  # not a value the API takes
    # the call's own country by another word, where the request names none ("UK" from a message before)
    assert stated_arguments({"country": "UK"}, schema, "what about economy") == {"country": "GB"}
    assert stated_arguments({"country": "DE"}, schema, "what about economy") == {}


def test_a_date_said_in_words_fills_no_property_whose_pattern_a_date_fits():
    dock = {"type": "object", "properties": {
        "warehouse_id": {"type": "string", "pattern": "^WH-[0-9]{2}$"},
        "date": {"type": "string", "format": "date"},
        "truck_plate": {"type": "string", "pattern": "^[A-Z0-9-]{4,10}$"}}}
    tomorrow = "book a door at WH-01 tomorrow"
    # the call wrote another date: "tomorrow" sets it, and nothing else
    assert stated_arguments({"warehouse_id": "WH-01", "date": "2026-06-18"}, dock, tomorrow, WEDNESDAY) == \
        {"date": "2026-06-11"}
    # a code the person wrote does fill it
    assert stated_arguments({"warehouse_id": "WH-01", "date": "2026-06-11"}, dock, tomorrow + ", plate 45-VKT-9",
                            WEDNESDAY) == {"truck_plate": "45-VKT-9"}


DAMAGE = {"type": "object", "required": ["description"], "properties": {
    "description": {"type": "string"}, "photos_attached": {"type": "boolean", "default": False},
    "notify_customer": {"type": "boolean", "default": True}, "cold_storage": {"type": "boolean"},
    "dangerous_goods": {"type": "boolean", "description": "Only sites licensed (true) or not (false) for ADR goods."}}}


@pytest.mark.parametrize(("request_text", "arguments", "stated"), [
    ("6 cartons crushed, 3 photos up", {"description": "6 cartons crushed"}, {"photos_attached": True}),
    ("fork went through the bags. no photos.", {"description": "fork went through the bags", "photos_attached": True},
     {"photos_attached": False}),
    ("put it on hold, dont email the customer", {"description": "on hold"}, {"notify_customer": False}),
    ("dutch warehouses w/o a cold store?", {"description": "dutch"}, {"cold_storage": False}),
    ("which site has the cold store", {"description": "site", "cold_storage": True}, {}),  # already written
    ("customer wants photos but we have no photos", {"description": "x"}, {}),  # they disagree; a customer is no flag
    ("6 units crushed, 3 pics uploaded", {"description": "x"}, {"photos_attached": True}),
    ("which warehouses r allowed to keep adr stuff", {"description": "x"}, {"dangerous_goods": True}),  # its acronym
    ("any site that can't take adr?", {"description": "x"}, {"dangerous_goods": False}),
    ("the address of the site", {"description": "x"}, {}),  # "adr" inside a word says nothing
])
def test_a_boolean_the_request_names_is_set_false_after_a_negation(request_text, arguments, stated):
    assert stated_arguments(arguments, DAMAGE, request_text) == stated


@pytest.mark.parametrize(("request_text", "unsaid"), [
    ("SHP-205066 got to the customer this morning, pls set it to delivered", ["notify_customer", "photos_attached"]),
    ("set it to delivered and email the customer", ["photos_attached"]),
    ("delivered, dont email them, no photos", []),  # said, if only to say no
])
def test_a_flag_the_request_says_nothing_of_is_left_to_the_operations_default(request_text, unsaid):
    arguments = {"description": "x", "notify_customer": True, "photos_attached": False}
    assert unsaid_flags(arguments, DAMAGE, request_text) == unsaid


@pytest.mark.parametrize(("request_text", "arguments", "stated"), [
    ("log it as 'customer found 2 units missing on delivery', reporter r.smit@x.example",
     {"description": "missing on delivery"}, {"description": "customer found 2 units missing on delivery"}),
    ("SHP-207455 is delayed, note: ferry from hook of holland cancelled", {"note": "Cancel"},
     {"note": "ferry from hook of holland cancelled"}),
    ("SHP-207455 is delayed, note driver's van broke down", {"note": "van"}, {"note": "driver's van broke down"}),
    ("temperature: 'logger hit 11 C'", {}, {"description": "logger hit 11 C"}),  # the schema's one free text
    ("the 'A' and 'B' pallets", {"description": "pallets"}, {}),  # two quotes, one word each: nothing
    ('hold SHP-204958, note: "Customer closed for stocktake"', {"note": ""}, {"note": "Customer closed for stocktake"}),
])
def test_quoted_or_labelled_text_is_the_free_text_value(request_text, arguments, stated):
    schema = {"type": "object", "properties": {"description": {"type": "string"}, "note": {"type": "string"}}}
    one_free_text = {"type": "object", "properties": {"description": {"type": "string"}}}
    assert stated_arguments(arguments, schema if "note" in arguments else one_free_text, request_text) == stated


def test_a_labelled_note_names_no_state():
    shipment = {"type": "object", "required": ["status"], "properties": {
        "status": {"type": "string", "enum": ["delayed", "delivered", "cancelled"]}, "note": {"type": "string"}}}
    assert stated_arguments({"status": "delivered"}, shipment, "SHP-207455 is delayed, note: ferry cancelled") == \
        {"status": "delayed", "note": "ferry cancelled"}


@pytest.mark.parametrize(("said", "count"), [("book bora, 2 of us", 2), ("book bora, we're 12", 12),
                                             ("book bora for 24 ppl", 24),
                                             ("bora at 11 for an interview, just me and the candidate", 2)])
def test_chat_counts_of_people_fill_the_attendees(said: str, count: int):
    booking = {"type": "object", "properties": {
        "room_id": {"type": "string"}, "attendees": {"type": "integer", "minimum": 1, "maximum": 40,
                                                     "description": "How many people will be in the room."}}}
    assert stated_arguments({"room_id": "bora"}, booking, said) == {"attendees": count}


SHIPMENTS = {
    "type": "object",
    "properties": {"shipped_from": {"type": "string", "format": "date"},
                   "shipped_to": {"type": "string", "format": "date"}, "carrier": {"type": "string"}},
    "required": [],
}


@pytest.mark.parametrize(
    ("request_text", "arguments", "stated", "unsaid"),
    [
        # "since monday": the monday that has been is the start; the end the model made up goes
        ("tideway loads shipped since monday?", {"shipped_from": "2026-06-15", "shipped_to": "2026-06-15"},
         {"shipped_from": "2026-06-08"}, ["shipped_to"]),
        ("anything shipped before 1 june?", {"shipped_from": "2026-06-01"}, {"shipped_to": "2026-06-01"},
         ["shipped_from"]),
        ("shipped since 1 june", {"shipped_from": "2026-06-01"}, {}, []),
        # both ends said, whichever the call wrote
        ("anything shipped between 1 and 5 june?", {"shipped_from": "2026-06-05"},
         {"shipped_from": "2026-06-01", "shipped_to": "2026-06-05"}, []),
        ("shipments from the 1st to the 5th", {"shipped_from": "2026-06-01", "shipped_to": "2026-06-05"}, {}, []),
        # a week said is its monday and its sunday
        ("all portex shipmnts that went out last week", {"shipped_to": "2026-06-10"},
         {"shipped_from": "2026-06-01", "shipped_to": "2026-06-07"}, []),
    ],
)
def test_one_stated_end_of_a_range_sets_that_end_and_leaves_out_the_other(request_text, arguments, stated, unsaid):
    assert stated_arguments(arguments, SHIPMENTS, request_text, WEDNESDAY) == stated
    assert unsaid_dates({**arguments, **stated}, SHIPMENTS, request_text, WEDNESDAY) == unsaid


EXPENSE = {
    "type": "object",
    "properties": {"employee_id": {"type": "string", "pattern": "^E\\d{4}$"},
                   "expense_date": {"type": "string", "format": "date"}},
    "required": ["employee_id", "expense_date"],
}


@pytest.mark.parametrize(
    ("request_text", "written", "meant"),
    [
        ("E1019 bought a laptop stand on the 3rd", "2026-07-03", "2026-06-03"),
        ("E1011 paid 15 for a font subscription on monday", "2026-06-15", "2026-06-08"),
        ("E1011 will pay for the fonts on monday", "2026-06-15", None),  # the coming one, as written
        ("E1011 paid for the fonts next friday", "2026-06-19", None),  # no reading has been: as written
    ],
)
def test_a_date_told_in_the_past_tense_is_the_day_that_has_been(request_text, written, meant):
    arguments = {"employee_id": "E1019", "expense_date": written}
    assert stated_arguments(arguments, EXPENSE, request_text, WEDNESDAY) == ({} if meant is None else
                                                                              {"expense_date": meant})


def test_the_first_top_or_last_few_are_a_look_ups_limit():
    stock = {"type": "object", "properties": {
        "zone": {"type": "string", "enum": ["hazmat", "cold"]},
        "limit": {"type": "integer", "minimum": 1, "maximum": 200, "description": "The most items to return."},
        "floor": {"type": "integer", "minimum": 0, "maximum": 10}}}
    assert stated_arguments({"zone": "hazmat"}, stock, "hazmat stock, just the first 10 lines") == {"limit": 10}
    assert stated_arguments({"zone": "hazmat"}, stock, "top 5 in the hazmat zone") == {"limit": 5}
    assert stated_arguments({"zone": "hazmat"}, stock, "hazmat on the first floor, 10 lines") == {}
    assert stated_arguments({"zone": "hazmat"}, stock, "last 5 hazmat movements pls") == {"limit": 5}
    assert stated_arguments({"zone": "hazmat"}, stock, "hazmat moves in the last 3 days") == {}  # a span of time


@pytest.mark.parametrize(
    ("request_text", "asking"),
    [
        ("SHP-207391 delivered yet?", True),
        ("eta on shp-207455? customer keeps calling", True),
        ("do i have any leave left this year? E1003 here", True),
        ("is ticket 4104 closed", True),
        ("can you close ticket 4104?", False),
        ("can i take monday to wednesday next week off?", False),
        ("SHP-206980 got delivered this morning, pls mark it", False),
        ("close ticket 4104", False),
        ("my laptop screen keeps flickering, can someone have a look? E1010", False),
        ("E1009 here, whats happening with my leave request", True),  # a clause after an id asks
        ("cancel leave 507, what a mess", False),
        ("shp-205044 whats the expected delivery", True),  # a question word right after an id
        ("SHP-207120 is on the trailer now, set it to loaded", False),  # "is" after an id tells
        ("can't find SHP-207120 anywhere in the yard", False),  # "can't" opens no question
        ("can’t believe slot 7866 got moved again", False),
    ],
)
def test_a_question_asks_unless_a_word_requests(request_text: str, asking: bool):
    assert asks(request_text) == asking


UPDATE_SHIPMENT = {
    "type": "object",
    "properties": {"shipment_id": {"type": "string", "pattern": "^SHP-[0-9]{6}$"},
                   "status": {"type": "string", "enum": ["delayed", "delivered"]}, "note": {"type": "string"}},
    "required": ["shipment_id", "status", "note"],
}


def test_the_required_arguments_a_request_leaves_for_a_call_to_make_up():
    assert unstated_required(UPDATE_SHIPMENT, "mark shp-207391 delivered") == []  # a free-text note is not counted
    assert unstated_required(UPDATE_SHIPMENT, "SHP-207391 delivered yet?") == ["status"]  # a question sets none
    assert unstated_required(UPDATE_SHIPMENT, "update the shipment") == ["shipment_id", "status"]
    assert unstated_required(LEAVE, "do i have leave left? E1003") == ["start_date", "end_date"]
    assert unstated_required(LEAVE, "E1003 off monday to wednesday next week", WEDNESDAY) == []


def test_a_hash_before_a_number_gives_a_records_number():
    ticket = {"type": "object", "required": ["ticket_id"], "properties": {
        "ticket_id": {"type": "integer", "minimum": 1, "description": "The IT ticket's number, e.g. 4103."},
        "limit": {"type": "integer", "minimum": 1, "maximum": 100000, "description": "The most tickets to return."}}}
    assert stated_arguments({}, ticket, "whats going on with my monitor request? its #4106") == {"ticket_id": 4106}
    assert stated_arguments({}, ticket, "whats going on with my monitor request? its 4106") == {}


def test_the_word_before_a_number_naming_the_record_gives_its_number():
    slot = {"type": "object", "required": ["slot_id"], "properties": {
        "slot_id": {"type": "integer", "minimum": 1, "description": "The number of the booked slot, e.g. 7731."}}}
    # "booking" and "booked" share a stem
    assert stated_arguments({}, slot, "truck broke down, pls cancel dock booking 8090") == {"slot_id": 8090}
    # "number" names any record's number, not this one's
    assert stated_arguments({}, slot, "withdraw my leave request number 504") == {}
    assert stated_arguments({}, slot, "cancel the 3 pallets") == {}


def test_a_leave_said_as_a_day_and_the_day_before_runs_from_the_earlier():
    arguments = {"employee_id": "E1007", "start_date": "2026-06-10", "end_date": "2026-06-11"}
    assert stated_arguments(arguments, LEAVE, "E1007 was sick yesterday and the day before, can you log it",
                            WEDNESDAY) == {"start_date": "2026-06-08", "end_date": "2026-06-09"}


def test_one_date_said_counts_once_though_it_sets_both_ends_of_a_range():
    slots = {"type": "object", "required": ["warehouse_id", "date"], "properties": {
        "warehouse_id": {"type": "string", "pattern": "^WH-[0-9]{2}$"}, "date": {"type": "string", "format": "date"}}}
    shipments = {"type": "object", "properties": {**SHIPMENTS["properties"],
                                                  "origin": {"type": "string", "pattern": "^WH-[0-9]{2}$"}}}
    request = "any door left at WH-04 today or are we full"
    assert stated_count(slots, request, WEDNESDAY) == stated_count(shipments, request, WEDNESDAY) == 2
    assert stated_count(slots, request) == 1  # without today, "today" is no date


def test_free_text_that_repeats_another_argument_or_names_nobody_says_nothing():
    ticket = {"type": "object", "required": ["title"], "properties": {
        "title": {"type": "string"}, "description": {"type": "string"}, "requester_id": {"type": "string"}}}
    assert idle_texts({"title": "finance shared drive", "description": "Finance shared drive "}, ticket) == \
        ["description"]
    assert idle_texts({"title": "finance drive", "description": "access to the finance drive"}, ticket) == []
    directory = {"type": "object", "properties": {"query": {"type": "string"}, "department": {"type": "string"}}}
    assert idle_texts({"query": "everyone", "department": "Finance"}, directory) == ["query"]
    assert idle_texts({"query": "all staff"}, directory) == ["query"]
    assert idle_texts({"query": "sofia"}, directory) == []
    assert idle_texts({"query": "office manager", "department": "office manager"}, directory) == ["query"]


def test_an_enum_value_is_named_in_the_singular_or_the_plural():
    suppliers = {"type": "object", "properties": {
        "category": {"type": "string", "enum": ["textiles", "packaging", "meal"]},
        "status": {"type": "string", "enum": ["approved", "blocked"]}}}
    assert stated_arguments({}, suppliers, "textile suppliers in turkey, approved ones only") == \
        {"category": "textiles", "status": "approved"}
    assert stated_arguments({}, suppliers, "all meals") == {"category": "meal"}
    assert stated_arguments({}, suppliers, "any supplier") == {}


def test_an_enum_value_of_several_words_is_named_with_another_ending_of_its_last():
    rooms = {"type": "object", "properties": {
        "equipment": {"type": "string", "enum": ["screen", "video_conference"]},
        "status": {"type": "string", "enum": ["open", "closed"]}}}
    assert stated_arguments({}, rooms, "need a room with video conferencing") == {"equipment": "video_conference"}
    assert stated_arguments({}, rooms, "any video conferences today") == {"equipment": "video_conference"}
    assert stated_arguments({}, rooms, "a room for a video call") == {}
    assert stated_arguments({}, rooms, "the opening of the screening room") == {}  # one word: as written only


def test_a_word_counted_names_no_enum_value():
    directory = {"type": "object", "properties": {
        "department": {"type": "string", "enum": ["Engineering", "People", "Sales"]}}}
    assert stated_arguments({}, directory, "give me up to 30 people from engineering") == \
        {"department": "Engineering"}
    assert stated_arguments({}, directory, "who works in people?") == {"department": "People"}
    tickets = {"type": "object", "required": ["status"], "properties": {
        "status": {"type": "string", "enum": ["open", "resolved", "closed"]}}}
    assert stated_arguments({}, tickets, "mark ticket 4101 resolved") == {"status": "resolved"}  # a state, no noun


@pytest.mark.parametrize(
    ("request_text", "left_out"),
    [
        ("foehn bookings", ["date"]),
        ("meal expenses pls", ["date"]),
        ("foehn bookings tomorrow", []),
        ("whats on in foehn now", []),
        ("foehn bookings in may", []),
        ("is foehn free?", []),  # free asks about a time: today
        ("foehn on the 3rd", []),
    ],
)
def test_a_date_filter_on_a_request_that_says_nothing_of_when_is_left_out(request_text, left_out):
    bookings = {"type": "object", "required": ["room_id"], "properties": {
        "room_id": {"type": "string"}, "date": {"type": "string", "format": "date"}}}
    assert undated({"room_id": "foehn", "date": "2026-06-10"}, bookings, request_text) == left_out
    assert undated({"room_id": "foehn"}, bookings, request_text) == []


@pytest.mark.parametrize(("request_text", "left_out"), [
    ("which shipments on our own trucks are on hold right now", ["shipped_from"]),  # the state's now
    ("what does swifthaul have in transit atm", ["shipped_from"]),
    ("what left WH-01 right now", []),  # no state named: now is when
    ("on hold since monday", []),
])
def test_now_of_a_state_the_request_names_dates_nothing(request_text, left_out):
    shipments = {"type": "object", "properties": {
        "status": {"type": "string", "enum": ["on_hold", "in_transit"]}, "shipped_from": {"type": "string",
                                                                                       "format": "date"}}}
    assert undated({"shipped_from": "2026-03-02"}, shipments, request_text) == left_out


@pytest.mark.parametrize(
    ("request_text", "day", "left_out"),
    [
        ("shipments still in transit, need the count for the 9:00 call", "0000-01-01", ["date"]),
        ("shipments still in transit, need the count for the 9:00 call", "2026-06-10", []),
        ("shipments sent since 2019", "2019-01-01", []),  # the request writes the year
        ("put shp-205301 on hold", "2053-01-01", ["date"]),  # an id's digits are no year
        ("shipments sent since january", "2026-01-01", []),
    ],
)
def test_a_date_in_a_far_year_nobody_wrote_is_left_out(request_text, day, left_out):
    shipments = {"type": "object", "properties": {"date": {"type": "string", "format": "date"}}}
    assert undated({"date": day}, shipments, request_text, date(2026, 6, 10)) == left_out


class _Shipments(Tool):
    """A change with a flag, like an API's updateShipment; `side_effects` chooses a change or a read."""

    name = "api.updateShipment"
    description = "Updates a shipment."
    parameters = {"type": "object", "required": ["shipment_id"], "properties": {
        "shipment_id": {"type": "string", "pattern": "^SHP-[0-9]{6}$"},
        "notify_customer": {"type": "boolean", "description": "Whether the customer gets an email."}}}
    local = False

    def __init__(self, side_effects: bool):
        self.side_effects = side_effects

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        raise AssertionError("a settling test sends nothing")


@pytest.mark.parametrize(("side_effects", "sent"), [
    (True, {"shipment_id": "SHP-205066"}),  # a change sends no e-mail nobody asked for
    (False, {"shipment_id": "SHP-205066", "notify_customer": True}),  # a read's filter may be said in other words
])
def test_a_change_leaves_out_a_flag_the_request_says_nothing_of(side_effects: bool, sent: dict[str, Any]):
    request = "SHP-205066 got to the customer this morning, pls set it to delivered"
    arguments = {"shipment_id": "SHP-205066", "notify_customer": True}
    assert settled_arguments(arguments, _Shipments(side_effects), GenerationConfig(), request=request, said=request,
                             today=date(2026, 6, 10)) == sent


def test_an_optional_argument_repeating_another_arguments_id_is_left_out():
    booking = {"type": "object", "required": ["warehouse_id", "reference"], "properties": {
        "warehouse_id": {"type": "string"}, "reference": {"type": "string"}, "truck_plate": {"type": "string"},
        "carrier": {"type": "string"}}}
    assert repeated_codes({"warehouse_id": "WH-02", "reference": "PO-119112", "truck_plate": "wh-02"}, booking) == \
        ["truck_plate"]
    assert repeated_codes({"warehouse_id": "WH-02", "reference": "PO-119112", "truck_plate": "NL-47-BK"},
                          booking) == []
    # two optional arguments alike, or words alike: nothing says which one is wrong
    assert repeated_codes({"truck_plate": "NL-47-BK", "carrier": "NL-47-BK"}, booking) == []
    assert repeated_codes({"warehouse_id": "north", "carrier": "north"}, booking) == []


@pytest.mark.parametrize(("query", "request_text", "searched"), [
    ("lost my badge again", "lost my badge again, does a new one cost anything?",
     "lost my badge again, does a new one cost anything"),
    ("is there one set aside for that", "which room should i use for an interview, is there one set aside for that",
     "which room should i use for an interview, is there one set aside for that"),
    ("badge cost", "SHP-205077 is late. what does a badge cost?", "what does a badge cost"),  # its sentence only
    # the copied sentence asks nothing: the question after it is what the search is for
    ("a forklift nearly hit someone earlier, nobody hurt",
     "a forklift nearly hit someone earlier, nobody hurt. do i still have to report it, and by when?",
     "a forklift nearly hit someone earlier, nobody hurt. do i still have to report it, and by when"),
    ("travel insurance number", "what is the hotel budget?", None),  # words the request does not have
    ("what does a badge cost", "what does a badge cost?", None),  # the query says it all
    ("badge", "badge " + "and more words " * 12 + "?", None),  # past the query's maxLength
    # too long whole: the question, after the words before it that fit
    ("the cold store logger at the venlo site showed",
     "the cold store logger at the venlo site showed 9 degrees for like 40 minutes overnight. can quality still "
     "release the goods?",
     "the cold store logger at the venlo site showed 9 degrees for like 40 minutes. can quality still release the "
     "goods"),
])
def test_a_search_looks_for_the_whole_sentences_its_query_copies_part_of(query, request_text, searched):
    from tools.retrieval import SearchTool

    assert searched_sentences(query, request_text, SearchTool.parameters) == searched
    settled = settled_arguments({"query": query}, SearchTool(None), GenerationConfig(), request=request_text,
                                said=request_text, today=date(2026, 6, 10))
    assert settled == {"query": searched or query}
    kept = settled_arguments({"query": query}, SearchTool(None), GenerationConfig(search_whole_sentences=False),
                             request=request_text, said=request_text, today=date(2026, 6, 10))
    assert kept == {"query": query}


class _ShipmentUpdate(Tool):
    """A change with a status, a date, a flag and a note, like Harbor's updateShipment."""

    name = "api.updateShipment"
    description = "Update a shipment's status. The customer is e-mailed."
    parameters = {"type": "object", "required": ["shipment_id", "status"], "properties": {
        "shipment_id": {"type": "string", "pattern": "^SHP-[0-9]{6}$"},
        "status": {"type": "string", "enum": ["delayed", "on_hold", "delivered"]},
        "expected_delivery": {"type": "string", "format": "date"},
        "notify_customer": {"type": "boolean"},
        "note": {"type": "string", "maxLength": 300}}}
    local = False
    side_effects = True

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        raise AssertionError("a settling test sends nothing")


@pytest.mark.parametrize(("request_text", "written", "sent"), [
    # a date inside the quoted note is the note's, not the delivery date
    ('hold SHP-204958 for now, note: "Customer closed for stocktake until 15 June"',
     {"status": "on_hold", "note": "Customer closed for stocktake until 15 June", "expected_delivery": "2026-06-15"},
     {"status": "on_hold", "note": "Customer closed for stocktake until 15 June"}),
    # a note of only the request's own words to the assistant and the operation's says nothing
    ("SHP-204958 is delivered, pls update it", {"status": "delivered", "note": "pls update it"},
     {"status": "delivered"}),
    # nor one that says what the flag beside it says
    ("SHP-204958 is running late, new date 2026-06-30, don't email the customer",
     {"status": "delayed", "expected_delivery": "2026-06-30", "note": "don't email the customer"},
     {"status": "delayed", "expected_delivery": "2026-06-30", "notify_customer": False}),
    ("SHP-204958 is running late, note: ferry cancelled", {"status": "delayed", "note": "ferry cancelled"},
     {"status": "delayed", "note": "ferry cancelled"}),
])
def test_a_notes_words_set_nothing_and_a_note_saying_only_what_the_call_says_is_left_out(request_text, written, sent):
    arguments = {"shipment_id": "SHP-204958", **written}
    assert settled_arguments(arguments, _ShipmentUpdate(), GenerationConfig(), request=request_text,
                             said=request_text, today=date(2026, 6, 10)) == {"shipment_id": "SHP-204958", **sent}


def test_a_flags_word_is_a_whole_word_with_a_short_ending():
    damage = {"type": "object", "properties": {"photos_attached": {"type": "boolean"}}}
    assert unsaid_flags({"photos_attached": True}, damage, "found 6 wrong cases while picking") == ["photos_attached"]
    assert unsaid_flags({"photos_attached": True}, damage, "3 pics uploaded") == []
    assert unsaid_flags({"photos_attached": True}, damage, "photos are in the folder") == []


def test_this_year_starts_a_filters_range_on_1_january():
    today = date(2026, 3, 2)
    for said in ("how much have we spent on client entertainment this year", "ytd travel claims"):
        assert stated_arguments({"from_date": "2026-03-02"}, EXPENSES, said, today) == {"from_date": "2026-01-01"}
    # not a leave's start ("3 days off this year" names no day)
    assert "start_date" not in stated_arguments({}, LEAVE, "book me 3 days off this year, E1003", today)


def test_a_filter_the_request_lets_go_of_is_left_out():
    carriers = {"type": "object", "properties": {
        "service_level": {"type": "string", "enum": ["standard", "express", "economy"]},
        "country": {"type": "string"}}}
    sites = {"type": "object", "properties": {"cold_storage": {"type": "boolean"},
                                              "dangerous_goods": {"type": "boolean"}}}
    assert forgotten_filters({"service_level": "express", "country": "IE"}, carriers,
                             "forget express, who goes to ireland") == ["service_level"]
    assert forgotten_filters({"cold_storage": True, "dangerous_goods": True}, sites,
                             "forget cold, which ones are adr licensed") == ["cold_storage"]
    assert forgotten_filters({"cold_storage": True}, sites, "cold ones in poland?") == []
    # by a word of the filter's name, and every choice filter by "of any kind"
    suppliers = {"type": "object", "properties": {
        "status": {"type": "string", "enum": ["approved", "probation"]}, "country": {"type": "string"}}}
    assert forgotten_filters({"status": "probation", "country": "PL"}, suppliers,
                             "actually probation is fine too, drop the status filter") == ["status"]
    tickets = {"type": "object", "properties": {
        "status": {"type": "string", "enum": ["open", "closed"]}, "priority": {"type": "string", "enum": ["urgent"]},
        "limit": {"type": "integer"}}}
    assert forgotten_filters({"status": "open", "priority": "urgent", "limit": 5}, tickets,
                             "ok and the last 5 tickets of any kind") == ["status", "priority"]
    assert forgotten_filters({"status": "open", "priority": "urgent"}, tickets, "open tickets of any priority") == \
        ["priority"]


class _Sites(Tool):
    """A look-up with a flag and a country, like Harbor's listWarehouses."""

    name = "api.listWarehouses"
    description = "Lists the warehouses."
    parameters = {"type": "object", "properties": {"cold_storage": {"type": "boolean"}, "country": {"type": "string"}}}
    local = False
    side_effects = False

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        raise AssertionError("a settling test sends nothing")


def test_a_filter_let_go_of_is_left_out_though_the_request_names_it():
    request = "forget the cold store, just list the dutch ones"
    arguments = settled_arguments({"country": "NL", "cold_storage": True}, _Sites(), GenerationConfig(),
                                  request=request, said=request, today=date(2026, 3, 2))
    assert arguments == {"country": "NL"}


def test_a_required_amount_taken_from_a_date_is_the_figure_written_beside_its_currency():
    expense = {"type": "object", "required": ["amount_eur"], "properties": {"amount_eur": {"type": "number"}}}
    today = date(2026, 3, 2)
    assert priced_for_when_figures({"amount_eur": 27}, expense, "taxi to client 27 feb 34.80 eur, E1013", today) == \
        {"amount_eur": 34.8}
    assert priced_for_when_figures({"amount_eur": 25}, expense, "hotel berlin 25 feb €210", today) == \
        {"amount_eur": 210.0}
    # a figure written outside the date too, no currency, or two prices: the model's reading stands
    assert priced_for_when_figures({"amount_eur": 12}, expense, "taxi on 12 march, 12 eur", today) == {}
    assert priced_for_when_figures({"amount_eur": 27}, expense, "taxi 27 feb 34.80", today) == {}
    assert priced_for_when_figures({"amount_eur": 27}, expense, "27 feb: taxi 34.80 eur, train 12 eur", today) == {}


def test_a_figure_written_only_in_a_time_of_day_or_a_date_is_no_count_or_price():
    rooms = {"type": "object", "properties": {"min_capacity": {"type": "integer"}, "start_time": {"type": "string"}}}
    today = date(2026, 6, 10)
    assert when_figures({"min_capacity": 9}, rooms, "anything with a beamer free next tuesday, 9 to 11?", today) == \
        ["min_capacity"]
    assert when_figures({"min_capacity": 10}, rooms, "room for 10 people free from 10 to 11?", today) == []
    order = {"type": "object", "properties": {"lines": {"type": "array", "items": {
        "type": "object", "required": ["sku", "quantity"], "properties": {
            "sku": {"type": "string"}, "quantity": {"type": "integer"}, "unit_price_eur": {"type": "number"}}}}}}
    lines = [{"sku": "SKU-10442", "quantity": 500, "unit_price_eur": 24.0}]
    assert lines_without_when_figures({"lines": lines}, order, "500 SKU-10442 to WH-01, delivery 24 june", today) == \
        {"lines": [{"sku": "SKU-10442", "quantity": 500}]}
    assert lines_without_when_figures({"lines": lines}, order, "500 SKU-10442 at 24 eur, delivery 24 june", today) == {}


def test_a_look_ups_filter_that_nothing_said_is_about_is_left_out():
    sites = {"type": "object", "properties": {
        "country": {"type": "string", "description": "Only warehouses in this country."},
        "dangerous_goods": {"type": "boolean",
                            "description": "Only warehouses licensed to store ADR dangerous goods."}}}
    assert unsaid_flags({"dangerous_goods": True}, sites, "belgian warehouses, dock door count?", change=False) == \
        ["dangerous_goods"]
    assert unsaid_flags({"dangerous_goods": True}, sites, "sites licensed for hazardous stuff", change=False) == []
    # set false alike: a filter to sites without a licence is as much a made-up narrowing
    assert unsaid_flags({"dangerous_goods": False}, sites, "belgian warehouses", change=False) == ["dangerous_goods"]
    assert unsaid_flags({"dangerous_goods": False}, sites, "belgian sites not licensed for dangerous goods",
                        change=False) == []


def test_a_state_set_again_is_named_by_its_verb():
    request = "ticket 4112 came back, pls reopen it"
    assert stated_arguments({"ticket_id": 4112, "status": "closed"}, UPDATE, request)["status"] == "open"


@pytest.mark.parametrize(("request_text", "written", "sent"), [
    # a month said as context beside the range: the range's two ends
    ("baby's due in august, put in paternity leave from 17 aug until the end of september",
     {"start_date": "1700-06-10", "end_date": "0900-12-28"}, {"start_date": "2026-08-17", "end_date": "2026-09-30"}),
])
def test_a_range_of_dates_joined_by_until_sets_both_ends_among_other_dates(request_text, written, sent):
    assert stated_arguments({"employee_id": "E1002", "leave_type": "parental", **written}, LEAVE, request_text,
                            date(2026, 6, 10)) == sent


def test_a_room_named_among_the_values_its_description_lists_is_the_room():
    booking = {"type": "object", "properties": {"room_id": {
        "type": "string", "pattern": "^[a-z]+$",
        "description": "The meeting room's id, its name in lower case: mistral, sirocco, zephyr or bora."}}}
    assert stated_arguments({"room_id": "friday"}, booking, "friday 11 till 12, mistral please") == \
        {"room_id": "mistral"}
    assert stated_arguments({"room_id": "bora"}, booking, "bora or zephyr, whichever is free") == {}


def test_one_time_and_one_duration_give_a_start_and_an_end():
    booking = {"type": "object", "properties": {
        "start_time": {"type": "string", "pattern": "^\\d{2}:\\d{2}$"},
        "end_time": {"type": "string", "pattern": "^\\d{2}:\\d{2}$"}}}
    assert stated_arguments({}, booking, "can u grab chinook at 3.15 today for half an hour?") == \
        {"start_time": "15:15", "end_time": "15:45"}


@pytest.mark.parametrize(("request_text", "left_out"), [
    ("SHP-205066 got to the customer this morning, pls set it to delivered", ["expected_delivery"]),
    ("shp-204518 was delivered today, pls record it", ["expected_delivery"]),
    ("SHP-205133 was delayed at the border, new eta today", []),  # a day looked forward to, said as such
    ("SHP-205133 is delayed, expected today", []),
])
def test_a_day_told_as_past_is_no_expected_day(request_text, left_out):
    shipment = {"type": "object", "required": ["shipment_id"], "properties": {
        "shipment_id": {"type": "string"}, "expected_delivery": {"type": "string", "format": "date"}}}
    arguments = {"shipment_id": "SHP-205066", "expected_delivery": "2026-06-10"}
    assert past_for_ahead(arguments, shipment, request_text, date(2026, 6, 10)) == left_out


def test_a_count_the_request_writes_nowhere_gives_way_to_the_one_it_states():
    damage = {"type": "object", "properties": {
        "sku": {"type": "string"}, "quantity": {"type": "integer", "description": "How many units are damaged."}}}
    request = "30 units SKU-20817 affected in storage"
    assert stated_arguments({"sku": "SKU-20817", "quantity": 10}, damage, request) == {"quantity": 30}
    assert stated_arguments({"sku": "SKU-20817", "quantity": 30}, damage, request) == {}


def test_a_state_of_two_words_is_said_by_its_first_alone():
    schema = {"type": "object", "properties": {
        "status": {"type": "string", "enum": ["pending_approval", "approved", "rejected", "reimbursed"]},
        "category": {"type": "string", "enum": ["client_entertainment", "travel"]}}}
    assert stated_arguments({}, schema, "my claims that are still pending", None) == {"status": "pending_approval"}
    # a state property only: "client" says no category
    assert stated_arguments({}, schema, "claims for the client workshop", None) == {}
    shipments = {"type": "object", "properties": {"status": {"type": "string", "enum": ["in_transit", "in_stock"]}}}
    assert stated_arguments({}, shipments, "what is in there", None) == {}  # "in" says nothing


@pytest.mark.parametrize(("request_text", "stated"), [
    ("show all dock slots at venlo on friday, booked ones too", {"only_free": False}),
    ("show all slots incl the booked ones", {"only_free": False}),
    ("any free slots at venlo friday", {"only_free": True}),
    ("free ones only, not the booked ones", {"only_free": True}),  # the other side negated agrees
    ("slots at venlo friday", {}),
])
def test_what_a_flags_false_value_lists_too_is_said_against_the_flag(request_text, stated):
    described = "Only slots nobody has booked yet; false lists booked and blocked slots too."
    slots = {"type": "object", "properties": {"only_free": {"type": "boolean", "description": described}}}
    assert stated_arguments({}, slots, request_text) == stated


@pytest.mark.parametrize(("request_text", "written", "stated"), [
    ("no wait make it 11:00, driver cant make 10:30. plate is 1-vxk-228", {}, {"truck_plate": "1-VXK-228"}),
    ("carrier portex plate gd-4417k", {"truck_plate": "G-4417K"}, {"truck_plate": "GD-4417K"}),  # miscopied
    ("plate 72-BXL-4", {"truck_plate": "72-BXL-4"}, {}),  # already as written
    ("the truck is late, 2 pallets", {}, {}),  # no code after the word
])
def test_a_code_written_after_a_word_of_its_property_is_that_propertys(request_text, written, stated):
    schema = {"type": "object", "properties": {"truck_plate": {"type": "string", "pattern": "^[A-Z0-9-]{4,10}$"}}}
    assert stated_arguments(written, schema, request_text) == stated
