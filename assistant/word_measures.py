"""Word problems about stock, travel and things measured, composed into a calculator expression for
`assistant.word_problems.composed_expression`: the time a distance takes at a speed, the days a stock lasts at
a rate of use, full packs of a quantity and what is left over, an area or a volume and its cost, a load's weight
in tonnes, straight-line depreciation and a percentage on the part of an amount above a threshold. Each shape
returns None unless the request is that shape and every figure it states has its place.
"""

from __future__ import annotations

import re
from fractions import Fraction
from itertools import pairwise

from assistant.word_cues import clause, fraction, has, split_percents
from assistant.word_figures import Figure, read_figures, scaled

#: A speed: "76 km/h", "36 kmh", "50 mph", "80 km per hour", "60 kilometres an hour".
SPEED = re.compile(r"(\d+(?:\.\d+)?)\s*(?:km\s*/\s*h(?:r|our)?|kmh|kph|mph|(?:km|kilomet(?:re|er)s?|miles?)\s+"
                   r"(?:per|an|a)\s+(?:hour|hr|h))\b")
_MINUTES_ASKED = r"\bhow many min(?:ute)?s\b|\bin min(?:ute)?s\b|\bmin(?:ute)?s (?:till|until|away|to go|before|left)\b"
_DISTANCE = r"^\s*(?:km|kilomet(?:re|er)s?|miles?|mi)\b"
#: A rate of use per day or week: "740 L per day", "85 units a day", "120/day", "about 30 pallets daily".
_PER_DAY = r"^\s*(?:[a-z]+\s+){0,5}?(?:(?:per|a|an|each|every|/)\s*(?:day|week)\b|daily\b|weekly\b)"
_LASTS = r"\b(?:how many (?:days|weeks)|days? of (?:cover|stock|supply)|(?:how long|when)\b[^.?!]*\b" \
         r"(?:last|run out|cover)|cover\b)"
#: Whole packs asked for ("how many full boxes"), or what is left after them ("how many pens are left over").
_FULL = re.compile(r"\bhow many (?:full|complete|whole|entire) ([a-z]+)")
_LEFT_OVER = r"\b(?:left over|leftover|left|remain(?:ing)?|spare)\b"
#: A length in metres or centimetres: "7.5 m", "0.95 m high", "60 cm".
_LENGTH = r"^\s*(?:m|metres?|meters?|cm)\b(?!\s*(?:/|per)\b)"
_AREA_PRICE = r"^\s*(?:eur|euros?|€|usd|\$|gbp|£)?\s*(?:per|a|an|/)\s*(?:m2|m²|sq\.?\s*m|sqm|square met(?:re|er))"
#: A threshold an amount is above: "sales above 50k", "anything over 40 hrs" (the words just before the figure).
_ABOVE = r"\b(?:above|over|beyond|exceeding|in excess of|more than)\s*(?:eur|euros?|€|usd|\$|gbp|£)?\s*$"
#: Units of mass in grams, by their short names (`_mass_unit`).
_GRAMS = {"g": 1, "kg": 1000, "t": 1000000}
_MASS = r"(g|grams?|kg|kilos?|kilograms?|t|tonnes?|tons?)"
#: Units of time in seconds by their first letter, as a duration or a rate writes them ("mins", "hrs", "h", "wks").
_SECONDS_IN = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_TIME_UNIT = r"^\s*(?:working\s+|calendar\s+)?(mins?|minutes?|hours?|hrs?|h|days?|weeks?|wks?)\b"


def travel_time(text: str, figures: list[Figure]) -> str | None:
    """The hours a distance takes at a speed ("342 km left, averaging 76 km/h, how many hours"), or the minutes
    when they are asked for ("27 km out, doing 36 km/h, how many minutes till it gets here"), with a break on
    the way ("needs a 45 min break on the way")."""
    speeds = list(SPEED.finditer(text))
    if len(speeds) != 1:
        return None
    speed = speeds[0]
    rest = [f for f in figures if not speed.start() <= f.start < speed.end()]
    stops = [f for f in rest
             if re.match(r"^\s*(?:mins?|minutes)\b[^.?!,]{0,15}\b(?:break|stop|pause|rest)", text[f.end:])]
    rest = [f for f in rest if f not in stops]
    if len(rest) != 1 or len(stops) > 1 or rest[0].percent or not re.match(_DISTANCE, text[rest[0].end:]):
        return None
    hours = f"{rest[0].text}/{speed.group(1)}" + (f" + {stops[0].text}/60" if stops else "")
    if has(_MINUTES_ASKED, text):
        return f"({hours})*60" if stops else f"{hours}*60"
    return hours if has(r"\bhow (?:many (?:hours|hrs)|long)\b|\bin (?:hours|hrs)\b|\bhours\b|\beta\b", text) else None


def stock_cover(text: str, figures: list[Figure]) -> str | None:
    """The days or weeks a stock lasts at a rate of use ("18,500 L in the tank, we average 740 L per day, days
    of cover?"): the stock over the rate."""
    percents, amounts = split_percents(figures)
    if percents or len(amounts) != 2 or not has(_LASTS, text):
        return None
    rates = [(f, per) for f in amounts if (per := re.match(_PER_DAY, text[f.end:]))]
    if len(rates) != 1:
        return None
    [(rate, per)] = rates
    asked = re.search(r"\bhow many (day|week)s\b", text)
    if asked is not None and asked.group(1) not in per.group(0):
        return None  # weeks asked of a rate per day
    stock = next(f for f in amounts if f is not rate)
    return f"{stock.text}/{rate.text}"


def full_packs(text: str, figures: list[Figure]) -> str | None:
    """How many full packs a quantity fills at so many to a pack ("2,350 screws, 120 to a box, how many full
    boxes"), rounded down; or what is left over after them ("1000 pens into packs of 24, after as many full
    packs as we can, how many pens are left over")."""
    percents, amounts = split_percents(figures)
    full = _FULL.search(text)
    leftover = has(r"\bfull\b|\bas many\b", text) and has(r"\bhow many\b[^.?!]*" + _LEFT_OVER, text)
    if percents or len(amounts) != 2 or (full is None and not leftover):
        return None
    measures = [re.match(r"\s*([µμ]l|ul|ml|l|litres?|mg|g|kg|mm|cm|m|km)\b", text[f.end:]) for f in amounts]
    if all(measures) and len({measure.group(1) for measure in measures}) > 1:
        return None  # "each assay uses 35 µl ... the kit has 10 ml": units apart, which this shape does not convert
    size, quantity = sorted(amounts, key=lambda figure: figure.value)
    packs = f"floor({quantity.text}/{size.text})"
    return f"{quantity.text} - {size.text}*{packs}" if leftover and full is None else packs


def area_or_volume(text: str, figures: list[Figure]) -> str | None:
    """An area ("7.5 m by 6.4 m") or a volume ("1.2 m long, 0.8 m wide and 0.95 m high") in the unit its
    lengths are in, and its cost where a price per square metre is stated ("carpet is 32 per m2")."""
    percents, amounts = split_percents(figures)
    fees = [f for f in amounts if has(r"\b(?:flat|fitting|installation|delivery|call-?out)\b", clause(text, figures, f))
            and has(r"\b(?:plus|and|\+)\b[^.?!\d]*$|\+\s*$", text[:f.start])]
    if len(fees) == 1 and len(amounts) > 2:  # "carpet 23.50 €/m2 plus 180 flat fitting fee": added once
        area = area_or_volume(text[: fees[0].start] + " " * (fees[0].end - fees[0].start) + text[fees[0].end:],
                              [f for f in figures if f is not fees[0]])
        return None if area is None or "*" not in area else f"{area} + {fees[0].text}"
    measured = [(f, unit) for f in amounts if (unit := re.match(_LENGTH, text[f.end:]))]
    lengths = [f for f, _ in measured]
    prices = [f for f in amounts if re.match(_AREA_PRICE, text[f.end:])]
    units = {unit.group(0).strip()[:1] for _, unit in measured}
    if percents or len(lengths) not in (2, 3) or len(lengths) + len(prices) != len(amounts) or len(prices) > 1 or \
            len(units) != 1:
        return None
    product = "*".join(f.text for f in lengths)
    if len(lengths) == 2 and prices:
        return f"{product}*{prices[0].text}" if units == {"m"} else None
    if len(lengths) == 2 and has(r"\b(?:area|square met(?:re|er)s?|m2|m²|sqm|sq\.? ?m|floor space)\b", text):
        return product
    if len(lengths) == 3 and not prices and has(r"\b(?:volume|cubic|m3|m³|cbm)\b", text):
        if has(r"\b(?:in|how many)\s+(?:litres|liters|l)\b", text):  # a cubic metre is 1000 litres, a litre 1000 cm3
            return {"m": f"{product}*1000", "c": f"{product}/1000"}.get(units.pop())
        return f"{product}/1000000" if units == {"c"} and has(r"\bcubic met|\bm3\b|\bm³|\bcbm\b", text) else product
    return None


def load_weight(text: str, figures: list[Figure]) -> str | None:
    """A load's weight in tonnes from a count at so many kilograms or grams each ("640 bags of cement at 25 kg
    each, how many tonnes", "2,400 bags of 750 g each"): everything multiplied, over 1000 or a million."""
    percents, amounts = split_percents(figures)
    each = [(f, unit) for f in amounts if (mass := re.match(rf"^\s*{_MASS}\b", text[f.end:])) and
            (unit := _mass_unit(mass.group(1))) != "t"]
    if percents or len(amounts) not in (2, 3) or len(each) != 1 or \
            not has(r"\b(?:how many|in|into) (?:tonnes|tons|t)\b|\btonnes is\b|\btons is\b", text) or \
            has(r"\b(?:tonnes?|tons?|t)\b", text[:each[0][0].start]):
        return None
    return f"{'*'.join(f.text for f in amounts)}/{_GRAMS['t'] // _GRAMS[each[0][1]]}"


def depreciation(text: str, figures: list[Figure]) -> str | None:
    """Straight-line depreciation per year (or month when asked) of a cost over a life in years, less a resale
    or residual value where one is stated ("forklift cost 38,000, life 8 years, resale value 6,000 at the
    end")."""
    percents, amounts = split_percents(figures)
    if percents or not has(r"\bdepreciat", text) or len(amounts) not in (2, 3):
        return None
    years = [f for f in amounts if re.match(r"^\s*(?:years?|yrs?)\b", text[f.end:])]
    residual = [f for f in amounts if has(r"\b(?:resale|residual|salvage|scrap|sell(?:s|ing)? (?:it )?for|"
                                          r"worth|sold for)\b", text[max(0, f.start - 30):f.start])]
    if len(years) != 1 or len(residual) > 1 or len(years) + len(residual) + 1 != len(amounts):
        return None
    cost = next(f for f in amounts if f not in years and f not in residual)
    value = f"({cost.text} - {residual[0].text})" if residual else cost.text
    months = "*12" if has(r"\bper month\b|\ba month\b|\bmonthly\b", text) else ""
    return f"{value}/({years[0].text}{months})" if months else f"{value}/{years[0].text}"


def above_threshold(text: str, figures: list[Figure]) -> str | None:
    """A percentage on the part of an amount above a threshold ("5% commission on monthly sales above 50k, she
    sold 73,400"): the amount less the threshold, times the percentage."""
    percents, amounts = split_percents(figures)
    if len(percents) != 1 or len(amounts) != 2:
        return None
    thresholds = [f for f in amounts if has(_ABOVE, text[:f.start])]
    if len(thresholds) != 1:
        return None
    amount = next(f for f in amounts if f is not thresholds[0])
    if amount.value <= thresholds[0].value:
        return None
    return f"({amount.text} - {thresholds[0].text})*{fraction(percents[0])}"



def mixed_durations(text: str, figures: list[Figure]) -> str | None:
    """Durations in several units of time added up in the unit asked for ("6 wks production, then 9 days transit
    and 3 days customs clearance, total lead time in days")."""
    asked = re.search(r"\b(?:in|how many|total|of)\s+(minutes|hours|days|weeks)\b", text)
    units = [re.match(_TIME_UNIT, text[f.end:]) for f in figures]
    if asked is None or len(figures) < 2 or any(f.percent for f in figures) or None in units or \
            has(r"\b(?:daily|weekly|monthly|a (?:day|week|month)|per (?:day|week|month))\b|"
                r"\bhow many \w+ (?:a|per)\b", text):
        return None  # "daily standup is 15 minutes, 5 days a week, how many hours a week": rates, no sum
    names = [unit.group(1) for unit in units if unit is not None]
    if len({_SECONDS_IN[name[0]] for name in names}) < 2 or any(
            not has(r"\b(?:and|then|plus)\b|[,+]", text[a.end:b.start]) or
            has(r"\b(?:is|are|per|a|an|each|every|for|at|of)\b|/", text[a.end:b.start])
            for a, b in pairwise(figures)):
        return None  # "3.5 days if our standard day is 7.6 hrs", "7.5 hrs a day for 4 days" are no sums
    target = _SECONDS_IN[asked.group(1)[0]]
    terms = []
    for figure, name in zip(figures, names):
        ratio = Fraction(_SECONDS_IN[name[0]], target)
        terms.append(figure.text if ratio == 1 else scaled(figure.text, ratio))
    return " + ".join(terms)


def after_free(text: str, figures: list[Figure]) -> str | None:
    """A charge per day after so many free ones ("at the port 11 days, first 5 are free then 85 eur/day"): the
    days past the free ones times the rate."""
    percents, amounts = split_percents(figures)
    free = [f for f in amounts if has(r"\bfirst\s*$", text[max(0, f.start - 12):f.start]) and
            re.match(r"^\s*(?:[a-z]+\s+){0,2}?(?:are|is)?\s*free\b", text[f.end:])]
    rates = [f for f in amounts if re.match(r"^\s*(?:eur|euros?|€|usd|\$|gbp|£)?\s*(?:/|per|a)\s*"
                                            r"(?:day|night|hour|hr|week|month)\b", text[f.end:])]
    if percents or len(amounts) != 3 or len(free) != 1 or len(rates) != 1 or free[0] is rates[0]:
        return None
    total = next(f for f in amounts if f is not free[0] and f is not rates[0])
    return f"({total.text} - {free[0].text})*{rates[0].text}"


def per_person_hour(text: str, figures: list[Figure]) -> str | None:
    """A total of work per person per hour, over people working so many hours ("6 pickers on a 7.5 hr shift did
    3420 lines, lines per person per hour"), less a break each takes in minutes ("each takes a 30 min break")."""
    if not has(r"\bper (?:person|picker|head|driver|worker|agent|employee|operator|[a-z]+er) per (?:hour|hr|h)\b",
               text):
        return None
    percents, amounts = split_percents(figures)
    hours = [f for f in amounts if re.match(r"^\s*-?\s*(?:hours?|hrs?|h)\b", text[f.end:])]
    breaks = [f for f in amounts
              if re.match(r"^\s*(?:mins?|minutes?)\b[^.?!,]{0,15}\b(?:break|pause|lunch)", text[f.end:])]
    rest = [f for f in amounts if f not in hours and f not in breaks]
    if percents or len(hours) != 1 or len(breaks) > 1 or len(rest) != 2:
        return None
    people, work = sorted(rest, key=lambda figure: figure.value)
    shift = f"({hours[0].text} - {breaks[0].text}/60)" if breaks else hours[0].text
    return f"{work.text}/({people.text}*{shift})"


def written_size(text: str) -> str | None:
    """A size written as a product: the volume of so many boxes ("250 ctns, each one 60x40x35 cm, total m3"), in
    cubic metres when asked, from centimetres or metres; or an area in metres at a price per square metre ("1.25
    per square metre per visit, the floor is 42m x 18m")."""
    box = re.search(r"(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*(cm|m)\b", text)
    if box is not None and has(r"\b(?:m3|m³|cbm|cubic met(?:re|er)s?|volume)\b", text):
        rest = read_figures(text[: box.start()] + " " + text[box.end():])
        if len(rest) > 1 or any(f.percent for f in rest):
            return None
        volume = "*".join(box.group(1, 2, 3)) + ("/1000000" if box.group(4) == "cm" else "")
        return f"{rest[0].text}*{volume}" if rest else volume
    floor = re.search(r"(\d+(?:\.\d+)?)\s*m?\s*(?:x|×|by)\s*(\d+(?:\.\d+)?)\s*m\b(?!\s*[x×])", text)
    if box is not None or floor is None:
        return None
    rest = read_figures(text[: floor.start()] + " " + text[floor.end():])
    if len(rest) != 1 or rest[0].percent or not re.match(_AREA_PRICE, text[rest[0].end:]):
        return None
    return f"{floor.group(1)}*{floor.group(2)}*{rest[0].text}"


def reorder_point(text: str, figures: list[Figure]) -> str | None:
    """A reorder point: the use per day over the lead time in days, plus the safety stock ("uses 85 a day, lead
    time 12 days, we hold 300 safety stock")."""
    percents, amounts = split_percents(figures)
    if percents or not has(r"\breorder (?:point|pt|level)\b|\brop\b", text) or len(amounts) not in (2, 3):
        return None
    use = [f for f in amounts if re.match(_PER_DAY, text[f.end:]) or
           has(r"\bdaily (?:usage|use|demand|sales)\s*(?:is|of)?\s*$", text[:f.start])]
    lead = [f for f in amounts if re.match(r"^\s*(?:working\s+)?days?\b", text[f.end:]) and
            has(r"\blead\b", text[max(0, f.start - 35):f.end + 20])]
    safety = [f for f in amounts if re.match(r"^\s*(?:[a-z]+\s+){0,2}?(?:safety|buffer)\b", text[f.end:]) or
              has(r"\b(?:safety|buffer)\b[^\d,.;]{0,15}$", text[:f.start])]
    if len(use) != 1 or len(lead) != 1 or len(safety) != len(amounts) - 2 or use[0] is lead[0]:
        return None
    return f"{use[0].text}*{lead[0].text}" + (f" + {safety[0].text}" if safety else "")


def net_count(text: str, figures: list[Figure]) -> str | None:
    """A count and what came and went since ("240 ppl on jan 1, 31 leavers since then and 47 new hires, where are
    we now"): the first figure, less those who left, plus those who joined; a stock and what came in and went out
    when what is left is asked ("1240 pcs at the start, 2 deliveries of 600 came in, we shipped out 1875")."""
    percents, amounts = split_percents(figures)
    if percents or len(amounts) < 3:
        return None
    stock = has(r"\b(?:left|now|on hand|in stock)\b", text[amounts[-1].end:])
    terms = [amounts[0].text]
    index = 1
    while index < len(amounts):
        figure, before = amounts[index], text[amounts[index - 1].end: amounts[index].start]
        words = text[figure.end: figure.end + 25]
        if stock and index + 1 < len(amounts) and \
                re.fullmatch(r"\s*[a-z]+\s+of\s*", text[figure.end: amounts[index + 1].start]):
            words = text[amounts[index + 1].end: amounts[index + 1].end + 25]  # "2 deliveries of 600 pcs came in"
            figure = Figure(f"{figure.text}*{amounts[index + 1].text}", figure.start, amounts[index + 1].end, False)
            index += 1
        index += 1
        if re.match(r"^\s*(?:[a-z]+\s+)?(?:leavers?|left|quit|resigned|resignations|leaving|exits?|retired|"
                    r"retirements|fired|let go|dismissed)\b", words) or \
                stock and (re.match(r"^\s*(?:[a-z]+\s+)?(?:went|were|got) (?:out|shipped|sold|used)\b", words) or
                           has(r"\b(?:shipped|shiped|sent|sold|used|issued|picked)(?: out)?\s*$", before)):
            terms.append(f"- {figure.text}")
        elif re.match(r"^\s*(?:[a-z]+\s+)?(?:new hires?|hires?|joiners?|joined|starters?|new starters?|"
                      r"new (?:people|staff|employees))\b", words) or \
                stock and (re.match(r"^\s*(?:[a-z]+\s+)?(?:came in|arrived|were delivered|got delivered)\b", words)
                           or has(r"\b(?:received|got in|took in)\s*$", before)):
            terms.append(f"+ {figure.text}")
        else:
            return None
    return " ".join(terms)


def tiered(text: str, figures: list[Figure]) -> str | None:
    """Two percentages, one up to a threshold and one above it ("5% on the first 50k of sales, 8% on everything
    above 50k" or "above that", "she closed 82,500"): each on its part of the amount."""
    percents, amounts = split_percents(figures)
    if len(percents) == 2 and len(amounts) == 2 and \
            has(r"\b(?:above|over|beyond|after)\s+(?:that|this|it)\b|\bthe rest\b", text[percents[1].end:]):
        line, amount = amounts  # "5% on the first $50,000 and 8% on everything above that. she sold $83,500"
        low, high = percents
        if amount.value > line.value and has(r"\bfirst\b|\bup to\b", text[low.end: line.start]):
            return f"{line.text}*{fraction(low)} + ({amount.text} - {line.text})*{fraction(high)}"
        return None
    if len(percents) != 2 or len(amounts) != 3:
        return None
    values = [f.value for f in amounts]
    thresholds = [f for f in amounts if values.count(f.value) == 2]
    if len(thresholds) != 2:
        return None
    amount = next(f for f in amounts if f not in thresholds)
    low, high = percents if percents[0].start < percents[1].start else percents[::-1]
    if amount.value <= thresholds[0].value or not has(r"\bfirst\b|\bup to\b", clause(text, figures, low) +
                                                         text[low.end: thresholds[0].start]):
        return None
    line = thresholds[0].text
    return f"{line}*{fraction(low)} + ({amount.text} - {line})*{fraction(high)}"


def per_seat_period(text: str, figures: list[Figure]) -> str | None:
    """A price per user or seat a month or a year, for so many of them, in the period asked ("8.75/user/month and
    we're at 64 users, annual cost"): the price times the count, times 12 or over 12 when the period differs."""
    each = re.compile(r"^\s*(?:eur|euros?|usd|gbp)?\s*(?:/|per|a)\s*(?:user|seat|licen[cs]e|head|person|employee)\s*"
                      r"(?:/|per|a)\s*(month|mo|year|yr)\b")
    percents, amounts = split_percents(figures)
    prices = [(f, match.group(1)) for f in amounts if (match := each.match(text[f.end:]))]
    if percents or len(amounts) != 2 or len(prices) != 1:
        return None
    price, period = prices[0]
    count = next(f for f in amounts if f is not price)
    monthly = period.startswith("mo")
    if has(r"\b(?:annual|annually|yearly|per year|a year|per yr|a yr|for the year)\b", text) and monthly:
        return f"{price.text}*{count.text}*12"
    if has(r"\b(?:monthly|per month|a month|per mo)\b", text) and not monthly:
        return f"{price.text}*{count.text}/12"
    return None


def time_per_item(text: str, figures: list[Figure]) -> str | None:
    """A total time over a count of items, in the unit asked for per item ("1,240 tickets, total handle time 434
    hours, average handle time in minutes per ticket")."""
    asked = re.search(r"\bin (minutes|mins|hours|hrs|seconds|secs) per ([a-z]+?)s?\b|"
                      r"\b(minutes|mins|hours|hrs|seconds|secs) per ([a-z]+?)s?\b", text)
    percents, amounts = split_percents(figures)
    if asked is None or percents or len(amounts) != 2:
        return None
    unit, item = (asked.group(1), asked.group(2)) if asked.group(1) else (asked.group(3), asked.group(4))
    timed = [(f, m.group(1)) for f in amounts if (m := re.match(r"^\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?)\b",
                                                                text[f.end:]))]
    counted = [f for f in amounts if re.match(rf"^\s*(?:[a-z]+\s+)?{item}", text[f.end:])]
    if len(timed) != 1 or len(counted) != 1 or timed[0][0] is counted[0]:
        return None
    ratio = Fraction(_SECONDS_IN[timed[0][1][0]], _SECONDS_IN[unit[0]])
    total = timed[0][0].text if ratio == 1 else scaled(timed[0][0].text, ratio)
    return f"{total}/{counted[0].text}"



def _mass_unit(word: str) -> str:
    """A unit of mass by its short name: "tonnes" -> "t", "kilos" -> "kg"."""
    return "kg" if word.startswith("k") else "t" if word.startswith("t") else "g"


def mass_converted(text: str, figures: list[Figure]) -> str | None:
    """One mass in another unit ("3.4 t is how many kg", "convert 850 g into kg")."""
    asked = re.search(rf"\b(?:how many|in|into|to)\s+{_MASS}\b", text)
    if len(figures) != 1 or figures[0].percent or asked is None:
        return None
    unit = re.match(rf"\s*{_MASS}\b", text[figures[0].end:])
    if unit is None or _mass_unit(unit.group(1)) == _mass_unit(asked.group(1)):
        return None
    return scaled(figures[0].text, Fraction(_GRAMS[_mass_unit(unit.group(1))], _GRAMS[_mass_unit(asked.group(1))]))


def minimum_charge(text: str, figures: list[Figure]) -> str | None:
    """A rate per kg or per pallet over a quantity, with a minimum charge ("min charge is 95 eur, rate 0.18/kg,
    shipment is 420 kg"): the larger of the two."""
    percents, amounts = split_percents(figures)
    floors = [f for f in amounts if has(r"\b(?:min(?:imum)?\.?)\s*(?:charge|fee|price|rate)?\s*(?:is|of)?\s*"
                                        r"(?:eur|€|usd|\$|gbp|£)?\s*$", text[max(0, f.start - 25):f.start])]
    rates = [f for f in amounts if re.match(r"\s*(?:eur|€)?\s*(?:/|per|a)\s*(?:kg|plt|pallet|km|cbm|m3)\b",
                                            text[f.end:])]
    if percents or len(amounts) != 3 or len(floors) != 1 or len(rates) != 1 or floors[0] is rates[0]:
        return None
    quantity = next(f for f in amounts if f is not floors[0] and f is not rates[0])
    return f"max({floors[0].text}, {rates[0].text}*{quantity.text})"


def per_person_night(text: str, figures: list[Figure]) -> str | None:
    """An amount for so many nights and people, per person per night asked ("the airbnb was 1,260 for 4 nights and
    there's 5 of us, how much per person per night")."""
    if not has(r"\bper (?:person|head) per (?:night|day)\b|\bper (?:night|day) per (?:person|head)\b", text):
        return None
    percents, amounts = split_percents(figures)
    nights = [f for f in amounts if re.match(r"\s*(?:nights?|days?)\b", text[f.end:])]
    people = [f for f in amounts if re.match(r"\s*(?:people|ppl|persons|guests|of us)\b", text[f.end:]) or
              has(r"\b(?:there'?s|there are|we'?re|we are)\s*$", text[:f.start])]
    if percents or len(amounts) != 3 or len(nights) != 1 or len(people) != 1 or nights[0] is people[0]:
        return None
    amount = next(f for f in amounts if f is not nights[0] and f is not people[0])
    return f"{amount.text}/({nights[0].text}*{people[0].text})"


def tiered_count(text: str, figures: list[Figure]) -> str | None:
    """A price each for the first so many and another after them ("6.80 per parcel for the first 10 then 5.50
    for each one after that, we're sending 26"; "75 usd/day for the first 5 days over, then 120 usd/day after
    that, 9 days past free time")."""
    first = re.search(r"\bfor (?:the )?first (\d{1,3}(?:,\d{3})+|\d+)(?![\d.,])", text)
    percents, amounts = split_percents(figures)
    if first is None or percents or len(amounts) != 4 or \
            not has(r"\b(?:after that|thereafter|after those|beyond that|above that|then)\b", text[first.end():]):
        return None
    rest = [f for f in amounts if not first.start() <= f.start < first.end()]
    prices = [f for f in rest if re.match(r"\s*(?:eur|euros?|€|usd|\$|gbp|£)?\s*(?:/|per|a|an|for each|each)\b",
                                          text[f.end:])]
    if len(rest) != 3 or len(prices) != 2:
        return None
    count = next(f for f in rest if f not in prices)
    line = first.group(1).replace(",", "")
    if count.value <= int(line):
        return None
    return f"{prices[0].text}*{line} + {prices[1].text}*({count.text} - {line})"


def per_time(text: str, figures: list[Figure]) -> str | None:
    """A count done in so many hours or days, per hour or day asked ("did 540 lines in a 7.5 hr shift, lines per
    hour?"): the count over the time."""
    asked = re.search(r"\b(?:per|an?|each)\s+(hour|hr|day|week)\b|/\s*(hr|h|day)\b", text)
    percents, amounts = split_percents(figures)
    if asked is None or percents or len(amounts) != 2 or any(f.end >= asked.start() for f in amounts) or \
            not has(r"[a-z]{3,}", text[max(f.end for f in amounts):asked.start()]) or \
            not (has(r"^\s*(?:\?|$)", text[asked.end():]) or
                 has(r"\b(?:what|whats|how many|how much)\b[^.?!,]{0,25}$", text[:asked.start()])):
        return None  # "16.40/h" after a figure states a rate; the question asks for one after both figures
    unit = (asked.group(1) or asked.group(2))[0]
    spans = [f for f in amounts if re.match(r"^\s*-?\s*(?:hours?|hrs?|h)\b" if unit == "h" else
                                            rf"^\s*(?:{'days?' if unit == 'd' else 'weeks?|wks?'})\b", text[f.end:])]
    if len(spans) != 1:
        return None
    count = next(f for f in amounts if f is not spans[0])
    return f"{count.text}/{spans[0].text}"


def per_chain(text: str, figures: list[Figure]) -> str | None:
    """Counts of things each held so many to the next ("14 aisles, 36 bays per aisle and 5 levels per bay, how many
    pallet locations in total"; "8 ctns per layer, 5 layers, 24 pcs per ctn"): everything multiplied, where what is
    asked for is none of the things counted per."""
    percents, amounts = split_percents(figures)
    chained = [re.match(r"^\s*([a-z]+)\s+(?:per|a|each)\s+([a-z]+)", text[f.end:]) for f in amounts]
    pers = [match.group(2) for match in chained if match is not None]
    asked = re.search(r"\bhow many\s+([a-z]+)", text)
    if percents or len(amounts) < 3 or len(pers) < 2 or not has(r"\bhow many\b|\bin total\b|\btotal\b", text) or \
            any(not re.match(r"^\s*[a-z]+\b", text[f.end:]) for f in amounts) or \
            has(r"[€$£]|\beur\b|\bleft\b|\bneed\b|\bfree\b|\boccupied\b|\bused\b", text) or \
            (asked is not None and any(asked.group(1)[:3] == noun[:3] for noun in pers)):
        return None
    return "*".join(f.text for f in amounts)
