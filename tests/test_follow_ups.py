"""A message that goes on from the call before it: the call's operation, and the arguments it keeps."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.chat_format import call_content
from assistant.config import DEMO_CATALOG
from assistant.follow_up_calls import ordered_after_look_up, pointed_change, pointed_operation, refined_tool
from assistant.follow_ups import (
    call_before,
    carried_arguments,
    completed_request,
    held_answer,
    last_call,
    refines,
)
from tools.base import toolken_for
from tools.catalog import load_catalog

TODAY = date(2026, 3, 2)
SCHEMAS = {f"api.{op.operation_id}": op.parameters for op in load_catalog(DEMO_CATALOG).operations}


def chat(*turns: tuple[Any, ...], now: str) -> list[dict[str, Any]]:
    """A chat's messages: per earlier turn the person's message, the call the assistant made (None: a reply) and
    its arguments, and optionally the property the call was held for (not sent: `Engine._hold_for`); then the
    message `now`."""
    messages: list[dict[str, Any]] = []
    for question, tool, arguments, *held in turns:
        messages.append({"role": "user", "content": question})
        if tool is None:
            messages.append({"role": "assistant", "content": "Sure."})
            continue
        result = {"error": "not sent", "held_for": held[0]} if held else {"planned": True}
        messages += [{"role": "assistant", "content": call_content("", toolken_for(tool), json.dumps(arguments))},
                     {"role": "tool", "name": tool, "content": json.dumps(result)},
                     {"role": "assistant", "content": "Not sent." if held else "Planned."}]
    return [*messages, {"role": "user", "content": now}]


@pytest.mark.parametrize(("text", "goes_on"), [
    ("and urgent?", True), ("only annual leave", True), ("just travel", True), ("no wait, 10:30 to 11:30", True),
    ("actually make it today and tomorrow", True), ("any of them with a projector", True),
    ("free ones thursday 9 till 12", True), ("same for kwame, E1012", True), ("economy only", True),
    ("oh and dont email the customer", True), ("ok zephyr then", True), ("4pm then?", True),
    ("how many annual days do i have now", False), ("ok pls request annual leave from fri 13 march", False),
    ("whats booked in bora on wednesday", False), ("top 5 is enough", True), ("with standard service", True),
    ("oh it was 20 units not 18, recounted", True),  # a figure, not another
    ("needs video conf, one of them is remote", True),
])
def test_a_refinement_says_in_words_that_it_goes_on(text: str, goes_on: bool):
    assert refines(text) is goes_on


def test_the_call_before_is_the_last_api_call_of_the_turn_before():
    messages = chat(("open tickets?", "api.listTickets", {"status": "open"}), now="and urgent?")
    previous = last_call(messages)
    assert previous is not None and previous.tool == "api.listTickets" and previous.arguments == {"status": "open"}
    assert last_call(chat(("rules on gifts?", "search", {"query": "gifts"}), now="and urgent?")) is None
    assert last_call(chat(("open tickets?", "api.listTickets", {"status": "open"}), ("thanks", None, None),
                          now="and urgent?")) is None  # two turns back: the chat moved on
    assert last_call([{"role": "user", "content": "and urgent?"}]) is None


def test_a_turn_without_a_call_between_leaves_the_call_before_it_to_go_on_from():
    held = ("put E1003's leave request 507 on hold", "api.cancelLeaveRequest", {"request_id": 507})
    messages = chat(held, ("what does cancelling do to my balance?", None, None), now="and 508 as well")
    previous, asked = call_before(messages, SCHEMAS, set(), TODAY)
    assert previous is not None and previous.arguments == {"request_id": 507} and asked == held[0]
    assert call_before(chat(held, now="and 508 as well"), SCHEMAS, set(), TODAY)[1] == held[0]


@pytest.mark.parametrize(("before", "now", "tool"), [
    (("any pending leave requests?", "api.listLeaveRequests", {"status": "pending"}), "only annual leave",
     "api.listLeaveRequests"),
    (("book zephyr fri 10-11, E1005", "api.bookMeetingRoom", {"room_id": "zephyr", "organizer_id": "E1005"}),
     "no wait, 10:30 to 11:30", "api.bookMeetingRoom"),
    (("open tickets?", "api.listTickets", {"status": "open"}), "meh, it's low prio anyway", None),  # a reaction
    (("open tickets?", "api.listTickets", {"status": "open"}), "thanks!!", None),
    (("open tickets?", "api.listTickets", {"status": "open"}), "and what's the wifi password", None),  # states none
])
def test_a_refinement_that_states_an_argument_opens_with_the_call_befores_operation(before, now, tool):
    assert refined_tool(now, last_call(chat(before, now=now)), SCHEMAS, TODAY) == tool


@pytest.mark.parametrize(("before", "now", "routed", "tool"), [
    # goes on, but states more for the operation the router found: that one
    (("free rooms thursday 9-12 for 10?", "api.listMeetingRooms", {"min_capacity": 10}),
     "book foehn for that, all hands prep, 10 of us, E1014", "api.bookMeetingRoom", None),
    (("whats E1004's extension", "api.getEmployee", {"employee_id": "E1004"}),
     "also put one in for me, E1004: taxi to the airport last friday, 22 euros, no receipt", "api.submitExpense",
     None),
    # corrects or narrows: the operation before, whatever the message alone would call
    (("book zephyr fri 10-11, E1005", "api.bookMeetingRoom", {"room_id": "zephyr", "organizer_id": "E1005"}),
     "no wait, 10:30 to 11:30", "api.listMeetingRooms", "api.bookMeetingRoom"),
    (("travel claims of E1013?", "api.listExpenses", {"employee_id": "E1013", "category": "travel"}),
     "same for kwame, E1012", "api.getEmployee", "api.listExpenses"),
])
def test_a_message_that_only_goes_on_keeps_the_routers_operation_where_it_states_more_for_it(before, now, routed,
                                                                                             tool):
    assert refined_tool(now, last_call(chat(before, now=now)), SCHEMAS, TODAY, routed) == tool


def test_a_refinement_of_the_same_operation_keeps_what_it_does_not_state_again():
    before = ("show open tickets with high priority", "api.listTickets", {"status": "open", "priority": "high"})
    previous = last_call(chat(before, now="and urgent?"))
    assert carried_arguments({"priority": "urgent"}, "api.listTickets", SCHEMAS["api.listTickets"], "and urgent?",
                             previous, TODAY) == {"status": "open", "priority": "urgent"}
    booked = {"room_id": "zephyr", "organizer_id": "E1005", "title": "q2 planning", "date": "2026-03-06",
              "start_time": "10:00", "end_time": "11:00", "attendees": 5}
    previous = last_call(chat(("book zephyr", "api.bookMeetingRoom", booked), now="no wait, 10:30 to 11:30"))
    # the model's own guesses at what the message does not say (another title) give way to the call before's
    moved = carried_arguments({"room_id": "zephyr", "title": "Meeting", "start_time": "10:30", "end_time": "11:30"},
                              "api.bookMeetingRoom", SCHEMAS["api.bookMeetingRoom"], "no wait, 10:30 to 11:30",
                              previous, TODAY)
    assert moved == {**booked, "start_time": "10:30", "end_time": "11:30"}
    # nor does a text the message writes only as the words by which it goes on ("no wait" as the title)
    moved = carried_arguments({"room_id": "zephyr", "title": "no wait", "start_time": "10:30", "end_time": "11:30"},
                              "api.bookMeetingRoom", SCHEMAS["api.bookMeetingRoom"], "no wait, 10:30 to 11:30",
                              previous, TODAY)
    assert moved == {**booked, "start_time": "10:30", "end_time": "11:30"}
    # "ok ... then": another room for the booking the API refused, the title not "ok"
    for title in ("ok", "Mistral"):  # nor the room's name
        other_room = carried_arguments({"room_id": "mistral", "title": title}, "api.bookMeetingRoom",
                                       SCHEMAS["api.bookMeetingRoom"], "ok mistral then", previous, TODAY)
        assert other_room == {**booked, "room_id": "mistral"}
    retitled = carried_arguments({"title": "budget review"}, "api.bookMeetingRoom", SCHEMAS["api.bookMeetingRoom"],
                                 "actually call it budget review", previous, TODAY)
    assert retitled["title"] == "budget review"
    claimed = {"employee_id": "E1013", "expense_date": "2026-02-26", "category": "travel", "amount_eur": 46.8,
               "description": "train ticket", "receipt_attached": True}
    previous = last_call(chat(("claim it", "api.submitExpense", claimed), now="and lunch that day, 18.50, no receipt"))
    lunch = carried_arguments({**claimed, "category": "meals", "amount_eur": 18.5, "receipt_attached": False},
                              "api.submitExpense", SCHEMAS["api.submitExpense"], "and lunch that day, 18.50, no receipt",
                              previous, TODAY)
    assert lunch["category"] == "meals" and lunch["amount_eur"] == 18.5  # choices and amounts: the model's reading


def test_a_refinement_naming_another_filter_drops_the_name_looked_up_before():
    before = ("whats sofia rossi's extension", "api.searchDirectory", {"query": "sofia rossi"})
    schema = SCHEMAS["api.searchDirectory"]
    previous = last_call(chat(before, now="who else is in IT"))
    assert carried_arguments({"department": "IT"}, "api.searchDirectory", schema, "who else is in IT", previous,
                             TODAY) == {"department": "IT"}
    assert carried_arguments({"department": "IT", "query": "Sofia Rossi"}, "api.searchDirectory", schema,
                             "who else is in IT", previous, TODAY) == {"department": "IT"}  # nor the model's copy
    # one that names her again, or states nothing else, keeps her
    assert carried_arguments({"department": "IT"}, "api.searchDirectory", schema, "is sofia rossi in IT?",
                             previous, TODAY) == {"query": "sofia rossi", "department": "IT"}
    assert carried_arguments({"limit": 5}, "api.searchDirectory", schema, "and only 5 of them", previous,
                             TODAY)["query"] == "sofia rossi"
    # "and priya?" goes on to her, with the same operation, whatever the router reads it as alone
    previous = last_call(chat(before, now="and priya?"))
    assert refined_tool("and priya?", previous, SCHEMAS, TODAY, routed="api.listLeaveRequests") == \
        "api.searchDirectory"
    assert carried_arguments({}, "api.searchDirectory", schema, "and priya?", previous, TODAY) == {"query": "priya"}
    listed = last_call(chat(("who is in IT", "api.searchDirectory", {"department": "IT"}), now="and priya?"))
    assert refined_tool("and priya?", listed, SCHEMAS, TODAY, routed="api.listLeaveRequests") is None


def test_another_operation_pointing_back_takes_the_record_the_call_before_named():
    previous = last_call(chat(("whats 4102 about", "api.getTicket", {"ticket_id": 4102}),
                              now="ok i'll take that one, move it to in progress"))
    schema = SCHEMAS["api.updateTicketStatus"]
    assert carried_arguments({"ticket_id": 4, "status": "in_progress"}, "api.updateTicketStatus", schema,
                             "ok i'll take that one, move it to in progress", previous, TODAY) == \
        {"ticket_id": 4102, "status": "in_progress"}
    # an id the message writes itself stands, and a message that does not point back takes nothing
    assert carried_arguments({"ticket_id": 4104, "status": "closed"}, "api.updateTicketStatus", schema,
                             "close 4104 as well", previous, TODAY)["ticket_id"] == 4104
    assert carried_arguments({"ticket_id": 4, "status": "closed"}, "api.updateTicketStatus", schema,
                             "close ticket 4 pls", previous, TODAY)["ticket_id"] == 4
    assert carried_arguments({"status": "open"}, "api.listTickets", SCHEMAS["api.listTickets"],
                             "show open tickets", previous, TODAY) == {"status": "open"}


def test_another_operation_that_refines_takes_the_day_of_the_call_before():
    booked = {"room_id": "zephyr", "organizer_id": "E1004", "title": "budget sync", "date": "2026-03-03",
              "start_time": "14:00", "end_time": "15:00"}
    previous = last_call(chat(("book zephyr tomorrow 14-15 for the budget sync, I'm E1004", "api.bookMeetingRoom",
                               booked), now="what about 4-5pm?"))
    schema = SCHEMAS["api.listMeetingRooms"]
    assert carried_arguments({"start_time": "16:00", "end_time": "17:00"}, "api.listMeetingRooms", schema,
                             "what about 4-5pm?", previous, TODAY) == \
        {"start_time": "16:00", "end_time": "17:00", "date": "2026-03-03"}
    # a day the message says is its own, and a message that does not go on takes none
    assert carried_arguments({"start_time": "16:00", "end_time": "17:00", "date": "2026-03-04"}, "api.listMeetingRooms",
                             schema, "what about wednesday 4-5pm?", previous, TODAY)["date"] == "2026-03-04"
    assert "date" not in carried_arguments({"min_capacity": 8}, "api.listMeetingRooms", schema,
                                           "rooms for 8 people?", previous, TODAY)


def test_another_operation_where_the_person_speaks_of_themself_takes_the_id_they_gave_as_their_own():
    claimed = {"employee_id": "E1013", "expense_date": "2026-02-26", "category": "travel", "amount_eur": 46.8,
               "description": "train ticket", "receipt_attached": True}
    given = "submit an expense for me E1013: train ticket, 46.80"
    now = "now show me all my claims that are still pending"
    previous = last_call(chat((given, "api.submitExpense", claimed), now=now))
    schema = SCHEMAS["api.listExpenses"]
    # the call left the person out, or wrote someone the message does not name: the id they gave fills it
    assert carried_arguments({"status": "pending"}, "api.listExpenses", schema, now, previous, TODAY, [given]) == \
        {"status": "pending", "employee_id": "E1013"}
    assert carried_arguments({"employee_id": "E1001", "status": "pending"}, "api.listExpenses", schema, now, previous,
                             TODAY, [given])["employee_id"] == "E1013"
    # not where the id was someone else's, the message names another, or it does not speak of the person
    other = "submit an expense for E1013: train ticket, 46.80"
    assert "employee_id" not in carried_arguments({"status": "pending"}, "api.listExpenses", schema, now,
                                                  previous, TODAY, [other])
    assert carried_arguments({"employee_id": "E1002", "status": "pending"}, "api.listExpenses", schema,
                             "show me the pending claims of E1002", previous, TODAY, [given])["employee_id"] == "E1002"
    assert "employee_id" not in carried_arguments({"status": "pending"}, "api.listExpenses", schema,
                                                  "show all pending claims", previous, TODAY, [given])


def test_an_id_the_call_made_up_where_the_person_speaks_of_themself_is_the_one_they_gave_as_their_own():
    earlier = ["cancel my leave request 508 pls, not moving after all. e1006"]
    now = "how many annual days do i have now"
    previous = last_call(chat((earlier[0], "api.cancelLeaveRequest", {"request_id": 508}), now=now))
    schema = SCHEMAS["api.getLeaveBalance"]
    written = {"employee_id": "E2344", "leave_type": "annual"}
    # whatever the call before was, or with none (the person's id given in a message that made no call)
    assert carried_arguments(written, "api.getLeaveBalance", schema, now, previous, TODAY, earlier) == \
        {"employee_id": "E1006", "leave_type": "annual"}
    assert carried_arguments(written, "api.getLeaveBalance", schema, now, None, TODAY, earlier)["employee_id"] == \
        "E1006"
    # the message names the id, does not speak of the person, or the earlier message gave no single id as theirs
    assert carried_arguments(written, "api.getLeaveBalance", schema, "how many annual days do i have, E2344", None,
                             TODAY, earlier)["employee_id"] == "E2344"
    assert carried_arguments(written, "api.getLeaveBalance", schema, "annual days of sofia", None, TODAY,
                             earlier)["employee_id"] == "E2344"
    for before in (["cancel request 508 of E1006"], ["swap my shift with E1012, i'm E1006"]):
        assert carried_arguments(written, "api.getLeaveBalance", schema, now, None, TODAY, before)["employee_id"] == \
            "E2344"


@pytest.mark.parametrize(("held", "now", "given"), [
    # held for the organizer nobody named: the answer gives it
    ({"room_id": "zephyr", "title": "Book zephyr", "date": "2026-03-03", "start_time": "10:00", "end_time": "11:00"},
     "E1006", {"organizer_id": "E1006"}),
    ({}, "505", {"request_id": 505}),  # asked which leave request: a number alone is its id
    ({}, "it's #505.", {"request_id": 505}),
    ({}, "505 or 506?", {}),  # two numbers: which is unsaid
    ({}, "3.5 days", {}),
    ({}, "the one from last week", {}),
    ({}, "do i have any open leave requests? 505", {}),  # a question of its own
])
def test_the_answer_to_which_record_a_held_call_needs_is_what_it_gives_of_it(
        held: dict[str, Any], now: str, given: dict[str, Any]):
    tool, wanted = ("api.bookMeetingRoom", "organizer_id") if held else ("api.cancelLeaveRequest", "request_id")
    previous = last_call(chat(("book zephyr tomorrow 10-11", tool, held, wanted), now=now))
    assert previous is not None and previous.held_for == (wanted,)
    assert previous is not None
    assert held_answer(now, previous, SCHEMAS[tool], TODAY) == given
    assert refined_tool(now, previous, SCHEMAS, TODAY) == (tool if given else None)


def test_a_request_of_its_own_that_names_what_a_call_was_held_for_is_read_as_itself():
    held = last_call(chat(("leave next week", "api.createLeaveRequest", {}, "employee_id"), now="E1005"))
    assert refined_tool("E1005", held, SCHEMAS, TODAY, routed="api.getEmployee") == "api.createLeaveRequest"
    booking = "book bora tomorrow 10-11 for E1005"
    assert refined_tool(booking, held, SCHEMAS, TODAY, routed="api.bookMeetingRoom") is None


def test_a_sent_call_that_lacks_a_required_property_was_not_held():
    # the arguments' checks may leave out a made-up id; the call was still sent, and the next message is no answer
    previous = last_call(chat(("my balance?", "api.getLeaveBalance", {}), now="E1006"))
    assert previous is not None and previous.held_for == ()
    assert held_answer("E1006", previous, SCHEMAS["api.getLeaveBalance"], TODAY) == {}


def test_a_held_call_answered_keeps_its_arguments_and_is_written_from_both_messages():
    held = {"room_id": "zephyr", "title": "Book zephyr", "date": "2026-03-03", "start_time": "10:00",
            "end_time": "11:00"}
    previous = last_call(chat(("book zephyr tomorrow 10-11", "api.bookMeetingRoom", held, "organizer_id"), now="E1006"))
    # the model wrote the booking again from "E1006" alone: another day, the id as the title
    written = {"room_id": "zephyr", "organizer_id": "E1006", "title": "E1006", "date": "2026-03-09"}
    assert carried_arguments(written, "api.bookMeetingRoom", SCHEMAS["api.bookMeetingRoom"], "E1006", previous,
                             TODAY) == {**held, "organizer_id": "E1006"}
    asked = "my laptop screen keeps flickering, open a ticket"
    ticket = last_call(chat((asked, "api.createTicket", {}, "requester_id"), now="E1006"))
    assert completed_request("E1006", "api.createTicket", ticket, SCHEMAS["api.createTicket"], TODAY, asked) == \
        "my laptop screen keeps flickering, open a ticket\nE1006"
    # another operation, or a message that gives nothing the call was held for, is written from itself alone
    assert completed_request("E1006", "api.getEmployee", ticket, SCHEMAS["api.getEmployee"], TODAY, asked) == "E1006"
    assert completed_request("thanks", "api.createTicket", ticket, SCHEMAS["api.createTicket"], TODAY, asked) == \
        "thanks"


def test_the_call_a_message_goes_on_from_is_a_held_one_across_a_look_up_of_what_it_was_held_for():
    reads = {"api.searchDirectory", "api.listTickets"}
    held = ("book zephyr tomorrow 10-11", "api.bookMeetingRoom", {"room_id": "zephyr", "date": "2026-03-03"},
            "organizer_id")
    looked_up = ("for jonas becker", "api.searchDirectory", {"query": "jonas becker"})
    previous, asked = call_before(chat(held, looked_up, now="E1006"), SCHEMAS, reads, TODAY)
    assert previous is not None and previous.tool == "api.bookMeetingRoom" and asked == "book zephyr tomorrow 10-11"
    # a message that gives nothing the held call lacks goes on from the look-up
    previous, asked = call_before(chat(held, looked_up, now="and his manager?"), SCHEMAS, reads, TODAY)
    assert previous is not None and previous.tool == "api.searchDirectory" and asked == "for jonas becker"
    # a change between them is no look-up: the chat moved on
    changed = ("cancel leave 505", "api.cancelLeaveRequest", {"request_id": 505})
    previous, _ = call_before(chat(held, changed, now="E1006"), SCHEMAS, reads, TODAY)
    assert previous is not None and previous.tool == "api.cancelLeaveRequest"
    assert call_before([{"role": "user", "content": "E1006"}], SCHEMAS, reads, TODAY) == (None, "")


def test_a_message_that_only_goes_on_and_states_as_much_for_the_call_before_keeps_its_operation():
    before = ("how many annual leave days does E1006 have left", "api.getLeaveBalance",
              {"employee_id": "E1006", "leave_type": "annual"})
    previous = last_call(chat(before, now="and E1007?"))
    assert refined_tool("and E1007?", previous, SCHEMAS, TODAY, routed="api.getEmployee") == "api.getLeaveBalance"
    now = "and E1007 as well, same type of leave"  # the same again, in more words
    assert refined_tool(now, last_call(chat(before, now=now)), SCHEMAS, TODAY, routed="api.getEmployee") == \
        "api.getLeaveBalance"
    # one that asks something of its own goes where the router sends it
    now = "and show me the directory entry of E1007"
    previous = last_call(chat(before, now=now))
    assert refined_tool(now, previous, SCHEMAS, TODAY, routed="api.getEmployee") is None
    assert carried_arguments({"employee_id": "E1007"}, "api.getLeaveBalance", SCHEMAS["api.getLeaveBalance"],
                             "and E1007?", previous, TODAY) == {"employee_id": "E1007", "leave_type": "annual"}


@pytest.mark.parametrize(("before", "now"), [
    (("open a ticket: vpn broken, E1006", "api.createTicket", {"requester_id": "E1006", "title": "vpn broken"}),
     "can you write a reply to him saying it's urgent and we're on it"),
    (("book annual leave 9-13 march, E1006", "api.createLeaveRequest",
      {"employee_id": "E1006", "leave_type": "annual"}),
     "will that count as sick leave then?"),
])
def test_a_request_for_a_text_or_a_question_about_the_call_before_refines_nothing(before, now: str):
    # each goes on in words and states an argument of the call before (a priority, a leave type)
    assert refined_tool(now, last_call(chat(before, now=now)), SCHEMAS, TODAY) is None


def test_a_follow_up_naming_a_site_by_its_name_states_its_id():
    harbor = {f"api.{op.operation_id}": op for op in
              load_catalog(Path(__file__).resolve().parents[1] / "data/examples/harbor/catalog.yaml").operations}
    schemas = {name: op.parameters for name, op in harbor.items()}
    named = [text for op in harbor.values() for text in op.examples]
    before = ("what's delayed out of rotterdam right now", "api.searchShipments",
              {"status": "delayed", "origin_warehouse_id": "WH-01"})
    for now in ("and antwerp?", "n antwerp"):
        previous = last_call(chat(before, now=now))
        assert refined_tool(now, previous, schemas, TODAY, named=named) == "api.searchShipments"
        assert refined_tool(now, previous, schemas, TODAY) is None  # without the examples no name reads as an id
        assert carried_arguments({}, "api.searchShipments", schemas["api.searchShipments"], now, previous, TODAY,
                                 named=named) == {"status": "delayed", "origin_warehouse_id": "WH-02"}


def test_a_correction_changes_only_what_it_states():
    harbor = {f"api.{op.operation_id}": op.parameters for op in
              load_catalog(Path(__file__).resolve().parents[1] / "data/examples/harbor/catalog.yaml").operations}
    delayed = {"shipment_id": "SHP-205660", "status": "delayed", "expected_delivery": "2026-03-04",
               "note": "truck broke down near venlo"}
    previous = last_call(chat(("mark SHP-205660 delayed, new delivery wednesday", "api.updateShipment", delayed),
                              now="actually make that thursday"))
    # the model's own status, which the correction names nowhere, gives way to the call before's
    assert carried_arguments({**delayed, "status": "cancelled", "expected_delivery": "2026-03-05"},
                             "api.updateShipment", harbor["api.updateShipment"], "actually make that thursday",
                             previous, TODAY) == {**delayed, "expected_delivery": "2026-03-05"}
    # so does a change again of the same shipment
    now = "oh and dont email the customer"
    previous = last_call(chat(("mark SHP-205660 delayed", "api.updateShipment", delayed), now=now))
    assert carried_arguments({**delayed, "status": "returned", "notify_customer": False}, "api.updateShipment",
                             harbor["api.updateShipment"], now, previous, TODAY) == {**delayed, "notify_customer": False}
    ordered = {"supplier_id": "SUP-0418", "warehouse_id": "WH-05", "lines": [{"sku": "SKU-20817", "quantity": 400}]}
    previous = last_call(chat(("order 400 of SKU-20817 from SUP-0418 for gdansk", "api.createPurchaseOrder", ordered),
                              now="no wait make it 600"))
    assert refined_tool("no wait make it 600", previous, harbor, TODAY) == "api.createPurchaseOrder"
    # the one count of the order is the one the correction states, whatever count the model wrote
    assert carried_arguments({**ordered, "lines": [{"sku": "SKU-20817", "quantity": 4}]}, "api.createPurchaseOrder",
                             harbor["api.createPurchaseOrder"], "no wait make it 600", previous, TODAY) == \
        {**ordered, "lines": [{"sku": "SKU-20817", "quantity": 600}]}


def test_a_correction_states_the_value_it_gives_not_the_one_it_denies():
    booked = {"room_id": "zephyr", "organizer_id": "E1005", "date": "2026-03-06", "start_time": "08:00",
              "end_time": "09:00"}
    previous = last_call(chat(("book zephyr fri 8-9, E1005", "api.bookMeetingRoom", booked),
                              now="sorry 08:30 not 08:00"))
    assert refined_tool("sorry 08:30 not 08:00", previous, SCHEMAS, TODAY) == "api.bookMeetingRoom"


def test_an_order_pointing_back_at_the_record_looked_up_is_its_change():
    looked_up = ("whats 4102 about", "api.getTicket", {"ticket_id": 4102})
    changes = {"api.updateTicketStatus", "api.createTicket"}
    said = "user says it works again, mark it resolved"
    previous = last_call(chat(looked_up, now=said))
    assert pointed_change(said, previous, "api.updateTicketStatus", SCHEMAS, changes, TODAY)
    assert carried_arguments({"status": "resolved"}, "api.updateTicketStatus", SCHEMAS["api.updateTicketStatus"],
                             said, previous, TODAY) == {"status": "resolved", "ticket_id": 4102}
    # no order, another record's id, or a change that takes no id of the record: none
    assert not pointed_change("user says it works again", previous, "api.updateTicketStatus", SCHEMAS, changes, TODAY)
    assert not pointed_change("mark 4103 resolved too", previous, "api.updateTicketStatus", SCHEMAS, changes, TODAY)
    assert not pointed_change(said, previous, "api.createTicket", SCHEMAS, changes, TODAY)


def test_a_message_that_is_nothing_but_a_value_the_call_before_takes_refines_it():
    before = ("whats on in bora tomorrow", "api.listRoomBookings", {"room_id": "bora", "date": "2026-03-03"})
    previous = last_call(chat(before, now="sirocco?"))
    schema = SCHEMAS["api.listRoomBookings"]
    assert refined_tool("sirocco?", previous, SCHEMAS, TODAY, routed="api.listRoomBookings") == "api.listRoomBookings"
    assert carried_arguments({"room_id": "sirocco"}, "api.listRoomBookings", schema, "sirocco?", previous, TODAY) == \
        {"room_id": "sirocco", "date": "2026-03-03"}
    assert refined_tool("thanks", previous, SCHEMAS, TODAY) is None  # states nothing the call takes


def test_a_correction_that_then_asks_its_own_question_is_read_by_its_question():
    booked = {"room_id": "zephyr", "organizer_id": "E1011", "title": "design review", "date": "2026-03-05",
              "start_time": "13:00", "end_time": "14:00"}
    now = "wait no sorry thursday doesnt work for daniel. what's booked in zephyr on friday"
    previous = last_call(chat(("book zephyr thursday 13-14, E1011", "api.bookMeetingRoom", booked), now=now))
    assert refined_tool(now, previous, SCHEMAS, TODAY, routed="api.listRoomBookings") is None
    # a correction alone still corrects
    assert refined_tool("wait no sorry, friday", previous, SCHEMAS, TODAY, routed="api.listRoomBookings") == \
        "api.bookMeetingRoom"


def test_an_id_the_model_made_up_is_the_one_the_person_gave_for_the_call_before():
    asked = "hey how many holiday days have i got left? E1007"
    previous = last_call(chat((asked, "api.getLeaveBalance", {"employee_id": "E1007", "leave_type": "annual"}),
                              now="ok great, then pls request 23 to 27 march"))
    schema = SCHEMAS["api.createLeaveRequest"]
    made_up = {"employee_id": "E2007", "leave_type": "annual", "start_date": "2026-03-23", "end_date": "2026-03-27"}
    assert carried_arguments(made_up, "api.createLeaveRequest", schema, "ok great, then pls request 23 to 27 march",
                             previous, TODAY, [asked])["employee_id"] == "E1007"
    # an id the person writes stands
    assert carried_arguments({**made_up, "employee_id": "E1012"}, "api.createLeaveRequest", schema,
                             "and the same for E1012", previous, TODAY, [asked])["employee_id"] == "E1012"


def test_an_order_on_the_record_looked_up_is_the_operation_that_takes_its_id():
    reads = {tool for tool in SCHEMAS if tool.split(".")[1].startswith(("get", "list", "search"))}
    changes = set(SCHEMAS) - reads
    previous = last_call(chat(("reopen 4104 pls", "api.updateTicketStatus", {"ticket_id": 4104, "status": "open"}),
                              now="and show me the full history of it"))
    # the one look-up that needs the ticket's id, where the router found none that takes it
    assert pointed_operation("and show me the full history of it", previous, None, SCHEMAS, changes, reads,
                             TODAY) == "api.getTicket"
    assert pointed_operation("and show me the full history of it", previous, "api.listTickets", SCHEMAS, changes,
                             reads, TODAY) == "api.getTicket"
    # the change that states most of the message, over a look-up the router chose
    looked_up = last_call(chat(("whats 4102 about", "api.getTicket", {"ticket_id": 4102}),
                               now="ok mark it resolved, note: reset the vpn"))
    assert pointed_operation("ok mark it resolved, note: reset the vpn", looked_up, "api.listTickets", SCHEMAS,
                             changes, reads, TODAY) == "api.updateTicketStatus"
    # not where the router's own operation takes the record, nor without an order pointing back
    assert pointed_operation("ok mark it resolved", looked_up, "api.updateTicketStatus", SCHEMAS, changes, reads,
                             TODAY) is None
    assert pointed_operation("show me the open tickets", looked_up, None, SCHEMAS, changes, reads, TODAY) is None
    assert pointed_operation("will that count against it?", looked_up, None, SCHEMAS, changes, reads, TODAY) is None


def test_a_follow_up_writing_the_verb_of_the_routers_operation_is_no_same_again():
    listed = ("what's booked in zephyr on friday", "api.listRoomBookings", {"room_id": "zephyr", "date": "2026-03-06"})
    now = "ok then book it friday same time"
    previous = last_call(chat(listed, now=now))
    assert refined_tool(now, previous, SCHEMAS, TODAY, routed="api.bookMeetingRoom") is None
    assert refined_tool("and bora as well", previous, SCHEMAS, TODAY, routed="api.bookMeetingRoom") == \
        "api.listRoomBookings"


def test_a_change_again_of_the_same_record_keeps_its_text_unless_the_message_names_it():
    schema = {"type": "object", "required": ["shipment_id", "status"], "properties": {
        "shipment_id": {"type": "string"}, "status": {"type": "string", "enum": ["delayed", "on_hold"]},
        "notify_customer": {"type": "boolean"}, "note": {"type": "string"}}}
    updated = {"shipment_id": "SHP-204877", "status": "delayed", "note": "truck broke down near venlo"}
    now = "wait dont email the customer, account mgr is calling them himself"
    previous = last_call(chat(("mark it delayed", "api.updateShipment", updated), now=now))
    written = {**updated, "note": "account mgr is calling them himself", "notify_customer": False}
    assert carried_arguments(written, "api.updateShipment", schema, now, previous, TODAY) == \
        {**updated, "notify_customer": False}
    renoted = "oh and change the note to: driver rang, eta 16:00"
    assert carried_arguments({**updated, "note": "driver rang, eta 16:00"}, "api.updateShipment", schema, renoted,
                             previous, TODAY)["note"] == "driver rang, eta 16:00"


def test_an_order_by_the_changes_verb_after_a_look_up_of_the_same_things_is_that_change():
    reads = {"api.listMeetingRooms"}
    changes = {"api.bookMeetingRoom"}
    listed = ("free rooms tomorrow 10-11 for 6?", "api.listMeetingRooms",
              {"date": "2026-03-03", "start_time": "10:00", "end_time": "11:00", "min_capacity": 6})
    now = "book foehn, E1010, partner sync"
    previous = last_call(chat(listed, now=now))
    assert ordered_after_look_up(now, previous, "api.bookMeetingRoom", SCHEMAS, changes, reads, TODAY)
    # a change not named by its verb, a question about what it brings, or nothing before it: no
    assert not ordered_after_look_up("will that book foehn for good?", previous, "api.bookMeetingRoom", SCHEMAS,
                                     changes, reads, TODAY)
    assert not ordered_after_look_up("foehn looks nice", previous, "api.bookMeetingRoom", SCHEMAS, changes, reads,
                                     TODAY)
    assert not ordered_after_look_up(now, None, "api.bookMeetingRoom", SCHEMAS, changes, reads, TODAY)


def test_a_question_for_a_rule_or_a_limit_refines_no_call():
    previous = last_call(chat(("which carriers do adr", "api.listRoomBookings", {"room_id": "bora"}),
                              now="and whats the max length of a booking in bora"))
    assert refined_tool("and whats the max length of a booking in bora", previous, SCHEMAS, TODAY) is None
    assert refined_tool("and do i have to book bora a week ahead?", previous, SCHEMAS, TODAY) is None
    assert refined_tool("and sirocco?", previous, SCHEMAS, TODAY) == "api.listRoomBookings"


def test_a_correction_keeps_the_records_text():
    reported = {"warehouse_id": "WH-05", "sku": "SKU-22871", "quantity": 18, "damage_type": "punctured",
                "description": "punctured by a forklift in aisle 14"}
    schema = {"type": "object", "properties": {
        "warehouse_id": {"type": "string"}, "sku": {"type": "string"}, "quantity": {"type": "integer"},
        "damage_type": {"type": "string", "enum": ["punctured", "wrong_item"]}, "description": {"type": "string"}}}
    now = "oh and it was 20 units not 18, recounted"
    previous = last_call(chat(("18 units punctured", "api.reportDamage", reported), now=now))
    written = {**reported, "quantity": 20, "damage_type": "wrong_item", "description": "oh and it was"}
    assert carried_arguments(written, "api.reportDamage", schema, now, previous, TODAY) == {**reported, "quantity": 20}
