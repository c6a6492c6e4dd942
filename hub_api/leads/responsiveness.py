"""The hub's own responsiveness, computed from the database so silence cannot flatter it.

For each window (the last N days of questions, by when they were asked) it counts questions
asked, the share answered, the median and 90th-percentile time to the first staff answer
and the share answered within the topic's target — overall, per topic and per person.

The rules, also stated on ``/transparency/``:

* A question counts if it was asked here and accepted as a genuine question: open, answered,
  hidden by a moderator after publication, or removed by its asker (deleting or hiding an
  unanswered question must not improve a figure). Held posts (not yet published) and
  moderator-rejected spam do not count; imported threads were never asked here.
* Only a staff ``Answer`` counts; an imported answer is never one.
* Time to first answer is *working* time on the topic's schedule (``working_hours.py``), so
  a question asked on Friday evening and answered on Monday morning took minutes, not days.
* A question never answered is missed and infinitely late: a percentile that lands on one
  is not known yet, shown with the least it already is ("still waiting (2 h so far)").
* Per person: an answered question counts for whoever gave the first answer; an unanswered
  one counts against whoever has it (``assignee``, else the person the asker named). An
  unanswered question nobody personally has counts against its topic only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Answer, Person, Question, Topic
from ..questions.states import COUNTED, LIVE, in_
from ..questions.working_hours import Schedule, target_hours, topic_schedule
from ..text import duration, share

if TYPE_CHECKING:
    from flask import Flask

WINDOWS = (30, 90)
DAY = 24 * 3600


@dataclass(frozen=True)
class Case:
    """One counted question: when asked, its first answer if any, and its target."""

    question_id: int
    topic_id: int | None
    person_id: int | None  # first answerer, else whoever has it; None = nobody personally
    asked_at: datetime
    answered_at: datetime | None
    waited: float  # working seconds to the first answer, or so far when unanswered
    target: float  # working seconds promised

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def within_target(self) -> bool:
        return self.answered and self.waited <= self.target


@dataclass(frozen=True)
class Wait:
    """A percentile of waits: exact when ``known``, else at least ``seconds`` and growing."""

    seconds: float
    known: bool

    def __str__(self) -> str:
        if self.known:
            return duration(self.seconds, working=True)
        return f"still waiting ({duration(self.seconds, working=True)} so far)"


@dataclass
class Figures:
    """What a group of questions (the hub, a topic, a person) shows."""

    label: str
    cases: list[Case] = field(default_factory=list)

    @property
    def asked(self) -> int:
        return len(self.cases)

    @property
    def answered(self) -> int:
        return sum(c.answered for c in self.cases)

    @property
    def waiting(self) -> int:
        return self.asked - self.answered

    @property
    def within(self) -> int:
        return sum(c.within_target for c in self.cases)

    @property
    def answered_share(self) -> str:
        return share(self.answered, self.asked)

    @property
    def within_share(self) -> str:
        return share(self.within, self.asked)

    @property
    def median(self) -> Wait | None:
        return percentile(self.cases, 0.5)

    @property
    def p90(self) -> Wait | None:
        return percentile(self.cases, 0.9)


@dataclass
class Window:
    """The figures of one window (e.g. "the last 30 days"): overall, per topic and per person."""

    label: str
    overall: Figures
    topics: list[Figures]
    people: list[Figures]




def percentile(cases: list[Case], p: float) -> Wait | None:
    """Nearest rank: the least wait that at least ``p`` of the questions got.

    Unanswered questions sort as infinitely late. When the rank lands on one, the figure is
    not known yet; its lower bound is the same rank among waits so far (each unanswered
    question has already waited at least its time so far).
    """
    if not cases:
        return None
    rank = max(math.ceil(p * len(cases)), 1) - 1
    final = sorted(c.waited if c.answered else math.inf for c in cases)[rank]
    if final != math.inf:
        return Wait(final, True)
    return Wait(sorted(c.waited for c in cases)[rank], False)


def load_cases(session: Session, since: datetime, now: datetime, config: Mapping) -> list[Case]:
    """Counted questions asked in ``[since, now]`` with their first staff answer."""
    questions = session.execute(
        select(Question.id, Question.topic_id, Question.created_at,
               Question.assignee_id, Question.person_id)
        .where(in_(COUNTED), Question.created_at >= since,
               Question.created_at <= now)
        .order_by(Question.created_at, Question.id)
    ).all()
    if not questions:
        return []
    firsts: dict[int, tuple[datetime, int]] = {}
    answers = session.execute(
        select(Answer.question_id, Answer.created_at, Answer.person_id)
        .join(Question, Question.id == Answer.question_id)
        .where(in_(COUNTED), Question.created_at >= since,
               Question.created_at <= now, Answer.created_at <= now)
        .order_by(Answer.created_at, Answer.id)
    )
    for question_id, created_at, person_id in answers:
        firsts.setdefault(question_id, (created_at, person_id))
    topics = {t.id: t for t in session.scalars(select(Topic))}
    schedules: dict[int | None, Schedule] = {}
    cases = []
    for qid, topic_id, asked_at, assignee_id, named_id in questions:
        topic = topics.get(topic_id)
        if topic_id not in schedules:
            schedules[topic_id] = topic_schedule(config, topic)
        answered_at, answerer = firsts.get(qid, (None, None))
        end = answered_at or now
        cases.append(Case(
            question_id=qid, topic_id=topic_id,
            person_id=answerer if answered_at else (assignee_id or named_id),
            asked_at=asked_at, answered_at=answered_at,
            waited=schedules[topic_id].working_seconds(asked_at, end),
            target=3600 * target_hours(config, topic),
        ))
    return cases


def group(cases: Iterable[Case], key: str, labels: dict[int, str],
          none_label: str | None) -> list[Figures]:
    """Figures per topic or person (``key``) by name; ``None`` ids go under ``none_label``
    (or nowhere when it is ``None``)."""
    groups: dict[int | None, Figures] = {}
    for case in cases:
        ident = getattr(case, key)
        name = labels.get(ident, "?") if ident is not None else none_label
        if name is not None:
            groups.setdefault(ident, Figures(name)).cases.append(case)
    return sorted(groups.values(), key=lambda f: f.label.lower())


def window(session: Session, span: timedelta, now: datetime, config: Mapping,
           label: str) -> Window:
    """The figures for questions asked in the ``span`` before ``now``."""
    cases = load_cases(session, now - span, now, config)
    topic_names = dict(session.execute(select(Topic.id, Topic.name)).all())
    person_names = dict(session.execute(select(Person.id, Person.name)).all())
    return Window(label, Figures("All questions", cases),
                  group(cases, "topic_id", topic_names, "No topic"),
                  group(cases, "person_id", person_names, None))


def report(session: Session, now: datetime, config: Mapping) -> list[Window]:
    """The windows ``/transparency/`` shows (the last 30 and 90 days).

    ``config``: ``TIMEZONE`` and ``RESPONSE_TARGET_HOURS`` (the app's, or the build's).
    """
    return [window(session, timedelta(days=d), now, config, f"Last {d} days") for d in WINDOWS]


# --- freshness -----------------------------------------------------------------------------


def last_answers(session: Session) -> tuple[dict[int, datetime], dict[int, datetime]]:
    """When each topic and each person last gave a staff answer on a public question."""
    public = in_(LIVE)
    by_topic = dict(session.execute(
        select(Question.topic_id, func.max(Answer.created_at))
        .join(Question, Question.id == Answer.question_id)
        .where(public, Question.topic_id.is_not(None)).group_by(Question.topic_id)).all())
    by_person = dict(session.execute(
        select(Answer.person_id, func.max(Answer.created_at))
        .join(Question, Question.id == Answer.question_id)
        .where(public).group_by(Answer.person_id)).all())
    return by_topic, by_person


def is_quiet(topic: Topic, last: datetime | None, now: datetime) -> bool:
    """No staff answer on the topic for its ``quiet_days`` (never answered counts too)."""
    return last is None or now - last > timedelta(days=topic.quiet_days)


def since_text(last: datetime | None, now: datetime) -> str:
    """``"Last answered 3 days ago"``; whole days, as static pages are rebuilt daily."""
    if last is None:
        return "No answer yet"
    days = (now - last).days
    return "Last answered today" if days < 1 else \
        f"Last answered {days} day{'' if days == 1 else 's'} ago"


# --- keeping the static figures fresh --------------------------------------------------------


def init_app(app: Flask) -> None:
    """Rebuild the site once a day so the published figures (and "quiet" flags) stay true."""
    from ..effects.jobs import scheduler
    from ..site.builder import get_builder

    builder = get_builder(app)
    if builder is not None:  # without AUTO_BUILD the operator runs `candor build` (cron)
        scheduler(app).add("refresh-responsiveness", DAY, lambda _app: builder.request())
