"""Required enums the request names no value of, taken by meaning (assistant/enums.py)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from assistant.enums import ENUM_MARGIN, glossed_options, nearest_enums

TICKET = {"type": "object", "required": ["title", "category"], "properties": {
    "title": {"type": "string"},
    "category": {"type": "string", "enum": ["hardware", "software", "network"]},
    "priority": {"type": "string", "enum": ["low", "high"]}}}


def nearness(scores: dict[str, float]):
    """A stand-in embedder: each label's similarity to any text, from `scores` (0 for the rest)."""
    def similarities(text: str, labels: Sequence[str]) -> list[float]:
        return [scores.get(label, 0.0) for label in labels]
    return similarities


@pytest.mark.parametrize(("request_text", "scores", "chosen"), [
    ("excel crashes on big csv files", {"software": 0.12, "network": 0.0}, {"category": "software"}),
    # nearer, but not by the margin: the model's value stands
    ("excel crashes on big csv files", {"software": ENUM_MARGIN / 2}, {}),
    # the request names a value: that is stated_arguments' business
    ("my network drive is slow", {"software": 0.5}, {}),
])
def test_a_required_enum_nobody_named_takes_the_value_nearest_the_request(request_text, scores, chosen):
    arguments = {"title": "x", "category": "hardware", "priority": "low"}
    assert nearest_enums(arguments, TICKET, request_text, nearness(scores)) == chosen


def test_an_optional_enum_or_one_the_call_left_out_is_not_chosen():
    similarities = nearness({"high": 0.9, "software": 0.9})
    assert nearest_enums({"title": "x", "priority": "low"}, TICKET, "it's broken", similarities) == {}


DOCK = {"type": "object", "required": ["direction"], "properties": {"direction": {
    "type": "string", "enum": ["inbound", "outbound"],
    "description": "inbound (a supplier delivers to us) or outbound (a carrier collects from us)."}}}


@pytest.mark.parametrize(("request_text", "written", "chosen"), [
    ("nordline collecting SHP-207391 tomorrow 14:30", "inbound", {"direction": "outbound"}),
    ("rhein karton delivering PO-118204 on friday", "outbound", {"direction": "inbound"}),
    ("our own truck collects SHP-207588", "outbound", {}),  # the model's value is the gloss's already
    # no gloss word, or both values': the embedder decides
    ("portex picks up SHP-207455", "inbound", {"direction": "outbound"}),
    ("a carrier delivers PO-118204", "inbound", {"direction": "outbound"}),
])
def test_a_value_glossed_by_a_word_of_the_request_is_taken_before_the_embedders(request_text, written, chosen):
    assert nearest_enums({"direction": written}, DOCK, request_text, nearness({"outbound": 0.5})) == chosen


BOOKING = {"type": "object", "required": ["direction", "reference"], "properties": {
    "direction": {"type": "string", "enum": ["inbound", "outbound"]},
    "reference": {"type": "string", "description": "The outbound shipment (e.g. SHP-204518) or inbound purchase order "
                                                   "(e.g. PO-118204) the truck is for."}}}


@pytest.mark.parametrize(("reference", "written", "chosen"), [
    ("SHP-205410", "inbound", {"direction": "outbound"}),
    ("PO-118377", "outbound", {"direction": "inbound"}),
    ("SHP-205410", "outbound", {}),  # the model's value is the paired one already
])
def test_a_value_another_argument_pairs_with_its_kind_of_id_is_taken_before_the_embedders(reference, written, chosen):
    arguments = {"direction": written, "reference": reference}
    request = "swifthaul pickup for it tmrw 15:30"  # no gloss, and the embedder would keep the model's value
    assert nearest_enums(arguments, BOOKING, request, nearness({written: 0.5})) == chosen


CANCEL = {"type": "object", "required": ["reason"], "properties": {"reason": {
    "type": "string", "description": "Why the slot is cancelled.",
    "enum": ["carrier_delay", "vehicle_breakdown", "order_cancelled", "rebooked", "other"]}}}
#: What a catalog's $ref'd schema says of the values, where the parameter's own description replaced it.
CANCEL_GLOSSES = {"reason": "Why a dock slot is cancelled: carrier_delay, vehicle_breakdown, order_cancelled, "
                            "rebooked (moved to another slot) or other."}
CANCEL_SUBJECT = "cancelDockSlot Cancel a dock slot booking"


def test_the_gloss_of_the_schema_a_parameter_refers_to_is_read_without_the_operations_own_words():
    request = "pls cancel dock booking 7901, we moved it to thursday"
    chosen = nearest_enums({"reason": "order_cancelled"}, CANCEL, request, nearness({}), CANCEL_GLOSSES,
                           CANCEL_SUBJECT)
    assert chosen == {"reason": "rebooked"}
    # "slot" is the gloss's and the operation's word: it says nothing of the reason
    request = "slot 8123, driver stuck in traffic, cancel pls"
    assert nearest_enums({"reason": "carrier_delay"}, CANCEL, request, nearness({}), CANCEL_GLOSSES,
                         CANCEL_SUBJECT) == {}


def test_the_request_is_compared_with_the_values_without_the_words_that_name_the_operation():
    seen = []

    def similarities(text: str, labels: Sequence[str]) -> list[float]:
        seen.append(text)
        return [0.5 if label == "vehicle breakdown" else 0.0 for label in labels]

    request = "ugh the truck for slot 7869 broke down AGAIN, cancel it"
    chosen = nearest_enums({"reason": "order_cancelled"}, CANCEL, request, similarities, CANCEL_GLOSSES,
                           CANCEL_SUBJECT)
    assert chosen == {"reason": "vehicle_breakdown"}
    assert seen == ["ugh the truck for 7869 broke down AGAIN, it"]


ORDER = {"type": "object", "required": ["supplier_id"], "properties": {
    "supplier_id": {"type": "string"},
    "incoterm": {"type": "string", "enum": ["EXW", "FCA", "DAP", "DDP"], "default": "DAP",
                 "description": "Who pays transport: EXW (we collect), FCA, DAP (supplier delivers, the default) "
                                "or DDP (supplier delivers and pays import duties)."},
    "zone": {"type": "string", "enum": ["ambient", "bulk", "quarantine"],
             "description": "ambient (normal racking), bulk (floor blocks) or quarantine (damaged or blocked stock)."},
    "status": {"type": "string", "enum": ["open", "in_progress", "resolved"],
               "description": "open (new), in_progress (IT is working on it) or resolved (fixed, awaiting "
                              "confirmation)."}}}


@pytest.mark.parametrize(("request_text", "chosen"), [
    ("PO to SUP-0262, we collect from them ourselves", {"incoterm": "EXW"}),
    ("PO to SUP-0158, supplier delivers and pays import duties", {"incoterm": "DDP"}),
    ("whats in the damaged/blocked stock area", {"zone": "quarantine"}),
    ("PO to SUP-0158, supplier delivers", {}),  # the default's phrase: nothing to set
    ("any blocked pallets?", {}),  # one word of a phrase of two
    ("tickets the team is working on", {}),  # one word left of a phrase of filler
    ("any new tickets", {}),  # a single word under five letters
    ("the last 5 tickets that got fixed", {"status": "resolved"}),  # a state in -ed, in a gloss of phrases
])
def test_an_optional_enum_left_out_is_set_only_by_a_glossing_phrase_said_whole(request_text, chosen):
    assert glossed_options({"supplier_id": "SUP-0262"}, ORDER, request_text) == chosen


def test_an_optional_enum_the_call_wrote_is_left_as_written():
    assert glossed_options({"supplier_id": "SUP-0262", "incoterm": "FCA"}, ORDER, "we collect") == {}


EXPENSE = {"type": "object", "required": ["category"], "properties": {"category": {
    "type": "string", "enum": ["travel", "accommodation", "meals"],
    "description": "travel (train, flights, taxis, mileage), accommodation (one night per claim) or meals."}}}


def test_a_listed_gloss_word_said_in_the_singular_names_its_value_before_a_word_another_gloss_shares():
    # "night" is a word of accommodation's gloss too; "taxi" is a whole phrase of travel's
    assert nearest_enums({"category": "accommodation"}, EXPENSE, "taxi from the airport last night, 38.50",
                         nearness({"accommodation": 0.5})) == {"category": "travel"}
