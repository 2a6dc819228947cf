"""The statement of a passage that answers a question, put first (`tools.focus`): pure functions."""

from __future__ import annotations

import pytest

from tools.focus import (
    ANSWER_FIT,
    KEYWORD_FIT,
    RANGE_FIT,
    answer_fits,
    answer_run,
    hoisted,
    range_fits,
    range_weighed,
    statement_scores,
    statements,
)

PASSAGE = """Complete these courses in the learning portal within your first **14 days**:

1. **Security Basics** (45 minutes): passwords, phishing,
   lost devices.
2. **Privacy and customer data** (30 minutes).

| Day | What happens |
|-----|--------------|
| Day 1 | Badge, laptop, e.g. the accounts |

Arrive at 09:30 at reception. Reception is staffed from 08:30, e.g. for visitors. Your buddy meets you."""


def cut(text: str) -> list[str]:
    return [text[start:end] for start, end in statements(text)]


def test_a_passage_is_cut_into_sentences_list_items_and_table_rows() -> None:
    assert cut(PASSAGE) == [
        "Complete these courses in the learning portal within your first **14 days**:",
        "1. **Security Basics** (45 minutes): passwords, phishing,\n   lost devices.",  # an item runs on
        "2. **Privacy and customer data** (30 minutes).",
        "| Day | What happens |",  # the rule row under it is no statement
        "| Day 1 | Badge, laptop, e.g. the accounts |",
        "Arrive at 09:30 at reception.",
        "Reception is staffed from 08:30, e.g. for visitors.",  # "e.g. for" does not end a sentence
        "Your buddy meets you.",
    ]


def test_text_without_statements_has_none() -> None:
    assert statements("") == [] and statements("\n  \n") == []
    assert cut("  one line, no full stop  ") == ["one line, no full stop"]


@pytest.mark.parametrize("index", range(len(statements(PASSAGE))))
def test_a_hoisted_statement_comes_first_and_nothing_is_lost(index: int) -> None:
    spans = statements(PASSAGE)
    moved = hoisted(PASSAGE, spans[index])

    assert moved.startswith(cut(PASSAGE)[index])
    assert sorted(cut(moved)) == sorted(cut(PASSAGE))
    assert sorted(moved.split()) == sorted(PASSAGE.split())


def test_the_first_statement_leaves_the_passage_as_it_is() -> None:
    assert hoisted(PASSAGE, statements(PASSAGE)[0]) == PASSAGE


def test_a_hoisted_statement_reads_on_as_written_and_what_came_before_follows() -> None:
    text = "Intro.\n\n- One.\n- Two.\n\nA first. A second. A third."
    spans = statements(text)

    assert hoisted(text, spans[-2]) == "A second. A third.\n\nIntro.\n\n- One.\n- Two.\n\nA first."
    assert hoisted(text, spans[2]) == "- Two.\n\nA first. A second. A third.\n\nIntro.\n\n- One."


def test_a_statements_score_is_its_cosine() -> None:
    question = [1.0, 0.0]
    embedded = [[0.0, 1.0], [0.8, 0.6], [0.6, 0.8]]

    assert statement_scores(question, embedded) == pytest.approx([0.0, 0.8, 0.6])


def test_a_statement_that_states_what_is_asked_for_counts_nearer() -> None:
    question = [1.0, 0.0]
    embedded = [[0.8, 0.6], [0.78, 0.6258]]  # the second is a little farther

    assert statement_scores(question, embedded, [False, True]) == pytest.approx([0.8, 0.78 + ANSWER_FIT])


def test_a_statement_holding_the_questions_keywords_counts_nearer() -> None:
    question = [1.0, 0.0]
    embedded = [[0.8, 0.6], [0.7, 0.7141]]  # the second is farther by 0.1

    assert statement_scores(question, embedded, shares=[0.0, 1.0]) == pytest.approx([0.8, 0.7 + KEYWORD_FIT])


def test_the_answer_starts_at_the_sentence_before_the_best_where_that_one_is_nearer_than_the_next() -> None:
    text = "Intro here.\n\nA receipt is needed above EUR 25. Smaller claims need none. Ask Finance.\n- An item."
    spans = statements(text)  # intro, figure, subject, ask, item

    assert text[slice(*answer_run(text, spans, [0.1, 0.5, 0.7, 0.2, 0.0]))] == \
        "A receipt is needed above EUR 25. Smaller claims need none."
    assert answer_run(text, spans, [0.1, 0.2, 0.7, 0.5, 0.0]) == spans[2]  # the next one is nearer: read on
    assert answer_run(text, spans, [0.6, 0.7, 0.2, 0.2, 0.0]) == spans[1]  # the intro is another paragraph
    assert answer_run(text, spans, [0.1, 0.2, 0.3, 0.6, 0.7]) == spans[4]  # a list item stands on its own


def test_a_sentence_that_opens_a_list_is_answered_by_its_best_item() -> None:
    text = "It is paid with a premium on top of the hourly rate:\n\n- weekdays: 25%;\n- Saturdays: 50%;\n\nAsk HR."
    spans = statements(text)  # intro, weekdays, Saturdays, ask

    assert answer_run(text, spans, [0.7, 0.3, 0.5, 0.1]) == spans[2]
    assert answer_run(text, spans, [0.7, 0.5, 0.3, 0.1]) == spans[1]
    assert answer_run(text, spans, [0.2, 0.5, 0.3, 0.7]) == spans[3]  # no list opened: the best as it is
    table = "IT responds within these times:\n\n| Priority | First response |\n|---|---|\n| urgent | 1 hour |\n" \
        "| high | 4 hours |\n"
    assert answer_run(table, statements(table), [0.7, 0.6, 0.2, 0.5]) == statements(table)[3]  # a row, no header
    assert answer_run(table, statements(table), [0.1, 0.7, 0.2, 0.5]) == statements(table)[3]  # nor a header alone
    stated = "Complete these courses within your first 14 days:\n\n1. Security basics.\n2. Privacy."
    assert answer_run(stated, statements(stated), [0.7, 0.3, 0.5]) == statements(stated)[0]  # it states the figure


ROWS = ["Value of the goods: Up to 500 euros; Approved by: The shift lead",
        "Value of the goods: 500 to 5,000 euros; Approved by: The site manager",
        "Value of the goods: Above 5,000 euros; Approved by: The finance director",
        "Write-offs need approval by value."]


@pytest.mark.parametrize(("question", "fits"), [
    ("we have to write off a pallet worth about 3,000 euros, who needs to approve that?", [False, True, False, False]),
    ("write-off of 12k, who signs?", [False, False, True, False]),
    ("a write-off worth 250 eur", [True, False, False, False]),
    ("who approves a write-off?", [False, False, False, False]),  # no amount stated
    ("SHP-205120 at 10:30 on 2026-03-02", [False, False, False, False]),  # an id, a time and a date are none
])
def test_a_row_whose_range_holds_the_questions_amount_fits(question: str, fits: list[bool]) -> None:
    assert range_fits(question, ROWS) == fits


def test_a_statement_whose_range_holds_the_amount_counts_nearer() -> None:
    scores = range_weighed(statement_scores([1.0, 0.0], [[0.5, 0.5], [0.5, 0.5]]), [False, True])

    assert scores[1] - scores[0] == pytest.approx(RANGE_FIT)


@pytest.mark.parametrize(("question", "fits"), [
    # a time of day is asked for: only the statement stating one fits
    ("by what time do i have to call in sick", [False, True, False]),
    ("core hours when working from home?", [False, True, False]),
    # a figure is asked for: a time, a count or a number word fits
    ("how many days of sick leave do I get?", [False, True, True]),
    ("when do we have to sign the code of conduct again?", [False, True, True]),
    ("up to what value can I accept a gift", [False, True, True]),
    ("overtime on a saturday, whats the premium?", [False, True, True]),  # a premium, a rate, a fee: a figure
    ("what's the mileage rate for my own car", [False, True, True]),
    # neither: nothing is favoured
    ("who is the confidential advisor", [False, False, False]),
])
def test_answer_fits_matches_what_the_question_asks_for(question: str, fits: list[bool]) -> None:
    statements_ = ["Sick leave is approved immediately.", "Tell your manager before 10:00 on the first day.",
                   "You receive twelve days a year."]

    assert answer_fits(question, statements_) == fits
