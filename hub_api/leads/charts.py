"""The digest's charts: the last 12 weeks in four small inline SVGs, computed here.

Questions per week, the share answered within target, the median time to a first answer and
the leads (contact requests) per week. The figures come from the same counting rules as
``/transparency/`` (``responsiveness.load_cases``). The geometry is computed here and the
template only draws it, so every value reaching the SVG is a number or escaped text; there is
no script and nothing remote, so the charts work in the page and in mail clients that show
SVG. Each chart carries a title and a text alternative, and the numbers sit in a table beside
them (clients that drop SVG, such as Gmail, still show the table and the text part).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ContactRequest
from .responsiveness import Case, Wait, load_cases, percentile

WEEKS = 12
WIDTH, HEIGHT = 600, 180  # the SVG's viewBox; it scales to the column's width
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 26  # room for axis labels


@dataclass(frozen=True)
class Week:
    """One week's figures (``median`` None: nothing was answered that week)."""

    start: datetime
    asked: int
    within: int
    median: Wait | None
    leads: int

    @property
    def label(self) -> str:
        return f"{self.start:%-d %b}"

    @property
    def within_percent(self) -> int | None:
        return math.floor(100 * self.within / self.asked) if self.asked else None

    @property
    def median_hours(self) -> float | None:
        return self.median.seconds / 3600 if self.median else None

    @property
    def median_text(self) -> str:
        return str(self.median) if self.median else "no question"


@dataclass(frozen=True)
class Mark:
    """A bar (``width`` > 0) or a point of a line, in viewBox units, with its value in words."""

    x: float
    y: float
    width: float
    height: float
    text: str
    hollow: bool = False  # a lower bound (still waiting), not a known value


@dataclass(frozen=True)
class Chart:
    """What the template draws: marks, a y-axis top value, the week labels, and words."""

    key: str
    title: str
    summary: str  # the text alternative
    kind: str  # "bars" or "line"
    marks: list[Mark]
    top_label: str
    labels: list[tuple[float, str]]  # x and text of every other week
    line: str = ""  # "x,y x,y" for the line's polyline segments joined by known points


def weeks(session: Session, now: datetime, config: Mapping, count: int = WEEKS) -> list[Week]:
    """The ``count`` weeks ending at ``now``, oldest first."""
    start = now - timedelta(weeks=count)
    by_week: list[list[Case]] = [[] for _ in range(count)]
    for case in load_cases(session, start, now, config):
        by_week[_index(case.asked_at, start, count)].append(case)
    leads = [0] * count
    for (created,) in session.execute(select(ContactRequest.created_at).where(
            ContactRequest.created_at >= start, ContactRequest.created_at <= now)):
        leads[_index(created, start, count)] += 1
    return [Week(start=start + timedelta(weeks=i), asked=len(cases),
                 within=sum(c.within_target for c in cases),
                 median=percentile(cases, 0.5), leads=leads[i])
            for i, cases in enumerate(by_week)]


def _index(when: datetime, start: datetime, count: int) -> int:
    return min(max(int((when - start) / timedelta(weeks=1)), 0), count - 1)


def _nice_top(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= value)


def _x(i: int, count: int) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * (i + 0.5) / count


def _y(value: float, top: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)


def _labels(rows: Sequence[Week]) -> list[tuple[float, str]]:
    return [(_x(i, len(rows)), w.label) for i, w in enumerate(rows) if (len(rows) - 1 - i) % 2 == 0]


def bar_chart(key: str, title: str, rows: Sequence[Week], values: list[int], unit: str) -> Chart:
    """Bars of whole numbers, one per week."""
    top = _nice_top(max(values, default=0))
    step = (WIDTH - LEFT - RIGHT) / max(len(rows), 1)
    marks = [Mark(x=_x(i, len(rows)) - step * 0.35, y=_y(v, top), width=step * 0.7,
                  height=_y(0, top) - _y(v, top), text=f"{w.label}: {v} {unit}")
             for i, (w, v) in enumerate(zip(rows, values, strict=True))]
    return Chart(key, title, _summary(title, rows, [str(v) for v in values], values), "bars",
                 marks, f"{top:g}", _labels(rows))


def line_chart(key: str, title: str, rows: Sequence[Week], values: list[float | None],
               texts: list[str], top_label, *, top: float | None = None,
               hollow: list[bool] | None = None) -> Chart:
    """Points joined by a line; a week without a value leaves a gap. ``top``: a fixed axis
    maximum (shares use 100, so a good week never looks like a bad one); ``top_label`` also
    words the lowest and highest values in the text alternative."""
    known = [v for v in values if v is not None]
    top = top or _nice_top(max(known, default=0))
    marks, segments, current = [], [], []
    for i, (w, v, text) in enumerate(zip(rows, values, texts, strict=True)):
        if v is None:
            if current:
                segments.append(current)
            current = []
            continue
        mark = Mark(x=_x(i, len(rows)), y=_y(v, top), width=0, height=0,
                    text=f"{w.label}: {text}", hollow=bool(hollow and hollow[i]))
        marks.append(mark)
        current.append(f"{mark.x:.1f},{mark.y:.1f}")
    if current:
        segments.append(current)
    line = " M ".join(" L ".join(s) for s in segments)
    return Chart(key, title, _summary(title, rows, texts, known, top_label), "line", marks,
                 top_label(top), _labels(rows), f"M {line}" if line else "")


def _summary(title: str, rows: Sequence[Week], texts: list[str], values: list,
             fmt=lambda v: f"{v:g}") -> str:
    """The text alternative: what the chart shows, its range and the latest week."""
    if not rows:
        return f"{title}: no weeks."
    end = rows[-1].start + timedelta(weeks=1)
    span = f"{len(rows)} weeks from {rows[0].label} to {end:%-d %b}"
    if not values:
        return f"{title}, {span}: nothing to show yet."
    return (f"{title}, {span}: lowest {fmt(min(values))}, highest {fmt(max(values))}; "
            f"the latest week: {texts[-1]}.")


def charts(rows: Sequence[Week]) -> list[Chart]:
    """The digest's four charts for ``rows``."""
    return [
        bar_chart("asked", "Questions per week", rows, [w.asked for w in rows], "asked"),
        line_chart("within", "Share answered within target (%)", rows,
                   [w.within_percent for w in rows],
                   [f"{w.within_percent}% ({w.within} of {w.asked})" if w.asked
                    else "no question" for w in rows],
                   lambda top: f"{top:g}%", top=100),
        line_chart("median", "Median time to a first answer (working hours)", rows,
                   [w.median_hours for w in rows], [w.median_text for w in rows],
                   lambda top: f"{top:g} h",
                   hollow=[bool(w.median and not w.median.known) for w in rows]),
        bar_chart("leads", "Leads (contact requests) per week", rows, [w.leads for w in rows],
                  "contact requests"),
    ]
