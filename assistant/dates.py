"""Dates a request states in words, resolved against today: "tomorrow", "on friday", "next monday", "in 2
days", "15 june", "june 22nd", "the 26th", "2026-06-12".

Staff write dates the way they say them; the small model turns "tomorrow" into a date a week away. What the
words mean is arithmetic on today's date, so it is done here, not by the model. A phrase that two readings
fit ("next friday" said on a Wednesday: this week's or next week's) keeps both, the likelier first; a call
whose date is one of them is left as the model wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, timedelta

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {name: number for number, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")], start=1) for name in names}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
_WEEKDAY = "|".join(_WEEKDAYS)

#: Each kind of date phrase, the earlier in this list the first to claim its words.
_PATTERNS = [(kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in [
    ("iso", r"\b(?P<iso>\d{4}-\d{2}-\d{2})\b"),
    # "monday 15 june", "friday, june 19": the date says which day; the weekday adds nothing
    ("day_month", rf"\b(?:(?:{_WEEKDAY}),?\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?(?P<month>{_MONTH})\b{_YEAR}"),
    ("month_day", rf"\b(?:(?:{_WEEKDAY}),?\s+)?(?P<month>{_MONTH})\.?\s+{_DAY}(?![\d:]){_YEAR}"),
    ("offset", r"\b(?P<offset>day after tomorrow|day before yesterday|tomorrow|today|tonight|yesterday)\b"),
    ("in", r"\bin\s+(?P<count>\d{1,2}|a|one|two|three)\s+(?P<unit>days?|weeks?)\b"),
    ("weekday", rf"\b(?:(?P<which>next|this|coming|last)\s+)?(?P<weekday>{_WEEKDAY})\b"),
    ("ordinal", r"\bthe\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b"),
]]
_OFFSETS = {"day after tomorrow": 2, "day before yesterday": -2, "tomorrow": 1, "today": 0, "tonight": 0,
            "yesterday": -1}
_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3}
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
    range's start ("next monday to wednesday")."""
    matches: list[tuple[str, re.Match[str]]] = []
    for kind, pattern in _PATTERNS:
        matches += [(kind, match) for match in pattern.finditer(text)
                    if not any(match.start() < other.end() and other.start() < match.end() for _, other in matches)]
    found: list[StatedDate] = []
    for kind, match in sorted(matches, key=lambda found_match: found_match[1].start()):
        readings = _readings(kind, match, today)
        if not readings:
            continue
        if (found and kind == "weekday" and not match.group("which")
                and _RANGE.match(text[found[-1].end:match.start()])):
            start = found[-1].likeliest
            weekday = _WEEKDAYS.index(match.group("weekday").lower())
            readings = (start + timedelta(days=(weekday - start.weekday()) % 7),)
        found.append(StatedDate(match.start(), match.end(), readings))
    return found


def with_dates_written_out(text: str, today: date, taken: Collection[date] = ()) -> str:
    """`text` with each date phrase replaced by a date it means in ISO form ("tomorrow" -> "2026-06-11"): one
    of `taken` (the dates a call already has) where the phrase may mean it, else its likeliest."""
    out, last = [], 0
    for stated in stated_dates(text, today):
        meant = next((reading for reading in stated.readings if reading in taken), stated.likeliest)
        out += [text[last:stated.start], meant.isoformat()]
        last = stated.end
    return "".join(out) + text[last:]


def _readings(kind: str, match: re.Match[str], today: date) -> tuple[date, ...]:
    if kind == "iso":
        return _valid(lambda: date.fromisoformat(match.group("iso")))
    if kind in ("day_month", "month_day"):
        return _day_of_month(int(match.group("day")), match.group("month"), match.group("year"), today)
    if kind == "offset":
        return (today + timedelta(days=_OFFSETS[match.group("offset").lower()]),)
    if kind == "in":
        count = match.group("count").lower()
        days = int(count) if count.isdigit() else _COUNTS[count]
        return (today + timedelta(days=days * (7 if match.group("unit").lower().startswith("week") else 1)),)
    if kind == "weekday":
        return _weekday(_WEEKDAYS.index(match.group("weekday").lower()), (match.group("which") or "").lower(), today)
    day = int(match.group("day"))
    this_month = _valid(lambda: today.replace(day=day))
    if this_month and this_month[0] >= today:
        return this_month
    following = today.replace(day=1) + timedelta(days=32)
    return _valid(lambda: following.replace(day=day))


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
