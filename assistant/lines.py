"""The figures of an order's lines, read beside the id each line is for.

A request that orders several things writes each line's figures next to its id: "2500 x SKU-11207 @ 0.42 and
800 x SKU-11215 @ 1.10", "600 units of SKU-18830 at 2.15". The model keeps to the stated figures (the amount
mask) but not always to the right line: it wrote 800 for SKU-11207. `stated_lines` sets, on each record of an
array keyed by an id (an order line by its SKU), the count written just before its id ("2500 x", "600 units
of", "600") and the price just after it ("@ 0.42", "at 2.15 each"), where the record's schema has one whole
number and one other number to take them.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.codes import fitting_code, value_shape
from assistant.slots import within

#: The count before a line's id: "2500 x ", "2,500 units of ", "600 ".
_COUNT_BEFORE = re.compile(r"(?<![\w.,-])(\d{1,3}(?:,\d{3})+|\d+)\s*"
                           r"(?:x|×|\*|units?\s+of|pcs\.?(?:\s+of)?|pieces\s+of|cartons?\s+of|boxes\s+of|of)?\s*$",
                           re.IGNORECASE)
#: The price after a line's id: " @ 0.42", " at 2.15 each", " @ eur 3" (not "for 600": a total, maybe).
_PRICE_AFTER = re.compile(r"^\s*(?:@|at)\s*(?:eur\s*|€\s*)?(\d+(?:[.,]\d{1,2})?)(?!\d)", re.IGNORECASE)


def stated_lines(arguments: dict[str, Any], schema: dict[str, Any], request: str) -> dict[str, list[Any]]:
    """The array arguments whose records' figures differ from those written beside their ids in `request`,
    with those figures set; empty when every record already holds them."""
    found = {}
    for name, spec in (schema.get("properties") or {}).items():
        records = arguments.get(name)
        items = spec.get("items") if isinstance(spec, dict) else None
        if not isinstance(records, list) or not isinstance(items, dict):
            continue
        fields = _line_fields(items)
        if fields is None:
            continue
        settled = [_settled(record, items, *fields, request) for record in records]
        if len(records) == 1:  # "ok order 200 more for gdansk": the one line of an id said before
            settled = [_one_line(settled[0], items, *fields, request)]
        if settled != records:
            found[name] = settled
    return found


def _line_fields(items: dict[str, Any]) -> tuple[str, str, str | None] | None:
    """(the id a record is keyed by, its whole number, its other number or None) for records of one required
    id and one whole number; None for any other shape."""
    properties = items.get("properties") or {}
    required = set(items.get("required") or [])
    keys = [name for name in required if (value_shape(properties.get(name) or {}) or "").startswith("pattern:")]
    counts = [name for name, spec in properties.items() if spec.get("type") == "integer"]
    prices = [name for name, spec in properties.items() if spec.get("type") == "number"]
    if len(keys) != 1 or len(counts) != 1 or len(prices) > 1:
        return None
    return keys[0], counts[0], prices[0] if prices else None


def _one_line(record: Any, items: dict[str, Any], key: str, count: str, price: str | None, request: str) -> Any:
    """An order's one line whose id `request` does not write (an id an earlier message gave): the one count it
    orders ("order 200 more", "200 units"), and no price where it writes none."""
    if not isinstance(record, dict) or not isinstance(record.get(key), str) or \
            re.search(re.escape(record[key]), request, re.IGNORECASE):
        return record
    counts = {int(match.group(1) or match.group(2)) for match in _ORDERED.finditer(request)}
    settled = dict(record)
    if len(counts) == 1 and within(items["properties"][count], figure := float(next(iter(counts)))):
        settled[count] = int(figure)
    if price is not None and price in settled and not _PRICED.search(request):
        del settled[price]
    return settled


#: A count ordered without its id: "order 200 more", "need 300", "200 units".
_ORDERED = re.compile(r"\b(?:order|need|want|get)\s+(?:another\s+)?(\d+)\b(?![.,:]\d)|"
                      r"(?<![\w.,-])(\d+)\s+(?:more|units?|pcs|pieces|cartons|boxes)\b", re.IGNORECASE)
#: A price written: "@ 0.42", "2.15 each", "12 eur" (not the @ of an e-mail address).
_PRICED = re.compile(r"@\s*\d|\beach\b|\bper\b|\beur\b|€|\beuros?\b", re.IGNORECASE)


def _settled(record: Any, items: dict[str, Any], key: str, count: str, price: str | None, request: str) -> Any:
    properties = items["properties"]
    shape = value_shape(properties[key])
    if not isinstance(record, dict) or not isinstance(record.get(key), str) or shape is None:
        return record
    spans = [m.span() for m in re.finditer(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*", request)
             if fitting_code(shape, m.group(0)) == record[key]]
    if len(spans) != 1:  # the id written once: its figures are the ones beside it
        return record
    start, end = spans[0]
    settled = dict(record)
    before = _COUNT_BEFORE.search(request[:start])
    if before is not None and within(properties[count], figure := float(before.group(1).replace(",", ""))):
        settled[count] = int(figure)
    after = _PRICE_AFTER.match(request[end:])
    if price is not None and after is not None and \
            within(properties[price], figure := float(after.group(1).replace(",", "."))):
        settled[price] = figure
    return settled
