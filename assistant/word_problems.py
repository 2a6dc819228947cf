"""Everyday word problems composed into a calculator expression from the request's own words.

The small model picks the stated figures (the figure mask keeps it to them) but not the shape of the sum: it
wrote 24*310.80 for "24 cables, 310.80 eur in total, the price per cable?", left averages undivided and turned
percentages round. Staff ask a few shapes over and over (a VAT total, a discount, a share of a bill, an
average and a weighted one, what is left of a budget, a change in percent, a rate per 1000, a rate times a
quantity, mileage there and back, hours at an overtime rate, the time between two clock times less a break, a
share in a ratio, a pro-rata amount and a new joiner's part of a year, the part of a cost the employer does not
pay, a figure in another unit of time, simple interest, the fuel for a trip, a price per unit and the difference
of two, what is still needed to reach a target, what a stay over a nightly cap costs the person), and each says
which it is in words (number words read as figures: "twelve of us", pence and cents as hundredths: "45p a
mile"):
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
`assistant.word_percents`, those of amounts and counts in `assistant.word_amounts`, those of time, pay and travel
in `assistant.word_time`, those of stock, travel and measures in `assistant.word_measures`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.word_amounts import (
    added_up,
    average,
    containers,
    flat_per_head,
    line_items,
    per_each,
    per_unit,
    proportional,
    rate_per,
    ratio_share,
    remaining,
    shared_out,
    split_evenly,
    to_average,
    to_target,
    weighted_average,
    without_dropouts,
)
from assistant.word_chains import compared, percent_on_product, percent_on_sum, unit_sum
from assistant.word_costs import (
    at_pace,
    break_even,
    consumption,
    dilution,
    instalments,
    mix_parts,
    part_time,
    payback,
    reduced_days,
)
from assistant.word_cues import has
from assistant.word_figures import Figure, converts, in_digits, read_figures
from assistant.word_ledger import ledger
from assistant.word_maths import written_maths
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
    contributions,
    margin,
    percent_chain,
    percent_change,
    percent_of,
    percent_of_part,
    simple_interest,
)
from assistant.word_time import (
    CLOCK,
    DATE,
    clock_durations,
    converted,
    days_between,
    durations,
    employer_share,
    first_month,
    from_start_date,
    fuel,
    over_cap,
    overtime,
    pay,
    pro_rata,
    round_trip,
)
from assistant.word_units import unit_product

#: "per cent", "pct" and "percent" read as "%" ("percentage" stays a word: it asks for one).
_PERCENT_WORDS = re.compile(r"\bper\s?cent\b|\bpct\b", re.IGNORECASE)
#: Digits this module does not read: a clock time, a date, a fraction, a code (Q3, 3rd, B2B), an expression, a
#: product other than a small count times a figure ("60x40x50", "1.5x40"; `read_figures` reads "2 x 185 km").
_UNREAD = re.compile(r"\d\s*[:/^*+=]\s*\d|(?:\d{2,}|\d\.\d+)\s*[x×]\s*\d|\d\s*[x×]\s*\d+(?:\.\d+)?\s*[x×]\s*\d|"
                     r"\d\s*[-–]\s*\d|\b\d+\s*(?:h|hrs?|m(?![23]\b)|min)\s*\d", re.IGNORECASE)
#: A formula written in words, which the request's figures go into: "average headcount (start+end)/2".
_FORMULA = re.compile(r"\([a-z ]+[-+*/][a-z ]+\)\s*[/*]\s*\d")
#: A unit's rate in another unit: "1 GBP = 1.17 EUR", "1 mile = 1.609344 km".
_UNIT_RATE = re.compile(r"\b1\s*(?P<unit>eur|euros?|usd|dollars?|gbp|pounds?|chf|francs?|miles?|km|lbs?|kg|gallons?|"
                        r"litres?|liters?|l|inch(?:es)?|in|feet|foot|ft|yards?|oz|ounces?|[kmgt]b)\s*=\s*"
                        r"(?P<figure>\d+(?:\.\d+)?)\s*(?P<other>[a-z]{1,10})\b",
                        re.IGNORECASE)
#: Currencies by their names and signs.
_CURRENCIES = {"eur": r"eur|euros?|€", "usd": r"usd|dollars?|\$", "gbp": r"gbp|pounds?|£|quid",
               "chf": r"chf|francs?"}
#: The unit an answer is asked in: "in euros", "into gbp", "to usd".
_ASKED_IN = re.compile(r"(?<!came )(?<!comes )(?<!come )(?<!amounts )(?<!amounted )\b(?:in|into|to|how many)\s+"
                       r"(eur|euros?|usd|dollars?|gbp|pounds?|chf|francs?|miles?|km|kilometres?)\b")
#: An aside the sum leaves out: "(her target is 110 but I just need the average)", "(been here 6 yrs)", "driver
#: also gets a 12 eur lunch allowance but that's separate."
_ASIDE = re.compile(r"\([^()]*\b(?:but|separate|ignore|irrelevant|anyway|n't|not|different budget|been here|"
                    r"with (?:us|the company)|of service)\b[^()]*\)|"
                    r"[^.?!]*\b(?:separate|irrelevant|doesn't count|does not count|ignore that)\b[^.?!]*[.?!]")
#: A count asked for in whole units, rounded up or down.
_ROUND_UP = re.compile(r"\bround(?:s|ed|ing)?\s+(?:it\s+)?up\b")
_ROUND_DOWN = re.compile(r"\bround(?:ed|ing)?\s+(?:it\s+)?down\b")
#: A duration in hours and minutes ("6 h 15 min", "2 hrs 15 mins", "1h20"), read as minutes by the other shapes.
_HOURS_AND_MINUTES = re.compile(r"(?<![\d:.])(?P<hours>\d{1,3})\s*(?:h|hrs?|hours?)\s*(?P<minutes>[0-5]?\d)\s*"
                                r"(?:m|mins?|minutes?)?\b(?![:.]\d)")
#: An exchange rate given as a bare figure: "convert ... at a rate of 0.92", "the exchange rate is 0.92" (not a
#: percentage: "vat rate is 21%").
_BARE_RATE = re.compile(r"\b(?:exchange\s+)?rate\s+(?:given\s+)?(?:of|is|=)\s+(\d+(?:\.\d+)?)(?![\w.%])"
                        r"(?!\s*(?:eur|euros?|€)?\s*(?:/|per\b|an?\b))", re.IGNORECASE)
_CONVERTS_MONEY = re.compile(r"\b(?:convert(?:ing|ed)?|exchange|in (?:eur|euros?|usd|dollars?|gbp|pounds?))\b",
                             re.IGNORECASE)
_ROUNDING = re.compile(r"\b(?:round(?:ed)?\s+(?:it\s+)?)?to\s+(\d|one|two)\s*(?:decimals?|dp|places?)(?:\s+places?)?\b|"
                       r"\b(\d|one|two)\s*(?:decimals?|dp)(?:\s+places?)?\s*\W*(?:(?:pls|please|thx|thanks)\W*)?$",
                       re.IGNORECASE)
#: An amount of money asked in hundredths: "cost per click in cents".
_IN_CENTS = re.compile(r"\bin (?:cents|pence|p)\b")
#: A condition a figure states, which no sum takes: "if we pay within 10 days", "for groups of 10+", "on orders
#: over 20 units".
_CONDITION = re.compile(r"\b(?:if (?:we |you |they |the customer )?pays?|paid|pays) within \d+ days\b|"
                        r"\b(?:on|for) (?:orders?|groups?|bookings?|purchases?) (?:of |over |above |with )?"
                        r"(?:more than |at least )?\d+\+?(?:\s*(?:units?|people|ppl|pcs|items|or more))?")
#: Rounding said in words: to the cent (2 decimals) or to a whole number (none).
_TO_CENTS = re.compile(r"\b(?:round(?:ed)?\s+)?to (?:the )?(?:nearest )?(?:cent|penny|pence)\b")
_TO_WHOLE = re.compile(r"\b(?:round(?:ed)?\s+)?to (?:a|the nearest) whole(?: number)?\b|\bnearest whole number\b|"
                       r"\b(?:as a )?whole number\s*(?:pls|please)?\W*$|"
                       r"\b(?:round(?:ed)?\s+)?to (?:the )?nearest (?:euro|eur|dollar|pound|kg|unit)\b|"
                       r"\bround(?:ed)? to whole \w+\b|\b(?:in )?whole (?:euros?|eur|dollars?|pounds?)\b")
#: A code whose digits are no operand: "SKU 4471", "invoice no. 2231", "PO #88", "ticket 12" (not "train ticket
#: 189", a price), a quarter ("q3"), a
#: line, machine or cost centre ("line 3", "cc 410"), a day named ("we pay on day 8"), a length of service marked
#: ("my five year mark") ("invoice 5,000" is an amount).
_CODE = re.compile(r"\bq[1-4]\b|\b(?:on|by) day \d{1,3}\b|\b\d{1,2}[- ]years?[- ](?:mark|anniversary|milestone)\b|"
                   r"\b(?:sku|part|po|invoice|ticket|ref|order)\s*(?:no\.?|number|#)\s*\d+\b|"
                   r"\b(?:sku|po|(?<!train )(?<!bus )(?<!plane )(?<!flight )(?<!return )ticket|ref)\s*#?\s*\d+\b"
                   r"(?![.,]\d)|#\d+\b|"
                   r"\b(?:phase|stage|floor|gate|door|bay|aisle|zone|truck|van|building|line|machine|press|forklift|"
                   r"cell|station|plant|cc|cost cent(?:re|er))\s+\d{1,3}\b(?![.,:]\d|\s*%)|"
                   r"\broom\s+\d{1,2}\b(?![.,:]\d|\s*(?:%|flat|eur|euros|€|/|per\b|an?\b|for\b))")
#: Written-out maths and conversions this module leaves to the model.
_LEFT_TO_THE_MODEL = re.compile(
    r"\btimes(?=\s+(?:the\b|an?\b|\d))|"
    r"\b(?:divided|squared|cubed|power|root|factorial|log|logarithm|gcd|lcm|divisor|multiple|remainder|"
    r"choose|how many ways|in how many ways|number of ways|solve|equation|derivative|integral|celsius|fahrenheit|"
    r"double(?![\s-]+(?:rooms?\b|sided\b[^?]*\bper sheet\b))|triple|half|twice|ratio|"
    r"speed|velocity|pace|(?:on|at) the same (?:day|time)|a third|two thirds|a fifth|a quarter of)\b",
    re.IGNORECASE)
#: The years a compound growth runs: "after 4 years", "in 3 yrs", "2 years from now" (number words are digits by then).
_YEARS = re.compile(r"\b(?:after|in|for|over|within)\s+(\d+)\s+(?:years?|yrs?)\b|"
                    r"\b(\d+)\s+(?:years?|yrs?)\s+(?:from now|later|time)\b")


#: A fraction of a whole, as the percentage it is: "a quarter of operations", "3/4 of our 60k budget", "half are
#: remote" (not of a unit of time or distance: "a quarter of an hour" is minutes).
_FRACTIONS = {"a quarter": "25", "one quarter": "25", "1/4": "25", "three quarters": "75", "3/4": "75", "half": "50",
              "1/2": "50", "a fifth": "20", "one fifth": "20", "1/5": "20", "two fifths": "40", "2/5": "40",
              "3/5": "60", "a tenth": "10", "one tenth": "10", "1/10": "10"}
_FRACTION_OF = re.compile(r"(?<![\w/])(?P<part>" + "|".join(re.escape(part) for part in _FRACTIONS) +
                          r")\s+(?:of\b(?!\s+(?:an?|the|one)\s+(?:hour|day|week|month|year|mile|km|kilomet))|"
                          r"(?=(?:are|were|is|was)\b))")
#: Overtime's multiples in words.
_OVERTIME_WORDS = {"time and a half": "1.5x", "double time": "2x"}
#: A ratio to share by: "in the ratio 5:3", "ratio of 2:3:4".
_RATIO = re.compile(r"\bratio\s+(?:of\s+|is\s+|=\s*)?(\d+(?:\s*:\s*\d+)+)\b")


def composed_expression(request: str) -> str | None:
    """The calculator expression for `request` when it is one of the everyday shapes and every figure it states
    has its place; None otherwise (the model writes the expression)."""
    text = _ASIDE.sub(" ", in_digits(_PERCENT_WORDS.sub("%", request).casefold()))
    text = _FRACTION_OF.sub(lambda m: f"{_FRACTIONS[m['part']]}% " + m.group()[len(m['part']):].lstrip(), text)
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
    if has(r"\bovertime\b|\b(?:hourly|per hour|an hour)\b|/\s?(?:hour|hr?)\b", text):  # "paid at 150%" is 1.5x
        text = re.sub(r"\b(paid at|pays|at)\s+(1\d\d|200)\s*%(?!\s*(?:of|more|higher|up)\b)",
                      lambda m: f"{m[1]} {int(m[2]) / 100:g}x", text)
    text = re.sub(r"(?<!and )\b(?:a\s+)?half(?:\s+an)?[\s-]+hour\b", "30 min", text)  # "half hour unpaid lunch"
    text = re.sub(r"\b(?:a\s+)?half[\s-]+(?:a\s+)?year\b", "6 months", text)  # "cost for half a year"
    text = re.sub(r"(\d\s*(?:eur|euros?|€|£|\$|gbp|usd)?)\s+ea\b\.?", r"\1 each", text)  # "89.90 eur ea."
    text = re.sub(r"\bdaily ((?:[a-z-]+ ){1,3})(?:is|takes|lasts|runs) (?:about |around )?"  # "daily standup is 15
                  r"(\d+(?:\.\d+)?\s*(?:minutes?|mins?|hours?|hrs?))\b", r"\1is \2 a day", text)  # min": 15 min a day
    if has(r"\b(?:annual|yearly|(?:a|per) (?:year|yr)|/\s*(?:yr|year))\b", text):  # "annual salary ... (12 months)"
        text = re.sub(r"\(\s*(?:12\s+(?:months?|payments?|monthly payments?)|52\s+weeks?)\s*\)", " ", text)
    if has(r"\bsheets?\b", text) and not has(r"\bper sheet\b", text):  # a sheet printed on both sides holds 2 pages
        text = re.sub(r"\b(?:printed\s+)?double[- ]sided\b", "at 2 pages per sheet", text)
    text, digits = _decimals_taken(text)
    if (plain := arithmetic(text) or written_maths(text)) is not None:  # "1850 / 12 pls", "7 factorial"
        return _rounded(plain, digits)
    ratio = _RATIO.search(text)
    if ratio is not None:
        return _rounded(ratio_share(text, ratio), digits)
    if CLOCK.search(text):
        return _rounded(clock_durations(text), digits)
    if (between := days_between(text) or from_start_date(text)) is not None:
        return _rounded(between, digits)
    if DATE.search(text):  # "starts 1 april", "march 3 to april 18, 2025": a day and its year are no operands
        text = re.sub(r"(?:\s*,)?\s*\b(?:19|20)\d\d\b", " ", DATE.sub(" ", text))
    unit_rate = _UNIT_RATE.search(text)
    if unit_rate is not None and _in_both_units(text, unit_rate):
        return None  # "195 gbp a night, 1 gbp = 1.17 eur, how much over our 180 eur cap": one amount converts, not all
    inverse = unit_rate is not None and _in_first_unit(text, unit_rate)
    text, rate = _taken(text, unit_rate or (_BARE_RATE.search(text) if _CONVERTS_MONEY.search(text) else None))
    if has(r"\d\s*(?:h|hrs?)\s*\d", text) and (added := durations(text)) is not None:
        return _rounded(added, digits)  # "1h 25min, 50 min, 2h 05min, total minutes"
    text = _HOURS_AND_MINUTES.sub(lambda m: f"{int(m['hours']) * 60 + int(m['minutes'])} min", text)  # "6 h 15 min"
    if (size := written_size(text)) is not None:  # "250 ctns, each 60x40x35 cm, total m3"
        return _rounded(size, digits)
    if SPEED.search(text) and not _UNREAD.search(text):  # "averaging 76 km/h": the model is left any other speed
        figures = read_figures(text)
        return _rounded(travel_time(text, figures) or unit_product(text, figures), digits)
    clock = re.sub(r"\b24\s*/\s*7\b", "round the clock", text)  # "runs 24/7": read by a chain of rates alone
    if clock != text and rate is None and not (_UNREAD.search(clock) or _LEFT_TO_THE_MODEL.search(clock)):
        return _rounded(unit_product(clock, read_figures(clock)), digits)
    if _UNREAD.search(text) or _FORMULA.search(text):
        return None
    if rate is None and (paced := at_pace(text, read_figures(text))) is not None:  # "at that pace": no speed
        return _rounded(paced, digits)
    if _LEFT_TO_THE_MODEL.search(text):  # a speed asked in its units is a chain of rates: "avg speed in km/h?"
        return _rounded(unit_product(text, read_figures(text)), digits) if has(r"\bspeed\b", text) else None
    for shape in _BEFORE_CONVERSION:
        if rate is None and (found := shape(text, read_figures(text))) is not None:
            return _rounded(found, digits)
    if rate is None and converts(text):  # "54,600 a year, per month"; else a chain of rates in several units
        figures = read_figures(text)
        return converted(text, figures) or _rounded(next((found for shape in _IN_UNITS if (found := shape(
            text, figures)) is not None), None), digits)
    if "%" in text:  # compound growth: the years are a power, not a figure
        text, years = _taken(text, _YEARS.search(text))
    else:  # "340 laptops evenly over 4 yrs": years no percentage compounds over are a figure
        years = None
    figures = without_dropouts(text, read_figures(text))
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
    return _rounded(expression, digits)


def asked_decimals(request: str) -> str | None:
    """The decimals `request` asks its result rounded to ("2 decimals", "to the cent": "2"; "to a whole number":
    "0"), as a digit; None when it asks none."""
    return _decimals_taken(in_digits(request.casefold()))[1]


def _decimals_taken(text: str) -> tuple[str, str | None]:
    """`text` without the rounding it asks for, and that rounding's decimals (`asked_decimals`)."""
    text, digits = _taken(text, _ROUNDING.search(text))
    if digits is None and (said := _TO_CENTS.search(text) or _TO_WHOLE.search(text)) is not None:
        digits = "2" if said.re is _TO_CENTS else "0"
        text = text[: said.start()] + " " * (said.end() - said.start()) + text[said.end():]  # no figure, no shape's cue
    return text, "2" if digits == "two" else digits


def _rounded(expression: str | None, digits: str | None) -> str | None:
    """`expression` rounded to `digits` decimals when the request asks for it ("to the cent", "1 decimal")."""
    return f"round({expression}, {digits})" if expression is not None and digits is not None else expression


def arithmetic(request: str) -> str | None:
    """`request` as an expression when it is one written out, figures and operators in words or signs and
    nothing else but a greeting or a "pls" ("1850 / 12 pls", "sixteen hundred divided by twenty five", "whats
    7 x 38.5"); None otherwise."""
    text = in_digits(request.casefold())
    percentage = re.search(r"\b(?:as an? (?:%|percentage|percent)|in (?:%|percent))", text)
    if percentage is not None:  # "whats 7/8 as a percentage"
        text = text[: percentage.start()] + text[percentage.end():]
    text = re.sub(r"\b(?:hey|hi|quick q|q|pls|please|thx|thanks|whats|what's|what is|what|is|calc|calculate|"
                  r"work out|how much is|can you do|do|me|for|round(?:ed)? to \d decimals?|\d decimal places?|"
                  r"as a decimal)\b|"
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


def _in_first_unit(text: str, rate: re.Match[str]) -> bool:
    """Whether a unit rate ("1 EUR = 1.175 USD") divides: the answer is asked in its first unit ("in euros"), or
    the amounts are all written in its second ("invoiced 3,200 usd ... eur amount?")."""
    rest, first, second = _beside_rate(text, rate)
    if _asked_in(rest) == first:
        return True
    written = {_unit_name(unit.group(1)) for unit in re.finditer(r"\d\s*([a-z€£$]+)", rest)} & {first, second}
    return written == {second} and first != second and first in _CURRENCIES


def _in_both_units(text: str, rate: re.Match[str]) -> bool:
    """Whether the request states amounts in both currencies of a rate and compares them ("£195/night ... 1 gbp =
    1.17 eur ... over our €180 budget"), so the rate applies to some of them only (a fee in the second currency is
    added after the conversion, which the rate's shapes read)."""
    rest, first, second = _beside_rate(text, rate)
    found = re.findall(r"\d\s*([a-z€£$]+)|([€£$])\s*\d", rest)  # a unit after a figure, a sign before one
    written = {_unit_name(unit) for units in found for unit in units if unit}
    return first in _CURRENCIES and second in _CURRENCIES and {first, second} <= written and \
        has(r"\b(?:over|under|above|below|more than|less than|cheaper|dearer|difference|budget|cap|limit)\b", rest)


def _beside_rate(text: str, rate: re.Match[str]) -> tuple[str, str, str]:
    """The request without a unit rate ("1 EUR = 1.175 USD"), and the rate's first and second units by one name."""
    return text[: rate.start()] + text[rate.end():], _unit_name(rate.group("unit")), _unit_name(rate.group("other"))


def _unit_name(word: str) -> str:
    """A currency or a unit by one name: "euros", "eur" and "€" are "eur"; "miles" is "mile"."""
    word = word.casefold()
    return next((name for name, pattern in _CURRENCIES.items() if re.fullmatch(pattern, word)), word.rstrip("s"))


_BEFORE_CONVERSION: tuple[Callable[[str, list[Figure]], str | None], ...] = (
    simple_interest, fuel, consumption, part_time, employer_share, round_trip, first_month, pro_rata, depreciation,
    load_weight,
    stock_cover, mixed_durations, per_seat_period, time_per_item, per_person_hour, mass_converted, per_person_night)


def _taken(text: str, match: re.Match[str] | None) -> tuple[str, str | None]:
    """`text` with `match` blanked out (its figures are no operands), and the figure it captured (its group
    "figure" if it names one; a number word as digits); `text` and None without a match."""
    if match is None:
        return text, None
    found = match.groupdict().get("figure") or next(group for group in match.groups() if group is not None)
    blanked = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end():]
    return blanked, "1" if found == "one" else found


#: The shapes a request in several units of time is read by.
_IN_UNITS: tuple[Callable[[str, list[Figure]], str | None], ...] = (
    unit_product, unit_sum, percent_on_product, compared, average, overtime)

_SHAPES: tuple[Callable[[str, list[Figure]], str | None], ...] = (
    dilution, instalments, break_even, payback, mix_parts, reduced_days, proportional, tiered, above_threshold,
    net_count, after_free, reorder_point, minimum_charge, tiered_count, per_each, per_chain, per_time, full_packs,
    area_or_volume, rate_per, containers, margin, weighted_average, overtime, flat_per_head, shared_out, contributions,
    percent_of_part, percent_chain, percent_change, percent_of, to_average, average, to_target, over_cap, per_unit,
    remaining, ledger, pay, split_evenly, unit_product, line_items, added_up, unit_sum, percent_on_product, compared,
    percent_on_sum,
)
