"""The figures and units a word problem states, read from its words (assistant/word_figures.py)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from assistant.word_figures import Figure, converts, in_digits, read_figures, scaled, time_scale


@pytest.mark.parametrize(("text", "digits"), [
    ("twelve of us chip in", "12 of us chip in"),
    ("the offsite costs two thousand two hundred and fifty eur", "the offsite costs 2250 eur"),
    ("how many minutes are in seven and a half hours", "how many minutes are in 7.5 hours"),
    ("the bigger one, one way", "the bigger one, one way"),  # a lone "one" is a word
    ("often, tenfold", "often, tenfold"),  # number words inside other words stay
    ("4 boxes at twelve ninety-five each", "4 boxes at 12.95 each"),  # a price said as two numbers
    ("twenty five people, one hundred twenty chairs", "25 people, 120 chairs"),
])
def test_number_words_are_written_in_digits(text: str, digits: str):
    assert in_digits(text) == digits


def test_figures_are_read_with_their_suffixes_and_thousands_in_brackets():
    figures = read_figures("1,249 eur, 50k budget, 2.5m revenue, 15% off, paid at 1.5x, 17.50/hr")
    assert [(f.text, f.percent) for f in figures] == [
        ("1249", False), ("(50*1000)", False), ("(2.5*1000000)", False), ("15", True), ("1.5", False),
        ("17.50", False)]
    assert [f.value for f in figures[:3]] == [1249, 50000, 2500000]
    assert [f.text for f in read_figures("95k spent so far (in k)")] == ["95"]  # the answer asked in thousands
    assert read_figures("09:45, 3/4, Q3, B2B") == []  # clock times, fractions and codes are no figures
    assert Figure("(12 - 4)", 0, 2, False).value == 8  # a count less those who dropped out


def test_a_figure_in_one_unit_of_time_is_scaled_to_the_one_asked_for():
    text = "my salary is 54600 eur a year, whats that per month"
    assert converts(text) and time_scale(text, read_figures(text)[0]) == Fraction(1, 12)
    text = "how many minutes is 3.5 hours"
    assert time_scale(text, read_figures(text)[0]) == 60
    assert not converts("annual leave of 25 days")  # "annual leave" measures nothing
    assert scaled("54600", Fraction(1, 12)) == "54600/12" and scaled("2", Fraction(5, 12)) == "2*5/12"
