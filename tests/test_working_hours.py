"""Working-hours arithmetic, checked against a minute-by-minute count done here."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub_api.questions.working_hours import Schedule


def brute_force_seconds(text: str, start: datetime, end: datetime) -> int:
    """Count working minutes one by one, reading the rules straight from the text."""
    days_text, hours_text, *zone = text.split()
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    first, last = (names.index(d.lower()) for d in days_text.split("-"))
    days = set(range(first, last + 1))
    opens, closes = ([int(x) for x in t.split(":")] for t in hours_text.split("-"))
    lo, hi = opens[0] * 60 + opens[1], closes[0] * 60 + closes[1]
    tz = ZoneInfo(zone[0] if zone else "UTC")
    count, moment = 0, start
    while moment < end:
        local = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz)
        if local.weekday() in days and lo <= local.hour * 60 + local.minute < hi:
            count += 60
        moment += timedelta(minutes=1)
    return count


def test_friday_evening_question_is_due_monday_morning():
    schedule = Schedule.parse("Mon-Fri 09:00-17:00")
    asked = datetime(2026, 11, 20, 16, 0)  # a Friday, one working hour left
    assert schedule.add(asked, 4) == datetime(2026, 11, 23, 12, 0)
    assert schedule.working_seconds(asked, datetime(2026, 11, 23, 12, 0)) == 4 * 3600


def test_zone_and_daylight_saving():
    schedule = Schedule.parse("Mon-Fri 09:00-17:00 Europe/Berlin")
    # 2026-03-27 is a Friday in CET (UTC+1); the Monday after is CEST (UTC+2).
    asked = datetime(2026, 3, 27, 15, 0)  # 16:00 in Berlin
    assert schedule.add(asked, 2) == datetime(2026, 3, 30, 8, 0)  # 10:00 CEST


def test_weekend_question_waits_for_the_week():
    schedule = Schedule.parse("Mon-Fri 09:00-17:00")
    saturday = datetime(2026, 11, 21, 10, 0)
    assert schedule.working_seconds(saturday, datetime(2026, 11, 22, 23, 0)) == 0
    assert schedule.add(saturday, 1) == datetime(2026, 11, 23, 10, 0)


def test_round_the_clock():
    schedule = Schedule.parse("24/7")
    start = datetime(2026, 1, 1, 5, 30)
    assert schedule.add(start, 30) == start + timedelta(hours=30)
    assert schedule.working_seconds(start, start + timedelta(days=40)) == 40 * 86400


@pytest.mark.parametrize("text", ["", "Mon-Fri", "Mon-Fri 17:00-09:00", "Xyz 09:00-10:00",
                                  "Mon-Fri 09:00-17:00 Mars/Olympus", "Mon-Fri 25:00-26:00",
                                  "Mon-Fri 09:00-17:00; DROP TABLE", "x" * 10_000])
def test_bad_schedules_say_what_to_write(text):
    if text == "":
        assert Schedule.parse(text).days == frozenset(range(5))  # empty = the hub default
        return
    with pytest.raises(ValueError, match="working hours|time zone|day|time of day"):
        Schedule.parse(text)


@settings(max_examples=40, deadline=None)
@given(
    text=st.sampled_from(["Mon-Fri 09:00-17:00", "Tue-Sat 08:30-12:15 America/New_York",
                          "Mon-Sun 04:00-23:00 Europe/Berlin", "Sat-Sun 10:00-14:00 Asia/Tokyo"]),
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1)),
    minutes=st.integers(min_value=0, max_value=45 * 24 * 60),
)
def test_working_seconds_match_a_minute_count(text, start, minutes):
    start = start.replace(second=0, microsecond=0)
    end = start + timedelta(minutes=minutes)
    schedule = Schedule.parse(text)
    assert schedule.working_seconds(start, end) == brute_force_seconds(text, start, end)


@settings(max_examples=40, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1)),
    hours=st.integers(min_value=0, max_value=60),
)
def test_deadline_is_exactly_the_target_in_working_time(start, hours):
    start = start.replace(second=0, microsecond=0)
    schedule = Schedule.parse("Mon-Fri 09:00-17:00 Europe/London")
    deadline = schedule.add(start, hours)
    assert schedule.working_seconds(start, deadline) == hours * 3600
    # ...and not a working minute later than needed.
    if hours:
        assert schedule.working_seconds(start, deadline - timedelta(minutes=1)) < hours * 3600
