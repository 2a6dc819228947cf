"""Word problems about amounts and counts, composed into a calculator expression for
`assistant.word_problems.composed_expression`: items at a price each and their total (with fees, VAT or a
discount), an average and a weighted one, what is left of a budget and what is still needed to reach a target,
a sum shared out or in a ratio or proportion (among those still coming when some dropped out), a flat cost shared
with a cost per person on top, a price per unit and the difference of two, containers a quantity
needs, a rate per so many, a total per one of each of two counts, amounts added up. Each shape returns None unless the
request is that shape and every figure it states has its place.
"""

from __future__ import annotations

import re
from fractions import Fraction
from itertools import pairwise

from assistant.word_cues import (
    ASKS,
    AVERAGE,
    CHANGE_ASKED,
    EACH,
    LEFT,
    MARGIN_ASKED,
    PER_AFTER,
    SPAN,
    SPLIT,
    USED,
    has,
    split_percents,
)
from assistant.word_figures import UNIT_WORD, Figure, read_figures, scaled
from assistant.word_percents import percent_chain, percent_factors
from assistant.word_units import measure_after

#: People or periods a figure counts, that an amount is shared out over: "among 5 people", "25 ppl", "twelve of
#: us", "for the remaining 4 months".
_COUNTED = r"\s*(?:people|ppl|persons?|colleagues|employees|staff|members|participants|attendees|guests|of us|" \
           r"teams?|depts?|departments|months?|weeks?|ways)\b"
#: A figure that counts days or nights, which no sum adds to money: "1,260 for 4 nights and there's 5 of us".
_COUNTED_TIME = r"\s*(?:nights?|days?|weeks?)\b"
#: A rate per so many asked for: "error rate per 1000 orders", "the rate per 100 days" (not "6.4 litres per 100 km").
_RATE_PER = re.compile(r"\brate\s+per\s+(100|1,?000|10,?000|100,?000)\s+[a-z]+")
#: A count asked for: "how many cartons", "how many shelves do we need".
_COUNT_ASKED = r"\b(?:how many|min(?:imum)? number of|number of)\s+" \
               r"(?!(?:minutes|hours|days|weeks|months|years|percent|%|euros?|eur)\b)[a-z]+"
#: The things two prices compare: "two quotes", "2 offers".
_COMPARED = r"\s*(?:quotes?|offers?|options?|suppliers?|vendors?|deals?|sizes?|packs?)\b"
#: An item bought once among items at a price each: "... and a desk lamp for 35".
_BOUGHT_ONCE = r"\b(?:a|an|one|plus|and)\b[^,.;\d]{0,40}\b(?:for|at|@)\s*(?:eur|euros?|€|usd|\$|gbp|£)?\s*$"
_FEE = r"^\s*(?:eur|euros?|€)?\s*(?:for\s+)?(?:shipping|delivery|postage|handling|freight|fee|carriage|set-?up|" \
       r"admin|booking|call-out|tolls?|parking|(?:fuel )?surcharge|(?:room |venue )?hire|standing charge|" \
       r"service charge)\b"
_PRICE_EACH = r"^\s*(?:eur|euros?|€|usd|\$|gbp|£)?\s*(?:each|per|a|an|pp)\b"
#: A pair of figures taken off the total: "... and we deduct $12 per breakfast".
#: A sum shared out said in words ("how many packs" asks a count of containers, and shares nothing out).
_SHARED_WORDS = r"\b(?:split|splitting|divide|divided|share|shared|sharing|between|evenly|equally|among|each pay|" \
                r"per (?:head|person|people|employee|member|attendee|participant|guest))\b"
#: Words after a figure that name no thing it counts.
_NOT_COUNTED = frozenset({"in", "on", "at", "for", "of", "and", "plus", "each", "a", "an", "the", "per", "x", "from",
                          "to", "this", "that", "is", "are", "was", "were", "eur", "euros", "usd", "gbp", "so", "then",
                          "more", "extra", "other", "last", "next", "total", "with", "by", "or",
                          "mon", "tue", "tues", "wed", "thu", "thurs", "fri", "sat", "sun", "monday", "tuesday",
                          "wednesday", "thursday", "friday", "saturday", "sunday"})
_TAKEN_OFF = r"\b(?:deduct(?:ed)?|minus|subtract(?:ed)?|take off|knock off|trade(?:d)?[- ]in)\b"
_SUM = r"\b(?:add up|adding up|sum|total|altogether|in all|combined)\b"


#: An amount shared in proportion to counts.
_IN_PROPORTION = r"\bin proportion\b|\bproportional(?:ly)?\b|\bpro rata (?:to|by)\b|" \
                 r"\b(?:by|on|based on) (?:headcount|salary|salaries|usage|revenue)\b|" \
                 r"\bsplit (?:it )?(?:by|according to|based on)\s+(?!\d|equal|even)"


def proportional(text: str, figures: list[Figure]) -> str | None:
    """An amount split in proportion to counts, and the share of the one named ("bonus pool 36,000 split between
    three teams in proportion to headcount, teams are 12, 18 and 10 people, how much goes to the 18-person
    team")."""
    percents, amounts = split_percents(figures)
    if percents or not has(_IN_PROPORTION, text):
        return None
    named = [f for f in amounts if has(r"^\s*-?\s*(?:person|people|strong|member|man)\b", text[f.end:]) and
             has(r"\b(?:the|to|for|does|of)\s*$", text[:f.start])]
    by_name = not named
    if by_name:  # "hamburg has 84 ppl and leipzig has 46. how much does leipzig pay?": the one the question names
        asked = re.split(r"[.;]\s", text)[-1]
        named = [f for f in amounts if (name := re.search(r"\b([a-z]{3,})\s*(?:has|have|is|are|with|:|\()?\s*$",
                                                          text[:f.start])) and
                 name.group(1) not in ("has", "have", "is", "are", "with", "the", "and") and
                 has(rf"\b{name.group(1)}\b", asked)]
    if len(named) != 1:
        return None
    whole = max(amounts, key=lambda figure: figure.value)
    bracketed = [f for f in amounts if has(r"\(\s*$", text[:f.start])]
    if by_name and named[0] in bracketed and len(bracketed) == len(amounts) - 1:
        whole = next(f for f in amounts if f not in bracketed)  # "60k ... anna (48k), ben (60k) and chen (72k)"
    parts = [f for f in amounts if f is not whole and (by_name or f is not named[0])]
    if len(parts) > 2 and parts[0].value == len(parts) - 1:  # "three teams", then their sizes
        parts = parts[1:]
    if not any(f.value == named[0].value for f in parts):
        return None
    return f"{whole.text}*{named[0].text}/({' + '.join(f.text for f in parts)})"


#: The things a ratio shares, named right after it: "1:4 concentrate to water", "5:3 (engineering:data)".
_NAMED_AFTER = re.compile(r"\s*\(?([a-z]+)\s*(?::|\bto\b)\s*([a-z]+)\b")


def ratio_share(text: str, ratio: re.Match[str]) -> str | None:
    """An amount shared in a ratio, and the share asked for: the bigger or the smaller, or the one named
    ("between sales and support in the ratio 5:3, how much does sales get", "the team with the 4 share")."""
    parts = [part.strip() for part in ratio.group(1).split(":")]
    rest = text[: ratio.start()] + " " * (ratio.end() - ratio.start()) + text[ratio.end():]
    part = re.search(r"\bthe\s+(\d+)(?:\s+|-)(?:share|part|portion)s?\b", rest)  # "the team with the 4 share"
    if part is not None:
        if parts.count(part.group(1)) != 1:
            return None
        rest = rest[: part.start()] + " " * (part.end() - part.start()) + rest[part.end():]
    amounts = [f for f in read_figures(rest) if not f.percent and f.value != len(parts)]  # "three depts": the parts
    if len(amounts) != 1 or any(f.percent for f in read_figures(rest)):
        return None
    values = [int(part) for part in parts]
    if part is not None:
        share = part.group(1)
    elif has(r"\b(?:big|bigg|larg|high|great)(?:er|est)\b|\bmost\b", rest):
        share = parts[values.index(max(values))]
    elif has(r"\b(?:small|low)(?:er|est)\b|\bleast\b", rest):
        share = parts[values.index(min(values))]
    else:
        named = re.search(r"\bbetween\s+(?:the\s+)?([a-z]+)\s+and\s+(?:the\s+)?([a-z]+)\b", rest) or \
            _NAMED_AFTER.match(rest, ratio.end())
        after = rest[max(ratio.end(), named.end()):] if named is not None else ""
        asked = [i for i, name in enumerate(named.groups()) if has(rf"\b{name}\b", after)] \
            if named is not None and len(parts) == 2 else []
        if len(asked) != 1:
            return None
        share = parts[asked[0]]
    return f"{amounts[0].text}*{share}/({' + '.join(parts)})"


def average(text: str, figures: list[Figure]) -> str | None:
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


def remaining(text: str, figures: list[Figure]) -> str | None:
    """A budget or an allowance and what was used of it (one or several costs), and what is left; with a count
    of people or months to share it over ("split whatever is left equally on gifts for 25 ppl", "left per month
    for the remaining 4 months", "fifteen people ... company pays 1500 and we split the rest"), what is left
    shared out."""
    percents, amounts = split_percents(_per_head(text, _paid_in_parts(text, figures)))
    if percents or len(amounts) < 2 or not (has(LEFT, text) and (has(USED, text) or has(r"\bbudget\b", text))):
        return None
    went = re.search(r"\b(?:went|gone|goes|moved|increased|rose|raised|bumped)\s+(?:up\s+)?from\s+(\d+(?:\.\d+)?)\s+"
                     r"(?:[a-z]+\s+)?to\s+\d", text)  # "my leave went up from 25 to 27 days": 27 is what there is
    amounts = [f for f in amounts if went is None or f.start != went.start(1)]
    counts = [f for f in amounts if "*" not in f.text and (re.match(_COUNTED, text[f.end:]) or
                                                           has(r"\b(?:among|between|by)\s*$", text[:f.start]))]
    count = counts[-1] if len(counts) == 1 and len(amounts) > 2 and (has(SPLIT, text) or has(r"\bper\b", text)) \
        else None
    if count is None and len(amounts) == 3 and _splits(text) and "*" not in amounts[2].text:
        count = amounts[2]  # "18,000 ... used 7,650 ... 9 people, split equally"
    if count is not None and count.value != int(count.value):
        return None  # "spent 385 in q1 and 412.70 in q2, split what's left over q3 and q4": no count of anything
    if count is None and (_splits(text) and len(amounts) == 2 or any(
            re.match(_COUNTED, text[f.end:]) or re.match(PER_AFTER, text[f.end:])
            for f in amounts if "*" not in f.text)):
        return None  # "42 pd left, 6 ppl, split evenly"; "3 ppl gave 10"; "78 pd at 540/pd": no cost of the budget
    costs = [f for f in amounts if f is not count]
    whole = max(costs, key=lambda figure: figure.value)
    if any(re.match(SPAN, text[f.end:]) for f in costs if f is not whole) and not re.match(SPAN, text[whole.end:]):
        return None  # "1,440 eur paid upfront for 12 months": a span of time is no cost taken off the amount
    if len(costs) > 2 and whole is not costs[0]:  # several costs: the budget is stated first
        return None
    added = costs[1] if whole is costs[0] and len(costs) > 2 and \
        has(r"^\s*(?:[a-z]+\s+){0,3}(?:plus|\+)\s*$", text[whole.end: costs[1].start]) else None
    if added is not None:  # "30 days this yr plus 4 carried over": the budget is both
        whole = Figure(f"{whole.text} + {added.text}", whole.start, added.end, False)
        costs = [whole, *costs[2:]]
    left = f"{whole.text} - {' - '.join(f.text for f in costs if f is not whole)}"
    if count is not None:
        return f"({left})/{count.text}"
    return left


def without_dropouts(text: str, figures: list[Figure]) -> list[Figure]:
    """`figures` with a count of people and those of them who dropped out made one figure ("a dozen of us
    originally. 4 people dropped out": (12 - 4)); `figures` as they are unless one count comes before them."""
    dropped = [f for f in figures if not f.percent and re.match(
        r"\s*(?:people\s+|ppl\s+|of (?:us|them)\s+|colleagues\s+|guests\s+)?(?:have\s+|had\s+)?(?:dropped out|"
        r"pulled out|backed out|cancell?ed|can'?t (?:come|make it)|couldn'?t (?:come|make it))\b", text[f.end:])]
    if len(dropped) != 1:
        return figures
    counts = [f for f in figures if f.end <= dropped[0].start and not f.percent and re.match(_COUNTED, text[f.end:])]
    if len(counts) != 1 or counts[0].value <= dropped[0].value:
        return figures
    merged = Figure(f"({counts[0].text} - {dropped[0].text})", counts[0].start, counts[0].end, False)
    return [merged if f is counts[0] else f for f in figures if f is not dropped[0]]


def _paid_in_parts(text: str, figures: list[Figure]) -> list[Figure]:
    """`figures` with each count of equal parts and the part's amount made one figure ("paid 3 instalments of
    1,950 each": 3*1950)."""
    merged: list[Figure] = []
    for figure in figures:
        before = merged[-1] if merged else None
        if before is not None and "*" not in before.text and not before.percent and not figure.percent and \
                has(r"^\s*(?:[a-z]+\s+){1,2}(?:of|at)\s*(?:eur|€|usd|\$|gbp|£)?\s*$",
                    text[before.end:figure.start]) and \
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
    each = [f for f in figures
            if re.match(r"\s*(?:eur|euros?|€)?\s*(?:(?:per|a|/)\s*(?:head|person|pp)|pp)\b", text[f.end:])]
    people = [f for f in figures if re.match(r"\s*(?:people|ppl|persons|guests|attendees|of us)\b", text[f.end:])]
    if len(each) != 1 or len(people) != 1:
        return figures
    merged = Figure(f"{each[0].text}*{people[0].text}", each[0].start, each[0].end, False)
    return [merged if f is each[0] else f for f in figures if f is not people[0]]


def rate_per(text: str, figures: list[Figure]) -> str | None:
    """A part of a whole as a rate per 100 or 1000 ("35 of 12500 orders had errors, the rate per 1000 orders")."""
    per = _RATE_PER.search(text)
    if per is None:
        return None
    rest = [f for f in figures if not (per.start() <= f.start < per.end())]
    if len(rest) != 2 or any(f.percent for f in rest):
        return None
    part, whole = sorted(rest, key=lambda figure: figure.value)
    return f"{part.text}/{whole.text}*{per.group(1).replace(',', '')}"


def per_each(text: str, figures: list[Figure]) -> str | None:
    """A total shared over two counts, asked per one of each ("closed 1,320 tickets, 6 agents, 22 working days,
    how many tickets per agent per day"): the total over both counts."""
    asked = re.search(r"\bhow many\s+([a-z]+)\s+(?:per|a|each)\s+([a-z]+)\s+(?:per|a|each)\s+([a-z]+)", text)
    percents, amounts = split_percents(figures)
    if asked is None or percents or len(amounts) != 3:
        return None

    def counting(noun: str) -> list[Figure]:  # "22 working days" counts days: a word may stand between
        return [f for f in amounts if re.match(rf"\s*(?:[a-z]+\s+)?{re.escape(noun[:3])}", text[f.end:])]

    counts = [counting(noun) for noun in asked.group(2, 3)]
    if any(len(count) != 1 for count in counts) or counts[0][0] is counts[1][0]:
        return None
    total = next(f for f in amounts if f is not counts[0][0] and f is not counts[1][0])
    if total not in counting(asked.group(1)):
        return None
    return f"{total.text}/{counts[0][0].text}/{counts[1][0].text}"


def weighted_average(text: str, figures: list[Figure]) -> str | None:
    """An average weighted by percentages ("exam counts 40% and she got 72, project 35% with 88") or by
    quantities at a price each ("200 pcs at 3.20 and 300 pcs at 2.70, the average price per piece")."""
    if not has(AVERAGE, text) and not has(r"\bweighted\b", text):
        return None
    asks = list(re.finditer(ASKS, text))
    if asks and not has(AVERAGE + r"|\bweighted\b", text[asks[-1].start():]):
        return None  # "avg 3 calls a day, avg 42 km per call ... what's the mileage cost": averages given, none asked
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
                 if has(EACH + "|" + AVERAGE, text[amounts[i].end: amounts[i + 1].start])]  # "120 tickets avg 4.2h"
        if len(pairs) != len(amounts) // 2:
            return None
    else:
        return None
    return f"({' + '.join(f'{w}*{v}' for w, v in pairs)})/({' + '.join(w for w, _ in pairs)})"


def flat_per_head(text: str, figures: list[Figure]) -> str | None:
    """A flat cost shared by the people who come and a cost per person on top, the cost per person asked ("the
    bus is 540 flat and lunch is 18 per person, 24 people come, whats the cost per person"): the flat cost over
    the count, plus the cost each."""
    percents, amounts = split_percents(figures)
    if percents or len(amounts) != 3 or \
            not has(r"\b(?:per (?:person|head)|each|pp)\b", text[max(f.end for f in amounts):]):
        return None
    flat = [f for f in amounts if re.match(r"\s*(?:eur|euros?|€)?\s*(?:flat|fixed|in total|total|for the (?:whole )?"
                                           r"(?:group|team|lot))\b", text[f.end:])]
    each = [f for f in amounts if re.match(r"\s*(?:eur|euros?|€)?\s*(?:(?:per|a|/)\s*(?:person|head)|pp|each)\b",
                                           text[f.end:])]
    counts = [f for f in amounts if re.match(_COUNTED, text[f.end:])]
    if len(flat) != 1 or len(each) != 1 or len(counts) != 1 or len({flat[0].start, each[0].start, counts[0].start}) < 3:
        return None
    return f"{flat[0].text}/{counts[0].text} + {each[0].text}"


def shared_out(text: str, figures: list[Figure]) -> str | None:
    """A total with percentages on it, or a sum, shared among a count of people ("bill is 212 eur, we add a 12.5%
    tip and split the total among 5 people", "486.40 plus 40 tip, 8 of us splitting evenly")."""
    if not has(SPLIT, text) or has(LEFT, text) or has(_IN_PROPORTION, text):  # what is left is `remaining`'s
        return None
    if not any(not has(r"\d\s*(?:eur|euros?|€)?\s*$", text[: split.start()]) for split in re.finditer(SPLIT, text)):
        return None  # "38 per head for catering ... total budget?": a rate, and nothing shared out
    counts = [f for f in figures if not f.percent and (re.match(_COUNTED, text[f.end:]) or
                                                       has(r"\b(?:among|between|by)\s*$", text[:f.start]))]
    if len(counts) != 1 or has(r"\bonly (?:between|among|by)\b|\b(?:shouldn'?t|should not|don'?t|do not) pay\b|"
                               r"\bexcept\b", text):
        return None  # "wine only between the drinkers": parts shared among different people
    rest = [f for f in figures if f is not counts[0]]
    total = percent_chain(text, rest, total=True)  # what is shared: a total
    if total is None and len(rest) >= 2 and not any(f.percent or re.match(_PRICE_EACH, text[f.end:]) or
                                                    re.match(_COUNTED_TIME, text[f.end:]) for f in rest) \
            and has(r"\b(?:plus|and)\b|\+", text) and has(_SHARED_WORDS, text):
        total = " + ".join(f.text for f in rest)  # "486.40 plus 40 tip, 8 of us splitting evenly"
    return None if total is None else f"({total})/{counts[0].text}"


#: Units of length, mass and volume a capacity and a quantity may be given in apart: (dimension, size in the base).
_SCALES = {"mm": ("m", Fraction(1, 1000)), "cm": ("m", Fraction(1, 100)), "m": ("m", Fraction(1)),
           "km": ("m", Fraction(1000)), "g": ("g", Fraction(1)), "kg": ("g", Fraction(1000)),
           "ml": ("l", Fraction(1, 1000)), "l": ("l", Fraction(1))}


def containers(text: str, figures: list[Figure]) -> str | None:
    """How many containers, trips or shelves a quantity needs, each taking so many ("each carton holds 24
    bottles, we ship 1000, how many cartons do we need", "1800 binders, each shelf takes 35, how many shelves at
    least"): the quantity over the capacity, rounded up."""
    percents, amounts = split_percents(figures)
    if percents or len(amounts) != 2 or not has(_COUNT_ASKED, text) or \
            not has(r"\b(?:need|needed|required|at least|minimum|min|buy|order)\b|\bfor \d", text) or \
            not has(r"\b(?:holds?|takes?|fits?|carries|capacity|max(?:imum)?|seats?|sits|stack)\b|"
                    r"\b(?:packs?|boxes|cases|sets|lots|batches|rolls) of \d|\d\s+(?:[a-z]+\s+)?per (?:plt|pallet|"
                    r"box|carton|ctn|truck|trailer|van|layer|shelf|bay|container|crate|cage|session|table|room)\b",
                    text) or \
            has(r"\bhow many (?:full|complete|whole)\b|\bfill(?:ed)?\b|\bcompletely\b", text) or \
            has(r"\bhow many (?:kg|kgs|kilos?|grams?|tonnes?|tons?|litres?|liters?|ml|m|metres?|meters?|km)\b|"
                r"\bhow many\b[^.?!]*\b(?:left|remaining|spare)\b", text):
        return None  # "rated for 500 kg, how many kg of capacity are left": an amount of a measure, no count
    scales = [_SCALES.get(measure.group(1)) if (measure := re.match(r"\s*([a-z]+)\b", text[f.end:])) else None
              for f in amounts]
    if None not in scales and scales[0] != scales[1]:  # "45 m of strip, rolls of 250 cm": one unit, then compared
        if scales[0][0] != scales[1][0]:
            return None
        capacity, quantity = sorted(zip(amounts, scales), key=lambda pair: pair[0].value * pair[1][1])
        return f"ceiling({scaled(quantity[0].text, quantity[1][1] / capacity[1][1])}/{capacity[0].text})"
    capacity, quantity = sorted(amounts, key=lambda figure: figure.value)
    return f"ceiling({quantity.text}/{capacity.text})"


def _counts_containers(text: str) -> bool:
    """Whether the request asks how many of the things that each take so many ("each shelf takes 35, how many
    shelves"): a division, not quantities at a price ("how many pages are in the book" is one)."""
    asked = re.search(r"\bhow many ([a-z]{4,})", text)
    return asked is not None and has(rf"\beach {asked.group(1)[:4]}", text)


def line_items(text: str, figures: list[Figure]) -> str | None:
    """Quantities at a price each ("15 chairs at 89 and 3 desks at 349", "312 km at 0.23 per km", "48 litres
    at 1.87 a litre", "14 people ... 11.90 each"), items bought once ("and a desk lamp for 35") and their total:
    each pair multiplied, the pairs and single items added; with VAT or a discount on the total ("what's the
    total with 20% vat added?")."""
    percents, amounts = split_percents(figures)
    fees = [f for f in amounts if has(_FEE, text[f.end:]) and
            has(r"(?:\bplus|\band|\bwith|\+)\s*(?:an?\s+)?(?:flat|one-off|one off|fixed)?\s*(?:eur|€|£|\$)?\s*$",
                text[:f.start])]
    amounts = [f for f in amounts if f not in fees[:1]]  # "... each plus 12.50 shipping": added once
    if len(amounts) < 2 or has(AVERAGE, text) or _splits(text) or has(LEFT + r"|\bspare\b", text) or \
            _counts_containers(text) or has(MARGIN_ASKED, text) or \
            not percents and has(r"%|\bpercent", text):  # a percentage asked
        return None
    if any(re.match(r"\s*(?:hrs?|hours?|km|kg|pcs)\b(?!\s*(?:each|per|a|an|/)\b)", text[f.end:]) and
           has(r"\bat\s*$", text[: f.start]) for f in amounts) or \
            has(r"\bwhat(?:'s|s| is) (?:that|it|this) (?:per|a|an)\b", text):
        return None  # "its last change at 1750 hrs": a reading, not a price; "what's that per hour": a rate asked
    if has(r"/\s*(?:yr|year)\b|\b(?:a|per) (?:year|yr)\b|\bannual", text) and \
            has(r"\b(?:start|starts|starting|join|joins|joining)\b", text):
        return None  # "48,000/yr each, both start 1 oct": a part of the year, which this shape does not count
    if has(r"\b(?:p/?m|per month|a month|monthly)\b|/\s*(?:mo|month)\b", text) and \
            has(r"\b(?:full|whole|per|a|the|for the) (?:year|yr)\b|\bannual|\byearly\b", text):
        return None  # "29.90 per user p/m ... the cost for a full year": months this shape does not count
    items, pairs, index = [], 0, 0
    while index < len(amounts):
        first, second = amounts[index], amounts[index + 1] if index + 1 < len(amounts) else None
        between = text[first.end: second.start] if second is not None else ""
        per = re.match(r"\s*(?:eur|€|£|\$)?\s*(?:per|/)\s*([a-z]+)", text[first.end:])
        other_unit = per is not None and second is not None and \
            not re.match(rf"\s*{re.escape(per.group(1).rstrip('s'))}", text[second.end:])  # "0.12 per m², 3 floors"
        if second is not None and not other_unit and \
                not has(r"\bat (?:the )?(?:start|end|beginning|moment|time)\b|"
                        r"\b(?:i'm|im|i am|we're|we are|came in|comes in) at\b", between) and \
                not (has(r"^\s*each\b", between) and has(r"[;.]\s|,\s+and\b", between)) and (
                has(EACH, between) or
                has(rf"^\s*(?:eur|€|£|\$)?\s*(?:a|an|per)\s+(?!(?:{UNIT_WORD}|yrs?)\b)[a-z]+", between)
                or has(r"\b(?:day|daily) rate\b[^\d]{0,12}$", text[:first.start]) and
                re.match(r"\s*(?:working\s+)?days?\b", text[second.end:]) is not None or
                has(r"\beach of\s*$", text[:first.start]) or has(_PRICE_EACH, text[second.end: second.end + 25]) or
                has(r"^\s*[a-z]{1,8}\s+each\b(?!\s+(?:day|week|month|hour|time|way|one))", text[second.end:])):
            if len({measure_after(text, first), measure_after(text, second)} - {None}) > 1:
                return None  # "5.84 g per litre, i need 350 ml": units apart, which a line item does not convert
            taken_off = has(_TAKEN_OFF, text[amounts[index - 1].end if index else 0: second.start])
            items.append(f"{'- ' if taken_off else ''}{first.text}*{second.text}")  # "we deduct $12 per breakfast"
            pairs, index = pairs + 1, index + 2
        elif has(_BOUGHT_ONCE, text[:first.start]) and len(amounts) > 2 and \
                not has(_PRICE_EACH, text[first.end: first.end + 25]):
            items.append(first.text)
            index += 1
        elif (count := _count_per(text, amounts[:index], first)) is not None:
            items.append(f"{count.text}*{first.text}")  # "3 nights at 128 each plus city tax of 2.50 per night"
            index += 1
        else:
            return None
    total = " + ".join([*items, *(f.text for f in fees[:1])]).replace("+ - ", "- ")
    if total.startswith("-"):
        return None
    if not pairs:
        return None
    if not percents:
        return total
    if fees or " - " in total or has(CHANGE_ASKED, text) or \
            has(r"\b(?:isn't|is not|aren't|are not|not|no)\s+(?:discounted|taxed|included)\b", text):
        # "plus 10% extra ... and a 35 setup fee", "warranty which isn't discounted", a trade-in taken off beside a
        # discount: which part the percentage is of is unsaid
        return None
    factors = percent_factors(text, figures, percents, total=True)
    return None if factors is None else "*".join([f"({total})", *factors])


def _count_per(text: str, counted: list[Figure], rate: Figure) -> Figure | None:
    """The one figure before `rate` that counts what `rate` is per: "3 nights ... 2.50 per night" -> 3."""
    per = re.match(r"\s*(?:eur|euros?|€|£|\$)?\s*(?:per|a|an|each)\s+([a-z]+?)s?\b", text[rate.end:])
    if per is None:
        return None
    counts = [f for f in counted if re.match(rf"\s*{re.escape(per.group(1))}s?\b", text[f.end:])]
    return counts[0] if len(counts) == 1 else None


def split_evenly(text: str, figures: list[Figure]) -> str | None:
    """An amount shared out ("split 2400 between 6 teams", "5600 for 35 people, per person", "3,360 eur for
    42 hours, the hourly rate"): the larger divided by the smaller."""
    percents, amounts = split_percents(figures)
    if percents or len(amounts) != 2:
        return None
    if has(_SUM, text) and not has(_SHARED_WORDS, text):
        return None  # "36 boxes on each pallet, how many boxes total", "3 nights at 142 per night, the total"
    if has(r"\bstill\b(?! (?:going|coming|in\b|attending))|\bat (?:the )?end of\b", text):
        return None  # "expensed evenly each month, how much is still prepaid at end of june": months gone, not asked
    count, amount = sorted(amounts, key=lambda figure: figure.value)
    if count.value <= 1:
        return None  # one shares nothing: "left WH-05 between 1 and 7 june? ... 140 pallets" names a range of days
    counted = re.match(r"\s*([a-z]+?)e?s\b", text[count.end:])  # "60 packs ... the price per pack"
    per_counted = counted is not None and not re.fullmatch(UNIT_WORD, counted.group(0).strip()) and \
        has(rf"\b(?:per|each|a)\s+{counted.group(1)}", text[count.end:])
    if not (has(SPLIT, text) or per_counted):
        return None
    return f"{amount.text}/{count.text}"


def per_unit(text: str, figures: list[Figure]) -> str | None:
    """A price per unit asked for, of a pack of so many units at a price ("5 litre tub costs 13.75, cost per
    litre?", "paid 4,312.50 for 1,150 hi-vis vests, cost per vest?"), or the difference between two packs' ("12-roll
    pack is 9.60 or the 36-roll pack is 25.20, the difference in price per roll", "offer a is 500 rolls for 1,175,
    offer b is 800 rolls for 1,760, how much cheaper per roll is b"); a pack's size and its price stand side by
    side. Costs added to the price ("1,200 units at 4,350 total plus 186 shipping, landed cost per unit") are
    shared by the units too."""
    asked = re.search(r"\b(?:cost|price|much|cheaper|dearer|expensive)\s+(?:is\s+(?:it\s+)?)?(?:per|a|each)\s+"
                      r"([a-z]+?)s?\b", text)
    percents, amounts = split_percents(figures)
    if asked is None or percents:
        return None
    unit = asked.group(1)
    amounts = [f for f in amounts if not (f.value == 2 and re.match(_COMPARED, text[f.end:]))]  # "two quotes: ..."
    sizes = [f for f in amounts if re.match(rf"\s*-?\s*(?:[a-z]+(?:-[a-z]+)*\s+){{0,2}}{unit}s?\b", text[f.end:])]
    prices = [f for f in amounts if f not in sizes]
    if len(sizes) == 1 and len(prices) > 1 and all(has(r"\b(?:plus|and)\s+(?:eur|€|\$|£)?\s*$|\+\s*$",
                                                       text[max(0, f.start - 12):f.start]) for f in prices[1:]):
        return f"({' + '.join(f.text for f in prices)})/{sizes[0].text}"  # "4,350 total plus 186 shipping"
    order = sorted(amounts, key=lambda figure: figure.start)
    if len(sizes) != len(prices) or len(sizes) not in (1, 2) or \
            any(abs(order.index(s) - order.index(p)) != 1 for s, p in zip(sizes, prices)):
        return None
    each = sorted(((p.value / s.value, f"{p.text}/{s.text}") for s, p in zip(sizes, prices)), reverse=True)
    if len(each) == 1:
        return each[0][1]
    return f"{each[0][1]} - {each[1][1]}" if has(r"\b(?:difference|diff|cheaper|saving|save)\b", text) else None


def to_target(text: str, figures: list[Figure]) -> str | None:
    """What is still needed to reach a target after what was done ("target is 180 units. month 1 we sold 52,
    month 2 61, how many more to hit target"): the target less the rest."""
    target = re.search(r"\b(?:target|goal|quota|max(?:imum)? (?:level|stock)|needs? at least|minimum of)\b"
                       r"[^.?!\d]{0,40}?(?=\d)", text)  # "the caterer needs at least 40 people signed up"
    percents, amounts = split_percents(_paid_in_parts(text, figures))  # "sold 18 licences at 340 each": 18*340
    if target is None or percents or len(amounts) < 2 or \
            not has(r"\bhow (?:many|much) more\b|\bstill (?:need|to)\b|\bshort of\b|\bto (?:hit|reach|make)\b|"
                    r"\bget (?:back )?(?:up )?to\b|\bdo (?:i|we) need\b|\bhow far (?:off|short|away|are we)\b", text):
        return None
    left = [f for f in amounts
            if re.match(r"\s*(?:hrs?|hours?|days?|weeks?)\s+(?:to go|left|remaining)\b", text[f.end:])]
    per = re.search(r"\b(?:per|an?|each) (?:hour|hr|day|week)\b", text[left[0].end:]) if len(left) == 1 else None
    if per is not None:  # "done 735 so far and 3 hrs to go, how many per hour do i need"
        rest = [f for f in figures if f is not left[0]]
        needed = to_target(text[: left[0].start] + " " * (left[0].end - left[0].start) + text[left[0].end:], rest)
        return None if needed is None else f"({needed})/{left[0].text}"
    periods = r"\s*(?:months?|mths?|weeks?|wks?|days?|years?|yrs?|quarters?)\b"
    if any(re.match(periods, text[f.end:]) for f in amounts) or has(r"\b(?:per|a|each) (?:month|week|day|quarter)\b",
                                                                     text):
        return None  # "at 172,500 after 9 months, per month for the last 3 months": a pace, not what is left
    goal = next((f for f in amounts if f.start == target.end()), None)
    done = [f for f in amounts if f is not goal and not re.match(r"\s*(?:st|nd|rd|th)\b", text[f.end:]) and
            not has(r"\b(?:month|week|quarter|day|q)\s*$", text[: f.start])]  # "month 1" names a month
    if goal is None or not done or len(done) + 1 != len(amounts) - sum(
            has(r"\b(?:month|week|quarter|day|q)\s*$", text[: f.start]) for f in amounts):
        return None
    return f"{goal.text} - {' - '.join(f.text for f in done)}"


def to_average(text: str, figures: list[Figure]) -> str | None:
    """What the last of so many must come to for all of them to average a target ("scores for q1-q3 were 78, 84
    and 81, we need an average of 82 over all 4 quarters, what score in q4": 82*4 - (78 + 84 + 81))."""
    goal = re.search(AVERAGE + r"\s+(?:of\s+)?(?:at least\s+)?(?=\d)", text)
    percents, amounts = split_percents(figures)
    if goal is None or percents or not has(r"\b(?:need|needs|needed|to hit|to reach|to get|to make)\b", text):
        return None
    target = next((f for f in amounts if f.start == goal.end()), None)
    counts = [f for f in amounts
              if f is not target and has(r"\b(?:over|across|for)\s+(?:all\s+|the\s+)?$", text[: f.start])]
    done = [f for f in amounts if f is not target and f not in counts]
    if target is None or len(counts) != 1 or len(done) + 1 != counts[0].value:
        return None
    return f"{target.text}*{counts[0].text} - ({' + '.join(f.text for f in done)})"


def added_up(text: str, figures: list[Figure]) -> str | None:
    """Amounts added up ("train 89.60, hotel 212.00, meals 47.35", "46.50 and 38.20, plus a taxi for 22")."""
    percents, amounts = split_percents(figures)
    if has(r"\bdeduct\w*|\bwithh[eo]ld\w*", text):
        return None  # "gross 3450 and total deductions 1012.35, what's my net": no sum
    if percents or len(amounts) < 2 or not (has(_SUM, text) or has(r"\bplus\b", text)) or has(EACH, text) or \
            any(re.match(r"\s*(?:[a-z]{1,5}\s*)?/\s*[a-z]|\s*(?:eur|€|£|\$)?\s*(?:a|an|per|each)\s+[a-z]",
                         text[f.end:]) for f in amounts) or has(r"%|\bpercent|\brate\b", text) or \
            has(LEFT, text) or has(USED, text) and not has(r"\b(?:add up|adding up|sum)\b", text):
        return None
    if len({measure_after(text, f) for f in amounts} - {None}) > 1:
        return None  # "walls are 320 m² total ... 1 litre covers 12 m² ... 5 l tins": no sum of one thing
    many = re.search(r"\bhow many\s+((?:[a-z]+\s+){0,2}[a-z]+)", text)
    asked = {word.rstrip("s") for word in many.group(1).split()} if many is not None else set()
    counted = [word.group(1).rstrip("s") for f in amounts if (word := re.match(r"\s*([a-z]+)", text[f.end:])) and
               word.group(1) not in _NOT_COUNTED]
    if asked and any(word not in asked for word in counted) or len(set(counted)) > 1:  # "3 devs ... 51 hrs"
        return None  # "120 guests, tables seat 8, plus 2 extra tables. how many tables": not a sum of tables
    return " + ".join(f.text for f in amounts)
