"""The figures and units an everyday word problem states, read from its words.

A request writes its figures in digits with thousands commas ("1,249"), with a suffix ("50k", "2.5m", "15%",
"1.5x") or in words ("twelve of us", "two thousand two hundred and fifty", "seven and a half hours"), and
measures them in units of time it may ask to convert ("54,600 a year, per month"). `assistant.word_problems`
composes its expressions from what this module reads.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

#: A figure: digits with thousands commas and decimals, then "k" (thousands), "million", "x" (a multiple), "%" or
#: "p", "pence" or "cents" (a hundredth of the currency the other amounts are in); or a count of one digit times a
#: figure ("2 x 185 km"); a unit may follow without a space ("310km", "32h").
_FIGURE = re.compile(r"(?<![\w.,/:-])(\d\s*[x×]\s*\d+(?:\.\d+)?(?![x×\d.])|\d{1,3}(?:,\d{3})+(?:\.\d+)?|"
                     r"\d+(?:\.\d+)?)"
                     r"(\s?%|k\b|m\b|\s?million\b|x\b|p\b|\s(?:pence|cents?)\b)?"
                     r"(?!(?!(?:km|kg|cm|mm|hrs?|mins?|h|l|t|pcs|plts?|ctns?)\b)\w|[:/]\s*\d|\.\d|,\d{3})")

#: Units of one kind: a request naming two of a kind asks for a conversion ("pages per minute" from hours,
#: "per month" from a year's figure), which no shape here writes.
_UNIT_KINDS = (
    {"second": r"seconds?|secs?", "minute": r"minutes?|mins?", "hour": r"hours?|hrs?|hourly",
     "day": r"days?|daily|nights?", "week": r"weeks?|weekly", "month": r"months?|monthly", "quarter": r"quarters?",
     "year": r"years?|yearly|annual|annually|annum"},
    {"km": r"km|kilometres?|kilometers?", "mile": r"miles?"},
    {"kg": r"kg|kilos?|kilograms?", "lb": r"lbs?|pounds?", "t": r"t|tonnes?|tons?", "g": r"g|grams?"},
)
UNIT_WORD = "|".join(_UNIT_KINDS[0].values())
_UNIT_ADJECTIVE = r"hourly|daily|weekly|monthly|yearly|annual|annually"
#: Units of time in seconds, and months and years in months.
_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}
_MONTHS = {"month": 1, "quarter": 3, "year": 12}

#: Number words, as staff write small figures out ("twelve of us", "two thousand two hundred and fifty eur",
#: "seven and a half hours"); a lone "one" stays a word ("the bigger one", "one way").
_SMALL_NUMBERS = {word: value for value, word in enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"])}
_TENS = {word: 10 * value for value, word in enumerate(
    ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], start=2)}
_NUMBER_WORD = "|".join([*_SMALL_NUMBERS, *_TENS, "hundred", "thousand"])
_NUMBER_RUN = re.compile(rf"\b(?:{_NUMBER_WORD})(?:(?:[\s-]+|(?<=hundred)\s+and\s+|(?<=thousand)\s+and\s+)"
                         rf"(?:{_NUMBER_WORD}))*\b(?:\s+and\s+a\s+half\b)?")


def converts(text: str) -> bool:
    """Whether `text` measures in two units of one kind (hours and minutes, a month and a year): a unit after
    a figure ("6.5 hrs"), after "per", "a", "an", "each", "every" or "/" ("per month", "eur/hr"), asked for
    ("how many weeks") or an adjective ("annual licence", not "annual leave"); "last month" measures nothing."""
    return any(sum(re.search(rf"(?:\d\s*|\b(?:per|a|an|each|every|many|in|into)\s+|/)(?:{pattern})\b|"
                             rf"\b(?=hourly|daily|weekly|monthly|yearly|annual)(?:{pattern})\b(?!\s+leave)", text)
                   is not None for pattern in kind.values()) > 1 for kind in _UNIT_KINDS)


@dataclass(frozen=True)
class Figure:
    """A figure the request states: its value as the expression writes it ("2.5*1000" for 2.5k), where it
    stands, and whether it is a percentage."""

    text: str
    start: int
    end: int
    percent: bool

    @property
    def value(self) -> float:
        inner = self.text.strip("()")
        if " - " in inner:  # a count less those who dropped out: "(12 - 4)"
            first, second = inner.split(" - ", 1)
            return float(first) - float(second)
        return math.prod(float(factor) for factor in inner.split("*"))

def in_digits(text: str) -> str:
    """`text` with its number words written in digits ("twelve of us" -> "12 of us")."""
    def digits(match: re.Match[str]) -> str:
        run = match.group(0)
        if run in ("one", "zero") or run in ("two", "three") and \
                re.search(r"\b(?:those|these|the|both|all)\s+$", match.string[: match.start()]) and \
                not re.match(r"\s+[a-z]", match.string[match.end():]):
            return run  # "whats left after those two": the two named before, no figure
        total = current = 0
        cents = None  # a price said as two numbers: "twelve ninety-five" is 12.95
        for word in re.findall(r"[a-z]+", run.removesuffix("and a half")):
            if cents is not None and word in _SMALL_NUMBERS and cents % 10 == 0 and _SMALL_NUMBERS[word] < 10:
                cents += _SMALL_NUMBERS[word]
            elif word in _TENS and 0 < current < 100 and not total and cents is None:
                cents = _TENS[word]
            elif cents is not None:
                return run
            elif word in _SMALL_NUMBERS:
                current += _SMALL_NUMBERS[word]
            elif word in _TENS:
                current += _TENS[word]
            elif word == "hundred":
                current = max(current, 1) * 100
            elif word == "thousand":
                total, current = total + max(current, 1) * 1000, 0
        if cents is not None:
            return f"{current}.{cents:02d}"
        value = total + current + (0.5 if run.endswith("and a half") else 0)
        return f"{value:g}"

    text = re.sub(r"\b(?:a|one)\s+dozen\b", "12", text)
    return _NUMBER_RUN.sub(digits, text)

def scaled(expression: str, ratio: Fraction) -> str:
    """`expression` times `ratio`, written as simply as it goes: "x*12", "x/12", "x*5/12"."""
    if ratio.denominator == 1:
        return f"{expression}*{ratio.numerator}"
    if ratio.numerator == 1:
        return f"{expression}/{ratio.denominator}"
    return f"{expression}*{ratio.numerator}/{ratio.denominator}"


def time_scale(text: str, figure: Figure) -> Fraction | None:
    """What `figure`, in the unit of time written after it (or an adjective's: "annual licence"), is multiplied
    by in the one other unit the request asks for; None unless there is exactly one."""
    unit = re.match(rf"\s*(?:eur|euros?|€|usd|dollars?|gbp|pounds?)?\s*(?:(a|an|per|each|every)\s+)?({UNIT_WORD})\b",
                    text[figure.end:])
    adjective = re.search(rf"\b({_UNIT_ADJECTIVE})\b", text)
    if unit is not None:
        source, per = _unit(unit.group(2)), unit.group(1) is not None
    elif adjective is not None:
        source, per = _unit(adjective.group(1)), True
    else:
        return None
    asked = [_unit(next(group for group in match.groups() if group is not None))
             for match in re.finditer(rf"\bhow many ({UNIT_WORD})\b|\b(?:in|into) ({UNIT_WORD})\b|"
                                      rf"\b(?:per|a|an) ({UNIT_WORD})\b|\b({_UNIT_ADJECTIVE})\b", text)]
    targets = {unit for unit in asked if unit != source}
    if len(targets) != 1:
        return None
    [target] = targets
    if (source in _SECONDS) != (target in _SECONDS):
        return None
    scale = _SECONDS if source in _SECONDS else _MONTHS
    return Fraction(scale[target], scale[source]) if per else Fraction(scale[source], scale[target])


def _unit(word: str) -> str:
    """A unit of time's name: 'hrs' -> 'hour', 'annual' -> 'year'."""
    return next(unit for unit, pattern in _UNIT_KINDS[0].items() if re.fullmatch(pattern, word))

def read_figures(text: str) -> list[Figure]:
    """The figures `text` states; "95k" is 95*1000 unless the answer is asked in thousands ("(in k)")."""
    figures = []
    in_thousands = re.search(r"\bin (?:k|thousands)\b", text) is not None
    for match in _FIGURE.finditer(text):
        number, suffix = match.group(1).replace(",", ""), (match.group(2) or "").strip()
        if product := re.fullmatch(r"(\d)\s*[x×]\s*(\S+)", number):
            number = f"({product.group(1)}*{product.group(2)})"
        if suffix == "k" and not in_thousands:
            number = f"({number}*1000)"
        elif suffix == "m" and (re.match(r"\s*(?:by|x|×|long|wide|high|tall|deep)\b", text[match.end():]) or
                                re.search(r"(?:\bby|\d\s*m?\s*[x×])\s*$", text[: match.start()])):
            figures.append(Figure(number, match.start(), match.start(2), False))  # "6.5m by 4.8m": metres, not millions
            continue
        elif suffix in ("m", "million"):
            number = f"({number}*1000000)"
        elif suffix in ("p", "pence", "cent", "cents"):  # "45p a mile", "90 cents a bottle": in pounds or euros
            number = format(Decimal(number) / 100, "f")
        figures.append(Figure(number, match.start(), match.end(), suffix == "%"))
    return figures
