"""Whether a catalog operation does the action a request opens with (assistant/actions.py), on the demo and
Harbor catalogs as they ship."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.actions import (
    asked_action,
    named_change,
    needed_id,
    needed_id_reply,
    negated_action,
    unchanged_property,
    undone_action,
    unsupported_action,
    unsupported_reply,
)
from assistant.config import DEMO_CATALOG, REPO_ROOT
from tools.catalog import ApiOperationTool, CatalogConfig, load_catalog

HARBOR_CATALOG = REPO_ROOT / "data" / "examples" / "harbor" / "catalog.yaml"


def operations(path: Path) -> dict[str, ApiOperationTool]:
    catalog = load_catalog(path)
    return {f"api.{op.operation_id}": ApiOperationTool(op, catalog, CatalogConfig()) for op in catalog.operations}


@pytest.mark.parametrize(("request_text", "verb"), [
    ("approve leave request 505", "approve"),
    ("Please approve E1003's holiday request 507", "approve"),
    ("hi, can you pls reject 506", "reject"),
    ("i'd like to reassign ticket 4103 to E1010", "reassign"),
    ("cancel leave request 505", None),  # no action of its own: the operations' verbs decide
    ("leave request 505 is approved?", None),  # the verb does not open the request
    ("who can approve my trip?", None),
])
def test_the_action_asked_is_the_distinct_verb_the_request_opens_with(request_text: str, verb: str | None):
    assert asked_action(request_text) == verb


@pytest.mark.parametrize(("catalog", "request_text", "tool", "verb"), [
    (DEMO_CATALOG, "approve leave request 505", "api.cancelLeaveRequest", "approve"),
    (DEMO_CATALOG, "reject leave request 506", "api.cancelLeaveRequest", "reject"),
    (DEMO_CATALOG, "reassign ticket 4103 to E1010", "api.updateTicketStatus", "reassign"),
    # an operation's verb under another word, or an argument's value, names the action
    (DEMO_CATALOG, "delete my leave request 509", "api.cancelLeaveRequest", None),
    (DEMO_CATALOG, "withdraw request 504", "api.cancelLeaveRequest", None),
    (DEMO_CATALOG, "please move ticket 4101 back to open", "api.updateTicketStatus", None),  # a status it sets
    (DEMO_CATALOG, "move ticket 4101 to in progress", "api.updateTicketStatus", None),
    (DEMO_CATALOG, "delete ticket 4102", "api.updateTicketStatus", "delete"),  # cancel is for leave requests
    # a look-up shows the record and does nothing else, unless an operation on the same records does the action
    (DEMO_CATALOG, "approve leave request 505", "api.listLeaveRequests", "approve"),
    (DEMO_CATALOG, "fire E1010", "api.getEmployee", "fire"),
    (DEMO_CATALOG, "delete ticket 4102", "api.getTicket", "delete"),
    (DEMO_CATALOG, "delete my leave request 509", "api.listLeaveRequests", None),
    (DEMO_CATALOG, "move ticket 4101 back to open", "api.getTicket", None),
    (DEMO_CATALOG, "email me the open tickets", "api.listTickets", None),  # it says what it reads
    # a new record may be what an action asks for (a ticket for IT), not one on a record that exists
    (DEMO_CATALOG, "reset my password, I'm E1007", "api.createTicket", None),
    (DEMO_CATALOG, "order a new laptop for me, E1007", "api.createTicket", None),
    (DEMO_CATALOG, "move E1003 to the Finance department", "api.createTicket", "move"),
    (DEMO_CATALOG, "approve expense 7003", "api.submitExpense", "approve"),
    (HARBOR_CATALOG, "order 200 SKU-20817 from SUP-0142 for WH-04", "api.searchSuppliers", None),
    # a yes-or-no argument's description names it: updateShipment's notify_customer e-mails the customer
    (HARBOR_CATALOG, "email the customer that HB73310002 is delayed to friday", "api.updateShipment", None),
    (HARBOR_CATALOG, "transfer HB73310002 to WH-03", "api.updateShipment", "transfer"),
    # a new record asked of a look-up, where no operation makes one
    (HARBOR_CATALOG, "can you add a new supplier for us? vistula wood, based in PL", "api.searchSuppliers", "add"),
    (DEMO_CATALOG, "create a new ticket for my vpn, E1007", "api.listTickets", None),  # createTicket makes one
])
def test_an_operation_is_no_call_for_an_action_no_operation_on_its_records_names(
        catalog: Path, request_text: str, tool: str, verb: str | None):
    assert unsupported_action(request_text, tool, operations(catalog)) == verb


@pytest.mark.parametrize(("catalog", "request_text", "verb"), [
    (HARBOR_CATALOG, "approve PO-118204", "approve"),
    (HARBOR_CATALOG, "fire the driver of SHP-204518", "fire"),
    (DEMO_CATALOG, "can you approve expense 7003 for kwame", "approve"),
    (HARBOR_CATALOG, "order coffee for the office", None),  # createPurchaseOrder orders
    (DEMO_CATALOG, "delete my leave request 509", None),  # cancelLeaveRequest cancels
    (DEMO_CATALOG, "email the team that the party moved to friday", None),  # the model may write it
    (DEMO_CATALOG, "who can approve my trip?", None),  # a question
])
def test_a_request_placed_at_no_operation_names_an_action_none_does(catalog: Path, request_text: str, verb: str | None):
    assert undone_action(request_text, operations(catalog)) == verb


@pytest.mark.parametrize(("catalog", "request_text", "tool", "changed"), [
    (DEMO_CATALOG, "change the priority of ticket 4101 to high", "api.updateTicketStatus", "priority"),
    (DEMO_CATALOG, "set ticket 4103's category to hardware", "api.updateTicketStatus", "category"),
    (HARBOR_CATALOG, "change the carrier of SHP-204518 to tideway", "api.updateShipment", "carrier"),
    (DEMO_CATALOG, "close 4101 and set the priority to low", "api.updateTicketStatus", None),  # the status it sets
    (DEMO_CATALOG, "reopen 4106 please, the printer on floor 3 jammed again", "api.updateTicketStatus", None),
    (HARBOR_CATALOG, "cancel dock slot 7731, the carrier's truck broke down", "api.cancelDockSlot", None),
    (HARBOR_CATALOG, "change the expected delivery of SHP-204518 to friday", "api.updateShipment", None),
])
def test_a_change_of_a_property_the_operation_does_not_set_is_named(
        catalog: Path, request_text: str, tool: str, changed: str | None):
    assert unchanged_property(request_text, tool, operations(catalog)) == changed


@pytest.mark.parametrize(("catalog", "request_text", "tool", "named"), [
    (DEMO_CATALOG, "cancel my leave next friday, I'm E1006", "api.createLeaveRequest", "api.cancelLeaveRequest"),
    (HARBOR_CATALOG, "cancel the dock slot at WH-02 tomorrow 9:00", "api.bookDockSlot", "api.cancelDockSlot"),
    (DEMO_CATALOG, "cancel leave request 505", "api.cancelLeaveRequest", None),  # its own verb
    (DEMO_CATALOG, "please request friday off, E1006", "api.createLeaveRequest", None),
    (DEMO_CATALOG, "cancel ticket 4101", "api.updateTicketStatus", None),  # no other change on tickets cancels
    (DEMO_CATALOG, "cancel my leave next friday, I'm E1006", "api.getLeaveBalance", None),  # a look-up
])
def test_a_change_whose_verb_another_change_on_its_records_names_is_that_change(
        catalog: Path, request_text: str, tool: str, named: str | None):
    assert named_change(request_text, tool, operations(catalog)) == named


@pytest.mark.parametrize(("catalog", "request_text", "tool", "verb"), [
    (DEMO_CATALOG, "no don't reopen 4104, it's fine, i was looking at the wrong laptop", "api.updateTicketStatus",
     "reopen"),
    (DEMO_CATALOG, "don't book sirocco for thursday after all", "api.bookMeetingRoom", "book"),
    (HARBOR_CATALOG, "dont cancel slot 8290, the driver is just stuck in traffic", "api.cancelDockSlot", "cancel"),
    (DEMO_CATALOG, "don't reopen 4104, close it instead", "api.updateTicketStatus", None),  # an order after all
    # a flag's verb said so is a value: notify_customer false
    (HARBOR_CATALOG, "oh and dont email the customer, the account manager is calling them", "api.updateShipment",
     None),
    (DEMO_CATALOG, "dont reopen 4104", "api.getTicket", None),  # a look-up does nothing to take back
])
def test_a_change_the_request_says_not_to_do_is_named(catalog: Path, request_text: str, tool: str, verb: str | None):
    assert negated_action(request_text, tool, operations(catalog)) == verb


def test_the_reply_names_what_the_catalog_can_do_with_the_same_records():
    tools = operations(DEMO_CATALOG)
    assert unsupported_reply("approve", "api.cancelLeaveRequest", tools) == (
        "I can't do that: none of the API's operations can approve. What I can do there: get an employee's remaining "
        "leave days, list leave requests, request leave for an employee or cancel a leave request.")
    assert unsupported_reply("fire", None, tools) == (
        "I can't do that: none of the API's operations can fire. The changes I can make: request leave for an "
        "employee, cancel a leave request, open a new IT ticket, change the status of an IT ticket, book a meeting "
        "room or submit an expense claim.")
    assert unsupported_reply("reassign", "api.updateTicketStatus", tools).endswith(
        "list IT service desk tickets, open a new IT ticket, get one IT ticket with its history or change the status "
        "of an IT ticket.")


@pytest.mark.parametrize(("request_text", "tool", "said", "needed"), [
    ("ok then cancel it", "api.cancelLeaveRequest", [], "request_id"),
    ("my laptop screen keeps flickering, open a ticket", "api.createTicket", [], "requester_id"),
    ("close the ticket", "api.updateTicketStatus", [], None),  # states the status it sets: the model writes the call
    # the chat wrote a number before: the record may be that one, so the model reads the chat
    ("ok then cancel it", "api.cancelLeaveRequest", ["show leave request 505", '{"id": 505}'], None),
    ("how do I cancel a leave request?", "api.cancelLeaveRequest", [], None),  # asked about, not asked for
    ("cancel leave request 505", "api.cancelLeaveRequest", [], None),  # states it
    ("list the open tickets", "api.listTickets", [], None),  # a look-up's filters are no id
    ("please delete it", "api.cancelLeaveRequest", [], "request_id"),  # a word staff write for its verb
    # news or chat placed next to a change names none of its verbs
    ("just got back from a week of skiing, inbox is a disaster", "api.createTicket", [], None),
    ("thx. can you draft a short invite text for the team?", "api.bookMeetingRoom", [], None),
])
def test_a_request_for_a_change_that_states_none_of_it_needs_the_records_id(
        request_text: str, tool: str, said: list[str], needed: str | None):
    operation = operations(DEMO_CATALOG)[tool]
    assert needed_id(request_text, operation, [*said, request_text], date(2026, 3, 2)) == needed


def test_the_question_for_a_needed_id_names_the_change_and_the_id():
    tools = operations(DEMO_CATALOG)
    assert needed_id_reply(tools["api.cancelLeaveRequest"], "request_id") == \
        "To cancel a leave request I need the request id: which request?"
    assert needed_id_reply(tools["api.createTicket"], "requester_id") == \
        "To open a new IT ticket I need the requester id: which requester?"
