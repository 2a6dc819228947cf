"""Readings of messages as staff write them in a chat, found on the third fresh set of written chats
(data/demo/eval/chats_fresh3, data/examples/harbor/eval_chats_fresh3): each test states one reading and a near
message it must leave alone."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.approvals import DECLINED
from assistant.chat_format import ParsedCall
from assistant.config import DEMO_CATALOG
from assistant.copying import uncopied, unlabelled, whole_phrases
from assistant.corrections import corrected_count, corrects
from assistant.countries import stated_countries
from assistant.dates import stated_dates
from assistant.engine import PLANNED_ONLY, _earlier_codes, _without_engine_notes
from assistant.follow_up_calls import refined_tool
from assistant.follow_ups import _own_ids, carried_arguments, refines
from assistant.lines import stated_lines
from assistant.message_kinds import asks_what_it_brings, limit_question, requests_something, text_work
from assistant.named_search import named_arguments, ordered_name
from assistant.operation_fit import ordered_look_up, team_looked_up, verb_written
from assistant.slots import asks, is_question, stated_arguments, states_asked_after, unstated_required
from assistant.unsaid import forgotten_filters, idle_texts, unsaid_flags
from tools.base import ToolResult
from tools.catalog import load_catalog

TODAY = date(2026, 3, 2)  # a Monday
HARBOR = {op.operation_id: op.parameters for op in
          load_catalog(Path(__file__).resolve().parents[1] / "data/examples/harbor/catalog.yaml").operations}
DEMO = {op.operation_id: op.parameters for op in load_catalog(DEMO_CATALOG).operations}


def _dates(text: str) -> list[tuple[str, str]]:
    return [(text[said.start:said.end], said.likeliest.isoformat()) for said in stated_dates(text, TODAY)]


def test_a_weekday_before_a_days_number_is_that_day_and_a_range_gives_its_month_to_both_ends() -> None:
    assert _dates("ok put in annual leave fri 13th to fri 20th march") == [
        ("fri 13th", "2026-03-13"), ("fri 20th march", "2026-03-20")]
    assert _dates("leave fri 13th") == [("fri 13th", "2026-03-13")]
    assert _dates("fri 3 pallets") == [("fri", "2026-03-06")]  # a count after a weekday is no day of the month


def test_narrowing_to_a_month_states_its_first_and_last_day() -> None:
    assert [day for _, day in _dates("and narrow it to february")] == ["2026-02-01", "2026-02-28"]
    assert _dates("send it to mary") == []


def test_a_countrys_code_counts_in_capitals_after_a_word_pointing_to_a_place() -> None:
    assert stated_countries("are there shipments from WH-05 in transit to DE") == ["DE"]
    assert stated_countries("anything on hold going to GB?") == ["GB"]
    assert stated_countries("ship to france or to DE") == ["FR", "DE"]
    assert stated_countries("go to de bakker for it") == []  # lower case is a word, not a code
    assert stated_countries("send it to XX") == []  # no country has that code


@pytest.mark.parametrize(("text", "question"), [
    ("ok unrelated, is SHP-205117 delivered yet", True),
    ("crm still locked!! ticket 4102 whats the status", True),
    ("ok book it", False),
    ("oh and dont email the customer", False),
])
def test_a_question_may_open_after_a_lead_in_or_follow_an_id(text: str, question: bool) -> None:
    assert is_question(text) is question


def test_a_question_after_a_lead_in_asks_rather_than_sets_a_state() -> None:
    assert asks("ok unrelated, is SHP-205117 delivered yet")
    assert "status" in unstated_required(HARBOR["updateShipment"], "ok unrelated, is SHP-205117 delivered yet", TODAY)
    assert "status" not in unstated_required(HARBOR["updateShipment"], "ok unrelated, mark SHP-205117 delivered", TODAY)


def test_the_state_put_right_after_the_record_is_the_one_set_among_several_named() -> None:
    request = "SHP-204902 delayed, tideway's ferry got cancelled, new eta friday. put that in the note"
    assert stated_arguments({}, HARBOR["updateShipment"], request, TODAY)["status"] == "delayed"
    # neither put to the record: the model chooses
    assert "status" not in stated_arguments({}, HARBOR["updateShipment"],
                                            "SHP-204902: the ferry got cancelled and the truck is delayed", TODAY)


def test_the_day_put_to_the_call_wins_among_several_days_the_request_states() -> None:
    request = "covering for joris today, he asked me to check free inbound slots at WH-04 on wednesday"
    assert stated_arguments({"date": "0300-04-20"}, HARBOR["listDockSlots"], request, TODAY)["date"] == "2026-03-04"
    # the model's date is one the request states: it stands
    assert "date" not in stated_arguments({"date": "2026-03-02"}, HARBOR["listDockSlots"], request, TODAY)


@pytest.mark.parametrize(("request_text", "limit"), [
    ("show me 20 stock lines for WH-05", 20),
    ("shipments from WH-03, max 10", 10),
    ("stock at WH-05 for SKU-10442, 20 units", None),  # a quantity, not how many lines
])
def test_a_limit_said_as_show_me_n_or_max_n(request_text: str, limit: int | None) -> None:
    operation = "getStockLevels" if "stock" in request_text else "searchShipments"
    assert stated_arguments({}, HARBOR[operation], request_text, TODAY).get("limit") == limit


def test_a_room_for_n_counts_people_and_a_cut_short_choice_names_its_value() -> None:
    stated = stated_arguments({}, DEMO["listMeetingRooms"], "need a room for 8 tomorrow 2-3pm with video conf", TODAY)
    assert stated["min_capacity"] == 8 and stated["equipment"] == "video_conference"
    assert "min_capacity" not in stated_arguments({}, DEMO["listMeetingRooms"], "a room for 2pm tomorrow", TODAY)


def test_not_just_a_filters_value_lets_go_of_that_filter() -> None:
    arguments = {"status": "pending", "employee_id": "E1007"}
    assert forgotten_filters(arguments, DEMO["listLeaveRequests"], "for her show all of them not just pending") == [
        "status"]
    assert forgotten_filters(arguments, DEMO["listLeaveRequests"], "just the pending ones for her") == []


def test_you_can_and_an_order_verb_make_a_request() -> None:
    assert requests_something("tbh its fine now, you can mark it resolved - the new router fixed it")
    assert not requests_something("you can never tell with these things")


def _call(tool: str, arguments: dict[str, Any]) -> ParsedCall:
    return ParsedCall(text_before="", tool=f"api.{tool}", arguments=arguments)


@pytest.mark.parametrize(("request_text", "previous", "fixed"), [
    ("oh correction its 8 not 6, counted again", _call("reportDamage", {"warehouse_id": "WH-01", "quantity": 6}),
     {"quantity": 8}),
    ("oops it was 37.80 not 27.80", _call("submitExpense", {"employee_id": "E1016", "amount_eur": 27.8}),
     {"amount_eur": 37.8}),
])
def test_a_figure_said_in_place_of_the_call_befores_goes_on_from_that_call(request_text: str, previous: ParsedCall,
                                                                           fixed: dict[str, Any]) -> None:
    schemas = {f"api.{name}": schema for name, schema in {**HARBOR, **DEMO}.items()}
    assert refined_tool(request_text, previous, schemas, TODAY, routed=None) == previous.tool
    properties = schemas[previous.tool].get("properties") or {}
    assert corrected_count(request_text, previous.arguments, properties) == fixed
    # a figure the call before does not hold is no correction of it
    assert corrected_count("its 8 not 5", previous.arguments, properties) == {}


def test_a_look_up_verb_opening_an_order_takes_the_call_from_a_change_that_shares_its_noun() -> None:
    schemas = {f"api.{name}": schema for name, schema in DEMO.items()}
    changes = {"api.updateTicketStatus", "api.createTicket", "api.bookMeetingRoom", "api.createLeaveRequest",
               "api.cancelLeaveRequest", "api.submitExpense", "api.cancelBooking"} & schemas.keys()
    assert ordered_look_up("api.updateTicketStatus", schemas, changes,
                           "then list everything still in progress") == "api.listTickets"
    assert ordered_look_up("api.updateTicketStatus", schemas, changes, "then update it to in progress") is None
    assert ordered_look_up("api.updateTicketStatus", schemas, changes, "mark it in progress") is None


@pytest.mark.parametrize(("request_text", "written", "phrase"), [
    # a figure's unit is no description: the longest phrase of the first sentence with one of two words or more
    ("ok can you file it. WH-02, SKU-52210, 1 unit, type other. glass bottle broke when the carton fell off",
     "unit", "glass bottle broke when the carton fell off"),
    ("bottom layer of the pallet caved in, 6 units", "bottom layer of the pallet caved",
     "bottom layer of the pallet caved in"),
])
def test_a_required_description_is_a_whole_phrase(request_text: str, written: str, phrase: str) -> None:
    schema = {"type": "object", "required": ["description"], "properties": {
        "description": {"type": "string"}, "damage_type": {"type": "string", "enum": ["other", "crushed"]}}}
    arguments = {"description": written, "damage_type": "other"}
    assert whole_phrases(arguments, schema, request_text, TODAY) == {"description": phrase}


def test_optional_free_text_in_words_nobody_said_is_left_out() -> None:
    schema = HARBOR["updateShipment"]
    said = "mark SHP-207345 as delivered\nand SHP-207346 as well"
    assert uncopied({"note": "I found a new shipment", "shipment_id": "SHP-207346"}, schema, said) == ["note"]
    assert uncopied({"note": "as well"}, schema, said) == []


def test_the_engines_own_notes_in_a_tool_message_state_nothing() -> None:
    planned = {"sent": False, "note": PLANNED_ONLY, "planned": {"method": "PATCH", "body": {"status": "delivered"}}}
    for text in (ToolResult(planned, None).to_message(), json.dumps(planned)):
        stated = _without_engine_notes(text)
        assert PLANNED_ONLY not in stated and "sent" not in stated and "delivered" in stated
    assert DECLINED not in _without_engine_notes(ToolResult(None, DECLINED).to_message())


def test_how_much_notice_asks_a_rule_not_for_records() -> None:
    assert limit_question("thanks! how much notice does the people team officially want for parental leave?")
    assert not limit_question("show me the parental leave requests")


def test_a_question_who_is_in_a_team_looks_people_up_by_the_team_it_names() -> None:
    schemas = {f"api.{name}": schema for name, schema in DEMO.items()}
    candidates = {name: 0.01 for name in schemas}
    assert team_looked_up(candidates, schemas, set(), "who's in the people team", TODAY) == "api.searchDirectory"
    assert team_looked_up(candidates, schemas, set(), "who's in the office today", TODAY) is None


def test_a_state_asked_after_in_a_clause_of_its_own_is_neither_set_nor_filtered() -> None:
    assert "status" not in stated_arguments({}, HARBOR["updateShipment"],
                                            "fine, pull up SHP-203980 so i can check when it was delivered", TODAY)
    assert "status" not in stated_arguments({}, DEMO["listLeaveRequests"],
                                            "my leave requests too pls, want to see if prague got approved", TODAY)
    assert stated_arguments({}, HARBOR["updateShipment"], "SHP-1 arrived, mark it delivered", TODAY)["status"] == \
        "delivered"


def test_my_records_are_filtered_by_the_id_the_person_gave_as_their_own() -> None:
    properties = DEMO["listLeaveRequests"]["properties"]
    earlier = ["could you check on my laptop ticket, 4101?", "any other tickets of mine? i'm E1011"]
    assert _own_ids({}, properties, "oh and my leave requests too pls", earlier) == {"employee_id": "E1011"}
    assert _own_ids({}, properties, "oh and the leave requests too pls", earlier) == {}  # nobody's in particular
    assert _own_ids({}, properties, "my leave requests and E1012's", earlier) == {}  # the request gives an id


def test_chat_words_that_go_on_and_that_point_at_the_records_listed() -> None:
    schemas = {f"api.{name}": schema for name, schema in HARBOR.items()}
    shipments = _call("searchShipments", {"origin_warehouse_id": "WH-03", "carrier": "portex"})
    assert refined_tool("n max 10", shipments, schemas, TODAY) == "api.searchShipments"
    sites = _call("listWarehouses", {"cold_storage": True})
    assert refined_tool("and which ones can take ADR stuff", sites, schemas, TODAY,
                        routed="api.listCarriers") == "api.listWarehouses"
    assert refined_tool("and who can take ADR stuff", sites, schemas, TODAY, routed="api.listCarriers") is None


def test_a_refinement_keeps_no_date_it_does_not_say() -> None:
    previous = _call("searchShipments", {"origin_warehouse_id": "WH-03", "shipped_from": "2026-02-23"})
    written = {"origin_warehouse_id": "WH-03", "shipped_from": "2026-02-23", "shipped_to": "2026-02-23", "limit": 10}
    carried = carried_arguments(written, "api.searchShipments", HARBOR["searchShipments"], "n max 10", previous, TODAY)
    assert carried == {"origin_warehouse_id": "WH-03", "shipped_from": "2026-02-23", "limit": 10}


def test_a_name_looked_up_in_a_correction_lets_go_of_the_filters_before() -> None:
    previous = _call("searchSuppliers", {"category": "packaging", "country": "PL"})
    carried = carried_arguments({"name": "baltic pack"}, "api.searchSuppliers", HARBOR["searchSuppliers"],
                                "actually just look up baltic pack by name", previous, TODAY)
    assert carried == {"name": "baltic pack"}
    assert carried_arguments({"status": "approved"}, "api.searchSuppliers", HARBOR["searchSuppliers"],
                             "only approved ones", previous, TODAY) == {**previous.arguments, "status": "approved"}


def test_put_me_down_orders_a_new_record_and_ugh_may_open_work_on_a_text() -> None:
    assert verb_written("api.createLeaveRequest", "ok put me down sick today i feel awful")
    assert not verb_written("api.createLeaveRequest", "put that down to experience")
    assert text_work("ugh. can you rephrase that as a 2 line summary i can paste in the buyers chat")


@pytest.mark.parametrize(("text", "work"), [
    ("can you sum that up in 2 lines for my team whatsapp", True),
    ("tldr pls", True),
    ("sum up the stock at WH-01", False),
])
def test_summing_up_the_last_answer_is_work_on_a_text(text: str, work: bool) -> None:
    assert text_work(text) is work


def test_a_reason_that_only_says_when_says_nothing() -> None:
    arguments = {"employee_id": "E1007", "start_date": "2026-03-13", "reason": "fri"}
    assert idle_texts(arguments, DEMO["createLeaveRequest"]) == ["reason"]
    assert idle_texts({**arguments, "reason": "sister's wedding on fri"}, DEMO["createLeaveRequest"]) == []


def test_a_name_ordered_looked_up_is_the_look_ups_name_whatever_follows() -> None:
    request = "ok and can you find noah fischer for me? was told he's the one for payroll questions"
    schema = DEMO["searchDirectory"]
    assert ordered_name(request, schema, "api.searchDirectory") == "noah fischer"
    assert named_arguments({"query": "was told he's the one for payroll questions"}, "api.searchDirectory", schema,
                           request) == {"query": "noah fischer"}
    assert ordered_name("who is noah fischer?", schema, "api.searchDirectory") is None  # asks, orders nothing
    assert ordered_name("can you check the leave policy? thanks", schema, "api.searchDirectory") is None


# The fourth round, on the fourth fresh pair (chats_fresh4, eval_chats_fresh4).

def test_a_correction_may_say_so_at_its_end_and_a_question_may_end_in_another_sentence() -> None:
    assert corrects("we'll be about 15 ppl actually")
    assert refines("hm none? what about high")
    assert not refines("ok. list all suspended suppliers in DE")


def test_a_topic_change_is_no_title_and_a_note_that_is_labelled() -> None:
    schema = {"type": "object", "required": ["title"], "properties": {"title": {"type": "string"}}}
    request = "ok different thing. my second screen keeps flickering, can u open a ticket. E1011"
    assert whole_phrases({"title": "different thing"}, schema, request, TODAY) == {
        "title": "second screen keeps flickering"}
    note = {"properties": {"note": {"type": "string"}}}
    assert unlabelled({"note": "note that i sent the logs on friday"}, note) == {"note": "i sent the logs on friday"}


def test_words_that_say_only_that_a_request_goes_on_are_no_note() -> None:
    assert idle_texts({"ticket_id": 4104, "status": "closed", "note": "too"}, DEMO["updateTicketStatus"]) == ["note"]


def test_a_month_alone_goes_on_and_make_that_shorter_is_work_on_a_text() -> None:
    assert [day for _, day in _dates("and january")] == ["2026-01-01", "2026-01-31"]
    assert _dates("and may i ask something") == []
    assert text_work("can you make that shorter, just the times")


def test_a_state_asked_after_is_no_filter_and_an_order_put_as_a_question_is_no_question() -> None:
    schema = DEMO["listLeaveRequests"]
    request = "and my unpaid leave request, is that still pending?"
    assert states_asked_after({"status": "pending", "leave_type": "unpaid"}, schema, request) == ["status"]
    assert states_asked_after({"status": "pending"}, schema, "my pending requests") == []
    assert not asks("put the days in april instead? 8 to 10 april annual leave, E1011")
    assert asks("is SHP-204401 delivered?")


def test_a_verbs_word_after_a_determiner_is_a_noun() -> None:
    assert not verb_written("api.bookMeetingRoom", "bought a book on kubernetes for 39.90 on saturday")
    assert verb_written("api.bookMeetingRoom", "pls book bora tomorrow")


def test_an_amount_beside_its_currency_is_stated_once_and_a_price_is_no_line_price_unless_written() -> None:
    stated = stated_arguments({}, DEMO["submitExpense"], "also the conference ticket for KubeCon, 1200 eur", TODAY)
    assert stated["amount_eur"] == 1200
    assert "amount_eur" not in stated_arguments({}, DEMO["submitExpense"], "taxi 12 eur and train 30 eur", TODAY)
    line = {"lines": [{"sku": "SKU-10442", "quantity": 10, "unit_price_eur": 200}]}
    request = "ok order 200 more for gdansk from SUP-0311. my email r.kaminski@harborfreight.eu"
    assert stated_lines(line, HARBOR["createPurchaseOrder"], request) == {"lines": [{"sku": "SKU-10442",
                                                                                     "quantity": 200}]}


def test_another_record_does_not_take_the_texts_of_the_one_before() -> None:
    resolved = _call("updateTicketStatus", {"ticket_id": 4101, "status": "resolved", "note": "battery is fixed"})
    closed = carried_arguments({"ticket_id": 4104, "status": "closed"}, "api.updateTicketStatus",
                               DEMO["updateTicketStatus"], "and close 4104 too, the licence works", resolved, TODAY)
    assert "note" not in closed
    book = _call("submitExpense", {"employee_id": "E1006", "expense_date": "2026-02-28", "category": "training",
                                   "amount_eur": 39.9, "description": "bought a book on kubernetes"})
    request = "also the conference ticket for KubeCon, 1200 eur, paid feb 10"
    ticket = carried_arguments({"amount_eur": 1200.0, "expense_date": "2026-02-10"}, "api.submitExpense",
                               DEMO["submitExpense"], request, book, TODAY)
    assert ticket["description"] == "conference ticket for KubeCon" and ticket["category"] == "training"
    same = carried_arguments({"shipment_id": "SHP-206002"}, "api.updateShipment", HARBOR["updateShipment"],
                             "and SHP-206002 as well, same note", _call("updateShipment", {
                                 "shipment_id": "SHP-206001", "status": "delayed", "note": "ferry cancelled"}), TODAY)
    assert same["note"] == "ferry cancelled"


def test_a_booking_after_a_look_up_takes_its_people_its_day_and_the_times_said_before() -> None:
    rooms = _call("listMeetingRooms", {"date": "2026-03-13", "start_time": "13:00", "end_time": "14:30",
                                       "min_capacity": 8})
    booked = carried_arguments({"room_id": "sirocco", "date": "2026-03-18"}, "api.bookMeetingRoom",
                               DEMO["bookMeetingRoom"], "book sirocco for that, E1003, 'quarterly review'", rooms,
                               TODAY, ["need a room for 8 on friday 13:00-14:30", "same but next friday"])
    assert booked["date"] == "2026-03-13" and booked["attendees"] == 8
    bookings = _call("listRoomBookings", {"room_id": "chinook", "date": "2026-03-03"})
    booked = carried_arguments({"room_id": "chinook", "start_time": "09:00", "end_time": "17:00"},
                               "api.bookMeetingRoom", DEMO["bookMeetingRoom"], "book it for me then, E1002",
                               bookings, TODAY, ["need a call booth tomorrow 9 to 9:30, is chinook taken?"])
    assert (booked["start_time"], booked["end_time"]) == ("09:00", "09:30")


def test_her_points_at_the_person_of_the_call_before_and_the_one_in_keeps_the_name() -> None:
    balance = _call("getLeaveBalance", {"employee_id": "E1017", "leave_type": "parental"})
    assert carried_arguments({}, "api.listLeaveRequests", DEMO["listLeaveRequests"], "and all her leave requests",
                             balance, TODAY)["employee_id"] == "E1017"
    sofia = _call("searchDirectory", {"query": "sofia"})
    assert carried_arguments({"department": "IT"}, "api.searchDirectory", DEMO["searchDirectory"], "the one in IT",
                             sofia, TODAY) == {"query": "sofia", "department": "IT"}


def test_just_a_role_narrows_a_look_up_by_name_or_title() -> None:
    finance = _call("searchDirectory", {"department": "Finance"})
    assert carried_arguments({}, "api.searchDirectory", DEMO["searchDirectory"], "just data scientists", finance,
                             TODAY) == {"department": "Finance", "query": "data scientist"}
    assert "query" not in carried_arguments({}, "api.searchDirectory", DEMO["searchDirectory"], "just one", finance,
                                            TODAY)


def test_a_figure_said_in_place_of_an_order_lines() -> None:
    order = {"supplier_id": "SUP-0311", "lines": [{"sku": "SKU-10442", "quantity": 400}]}
    assert corrected_count("sorry 450 not 400", order, HARBOR["createPurchaseOrder"]["properties"]) == {
        "lines": [{"sku": "SKU-10442", "quantity": 450}]}


def test_any_before_a_filters_name_lets_it_go_and_not_before_a_value() -> None:
    schema = HARBOR["listCarriers"]
    assert forgotten_filters({"service_level": "adr", "country": "IE"}, schema,
                             "and which ones deliver to ireland, any service") == ["service_level"]
    assert forgotten_filters({"service_level": "adr"}, schema, "any adr ones to ireland?") == []


def test_a_question_in_a_later_clause_and_a_label_that_runs_past_a_comma() -> None:
    assert is_question("supplier wants to drop off PO-118204 at venlo on wednesday, what inbound slots are free")
    request = "description: customer reports 6 units crushed on arrival, outer carton dented. me: p.j@x.eu"
    assert stated_arguments({}, HARBOR["reportDamage"], request, TODAY)["description"] == \
        "customer reports 6 units crushed on arrival, outer carton dented"
    note = stated_arguments({}, HARBOR["updateShipment"], "put SHP-1 on hold, note: payment block, dont email them",
                            TODAY)
    assert note["note"] == "payment block"


def test_a_look_ups_flag_nobody_said_is_left_out_true_or_false() -> None:
    schema = HARBOR["listWarehouses"]
    assert unsaid_flags({"cold_storage": False, "dangerous_goods": True}, schema,
                        "which of our sites can take dangerous goods", False) == ["cold_storage"]
    assert unsaid_flags({"cold_storage": False}, schema, "which sites have no cold store", False) == []


def test_short_notice_asks_a_rule_and_a_need_of_the_thing_asks_what_it_brings() -> None:
    assert limit_question("could they have come today instead or is that too short notice")
    assert asks_what_it_brings("will that one need approval?")


def test_an_order_naming_another_operations_record_is_no_refinement_of_the_call_before() -> None:
    schemas = {f"api.{name}": schema for name, schema in HARBOR.items()}
    cancelled = _call("updateShipment", {"shipment_id": "SHP-204760", "status": "cancelled"})
    assert refined_tool("there was a dock slot for it too, 9120, cancel that as well", cancelled, schemas, TODAY,
                        routed="api.cancelDockSlot") is None
    assert refined_tool("and SHP-204761 as well", cancelled, schemas, TODAY,
                        routed="api.getShipment") == "api.updateShipment"


def test_an_earlier_messages_code_of_a_kind_the_turn_lacks_may_be_written() -> None:
    earlier = ["how many SKU-10442 do we have in rotterdam", "and antwerp"]
    assert _earlier_codes(["SUP-0311"], earlier) == ["SKU-10442"]
    assert _earlier_codes(["SKU-20000"], earlier) == []
