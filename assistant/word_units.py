"""Figures multiplied and divided until their units are the unit asked for: a problem solved by its units.

Many word problems are a chain of rates that no shape of their own names: "agency temp is £14.20/hr, doing 22.5
hrs a week for 6 weeks, total cost?" is £/hour × hours/week × weeks; "the printer does 42 pages a minute, how long
for 1050 pages" is pages ÷ pages/minute; "120 desk lamps at 9 W each, on 10 hrs/day for 22 working days, kWh for
the month?" is lamps × W/lamp × hours/day × days ÷ 1000. Each figure is read with its unit (the word after it, a
currency around it) and what it is per ("/hr", "per plt", "a week", "each" for the thing counted before it);
`unit_product` tries every way of multiplying or dividing by each figure once and writes the one whose units come
out as the unit the question asks for (money for "cost", "how much" or "total"; "how many hours"; "kWh"; "per
person"), with the conversions the request allows: an hour is 60 minutes, a year 12 months or 52 weeks, a tonne
1000 kg, a kW 1000 W; a day is 24 hours only when it runs round the clock, and a week 7 days only then, when
weekends are included or a charge runs per calendar day, or 5 when only weekdays count. A problem that adds or
takes away ("plus a 45 standing charge", "minus", "left"), compares ("or", "vs") or leaves a unit over is left to
the other shapes and the model, and so is one that two ways of combining its figures would both answer.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from fractions import Fraction

from assistant.word_cues import ASKS, has
from assistant.word_figures import Figure

#: Currencies as one unit, "money": a problem in two of them is a conversion, which this module does not do.
_CURRENCY_BEFORE = re.compile(r"(?:€|\$|£|\b(?:eur|usd|gbp|chf))\s*$")
_CURRENCY_AFTER = re.compile(r"\s*(?:eur|euros?|usd|dollars?|gbp|chf|€)\b|\s*€")
#: Unit words, by the unit they name; a word that is none of them is a thing counted ("plts", "boxes").
_UNITS = {
    "second": r"seconds?|secs?", "minute": r"minutes?|mins?", "hour": r"hours?|hrs?|h", "day": r"days?",
    "week": r"weeks?|wks?", "month": r"months?|mths?", "quarter": r"quarters?|qtrs?", "year": r"years?|yrs?",
    "g": r"g|grams?", "kg": r"kg|kilos?|kilograms?", "t": r"t|tonnes?|tons?",
    "w": r"w|watts?", "kw": r"kw|kilowatts?", "ml": r"ml", "l": r"l|litres?|liters?",
    "m": r"metres?|meters?", "km": r"km|kilometres?|kilometers?",
    "person": r"people|ppl|persons?|heads?|staff|attendees?|participants?|colleagues?|employees?|travell?ers?|"
              r"guests?|visitors?|users?|workers?|pax",
}
#: The units that measure rather than count: a count of things asked for must come out whole.
_MEASURES = frozenset({*_UNITS, "money"} - {"person"})
_ADJECTIVES = {"hourly": "hour", "daily": "day", "weekly": "week", "monthly": "month", "yearly": "year",
               "annual": "year", "annually": "year", "quarterly": "quarter"}
#: Every unit word, for a regular expression.
_UNIT_WORDS = "|".join([*_UNITS.values(), "kwh", *_ADJECTIVES])
#: An adjective of a unit of time after a figure or in the question: "a 1,200 monthly fee", "yearly spend?".
_ADJECTIVE = r"\b(hourly|daily|weekly|monthly|yearly|annual)\b"
#: When a day is 24 hours, a week 7 days, or 5.
_ROUND_THE_CLOCK = r"\bround the clock\b|\baround the clock\b|\bnon-?stop\b|\b24\s*(?:h|hrs|hours)\s+a day\b"
_EVERY_DAY = _ROUND_THE_CLOCK + r"|\bincl(?:uding|\.)?\s+(?:the\s+)?weekends?\b|\b7 days a week\b|\bevery day\b|" \
    r"\bcalendar days?\b|\bseven days\b"
_WEEKDAYS = r"\bmon(?:day)?\s*(?:-|–|to)\s*fri(?:day)?\b|\bweekdays?\b|\bworking days?\b|\bbusiness days?\b|" \
    r"\b5[- ]day (?:working )?weeks?\b"
#: A charge that runs every calendar day, weekends too.
_CHARGED_DAILY = r"\b(?:storage|rent|rental|parking|demurrage|detention|lease|leasing)\b"
#: One of the first unit is so many of the second, in any request.
_CONVERSIONS = (
    ("minute", "second", 60), ("hour", "minute", 60), ("year", "month", 12), ("year", "week", 52),
    ("year", "quarter", 4), ("quarter", "month", 3), ("kg", "g", 1000), ("t", "kg", 1000), ("kw", "w", 1000),
    ("l", "ml", 1000), ("km", "m", 1000),
)
#: What the problem must not say: a sum, a difference, a comparison, a share or a rounding this module cannot
#: see in units alone ("last week" only dates the figures).
_NOT_A_PRODUCT = re.compile(
    r"\+|\bplus\b|\bminus\b|\bless\b|\bdeduct|\bsubtract|\bleft\b|\bremain|\brest\b|\bafter\b|\bexcept\b|"
    r"\bextra\b|\bthen\b|\bbut\b|\bor\b|\bvs\.?\b|\bversus\b|\bcompar|\bdifference\b|\bsave|\bcheaper\b|"
    r"\bmore than\b|\bmore\b|\bfewer\b|\bsplit|\bshare|\bbetween\b|\beach way\b|\bround trip\b|\breturn\b|"
    r"\bthere and back\b|\bdiscount|\boff\b|\bvat\b|\btax\b|\bincl(?!\w*\s+(?:the\s+)?weekends?)|\bexcl|"
    r"(?<!round )(?<!round it )(?<!add )(?<!adds )\b(?:up|down)\b|\bround(?!\s+the\s+clock|\s+(?:it\s+)?(?:up|down)\b)|"
    r"\bcapped\b|\bcap\b|\blimit\b|\bbudget\b|\btarget\b|\bgoal\b|\bfirst\b|"
    r"(?<!it )(?<!they )\blast\b(?!\s+(?:week|wk|month|mth|year|yr|quarter|night)\b)|"
    r"\bthe same\b|\bpace\b|"
    r"\bdecimals?\b|\bdp\b|%")
_STOP = frozenset({"at", "for", "of", "and", "per", "a", "an", "each", "every", "x", "in", "on", "with", "to", "from",
                   "by", "over", "is", "are", "was", "the", "my", "our", "we", "i", "it", "that", "this", "so", "how",
                   "what", "whats", "if", "when", "pls", "please", "total", "into", "than", "about", "around",
                   "approx", "roughly", "all", "get", "takes", "take", "do", "does", "did", "be", "will", "plus"})
_SKIPPED = r"(?:working|full|calendar|business|whole|billable|focus|full-time|part-time|single|double|extra|" \
           r"productive|effective)\s+"
MONEY_ASKED = r"\b(?:cost|costs|price|pay|paid|spend|charge|charges|worth|bill|owe|owed|claim|fee|fees|wage|" \
               r"salary|gross|make|earn|earns|how much|much|hourly)\b"
_QUESTION = r"\?|\bhow\b|\bwhat|\btotal\b|\bin all\b|\bpls\b|\bplease\b|" + MONEY_ASKED
_TIME_ASKED = r"\bhow long\b|\bduration\b"
#: What a figure is for each of the things counted before it: "14 containers, each one takes 75 min".
_EACH_TAKES = re.compile(r"\b(?:each|every)(?:\s+one|\s+(?P<thing>[a-z]+))?\s+(?:takes?|is|lasts?|needs?|holds?|"
                         r"weighs?|costs?|has|gets?|does|closes|handles|picks|makes|processes|packs|answers|uses|"
                         r"requires|consumes|contains)\s+"
                         r"(?:about\s+|around\s+|roughly\s+|approx\.?\s+)?$")
#: Whole things enough for the need ("how many boxes to order", "min number of trips"), or the most that fit.
_ENOUGH = r"\b(?:need|needed|order|enough|at least|min(?:imum)? (?:number|no\.?)|whole \w+ only|cover|" \
          r"round(?:ed)? (?:it )?up|part(?:ial)? \w+ (?:still )?counts?)\b"
_AT_MOST = r"\b(?:max(?:imum)? (?:number|no\.?)|at most|fit|full \w+ only|how many full|round(?:ed)? (?:it )?down)\b|" \
           r"\bmax\b(?! \d)"
#: What a figure is for one of the things a word before it names: "our standard day is 7.6 hrs", "reams are 500
#: sheets", "full time = 40h".
_ONE_IS = re.compile(r"(?:^|[,.;:]\s*|\b(?:a|an|one|each|every|our|the|my|standard|normal|working|full)\s+)"
                     r"([a-z]+)\s+(?:is|are|=|has|holds|takes|lasts|makes|fills|serves|yields)\s+"
                     r"(?:about\s+|around\s+)?$")
#: The things `_ONE_IS` reads as "per": units of time and what holds other things ("a full pallet is 40 cartons").
_ONE_OF = r"(?:day|week|month|shift|year|hour|pallet|plt|ream|box|pack|carton|ctn|crate|case|bag|roll|tray|layer|" \
          r"sheet|bottle|can|tin|tube|plate|kit|batch|run)s?"
#: Things sold or held so many together: "tips come in racks of 96", "badges only come in packs of 50".
_COMES_IN = re.compile(r"\b([a-z]+)\s+(?:only\s+)?(?:come|comes|are sold|is sold|ship|are shipped|are delivered)"
                       r"\s+in\s+([a-z]+)\s+of\s+$")
#: What a figure is for each of the previous one's things: "1 kg of beans makes 120 cups".
_MAKES = re.compile(r"^\s*[a-z]+(?:\s+of\s+[a-z]+)?\s+(?:makes|yields|gives|covers|fills|serves)\s+$")
#: A figure's unit, as powers of unit names ({"money": 1, "hour": -1} for "eur/hr"), and the thing it counts.
Unit = tuple[Counter, str]
_PERSON_UNIT = re.compile(r"\b(?:person|man|staff|people)[\s-]?(hours?|hrs|days?|minutes?|mins)\b")


def unit_product(text: str, figures: list[Figure]) -> str | None:
    """The figures of `text` multiplied and divided into the unit the question asks for, when exactly one way of
    doing so gives it; None otherwise (see the module's docstring)."""
    if not 2 <= len(figures) <= 6 or any(f.percent or not f.value for f in figures) or _NOT_A_PRODUCT.search(text):
        return None
    units = []
    for index in range(len(figures)):
        unit = unit_of(text, figures, index, units)
        if unit is None:
            return None
        units.append(unit)
    if not any(unit.get("money") for unit, _ in units) and has(MONEY_ASKED + r"|\btotal\b", text):
        bare = [index for index, (unit, _) in enumerate(units) if unit and all(value < 0 for value in unit.values())]
        if len(bare) == 1:  # "electricity is 0.25 per kWh ... the cost": the one bare rate is the money
            units[bare[0]][0]["money"] += 1
    asked = asked_unit(text, figures, units)
    if asked is None:
        return None
    found = products(figures, units, asked, conversions_allowed(text, units))
    if len(found) != 1:
        return None
    [(expression, value)] = found
    counted = [name for name, power in asked.items() if power > 0 and name not in _MEASURES]
    if abs(value - round(value)) < 1e-9:
        return expression
    if has(r"\bhow many full\b", text):  # "how many full weeks will it last": the weeks it lasts whole
        return f"floor({expression})"
    if not counted:
        return expression
    up, down = has(_ENOUGH, text), has(_AT_MOST, text)  # 13.6 boxes: 14 to order, 84.5 desks: 84 fit
    return None if up == down else f"{'ceiling' if up else 'floor'}({expression})"


def products(figures: list[Figure], units: list[Unit], asked: Counter,
              conversions: list[tuple[str, str, int]]) -> set[tuple[str, float]]:
    """Every way of multiplying or dividing by each of `figures` once (the first multiplied) whose units come out
    as `asked`, as (expression, value). A way whose conversion undoes one of the figures is none: "54k/yr ... paid
    in 12 months" is no 54000*12/12, the 12 restates a year's months."""
    found = set()
    for signs in itertools.product((1, -1), repeat=len(figures)):
        if all(sign < 0 for sign in signs):
            continue
        left = Counter()
        for sign, (unit, _) in zip(signs, units, strict=True):
            for name, power in unit.items():
                left[name] += sign * power
        for name, power in asked.items():
            left[name] -= power
        factor = _converted(+left, -left, conversions)
        if factor is not None and not any(figure.value == (factor.denominator if sign > 0 else factor.numerator) != 1
                                          for figure, sign in zip(figures, signs, strict=True)):
            found.add((_written(figures, signs, factor), _value(figures, signs, factor)))
    return found


def _value(figures: list[Figure], signs: tuple[int, ...], factor: Fraction) -> float:
    """What the expression `_written` writes comes to."""
    value = float(factor)
    for figure, sign in zip(figures, signs, strict=True):
        value = value * figure.value if sign > 0 else value / figure.value
    return value


def unit_of(text: str, figures: list[Figure], index: int, units: list[Unit]) -> Unit | None:
    """The unit of the figure at `index` and the word it counts ("" for none), or None where it has no unit or
    what it is per is unclear."""
    figure = figures[index]
    unit, counted = Counter(), ""
    if (held := _COMES_IN.search(text[max(0, figure.start - 60): figure.start])) is not None:
        return Counter({_singular(held.group(1)): 1, _singular(held.group(2)): -1}), _singular(held.group(1))
    if _CURRENCY_BEFORE.search(text[max(0, figure.start - 6): figure.start]):
        unit["money"] += 1
    rest = text[figure.end: figures[index + 1].start if index + 1 < len(figures) else len(text)]
    position = 0
    if (currency := _CURRENCY_AFTER.match(rest)) is not None:
        unit["money"] = 1
        position = currency.end()
    if every := re.match(r"\s*(pm|pa)\b", rest[position:]):  # "$109 pm", "4,200 pa": a month, a year (clock
        unit["month" if every.group(1) == "pm" else "year"] -= 1  # times are read apart)
        position += every.end()
    elif unit["money"] == 0 and (word := re.match(rf"\s*-?\s*(?:{_SKIPPED})?([a-z]+[2²]?)(?![a-z\d])", rest)) and \
            word.group(1) not in _STOP:
        if word.group(1) == "pp":  # "£45 pp": per person
            unit["person"] -= 1
        elif (noun := re.match(r"\s+([a-z]{3,}s)\b", rest[word.end():])) and not word.group(1).endswith("s") and \
                noun.group(1) not in _STOP and not re.fullmatch(_UNIT_WORDS, word.group(1)) and \
                not re.fullmatch(_UNIT_WORDS, noun.group(1)):
            counted = _singular(noun.group(1))  # "24 water bottles", "4 lab freezers": the things are the last word
            unit[counted] += 1
            position = word.end() + noun.end()
        else:
            counted = _singular(word.group(1))
            unit.update(_named(word.group(1)))
            position = word.end()
            if re.fullmatch(_UNITS["hour"], word.group(1)) and \
                    (of := re.match(r"\s*(day|shift|week)\b(?!\s*(?:rate|pass|ticket))", rest[position:])) or \
                    re.fullmatch(_UNITS["day"], word.group(1)) and (of := re.match(r"\s*(week)\b", rest[position:])):
                unit.subtract(_named(of.group(1)))  # "an 8hr day", "a full 5-day week": hours a day, days a week
                position += of.end()
    previous = units[index - 1][1] if index else ""
    while per := re.match(r"\s*(?:(?:on|in|for)\s+(?=each\b|every\b))?(/|per\b|a\b|an\b|every\b|each\b)\s*"
                          r"([a-z]+[2²]?)?", rest[position:]):  # "36 boxes on each pallet"
        marker, word = per.group(1), per.group(2)
        if marker == "each" and (word is None or word in _STOP or word.endswith("ing")):  # "9 W each": per lamp
            if not previous:
                return None
            unit.subtract(_named(previous))
            break
        if word is None or word in _STOP:
            return None
        unit.subtract(_named(word))
        position += per.end()
        if every := re.match(r"\s*(p/?m|p/?a)\b", rest[position:]):  # "29.90 per user p/m": and a month
            unit["month" if "m" in every.group(1) else "year"] -= 1
            position += every.end()
    between = text[figures[index - 1].end: figure.start] if index else text[: figure.start]
    counts_things = previous and not set(_named(previous)) & _MEASURES
    each = _EACH_TAKES.search(between)
    thing = each.group("thing") if each is not None and each.group("thing") not in _STOP else None
    if thing and unit and not unit["money"] and not set(_named(thing)) & set(unit):
        unit.subtract(_named(thing))  # "each gel uses 1.2 g": per gel
    elif previous and unit and not unit["money"] and not any(unit[name] < 0 for name in _named(previous)) and (
            counts_things and re.fullmatch(r"\s*[a-z]+\s+(?:x|×|of)\s*", between) or
            each is not None or _MAKES.match(between)):
        unit.subtract(_named(previous))  # "3 shifts x 8 hrs", "14 containers, each one takes 75 min": per the one
    elif unit and (one := _ONE_IS.search(between)) and re.fullmatch(_ONE_OF, one.group(1)) and \
            not set(_named(one.group(1))) & set(unit):
        unit.subtract(_named(one.group(1)))  # "our standard day is 7.6 hrs": hours per day
    if adjective := re.match(rf"\s*{_ADJECTIVE}", rest):
        unit[_ADJECTIVES[adjective.group(1)]] -= 1
    elif rated := re.search(r"\b(day|daily|hour|hourly|week|weekly|month|monthly)\s+rate\s+(?:is\s+|of\s+|=\s*)?"
                            r"(?:€|£|\$|eur\s+)?$", text[max(0, figure.start - 30): figure.start]):
        unit.subtract(_named(rated.group(1)))  # "her day rate is £520": money a day
    unit = Counter({name: power for name, power in unit.items() if power})
    return (unit, counted) if unit else None


def asked_unit(text: str, figures: list[Figure], units: list[Unit]) -> Counter | None:
    """The unit the question asks for, read in the last sentence or clause, else in the words before the first
    figure, else in the last clause that asks ("how many pallets do we need, a part pallet counts as one")."""
    clauses = [part for part in re.split(r"(?<=[.?!;,:])\s+|\s+-\s+", text.strip()) if re.search(r"[a-z]", part)]
    if clauses and has(_QUESTION, clauses[-1]):
        last = clauses[-1]
        asks = [m.start() for m in re.finditer(ASKS, last)]
        if asks and re.search(r"\d", last[: asks[-1]]):  # "7.5 hrs a day at $140/hr whats a full 5-day week worth"
            last = last[asks[-1]:]
        return _asked_in(last, units)
    asking = next((clause for clause in reversed(clauses) if has(_QUESTION, clause)), "")
    return _asked_in(text[: figures[0].start], units) or _asked_in(asking, units)  # "how much for coaches: 187 ..."


def _asked_in(question: str, units: list[Unit]) -> Counter | None:
    """The unit `question` asks for; None when it names none."""
    asked = Counter()
    if person := _PERSON_UNIT.search(question):
        asked.update({"person": 1, **_named(person.group(1))})
    elif many := re.search(rf"\b(?:how many|number of|no\.? of)\s+(?:more\s+)?(?:{_SKIPPED})?([a-z]+)", question):
        asked.update(_named(many.group(1)))
    elif unit := re.search(rf"\b(?:in|into)\s+({_UNIT_WORDS})\b", question):
        asked.update(_named(unit.group(1)))
    elif has(_TIME_ASKED, question):
        times = {name for unit, _ in units for name in unit if name in ("second", "minute", "hour", "day", "week")}
        if len(times) != 1:
            return None
        asked[times.pop()] += 1
    elif has(MONEY_ASKED + r"|\btotal\b", question) and any(unit.get("money") for unit, _ in units):
        asked["money"] += 1
    elif unit := re.search(rf"\b({_UNIT_WORDS})\b(?<=\w\w)", question):
        asked.update(_named(unit.group(1)))
    else:
        return None
    not_a_unit = r"(?!(?:per|a|an|each|every)\b)"  # "how much cheaper is a per year": per year
    for per in re.finditer(rf"(?:\b(?:per|a|an|each|every)\s+|/\s*)(?!{_SKIPPED})({_UNIT_WORDS}|{not_a_unit}[a-z]+)\b",
                           question):
        if per.group(1) not in _STOP:
            for name, power in _named(per.group(1)).items():
                asked[name] -= power
    for adjective in re.finditer(_ADJECTIVE, question):
        if asked[_ADJECTIVES[adjective.group(1)]] >= 0:  # "save per year by going annual": per year once
            asked[_ADJECTIVES[adjective.group(1)]] -= 1
    return asked


def conversions_allowed(text: str, units: list[Unit]) -> list[tuple[str, str, int]]:
    """The conversions the request allows, as (unit, smaller unit, how many of it): `_CONVERSIONS`, a day of 24
    hours round the clock, a week of 7 or 5 days where the request says which, and each through one unit between."""
    conversions = list(_CONVERSIONS)
    if has(_ROUND_THE_CLOCK, text):
        conversions.append(("day", "hour", 24))
    calendar = has(_EVERY_DAY, text) or has(_CHARGED_DAILY, text) and \
        any(unit.get("money", 0) > 0 and unit.get("day", 0) < 0 for unit, _ in units)
    weekdays = has(_WEEKDAYS, text)
    if calendar != weekdays:  # a week is 7 days, or 5 when only weekdays count; both said: unclear
        conversions.append(("week", "day", 7 if calendar else 5))
    for big, middle, many in list(conversions):  # and through one unit between: a week is 7 * 24 hours
        conversions += [(big, small, many * more) for other, small, more in list(conversions) if other == middle]
    return conversions


def _converted(over: Counter, under: Counter, conversions: list[tuple[str, str, int]]) -> Fraction | None:
    """What the product is multiplied by to cancel the units `over` (left above the line) against `under` by
    `conversions`; None when some unit is left."""
    factor = Fraction(1)
    over, under = Counter(over), Counter(under)
    for big, small, many in conversions:
        while over[big] > 0 and under[small] > 0:  # weeks over days: times the days in a week
            factor *= many
            over[big], under[small] = over[big] - 1, under[small] - 1
        while over[small] > 0 and under[big] > 0:
            factor /= many
            over[small], under[big] = over[small] - 1, under[big] - 1
    return factor if not +over and not +under else None


def _written(figures: list[Figure], signs: tuple[int, ...], factor: Fraction) -> str:
    """The expression: the figures multiplied in, those divided by after a "/", then the conversion."""
    above = [f.text for f, sign in zip(figures, signs, strict=True) if sign > 0]
    below = [f.text for f, sign in zip(figures, signs, strict=True) if sign < 0]
    if factor.numerator != 1:
        above.append(str(factor.numerator))
    if factor.denominator != 1:
        below.append(str(factor.denominator))
    expression = "*".join(above)
    return expression + "".join(f"/{text}" for text in below)


def _named(word: str) -> Counter:
    """A word as powers of unit names: "hrs" is hour, "kwh" kW times hour, "plts" a plt counted."""
    if word == "kwh":
        return Counter({"kw": 1, "hour": 1})
    if word in ("m2", "sqm", "m²"):
        return Counter({"m": 2})
    if word in _ADJECTIVES:
        return Counter({_ADJECTIVES[word]: 1})
    if re.fullmatch(r"(?:mon|tues|wednes|thurs|fri|satur|sun)days?", word):  # "every tuesday": once a week
        return Counter({"week": 1})
    if re.fullmatch(r"weekdays?|working days?|workdays?", word):
        return Counter({"day": 1})
    for name, pattern in _UNITS.items():
        if re.fullmatch(pattern, word):
            return Counter({name: 1})
    return Counter({_singular(word): 1})


def measure_after(text: str, figure: Figure) -> str | None:
    """The unit of measure written right after `figure` ("320 m²": m^2, "5 l tins": l); None for a thing counted
    ("2 coats") or none."""
    word = re.match(r"\s*(m²|m2|sqm|[a-z]+)\b", text[figure.end:])
    if word is None:
        return None
    named = _named(word.group(1))
    return ",".join(f"{name}^{power}" for name, power in sorted(named.items())) \
        if set(named) <= _MEASURES else None


def _singular(word: str) -> str:
    """A counted word without its plural ending: "boxes" -> "box", "plts" -> "plt", "batteries" -> "battery"."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if re.search(r"(?:s|x|ch|sh)es$", word):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 2 else word
