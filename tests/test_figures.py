"""The figures a conversation states, and whether a calculator expression keeps to them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.figures import StatedAmounts, StatedFigures


@pytest.mark.parametrize(
    ("said", "figure"),
    [
        ("A laptop costs 1,249 euros", "1249"),
        ("mileage at 0,23 per km", "0.23"),
        ("split 2.400 euros between 6 teams", "2400"),
        ("pizza is 11.90 each", "11.9"),
        ("pizza is 11.90 each", "11.90"),
        ("we have a 50k budget", "50000"),
        ("revenue of 2 million", "2000000"),
        ("a 1.2m contract", "1200000"),
        ("21% VAT", "21"),
        ("convert 98.6 F to fahrenheit", "32"),
    ],
)
def test_a_figure_stated_in_any_of_the_ways_staff_write_it_is_allowed(said: str, figure: str):
    assert StatedFigures.of([said]).allows(f"{figure}*3")


@pytest.mark.parametrize(
    "expression",
    ["14*(11.90 + 3.75)", "1.5*6371", "0.21*1840", "2350*13"],
)
def test_a_figure_nobody_stated_is_refused(expression: str):
    figures = StatedFigures.of(["we have 14 people and pizza is 11.90 each", "6 hrs at 1.5x, 1840 euros, 2350 a month"])
    assert not figures.allows(expression)


def test_a_units_conversion_factors_are_an_expressions_not_a_statements():
    said = ["what is 20 celsius in fahrenheit"]
    assert StatedFigures.of(said).allows("20*1.8 + 32")
    assert not StatedFigures.of(said, (), factors=False).allows_in_prose("It is 32 ")
    assert StatedFigures.of(said, (), factors=False).allows_in_prose("It is 20 ")


def test_small_counts_and_unit_factors_are_always_allowed():
    figures = StatedFigures.of(["avg of 4.2, 3.8, 4.5 and 4.9", "how many minutes is 3.5 hours"])
    assert figures.allows("(4.2 + 3.8 + 4.5 + 4.9)/4")
    assert figures.allows("3.5*60") and figures.allows("4.2*24*365/100") and figures.allows("3.5*3600/1000")


def test_the_figure_being_written_needs_only_to_start_a_stated_one():
    figures = StatedFigures.of(["pizza is 11.90 each for 14 people"])
    assert figures.allows("14*11.") and figures.allows("14*11.9") and figures.allows("14*1")
    assert not figures.allows("14*11.95") and not figures.allows("14*3.7")


def test_an_amount_written_with_digit_grouping_is_one_figure():
    figures = StatedFigures.of(["A laptop costs 1,249 euros plus 21% VAT"])
    assert figures.allows("1,249*(1 + 21/100)") and figures.allows("1,24") and figures.allows("1249*1")
    assert not figures.allows("1,250*2") and figures.allows("gcd(12, 8)")


def test_in_a_reply_a_digit_group_being_written_must_group_a_stated_figure():
    figures = StatedFigures.of(["close 4104, and the 1,249 euro laptop"], ())
    assert figures.allows("41,04")  # in an expression the comma may part arguments
    assert not figures.allows_in_prose("ticket 41,04") and not figures.allows_in_prose("ticket 41,0")
    assert not figures.allows_in_prose("ticket 41,") and figures.allows_in_prose("ticket 4104,")
    assert figures.allows_in_prose("the 1,") and figures.allows_in_prose("the 1,249,")
    assert figures.allows_in_prose("ticket 4104") and figures.allows_in_prose("ticket 4,10")
    assert figures.allows_in_prose("costs 1,24")
    assert not figures.allows_in_prose("costs 12,4") and not figures.allows_in_prose("ticket 41, ")


def test_digits_inside_names_are_not_figures():
    assert StatedFigures.of(["what is log base 2 of 4096"]).allows("log2(4096) + x1")


def test_digits_inside_ids_state_no_figure():
    assert not StatedFigures.of(["sick days left for E1003"]).allows("1003 - 5")


def test_earlier_messages_and_tool_results_state_figures_too():
    figures = StatedFigures.of(["the invoice was 1,210 euros", '{"result": "363/5", "numeric": 72.6}', "and the 21%?"])
    assert figures.allows("1210/(1 + 21/100)") and figures.allows("72.6*2")
    assert Decimal(1210) in figures.values


def test_an_api_calls_number_arguments_keep_to_the_stated_figures_at_any_depth():
    schema = {"type": "object", "properties": {
        "amount_eur": {"type": "number"}, "title": {"type": "string"},
        "lines": {"type": "array", "items": {"type": "object", "properties": {"quantity": {"type": "integer"}}}}}}
    amounts = StatedAmounts.of(schema, ["claim 18.40 for a taxi, and 2,500 units"])
    assert amounts is not None
    assert amounts.allows_arguments('{"amount_eur": 18.4')
    assert not amounts.allows_arguments('{"amount_eur": 44')
    assert not amounts.allows_arguments('{"amount_eur": 3')  # an amount is no count
    assert amounts.allows_arguments('{"lines": [{"quantity": 2500')
    assert amounts.allows_arguments('{"lines": [{"quantity": 3')  # a whole number may be a count up to twelve
    celsius = StatedAmounts.of(schema, ["log a reading in celsius, 18.40 at the dock"])
    assert celsius is not None and not celsius.allows_arguments('{"amount_eur": 32')  # a unit named states no figure
    assert not amounts.allows_arguments('{"lines": [{"quantity": 31')
    assert amounts.allows_arguments('{"title": "room 44')  # a string's digits are not an amount
    assert StatedAmounts.of({"type": "object", "properties": {"title": {"type": "string"}}}, ["5"]) is None


def test_a_reply_writes_no_code_nobody_stated():
    figures = StatedFigures.of(["is SHP-205077 delivered?", '{"employee_id": "E1004"}'])
    assert figures.allows_in_prose("SHP-205077 was") and figures.allows_in_prose("Sofia (E1004):")
    assert figures.allows_in_prose("ticket SHP-2050")  # a stated code still being written
    assert not figures.allows_in_prose("line at xt9865") and not figures.allows_in_prose("Alex (E5894)")
    assert not figures.allows_in_prose("call xt98")
    assert figures.allows_in_prose("on A4 paper") and figures.allows_in_prose("in Q3")  # one digit is no record
