"""What a reply claims that only a tool could know: the engine's guard and evaluation's fabrication metric."""

from __future__ import annotations

import pytest

from assistant.claims import (
    completes_claim,
    could_open_claim,
    ends_on,
    opens_with_claim,
    unstated_address,
    unstated_arguments,
    unstated_record_fields,
    unsupported_claims,
)


@pytest.mark.parametrize("opening", [
    "I found 2 requests:",
    "I've found 3 tickets",
    "Let me check. I found 1 employee:",
    "Done. Ticket 4105",
    "Done: tuition (18.40): expense date 2026-06-10",
    "Booked!",
    "The service answered: ok.",
    "Sofia Rossi (E1004): title Senior Engineer",
    "#4104: status open",
    "Nordic Chem (SUP-0311): on-time rate",
    "I'll do that now. (pause)\n\nDone. Aurora tomorrow is cancelled.",
    "Checking\nI found 2 bookings",
])
def test_openings_of_tool_result_answers_are_claims(opening: str):
    assert opens_with_claim(opening)


@pytest.mark.parametrize("opening", [
    "Let me check.",
    "Hello! How can I help you today?",
    "Photosynthesis turns light into chemical energy",
    "Here are some names for a team newsletter:",
    "Sure, here is a polite way to ask your manager",
    "I could not find that room",
    "Done is better than perfect, as the saying goes",
    "According to most style guides, a short subject line works best",
])
def test_ordinary_openings_are_not_claims(opening: str):
    assert not opens_with_claim(opening)


def test_unsupported_claims_name_what_the_question_did_not_give():
    claims = unsupported_claims("I found 2 requests: Alex Petrova (673), leave type sick.", "List pending leave requests")
    assert any("result phrase" in c for c in claims) and "number '2'" in claims and "number '673'" in claims


def test_numbers_and_addresses_from_the_question_are_not_claims():
    question = "Send the 1,240.50 invoice for ticket 4104 to anna@example.com"
    assert unsupported_claims("I can't send 1240.5 for 4104 to anna@example.com without a tool.", question) == []


@pytest.mark.parametrize("answer", [
    "Your ticket has been created.",
    "I've booked Mistral for you.",
    "The request is now cancelled.",
    "Her e-mail is sofia.rossi@northwind.example.",
])
def test_completed_actions_and_invented_addresses_are_claims(answer: str):
    assert unsupported_claims(answer, "please do it")


def test_a_numbered_list_and_a_names_one_digit_are_no_figures():
    # what the engine's reply mask lets a reply write with nothing stated is what the metric counts as no claim
    assert unsupported_claims("1. Ask your manager.\n2. Fill in the Q3 form.\n 10) Send it.", "How do I claim?") == []
    assert unsupported_claims("Step 1. costs 25 euros", "How do I claim?") == ["number '1'", "number '25'"]
    assert unsupported_claims("1. Ask A45 or B2,500 staff.", "How?") == ["number '45'", "number '2,500'"]


def test_a_figure_given_in_shorthand_or_words_is_no_claim():
    assert unsupported_claims("A PO of 20000 euros over a fortnight (14 days)", "a PO of about 20k euros for two weeks") \
        == ["number '14'"]
    assert unsupported_claims("It is 20000/20 = 1000 euros.", "a PO of about 20k euros") == ["number '1000'"]
    # a unit named gives its conversion factors to a calculation, not to a reply
    assert unsupported_claims("Keep it at 32 degrees.", "what temperature in celsius?") == ["number '32'"]


def test_an_honest_reply_without_a_tool_claims_nothing():
    assert unsupported_claims("I can't look that up without the directory. Could you ask again?", "Who is Sofia?") == []


TICKETS = {"type": "object", "required": ["title"],
           "properties": {"title": {"type": "string"}, "requester_id": {"type": "string"}, "limit": {"type": "integer"},
                          "budget": {"type": "number"},
                          "status": {"enum": ["open", "closed", "in_progress", "pending_approval"]},
                          "date": {"type": "string", "format": "date"}, "urgent": {"type": "boolean"},
                          "department": {"type": "string"}}}


def test_an_optional_id_or_figure_nobody_stated_is_unstated():
    call = {"title": "VPN 42", "requester_id": "E0888", "limit": 20, "budget": 12.5, "status": "open",
            "date": "2026-03-03", "urgent": True, "department": "Finance"}
    # The required title, the stated enum, the date the model resolved and the boolean are never named; a word
    # nobody wrote is ("Finance"), one somebody wrote is not.
    assert unstated_arguments(call, TICKETS, "Which of my tickets are open?") == \
        ["requester_id", "limit", "budget", "department"]
    assert "department" not in unstated_arguments(call, TICKETS, "Which tickets of the finance team are open?")


ORDER = {"type": "object", "required": ["lines"],
         "properties": {"lines": {"type": "array", "items": {
             "type": "object", "required": ["sku", "quantity"],
             "properties": {"sku": {"type": "string"}, "quantity": {"type": "integer"},
                            "unit_price_eur": {"type": "number"}}}}}}


def test_a_records_optional_figure_nobody_stated_is_left_out_of_it():
    lines = {"lines": [{"sku": "SKU-40318", "quantity": 600, "unit_price_eur": 1.0},
                       {"sku": "SKU-40319", "quantity": 50, "unit_price_eur": 2.15}]}
    assert unstated_record_fields(lines, ORDER, "600 x SKU-40318 and 50 x SKU-40319 at 2.15") == {
        "lines": [{"sku": "SKU-40318", "quantity": 600}, {"sku": "SKU-40319", "quantity": 50, "unit_price_eur": 2.15}]}
    assert unstated_record_fields(lines, ORDER, "600 x SKU-40318 @ 1.00, 50 x SKU-40319 @ 2.15") == {}
    # a required figure is the model's to write even when nobody stated it
    assert unstated_record_fields({"lines": [{"sku": "SKU-40318", "quantity": 7}]}, ORDER, "some SKU-40318") == {}


def test_a_country_code_nobody_named_is_unstated():
    sites = {"type": "object", "properties": {"country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                                              "city": {"type": "string"}}}
    assert unstated_arguments({"country": "NU", "city": "Venlo"}, sites, "which warehouses in venlo keep adr stuff") \
        == ["country"]
    for said in ("any polish sites with a cold room?", "sites in poland", "sites in PL", "pl sites"):
        assert unstated_arguments({"country": "PL"}, sites, said) == [], said
    assert unstated_arguments({"country": "DE"}, sites, "sites in poland") == ["country"]


def test_a_number_listed_as_a_choice_nobody_said_is_unstated():
    slot = {"type": "object", "properties": {"duration_minutes": {"type": "integer", "enum": [30, 60, 90, 120]}}}
    assert unstated_arguments({"duration_minutes": 120}, slot, "book 10:30 for SHP-205112, nordline") == \
        ["duration_minutes"]
    assert unstated_arguments({"duration_minutes": 90}, slot, "actually make it 90 min") == []


def test_an_optional_enum_value_none_of_whose_words_was_said_is_unstated():
    assert unstated_arguments({"status": "in_progress"}, TICKETS, "Show all urgent IT tickets.") == ["status"]
    assert unstated_arguments({"status": "in_progress"}, TICKETS, "what's still in progress?") == []
    assert unstated_arguments({"status": "pending_approval"}, TICKETS, "claims waiting for approval") == []
    assert unstated_arguments({"status": "closed"}, TICKETS, "did anyone close it?") == []
    assert unstated_arguments({"title": "x", "status": "closed"}, {**TICKETS, "required": ["title", "status"]},
                              "anything") == []  # a required state is the model's to choose


def test_a_figure_inside_a_date_time_or_id_is_not_a_number_said():
    said = "Which rooms are free on 2025-06-10 from 14:00 for E1004?"
    assert unstated_arguments({"limit": 10}, TICKETS, said) == ["limit"]
    assert unstated_arguments({"limit": 14}, TICKETS, said) == ["limit"]
    assert unstated_arguments({"limit": 10}, TICKETS, said + " For 10 people.") == []


def test_what_the_conversation_said_is_stated_however_it_was_written():
    said = "show 5 tickets for e1007 with a budget over 1,200.50\n{\"result\": {\"id\": \"T-77\"}}"
    call = {"title": "x", "requester_id": "E1007", "limit": 5, "budget": 1200.5}
    assert unstated_arguments(call, TICKETS, said) == []
    assert unstated_arguments({"requester_id": "T-77"}, TICKETS, said) == []  # from a tool result
    assert unstated_arguments({"limit": 50}, TICKETS, said) == ["limit"]
    assert unstated_arguments({"title": "x", "department": "08:45"}, TICKETS, "free rooms at 8:45?") == []
    assert unstated_arguments({"requester_id": "11:15"}, TICKETS, "free rooms at 8:45?") == ["requester_id"]


@pytest.mark.parametrize(
    ("reply", "result", "ends"),
    [
        ("Including VAT that is 1,511.29 euros.", "1511.29", True),
        ("The remainder is 1000/7 (about 142.8571).", "1000/7 (about 142.8571)", True),
        ("64 out of 64 is 75% of 48.", "75", False),
        ("I could not work it out.", "75", False),
        ("After 12 months it is 25600 euros.", "25600/3 (about 8533.3333)", False),  # the numerator alone
        ("That leaves 8533.3333 euros.", "25600/3 (about 8533.3333)", True),
        ("That leaves 25600/3 euros.", "25600/3 (about 8533.3333)", True),  # the whole fraction
    ],
)
def test_ends_on_reads_the_replys_last_figure(reply: str, result: str, ends: bool):
    assert ends_on(reply, result) is ends


@pytest.mark.parametrize(("before", "piece", "kinds", "completes"), [
    ("Your slot has been", " cancelled", {"actions"}, True),
    ("Your slot has been", " requested", {"actions"}, False),
    ("I have cancelled it", ".", {"actions"}, False),  # completed by an earlier token, read then
    ("Checking. Done", ".", {"openings"}, True),
    ("Checking. Done", ".", {"actions"}, False),  # "Done." opens a sentence; it is no finished action in one
    ("Sure. I", " found", {"openings"}, True),
    ("Sure. I", " found", {"actions"}, False),
    ("Here: Sofia Rossi (E1004)", ":", {"openings"}, True),
    ("I'll do that now. (pause)\n\nDone", ".", {"openings"}, True),
    ("I'll do that now (pause) Done", ".", {"openings"}, True),
])
def test_completes_claim_reads_only_the_claims_asked_for_that_the_piece_completes(before, piece, kinds, completes):
    assert completes_claim(before, piece, actions="actions" in kinds, openings="openings" in kinds) is completes


def test_an_email_address_is_written_only_as_someone_gave_it():
    given = "please write to sofia.rossi@northwind.example about it".casefold()
    assert not unstated_address("Write to sofia.rossi", "@", given)
    assert not unstated_address("Write to sofia.rossi@north", "wind.example", given)
    assert unstated_address("Write to sofia.rossi@north", "wind.com", given)
    assert unstated_address("Write to dispatch", "@", given)
    assert not unstated_address("Write to dispatch", " or", given)  # no address is being written


@pytest.mark.parametrize("sentence", ["I'm here ", "Sure, the limit ", "Dear colleague, ", "I can look ", "Hello "])
def test_a_conversational_opening_opens_no_claim(sentence):
    assert not could_open_claim(sentence)


@pytest.mark.parametrize("sentence", ["I ", "I found ", "I have ", "Done", "The service ", "#41", "Sofia Rossi ",
                                      "Your line manager ", "Sure (E10", "Hello"])
def test_an_opening_that_may_still_become_a_result_line_may_open_a_claim(sentence):
    assert could_open_claim(sentence)
