"""The name a request looks up with a look-up that finds records by part of their name: read from the request's
form, routed to that look-up where the classifier found no call, and set on its call."""

from __future__ import annotations

import pytest

from assistant.named_search import (
    asked_states,
    name_argument,
    name_lookup,
    named_arguments,
    next_name,
    searched_name,
)
from tests.test_router import rated

DIRECTORY = {"type": "object", "required": [], "properties": {
    "query": {"type": "string", "maxLength": 80,
              "description": "Text to look for in the person's name, email or job title."},
    "department": {"type": "string", "enum": ["Engineering", "Finance", "People", "Sales"]},
    "limit": {"type": "integer"}}}
SUPPLIERS = {"type": "object", "properties": {
    "name": {"type": "string", "description": "Part of the supplier's name, case-insensitive."},
    "country": {"type": "string", "enum": ["NL", "DE", "PL"]},
    "status": {"type": "string", "enum": ["approved", "probation", "suspended"]}}}
EMPLOYEE = {"type": "object", "required": ["employee_id"], "properties": {
    "employee_id": {"type": "string", "pattern": "^E[0-9]{4}$"}}}
SCHEMAS = {"api.searchDirectory": DIRECTORY, "api.getEmployee": EMPLOYEE}


@pytest.mark.parametrize(("request_text", "name"), [
    ("look up lars eriksen", "lars eriksen"),
    ("pls find Daniel", "Daniel"),
    ("find sofia in the staff directory", "sofia"),
    ("who is priya", "priya"),
    ("who's the CEO?", "CEO"),
    ("lars eriksen's email?", "lars eriksen"),
    ("whats sofia rossi's extension", "sofia rossi"),
    ("who is lars eriksen's manager", "lars eriksen"),
    ("i emailed lars eriksen's team last week, who's his manager", "lars eriksen"),
    ("what's the email of daniel kim", "daniel kim"),
    ("extension for sofia", "sofia"),
    ("whats the email for sofia rossi? need it for a card", "sofia rossi"),  # a sentence after the question
    ("what floor is chloe martin on", "chloe martin"),
    ("what team does lena work in", "lena"),
    ("find anyone with designer in their title", "designer"),
    ("look up everyone whose title mentions manager", "manager"),  # said as part of a title, a role word is one
    ("anyone in marketing called chloe?", "chloe"),
    ("is there someone named van dijk in sales", "van dijk"),
])
def test_a_name_is_read_from_the_form_of_the_request(request_text: str, name: str):
    assert searched_name(request_text, DIRECTORY, {"search", "directory"}) == name


@pytest.mark.parametrize(("request_text", "name"), [
    ("find supplier kessler", "kessler"),  # the operation's own word before the name
    ("look up the supplier baltic pack", "baltic pack"),
    ("who's kessler? they emailed me", "kessler"),  # the question ends at its mark
    ("find supplier", None),
])
def test_a_name_is_read_apart_from_the_operations_words_and_the_sentence_after_it(request_text: str,
                                                                                  name: str | None):
    assert searched_name(request_text, SUPPLIERS, {"search", "supplier", "suppliers"}) == name


@pytest.mark.parametrize("request_text", [
    "who's off today?", "who is on leave", "who are you", "who's who", "who is responsible for expenses",
    "find a quiet spot", "find time for lunch next week", "look up finance",  # a department, not a name
    "the number of days", "the company's address", "what time is it in", "lars eriksen", "E1004's email",
    "is there a sofia in the marketing team?",  # the classifier's already: nothing to read from its form
    "cancel 507 please, the summer camp got called off", "the customer already called twice", "a guy called me",
    "the file named report",
    "who is the contact for expenses",  # a topic's contact
])
def test_no_name_is_read_where_the_words_build_the_sentence_or_the_form_asks_for_none(request_text: str):
    assert searched_name(request_text, DIRECTORY, {"search", "directory"}) is None


def test_a_look_up_takes_a_name_where_a_free_text_argument_is_for_one():
    assert name_argument(DIRECTORY) == "query"
    assert name_argument(SUPPLIERS) == "name"
    assert name_argument(EMPLOYEE) is None  # a pattern: an id, not a name
    assert name_argument({"type": "object", "properties": {"note": {"type": "string", "description": "Free text."}}}) \
        is None


def test_the_call_takes_the_name_where_it_leaves_it_out_or_copies_the_request_around_it():
    assert named_arguments({}, "api.searchDirectory", DIRECTORY, "whats sofia rossi's extension") == \
        {"query": "sofia rossi"}
    assert named_arguments({"query": "sofia's phone extension"}, "api.searchDirectory", DIRECTORY,
                           "sofia's phone extension?") == {"query": "sofia"}
    # the model's own name, or another name, stands
    assert named_arguments({"query": "sofia"}, "api.searchDirectory", DIRECTORY, "sofia's phone extension?") == {}
    assert named_arguments({"query": "rossi"}, "api.searchDirectory", DIRECTORY, "sofia's phone extension?") == {}
    assert named_arguments({}, "api.searchSuppliers", SUPPLIERS, "whats the supplier id for Nordpak") == \
        {"name": "Nordpak"}
    assert named_arguments({}, "api.getEmployee", EMPLOYEE, "look up lars eriksen") == {}


def test_the_likeliest_look_up_by_name_is_chosen_among_the_reads():
    schemas = {**SCHEMAS, "api.searchSuppliers": SUPPLIERS}
    reads = set(schemas)
    found = name_lookup({"api.searchSuppliers": 0.1, "api.searchDirectory": 0.3}, schemas, reads, "who is kessler")
    assert found == ("api.searchDirectory", "kessler")
    assert name_lookup({"api.searchDirectory": 0.3}, schemas, set(), "who is kessler") is None  # no look-up
    assert name_lookup({"api.getEmployee": 0.6}, schemas, reads, "who is kessler") is None


def test_a_request_that_looks_up_a_name_calls_the_look_up_where_the_classifier_found_no_call():
    router = rated({"api.searchDirectory": 0.2, "api.getEmployee": 0.1})  # no call at 0.7
    tools, reads = set(SCHEMAS), set(SCHEMAS)
    route = router.route(["look up lars eriksen"], tools, schemas=SCHEMAS, reads=reads)
    assert (route.tool, route.call) == ("api.searchDirectory", True) and "by its name (lars eriksen)" in route.reason
    assert router.route(["who is lars eriksen's manager"], tools, schemas=SCHEMAS, reads=reads).call
    # thanks, an opinion and chat name nobody to look up
    for chat in ("thanks, got lars eriksen's email already!", "do you think priya's email was rude?", "who are you"):
        assert not router.route([chat], tools, schemas=SCHEMAS, reads=reads).call, chat
    assert not router.route(["look up lars eriksen"], tools, reads=reads).call  # no schemas: no check


@pytest.mark.parametrize(("request_text", "name"), [
    ("is baltic pack still suspended?", "baltic pack"), ("is kessler on probation", "kessler"),
    ("is baltic pack approved by now?", "baltic pack"), ("is it suspended", None), ("are they still on probation", None),
    ("is this approved", None), ("is baltic pack big", None),  # no state the operation's choices name
])
def test_a_state_asked_of_a_name_names_it(request_text: str, name: str | None):
    assert searched_name(request_text, SUPPLIERS, {"search", "suppliers"}) == name


def test_the_state_asked_of_a_name_is_no_filter_of_its_look_up():
    asked = "is baltic pack still suspended?"
    assert named_arguments({"status": "suspended"}, "api.searchSuppliers", SUPPLIERS, asked) == {"name": "baltic pack"}
    assert asked_states({"status": "suspended", "name": "baltic pack"}, "api.searchSuppliers", SUPPLIERS, asked) == \
        ["status"]
    # a filter the request sets stays
    assert asked_states({"status": "suspended"}, "api.searchSuppliers", SUPPLIERS, "suspended suppliers pls") == []
    assert asked_states({"status": "approved"}, "api.searchSuppliers", SUPPLIERS, asked) == []


@pytest.mark.parametrize(("request_text", "name"), [
    ("and kessler?", "kessler"), ("what about nordpak", "nordpak"), ("same for rhein karton pls", "rhein karton"),
    ("and approved ones?", None), ("and the approved ones", None), ("and PL?", None), ("kessler", None),
])
def test_a_follow_up_goes_on_to_the_next_name(request_text: str, name: str | None):
    assert next_name(request_text, SUPPLIERS, "api.searchSuppliers") == name


def test_a_name_no_document_uses_gives_way_to_the_look_up_by_name_and_a_look_up_chosen_stays():
    carriers = {"type": "object", "properties": {"country": {"type": "string", "enum": ["NL", "PL"]}}}
    schemas = {"api.searchSuppliers": SUPPLIERS, "api.listCarriers": carriers}
    tools, reads = {"search", *schemas}, set(schemas)
    unknown = {"nordpak", "kessler"}
    handbook = rated({"search": 0.6, "api.searchSuppliers": 0.2})
    route = handbook.route(["is nordpak approved?"], tools, schemas=schemas, reads=reads,
                           unknown_words=lambda text: [word for word in text.casefold().split() if word in unknown])
    assert (route.tool, route.call) == ("api.searchSuppliers", True)
    # a name the documents use keeps the handbook's question there, and without the documents' words so does any
    assert handbook.route(["is the handbook approved?"], tools, schemas=schemas, reads=reads,
                          unknown_words=lambda text: []).tool == "search"
    assert handbook.route(["is nordpak approved?"], tools, schemas=schemas, reads=reads).tool == "search"
    # records of another kind have names too, with no filter for them: where the catalog knows the name as one of
    # that kind ("nordline", a carrier a shipment may name), the look-up the classifier chose stays
    shipments = {"type": "object", "properties": {"carrier": {"type": "string", "enum": ["nordline", "portex"]}}}
    schemas = {**schemas, "api.searchShipments": shipments}
    lister = rated({"api.listCarriers": 0.6, "api.searchSuppliers": 0.2})
    assert lister.route(["who is nordline"], tools, schemas=schemas, reads=reads).tool == "api.listCarriers"
    # a name it does not know is looked up by name: the carriers' list takes none
    route = lister.route(["look up kessler"], tools, schemas=schemas, reads=reads)
    assert (route.tool, route.call) == ("api.searchSuppliers", True)
