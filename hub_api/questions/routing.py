"""Routing with a promise: who has a question, when it is due, and reminding.

A question asked of a named person is theirs (``assignee``); otherwise it is its topic's
staff's; with no topic, or a topic no active person covers, it sits in the general queue,
which the admins are mailed about. Whoever it is routed to is mailed at once. Deadlines
run in working hours on the topic's schedule (``working_hours.py``): past the target the
holder is reminded once, at twice the target the topic's owner is told once. What the
asker is told to expect is ``promise.py``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import exists, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from .. import signals
from ..db import read_only, session_scope, utcnow
from ..effects.jobs import scheduler
from ..effects.leader import run_if_no_leader
from ..effects.mail import Mail
from ..effects.outbox import drain, emit, on, queue_mail
from ..models import Answer, Person, Question, Topic
from ..text import duration
from .states import Status, admins, answers_questions, awaits_first_answer, holder, holders
from .working_hours import Schedule, target_hours, topic_schedule

logger = logging.getLogger(__name__)

REMIND_EVERY = 300  # seconds between runs of the reminder job
_ID = re.compile(r"[0-9]{1,9}")  # a form's person id: digits only, within a row id


def init_app(app: Flask) -> None:
    app.cli.add_command(remind_command)
    scheduler(app).add("remind", REMIND_EVERY, remind)
    on(app, signals.question_asked, _mail_routed)
    on(app, signals.question_assigned, _mail_assigned)


# --- deadlines -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """A question's first-answer deadline on its topic's schedule, seen at ``now``."""

    due_at: datetime
    twice_at: datetime  # when the topic's owner is told
    working_left: float  # seconds of working time until due (0 once past it)
    working_late: float  # seconds of working time since it fell due
    overdue: bool

    @property
    def words(self) -> str:
        """"overdue by 3 h of working hours" / "due in 2 h 30 min of working hours"."""
        if self.overdue:  # past due outside working hours: late, but by no working time yet
            return f"overdue by {duration(self.working_late, working=True)}" \
                if self.working_late >= 60 else "just overdue"
        return f"due in {duration(self.working_left, working=True)}"


def answer_time(config: Mapping, question: Question, answer: Answer) -> str:
    """How long an answer took, as ``/transparency/`` measures it: working time on the
    topic's schedule ("2 h 30 min of working hours")."""
    schedule = topic_schedule(config, question.topic)
    return duration(schedule.working_seconds(question.created_at, answer.created_at),
                    working=True)


def deadline(question: Question, now: datetime | None = None,
             app: Flask | None = None) -> Deadline:
    """When ``question`` is due (and twice-due), from its creation on its topic's schedule."""
    app = app or current_app
    now = now or utcnow()
    schedule = topic_schedule(app.config, question.topic)
    hours = target_hours(app.config, question.topic)
    due = schedule.add(question.created_at, hours)
    return Deadline(
        due_at=due, twice_at=schedule.add(question.created_at, 2 * hours),
        working_left=schedule.working_seconds(now, due),
        working_late=schedule.working_seconds(due, now), overdue=now > due,
    )


def queue_order(questions: Iterable[Question],
                now: datetime | None = None) -> list[tuple[Question, Deadline | None]]:
    """Overdue first (most working time late first), then the rest oldest first.

    Questions that already have a staff answer (a follow-up waits) carry no deadline.
    """
    now = now or utcnow()
    rows = [(q, deadline(q, now) if awaits_first_answer(q) else None) for q in questions]

    def key(row: tuple[Question, Deadline | None]):
        question, due = row
        if due and due.overdue:
            return (0, -due.working_late, due.due_at, question.id)
        return (1, 0.0, question.created_at, question.id)

    return sorted(rows, key=key)


# --- who is told ---------------------------------------------------------------------------


def overseers(session: Session, question: Question) -> list[Person]:
    """Who hears at twice the target: the topic's owner, else the admins."""
    owner = question.topic.owner if question.topic else None
    return [owner] if owner is not None and owner.active else admins(session)


def routed_to(question: Question) -> str:
    """Who has the question, in words for the asker: a name and role, or a team."""
    return holder(question).words


# --- mail ----------------------------------------------------------------------------------


def _staff_link(app: Flask, question: Question) -> str:
    return f"{app.config['PUBLIC_URL']}/staff/q/{question.id}"


def _local(schedule: Schedule, moment: datetime) -> str:
    local = moment.replace(tzinfo=UTC).astimezone(schedule.zone)
    return f"{local:%a %-d %b, %H:%M} ({schedule.zone.key})"


def _mail(session: Session, people: Iterable[Person], subject: str, body: str,
          purpose: str) -> int:
    """Queue one mail to each person with ``session``'s change; return how many."""
    return sum(queue_mail(session, Mail(p.email, subject, body, purpose)) for p in people)


def _question_text(app: Flask, question: Question, opening: str) -> str:
    schedule = topic_schedule(app.config, question.topic)
    hours = target_hours(app.config, question.topic)
    due = schedule.add(question.created_at, hours)
    where = f"on {question.topic.name}" if question.topic else "with no topic"
    return (f"{opening}\n\n  “{question.title}”\n  asked by {question.display_name} {where}\n\n"
            f"Answer it here: {_staff_link(app, question)}\n\n"
            f"The hub promises a first answer within {hours} working hours: "
            f"by {_local(schedule, due)}.\n")


def _load(session: Session, question_id: int) -> Question | None:
    return session.scalar(select(Question).where(Question.id == question_id).options(
        selectinload(Question.topic).selectinload(Topic.people),
        selectinload(Question.topic).selectinload(Topic.owner),
        selectinload(Question.assignee), selectinload(Question.answers)))


def _reading(app: Flask):
    """A read-only session of its own (DEFERRED on SQLite)."""
    return session_scope(read_only(app.extensions["candor_engine"]))


def _mail_routed(app: Flask, session: Session, id: int,  # noqa: A002 — signal kwarg
                 **_extra) -> None:
    """A new (or newly approved) question: tell whoever it is routed to (outbox handler)."""
    question = _load(session, id)
    if question is None or question.status != Status.OPEN:
        return
    people = holders(session, question)
    if question.assignee is not None and people == [question.assignee]:
        opening = f"{question.display_name} asked you a question."
    elif question.topic is not None and people[0] in question.topic.people:
        opening = f"A new question on {question.topic.name}, a topic you answer about."
    else:
        opening = "A new question no one covers yet: please answer it or hand it on."
    _mail(session, people, f"New question: {question.title}",
          _question_text(app, question, opening), "routing")


def _mail_assigned(app: Flask, session: Session, id: int,  # noqa: A002 — signal kwarg
                   by: int | None = None, **_extra) -> None:
    """A question handed to a colleague: tell the new holder who handed it over."""
    question = _load(session, id)
    if question is None or question.assignee is None:
        return
    giver = session.get(Person, by) if by else None
    who = f"{giver.name} ({giver.job_title})" if giver else "A colleague"
    _mail(session, [question.assignee], f"Handed to you: {question.title}",
          _question_text(app, question, f"{who} handed you a question."), "reassignment")


# --- reminders -----------------------------------------------------------------------------


@dataclass
class Sent:
    reminders: int = 0
    escalations: int = 0
    mails: int = 0


def _claim(app: Flask, question_id: int, column, now: datetime,
           mails: list[Mail]) -> int | None:
    """Mark a reminder as sent and queue its mails in one transaction, only if no one else
    has: the database decides who sends. ``None`` when it was claimed already."""
    unanswered = ~exists().where(Answer.question_id == Question.id)
    with session_scope(app.extensions["candor_engine"]) as session:
        result = session.execute(update(Question).where(
            Question.id == question_id, column.is_(None), Question.status == Status.OPEN,
            unanswered,
        ).values({column: now}).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            return None
        return sum(queue_mail(session, mail) for mail in mails)


def remind(app: Flask, now: datetime | None = None) -> Sent:
    """Remind holders of questions past their target, and owners of those past twice it.

    Each happens once per question (``reminded_at`` / ``escalated_at``, claimed with a
    conditional update so concurrent runs never both send); the claim and its mails commit
    together, and the outbox retries a mail the SMTP server refused.
    """
    with app.app_context():  # mail reads the app's settings, also when called from a job
        return _remind(app, now or utcnow())


def _remind(app: Flask, now: datetime) -> Sent:
    sent = Sent()
    with _reading(app) as session:
        candidates = session.scalars(select(Question).where(
            Question.status == Status.OPEN,
            (Question.reminded_at.is_(None)) | (Question.escalated_at.is_(None)),
            ~exists().where(Answer.question_id == Question.id),
        ).order_by(Question.id).options(
            selectinload(Question.topic).selectinload(Topic.people),
            selectinload(Question.topic).selectinload(Topic.owner),
            selectinload(Question.assignee), selectinload(Question.answers))).all()
        work = []
        for question in candidates:
            due = deadline(question, now, app)
            if question.reminded_at is None and due.overdue:
                work.append((question, Question.reminded_at, holders(session, question), due))
            if question.escalated_at is None and now > due.twice_at:
                work.append((question, Question.escalated_at, overseers(session, question), due))
    for question, column, people, due in work:
        reminder = column is Question.reminded_at
        late = f"overdue by {duration(due.working_late, working=True)}"
        if reminder:
            subject, purpose = f"Overdue: {question.title}", "reminder"
            opening = f"This question has passed its target and waits for an answer ({late})."
        else:
            subject, purpose = f"Still unanswered at twice the target: {question.title}", \
                "escalation"
            opening = (f"A question on a topic you own has waited twice its target ({late}). "
                       f"It is with {routed_to(question)}.")
        text = _question_text(app, question, opening)
        mails = _claim(app, question.id, column, now,
                       [Mail(p.email, subject, text, purpose) for p in people])
        if mails is None:
            continue
        sent.mails += mails
        if reminder:
            sent.reminders += 1
        else:
            sent.escalations += 1
    return sent


@click.command("remind")
@with_appcontext
def remind_command() -> None:
    """Send due reminders and escalations now (the server also runs this every 5 minutes)."""
    app = current_app._get_current_object()
    try:
        sent = remind(app)
        run_if_no_leader(app, drain)  # cron without a server: send the mails now
    except SQLAlchemyError as exc:  # e.g. no schema yet: one line, not a traceback
        reason = str(exc.orig if getattr(exc, "orig", None) else exc).splitlines()[0]
        raise click.ClickException(f"cannot read the database ({reason}); "
                                   "has `candor init` run?") from None
    click.echo(f"Sent {sent.reminders} reminder(s) and {sent.escalations} escalation(s) "
               f"in {sent.mails} email(s).")


# --- reassigning ---------------------------------------------------------------------------


def assign(session: Session, question: Question, person: Person, by: Person | None) -> bool:
    """Hand ``question`` to ``person`` (reminders start afresh); False when they have it."""
    if question.assignee_id == person.id:
        return False
    question.assignee = person
    question.reminded_at = question.escalated_at = None
    emit(session, signals.question_assigned, id=question.id, by=by.id if by else None)
    emit(session, signals.question_changed, id=question.id)
    session.commit()
    return True


def colleague(session: Session, value: str | None) -> Person | None:
    """The active staff member a form's ``person`` id names; None for anything else."""
    if not value or not _ID.fullmatch(value):
        return None
    person = session.get(Person, int(value))
    return person if person is not None and answers_questions(person) else None
