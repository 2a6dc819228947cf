"""Codes a conversation writes out, and schemas narrowed to the ids it states (assistant/codes.py)."""

from __future__ import annotations

import pytest

from assistant.codes import (
    fitting_code,
    id_pattern,
    named_id_arguments,
    named_ids,
    narrowed_schema,
    record_ids,
    stated_addresses,
    stated_codes,
    unstated_record_id,
)

SHIPMENT = {"type": "string", "pattern": "^SHP-[0-9]{6}$"}
REFERENCE = {"type": "string", "pattern": "^(SHP-[0-9]{6}|PO-[0-9]{6})$"}
PLATE = {"type": "string", "pattern": "^[A-Z0-9-]{4,10}$"}
TIME = {"type": "string", "pattern": "^([01]\\d|2[0-3]):(00|15|30|45)$"}
ORDER = {
    "type": "object",
    "required": ["supplier_id", "lines"],
    "properties": {
        "supplier_id": {"type": "string", "pattern": "^SUP-[0-9]{4}$"},
        "lines": {"type": "array", "minItems": 1, "maxItems": 20, "items": {
            "type": "object", "required": ["sku", "quantity"],
            "properties": {"sku": {"type": "string", "pattern": "^SKU-[0-9]{5}$"}, "quantity": {"type": "integer"}},
        }},
    },
}


def test_the_codes_a_text_writes_out_in_order_each_once():
    assert stated_codes(["order 600 SKU-18830 from SUP-0526 on 2026-06-24", "SKU-18830 at 14:30, 5.5 kg"]) == \
        ["SKU-18830", "SUP-0526", "2026-06-24", "14:30"]


@pytest.mark.parametrize(("pattern", "is_id"), [
    ("^SHP-[0-9]{6}$", True), ("^E\\d{4}$", True), ("^(SHP-[0-9]{6}|PO-[0-9]{6})$", True),
    ("^[A-Z0-9-]{4,10}$", False), ("^([01]\\d|2[0-3]):(00|15|30|45)$", False), ("^\\d{4}$", False),
    ("^[a-z]+$", False), ("^(?:[A-Z]{2})$", False),
])
def test_an_ids_pattern_names_a_letter_outside_its_classes(pattern: str, is_id: bool):
    assert id_pattern(pattern) is is_id


def test_an_id_property_takes_the_ids_stated_in_capitals_where_its_pattern_wants_them():
    schema = {"type": "object", "properties": {"shipment_id": SHIPMENT, "reference": REFERENCE}}
    narrowed = narrowed_schema(schema, stated_codes(["eta on shp-207455 and PO-119045? not SHP-12"]))
    assert narrowed["properties"]["shipment_id"] == {"type": "string", "enum": ["SHP-207455"]}
    assert narrowed["properties"]["reference"] == {"type": "string", "enum": ["SHP-207455", "PO-119045"]}
    assert schema["properties"]["shipment_id"] == SHIPMENT  # the tool's own schema is left as it was


def test_a_property_with_no_stated_id_or_a_pattern_of_classes_keeps_its_pattern():
    schema = {"type": "object", "properties": {"shipment_id": SHIPMENT, "truck_plate": PLATE, "start_time": TIME}}
    assert narrowed_schema(schema, stated_codes(["book WH-01 at 14:30 for PO-119045"])) == schema


def test_an_array_of_records_keyed_by_a_stated_id_holds_one_record_per_id():
    narrowed = narrowed_schema(ORDER, stated_codes(["2500 x SKU-11207 and 800 x SKU-11215 from SUP-0418"]))
    lines = narrowed["properties"]["lines"]
    assert lines["maxItems"] == 2 and lines["minItems"] == 1
    assert lines["items"]["properties"]["sku"]["enum"] == ["SKU-11207", "SKU-11215"]
    assert narrowed["properties"]["supplier_id"]["enum"] == ["SUP-0418"]
    # no SKU stated: the lines keep the schema's own bounds
    assert narrowed_schema(ORDER, ["SUP-0418"])["properties"]["lines"] == ORDER["properties"]["lines"]


def test_a_code_in_small_letters_takes_an_ids_pattern_but_no_plates():
    assert fitting_code("pattern:^SHP-[0-9]{6}$", "shp-207455") == "SHP-207455"
    assert fitting_code("pattern:^SHP-[0-9]{6}$", "SHP-207455") == "SHP-207455"
    assert fitting_code("pattern:^[A-Z0-9-]{4,10}$", "18th") is None  # "on the 18th" is no truck plate 18TH
    assert fitting_code("pattern:^[A-Z0-9-]{4,10}$", "GD-4471K") == "GD-4471K"


def test_an_email_property_takes_the_addresses_the_conversation_writes():
    order = {"type": "object", "properties": {"buyer_email": {"type": "string", "format": "email"},
                                              "note": {"type": "string"}}}
    said = ["order 30 from SUP-0418, i'm r.smit@harborfreight.example (cc j.devries@harborfreight.example)"]
    addresses = stated_addresses(said)
    assert addresses == ["r.smit@harborfreight.example", "j.devries@harborfreight.example"]
    narrowed = narrowed_schema(order, stated_codes(said) + addresses)
    assert narrowed["properties"]["buyer_email"] == {"type": "string", "format": "email", "enum": addresses}
    assert narrowed["properties"]["note"] == {"type": "string"}
    assert narrowed_schema(order, stated_codes(["order 30 from SUP-0418"])) == order  # none written: any address


def test_a_required_record_number_is_one_the_conversation_wrote():
    update = {"type": "object", "required": ["ticket_id", "status"], "properties": {
        "ticket_id": {"type": "integer"}, "status": {"type": "string"}, "priority_id": {"type": "integer"}}}
    said = "open tickets for E1006?\n{\"tickets\": []}\nok then close it, the vpn works now"
    assert unstated_record_id({"ticket_id": 12, "status": "closed"}, update, said) == "ticket_id"
    assert unstated_record_id({"ticket_id": 1006, "status": "closed"}, update, said) == "ticket_id"  # E1006's
    assert unstated_record_id({"ticket_id": 506}, update, "request no.506 pls") is None
    assert unstated_record_id({"ticket_id": 4103, "status": "closed"}, update, "close #4103 pls") is None
    assert unstated_record_id({"ticket_id": 41, "status": "closed"}, update, "close 4103 pls") == "ticket_id"
    assert unstated_record_id({"ticket_id": 3, "status": "closed"}, update, "it cost 3.50") == "ticket_id"
    # an optional number is the call's own business
    assert unstated_record_id({"ticket_id": 4103, "priority_id": 9}, update, "close 4103") is None


def test_a_required_code_is_one_the_conversation_or_the_property_wrote():
    booking = {"type": "object", "required": ["organizer_id", "warehouse_id"], "properties": {
        "organizer_id": {"type": "string", "pattern": r"^E\d{4}$", "description": "Who runs the meeting."},
        "warehouse_id": {"type": "string", "pattern": "^WH-[0-9]{2}$", "description": "WH-01, WH-02 or WH-03."},
        "room_id": {"type": "string", "pattern": "^[a-z]+$"}}}
    arguments = {"organizer_id": "E2038", "warehouse_id": "WH-02", "room_id": "zephyr"}
    assert unstated_record_id(arguments, booking, "book zephyr tomorrow 10-11") == "organizer_id"
    assert unstated_record_id(arguments, booking, "book zephyr for e2038 tomorrow") is None  # any case
    assert unstated_record_id(arguments, booking, 'book zephyr for Sofia\n{"id": "E2038"}') is None  # a result's
    assert unstated_record_id(arguments, booking, "book zephyr for E20381") == "organizer_id"  # another code
    # a code the property's description lists is the catalog's own
    assert unstated_record_id({**arguments, "warehouse_id": "WH-07"}, booking, "E2038") == "warehouse_id"
    # an example in the description is no list of the ids there are
    example = {**booking["properties"]["organizer_id"], "description": "An employee id, e.g. E2038."}
    assert unstated_record_id(arguments, {**booking, "properties": {**booking["properties"], "organizer_id": example}},
                              "book zephyr tomorrow 10-11") == "organizer_id"
    # a pattern of character classes only (a room's name) is no id
    assert unstated_record_id({**arguments, "room_id": "aurora"}, booking, "E2038") is None



def test_the_ids_a_change_needs_are_its_required_record_numbers_and_codes():
    schema = {"type": "object", "required": ["ticket_id", "organizer_id", "room_id", "count"], "properties": {
        "ticket_id": {"type": "integer"}, "organizer_id": {"type": "string", "pattern": r"^E\d{4}$"},
        "room_id": {"type": "string", "pattern": "^[a-z]+$"}, "count": {"type": "integer"},
        "requester_id": {"type": "string", "pattern": r"^E\d{4}$"}}}
    assert record_ids(schema) == ["ticket_id", "organizer_id"]  # not a name's pattern, a count, nor an optional id


def test_a_property_whose_description_lists_its_ids_takes_one_of_those_where_none_is_stated():
    site = {"type": "string", "pattern": "^WH-[0-9]{2}$", "description": "The sites: WH-01, WH-02 or WH-05."}
    order = {"type": "object", "properties": {"warehouse_id": site, "shipment_id": SHIPMENT}}
    listed = narrowed_schema(order, stated_codes(["order 500 for rotterdam"]), listed=True)["properties"]
    assert listed["warehouse_id"]["enum"] == ["WH-01", "WH-02", "WH-05"] and "pattern" not in listed["warehouse_id"]
    assert listed["shipment_id"] == SHIPMENT  # no list: the pattern stays
    # a stated one stands over the list
    assert narrowed_schema(order, ["WH-02"], listed=True)["properties"]["warehouse_id"]["enum"] == ["WH-02"]
    example = {"type": "object", "properties": {"employee_id": {"type": "string", "pattern": r"^E\d{4}$",
                                                               "description": "An employee id, e.g. E1007."}}}
    assert narrowed_schema(example, [], listed=True) == example  # an example is no list
    # without `listed` only stated codes narrow: whether a request names an operation's id
    assert narrowed_schema(order, ["2026-03-02"]) == order


SITE = {"type": "string", "pattern": "^WH-0[1-9]$", "description": "The warehouse: WH-01, WH-02, WH-03 or WH-04."}
SITE_EXAMPLES = ["stock of SKU-1 in venlo WH-04?", "book a slot at Venlo (WH-04)", "anything at WH-04 (venlo)",
                 "antwerp WH-02 stock", "ship from antwerp, WH-02", "whats at antwerp WH-02",
                 "from WH-01 pls", "from WH-02 pls", "from WH-03 pls", "rotterdam WH-01"]


def test_the_names_of_listed_ids_are_read_from_the_catalogs_examples():
    # "from" stands beside three ids; rotterdam is seen once
    assert named_ids(SITE, SITE_EXAMPLES) == {"venlo": "WH-04", "antwerp": "WH-02"}
    assert named_ids({"type": "string", "pattern": "^E\\d{4}$", "description": "e.g. E1007"},
                     ["E1007 venlo", "E1007 venlo", "E1007 venlo"]) == {}  # no ids listed


def test_a_request_naming_a_listed_id_by_its_name_takes_that_id():
    schema = {"type": "object", "properties": {"warehouse_id": SITE}}
    assert named_id_arguments({"warehouse_id": "WH-01"}, schema, "and in venlo?", SITE_EXAMPLES) == \
        {"warehouse_id": "WH-04"}
    assert named_id_arguments({}, schema, "free slots at Antwerp tomorrow", SITE_EXAMPLES) == {"warehouse_id": "WH-02"}
    assert named_id_arguments({"warehouse_id": "WH-01"}, schema, "venlo WH-01?", SITE_EXAMPLES) == {}  # its id
    assert named_id_arguments({}, schema, "from venlo to antwerp", SITE_EXAMPLES) == {}  # two sites
    assert named_id_arguments({"warehouse_id": "WH-04"}, schema, "in venlo", SITE_EXAMPLES) == {}  # already so
