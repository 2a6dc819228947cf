"""An order's lines take the figures written beside their ids."""

from __future__ import annotations

import pytest

from assistant.lines import stated_lines

ORDER = {"type": "object", "required": ["lines"], "properties": {
    "warehouse_id": {"type": "string", "pattern": "^WH-[0-9]{2}$"},
    "lines": {"type": "array", "items": {"type": "object", "required": ["sku", "quantity"], "properties": {
        "sku": {"type": "string", "pattern": "^SKU-[0-9]{5}$"},
        "quantity": {"type": "integer", "minimum": 1, "maximum": 10000},
        "unit_price_eur": {"type": "number", "minimum": 0.01}}}}}}


def line(sku: str, quantity: int, price: float | None = None) -> dict:
    return {"sku": sku, "quantity": quantity, **({"unit_price_eur": price} if price is not None else {})}


@pytest.mark.parametrize(
    ("request_text", "written", "settled"),
    [
        ("2500 x SKU-11207 @ 0.42 and 800 x SKU-11215 @ 1.10", [line("SKU-11207", 800, 0.42), line("SKU-11215", 800)],
         [line("SKU-11207", 2500, 0.42), line("SKU-11215", 800, 1.1)]),
        ("order 600 units of sku-18830 at 2.15 each", [line("SKU-18830", 60)], [line("SKU-18830", 600, 2.15)]),
        ("2,500 SKU-11207 for WH-01", [line("SKU-11207", 25)], [line("SKU-11207", 2500)]),
    ],
)
def test_each_line_takes_the_count_before_its_id_and_the_price_after_it(request_text, written, settled):
    assert stated_lines({"lines": written}, ORDER, request_text) == {"lines": settled}


@pytest.mark.parametrize(
    ("request_text", "written"),
    [
        ("2500 x SKU-11207 @ 0.42", [line("SKU-11207", 2500, 0.42)]),  # already so
        ("to WH-01 SKU-11207, 600 of them", [line("SKU-11207", 600)]),  # WH-01's 01 is no count
        ("99999 x SKU-11207", [line("SKU-11207", 5)]),  # past the schema's maximum
        ("SKU-11207 for 600 eur", [line("SKU-11207", 5)]),  # "for": a total, maybe
        ("SKU-11207 twice: 5 x SKU-11207", [line("SKU-11207", 1)]),  # the id written twice
    ],
)
def test_figures_that_are_not_the_lines_are_left(request_text, written):
    assert stated_lines({"lines": written}, ORDER, request_text) == {}
