"""The handbook answer quoted from the passage a search put first."""

from __future__ import annotations

import pytest

from assistant.quotes import quoted_answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Receipts are kept for **7 years**.\n\nClaims go through the portal.",
         "Receipts are kept for 7 years. (source: expenses.md)"),
        ("ADR shipments need the dangerous goods note and the driver's ADR\ncertificate.\n\nMore.",
         "ADR shipments need the dangerous goods note and the driver's ADR certificate. (source: expenses.md)"),
        ("- **Bike plan**: up to 3 bikes\n- Lease: 36 months", "Bike plan: up to 3 bikes. (source: expenses.md)"),
        # a table row under its header: each cell after its heading
        ("| WH-03 | Duisburg | yes |\n\nSites:\n\n| Site | City | Cold store |\n|---|:---:|---|\n| WH-01 | Rotterdam | no |",
         "Site: WH-03; City: Duisburg; Cold store: yes. (source: expenses.md)"),
        ("| WH-03 | Duisburg |", "WH-03, Duisburg. (source: expenses.md)"),
    ],
)
def test_the_first_statement_is_quoted_with_its_document(text: str, answer: str):
    assert quoted_answer([{"source": "docs/expenses.md", "text": text}, {"source": "b.md", "text": "Other."}]) == answer


@pytest.mark.parametrize("result", [[], None, "no passages", [{"source": "a.md", "text": "  "}], [{"text": "A."}]])
def test_nothing_is_quoted_without_a_passage_and_its_document(result):
    assert quoted_answer(result) is None
