"""What an asker is told to expect: "usually answered within X; this question is Y old".

X is the real median working time to a first staff answer on the question's topic over the
last 90 days; with too little history the page states the target instead and says so. The
public thread page is the hub's most-hit dynamic page, so the median is one SQL query, kept
a few minutes per process and dropped when an answer is posted or a topic changes.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import signals
from ..db import utcnow
from ..models import Answer, Question, Topic
from ..text import duration
from .routing import target_hours, topic_schedule
from .states import awaits_first_answer

HISTORY = timedelta(days=90)  # the window the "usually answered within" figure looks at
MIN_HISTORY = 5  # fewer answered questions than this: state the target, not a median
USUAL_CACHE_SECONDS = 300


def init_app(app: Flask) -> None:
    app.extensions["candor_usual"] = {}
    for signal in (signals.answer_posted, signals.people_changed):
        signal.connect(_forget_usual, sender=app, weak=False)


@dataclass(frozen=True)
class Promise:
    """What an asker may expect, honestly: the real median when there is history enough."""

    usual_seconds: float | None  # median working time to a first staff answer; None: too few
    sample: int  # answered questions the median is taken over
    target_hours: int
    age: timedelta
    working_age: float

    @property
    def expectation(self) -> str:
        if self.usual_seconds is None:
            return (f"We aim to answer within {self.target_hours} working hours "
                    f"(too few answered questions yet to show a real figure).")
        return (f"Usually answered within {duration(self.usual_seconds, working=True)} "
                f"(the median over the last {self.sample} answered questions, 90 days).")

    @property
    def age_words(self) -> str:
        if self.working_age < 60:
            return f"This question is {duration(self.age)} old; no working time has passed yet."
        return (f"This question is {duration(self.age)} old "
                f"({duration(self.working_age, working=True)} so far).")


def _forget_usual(app: Flask, **_extra) -> None:
    app.extensions["candor_usual"].clear()


def usual_answer_time(session: Session, topic: Topic | None, app: Flask | None = None,
                      now: datetime | None = None) -> tuple[float | None, int]:
    """Median working time to the first staff answer on ``topic`` over 90 days, and n.

    One query; the result is kept a few minutes per process (and dropped on a new answer),
    because the public thread page is the hub's most-hit dynamic page.
    """
    app = app or current_app._get_current_object()
    cache = app.extensions["candor_usual"]
    key = topic.id if topic else None
    hit = cache.get(key)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    now = now or utcnow()
    first = func.min(Answer.created_at)
    query = (select(Question.created_at, first).join(Answer, Answer.question_id == Question.id)
             .where(Question.created_at >= now - HISTORY,
                    Question.topic_id == key if key else Question.topic_id.is_(None))
             .group_by(Question.id, Question.created_at))
    schedule = topic_schedule(app.config, topic)
    spans = [schedule.working_seconds(asked, answered)
             for asked, answered in session.execute(query)]
    result = (statistics.median(spans) if len(spans) >= MIN_HISTORY else None, len(spans))
    cache[key] = (time.monotonic() + USUAL_CACHE_SECONDS, result)
    return result


def promise(session: Session, question: Question, now: datetime | None = None) -> Promise | None:
    """The promise for a question still waiting for its first answer (None otherwise)."""
    if not awaits_first_answer(question):
        return None
    app = current_app._get_current_object()
    now = now or utcnow()
    usual, sample = usual_answer_time(session, question.topic, app, now)
    schedule = topic_schedule(app.config, question.topic)
    return Promise(usual, sample, target_hours(app.config, question.topic),
                   now - question.created_at, schedule.working_seconds(question.created_at, now))
