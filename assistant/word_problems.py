"""Everyday word problems composed into a calculator expression from the request's own words.

The small model picks the stated figures (the figure mask keeps it to them) but not the shape of the sum: it
wrote 24*310.80 for "24 cables, 310.80 eur in total, the price per cable?", left averages undivided and turned
percentages round. Staff ask a few shapes over and over (a VAT total, a discount, a share of a bill, an
average and a weighted one, what is left of a budget, a change in percent, a rate per 1000, a rate times a
quantity, mileage there and back, hours at an overtime rate, the time between two clock times less a break, a
share in a ratio, a pro-rata amount, the part of a cost the employer does not pay, a figure in another unit of
time, simple interest, the fuel for a trip, a price per unit and the difference of two, what is still needed to
reach a target, what a stay over a nightly cap costs the person), and each says which it is in words (number
words read as figures: "twelve of us", pence and cents as hundredths: "45p a mile"):
`composed_expression` reads those shapes and writes the expression, and None for anything else, where the
model's own expression stands.

Each shape fires only on its cue words and only when it uses every figure the request states, so a request
with a figure it would leave out (the 20 eur fee of "tickets are 450 each with 15% off and a 20 eur fee, what do
4 people cost") is left to the model rather than answered for part of it; an aside that says it does not count
("(her target is 110 but I just need the average)", "... but that's separate.") and a condition ("if we pay
within 10 days") are left out first, and a code's digits are no figure ("SKU 4471"). A currency rate ("1 GBP =
1.17 EUR", "at a rate of 0.92") multiplies whatever the rest composes to, or divides it when the answer is asked
in the rate's first unit ("1 EUR = 1.175 USD ... in euros"); "round to 2 decimals", "to the cent" or "to a whole
number" rounds it, "round up" or "round down" a division, and "in cents" takes hundredths. The figures, number
words and units of time are read by `assistant.word_figures`; the shapes with percentages are in
`assistant.word_percents`, those of time, pay and travel in `assistant.word_time`, those of stock, travel and
measures in `assistant.word_measures`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from assistant.word_cues import AVERAGE, EACH, LEFT, SPLIT, USED, has, split_percents
from assistant.word_figures import UNIT_WORD, Figure, converts, in_digits, read_figures
from assistant.word_measures import (
    SPEED,
    above_threshold,
    after_free,
    area_or_volume,
    depreciation,
    full_packs,
    load_weight,
    mass_converted,
    minimum_charge,
    mixed_durations,
    net_count,
    per_chain,
    per_person_hour,
    per_person_night,
    per_seat_period,
    per_time,
    reorder_point,
    stock_cover,
    tiered,
    tiered_count,
    time_per_item,
    travel_time,
    written_size,
)
from assistant.word_percents import (
    compounded,
    margin,
    percent_chain,
    percent_change,
    percent_factors,
    percent_of,
    simple_interest,
)
from assistant.word_time import (
    CLOCK,
    clock_durations,
    converted,
    durations,
    employer_share,
    fuel,
    over_cap,
    overtime,
    pay,
    pro_rata,
    round_trip,
)

#: "per cent", "pct" and "percent" read as "%" ("percentage" stays a word: it asks for one).
_PERCENT_WORDS = re.compile(r"\bper\s?cent\b|\bpct\b", re.IGNORECASE)
#: Digits this module does not read: a clock time, a date, a fraction, a code (Q3, 3rd, B2B), an expression, a
#: product other than a small count times a figure ("60x40x50", "1.5x40"; `read_figures` reads "2 x 185 km").
_UNREAD = re.compile(r"\d\s*[:/^*+=]\s*\d|(?:\d{2,}|\d\.\d+)\s*[x×]\s*\d|\d\s*[x×]\s*\d+(?:\.\d+)?\s*[x×]\s*\d|"
                     r"\d\s*[-–]\s*\d|\b\d+\s*(?:h|hrs?|m|min)\s*\d", re.IGNORECASE)
#: A unit's rate in another unit: "1 GBP = 1.17 EUR", "1 mile = 1.609344 km".
_UNIT_RATE = re.compile(r"\b1\s*(?P<unit>[a-z]{1,10})\s*=\s*(?P<figure>\d+(?:\.\d+)?)\s*[a-z]{1,10}\b",
                        re.IGNORECASE)
#: Currencies by their names and signs.
_CURRENCIES = {"eur": r"eur|euros?|€", "usd": r"usd|dollars?|\$", "gbp": r"gbp|pounds?|£|quid",
               "chf": r"chf|francs?"}
#: The unit an answer is asked in: "in euros", "into gbp", "to usd".
_ASKED_IN = re.compile(r"(?<!came )(?<!comes )(?<!come )(?<!amounts )(?<!amounted )\b(?:in|into|to|how many)\s+"
                       r"(eur|euros?|usd|dollars?|gbp|pounds?|chf|francs?|miles?|km|kilometres?)\b")
#: An aside the sum leaves out: "(her target is 110 but I just need the average)", "driver also gets a 12 eur
#: lunch allowance but that's separate."
_ASIDE = re.compile(r"\([^()]*\b(?:but|separate|ignore|irrelevant|anyway|n't|not)\b[^()]*\)|"
                    r"[^.?!]*\b(?:separate|irrelevant|doesn't count|does not count|ignore that)\b[^.?!]*[.?!]")
#: A count asked for in whole units, rounded up or down.
_ROUND_UP = re.compile(r"\bround(?:ed|ing)?\s+(?:it\s+)?up\b")
_ROUND_DOWN = re.compile(r"\bround(?:ed|ing)?\s+(?:it\s+)?down\b")
#: An exchange rate given as a bare figure: "convert ... at a rate of 0.92", "the exchange rate is 0.92".
_BARE_RATE = re.compile(r"\b(?:exchange\s+)?rate\s+(?:of|is|=)\s+(\d+(?:\.\d+)?)(?![\w.])"
                        r"(?!\s*(?:eur|euros?|€)?\s*(?:/|per\b|an?\b))", re.IGNORECASE)
_CONVERTS_MONEY = re.compile(r"\b(?:convert|exchange|in (?:eur|euros?|usd|dollars?|gbp|pounds?))\b", re.IGNORECASE)
_ROUNDING = re.compile(r"\b(?:round(?:ed)?\s+(?:it\s+)?)?to\s+(\d|one|two)\s+(?:decimals?|dp)(?:\s+places?)?\b|"
                       r"\b(\d)\s+(?:decimals?|dp)(?:\s+places?)?\s*\W*$", re.IGNORECASE)
#: An amount of money asked in hundredths: "cost per click in cents".
_IN_CENTS = re.compile(r"\bin (?:cents|pence|p)\b")
#: A condition a figure states, which no sum takes: "if we pay within 10 days", "for groups of 10+".
_CONDITION = re.compile(r"\b(?:if (?:we |you )?pay|paid) within \d+ days\b")
#: Rounding said in words: to the cent (2 decimals) or to a whole number (none).
_TO_CENTS = re.compile(r"\bto the (?:nearest )?(?:cent|penny|pence)\b")
_TO_WHOLE = re.compile(r"\bto (?:a|the nearest) whole(?: number)?\b|\bnearest whole number\b")
#: A code whose digits are no operand: "SKU 4471", "invoice no. 2231", "PO #88", "ticket 12" ("invoice 5,000" is an
#: amount).
_CODE = re.compile(r"\b(?:sku|part|po|invoice|ticket|ref|order)\s*(?:no\.?|number|#)\s*\d+\b|"
                   r"\b(?:sku|po|ticket|ref)\s*#?\s*\d+\b(?![.,]\d)|#\d+\b")
#: Written-out maths and conversions this module leaves to the model.
_LEFT_TO_THE_MODEL = re.compile(
    r"\b(?:times|divided|squared|cubed|power|root|factorial|log|logarithm|gcd|lcm|divisor|multiple|remainder|"
    r"choose|how many ways|in how many ways|number of ways|solve|equation|derivative|integral|celsius|fahrenheit|double|triple|half|twice|ratio|"
    r"speed|velocity|pace|same day|same time|a third|two thirds|a fifth|a quarter of)\b",
    re.IGNORECASE)
#: The years a compound growth runs: "after 4 years", "in 3 yrs", "2 years from now" (number words are digits by then).
_YEARS = re.compile(r"\b(?:after|in|for|over|within)\s+(\d+)\s+(?:years?|yrs?)\b|"
                    r"\b(\d+)\s+(?:years?|yrs?)\s+(?:from now|later|time)\b")


#: Overtime's multiples in words.
_OVERTIME_WORDS = {"time and a half": "1.5x", "double time": "2x"}
#: A ratio to share by: "in the ratio 5:3", "ratio of 2:3:4".
_RATIO = re.compile(r"\bratio\s+(?:of\s+)?(\d+(?:\s*:\s*\d+)+)\b")
_MONTH_NAMES = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t|tember)?|" \
               r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
#: A day of a month: "1 april", "april 1st".
_DATE = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH_NAMES})\b|\b(?:{_MONTH_NAMES})\s+\d{{1,2}}"
                   rf"(?:st|nd|rd|th)?\b")
#: People or periods a figure counts, that an amount is shared out over: "among 5 people", "25 ppl", "twelve of
#: us", "for the remaining 4 months".
_COUNTED = r"\s*(?:people|ppl|persons?|colleagues|employees|staff|members|participants|attendees|guests|of us|" \
           r"teams?|depts?|departments|months?|weeks?|ways)\b"
#: A figure that counts days or nights, which no sum adds to money: "1,260 for 4 nights and there's 5 of us".
_COUNTED_TIME = r"\s*(?:nights?|days?|weeks?)\b"
#: A rate per so many asked for: "error rate per 1000 orders", "the rate per 100 days" (not "6.4 litres per 100 km").
_RATE_PER = re.compile(r"\brate\s+per\s+(100|1,?000|10,?000|100,?000)\s+[a-z]+")
#: A count asked for: "how many cartons", "how many shelves do we need".
_COUNT_ASKED = r"\b(?:how many|min(?:imum)? number of|number of)\s+(?!(?:minutes|hours|days|weeks|months|years|percent|%|euros?|eur)\b)[a-z]+"
#: The things two prices compare: "two quotes", "2 offers".
_COMPARED = r"\s*(?:quotes?|offers?|options?|suppliers?|vendors?|deals?|sizes?|packs?)\b"
#: An item bought once among items at a price each: "... and a desk lamp for 35".
_BOUGHT_ONCE = r"\b(?:a|an|one|plus|and)\b[^,.;\d]{0,40}\b(?:for|at|@)\s*(?:eur|euros?|€|usd|\$|gbp|£)?\s*$"
_FEE = r"^\s*(?:eur|euros?|€)?\s*(?:for\s+)?(?:shipping|delivery|postage|handling|freight|fee|carriage|set-?up|" \
       r"admin|booking|call-out|tolls?|parking|(?:fuel )?surcharge)\b"


def composed_expression(request: str) -> str | None:
    """The calculator expression for `request` when it is one of the everyday shapes and every figure it states
    has its place; None otherwise (the model writes the expression)."""
    text = _ASIDE.sub(" ", in_digits(_PERCENT_WORDS.sub("%", request).casefold()))
    text = _CODE.sub(lambda code: re.sub(r"[\d#]", "", code.group(0)), text)
    text = _CONDITION.sub(" ", re.sub(r"\bot\b", "overtime", text))
    text = re.sub(r"\b(\d+)\s*/\s*(\d+)(?=\s+(?:between|split|among)\b)", r"ratio \1:\2", text)  # "60/40 between"
    rounded = "ceiling" if _ROUND_UP.search(text) else "floor" if _ROUND_DOWN.search(text) else None
    expression = _composed(text)
    if rounded is None or expression is None or "/" not in expression or expression.startswith(rounded):
        return expression
    return f"{rounded}({expression})"


def _composed(text: str) -> str | None:
    """`composed_expression` of a request lower-cased, its number words in digits and its asides left out."""
    for words, multiple in _OVERTIME_WORDS.items():
        text = text.replace(words, multiple)
    text, digits = _taken(text, _ROUNDING.search(text))
    digits = {"one": "1", "two": "2"}.get(digits or "", digits)
    if digits is None:
        digits = "2" if _TO_CENTS.search(text) else "0" if _TO_WHOLE.search(text) else None
    if (plain := arithmetic(text)) is not None:  # "1850 / 12 pls", "twelve times 37.5"
        return f"round({plain}, {digits})" if digits is not None else plain
    ratio = _RATIO.search(text)
    if ratio is not None:
        expression = _ratio_share(text, ratio)
        return f"round({expression}, {digits})" if digits is not None and expression is not None else expression
    if CLOCK.search(text):
        return clock_durations(text)
    text = re.sub(r"(?:\s*,)?\s*\b(?:19|20)\d\d\b", " ", _DATE.sub(" _date_ ", text)) if _DATE.search(text) else text
    text = text.replace(" _date_ ", " ")  # "starts 1 april", "march 3 to april 18, 2025": no operands
    unit_rate = _UNIT_RATE.search(text)
    inverse = unit_rate is not None and _asked_in(text[: unit_rate.start()] + text[unit_rate.end():]) == \
        _unit_name(unit_rate.group("unit"))
    text, rate = _taken(text, unit_rate or (_BARE_RATE.search(text) if _CONVERTS_MONEY.search(text) else None))
    if has(r"\d\s*(?:h|hrs?)\s*\d", text) and (added := durations(text)) is not None:
        return added  # "1h 25min, 50 min, 2h 05min, total minutes"
    if (size := written_size(text)) is not None:  # "250 ctns, each 60x40x35 cm, total m3"
        return f"round({size}, {digits})" if digits is not None else size
    if SPEED.search(text) and not _UNREAD.search(text):  # "averaging 76 km/h": the model is left any other speed
        found = travel_time(text, read_figures(text))
        return f"round({found}, {digits})" if digits is not None and found is not None else found
    if _UNREAD.search(text) or _LEFT_TO_THE_MODEL.search(text):
        return None
    for shape in _BEFORE_CONVERSION:
        if rate is None and (found := shape(text, read_figures(text))) is not None:
            return f"round({found}, {digits})" if digits is not None else found
    if rate is None and converts(text):
        return converted(text, read_figures(text))
    text, years = _taken(text, _YEARS.search(text))  # compound growth: the years are a power, not a figure
    figures = read_figures(text)
    if years is not None:
        expression = compounded(text, figures, years)
    else:
        expression = next((found for shape in _SHAPES if (found := shape(text, figures)) is not None), None)
        if expression is None and rate is not None and len(figures) == 1 and not figures[0].percent:
            expression = figures[0].text  # "convert 250 usd to eur at a rate of 0.92"
    if expression is None:
        return None
    if _IN_CENTS.search(text) and rate is None:
        expression = f"({expression})*100"
    if rate is not None:
        expression = f"({expression}){'/' if inverse else '*'}{rate}"  # "1 EUR = 1.175 USD", asked in euros: /
    return f"round({expression}, {digits})" if digits is not None else expression


def arithmetic(request: str) -> str | None:
    """`request` as an expression when it is one written out, figures and operators in words or signs and
    nothing else but a greeting or a "pls" ("1850 / 12 pls", "sixteen hundred divided by twenty five", "whats
    7 x 38.5"); None otherwise."""
    text = in_digits(request.casefold())
    percentage = re.search(r"\b(?:as an? (?:%|percentage|percent)|in (?:%|percent))", text)
    if percentage is not None:  # "whats 7/8 as a percentage"
        text = text[: percentage.start()] + text[percentage.end():]
    text = re.sub(r"\b(?:hey|hi|quick q|q|pls|please|thx|thanks|whats|what's|what is|what|is|calc|calculate|"
                  r"work out|how much is|can you do|do|me|for|round(?:ed)? to \d decimals?|\d decimal places?)\b|"
                  r"[?!=:]|\.(?!\d)|,(?!\d{3})", " ", text)
    for words, sign in ((r"\btimes\b|\bmultiplied by\b|(?<=\d)\s*[x×]\s*(?=\d)", "*"),
                        (r"\bdivided by\b|\bover\b|÷", "/"), (r"\bplus\b", "+"), (r"\bminus\b", "-")):
        text = re.sub(words, f" {sign} ", text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text).strip()
    if not re.fullmatch(r"\(?\d+(?:\.\d+)?\)?(?:\s*[-+*/]\s*\(?\d+(?:\.\d+)?\)?)+", text):
        return None
    written = re.sub(r"\s+", " ", text).replace(" * ", "*").replace(" / ", "/")
    return f"{written}*100" if percentage is not None and "/" in written else written


def _asked_in(text: str) -> str | None:
    """The unit an answer is asked in ("what's that in euros?", "convert to gbp"), by `_unit_name`; None when
    none or several are."""
    asked = {_unit_name(match.group(1)) for match in _ASKED_IN.finditer(text)}
    return asked.pop() if len(asked) == 1 else None


def _unit_name(word: str) -> str:
    """A currency or a unit by one name: "euros", "eur" and "€" are "eur"; "miles" is "mile"."""
    word = word.casefold()
    return next((name for name, pattern in _CURRENCIES.items() if re.fullmatch(pattern, word)), word.rstrip("s"))


def _proportional(text: str, figures: list[Figure]) -> str | None:
    """An amount split in proportion to counts, and the share of the one named ("bonus pool 36,000 split between
    three teams in proportion to headcount, teams are 12, 18 and 10 people, how much goes to the 18-person
    team")."""
    percents, amounts = split_percents(figures)
    if percents or not has(r"\bin proportion\b|\bproportional(?:ly)?\b|\bpro rata (?:to|by)\b", text):
        return None
    named = [f for f in amounts if has(r"^\s*-?\s*(?:person|people|strong|member|man)\b", text[f.end:]) and
             has(r"\b(?:the|to|for|does|of)\s*$", text[:f.start])]
    if len(named) != 1:
        return None
    whole = max(amounts, key=lambda figure: figure.value)
    parts = [f for f in amounts if f is not whole and f is not named[0]]
    if len(parts) > 2 and parts[0].value == len(parts) - 1:  # "three teams", then their sizes
        parts = parts[1:]
    if not any(f.value == named[0].value for f in parts):
        return None
    return f"{whole.text}*{named[0].text}/({' + '.join(f.text for f in parts)})"


def _ratio_share(text: str, ratio: re.Match[str]) -> str | None:
    """An amount shared in a ratio, and the share asked for: the bigger or the smaller, or the one named
    ("between sales and support in the ratio 5:3, how much does sales get")."""
    parts = [part.strip() for part in ratio.group(1).split(":")]
    rest = text[: ratio.start()] + " " * (ratio.end() - ratio.start()) + text[ratio.end():]
    amounts = [f for f in read_figures(rest) if not f.percent and f.value != len(parts)]  # "three depts": the parts
    if len(amounts) != 1 or any(f.percent for f in read_figures(rest)):
        return None
    values = [int(part) for part in parts]
    if has(r"\b(?:big|bigg|larg|high|great)(?:er|est)\b|\bmost\b", rest):
        share = parts[values.index(max(values))]
    elif has(r"\b(?:small|low)(?:er|est)\b|\bleast\b", rest):
        share = parts[values.index(min(values))]
    else:
        named = re.search(r"\bbetween\s+(?:the\s+)?([a-z]+)\s+and\s+(?:the\s+)?([a-z]+)\b", rest)
        asked = [i for i, name in enumerate(named.groups()) if has(rf"\b{name}\b", rest[max(ratio.end(), named.end()):])] \
            if named is not None and len(parts) == 2 else []
        if len(asked) != 1:
            return None
        share = parts[asked[0]]
    return f"{amounts[0].text}*{share}/({' + '.join(parts)})"


_BEFORE_CONVERSION: tuple[Callable[[str, list[Figure]], str | None], ...] = (
    simple_interest, fuel, employer_share, round_trip, pro_rata, depreciation, load_weight, stock_cover,
    mixed_durations, per_seat_period, time_per_item, per_person_hour, mass_converted, per_person_night)


def _taken(text: str, match: re.Match[str] | None) -> tuple[str, str | None]:
    """`text` with `match` blanked out (its figures are no operands), and the figure it captured (its group
    "figure" if it names one; a number word as digits); `text` and None without a match."""
    if match is None:
        return text, None
    found = match.groupdict().get("figure") or next(group for group in match.groups() if group is not None)
    blanked = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end():]
    return blanked, "1" if found == "one" else found


_PRICE_EACH = r"^\s*(?:eur|euros?|€|usd|\$|gbp|£)?\s*(?:each|per|a|an)\b"
_SUM = r"\b(?:add up|adding up|sum|total|altogether|in all|combined)\b"
def _average(text: str, figures: list[Figure]) -> str | None:
    """A list of figures and their average."""
    percents, amounts = split_percents(figures)
    if percents or len(amounts) < 2 or not has(AVERAGE, text) or \
            has(r"\d[^,.;?!]*?(?:\bat\b|@|\beach\b)|\beach\b", text) or \
            len(amounts) == 2 and any(re.match(r"\s*(?:[a-z]+\s*)?(?:/|per\b)", text[f.end:]) for f in amounts):
        # a stock and a rate of use: "18,500 l in the tank, we average 740 l per day"
        return None
    if len(amounts) > 2 and amounts[0].text == str(len(amounts) - 1):  # "my last 5 receipts were ..."
        amounts = amounts[1:]
    if not all(has(r"^[^\d]{0,12}$", text[a.end:b.start]) and
               has(r",|\band\b|&|/|;|^\s*[a-z]{1,4}\s*$", text[a.end:b.start]) for a, b in pairwise(amounts)):
        return None  # "3 boxes of 96 pods lasted us 8 working days" lists no figures to average
    return f"({' + '.join(f.text for f in amounts)})/{len(amounts)}"


def _remaining(text: str, figures: list[Figure]) -> str | None:
    """A budget or an allowance and what was used of it (one or several costs), and what is left; with a count
    of people or months to share it over ("split whatever is left equally on gifts for 25 ppl", "left per month
    for the remaining 4 months", "fifteen people ... company pays 1500 and we split the rest"), what is left
    shared out."""
    percents, amounts = split_percents(_per_head(text, _paid_in_parts(text, figures)))
    if percents or len(amounts) < 2 or not (has(LEFT, text) and (has(USED, text) or has(r"\bbudget\b", text))):
        return None
    counts = [f for f in amounts if "*" not in f.text and (re.match(_COUNTED, text[f.end:]) or
                                                           has(r"\b(?:among|between|by)\s*$", text[:f.start]))]
    count = counts[-1] if len(counts) == 1 and len(amounts) > 2 and (has(SPLIT, text) or has(r"\bper\b", text)) \
        else None
    if count is None and len(amounts) == 3 and _splits(text) and "*" not in amounts[2].text:
        count = amounts[2]  # "18,000 ... used 7,650 ... 9 people, split equally"
    costs = [f for f in amounts if f is not count]
    whole = max(costs, key=lambda figure: figure.value)
    if len(costs) > 2 and whole is not costs[0]:  # several costs: the budget is stated first
        return None
    left = f"{whole.text} - {' - '.join(f.text for f in costs if f is not whole)}"
    if count is not None:
        return f"({left})/{count.text}"
    return left if len(costs) == len(amounts) else None


def _paid_in_parts(text: str, figures: list[Figure]) -> list[Figure]:
    """`figures` with each count of equal parts and the part's amount made one figure ("paid 3 instalments of
    1,950 each": 3*1950)."""
    merged: list[Figure] = []
    for figure in figures:
        before = merged[-1] if merged else None
        if before is not None and "*" not in before.text and not before.percent and not figure.percent and \
                has(r"^\s*(?:[a-z]+\s+){1,2}(?:of|at)\s*(?:eur|€|usd|\$|gbp|£)?\s*$", text[before.end:figure.start]) and \
                has(r"^\s*(?:eur|euros?)?\s*each\b", text[figure.end:]):
            merged[-1] = Figure(f"{before.text}*{figure.text}", before.start, figure.end, False)
        else:
            merged.append(figure)
    return merged


def _splits(text: str) -> bool:
    """Whether `text` shares an amount out (`SPLIT`), a price per head or per item aside ("food is 32 per head",
    "at 32 per head" are prices each)."""
    return has(SPLIT, re.sub(r"\d\s*(?:eur|euros?)?\s*per (?:person|head|seat|item|unit|piece|participant|attendee|"
                             r"night)\b", " ", text))


def _per_head(text: str, figures: list[Figure]) -> list[Figure]:
    """`figures` with a price per head and the one count of people made one figure ("food is 32 per head, we're 18
    ppl": 32*18)."""
    each = [f for f in figures if re.match(r"\s*(?:eur|euros?|€)?\s*(?:per|a|/)\s*(?:head|person|pp)\b", text[f.end:])]
    people = [f for f in figures if re.match(r"\s*(?:people|ppl|persons|guests|attendees|of us)\b", text[f.end:])]
    if len(each) != 1 or len(people) != 1:
        return figures
    merged = Figure(f"{each[0].text}*{people[0].text}", each[0].start, each[0].end, False)
    return [merged if f is each[0] else f for f in figures if f is not people[0]]


def _rate_per(text: str, figures: list[Figure]) -> str | None:
    """A part of a whole as a rate per 100 or 1000 ("35 of 12500 orders had errors, the rate per 1000 orders")."""
    per = _RATE_PER.search(text)
    if per is None:
        return None
    rest = [f for f in figures if not (per.start() <= f.start < per.end())]
    if len(rest) != 2 or any(f.percent for f in rest):
        return None
    part, whole = sorted(rest, key=lambda figure: figure.value)
    return f"{part.text}/{whole.text}*{per.group(1).replace(',', '')}"


def _weighted_average(text: str, figures: list[Figure]) -> str | None:
    """An average weighted by percentages ("exam counts 40% and she got 72, project 35% with 88") or by
    quantities at a price each ("200 pcs at 3.20 and 300 pcs at 2.70, the average price per piece")."""
    if not has(AVERAGE, text) and not has(r"\bweighted\b", text):
        return None
    percents, amounts = split_percents(figures)
    if percents and len(percents) == len(amounts) >= 2 and has(r"\bweighted\b", text):
        pairs = [(p.text, a.text) for p, a in zip(percents, amounts)]
    elif not percents and len(amounts) >= 4 and \
            has(r"\b(?:weighted|per|overall|across|combined|all together)\b", text):
        if len(amounts) % 2 and amounts[-1].value == sum(f.value for f in amounts[:-1:2]):
            amounts = amounts[:-1]  # "... across all 16": the quantities' sum
        if len(amounts) % 2:
            return None
        pairs = [(amounts[i].text, amounts[i + 1].text) for i in range(0, len(amounts), 2)
                 if has(EACH, text[amounts[i].end: amounts[i + 1].start])]
        if len(pairs) != len(amounts) // 2:
            return None
    else:
        return None
    return f"({' + '.join(f'{w}*{v}' for w, v in pairs)})/({' + '.join(w for w, _ in pairs)})"


def _shared_out(text: str, figures: list[Figure]) -> str | None:
    """A total with percentages on it, or a sum, shared among a count of people ("bill is 212 eur, we add a 12.5%
    tip and split the total among 5 people", "486.40 plus 40 tip, 8 of us splitting evenly")."""
    if not has(SPLIT, text) or has(LEFT, text):  # what is left shared out is `_remaining`'s
        return None
    counts = [f for f in figures if not f.percent and (re.match(_COUNTED, text[f.end:]) or
                                                       has(r"\b(?:among|between|by)\s*$", text[:f.start]))]
    if len(counts) != 1:
        return None
    rest = [f for f in figures if f is not counts[0]]
    total = percent_chain(text, rest, total=True)  # what is shared: a total
    if total is None and len(rest) >= 2 and not any(f.percent or re.match(_PRICE_EACH, text[f.end:]) or
                                                    re.match(_COUNTED_TIME, text[f.end:]) for f in rest) \
            and has(r"\b(?:plus|and)\b|\+", text):
        total = " + ".join(f.text for f in rest)  # "486.40 plus 40 tip, 8 of us splitting evenly"
    return None if total is None else f"({total})/{counts[0].text}"


def _containers(text: str, figures: list[Figure]) -> str | None:
    """How many containers, trips or shelves a quantity needs, each taking so many ("each carton holds 24
    bottles, we ship 1000, how many cartons do we need", "1800 binders, each shelf takes 35, how many shelves at
    least"): the quantity over the capacity, rounded up."""
    percents, amounts = split_percents(figures)
    if percents or len(amounts) != 2 or not has(_COUNT_ASKED, text) or \
            not has(r"\b(?:need|needed|required|at least|minimum|min|buy|order)\b|\bfor \d", text) or \
            not has(r"\b(?:holds?|takes?|fits?|carries|capacity|max(?:imum)?|seats?|sits|stack)\b|"
                    r"\b(?:packs?|boxes|cases|sets|lots|batches|rolls) of \d|\d\s+(?:[a-z]+\s+)?per (?:plt|pallet|box|"
                    r"carton|ctn|truck|trailer|van|layer|shelf|bay|container|crate|cage|session|table|room)\b", text) or \
            has(r"\bhow many (?:full|complete|whole)\b|\bfill(?:ed)?\b|\bcompletely\b", text):
        return None
    capacity, quantity = sorted(amounts, key=lambda figure: figure.value)
    return f"ceiling({quantity.text}/{capacity.text})"


def _counts_containers(text: str) -> bool:
    """Whether the request asks how many of the things that each take so many ("each shelf takes 35, how many
    shelves"): a division, not quantities at a price ("how many pages are in the book" is one)."""
    asked = re.search(r"\bhow many ([a-z]{4,})", text)
    return asked is not None and has(rf"\beach {asked.group(1)[:4]}", text)


def _line_items(text: str, figures: list[Figure]) -> str | None:
    """Quantities at a price each ("15 chairs at 89 and 3 desks at 349", "312 km at 0.23 per km", "48 litres
    at 1.87 a litre", "14 people ... 11.90 each"), items bought once ("and a desk lamp for 35") and their total:
    each pair multiplied, the pairs and single items added; with VAT or a discount on the total ("what's the
    total with 20% vat added?")."""
    percents, amounts = split_percents(figures)
    fees = [f for f in amounts if has(_FEE, text[f.end:]) and
            has(r"(?:\bplus|\band|\bwith|\+)\s*(?:an?\s+)?(?:flat|one-off|one off|fixed)?\s*(?:eur|€|£|\$)?\s*$",
                text[:f.start])]
    amounts = [f for f in amounts if f not in fees[:1]]  # "... each plus 12.50 shipping": added once
    if len(amounts) < 2 or has(AVERAGE, text) or _splits(text) or has(LEFT, text) or _counts_containers(text):
        return None
    items, pairs, index = [], 0, 0
    while index < len(amounts):
        first, second = amounts[index], amounts[index + 1] if index + 1 < len(amounts) else None
        between = text[first.end: second.start] if second is not None else ""
        if second is not None and not has(r"\bat (?:the )?(?:start|end|beginning|moment|time)\b", between) and (
                has(EACH, between) or has(rf"^\s*(?:eur|€|£|\$)?\s*(?:a|an|per)\s+(?!(?:{UNIT_WORD}|yrs?)\b)[a-z]+", between)
                or has(r"\b(?:day|daily) rate\b[^\d]{0,12}$", text[:first.start]) and
                re.match(r"\s*(?:working\s+)?days?\b", text[second.end:]) is not None or
                has(r"\beach of\s*$", text[:first.start]) or has(_PRICE_EACH, text[second.end: second.end + 25]) or
                has(r"^\s*[a-z]{1,8}\s+each\b(?!\s+(?:day|week|month|hour|time|way|one))", text[second.end:])):
            items.append(f"{first.text}*{second.text}")
            pairs, index = pairs + 1, index + 2
        elif has(_BOUGHT_ONCE, text[:first.start]) and len(amounts) > 2 and \
                not has(_PRICE_EACH, text[first.end: first.end + 25]):
            items.append(first.text)
            index += 1
        else:
            return None
    total = " + ".join([*items, *(f.text for f in fees[:1])])
    if not pairs:
        return None
    if not percents:
        return total
    if fees:  # "plus 10% extra as spares ... and a 35 setup fee": which part a percentage takes is unsaid
        return None
    factors = percent_factors(text, figures, percents, total=True)
    return None if factors is None else "*".join([f"({total})", *factors])


def _split_evenly(text: str, figures: list[Figure]) -> str | None:
    """An amount shared out ("split 2400 between 6 teams", "5600 for 35 people, per person", "3,360 eur for
    42 hours, the hourly rate"): the larger divided by the smaller."""
    percents, amounts = split_percents(figures)
    if percents or len(amounts) != 2:
        return None
    count, amount = sorted(amounts, key=lambda figure: figure.value)
    counted = re.match(r"\s*([a-z]+?)e?s\b", text[count.end:])  # "60 packs ... the price per pack"
    per_counted = counted is not None and not re.fullmatch(UNIT_WORD, counted.group(0).strip()) and \
        has(rf"\b(?:per|each|a)\s+{counted.group(1)}", text[count.end:])
    if not (has(SPLIT, text) or per_counted):
        return None
    return f"{amount.text}/{count.text}"


def _per_unit(text: str, figures: list[Figure]) -> str | None:
    """A price per unit asked for, of a pack of so many units at a price ("5 litre tub costs 13.75, cost per
    litre?", "paid 4,312.50 for 1,150 hi-vis vests, cost per vest?"), or the difference between two packs' ("12-roll
    pack is 9.60 or the 36-roll pack is 25.20, the difference in price per roll", "offer a is 500 rolls for 1,175,
    offer b is 800 rolls for 1,760, how much cheaper per roll is b"); a pack's size and its price stand side by
    side."""
    asked = re.search(r"\b(?:cost|price|much|cheaper|dearer|expensive)\s+(?:is\s+(?:it\s+)?)?(?:per|a|each)\s+"
                      r"([a-z]+?)s?\b", text)
    percents, amounts = split_percents(figures)
    if asked is None or percents:
        return None
    unit = asked.group(1)
    amounts = [f for f in amounts if not (f.value == 2 and re.match(_COMPARED, text[f.end:]))]  # "two quotes: ..."
    sizes = [f for f in amounts if re.match(rf"\s*-?\s*(?:[a-z]+(?:-[a-z]+)*\s+){{0,2}}{unit}s?\b", text[f.end:])]
    prices = [f for f in amounts if f not in sizes]
    order = sorted(amounts, key=lambda figure: figure.start)
    if len(sizes) != len(prices) or len(sizes) not in (1, 2) or \
            any(abs(order.index(s) - order.index(p)) != 1 for s, p in zip(sizes, prices)):
        return None
    each = sorted(((p.value / s.value, f"{p.text}/{s.text}") for s, p in zip(sizes, prices)), reverse=True)
    if len(each) == 1:
        return each[0][1]
    return f"{each[0][1]} - {each[1][1]}" if has(r"\b(?:difference|diff|cheaper|saving|save)\b", text) else None


def _to_target(text: str, figures: list[Figure]) -> str | None:
    """What is still needed to reach a target after what was done ("target is 180 units. month 1 we sold 52,
    month 2 61, how many more to hit target"): the target less the rest."""
    target = re.search(r"\b(?:target|goal|quota|max(?:imum)? (?:level|stock))\b[^.?!\d]{0,40}?(?=\d)", text)
    percents, amounts = split_percents(figures)
    if target is None or percents or len(amounts) < 2 or \
            not has(r"\bhow (?:many|much) more\b|\bstill (?:need|to)\b|\bshort of\b|\bto (?:hit|reach|make)\b|"
                    r"\bget (?:back )?(?:up )?to\b|\bdo (?:i|we) need\b", text):
        return None
    left = [f for f in amounts if re.match(r"\s*(?:hrs?|hours?|days?|weeks?)\s+(?:to go|left|remaining)\b", text[f.end:])]
    per = re.search(r"\b(?:per|an?|each) (?:hour|hr|day|week)\b", text[left[0].end:]) if len(left) == 1 else None
    if per is not None:  # "done 735 so far and 3 hrs to go, how many per hour do i need"
        rest = [f for f in figures if f is not left[0]]
        needed = _to_target(text[: left[0].start] + " " * (left[0].end - left[0].start) + text[left[0].end:], rest)
        return None if needed is None else f"({needed})/{left[0].text}"
    goal = next((f for f in amounts if f.start == target.end()), None)
    done = [f for f in amounts if f is not goal and not re.match(r"\s*(?:st|nd|rd|th)\b", text[f.end:]) and
            not has(r"\b(?:month|week|quarter|day|q)\s*$", text[: f.start])]  # "month 1" names a month
    if goal is None or not done or len(done) + 1 != len(amounts) - sum(
            has(r"\b(?:month|week|quarter|day|q)\s*$", text[: f.start]) for f in amounts):
        return None
    return f"{goal.text} - {' - '.join(f.text for f in done)}"


def _sum(text: str, figures: list[Figure]) -> str | None:
    """Amounts added up ("train 89.60, hotel 212.00, meals 47.35", "46.50 and 38.20, plus a taxi for 22")."""
    percents, amounts = split_percents(figures)
    if percents or len(amounts) < 2 or not (has(_SUM, text) or has(r"\bplus\b", text)) or has(EACH, text) or \
            any(re.match(r"\s*(?:[a-z]{1,5}\s*)?/\s*[a-z]|\s*(?:eur|€|£|\$)?\s*(?:a|an|per|each)\s+[a-z]", text[f.end:])
                for f in amounts) or has(r"%|\bpercent|\brate\b", text) or \
            has(LEFT, text) or has(USED, text) and not has(r"\b(?:add up|adding up|sum)\b", text):
        return None
    return " + ".join(f.text for f in amounts)


_SHAPES: tuple[Callable[[str, list[Figure]], str | None], ...] = (
    _proportional, tiered, above_threshold, net_count, after_free, reorder_point, minimum_charge, tiered_count,
    per_chain, per_time, full_packs, area_or_volume, _rate_per, _containers, margin, _weighted_average, overtime, _shared_out, percent_chain, percent_change,
    percent_of, _average, _to_target, over_cap, _per_unit, _remaining, pay, _split_evenly, _line_items, _sum,
)
