"""Working hours: when a response target's clock runs.

A topic promises a first answer within N *working* hours. A question asked on Friday
evening is not late on Saturday, so deadlines and "how long did it take" are measured on
the topic's schedule, in its time zone, with daylight-saving days handled by the zone.

A schedule is written the way people say it: ``"Mon-Fri 09:00-17:00"``, optionally with days
listed (``"Mon,Wed,Fri 08:30-12:00"``), a zone (``"Mon-Sat 08:00-20:00 Europe/Berlin"``), or
``"24/7"``. Times are naive UTC everywhere else in Candor; this module converts at its edges.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT = "Mon-Fri 09:00-17:00"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(
    r"^\s*(?P<days>[a-z]{3}(?:\s*[-,]\s*[a-z]{3})*)\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})"
    r"(?:\s+(?P<zone>[A-Za-z_+\-/0-9]+))?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Schedule:
    """Working days (0 = Monday), the daily window in minutes since midnight, and a zone."""

    days: frozenset[int]
    start: int
    end: int
    zone: ZoneInfo

    @classmethod
    def parse(cls, text: str | None, default_zone: str = "UTC") -> Schedule:
        """Read a schedule; an empty text is the hub default. ``ValueError`` says what is wrong."""
        text = (text or "").strip() or DEFAULT
        if text.lower().startswith("24/7"):
            zone = text[4:].strip() or default_zone
            return cls(frozenset(range(7)), 0, 24 * 60, _zone(zone))
        match = _SPEC.match(text)
        if not match:
            raise ValueError(f"working hours {text!r}: write them like {DEFAULT!r}, "
                             "optionally followed by a time zone such as Europe/Berlin, or 24/7")
        days = _days(match["days"])
        start, end = _minutes(match["start"]), _minutes(match["end"])
        if end <= start:
            raise ValueError(f"working hours {text!r}: the day must end after it starts")
        return cls(days, start, end, _zone(match["zone"] or default_zone))

    @property
    def hours_per_week(self) -> float:
        return len(self.days) * (self.end - self.start) / 60

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        """The working window of a local calendar day, in naive UTC (None: a day off)."""
        if day.weekday() not in self.days:
            return None
        midnight = datetime.combine(day, time(0), tzinfo=self.zone)
        opens = _utc(midnight.replace(hour=self.start // 60, minute=self.start % 60))
        closes = _utc(midnight + timedelta(minutes=self.end)) if self.end == 24 * 60 else \
            _utc(midnight.replace(hour=self.end // 60, minute=self.end % 60))
        return opens, closes

    def _local_day(self, moment: datetime) -> date:
        return moment.replace(tzinfo=UTC).astimezone(self.zone).date()

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Working time between two naive-UTC moments (0 when ``end`` is not after ``start``)."""
        if end <= start:
            return 0.0
        total = 0.0
        day, last = self._local_day(start), self._local_day(end)
        # Whole weeks in the middle cost one multiplication instead of seven windows each.
        if (last - day).days > 14:
            weeks = ((last - day).days - 7) // 7
            middle = day + timedelta(days=7)
            total += weeks * self.hours_per_week * 3600
            total += self.working_seconds(start, _utc_midnight(middle, self.zone))
            return total + self.working_seconds(
                _utc_midnight(middle + timedelta(days=7 * weeks), self.zone), end)
        while day <= last:
            window = self._window(day)
            if window:
                opens, closes = max(window[0], start), min(window[1], end)
                if closes > opens:
                    total += (closes - opens).total_seconds()
            day += timedelta(days=1)
        return total

    def add(self, start: datetime, hours: float) -> datetime:
        """The naive-UTC moment ``hours`` of working time after ``start``: a deadline."""
        remaining = hours * 3600
        day = self._local_day(start)
        while True:
            window = self._window(day)
            if window:
                opens = max(window[0], start)
                available = (window[1] - opens).total_seconds()
                if available >= remaining and (available > 0 or remaining == 0):
                    return opens + timedelta(seconds=remaining)
                remaining -= max(available, 0.0)
            day += timedelta(days=1)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}: use a name like Europe/Berlin") from None


def _days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for part in re.split(r"\s*,\s*", text.lower()):
        ends = [p.strip() for p in part.split("-")]
        if any(e not in DAYS for e in ends):
            raise ValueError(f"unknown day in {text!r}: use Mon, Tue, Wed, Thu, Fri, Sat, Sun")
        first, last = DAYS.index(ends[0]), DAYS.index(ends[-1])
        days.update(range(first, last + 1) if first <= last else
                    [*range(first, 7), *range(0, last + 1)])
    return frozenset(days)


def _minutes(text: str) -> int:
    hours, minutes = (int(p) for p in text.split(":"))
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise ValueError(f"{text!r} is not a time of day")
    return hours * 60 + minutes


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _utc_midnight(day: date, zone: ZoneInfo) -> datetime:
    return _utc(datetime.combine(day, time(0), tzinfo=zone))


def topic_schedule(config: Mapping, topic) -> Schedule:
    """The schedule a topic's (or the hub's) target runs on, in ``CANDOR_TIMEZONE``."""
    return schedule_for(topic, config["TIMEZONE"])


def target_hours(config: Mapping, topic) -> int:
    """The promised first-answer time in working hours (the hub default without a topic)."""
    return topic.response_target_hours if topic else config["RESPONSE_TARGET_HOURS"]


def schedule_for(topic, default_zone: str = "UTC") -> Schedule:
    """The schedule a topic's target runs on (the hub default when it sets none)."""
    try:
        return Schedule.parse(getattr(topic, "working_hours", "") if topic else "", default_zone)
    except ValueError:  # validated when set; an old bad value falls back rather than crash
        return Schedule.parse("", default_zone)
