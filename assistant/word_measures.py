"""Word problems about stock, travel and things measured, composed into a calculator expression for
`assistant.word_problems.composed_expression`: the time a distance takes at a speed, the days a stock lasts at
a rate of use, full packs of a quantity and what is left over, an area or a volume and its cost, a load's weight
in tonnes, straight-line depreciation and a percentage on the part of an amount above a threshold. Each shape
returns None unless the request is that shape and every figure it states has its place.
"""

from __future__ import annotations

import re

from assistant.word_cues import fraction, has, split_percents
from assistant.word_figures import Figure

#: A speed: "76 km/h", "36 kmh", "50 mph", "80 km per hour", "60 kilometres an hour".
SPEED = re.compile(r"(\d+(?:\.\d+)?)\s*(?:km\s*/\s*h(?:r|our)?|kmh|kph|mph|(?:km|kilomet(?:re|er)s?|miles?)\s+"
                   r"(?:per|an|a)\s+(?:hour|hr|h))\b")
_DISTANCE = r"^\s*(?:km|kilomet(?:re|er)s?|miles?|mi)\b"
#: A rate of use per day or week: "740 L per day", "85 units a day", "120/day", "about 30 pallets daily".
_PER_DAY = r"^\s*(?:[a-z]+\s+){0,2}?(?:(?:per|a|an|each|every|/)\s*(?:day|week)\b|daily\b|weekly\b)"
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


def travel_time(text: str, figures: list[Figure]) -> str | None:
    """The hours a distance takes at a speed ("342 km left, averaging 76 km/h, how many hours"), or the minutes
    when they are asked for ("27 km out, doing 36 km/h, how many minutes till it gets here")."""
    speeds = list(SPEED.finditer(text))
    if len(speeds) != 1:
        return None
    speed = speeds[0]
    rest = [f for f in figures if not speed.start() <= f.start < speed.end()]
    if len(rest) != 1 or rest[0].percent or not re.match(_DISTANCE, text[rest[0].end:]):
        return None
    hours = f"{rest[0].text}/{speed.group(1)}"
    if has(r"\bhow many min(?:ute)?s\b|\bin min(?:ute)?s\b|\bmins?\b|\bminutes\b", text):
        return f"{hours}*60"
    return hours if has(r"\bhow (?:many hours|long)\b|\bin hours\b|\bhours\b|\beta\b", text) else None


def stock_cover(text: str, figures: list[Figure]) -> str | None:
    """The days or weeks a stock lasts at a rate of use ("18,500 L in the tank, we average 740 L per day, days
    of cover?"): the stock over the rate."""
    percents, amounts = split_percents(figures)
    if percents or len(amounts) != 2 or not has(_LASTS, text):
        return None
    rates = [f for f in amounts if re.match(_PER_DAY, text[f.end:])]
    if len(rates) != 1:
        return None
    asked = re.search(r"\bhow many (day|week)s\b", text)
    if asked is not None and asked.group(1) not in re.match(_PER_DAY, text[rates[0].end:]).group(0):  # type: ignore[union-attr]
        return None  # weeks asked of a rate per day
    stock = next(f for f in amounts if f is not rates[0])
    return f"{stock.text}/{rates[0].text}"


def full_packs(text: str, figures: list[Figure]) -> str | None:
    """How many full packs a quantity fills at so many to a pack ("2,350 screws, 120 to a box, how many full
    boxes"), rounded down; or what is left over after them ("1000 pens into packs of 24, after as many full
    packs as we can, how many pens are left over")."""
    percents, amounts = split_percents(figures)
    full = _FULL.search(text)
    leftover = has(r"\bfull\b|\bas many\b", text) and has(r"\bhow many\b[^.?!]*" + _LEFT_OVER, text)
    if percents or len(amounts) != 2 or (full is None and not leftover):
        return None
    size, quantity = sorted(amounts, key=lambda figure: figure.value)
    packs = f"floor({quantity.text}/{size.text})"
    return f"{quantity.text} - {size.text}*{packs}" if leftover and full is None else packs


def area_or_volume(text: str, figures: list[Figure]) -> str | None:
    """An area ("7.5 m by 6.4 m") or a volume ("1.2 m long, 0.8 m wide and 0.95 m high") in the unit its
    lengths are in, and its cost where a price per square metre is stated ("carpet is 32 per m2")."""
    percents, amounts = split_percents(figures)
    lengths = [f for f in amounts if re.match(_LENGTH, text[f.end:])]
    prices = [f for f in amounts if re.match(_AREA_PRICE, text[f.end:])]
    units = {re.match(_LENGTH, text[f.end:]).group(0).strip()[:1] for f in lengths}  # type: ignore[union-attr]
    if percents or len(lengths) not in (2, 3) or len(lengths) + len(prices) != len(amounts) or len(prices) > 1 or \
            len(units) != 1:
        return None
    product = "*".join(f.text for f in lengths)
    if len(lengths) == 2 and prices:
        return f"{product}*{prices[0].text}" if units == {"m"} else None
    if len(lengths) == 2 and has(r"\b(?:area|square met(?:re|er)s?|m2|m²|sqm|sq\.? ?m|floor space)\b", text):
        return product
    if len(lengths) == 3 and not prices and has(r"\b(?:volume|cubic|m3|m³|cbm)\b", text):
        return f"{product}/1000000" if units == {"c"} and has(r"\bcubic met|\bm3\b|\bm³|\bcbm\b", text) else product
    return None


def load_weight(text: str, figures: list[Figure]) -> str | None:
    """A load's weight in tonnes from a count at so many kilograms each ("640 bags of cement at 25 kg each, how
    many tonnes"): everything multiplied, over 1000."""
    percents, amounts = split_percents(figures)
    each = [f for f in amounts if re.match(r"^\s*(?:kg|kilos?|kilograms?)\b", text[f.end:])]
    if percents or len(amounts) not in (2, 3) or len(each) != 1 or \
            not has(r"\b(?:how many|in|into) (?:tonnes|tons|t)\b|\btonnes is\b|\btons is\b", text) or \
            has(r"\b(?:tonnes?|tons?|t)\b", text[:each[0].start]):
        return None
    return f"{'*'.join(f.text for f in amounts)}/1000"


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
