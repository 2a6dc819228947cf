"""The figures a conversation states, and whether a calculator expression keeps to them.

A small model asked "14 people, pizza is 11.90 each" writes `14*(11.90 + 3.75)`: the 3.75 comes from a
worked example before the question, or from nowhere. Every figure of a staff member's word problem is in
the words, written as digits ("1,249", "0,23", "21%"), in shorthand ("50k", "2 million") or as a word
("fifty", "fortnight"); what else an expression needs is a count up to 12 ("double", "a quarter", an
average's divisor), a unit factor (60 minutes, 24 hours, 365 days) or 100 and 1000. `StatedFigures.allows`
says whether an expression, complete or being written, has only such figures, so the engine can mask a digit
that would start another one. An expression need not use every figure of the request: long questions state
figures no expression needs ("Q3", "3rd floor").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

#: Figures an expression may use whatever the question says: small counts (an average's divisor), 100 and
#: 1000 for percentages and scale, the factors between units of time, and 0.5 for halves and roots.
ALWAYS = (*map(str, range(13)), "0.5", "24", "52", "60", "100", "365", "1000", "3600")
#: Figures a reply written from a tool result may state whatever the result says: counts up to twelve ("2 of
#: them", "3 rooms"). A reply with no records read behind it (no call, a calculation, or a call planned,
#: declined or failed) may state none but list numbers.
COUNTS = tuple(map(str, range(13)))

_SCALES = {"k": 1000, "thousand": 1000, "m": 1_000_000, "mn": 1_000_000, "million": 1_000_000,
           "bn": 1_000_000_000, "billion": 1_000_000_000}
#: Words that state a figure (counts up to twelve are always allowed).
_WORDS = {
    "fifteen": ("15",), "twenty": ("20",), "thirty": ("30",), "forty": ("40",), "fifty": ("50",),
    "fortnight": ("14",),
}
#: Words that bring a unit's conversion factors into an expression: figures a calculation needs, but none that a
#: reply or a record states because the unit was named.
_FACTOR_WORDS = {"fahrenheit": ("32", "1.8"), "celsius": ("32", "1.8")}
#: A figure as written: digits with "," or "." grouping or decimals, then an optional scale word.
_WRITTEN = re.compile(r"(?<![\w.])(\d[\d,.]*\d|\d)(?:\s?(k|m|mn|bn|million|billion|thousand)\b)?", re.IGNORECASE)
_LITERAL = re.compile(r"\d+(?:\.\d*)?|\.\d+")
#: A comma that groups digits in an expression (1,249*1.21; at the end, a group still being written).
_GROUPING = re.compile(r"(?<=\d),(?=\d{3}(?!\d)|\d{0,2}$)")
#: A code's digits, written on to its letters: "E1004" -> 1004, "SHP-205077" -> 205077.
_CODE_DIGITS = re.compile(r"(?<=[A-Za-z])-?(\d+)")
#: A number ending in a digit group still being written: "41,", "41,0", "1,249,5".
_OPEN_GROUP = re.compile(r"(?<![\d,.])(\d{1,3}(?:,\d{3})*),(\d{0,2})$")


@dataclass(frozen=True)
class StatedFigures:
    """The numbers an expression may contain, as exact decimals, and their digit strings for prefixes."""

    values: frozenset[Decimal]
    digits: frozenset[str]  # each value written plainly ("11.9", "2000000"), and as stated ("11.90")
    codes: frozenset[str] = frozenset()  # the digits of the codes stated ("E1004", "SHP-205077")

    @classmethod
    def of(cls, texts: Iterable[str], always: Iterable[str] = ALWAYS, factors: bool = True) -> StatedFigures:
        """The figures of `texts` (the conversation's user messages and tool results), and the ones `always`
        allowed (by default an expression's: ALWAYS); with `factors`, an expression's, the conversion factors
        of the units the texts name too."""
        written: set[str] = set(always)
        for text in texts:
            written.update(_figures_in(text, factors))
        values = {value for value in map(_decimal, written) if value is not None}
        codes = {match.group(1) for text in texts for match in _CODE_DIGITS.finditer(text)}
        return cls(frozenset(values), frozenset(written | {_plain(value) for value in values}), frozenset(codes))

    def allows(self, expression: str) -> bool:
        """True when every number literal of `expression` is a stated figure, the last one (which may still
        grow) at least the start of one. Digits inside names (log2, x1) are not numbers here; 1,249 is one."""
        expression = _GROUPING.sub("", expression)
        for match in _LITERAL.finditer(expression):
            if match.start() > 0 and (expression[match.start() - 1].isalpha() or expression[match.start() - 1] == "_"):
                continue
            literal = match.group()
            if match.end() == len(expression):  # still being written: a prefix of a figure is enough
                return any(digits.startswith(literal) for digits in self.digits) or _decimal(literal) in self.values
            if _decimal(literal) not in self.values:
                return False
        return True

    def allows_in_prose(self, text: str) -> bool:
        """`allows`, and a digit group still being written at the end ("41,", "41,0") grouped as a stated
        figure is ("4,104" is no "41,04..."), unless a stated figure ends at the comma ("25, and"). In an
        expression a comma may part a function's arguments ("gcd(12,8)"); in a reply "41,04" reads as 41 and
        04."""
        if not self.allows(text) or not self._allows_codes(text):
            return False
        group = _OPEN_GROUP.search(text)
        if group is None:
            return True
        if not group.group(2) and _decimal(group.group(1).replace(",", "")) in self.values:
            return True  # a stated figure before a list's comma: "25, and"
        return any(f"{int(digits):,}".startswith(group.group()) for digits in self.digits if digits.isdigit())


    def _allows_codes(self, text: str) -> bool:
        """Whether every code `text` writes with two digits or more ("E1004", "ext 9865" written "xt9865") is one
        stated, the last (which may still grow) at least the start of one: a record's id or an extension nobody
        gave is as invented as a figure. One digit ("A4", "Q3") is no record."""
        for match in _CODE_DIGITS.finditer(text):
            digits = match.group(1)
            if len(digits) < 2:
                continue
            if match.end() == len(text):
                return any(code.startswith(digits) for code in self.codes)
            if digits not in self.codes:
                return False
        return True


def _figures_in(text: str, factors: bool) -> set[str]:
    found: set[str] = set()
    for match in _WRITTEN.finditer(text):
        number = _normalised(match.group(1))
        found.add(number)
        if re.fullmatch(r"\d{1,3}\.\d{3}", match.group(1)):  # 2.400 is 2400 where a dot groups digits
            found.add(match.group(1).replace(".", ""))
        value = _decimal(number)
        if match.group(2) and value is not None:
            found.add(_plain(value * _SCALES[match.group(2).lower()]))
    for word in re.findall(r"[a-z]+", text.lower()):
        found.update(_WORDS.get(word, ()))
        if factors:
            found.update(_FACTOR_WORDS.get(word, ()))
    return found


def _normalised(written: str) -> str:
    """"1,249" -> "1249", "0,23" -> "0.23", "1.249,50" -> "1249.50", "11.90" -> "11.90"."""
    separators = [char for char in written if char in ",."]
    if not separators:
        return written
    last = max(written.rfind(","), written.rfind("."))
    decimals = written[last + 1:]
    if len(separators) == 1 and len(decimals) == 3 and written[last] == ",":
        return written.replace(",", "")  # digit grouping: 1,249
    if len(set(separators)) == 1 and len(separators) > 1:
        return written.replace(separators[0], "")  # 1.000.000 or 1,000,000
    whole = re.sub(r"[,.]", "", written[:last])
    return f"{whole}.{decimals}"


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _plain(value: Decimal) -> str:
    """The value without exponent or trailing zeros: 11.90 -> "11.9", 2E+6 -> "2000000"."""
    return format(value.normalize(), "f")


#: The counts a whole-number argument may take whatever was said ("two of us").
_COUNT_FIGURES = StatedFigures.of((), COUNTS)
#: A number value being written at the end of JSON arguments, after its property's name: `"amount_eur": 44`.
_OPEN_NUMBER = re.compile(r'"([^"\\]+)"\s*:\s*(-?\d[\d.]*)$')


@dataclass(frozen=True)
class StatedAmounts:
    """An API call's number properties (at any depth: an order line's quantity) and the figures their values
    may take: the conversation's, and for a whole number counts up to twelve too ("two of us"). Asked to
    "claim 18.40 for a taxi", the small model wrote `"amount_eur": 44.4`; a record's amount is one somebody
    stated."""

    amounts: frozenset[str]  # number properties: stated figures only
    counts: frozenset[str]  # integer properties: stated figures and counts
    figures: StatedFigures

    @classmethod
    def of(cls, schema: dict[str, Any], texts: Iterable[str]) -> StatedAmounts | None:
        """The rule for a call with arguments `schema`; None when it has no number property."""
        kinds = dict(_number_properties(schema))
        if not kinds:
            return None
        return cls(frozenset(name for name, kind in kinds.items() if kind == "number"),
                   frozenset(name for name, kind in kinds.items() if kind == "integer"),
                   StatedFigures.of(texts, (), factors=False))

    def allows_arguments(self, partial: str) -> bool:
        """Whether the JSON arguments written so far keep the number value being written, if any, to the start
        of a stated figure (or, for a whole number, of a count)."""
        number = _OPEN_NUMBER.search(partial)
        if number is None:
            return True
        name, written = number.groups()
        if name not in self.amounts and name not in self.counts:
            return True
        return self.figures.allows(written) or name in self.counts and _COUNT_FIGURES.allows(written)


def _number_properties(schema: Any) -> Iterator[tuple[str, str]]:
    """(name, "number" or "integer") of each number property of `schema`, nested ones too."""
    if not isinstance(schema, dict):
        return
    for name, spec in (schema.get("properties") or {}).items():
        if isinstance(spec, dict) and spec.get("type") in ("number", "integer"):
            yield name, spec["type"]
        yield from _number_properties(spec)
    yield from _number_properties(schema.get("items"))
