"""Countries a request names, as ISO 3166 codes (`assistant.countries`)."""

from __future__ import annotations

import pytest

from assistant.countries import stated_countries


@pytest.mark.parametrize(
    ("said", "codes"),
    [
        ("dutch warehouses w/o a cold store?", ["NL"]),
        ("delayed loads going to poland, last 5", ["PL"]),
        ("loads for great britain shipped since monday?", ["GB"]),
        ("textile suppliers in turkey", ["TR"]),
        ("carriers to Germany or France", ["DE", "FR"]),
        ("ship it to the US", ["US"]),
        ("let us know by friday", []),  # "us" is only a country when written US
        ("in gdansk WH-05", []),
        ("germany, then germany again", ["DE"]),
    ],
)
def test_the_countries_a_request_names(said: str, codes: list[str]) -> None:
    assert stated_countries(said) == codes
