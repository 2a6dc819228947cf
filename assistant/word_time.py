"""Word problems about time, pay and travel, composed into a calculator expression for
`assistant.word_problems.composed_expression`: hours at an hourly rate and overtime, durations and the time between
clock times, a pro-rata amount (and a year's amount for the months from a start date), a figure in another unit of
time, the part of a cost the employer does not pay, mileage there and back, the fuel for a trip and a stay over a
nightly cap. Each shape returns None unless the request is that shape and every figure it states has its place.
"""

from __future__ import annotations

import calendar
import re

from assistant.word_cues import AVERAGE, LEFT, OFF, SPLIT, clause, fraction, has, split_percents
from assistant.word_figures import Figure, converts, read_figures, scaled, time_scale

#: A clock time: "09:45", "7:40", "8:45am", "5 pm".
CLOCK = re.compile(r"\b(?:(1[0-2]|0?[1-9])(?::([0-5]\d))?\s*([ap])\.?m\b\.?|([01]?\d|2[0-3]):([0-5]\d)\b)")
#: The months by the three letters every way of writing them starts with, in order.
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAME = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t|tember)?|" \
              r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
#: A day of a month: "1 april", "april 1st", with its year if one follows ("march 3 to april 18, 2025"); not a
#: month's figure ("july 84,200").
DATE = re.compile(rf"\b(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH_NAME})|"
                  rf"(?P<month2>{_MONTH_NAME})\s+(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?)\b(?![.,]\d)"
                  rf"(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?")
#: Days between two dates asked for, and the first and last day both counted.
_DAYS_ASKED = r"\bhow many (?:calendar )?days\b|\bdays (?:is it|between|are there)\b|\bnumber of days\b"
_BOTH_DAYS = r"\b(?:inclusive|both days|both the first and the last|first and last days? (?:included|counted)|" \
             r"including both|counting both)\b"
#: A duration in hours and minutes: "1h 25min", "2h 05min", "50 min", "1 hr 10 mins".
_DURATION = re.compile(r"\b(?:(\d+)\s*(?:h|hrs?|hours?)\s*)?(\d+)\s*(?:m|mins?|minutes)\b|\b(\d+)\s*(?:h|hrs?)\b")
#: The employer paying part of a cost, and the person asking about their own part.
_EMPLOYER_PAYS = r"\b(?:company|employer|firm|they|work)\s+(?:pays?|covers?|reimburses?|contributes?|" \
                 r"subsidi[sz]es)\b"
_OWN_SHARE = r"\b(?:i|me|myself|my own|my share|employee|we|us)\b"
#: A trip driven twice, and the distance it is measured in.
_ROUND_TRIP = r"\b(?:round trip|return trip|there and back|and back|both ways|each way|return leg|" \
              r"(?:and )?the same (?:way )?back)\b"
_DISTANCE = r"\b(?:km|kilometres?|kilometers?|miles?)\b"
_PRO_RATA = r"\bpro[\s-]?rat(?:a|e|ed)\b|\bprorat(?:a|e|ed)\b"
#: An hourly rate and a count of hours.
_HOURLY = r"\b(?:hourly|per (?:hour|hr)|an hour|/\s?(?:hour|hr?))\b|/\s?(?:hour|hr?)\b"
_HOURS = r"\d\s*(?:overtime\s+|extra\s+)?(?:hours?|hrs?|h)\b|\bfor \d+(?:\.\d+)? (?:hours?|hrs?)"


def employer_share(text: str, figures: list[Figure]) -> str | None:
    """A cost the employer pays a percentage of, and the part left to the person asking ("company covers 60%
    of the 49 eur pass, what do i pay"), in another unit of time when asked ("39.90 a month ... my share per
    year")."""
    percents, amounts = split_percents(figures)
    if len(percents) != 1 or len(amounts) != 1 or not has(_EMPLOYER_PAYS, text) or not has(_OWN_SHARE, text):
        return None
    share = f"{amounts[0].text}*(1 - {fraction(percents[0])})"
    if not converts(text):
        return share
    ratio = time_scale(text, amounts[0])
    return None if ratio is None else scaled(f"({share})", ratio)


def round_trip(text: str, figures: list[Figure]) -> str | None:
    """A distance driven there and back at a rate per km, on one or several trips: everything multiplied, and
    by 2 ("drove 186 km to the client and back, at 0.30 eur per km", "3 visits, each 42 km one way, there and
    back, 0.30 eur/km")."""
    percents, amounts = split_percents(figures)
    paid = [f for f in amounts if has(r"\b(?:parking|tolls?|ferry|congestion charge)\b", clause(text, figures, f))]
    if paid and has(r"\b(?:a|per|each) (?:day|trip|visit|time)\b", clause(text, figures, paid[0])):
        return None  # "plus parking 8 eur a day": paid as often as the trips, which this shape does not count
    if len(paid) == 1 and len(amounts) > 2:  # "rate is 0.30/km plus i paid 12.50 parking": paid once, added
        trip = round_trip(text[: paid[0].start] + " " * (paid[0].end - paid[0].start) + text[paid[0].end:],
                          [f for f in figures if f is not paid[0]])
        return None if trip is None else f"{trip} + {paid[0].text}"
    if percents or len(amounts) not in (2, 3) or not has(_ROUND_TRIP, text) or not has(_DISTANCE, text) or \
            not has(r"\bper\s+(?:km|kilomet|mile)|/\s?(?:km|mile)|\brate\b", text) or has(SPLIT, text):
        return None
    if has(rf"\d\s*{_DISTANCE}\s+(?:round trip|return trip|there and back|in total)\b", text):
        return "*".join(f.text for f in amounts)  # "drove 312 km round trip": the distance is both ways already
    distances = [f for f in amounts if re.match(rf"\s*{_DISTANCE}", text[f.end:])]
    added = [f for f in distances if has(r"\b(?:plus|another|extra)\s+$", text[max(0, f.start - 16):f.start])]
    if len(distances) == 2 and len(added) == 1:  # "186 km to the client and back, plus 23 km of local driving"
        there = next(f for f in distances if f is not added[0])
        others = [f.text for f in amounts if f not in distances]
        return "*".join([*others, f"({there.text}*2 + {added[0].text})"])
    if len(distances) > 1:
        return None
    return "*".join([*(f.text for f in amounts), "2"])


def pro_rata(text: str, figures: list[Figure]) -> str | None:
    """A year's or a month's amount for the part of it that counts: "worked 18 of the 30 days" (the amount times
    18/30), "3 days/week instead of 5" (times 3/5), "for 5 months" of an annual amount or a full year's 28 days
    (times 5/12); the months not used, refunded after a cancellation ("cancels after 5 months": times 7/12)."""
    percents, amounts = split_percents(figures)
    part_of = re.search(r"(\d+(?:\.\d+)?)\s+(?:[a-z]+\s+)?(?:out\s+)?of\s+(?:the\s+)?(\d+(?:\.\d+)?)\b|"
                        r"(\d+(?:\.\d+)?)\s*(?:[a-z/]+\s+){0,3}instead of\s+(?:the\s+(?:full\s+)?)?"
                        r"(\d+(?:\.\d+)?)(?!\d|\.\d)", text)  # "32 hrs a week instead of the full 40."
    shared = part_of is not None and part_of.group(1) is not None and \
        has(r"\b(?:split|share|shared|sharing|proportion(?:ally)?)\b", text)  # "split by cbm, we have 18 of the 28"
    if percents or not (has(_PRO_RATA, text) or shared or part_of is not None and part_of.group(3) is not None):
        return None
    if part_of is not None and len(amounts) == 3:
        amount = [f for f in amounts if not (part_of.start() <= f.start < part_of.end())]
        part, whole = (part_of.group(1), part_of.group(2)) if part_of.group(1) else (part_of.group(3), part_of.group(4))
        return f"{amount[0].text}*{part}/{whole}" if len(amount) == 1 else None
    months = [f for f in amounts if has(r"^\s*months?\b", text[f.end:])]
    if len(amounts) != 2 or len(months) != 1 or not has(r"\b(?:annual|year|yearly|per year|a year)\b", text):
        return None
    amount = next(f for f in amounts if f is not months[0])
    if has(r"\b(?:unused|refund(?:ed|s)?|remaining|rest of the year)\b", text) and \
            has(r"\b(?:after|cancel(?:s|led|ed)?)\b", text[: months[0].start]):
        return f"{amount.text}*(12 - {months[0].text})/12"  # "cancels after 5 months, we refund the unused months"
    return f"{amount.text}*{months[0].text}/12"


def from_start_date(text: str) -> str | None:
    """A year's amount pro rata for the months of the calendar year from a start date on ("new hire starts 1
    april, 25 days a year, pro rata by full months": 25*9/12; a start after the 1st counts from the next month
    when full months are asked), a percentage of it ("8% of annual salary, pro rata by months"), less what is
    already taken when what is left is asked ("taken 6 already, how many are left")."""
    dates = list(DATE.finditer(text))
    if len(dates) != 1 or not has(_PRO_RATA, text) or not has(r"\bmonths?\b", text) or dates[0]["year"] or \
            not has(r"\b(?:start|starts|started|starting|join|joins|joined|joining|hired|begins?|began)\b",
                    text[max(0, dates[0].start() - 30): dates[0].start()]):
        return None
    day = int(dates[0]["day"] or dates[0]["day2"])
    month = MONTHS.index((dates[0]["month"] or dates[0]["month2"])[:3]) + 1
    counted = has(rf"\b(?:counting|incl\.?|including)\s+(?:the\s+)?(?:{_MONTH_NAME})\b|"
                  rf"\b(?:{_MONTH_NAME})\s+(?:included|counts)\b|\bas a full month\b", text)
    if day != 1 and not counted and not has(r"\b(?:full|whole|complete) months?\b", text):
        return None  # "starts 16 june, pro rata by months": whether june counts is not said
    months = 13 - month if day == 1 or counted else 12 - month
    rest = DATE.sub(" ", text)
    percents, amounts = split_percents(read_figures(rest))
    taken = [f for f in amounts if has(r"\b(?:taken|took|used|had|booked)\b", clause(rest, amounts, f))]
    yearly = [f for f in amounts if f not in taken]
    if len(yearly) != 1 or len(percents) > 1 or len(taken) > 1 or taken and (percents or not has(LEFT, rest)):
        return None
    amount = yearly[0].text
    if re.match(r"\s*(?:eur|euros?|€)?\s*(?:a|per|/)\s*month\b|\s*monthly\b", rest[yearly[0].end:]):
        amount = f"{amount}*12"  # "joined on 1 aug at 4,500 a month, 8% of annual pay"
    share = f"{amount}*{fraction(percents[0])}" if percents else amount
    if has(r"\b(?:nearest|to an?|to the) half(?:[- ]days?)?\b", rest):  # "rounded to the nearest half day"
        share = f"round({share}*{months}/12*2)/2"
    else:
        share = f"{share}*{months}/12"
    return share + (f" - {taken[0].text}" if taken else "")


def first_month(text: str, figures: list[Figure]) -> str | None:
    """A month's amount for the calendar days from a start day on ("joins on the 12th, month has 30 days, monthly
    salary 4,200, pro rata by calendar days": 4200*(30 - 12 + 1)/30), the start day counted unless the request says
    not to; both days of a range ("16th-30th inclusive") are counted."""
    days = [f for f in figures if re.match(r"\s*-?\s*days?\b", text[f.end:]) and
            (has(r"\bmonth (?:has|had|is)\s*$", text[:f.start]) or re.match(r"\s*-?\s*days?\s+month", text[f.end:]))]
    ordinals = re.findall(r"\b(\d{1,2})(?:st|nd|rd|th)\b", text)
    if len(figures) != 2 or len(days) != 1 or any(f.percent for f in figures) or not 1 <= len(set(ordinals)) <= 2 or \
            not has(r"\bpro[- ]?rat|\bprorat|\bcalendar days\b", text):
        return None
    amount = next(f for f in figures if f is not days[0])
    start, end = int(ordinals[0]), int(ordinals[-1]) if len(set(ordinals)) == 2 else int(days[0].value)
    if not 1 <= start <= end <= days[0].value:
        return None
    first = 0 if has(r"\b(?:excluding|not counting|not including|don'?t count)\s+(?:the\s+)?\d{1,2}(?:st|nd|rd|th)\b",
                     text) else 1
    return f"{amount.text}*({end} - {start} + {first})/{days[0].text}"


def fuel(text: str, figures: list[Figure]) -> str | None:
    """The fuel cost of a distance at a consumption per 100 km and a price per litre ("8.5 L per 100 km, the
    round trip is 340 km, diesel is 1.62/litre"); a distance each way is driven twice."""
    per_100 = re.search(r"\bper\s+100\s*km\b|/\s*100\s*km\b", text)
    if per_100 is None:
        return None
    rest = [f for f in figures if not per_100.start() <= f.start < per_100.end()]
    if len(rest) != 3 or any(f.percent for f in rest):
        return None
    consumption = [f for f in rest if re.match(r"\s*(?:l|litres?|liters?)\b", text[f.end:])]
    distance = [f for f in rest if re.match(r"\s*(?:km|kilomet)", text[f.end:])]
    price = [f for f in rest
             if re.match(r"\s*(?:eur|euros?|€)?\s*(?:/\s*|per\s+|a\s+)(?:l|litre|liter)\b", text[f.end:])]
    if len(consumption) != 1 or len(distance) != 1 or len(price) != 1:
        return None
    twice = "*2" if has(r"\beach way\b|\bthere and back\b|\band back\b", text) and not has(r"\btotal\b", text) or \
        has(r"\bone way\b", text) and has(r"\bround trip\b|\breturn trip\b|\bboth ways\b", text) else ""
    return f"{distance[0].text}{twice}/100*{consumption[0].text}*{price[0].text}"


def converted(text: str, figures: list[Figure]) -> str | None:
    """One figure in a unit of time asked for in another: an amount of time ("how many weeks is 91 days",
    "how many minutes is 3.5 hours") or a rate per unit of time ("54,600 eur annual salary, whats that per
    month", "monthly rent is 2350, whats the annual cost"), or a time per thing as the things per unit of time ("45
    sec per part, parts per hour?"). Months and years convert only into each other."""
    if len(figures) != 1 or figures[0].percent or re.search(r"\d", text[: figures[0].start] + text[figures[0].end:]):
        return None  # another figure or a code ("a 13th month") would change the sum
    ratio = time_scale(text, figures[0])
    if ratio is None:
        return None
    each = re.match(r"\s*(?:secs?|seconds?|s|mins?|minutes?|hrs?|hours?|h)\s+(?:per|a|an|/|each)\s*([a-z]{3,})",
                    text[figures[0].end:])
    if each is not None and has(rf"\b{each.group(1)[:4]}\w*\s+(?:per|an?|/)\s*(?:hour|hr|min|minute|day|shift)\b",
                                text[each.end() + figures[0].end:]):
        return f"{1 / ratio}/{figures[0].text}"  # "45 sec per part, parts per hour": the things per unit of time
    return scaled(figures[0].text, ratio)


def pay(text: str, figures: list[Figure]) -> str | None:
    """Hours at an hourly rate and a multiple of it ("overtime is paid at 1.5x, my hourly rate is 24 euros,
    6 hrs overtime", "3 saturdays at 5 hrs each, 175% of my normal 24 eur/hr"): all of them multiplied."""
    percents = [f for f in figures if f.percent]
    if len(figures) < 3 or len(percents) > 1 or not has(_HOURLY, text) or not has(_HOURS, text) or \
            has(OFF + "|" + AVERAGE + r"|\b(?:split|divide|share|between|evenly|equally|per person|plus)\b|"
                 r"\b(?:company|employer|firm|they)\s+(?:pays?|covers?|reimburses?)\b", text):
        return None
    multiples = [f for f in figures if f.percent or text[f.end - 1] == "x"]
    if len(multiples) != 1 or any(not has(r"\b(?:at|of|is)\b", clause(text, figures, f)) for f in percents):
        return None
    if len(figures) > 3 and not has(r"\beach\b", text):  # a second count of hours (a contract's 38.5 a week)
        return None
    return "*".join(f"{f.text}/100" if f.percent else f.text for f in figures)


#: Hours a contract or the normal week names, just before a figure: "contract is 35", "normal hours are 37.5".
_CONTRACT = r"\b(?:contract|contracted|normal|regular|standard)\b[^\d.;?!]{0,20}$"
#: The contract itself names the hours just before a figure ("his contract is 40"), not a normal week's rate.
_CONTRACTED = r"\bcontract(?:ed)?(?:\s+(?:is|was|hours|hrs|of))*\s*$"
#: The hours past which overtime is paid: "anything over", "everything above".
_PAST = r"\b(?:anything|everything|hours?)\s+(?:over|above|beyond|past)"


def overtime(text: str, figures: list[Figure]) -> str | None:
    """Regular hours and overtime hours at an hourly rate, the overtime at a multiple of it ("40 regular hours at
    22 eur per hour and 6 overtime hours paid at 1.5x", "37.5 hrs plus 4 hrs overtime at time and a half"), or
    the hours worked and the hours past which the multiple is paid ("did 47 hours, base rate 12.80/hr and
    anything over 40 hrs is paid at 1.5x"); with no rate, the overtime hours alone ("contract is 35 hrs/wk, she
    clocked 37.5 this week, how many hrs overtime")."""
    if len(figures) == 2 and not any(f.percent for f in figures) and \
            has(r"\bhow many (?:hours|hrs|h)\b[^.?!]*\bovertime\b|\bhow much overtime\b(?!\s+pay)", text):
        contract = [f for f in figures if has(_CONTRACT, text[: f.start])]
        if len(contract) == 1 and figures[0] is contract[0]:
            return f"{figures[1].text} - {contract[0].text}"
        return None
    past_it = _PAST + r"\s*$"
    figures = [f for f in figures if not (has(_CONTRACT, text[: f.start]) and any(  # "contract is 40 ... over 40"
        g.start > f.end and g.value == f.value and has(past_it, text[: g.start]) for g in figures))]
    hours = [f for f in figures  # "anything above 40 is paid at 1.5x", "his contract is 40": hours too
             if not f.percent and has(r"^\s*(?:regular |normal |overtime |extra )?(?:hours?|hrs?|h)\b", text[f.end:])
             or len(figures) == 4 and has(past_it + "|" + _CONTRACTED, text[:f.start])]
    multiples = [f for f in figures if f.text and text[f.end - 1] == "x"]
    rates = [f for f in figures if f not in hours and f not in multiples and not f.percent]
    if len(hours) != 2 or len(multiples) != 1 or len(rates) != 1 or len(figures) != 4:
        return None
    rate, multiple = rates[0].text, multiples[0].text
    # "contract is 36 h ... anything over that"; "worked 46 hrs, his contract is 40 ... overtime is paid at 1.5x"
    past = [f for f in hours if has(r"\b(?:over|above|beyond|past|after|more than)\s*$", text[:f.start])] or \
        [f for f in hours if has(_CONTRACT + r"|\bfirst\s*$", text[: f.start]) and (
         has(_PAST + r"\s+(?:that|this|it)\b", text[f.end:]) or
         has(_CONTRACTED, text[: f.start]) and has(r"\bovertime\b", text))]
    if len(past) == 1 and has(_HOURLY, text):
        worked = next(f for f in hours if f is not past[0])
        extra = f"({worked.text} - {past[0].text})*{rate}*{multiple}"
        if has(r"\bhow much (?:is )?(?:the |his |her |my )?overtime\b|\bovertime(?: pay)? (?:alone|only)\b", text) and \
                not has(r"\b(?:gross|total|in all|altogether)\b", text):
            return extra  # "how much overtime pay do i get": the hours past the line alone
        return f"{past[0].text}*{rate} + {extra}"
    extra = [f for f in hours if has(r"\bovertime\b", clause(text, figures, f) + text[f.end:f.end + 20])]
    if not has(r"\bovertime\b", text) or len(extra) != 1:
        return None
    regular = next(f for f in hours if f is not extra[0])
    return f"{regular.text}*{rate} + {extra[0].text}*{rate}*{multiple}"


def durations(text: str) -> str | None:
    """Durations written in hours and minutes ("1h 25min, 50 min, 2h 05min"; "3h45" is 3 h 45 min) added up, in
    the minutes or hours asked for."""
    written = re.sub(r"\b(\d+)\s*(h|hrs?)\s*([0-5]\d)\b(?![.:]\d|\s*m)", r"\1\2 \3 min", text)
    if written != text and has(r"\b(?:overtime|contract(?:ed)?|twice|each|times|balance|left)\b", text):
        return None  # "1h45 each time", "contract is 40h": more than a sum, which the other shapes read
    text = written
    spans = list(_DURATION.finditer(text))
    others = re.findall(r"\d+(?:\.\d+)?", _DURATION.sub(" ", text))
    if not spans or others not in ([], [str(len(spans))]):  # "3 calls today: ..." counts them
        return None
    terms = [f"{int(m.group(3))}*60" if m.group(3) else
             f"{int(m.group(1))}*60 + {int(m.group(2))}" if m.group(1) else str(int(m.group(2))) for m in spans]
    if len(terms) == 2 and has(r"\b(?:left|remaining|to go|limit|until|till)\b", text):
        minutes = f"{terms[0]} - ({terms[1]})"  # "a 9 h driving limit, already driven 5 h 45 min, minutes left"
    else:
        minutes = " + ".join(terms)
    if has(r"\bhow (?:many|much) min(?:ute)?s\b|\b(?:in|total) min(?:ute)?s\b|\bmin(?:ute)?s (?:in total|total)\b",
           text):
        return minutes
    if has(r"\bhow (?:many|much) (?:hours|hrs)\b|\b(?:in|total) (?:hours|hrs)\b|\b(?:hours|hrs) (?:in total|total)\b",
           text):
        return f"({minutes})/60"
    return None


def _clock_time(time: re.Match[str]) -> str:
    """A clock time as minutes after midnight: "8:45am" -> "8*60 + 45", "5 pm" -> "17*60 + 0"."""
    hours, minutes = _clock_parts(time)
    return f"{hours}*60 + {minutes}"


def _clock_parts(time: re.Match[str]) -> tuple[int, int]:
    """A clock time's hour on the 24-hour clock and its minutes: "8:45am" -> (8, 45), "5 pm" -> (17, 0)."""
    if time.group(4) is not None:
        return int(time.group(4)), int(time.group(5))
    return int(time.group(1)) % 12 + (12 if time.group(3) == "p" else 0), int(time.group(2) or 0)


def _overnight(start: re.Match[str], end: re.Match[str]) -> str:
    """The day to add to a span that ends before it starts: "leaves 22:40 and lands 06:15" runs past midnight."""
    return " + 24*60" if _clock_parts(end) < _clock_parts(start) else ""


def clock_durations(text: str) -> str | None:
    """The minutes or hours between clock times, two by two ("09:45 to 13:15 on monday and 14:00 to 16:30 on
    tuesday, how many hours", "left at 07:40 and landed at 11:05, how many minutes"), added up, less a break;
    at an hourly rate, the pay for them ("06:30 to 15:00 with a 30 min unpaid break, rate 14.20/h")."""
    if has(r"\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\s*(?:-|–|to|through|thru|till|until)\s*"
           r"(?:mon|tue|wed|thu|fri|sat|sun)|\bweekdays\b|\b(?:per|a|each) week\b", text):
        return None  # "8am-8pm mon to fri and 9am-1pm on saturdays, per week": days to count, not read here
    if has(r"\b(?:ahead|behind)\b|(?<!same )\btime ?zones?\b|\blocal time\b", text):
        return None  # "landed 18:10 local time, local is one hour ahead": clocks of two zones
    times = list(CLOCK.finditer(text))
    rest = CLOCK.sub(" ", text)
    pause = re.search(r"(\d+)\s*(?:min|mins|minutes?)\b[^.?!,]{0,20}\b(?:break|pause|lunch)\b|"
                      r"\b(?:break|pause|lunch)\b[^.?!,\d]{0,20}(\d+)\s*(?:min|mins|minutes?)\b", rest)
    others = [f for f in read_figures(rest) if pause is None or not pause.start() <= f.start < pause.end()]
    rates = [f for f in others if re.match(rf"\s*(?:{_HOURLY})", rest[f.end:])]
    if not times or len(times) % 2 or len(others) > len(rates) or len(rates) > 1:
        return None
    days = set(re.findall(r"\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b", text))
    if len(times) == 2 and len(days) > 1:
        return None  # "tue 08:00, now thu 20:00": two days apart
    if len(times) == 2 and has(r"\bnow\b", text[max(0, times[1].start() - 8): times[1].end() + 8]):
        times.reverse()  # "shift finishes 14:30, its 11:45 now": from now to the end
    spans = [f"({_clock_time(end)} - ({_clock_time(start)}){_overnight(start, end)})"
             for start, end in zip(times[::2], times[1::2])]
    if pause is not None:
        daily = len(spans) > 1 and has(r"\b(?:each|every|per|a) day\b|\bdaily\b", rest)  # "30 min lunch each day"
        spans.append(f"-{pause.group(1) or pause.group(2)}" + (f"*{len(spans)}" if daily else ""))
    if rates:
        return f"({' + '.join(spans)})/60*{rates[0].text}"
    if has(r"\bhow (?:many|much) min(?:ute)?s|\bin min(?:ute)?s\b", text):
        return " + ".join(spans)
    if has(r"\bhow (?:many|much) (?:hours|hrs)|\bin hours\b|\bhours (?:is|was) (?:that|it)\b|"
           r"\b(?:total|paid|worked) (?:hours|hrs)\b|"
           r"\b(?:hours|hrs) (?:worked|in total|total)\b", text):
        return f"({' + '.join(spans)})/60"
    return None


def over_cap(text: str, figures: list[Figure]) -> str | None:
    """What a person pays over a cap per night or day ("hotel cap is 110 a night but the place was 134/night, I
    stayed 3 nights, how much do I pay out of my own pocket"): the difference times the nights."""
    percents, amounts = split_percents(figures)
    if percents or len(amounts) != 3 or not has(r"\b(?:cap|capped|limit|max(?:imum)?)\b", text) or \
            not has(r"\b(?:own pocket|myself|i pay|do i pay|excess|over the (?:cap|limit)|not covered)\b", text):
        return None
    per = r"\s*(?:eur|euros?|€|gbp|£)?\s*(?:a|per|/)\s*(?:night|day)\b"
    rates = [f for f in amounts if re.match(per, text[f.end:])]
    counts = [f for f in amounts if re.match(r"\s*(?:nights?|days?)\b", text[f.end:])]
    if len(rates) != 2 or len(counts) != 1:
        return None
    cap, paid = sorted(rates, key=lambda figure: figure.value)
    return f"({paid.text} - {cap.text})*{counts[0].text}"


def days_between(text: str) -> str | None:
    """The calendar days from one date to another ("from 3 feb to 28 apr 2025, both days included": the days
    left in February, all of March and the days into April, and the first day), when the request states two
    dates and asks how many days and states no other figure. Across the end of February only with a year."""
    dates = list(DATE.finditer(text))
    if len(dates) != 2 or not has(_DAYS_ASKED, text) or has(r"\b(?:working|business|week)\s*days\b", text):
        return None
    rest = re.sub(r"\b(?:the|these|those) 2 dates\b", " ", DATE.sub(" ", text))
    if re.search(r"\d", rest):
        return None
    (first_day, first_month), (last_day, last_month) = (
        (int(m["day"] or m["day2"]), MONTHS.index((m["month"] or m["month2"])[:3])) for m in dates)
    years = {m["year"] for m in dates if m["year"]}
    if last_month < first_month or len(years) > 1 or last_month == first_month and last_day < first_day:
        return None  # into another year, or two years stated: left to the model
    year = int(years.pop()) if years else None
    if year is None and first_month <= 1 < last_month:
        return None  # February's length depends on the year
    lengths = [31, 29 if year is not None and calendar.isleap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    if any(day > lengths[month] for day, month in ((first_day, first_month), (last_day, last_month))):
        return None
    both = " + 1" if has(_BOTH_DAYS, text) else ""
    if first_month == last_month:
        return f"{last_day} - {first_day}{both}"
    between = "".join(f" + {lengths[month]}" for month in range(first_month + 1, last_month))
    return f"({lengths[first_month]} - {first_day}){between} + {last_day}{both}"
