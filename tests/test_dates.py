"""Dates a request states in words, resolved against today (a Wednesday)."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.dates import stated_dates, stated_times, with_dates_written_out

WEDNESDAY = date(2026, 6, 10)


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("who has booked bora tomorrow?", "who has booked bora 2026-06-11?"),
        ("any rooms free the day after tomorrow", "any rooms free the 2026-06-12"),
        ("who booked monsoon yesterday", "who booked monsoon 2026-06-09"),
        ("rooms free on friday?", "rooms free on 2026-06-12?"),
        ("Who has booked Bora next monday?", "Who has booked Bora 2026-06-15?"),
        ("rooms free in 2 days", "rooms free 2026-06-12"),
        ("in a week", "2026-06-17"),
        ("is chinook booked on june 22nd?", "is chinook booked on 2026-06-22?"),
        ("leave on the 26th of june", "leave on 2026-06-26"),
        ("what's booked on the 30th?", "what's booked on 2026-06-30?"),
        ("what's booked on the 3rd?", "what's booked on 2026-07-03?"),
        ("from monday 15 june to friday 19 june", "from 2026-06-15 to 2026-06-19"),
        ("book it for Mar 5, 2027", "book it for 2027-03-05"),
        ("last friday", "2026-06-05"),
        ("meet on 2026-06-12 at 10:00", "meet on 2026-06-12 at 10:00"),
        ("book mistral tmrw 9 to 10", "book mistral 2026-06-11 9 to 10"),
        ("tomorow off pls", "2026-06-11 off pls"),
        ("a taxi this morning", "a taxi 2026-06-10"),
        # weekdays as chat shortens them; "sat" and "sun" are words of their own
        ("book a door fri 08:30", "book a door 2026-06-12 08:30"),
        ("slots on thurs?", "slots on 2026-06-11?"),
        ("sat in the sun all day", "sat in the sun all day"),
        # a weekday of a week said, a weekday with its day of the month
        ("inbound slots thursday next week?", "inbound slots 2026-06-18?"),
        ("next week's friday", "2026-06-19"),
        ("monday last week", "2026-06-01"),
        ("on monday the 15th at 6:00", "on 2026-06-15 at 6:00"),
        # a week: its monday and its sunday
        ("what went out last week", "what went out 2026-06-01 to 2026-06-07"),
        ("anything due next week?", "anything due 2026-06-15 to 2026-06-21?"),
        ("the last week of june", "the last week of june"),
        ("leave the week after next", "leave 2026-06-22 to 2026-06-26"),  # time off: the working week
        ("need next week off, unpaid", "need 2026-06-15 to 2026-06-19 off, unpaid"),
        # weekdays joined before a week said are of that week
        ("off thursday and friday next week", "off 2026-06-18 and 2026-06-19"),
        ("doors free monday to wednesday next week?", "doors free 2026-06-15 to 2026-06-17?"),
        ("expenses from may, paid yet?", "expenses 2026-05-01 to 2026-05-31, paid yet?"),
        # a weekday right after a week said is that week's
        ("holiday the week after next, mon to fri", "holiday the week after next, 2026-06-22 to 2026-06-26"),
        ("what went out last week, friday?", "what went out last week, 2026-06-05?"),
        # a month: its first day and its last; "may" that asks is no month
        ("what did E1010 claim in may", "what did E1010 claim 2026-05-01 to 2026-05-31"),
        ("expenses for february", "expenses 2026-02-01 to 2026-02-28"),
        ("in may i book foehn?", "in may i book foehn?"),
        ("3 days off in may for a wedding", "3 days off in may for a wedding"),  # which three: not said
        ("a week off in august", "a week off in august"),
        # a month or a quarter counted from today's: its first day and its last
        ("travel claims from last month", "travel claims from 2026-05-01 to 2026-05-31"),
        ("what did we spend on travel last quarter?", "what did we spend on travel 2026-01-01 to 2026-03-31?"),
        ("expenses this quarter", "expenses 2026-04-01 to 2026-06-30"),
        ("rooms for next month", "rooms for 2026-07-01 to 2026-07-31"),
        ("2 days off next month", "2 days off next month"),  # which two: not said
        ("sick days left this year", "sick days left this year"),  # what is left of a yearly allowance
        ("all my claims since jan", "all my claims 2026-01-01"),  # the month's first day
        ("everything since august", "everything 2025-08-01"),  # the last august before today
        # the end of a month: its last day
        ("need it by the end of the month", "need it by 2026-06-30"),
        ("deliver end of next month", "deliver 2026-07-31"),
    ],
)
def test_a_date_phrase_becomes_the_date_it_means(said: str, meant: str):
    assert with_dates_written_out(said, WEDNESDAY) == meant


def test_the_end_of_a_weekday_range_is_not_before_its_start():
    """On a Monday, "wednesday" alone is the day after tomorrow; after "next monday to" it is next week's."""
    monday = date(2026, 3, 2)
    assert with_dates_written_out("leave next monday to wednesday", monday) == "leave 2026-03-09 to 2026-03-11"
    assert with_dates_written_out("leave on wednesday", monday) == "leave on 2026-03-04"


def test_next_weekday_keeps_both_readings_the_likelier_first():
    (friday,) = stated_dates("next friday", WEDNESDAY)
    assert friday.readings == (date(2026, 6, 19), date(2026, 6, 12))
    (monday,) = stated_dates("next monday", WEDNESDAY)
    assert monday.readings == (date(2026, 6, 15), date(2026, 6, 22))


def test_this_weekday_said_on_that_day_is_today_or_a_week_on():
    (this,) = stated_dates("this wednesday", WEDNESDAY)
    assert this.readings == (WEDNESDAY, date(2026, 6, 17))
    assert with_dates_written_out("on wednesday", WEDNESDAY) == "on 2026-06-17"


def test_no_date_is_read_where_none_is_said():
    assert stated_dates("book zephyr for E1005 from 10:00 to 11:00 for 5 people", WEDNESDAY) == []
    assert stated_dates("the 30th of february", WEDNESDAY) == []
    assert stated_dates("rooms on the 2nd floor", WEDNESDAY) == []


def test_a_day_of_the_month_or_a_weekday_past_is_the_second_reading():
    """"paid on the 3rd" or "on monday" may mean what was done: this month's 3rd, last monday."""
    (third,) = stated_dates("bought on the 3rd", WEDNESDAY)
    assert third.readings == (date(2026, 7, 3), date(2026, 6, 3))
    (monday,) = stated_dates("paid on monday", WEDNESDAY)
    assert monday.readings == (date(2026, 6, 15), date(2026, 6, 8))
    (thirtieth,) = stated_dates("on the 30th", WEDNESDAY)
    assert thirtieth.readings == (date(2026, 6, 30),)  # still to come this month: one reading


@pytest.mark.parametrize(
    ("said", "times"),
    [
        ("any room free tomorrow 3 to 4pm for 8 people?", ["15:00", "16:00"]),
        ("book mistral tmrw 9 to 10 for an onboarding chat, E1003, 2 of us", ["09:00", "10:00"]),
        ("bora next tuesday 10 till 12 for the kickoff", ["10:00", "12:00"]),
        ("book a room from 2 to 3", ["14:00", "15:00"]),  # a bare afternoon hour in office hours
        ("friday 10:00-11:30", ["10:00", "11:30"]),
        ("on the 22nd from 13:30 to 15:00, organiser E1004, 7 people", ["13:30", "15:00"]),
        ("is zephyr free between 2 and 3pm", ["14:00", "15:00"]),
        ("11 to 1pm", ["11:00", "13:00"]),
        ("at 3pm please, or 3:30 p.m.", ["15:00", "15:30"]),
        ("lunch at noon", ["12:00"]),
        ("inbound slot WH-02 on the 18th at 6 in the morning", ["06:00"]),
        ("the truck comes at 3 in the afternoon, or 7:30 in the evening", ["15:00", "19:30"]),
        ("claim 18.40 for a taxi", []),
        ("i took 2 to 3 days off", []),
        ("between 5 and 10 people", []),
        ("tickets 4103 and 4104", []),
        ("rooms 2 to 4 on the list", []),  # a bare range in a request about no time of day
        ("portex picks up this afternoon at half 3, get them a door for 30 min", ["15:30"]),  # British "half 3"
        ("half past 10 or quarter to 4", ["10:30", "15:45"]),  # in words: office hours, as a bare range's
        ("quarter past 9am", ["09:15"]),
        ("half 3 pallets were damaged", []),  # half of a figure, no time
    ],
)
def test_the_times_of_day_a_request_states(said: str, times: list[str]):
    assert stated_times(said) == times


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("shipped between 1 and 5 june", ["2026-06-01", "2026-06-05"]),
        ("1-5 june", ["2026-06-01", "2026-06-05"]),
        ("the 3rd to 7th of july", ["2026-07-03", "2026-07-07"]),
        ("june 1-5 pls", ["2026-06-01", "2026-06-05"]),
        ("june 1 to 5th", ["2026-06-01", "2026-06-05"]),
        ("on june 1 to 5pm", ["2026-06-01"]),  # a time, not the range's end
        ("on june 3 to 4 people", ["2026-06-03"]),
        ("june 30-31", ["2026-06-30"]),  # no 31st of june
    ],
)
def test_both_ends_of_a_range_sharing_one_month_are_dates(said: str, meant: list[str]):
    assert [stated.likeliest.isoformat() for stated in stated_dates(said, WEDNESDAY)] == meant


def test_the_day_beside_a_date_just_said_is_a_date_too():
    assert [stated.likeliest.isoformat() for stated in stated_dates("sick yesterday and the day before", WEDNESDAY)] \
        == ["2026-06-09", "2026-06-08"]
    assert [stated.likeliest.isoformat() for stated in stated_dates("the 12th and the day after", WEDNESDAY)] \
        == ["2026-06-12", "2026-06-13"]
    assert [stated.likeliest.isoformat() for stated in stated_dates("the day before yesterday", WEDNESDAY)] \
        == ["2026-06-08"]


def test_last_month_and_quarter_in_january_are_of_the_year_before():
    january = date(2027, 1, 20)
    assert [said.readings for said in stated_dates("claims from last month", january)] == \
        [(date(2026, 12, 1),), (date(2026, 12, 31),)]
    assert [said.readings for said in stated_dates("spend last quarter", january)] == \
        [(date(2026, 10, 1),), (date(2026, 12, 31),)]
