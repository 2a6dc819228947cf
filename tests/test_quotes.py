"""The handbook answer quoted from the passage a search put first."""

from __future__ import annotations

import pytest

from assistant.quotes import QUOTE_FLOOR, quoted_answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Receipts are kept for **7 years**.\n\nClaims go through the portal.",
         "Receipts are kept for 7 years. Claims go through the portal. (source: expenses.md)"),
        ("ADR shipments need the dangerous goods note and the driver's ADR\ncertificate. More.",
         "ADR shipments need the dangerous goods note and the driver's ADR certificate. More. (source: expenses.md)"),
        ("- **Bike plan**: up to 3 bikes\n- Lease: 36 months",
         "Bike plan: up to 3 bikes. Lease: 36 months. (source: expenses.md)"),
        # a table row under its header: each cell after its heading
        (("| WH-03 | Duisburg | yes |\n\nSites:\n\n| Site | City | Cold store |\n|---|:---:|---|\n"
          "| WH-01 | Rotterdam | no |"),
         "Site: WH-03; City: Duisburg; Cold store: yes. Sites. (source: expenses.md)"),
        ("| WH-03 | Duisburg |", "WH-03, Duisburg. (source: expenses.md)"),
        ("*Owner: the quality team.", "Owner: the quality team. (source: expenses.md)"),
        # the second statement only within MAX_QUOTE_CHARS, never a third
        ("Short one. " + "Long " * 80 + "end.", "Short one. (source: expenses.md)"),
        ("One. Two. Three.", "One. Two. (source: expenses.md)"),
    ],
)
def test_the_first_two_statements_are_quoted_with_their_document(text: str, answer: str):
    passages = [{"source": "docs/expenses.md", "text": text, "score": QUOTE_FLOOR}, {"source": "b.md", "text": "B."}]
    assert quoted_answer(passages) == answer


@pytest.mark.parametrize("result", [[], None, "no passages", [{"source": "a.md", "text": "  "}], [{"text": "A."}],
                                    [{"source": "a.md", "text": "Far from the question.", "score": QUOTE_FLOOR / 2}]])
def test_nothing_is_quoted_without_a_passage_and_its_document(result):
    assert quoted_answer(result) is None
