"""The result a reply writes for a calculation it states is checked against the calculation."""

from __future__ import annotations

import pytest

from assistant.stated_sums import result_fits


def judged(text: str, piece: str) -> bool | None:
    """`result_fits` on `text` + `piece`, the newest piece of the reply being `piece`."""
    return result_fits(text + piece, len(text))


@pytest.mark.parametrize(("text", "piece", "fits"), [
    ("12 times 37 is ", "4", True),
    ("12 times 37 is 4", "4", True),
    ("12 times 37 is 44", "4", True),
    ("12 times 37 is 444", ".", True),
    ("12 times 37 is ", "3", False),  # "12 times 37 is 37."
    ("12 times 37 is 44", ".", False),  # a result cut short
    ("12 times 37 is 44", " apples", False),
    ("12*37 - 15 = ", "429", True),
    ("12*37 - 15 = ", "439", False),
    ("12 times 37 is 444, minus 15 is ", "429", True),
    ("17% of 2340 is ", "397.8", True),
    ("17% of 2340 is ", "398", True),  # rounded to a whole number from 10 up
    ("17 percent of 2,340 equals ", "397.8", True),
    ("2340 * 17% = ", "397.8", True),
    ("17% of 2340 is 17*2340/17 = ", "2340", True),
    ("17% of 2340 is 17*2340/17 = 2340 / 2340 = ", "1", True),
    ("17% of 2340 is 17*2340/17 = 2340 / 2340 = 1", "7", False),
    ("The total, 3 x €120 = €", "360", True),
    ("2,340 x 2 is ", "4,680", True),
    ("(2 + 3) * 4 = ", "20", True),
    ("2 ^ 10 = ", "1024", True),
    ("10 divided by 4 comes to ", "2.5", True),
    ("5 - 8 = ", "-3", True),
    ("5 - 8 = ", "3", False),
    ("1/3 = ", "0.33", True),
    ("1/3 = 0", " apples", False),  # not rounded to a whole number below 10
])
def test_a_stated_calculations_result_is_its_value(text: str, piece: str, fits: bool):
    assert judged(text, piece) is fits


@pytest.mark.parametrize(("text", "piece"), [
    ("On 2026-06-10 is ", "5"),  # a date
    ("Days 1-5 is ", "4"),  # a range
    ("E1004 x 2 = ", "7"),  # a code's digits
    ("Page 2 of 10 is ", "3"),  # "of" after no percentage
    ("Room 12 is ", "free"),  # no calculation
    ("17% of 2340 is 17*2340/", "17"),  # a calculation still being written
    ("12 x 3 is 36 and then ", "5"),  # a number after the result
    ("12 times 37 is 444. It was ", "5"),
    ("1 / 0 = ", "5"),  # no value
])
def test_a_number_that_is_no_stated_calculations_result_is_not_judged(text: str, piece: str):
    assert judged(text, piece) is None


def test_a_result_already_written_is_not_judged_again():
    # the result ended before the newest piece: it was judged as it was written
    assert result_fits("12 times 37 is 37. Then", len("12 times 37 is 37. ")) is None


def test_a_long_run_of_numbers_is_read_in_one_pass():
    # a reply listing figures with dashes once sent a backtracking pattern past minutes per token
    listed = " ".join(["12 -"] * 200) + " 5 pallets is "
    assert judged(listed, "3") is None
    summed = " ".join(["12 +"] * 200) + " 5 is "
    assert judged(summed, "2406") is None  # it starts before the sentence's worth read: not judged
    assert judged("So " + " ".join(["12 +"] * 5) + " 5 is ", "65") is True


def test_a_large_amount_is_judged_and_one_past_any_reply_is_not():
    big = "12345678901234567890 * 12345678901234567890 = "
    assert judged(big, "152415787532388367501905199875019052100") is True  # 39 digits, 8 decimals more
    assert judged(big, "2") is False
    assert judged("(9999 ^ 12) ^ 12 = ", "1") is None  # past 10**100: no reply states it
