"""A question's state, in one place: what each state means, how it changes, who holds it,
and what readers may see.

Every other module asks here instead of comparing status strings: routing, the queue, the
digest, responsiveness, the API, the search indexer and the site build. ``Question.status``
stores a ``Status`` value (a ``StrEnum``, so the column stays a plain string).

The public states are decided by the thread itself (``settled``): no staff answer yet is
``open``; answered is ``answered``, or ``accepted`` once an answer was marked as the one that
helped; an asker's published reply after the last answer is ``follow_up`` — still answered
for readers, and back in the queue of whoever answered. Moderation and erasure override
that: ``held`` waits for a moderator, ``rejected`` never got through, ``hidden`` was taken
down, ``removed`` was erased by its asker (the staff answers stay readable).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import and_, exists, not_, or_, select
from sqlalchemy.orm import Session

from ..models import Answer, FollowUp, Person, Question, person_topics


class Status(StrEnum):
    """The one status type; its values are what ``questions.status`` stores."""

    HELD = "held"  # waits for a moderator: new, or edited into the hold rules
    OPEN = "open"  # public, no staff answer yet: the asker's promise runs
    ANSWERED = "answered"  # public, with a staff answer
    ACCEPTED = "accepted"  # answered, and an answer is marked as the one that helped
    FOLLOW_UP = "follow_up"  # answered publicly; the asker replied since: back in the queue
    HIDDEN = "hidden"  # a moderator took it down
    REJECTED = "rejected"  # a moderator did not let it through
    REMOVED = "removed"  # erased by its asker; staff answers stay public
    IMPORTED = "imported"  # read-only thread imported from a Stack Exchange dump


# Answered, for readers and every count: a follow-up does not undo an answer.
ANSWERED = frozenset({Status.ANSWERED, Status.ACCEPTED, Status.FOLLOW_UP})
# Live threads staff work on: they take answers, hand-overs and follow-ups.
LIVE = frozenset({Status.OPEN}) | ANSWERED
# Thread pages, the API, search and the site show these; the others are 404 to readers.
PUBLIC = LIVE | {Status.REMOVED, Status.IMPORTED}
# In a staff queue: waiting for a first answer, or for a reply to the asker's follow-up.
QUEUED = frozenset({Status.OPEN, Status.FOLLOW_UP})
# Questions that reached staff, so they count in the hub's responsiveness.
COUNTED = LIVE | {Status.HIDDEN, Status.REMOVED}
# Moderation put these aside; nothing a reader or an answer does moves them.
MODERATED = frozenset({Status.HELD, Status.HIDDEN, Status.REJECTED})


class StateError(Exception):
    """A transition the question's state does not allow (answered as 409)."""


class Event(StrEnum):
    ASK = "ask"  # a new question passed the hold rules
    HOLD = "hold"  # a new or edited question tripped the hold rules
    APPROVE = "approve"
    REJECT = "reject"
    HIDE = "hide"
    UNHIDE = "unhide"  # a moderator put a hidden question back: it settles from its thread
    ANSWER = "answer"  # a staff answer was added
    FOLLOW_UP = "follow_up"  # a published reply of the asker
    ACCEPT = "accept"
    ERASE = "erase"


# event: (states it applies to, new state; None = settle from the thread's own data)
TRANSITIONS: dict[Event, tuple[frozenset[Status], Status | None]] = {
    Event.ASK: (frozenset(), Status.OPEN),
    Event.HOLD: (LIVE, Status.HELD),
    Event.APPROVE: (frozenset({Status.HELD}), None),
    Event.REJECT: (frozenset({Status.HELD}), Status.REJECTED),
    Event.HIDE: (LIVE, Status.HIDDEN),
    Event.UNHIDE: (frozenset({Status.HIDDEN}), None),
    Event.ANSWER: (LIVE, None),
    Event.FOLLOW_UP: (ANSWERED, Status.FOLLOW_UP),
    Event.ACCEPT: (ANSWERED, None),
    Event.ERASE: (frozenset(Status), Status.REMOVED),
}
# Events that leave a question in any other state as it is (a reply to a held question
# waits with it; accepting on an open thread cannot happen); the rest refuse.
KEEPS = frozenset({Event.FOLLOW_UP, Event.ACCEPT})


def status_of(question: Question) -> Status:
    return Status(question.status)


def settled(question: Question) -> Status:
    """The public state a live question's own thread implies (answers, follow-ups, accept)."""
    if not question.answers:
        return Status.OPEN
    last_answer = max(a.created_at for a in question.answers)
    if any(f.status == "published" and f.created_at > last_answer for f in question.follow_ups):
        return Status.FOLLOW_UP
    return Status.ACCEPTED if question.accepted_answer_id else Status.ANSWERED


def can(question: Question, event: Event) -> bool:
    """Whether ``event`` applies to ``question`` now."""
    if question.status is None:  # not stored yet: only asking (or holding) makes it
        return event in (Event.ASK, Event.HOLD)
    return status_of(question) in TRANSITIONS[event][0]


def move(question: Question, event: Event) -> Status:
    """Apply ``event`` to ``question`` (the caller commits); return the new state.

    Raises ``StateError`` when the state does not allow it, e.g. answering a held question.
    """
    if not can(question, event):
        if event in KEEPS and question.status is not None:
            return status_of(question)
        raise StateError(f"This question is {describe(question)}; it cannot take "
                         f"{'an' if event[0] in 'aeiou' else 'a'} {event.replace('_', '-')} now.")
    target = TRANSITIONS[event][1]
    question.status = target or settled(question)
    return Status(question.status)


def describe(question: Question) -> str:
    """The state in a few words, for messages (``held for moderation``)."""
    return WORDS[status_of(question)] if question.status else "not asked yet"


WORDS = {
    Status.HELD: "held for moderation", Status.OPEN: "waiting for an answer",
    Status.ANSWERED: "answered", Status.ACCEPTED: "answered (accepted)",
    Status.FOLLOW_UP: "answered, with a follow-up waiting", Status.HIDDEN: "hidden",
    Status.REJECTED: "rejected", Status.REMOVED: "removed by its asker",
    Status.IMPORTED: "imported",
}


# --- what readers see ----------------------------------------------------------------------


def is_public(question: Question) -> bool:
    """Readers may see the thread (page, API, search, site)."""
    return question.status in PUBLIC


def is_answered(question: Question) -> bool:
    """Answered for readers: a follow-up waiting does not change that."""
    return question.status in ANSWERED


def awaits_first_answer(question: Question) -> bool:
    """Public and no staff answer yet: the promise to the asker runs (deadlines, reminders)."""
    return question.status == Status.OPEN


def public_status(question: Question) -> str:
    """What the API and the site say: ``open`` or ``answered`` (an accepted one is answered
    with ``accepted_answer_id``); moderation and erasure states never reach readers."""
    return "answered" if is_answered(question) else str(question.status)


def in_(statuses: Iterable[Status]):
    """SQL: the question's status is one of ``statuses``."""
    return Question.status.in_([str(s) for s in statuses])


def public():
    return in_(PUBLIC)


def answered():
    return in_(ANSWERED)


# --- who holds it --------------------------------------------------------------------------


def answers_questions(person: Person) -> bool:
    return person.active and "staff" in person.role_set


def admins(session: Session) -> list[Person]:
    """Who hears of unrouted questions: active admins, else all active staff."""
    people = session.scalars(select(Person).where(Person.active.is_(True))
                             .order_by(Person.id)).all()
    return [p for p in people if "admin" in p.role_set] or \
        [p for p in people if answers_questions(p)]


def answerers(question: Question) -> list[Person]:
    """The active staff who answered the thread: a follow-up waits for them."""
    people = {a.person_id: a.person for a in question.answers}
    return [p for p in people.values() if p is not None and answers_questions(p)]


def routed(question: Question) -> list[Person]:
    """Whom the question is routed to, without the general queue: its assignee, else its
    topic's active staff (empty: nobody covers it)."""
    if question.assignee is not None and question.assignee.active:
        return [question.assignee]
    return [p for p in question.topic.people if answers_questions(p)] if question.topic else []


def holders(session: Session, question: Question) -> list[Person]:
    """Who has the question now: for a follow-up, whoever answered; else the assignee, the
    topic's staff, or (nobody covering it) the admins."""
    if question.status == Status.FOLLOW_UP and answerers(question):
        return answerers(question)
    return routed(question) or admins(session)


@dataclass(frozen=True)
class Holder:
    """Who has a question, in the words pages and mails use."""

    people: tuple[Person, ...]
    topic: str  # the topic's name when its team has it, else ""
    general: bool  # nobody covers it: the general queue

    @property
    def words(self) -> str:
        """For the asker: "Dana Ortiz (Network Engineer)", "the Networking team"."""
        if self.topic:
            return f"the {self.topic} team"
        if len(self.people) == 1:
            return f"{self.people[0].name} ({self.people[0].job_title})"
        return "the team"

    @property
    def names(self) -> str:
        """For staff: "Dana Ortiz", "Networking staff (Dana Ortiz, Sam Lee)"."""
        if self.general:
            return "the general queue (nobody covers it)"
        names = ", ".join(p.name for p in self.people)
        return f"{self.topic} staff ({names})" if self.topic else names


def holder(question: Question) -> Holder:
    """Who has the question (``holders`` without the database: the admins go unnamed)."""
    if question.status == Status.FOLLOW_UP and answerers(question):
        return Holder(tuple(answerers(question)), "", False)
    if question.assignee is not None and question.assignee.active:
        return Holder((question.assignee,), "", False)
    people = tuple(routed(question))
    return Holder(people, question.topic.name if question.topic else "", not people)


def _staffed_topic():
    """SQL: the question's topic has at least one active staff member."""
    return exists().where(person_topics.c.topic_id == Question.topic_id,
                          person_topics.c.person_id == Person.id, Person.active.is_(True))


def queued_for(person: Person):
    """SQL: the question waits in ``person``'s queue (the same rules as ``holders``)."""
    topic_ids = [t.id for t in person.topics]
    unassigned = Question.assignee_id.is_(None)
    routed_here = or_(
        Question.assignee_id == person.id,
        and_(unassigned, Question.topic_id.in_(topic_ids)),
        and_(unassigned, or_(Question.topic_id.is_(None), ~_staffed_topic())),
    )
    answered_by = Answer.question_id == Question.id
    answered_by_me = exists().where(answered_by, Answer.person_id == person.id)
    answered_by_someone_active = exists().where(
        answered_by, Answer.person_id == Person.id, Person.active.is_(True))
    return or_(
        and_(Question.status == Status.OPEN, routed_here),
        and_(Question.status == Status.FOLLOW_UP,
             or_(answered_by_me, and_(not_(answered_by_someone_active), routed_here))),
    )


def follow_up_waiting(question: Question) -> FollowUp | None:
    """The asker's reply that waits for staff (the latest published one), if any."""
    if question.status != Status.FOLLOW_UP:
        return None
    published = [f for f in question.follow_ups if f.status == "published"]
    return published[-1] if published else None
