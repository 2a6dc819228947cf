"""Word problems of what things cost over time and in parts: consumption per 100 km, payment plans, break-even,
parts of a mix and daily allowances with reduced days.

Each shape fires on its own cue words and only when it places every figure the request states
(`assistant.word_problems` says how shapes are tried):

- `consumption`: "did 1,240 km and burned 111.6 litres, whats that in litres per 100 km" (the amount over the
  distance, times 100), or "uses 6.4 l per 100 km, the trip is 350 km, how many litres" (the distance over 100
  times the rate);
- `instalments`: "pays a 15% deposit up front and the rest in 12 equal monthly instalments" (what the deposit
  leaves, over the instalments);
- `break_even`: "fixed costs 18,000 a month, each unit sells at 45 and costs 30 to make" (the fixed costs over
  what each unit leaves);
- `mix_parts`: "3 parts buffer to 2 parts reagent, i have 450 ml of reagent, how many ml of buffer" (the amount
  over its parts, times the parts asked);
- `reduced_days`: "per diem is 62/day, trip is 5 days, first and last day are paid at 75%" (the full days at the
  rate and the reduced ones at their share of it, or at a rate of their own);
- `part_time`: "full timers (5 days/wk) get 25 days annual leave, she's on 3 days a week" (the full-timer's
  amount times the part of the full week worked);
- `dilution`: "make 250 mL of 0.5 M from our 5 M stock, how many mL of stock" (the volume times the strength
  wanted over the stock's), or the water to add to it;
- `at_pace`: "spent 173,600 of the 240k by the end of september, at the same monthly rate how much is left at
  year end" (the pace so far carried over the whole period), "how many more weeks till it's all gone" (what is
  left over the pace), "344 closed in the first 8 wks, at that pace how many by the end of the 13 week quarter".
"""

from __future__ import annotations

import re

from assistant.word_cues import LEFT, has, said_before, split_percents
from assistant.word_figures import Figure
from assistant.word_time import MONTHS

#: A distance unit and an amount consumed over it.
_DISTANCE = r"\s*(?:km|kilomet(?:re|er)s?|miles?)\b"
_CONSUMED = r"\s*(?:l|litres?|liters?|kwh|gallons?)\b"
_PER_100 = re.compile(r"(?:\bper\s+|/\s*)100\s*(?:km|kilomet(?:re|er)s?|miles?)\b")


def consumption(text: str, figures: list[Figure]) -> str | None:
    """Fuel or energy per 100 km from a distance and what was used over it, or what a distance uses at a rate
    per 100 km (with no price: `word_time.fuel` prices it)."""
    per_100 = _PER_100.search(text)
    rest = [f for f in figures if per_100 is None or not per_100.start() <= f.start < per_100.end()]
    if per_100 is None or len(rest) != 2 or any(f.percent for f in rest):
        return None
    distance = [f for f in rest if re.match(_DISTANCE, text[f.end:])]
    used = [f for f in rest if re.match(_CONSUMED, text[f.end:])]
    if len(distance) != 1 or len(used) != 1:
        return None
    if has(r"^\s*\S+(?:\s+(?:of\s+)?\S+)?\s*$", text[used[0].end: per_100.start()]):
        return f"{distance[0].text}/100*{used[0].text}"  # "6.4 l per 100 km": a rate, and the distance to cover
    return f"{used[0].text}/{distance[0].text}*100"


def instalments(text: str, figures: list[Figure]) -> str | None:
    """A price, a deposit (a percentage of it or an amount) and the rest in equal instalments, each asked."""
    count = [f for f in figures if not f.percent and
             re.match(r"\s*(?:equal\s+)?(?:monthly\s+|weekly\s+)?(?:instal?ments?|payments?|months)\b", text[f.end:])]
    percents, amounts = split_percents([f for f in figures if f not in count])
    deposit = r"\b(?:deposit|down ?payment|up ?front)\b"
    if len(count) != 1 or not has(deposit, text) or not has(r"\b(?:each|per month|a month|monthly)\b", text):
        return None
    if len(percents) == 1 and len(amounts) == 1 and has(deposit, text[percents[0].end: percents[0].end + 30]):
        return f"{amounts[0].text}*(1 - {percents[0].text}/100)/{count[0].text}"
    if not percents and len(amounts) == 2 and has(deposit, text[amounts[1].end: amounts[1].end + 30] +
                                                  text[max(0, amounts[1].start - 30): amounts[1].start]):
        return f"({amounts[0].text} - {amounts[1].text})/{count[0].text}"
    return None


#: A cost each: "12 per head", "4.50 a guest".
_EACH_COST = r"^\s*(?:eur|euros?|€|usd|\$|gbp|£)?\s*(?:per|a|an|each|/)\s*(?:head|person|guest|attendee|unit|ticket|" \
             r"participant|seat)\b"


def payback(text: str, figures: list[Figure]) -> str | None:
    """The periods a purchase takes to pay for itself from what it saves each period ("the machine costs 2,340 and
    saves about 195 a month on pods, how many months until it pays for itself": 2340/195)."""
    percents, amounts = split_percents(figures)
    if percents or len(amounts) != 2 or not has(r"\bpays? (?:for )?itself\b|\bpay ?back\b|\brecoup", text) or \
            not has(r"\bsav(?:e|es|ing|ings)\b", text):
        return None
    per_period = r"\s*(?:eur|euros?|€|usd|\$|gbp|£)?\s*(?:a|per|/|each)\s*(?:month|week|year|day|quarter)\b"
    saved = [f for f in amounts if re.match(per_period, text[f.end:])]
    if len(saved) != 1:
        return None
    cost = next(f for f in amounts if f is not saved[0])
    return f"{cost.text}/{saved[0].text}"


def break_even(text: str, figures: list[Figure]) -> str | None:
    """The units that cover fixed costs, from the price each sells at and the variable cost of each."""
    percents, amounts = split_percents(figures)
    if percents or len(amounts) != 3 or not has(r"\bbreak[- ]?even\b", text):
        return None
    fixed = [f for f in amounts if has(r"\bfixed\b", said_before(text, figures, f))
             or has(r"^\s*(?:(?:a|per)\s+(?:month|year|week)\s+)?fixed\b", text[f.end:])]  # "600 a month fixed"
    variable = [f for f in amounts if has(r"\b(?:variable|materials?)\b", said_before(text, figures, f))
                or has(r"^\s*(?:eur|euros?|€|usd|\$|gbp|£)?\s*(?:each\s+)?to (?:make|produce)\b", text[f.end:])]
    price = [f for f in amounts if f not in fixed and f not in variable]
    if len(fixed) == 1 and not variable and len(price) == 2:  # "tickets are 35 each ... catering is 12 per head"
        sold = [f for f in price if has(r"\b(?:tickets?|price|sells?|sold|charge)\b", said_before(text, figures, f))]
        variable = [f for f in price if f not in sold and has(_EACH_COST, text[f.end:])]
        price = sold if len(sold) == 1 and len(variable) == 1 else price
    if len(fixed) != 1 or len(variable) != 1 or len(price) != 1:
        return None
    units = f"{fixed[0].text}/({price[0].text} - {variable[0].text})"
    return f"ceiling({units})" if has(r"\bhow many\b", text) else units  # whole units cover the costs


_PARTS = re.compile(r"(\d+(?:\.\d+)?)\s+parts?\s+(?:of\s+)?([a-z]+)\s+(?:to|and|:)\s+(\d+(?:\.\d+)?)\s+parts?\s+"
                    r"(?:of\s+)?([a-z]+)")


def mix_parts(text: str, figures: list[Figure]) -> str | None:
    """A mix in parts of two things and an amount of one of them, and the amount of the other asked."""
    parts = _PARTS.search(text)
    if parts is None:
        return None
    rest = [f for f in figures if not parts.start() <= f.start < parts.end()]
    if len(rest) != 1 or rest[0].percent:
        return None
    names = {parts.group(2): parts.group(1), parts.group(4): parts.group(3)}
    if len(names) != 2:
        return None
    after = text[rest[0].end:]
    given = [name for name in names if has(rf"^\s*(?:[a-z]+\s+)?(?:of\s+)?(?:the\s+)?{name}\b", after)]
    if len(given) != 1:
        return None
    asked = next(name for name in names if name != given[0])
    if not has(rf"\b(?:how (?:many|much)|what)\b[^.?!]*\b{asked}\b", after):
        return None
    return f"{rest[0].text}/{names[given[0]]}*{names[asked]}"


def reduced_days(text: str, figures: list[Figure]) -> str | None:
    """A daily rate over so many days, the first and the last (the arrival and departure days) paid at a
    percentage of it or at a lower rate of their own ("28 eur for full days and 14 for the arrival and departure
    day")."""
    figures = [f for f in figures if not re.match(r"[^()]*\)", text[f.end:f.end + 12])]  # "5 days (4 nights)"
    percents, amounts = split_percents(figures)
    if not has(r"\bfirst and (?:the )?last (?:travel )?days?\b|\barrival (?:day )?(?:and|/|&) (?:the )?departure|"
               r"\bday of (?:arrival|travel) and (?:the )?day of (?:departure|return)\b|\btravel days\b", text):
        return None
    days = [f for f in amounts if re.match(r"\s*(?:-\s*)?days?\b(?!\s*(?:a|per|/)\b)", text[f.end:])
            and not re.match(r"\s*(?:eur|euros?|€|usd|\$|gbp|£)", text[f.end:])]
    rates = [f for f in amounts if f not in days]
    if len(days) != 1 or days[0].value < 2:
        return None
    if len(percents) == 1 and len(rates) == 1:
        rate, percent = rates[0].text, percents[0].text
        return f"{rate}*({days[0].text} - 2) + 2*{rate}*{percent}/100"
    if not percents and len(rates) == 2 and rates[1].value < rates[0].value and \
            has(r"\bfull days?\b", text[rates[0].end: rates[0].end + 20]):
        return f"{rates[0].text}*({days[0].text} - 2) + 2*{rates[1].text}"
    return None


#: A figure of days or hours a week: "5 days/wk", "3 days a week", "a 40 hr week", "5-day week", "37.5 hrs/week".
_A_WEEK = re.compile(r"\s*(?:-\s*)?(?:days?|hrs?|hours?|h)\b\s*(?:a|per|/|each)?\s*(?:wk|week)s?\b")
_PART_TIME = r"\bpro[- ]?rata\b|\bpart[- ]?tim|\bfull[- ]?tim|\bft\b"


def part_time(text: str, figures: list[Figure]) -> str | None:
    """A full-timer's amount (leave days, a salary) for someone working fewer days or hours a week: the amount
    times their week over the full week ("full timers (5 days/wk) get 25 days annual leave, she's on 3 days a
    week"; "37.5 hrs/week on 31,000, moving to 22.5 hrs a week"; "full time is 40 hrs and the FT salary is 55k,
    part timer on 24 hrs/wk")."""
    if not has(_PART_TIME, text):
        return None
    percents, amounts = split_percents(figures)
    weeks = [f for f in amounts if _A_WEEK.match(text[f.end:]) or
             has(r"\b(?:full[- ]?time|ft)\b[^\d.,;]{0,12}$", text[:f.start]) and
             re.match(r"\s*(?:hrs?|hours?|h)\b", text[f.end:])]
    if len(weeks) == 1:  # "works 3 days a week ... full time salary is 39,000 on 5 days"
        unit = re.match(r"\s*(?:-\s*)?(day|h)", text[weeks[0].end:])
        weeks += [f for f in amounts if f not in weeks and unit is not None and (
                  has(r"\b(?:on|over|across|doing|does|do|works?|working|to|the full)\s*$", text[:f.start]) and
                  re.match(rf"\s*(?:-\s*)?{unit[1]}\w*\s*(?:[.,;?!]|$)", text[f.end:]) or
                  re.fullmatch(rf"\s*{unit[1]}\w*\s+to\s*", text[f.end:weeks[0].start]))]  # "from 40h to 28h a week"
    rest = [f for f in amounts if f not in weeks]
    if percents or len(weeks) != 2 or len(rest) != 1 or weeks[0].value == weeks[1].value:
        return None
    short, full = sorted(weeks, key=lambda f: f.value)
    return f"{rest[0].text}*{short.text}/{full.text}"


#: The pace so far carried on: "at the same monthly rate", "at that pace", "same burn rate".
_SAME_PACE = r"\b(?:same|current|that|this)\s+(?:\w+\s+){0,2}(?:rate|pace)\b"
#: A span of time a figure counts: "9 weeks", "8 wks", "7 months".
_SPAN = r"\s*(?:full\s+)?(?P<unit>weeks?|wks?|months?|mths?)\b"
#: The whole period a span is part of, as a figure names it ("the 13 week quarter") or in words.
_WHOLE_SPAN = r"\s*[-\s]?(?:weeks?|wks?|months?|mths?)[\s-]+(?:quarter|year|project|period|season)\b"
_WHOLE_IN_WORDS = {"year": (r"\b(?:year end|year-end|end of the year|full year|for the year|by december)\b", 12, 52),
                   "quarter": (r"\b(?:end of the quarter|quarter end|for the quarter)\b", 3, 13)}
#: The months elapsed, named by the last of them: "by the end of september", "through june".
_MONTH_ENDED = re.compile(rf"\b(?:by the end of|end of|through|up to|until)\s+(?P<month>{'|'.join(MONTHS)})[a-z]*\b")
_UNTIL_GONE = r"\bhow many (?:more )?(?:weeks?|months?)\b[^.?!]*\b(?:gone|runs? out|used up|spent|empty)\b"


def at_pace(text: str, figures: list[Figure]) -> str | None:
    """What was done or spent over a span of time, carried on at the same pace: over the whole period (a
    number of weeks or months stated, or the year or quarter named), what a budget has left at its end, or how
    many more spans the rest of the budget lasts."""
    percents, amounts = split_percents(figures)
    if percents or not has(_SAME_PACE, text):
        return None
    whole = [f for f in amounts if re.match(_WHOLE_SPAN, text[f.end:])]
    spans = [f for f in amounts if f not in whole and re.match(_SPAN, text[f.end:])]
    if len(whole) > 1 or len(spans) > 1:
        return None
    if spans:
        elapsed, in_months = spans[0].text, re.match(_SPAN, text[spans[0].end:])["unit"].startswith("m")
    elif (ended := _MONTH_ENDED.search(text)) is not None:
        elapsed, in_months = str(MONTHS.index(ended["month"]) + 1), True
    else:
        return None
    rest = [f for f in amounts if f not in whole and f not in spans]
    if len(rest) not in (1, 2):
        return None
    done, budget = min(rest, key=lambda f: f.value), (max(rest, key=lambda f: f.value) if len(rest) == 2 else None)
    if budget is not None and has(_UNTIL_GONE, text):
        return f"({budget.text} - {done.text})/({done.text}/{elapsed})"
    period = whole[0].text if whole else next(
        (str(months if in_months else weeks) for cue, months, weeks in _WHOLE_IN_WORDS.values() if has(cue, text)),
        None)
    if period is None:
        return None
    carried = f"{done.text}/{elapsed}*{period}"
    if budget is None:
        return carried
    return f"{budget.text} - {carried}" if has(LEFT, text) else None


#: A strength as labs write it: "2.5 mg/ml", "0.5 M", "40 mM", "10 µg/mL", "70%" is a percentage figure instead.
_STRENGTH = r"\s*(?P<unit>(?:mg|µg|ug|ng|g|mol|mmol)\s*/\s*(?:ml|l|µl|ul)|[mnµu]?m)\b(?!\s*/)"
_VOLUME = r"\s*(?:ml|l|µl|ul|litres?|liters?)\b(?!\s*/)"
_DILUENT = r"\b(?:water|buffer|diluent|solvent|saline|pbs|media|medium)\b"


def dilution(text: str, figures: list[Figure]) -> str | None:
    """A stock diluted to a weaker strength in a final volume (C1 V1 = C2 V2): the stock's volume, or the
    diluent's when that is asked for. Both strengths in one unit, and one volume."""
    if not has(r"\bstock\b|\bdilut", text) or any(f.percent for f in figures):
        return None
    strengths = [(f, re.match(_STRENGTH, text[f.end:])) for f in figures]
    strengths = [(f, unit) for f, unit in strengths if unit is not None]
    volumes = [f for f in figures if re.match(_VOLUME, text[f.end:])]
    if len(strengths) != 2 or len(volumes) != 1 or len(figures) != 3 or \
            len({re.sub(r"\s+", "", unit["unit"]) for _, unit in strengths}) != 1:
        return None
    weak, strong = sorted((f for f, _ in strengths), key=lambda f: f.value)
    if weak.value == strong.value:
        return None
    stock = f"{weak.text}*{volumes[0].text}/{strong.text}"
    asked = re.search(r"\b(?:how (?:many|much)|what volume)\b.*", text)
    if asked is not None and has(_DILUENT, asked.group()) and not has(r"\bstock\b", asked.group()):
        return f"{volumes[0].text} - {stock}"
    return stock
