"""Dates a request states in words, resolved against today: "tomorrow", "on fri", "next monday", "in 2
days", "15 june", "june 22nd", "the 26th", "thursday next week", "2026-06-12", and both ends of "1-5 june",
"june 1 to 5", "last week" or "the week after next" (its monday and its sunday), "in may", "last month" and "this
quarter" (the first day and the last), "by the end of the month" (its last day), "the end of september" and "the
start of may".

Staff write dates the way they say them; the small model turns "tomorrow" into a date a week away. What the
words mean is arithmetic on today's date, so it is done here, not by the model. A phrase that two readings
fit ("next friday" said on a Wednesday: this week's or next week's) keeps both, the likelier first; a call
whose date is one of them is left as the model wrote it.

Times of day are read the same way ("3pm", "9 to 10", "from 3 to 4pm", "10:00-11:30", "noon"): a bare hour
of a range from 1 to 6 is the afternoon's, as office hours have it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import partial

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Weekday names as chat writes them, to their number (Monday 0); "sat" and "sun" are words of their own.
_WEEKDAY_NAMES = {**{name: number for number, name in enumerate(_WEEKDAYS)},
                  "mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4}
_MONTHS = {name: number for number, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")], start=1) for name in names}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
_WEEKDAY = "|".join(sorted(_WEEKDAY_NAMES, key=len, reverse=True))

#: Days from today, as staff write them (with the spellings chat gets: "tmrw", "tomorow").
_OFFSETS = {"day after tomorrow": 2, "day before yesterday": -2, "tomorrow": 1, "tomorow": 1, "tommorow": 1,
            "tommorrow": 1, "tmrw": 1, "tmr": 1, "today": 0, "tonight": 0, "this morning": 0,
            "this afternoon": 0, "this evening": 0, "yesterday": -1, "yday": -1, "last night": -1}
#: Each kind of date phrase, the earlier in this list the first to claim its words.
_PATTERNS = [(kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in [
    ("iso", r"\b(?P<iso>\d{4}-\d{2}-\d{2})\b"),
    # "between 1 and 5 june", "1-5 june", "fri 13th to fri 20th march": the first end takes the second's month
    ("range_start", (rf"\b(?:(?:{_WEEKDAY}),?\s+)?(?:the\s+)?{_DAY}(?=\s*(?:-|–|to|till|until|and|through)\s*"
                     rf"(?:(?:{_WEEKDAY}),?\s+)?(?:the\s+)?[0-3]?\d(?:st|nd|rd|th)?\s+(?:of\s+)?"
                     rf"(?P<month>{_MONTH})\b)")),
    # "monday 15 june", "friday, june 19": the date says which day; the weekday adds nothing
    ("day_month", rf"\b(?:(?:{_WEEKDAY}),?\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?(?P<month>{_MONTH})\b{_YEAR}"),
    ("month_day", rf"\b(?:(?:{_WEEKDAY}),?\s+)?(?P<month>{_MONTH})\.?\s+{_DAY}(?![\d:]){_YEAR}"),
    ("offset", rf"\b(?P<offset>{'|'.join(sorted(map(re.escape, _OFFSETS), key=len, reverse=True))})\b"),
    ("in", r"\bin\s+(?P<count>\d{1,2}|a|one|two|three)\s+(?P<unit>days?|weeks?)\b"),
    # "thursday next week", "next week's friday", "monday the 15th", "fri 13th" (the date says which day)
    ("week_day", rf"\b(?P<weekday>{_WEEKDAY}),?\s+(?:of\s+)?(?P<which>next|this|last)\s+week\b"),
    ("week_day", rf"\b(?P<which>next|this|last)\s+week(?:'s)?\s+(?P<weekday>{_WEEKDAY})\b"),
    ("ordinal", rf"\b(?:{_WEEKDAY}),?\s+(?:the\s+)?(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b"),
    ("weekday", rf"\b(?:(?P<which>next|this|coming|last)\s+)?(?P<weekday>{_WEEKDAY})\b"),
    # "last week", "next week", "the week after next": its monday, and its sunday after it (`stated_dates`)
    ("week", (r"\b(?:the\s+)?week\s+(?P<which>after\s+next)\b"
              r"|\b(?P<which2>next|this|last)\s+week\b(?!\s*(?:'s|of|on)\b)")),
    # "by the end of the month", "end of next month": its last day
    ("month_end", r"\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<which>next\s+)?month\b|\beom\b"),
    # "until the end of september", "since the start of may": the month's last day, or its first
    ("month_edge", rf"\b(?:the\s+)?(?P<edge>start|beginning|end)\s+of\s+(?P<month>{_MONTH})\b{_YEAR}"),
    # "claims since jan", "since march": the month's first day, the last such before today's
    ("since_month", rf"\bsince\s+(?P<month>{_MONTH})\b(?!\s*[0-3]?\d)"),
    # "and january" after expenses filed in feb: a month that is the whole follow-up
    ("month", rf"^\W*(?:and|or|n|what about|how about)\s+(?:in\s+)?(?P<month>{_MONTH})\W*$"),
    # "in may", "for april", "expenses from may", "narrow it to february": the month's first day and its last
    # (`stated_dates`); not "may i"
    ("month", (rf"\b(?:in|for|from|during|throughout|over|all\s+of|(?:narrow|limit|restrict)\w*\s+(?:it\s+|them\s+|"
               rf"that\s+)?to)\s+(?:the\s+month\s+of\s+)?(?P<month>{_MONTH})\b"
               r"(?!\s*[0-3]?\d)(?!\s+(?:i|we|you|he|she|they)\b)")),
    # "last month", "this quarter": the period's first day and its last (`stated_dates`). Not "this year", which
    # asks how much is left of a yearly allowance more often than it names dates ("sick days left this year"),
    # nor "q3", which names a meeting as often ("Q3 kickoff")
    ("period", r"\b(?P<which>last|this|next|previous|past|current)\s+(?P<unit>month|quarter)\b"),
    # "the 26th", not "the 2nd floor"
    ("ordinal", (r"\bthe\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b(?!\s+(?:floors?|times?|round|row|quarter|week|"
                 r"attempt|place|edition|version|person|one|item|line|storey|story|level|door|dock|gate)\b)")),
]]
#: The second end of a range after a month and day: "june 1-5", "june 1 to 5th" (not "june 1 to 5pm").
_RANGE_END = re.compile(r"\s*(?:-|–|to|till|until|and|through)\s*(?:the\s+)?(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b"
                        r"(?![:.]?\d|\s*(?:[ap]\.?m\b|o'?clock|h\b|hrs?\b|hours?\b|days?\b|people\b|ppl\b|persons\b|"
                        r"guests\b|attendees\b))", re.IGNORECASE)
#: The day beside a date just said: "yesterday and the day before", "monday and the day after".
_DAY_BESIDE = re.compile(r"\s*(?:,|and)\s+the\s+day\s+(?P<side>before|after)\b(?!\s+(?:yesterday|tomorrow))",
                         re.IGNORECASE)
_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3}
#: What joins a week to a weekday of it: "the week after next, mon to fri", "next week from tuesday".
_IN_THE_WEEK = re.compile(r"^\s*(?:,|:|-|–)?\s*(?:from|on|starting|the)?\s*$", re.IGNORECASE)
#: Time off asked for, whose week is its working days: "need the week after next off" is monday to friday.
_TIME_OFF = re.compile(r"\b(?:off|leave|holidays?|vacation|pto|annual)\b", re.IGNORECASE)
#: A length of time asked for: "3 days off in may" asks for three days in it, not the month from end to end.
_DAYS_ASKED = re.compile(r"\b(?:\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a\s+couple\s+of|"
                       r"a\s+few)\s+(?:working\s+|business\s+|full\s+)?(?:days?|weeks?|nights?)\b", re.IGNORECASE)
#: Words that join the two ends of a range: the second end is not before the first.
_RANGE = re.compile(r"^\s*(?:to|until|till|through|thru|-|–|and)\s+(?:the\s+|on\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class StatedDate:
    """A date phrase of the request: where it is and the dates it may mean, the likelier first."""

    start: int
    end: int
    readings: tuple[date, ...]

    @property
    def likeliest(self) -> date:
        return self.readings[0]


def stated_dates(text: str, today: date) -> list[StatedDate]:
    """The dates `text` states, in order; a weekday after "to"/"until" is the first such day on or after the
    range's start ("next monday to wednesday"), one before "and" a weekday of a week said is of that week
    ("thursday and friday next week"), a week ends on its sunday, or its friday when it is time off, and a month
    is no date where the text asks for days or weeks within it ("3 days off in may")."""
    matches: list[tuple[str, re.Match[str]]] = []
    for kind, pattern in _PATTERNS:
        matches += [(kind, match) for match in pattern.finditer(text)
                    if not any(match.start() < other.end() and other.start() < match.end() for _, other in matches)]
    found: list[StatedDate] = []
    week: StatedDate | None = None  # the week just said, whose weekdays a bare weekday after it names
    week_end: StatedDate | None = None
    days_in_week = 4 if _TIME_OFF.search(text) else 6  # a week off ends on its friday
    bare: tuple[StatedDate, int] | None = None  # the last weekday said alone, and which day of the week it is
    for kind, match in sorted(matches, key=lambda found_match: found_match[1].start()):
        readings = _readings(kind, match, today)
        if not readings or kind in ("month", "period") and _DAYS_ASKED.search(text):  # days asked for within it
            continue
        if (found and kind == "weekday" and not match.group("which")
                and _RANGE.match(text[found[-1].end:match.start()])):
            start = found[-1].likeliest
            weekday = _WEEKDAY_NAMES[match.group("weekday").lower()]
            readings = (start + timedelta(days=(weekday - start.weekday()) % 7),)
        elif week is not None and kind == "weekday" and not match.group("which") and \
                _IN_THE_WEEK.match(text[week.end:match.start()]):  # "the week after next, mon to fri"
            found = [stated for stated in found if stated is not week and stated is not week_end]
            readings = (week.likeliest + timedelta(days=_WEEKDAY_NAMES[match.group("weekday").lower()]),)
            week = None
        if kind == "week_day" and bare is not None and _RANGE.match(text[bare[0].end:match.start()]):
            # "thursday and friday next week": the weekday before is of the same week
            monday = readings[0] - timedelta(days=readings[0].weekday())
            found[found.index(bare[0])] = replace(bare[0], readings=(monday + timedelta(days=bare[1]),))
        found.append(StatedDate(match.start(), match.end(), readings))
        bare = (found[-1], _WEEKDAY_NAMES[match.group("weekday").lower()]) \
            if kind == "weekday" and not match.group("which") else None
        if kind == "week":  # the week's last day, written out after its first ("2026-06-01 to 2026-06-07")
            week_end = StatedDate(match.end(), match.end(), (readings[0] + timedelta(days=days_in_week),))
            week = found[-1]
            found.append(week_end)
        if kind == "month":  # the month's last day, written out after its first
            following = readings[0].replace(day=28) + timedelta(days=4)
            found.append(StatedDate(match.end(), match.end(), (following - timedelta(days=following.day),)))
        if kind == "period":
            found.append(StatedDate(match.end(), match.end(), (_period_end(match, readings[0]),)))
        if (beside := _DAY_BESIDE.match(text, match.end())) is not None:  # "yesterday and the day before"
            step = timedelta(days=-1 if beside.group("side").lower() == "before" else 1)
            found.append(StatedDate(beside.start("side"), beside.end(), (readings[0] + step,)))
        if kind == "month_day" and (end := _RANGE_END.match(text, match.end())):  # "june 1-5": the 5th of june
            last = _valid(partial(readings[0].replace, day=int(end.group("day"))))
            if last:
                found.append(StatedDate(end.start("day"), end.end(), last))
    return found


#: Words that place a request in time: a month, a weekday, "now", "this week", "ago", a digit (12/6, the 3rd),
#: and "free" or "available", which ask about a time even when none is said (today).
_WHEN = re.compile(
    rf"\d|\b(?:{_MONTH}|{_WEEKDAY}|{'|'.join(map(re.escape, _OFFSETS))}|(?<!for )now|currently|current|soon|upcoming|"
    r"later|earlier|this|next|last|past|coming|ago|since|until|till|before|after|days?|weeks?|weekend|months?|"
    r"years?|quarter|morning|afternoon|evening|tonight|free|available|availability|open)\b", re.IGNORECASE)


def says_when(text: str) -> bool:
    """Whether `text` says anything of when: a date phrase, a month, a weekday, "now", "this week", a digit."""
    return _WHEN.search(text) is not None


def with_dates_written_out(text: str, today: date, taken: Collection[date] = ()) -> str:
    """`text` with each date phrase replaced by a date it means in ISO form ("tomorrow" -> "2026-06-11"): one
    of `taken` (the dates a call already has) where the phrase may mean it, else its likeliest."""
    out, last = [], 0
    for stated in stated_dates(text, today):
        meant = next((reading for reading in stated.readings if reading in taken), stated.likeliest)
        joint = " to " if out and stated.start == stated.end == last else ""  # a week's two ends
        out += [text[last:stated.start], joint, meant.isoformat()]
        last = stated.end
    return "".join(out) + text[last:]


def _readings(kind: str, match: re.Match[str], today: date) -> tuple[date, ...]:
    if kind == "iso":
        return _valid(lambda: date.fromisoformat(match.group("iso")))
    if kind in ("day_month", "month_day"):
        return _day_of_month(int(match.group("day")), match.group("month"), match.group("year"), today)
    if kind == "range_start":
        return _day_of_month(int(match.group("day")), match.group("month"), None, today)
    if kind == "offset":
        return (today + timedelta(days=_OFFSETS[match.group("offset").lower()]),)
    if kind == "in":
        count = match.group("count").lower()
        days = int(count) if count.isdigit() else _COUNTS[count]
        return (today + timedelta(days=days * (7 if match.group("unit").lower().startswith("week") else 1)),)
    if kind == "weekday":
        return _weekday(_WEEKDAY_NAMES[match.group("weekday").lower()], (match.group("which") or "").lower(), today)
    if kind == "month":
        return (date(today.year, _MONTHS[match.group("month").lower()], 1),)
    if kind == "since_month":
        month = _MONTHS[match.group("month").lower()]
        return (date(today.year - (month > today.month), month, 1),)
    if kind == "period":
        return (_period_start(match, today),)
    if kind == "month_edge":
        first = _day_of_month(1, match.group("month"), match.group("year"), today)
        if match.group("edge").lower() != "end":
            return first
        return tuple((day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1) for day in first)
    if kind == "month_end":
        months = 2 if match.groupdict().get("which") else 1
        first = today.replace(day=1)
        for _ in range(months):
            first = (first + timedelta(days=32)).replace(day=1)
        return (first - timedelta(days=1),)
    if kind in ("week", "week_day"):
        which = match.group("which") or match.group("which2") if kind == "week" else match.group("which")
        weeks = {"last": -1, "this": 0, "next": 1}.get(which.lower(), 2)  # "after next"
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
        return (monday + timedelta(days=_WEEKDAY_NAMES[match.group("weekday").lower()] if kind == "week_day" else 0),)
    day = int(match.group("day"))
    this_month = _valid(lambda: today.replace(day=day))
    if this_month and this_month[0] >= today:
        return this_month
    following = today.replace(day=1) + timedelta(days=32)
    return _valid(lambda: following.replace(day=day)) + this_month  # "paid on the 3rd": this month's, past


def _period_start(match: re.Match[str], today: date) -> date:
    """The first day of the month or quarter a "period" match names, counted from `today`'s."""
    step = {"last": -1, "previous": -1, "past": -1, "next": 1}.get(match.group("which").lower(), 0)
    months = 3 if match.group("unit").lower() == "quarter" else 1
    index = today.year * 12 + (today.month - 1) // months * months + step * months  # months since year 0
    return date(index // 12, index % 12 + 1, 1)


def _period_end(match: re.Match[str], start: date) -> date:
    """The last day of the period a "period" match names, which starts on `start`."""
    index = start.year * 12 + start.month - 1 + (3 if match.group("unit").lower() == "quarter" else 1)
    return date(index // 12, index % 12 + 1, 1) - timedelta(days=1)


def _day_of_month(day: int, month: str, year: str | None, today: date) -> tuple[date, ...]:
    number = _MONTHS[month.lower()]
    if year:
        return _valid(lambda: date(int(year), number, day))
    return _valid(lambda: date(today.year, number, day)) + _valid(lambda: date(today.year + 1, number, day))


def _weekday(weekday: int, which: str, today: date) -> tuple[date, ...]:
    if which == "last":
        return (today - timedelta(days=(today.weekday() - weekday) % 7 or 7),)
    coming = today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    if which == "this" and weekday == today.weekday():  # "this wednesday" said on a Wednesday
        return (today, coming)
    if not which:  # "on monday": the coming one, or for what was done ("paid on monday") the last one
        return (coming, coming - timedelta(days=7))
    if which != "next":
        return (coming,)
    # "next friday" on a Wednesday is most often next week's; "next monday" is the coming one either way
    in_this_week = coming.isocalendar()[1] == today.isocalendar()[1]
    return (coming + timedelta(days=7), coming) if in_this_week else (coming, coming + timedelta(days=7))


def _valid(make: Callable[[], date]) -> tuple[date, ...]:
    try:
        return (make(),)
    except ValueError:
        return ()


# ----------------------------------------------------------------------------------------------------
# Times of day

_CLOCK = r"(?P<{0}h>[01]?\d|2[0-3])(?::(?P<{0}m>[0-5]\d))?\s*(?P<{0}p>[ap]\.?m\b\.?)?"
#: "9 to 10", "from 3 to 4pm", "10:00-11:30", "between 2 and 3"; not "2 to 3 days" or "5-10 people".
_TIME_RANGE = re.compile(
    r"(?<![\w:.,/-])(?P<between>between\s+)?" + _CLOCK.format("a") + r"\s*(?P<joint>-|–|to|till|until|and)\s*"
    + _CLOCK.format("b") + r"(?![\w:.,/-]*\d)(?!\s*(?:people|ppl|persons|attendees|guests|days?|weeks?|months?|"
    r"hours?|hrs?|minutes?|mins?|%|eur|euros?|items?)\b)", re.IGNORECASE)
#: "14:00", "3pm", "3:30 p.m.", "noon", "6 in the morning", "at 3.15".
_TIME = re.compile(r"(?<![\w:.,/-])(?:(?P<dh>1[0-2]|0?[1-9])(?::(?P<dm>[0-5]\d))?\s*(?:o'?clock\s+)?in\s+the\s+"
                   r"(?P<part>morning|afternoon|evening)\b|(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)"
                   r"(?:\s*(?P<p>[ap]\.?m\b\.?))?|(?P<h12>1[0-2]|0?[1-9])\s*(?P<p12>[ap]\.?m\b\.?))(?![\w:])|"
                   r"\b(?P<noon>noon|midday)\b|"
                   r"\bat\s+(?P<doth>[01]?\d|2[0-3])\.(?P<dotm>[0-5]\d)\b(?!\s*(?:eur|euros?|€|%|k\b))|"
                   r"\b(?:at\s+(?P<half>half)|(?P<past>half|quarter)\s+past|(?P<to>quarter)\s+to)\s+"
                   r"(?P<said>1[0-2]|[1-9])(?!\d|[:.,]\d)(?:\s*(?P<saidp>[ap]\.?m\b\.?))?",
                   re.IGNORECASE)
#: Minutes past the hour a time said in words adds: "half 3" and "half past 3" are 3:30, "quarter to 4" 3:45.
_SAID_MINUTES = {"half": 30, "quarter": 15}


def stated_times(text: str) -> list[str]:
    """The times of day `text` states, as HH:MM, in order: both ends of a range, then single times."""
    return [value for _, _, value in stated_time_spans(text)]


def stated_time_spans(text: str) -> list[tuple[int, int, str]]:
    """`stated_times` with where each stands: its start and end in `text` (a range's two ends share its span)."""
    found: list[tuple[int, int, str]] = []
    for match in _TIME_RANGE.finditer(text):
        if match.group("joint").lower() == "and" and not match.group("between"):
            continue  # "3 and 4" is a list, not a range
        if not any(match.group(name) for name in ("am", "ap", "bm", "bp")) and not match.group("between") and \
                not re.search(r"\b(?:from|at)\s*$", text[:match.start()], re.IGNORECASE) and \
                not _BOOKING_WORDS.search(text):
            continue  # bare "2 to 3" in a request about no time of day
        b_suffix = match.group("bp")
        a_suffix = match.group("ap") or (b_suffix if int(match.group("ah")) < int(match.group("bh")) else None)
        bare = not match.group("am") and not match.group("bm")
        found.append((match.start(), match.end(),
                      _clock(match.group("ah"), match.group("am"), a_suffix, bare)))
        found.append((match.start(), match.end(), _clock(match.group("bh"), match.group("bm"), b_suffix, bare)))
    for match in _TIME.finditer(text):
        if any(start <= match.start() < end for start, end, _ in found):
            continue
        if match.group("noon"):
            value = "12:00"
        elif match.group("doth"):  # "at 3.15": a time written with a dot, an office hour like a bare range's
            value = _clock(match.group("doth"), match.group("dotm"), None, True)
        elif match.group("said"):  # "at half 3", "quarter to 4": an office hour too, unless am or pm follows
            hour, suffix = int(match.group("said")), match.group("saidp")
            if match.group("to"):
                value = _clock(str(hour - 1 if hour > 1 else 12), "45", suffix, True)
            else:
                value = _clock(str(hour), str(_SAID_MINUTES[(match.group("half") or match.group("past")).lower()]),
                               suffix, True)
        elif match.group("part"):
            value = _clock(match.group("dh"), match.group("dm"), "am" if match.group("part").lower() == "morning"
                           else "pm", False)
        elif match.group("h12"):
            value = _clock(match.group("h12"), None, match.group("p12"), False)
        else:
            value = _clock(match.group("h"), match.group("m"), match.group("p"), False)
        found.append((match.start(), match.end(), value))
    return sorted(found, key=lambda item: item[0])


#: Words that make a bare "9 to 10" a time of day: a booking, a meeting, a room, a slot.
_BOOKING_WORDS = re.compile(r"\b(?:book|booking|reserve|room|meeting|call|slot|free|available|tmrw|tomorrow|today|"
                            r"monday|tuesday|wednesday|thursday|friday)\b", re.IGNORECASE)


def _clock(hour: str, minute: str | None, suffix: str | None, bare_range: bool) -> str:
    """HH:MM from an hour, its minutes and am/pm; a bare range's hour from 1 to 6 is the afternoon's."""
    value, minutes = int(hour), int(minute or 0)
    suffix = (suffix or "").lower().replace(".", "")
    if suffix == "pm" and value < 12:
        value += 12
    elif suffix == "am" and value == 12:
        value = 0
    elif not suffix and bare_range and 1 <= value <= 6:
        value += 12
    return f"{value:02d}:{minutes:02d}"


# ----------------------------------------------------------------------------------------------------
# Durations

#: A duration: "90 minutes", "2 hrs", "1.5 hours", "half an hour", "half hour", "an hour and a half", "60 min".
_DURATION = re.compile(
    r"\b(?:(?P<hours>\d+(?:\.\d+)?|an?|one|two|three)\s*(?:hours?|hrs?|h)\b(?P<half>\s+and\s+a\s+half)?"
    r"(?:\s*(?:and\s*)?(?P<more>\d+)\s*(?:minutes?|mins?)\b)?|(?P<minutes>\d+)\s*(?:minutes?|mins?)\b|"
    r"(?P<half_hour>half\s+(?:an\s+)?hour|half-hour))", re.IGNORECASE)
_HOURS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3}


def stated_minutes(request: str) -> list[int]:
    """The durations `request` states, in minutes, in order."""
    return [minutes for _, _, minutes in stated_duration_spans(request)]


def stated_duration_spans(request: str) -> list[tuple[int, int, int]]:
    """`stated_minutes` with where each stands: its start and end in `request`, and its minutes."""
    found = []
    for match in _DURATION.finditer(request):
        if match.group("half_hour"):
            minutes = 30
        elif match.group("minutes"):
            minutes = int(match.group("minutes"))
        else:
            hours = match.group("hours").lower()
            value = float(hours) if hours[0].isdigit() else _HOURS[hours]
            minutes = round(value * 60 + (30 if match.group("half") else 0) + int(match.group("more") or 0))
        found.append((match.start(), match.end(), minutes))
    return found
