"""The result a reply writes for a calculation it states, checked against the calculation.

A small model thanked after a calculator turn goes on in the calculator answer's shape with figures from the
conversation: "12 times 37 is 37.", "17% of 2340 is 17*2340/17 = 2340 / 2340 = 17." Every figure in it was
stated, so the reply's figure guard lets it through, yet the amount is wrong, and staff act on amounts. A
sentence that states a calculation ("12 times 37", "17% of 2340", "12*37 - 15") and then a result after "=",
"is", "equals" or "comes to" is checked here as the result is written: its digits must be the calculation's
value, rounded to the decimals written, or the start of it. The engine masks a digit that is not; one that is
must still be a figure the conversation or a tool stated, for an amount the reply computed itself is no tool's.

Only plain arithmetic is read: numbers (with grouping commas, a currency sign, a percent sign), + - * / ^ x and
their words, "% of", brackets. A range or a date ("1-5", "2026-06-10", "10/06/2026") states no calculation.
"""

from __future__ import annotations

import ast
import operator
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from functools import lru_cache

#: The pieces a calculation and the word giving its result are read in: a number (a currency sign before it, a
#: percent sign after it), an operator or a word of one, a bracket, any other word or character.
_PIECE = re.compile(r"\s+|[$€£]?\d[\d,]*(?:\.\d+)?%?|percent of|divided by|multiplied by|is equal to|comes to|"
                    r"[^\W\d_]+|.", re.IGNORECASE)
_NUMBER = re.compile(r"[$€£]?\d[\d,]*(?:\.\d+)?%?")
_OPERATORS = {"+", "-", "*", "/", "×", "÷", "^", "x", "times", "plus", "minus", "divided by", "multiplied by", "of",
              "percent of"}
_GIVES = {"=", "is", "equals", "is equal to", "comes to"}
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
#: A calculation whose value (or a step of it) is larger than this is not judged: no reply states such an amount,
#: and its roundings are written with _PRECISION digits.
_LARGEST = 10**100
_PRECISION = 120


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
    head = tail[: result.start()]
    calculation = _stated_calculation(head)
    if calculation is None or tail_start and not head[: head.rindex(calculation)].strip():
        return None  # none, or one that may start before the reach
    value = _value(calculation)
    if value is None:
        return None
    written = result.group().replace(",", "")
    if head.rstrip().endswith("-"):  # the result's sign
        written = "-" + written
    finished = result.end() < len(tail)
    return _rounds_to(written, value) if finished else _starts(written, value)


def _stated_calculation(head: str) -> str | None:
    """The calculation `head` ends with, followed by the word that gives its result ("12 times 37 is ",
    "17% of 2340 = €", "5 - 8 = -"), or None. Read piece by piece back from the end, in one pass."""
    pieces = [(match.group(), match.start()) for match in _PIECE.finditer(head) if not match.group().isspace()]
    while pieces and pieces[-1][0] in ("$", "€", "£", "-"):  # the result's sign or currency
        pieces.pop()
    if not pieces or pieces[-1][0].casefold() not in _GIVES:
        return None
    pieces.pop()
    first = len(pieces)
    while first and (pieces[first - 1][0].casefold() in _OPERATORS or pieces[first - 1][0] in "()" or
                     _NUMBER.fullmatch(pieces[first - 1][0])):
        first -= 1
    while first < len(pieces) and pieces[first][0].casefold() in _OPERATORS:  # an operator of what came before
        first += 1
    calculation = pieces[first:]
    numbers = sum(1 for text, _ in calculation if _NUMBER.fullmatch(text))
    if numbers < 2 and not any(text.endswith("%") for text, _ in calculation) or \
            not any(text.casefold() in _OPERATORS for text, _ in calculation):
        return None
    start = calculation[0][1]
    if start and re.match(r"[\w.,:/\-]", head[start - 1]):  # inside a code or a date ("E1004", "06-10")
        return None
    return head[start : calculation[-1][1] + len(calculation[-1][0])]


@lru_cache(maxsize=256)
def _value(calculation: str) -> Fraction | None:
    """The exact value of a stated calculation, or None where it is no plain arithmetic or cannot be computed."""
    if _NOT_ARITHMETIC.search(calculation):
        return None
    source = re.sub(r"[$€£]", "", calculation)
    source = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", source)  # 2,340 -> 2340
    if re.search(r"\bof\b", re.sub(r"(%\s*|\bpercent )of\b", "", source, flags=re.IGNORECASE), re.IGNORECASE):
        return None  # "of" only after a percentage
    for pattern, sign in _WORDS:
        source = pattern.sub(sign, source)
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
        if isinstance(node.op, ast.Pow) and right.denominator == 1 and abs(right) <= 12:
            value = left ** int(right)
        elif type(node.op) in _BINARY:
            value = _BINARY[type(node.op)](left, right)
        else:
            raise ValueError("not plain arithmetic")
        if abs(value) > _LARGEST:
            raise ValueError("too large to state")
        return value
    raise ValueError("not plain arithmetic")


_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _roundings(value: Fraction, decimals: range) -> set[str]:
    """`value` written with each number of `decimals`, rounded half up and half even."""
    with localcontext() as context:
        context.prec = _PRECISION
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
