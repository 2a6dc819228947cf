"""The result a reply writes for a calculation it states, checked against the calculation.

A small model thanked after a calculator turn goes on in the calculator answer's shape with figures from the
conversation: "12 times 37 is 37.", "17% of 2340 is 17*2340/17 = 2340 / 2340 = 17." Every figure in it was
stated, so the reply's figure guard lets it through, yet the amount is wrong, and staff act on amounts. A
sentence that states a calculation ("12 times 37", "17% of 2340", "12*37 - 15") and then a result after "=",
"is", "equals" or "comes to" is checked here as the result is written: its digits must be the calculation's
value, rounded to the decimals written, or the start of it. The engine masks a digit that is not and lets one
that is through, though nobody stated it: the value is computed, not made up.

Only plain arithmetic is read: numbers (with grouping commas, a currency sign, a percent sign), + - * / ^ x and
their words, "% of", brackets. A range or a date ("1-5", "2026-06-10", "10/06/2026") states no calculation.
"""

from __future__ import annotations

import ast
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from functools import lru_cache

#: An operand: a number with an optional currency sign before it and percent sign after it, in brackets or not.
_OPERAND = r"\(*\s*[$€£]?\d[\d,]*(?:\.\d+)?\s*%?\s*\)*"
_OPERATOR = r"(?:[-+*/×÷^]|\bx\b|\btimes\b|\bplus\b|\bminus\b|\bdivided by\b|\bmultiplied by\b|\bof\b|\bpercent of\b)"
#: A calculation and the word that gives its result, at the end of the text before the result's number. The
#: calculation starts after a space or a bracket, not inside a code or a date ("E1004", "06-10").
_STATED = re.compile(
    rf"(?<![\w.,:/\-])(?P<calculation>{_OPERAND}(?:\s*{_OPERATOR}\s*{_OPERAND})+)"
    r"\s*(?:=|\bis equal to\b|\bequals\b|\bis\b|\bcomes to\b)\s*[$€£]?\s*-?\Z",
    re.IGNORECASE,
)
#: A result's number, last in the text: digits with grouping commas and decimals, the point perhaps still open.
_RESULT = re.compile(r"(?<![\w.,])\d[\d,]*(?:\.\d*)?")
#: Two numbers joined without spaces by "-" (a range, a date, a code) or three by "/" (a date): no calculation.
_NOT_ARITHMETIC = re.compile(r"\d-\d|\d/\d+/\d")
_WORDS = (
    (re.compile(r"%\s*of\b|\s*\bpercent of\b", re.IGNORECASE), "/100*"),
    (re.compile(r"%"), "/100"),
    (re.compile(r"\bmultiplied by\b|\btimes\b|\bx\b|×", re.IGNORECASE), "*"),
    (re.compile(r"\bdivided by\b|÷", re.IGNORECASE), "/"),
    (re.compile(r"\bplus\b", re.IGNORECASE), "+"),
    (re.compile(r"\bminus\b", re.IGNORECASE), "-"),
    (re.compile(r"\^"), "**"),
)
#: How far back a calculation is read: one sentence's worth.
_REACH = 160
#: Decimals a written result may round its value to.
_MOST_DECIMALS = 8


def result_fits(text: str, written_from: int) -> bool | None:
    """Whether the number `text` writes last, as the result of a calculation the text states just before it,
    is that calculation's value: True when it is or may still become it (its digits so far start a rounding of
    the value), False when it is not, None when the number is no such result or was already judged (it ends
    before `written_from`, where the newest piece of text begins)."""
    tail_start = max(0, len(text) - _REACH)
    tail = text[tail_start:]
    results = list(_RESULT.finditer(tail))
    if not results:
        return None
    result = results[-1]
    if tail_start + result.end() < written_from:
        return None
    stated = _STATED.search(tail[: result.start()])
    if stated is None:
        return None
    value = _value(stated.group("calculation"))
    if value is None:
        return None
    negative = tail[: result.start()].rstrip().endswith("-")
    written = result.group().replace(",", "")
    if negative:
        written = "-" + written
    finished = result.end() < len(tail)
    return _rounds_to(written, value) if finished else _starts(written, value)


@lru_cache(maxsize=256)
def _value(calculation: str) -> Fraction | None:
    """The exact value of a stated calculation, or None where it is no plain arithmetic or cannot be computed."""
    if _NOT_ARITHMETIC.search(calculation):
        return None
    source = re.sub(r"[$€£]", "", calculation)
    source = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", source)  # 2,340 -> 2340
    if re.search(r"\bof\b", re.sub(r"(%\s*|\bpercent )of\b", "", source, flags=re.IGNORECASE), re.IGNORECASE):
        return None  # "of" only after a percentage
    for pattern, operator in _WORDS:
        source = pattern.sub(operator, source)
    source = source.replace(",", " ").strip()
    try:
        tree = ast.parse(source, mode="eval")
        return _computed(tree.body)
    except (SyntaxError, ZeroDivisionError, ValueError, OverflowError):
        return None


def _computed(node: ast.expr) -> Fraction:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return Fraction(str(node.value))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _computed(node.operand)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _computed(node.left), _computed(node.right)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            return left / right
        if isinstance(node.op, ast.Pow) and right.denominator == 1 and abs(right) <= 12:
            return left ** int(right)
    raise ValueError("not plain arithmetic")


def _roundings(value: Fraction, decimals: range) -> set[str]:
    """`value` written with each number of `decimals`, rounded half up and half even."""
    with localcontext() as context:
        context.prec = 40
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return {f"{exact.quantize(Decimal(1).scaleb(-places), rounding=rounding):f}"
                for places in decimals for rounding in (ROUND_HALF_UP, ROUND_HALF_EVEN)}


def _rounds_to(written: str, value: Fraction) -> bool:
    """Whether the finished result `written` ("444", "397.8", "0.33", "444." at a sentence's end) is `value`
    rounded to the decimals it writes. A value that is not whole is rounded to a whole number only from 10 up
    ("398" for 397.8 is fair, "0" for 1/3 is not)."""
    written = written.rstrip(".")
    if written in _roundings(value, range(1, _MOST_DECIMALS + 1)):
        return True
    return written in _roundings(value, range(1)) and (value.denominator == 1 or abs(value) >= 10)


def _starts(written: str, value: Fraction) -> bool:
    """Whether `written`, a result still being written, starts a rounding of `value`."""
    return any(rounding.startswith(written) for rounding in _roundings(value, range(_MOST_DECIMALS + 1)))
