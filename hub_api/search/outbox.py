"""The outbox: every write that changes searchable text leaves an entry in its own transaction.

A SQLAlchemy ``after_flush`` hook records the entries, so no view has to remember search.
After commit the session nudges the app's indexer (see ``service``); entries left behind by a
crash, or by a CLI command, are picked up by the next nudge or sweep. A committed change to
the vocabulary drops the process's cached synonyms the same way.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import Engine, event, insert, inspect, select
from sqlalchemy.orm import Session

from ..db import utcnow
from ..models import (
    Answer,
    FollowUp,
    ImportedAnswer,
    Person,
    Question,
    SearchOutbox,
    SearchSynonym,
    Topic,
    person_topics,
)

Ref = tuple[str, str]

# Which documents a changed row touches. Curated items plug in here when they become rows.
WATCHED: dict[type, Callable[[Session, object], list[Ref]]] = {
    Question: lambda _s, q: [("thread", str(q.id))],
    Answer: lambda _s, a: [("thread", str(a.question_id))],
    FollowUp: lambda _s, f: [("thread", str(f.question_id))],
    ImportedAnswer: lambda _s, a: [("thread", str(a.question_id))],
    Person: lambda s, p: [("person", str(p.id)), *_threads_answered_by(s, p)],
    Topic: lambda s, t: [("person", str(pid)) for pid in s.connection().scalars(
        select(person_topics.c.person_id).where(person_topics.c.topic_id == t.id))],
}



class Listener(Protocol):
    def nudge(self) -> None: ...

    def forget_synonyms(self) -> None: ...


def _threads_answered_by(session: Session, person: Person) -> list[Ref]:
    """A renamed person's threads show the new name as the answerer's."""
    if person.id is None or not inspect(person).attrs.name.history.deleted:
        return []
    return [("thread", str(qid)) for qid in session.connection().scalars(
        select(Answer.question_id).where(Answer.person_id == person.id).distinct())]


# engine -> the search service told about its commits; filled by ``search.init_app``.
_listeners: weakref.WeakKeyDictionary[Engine, Listener] = weakref.WeakKeyDictionary()


def register(engine: Engine, listener: Listener) -> None:
    """Tell ``listener`` about the engine's commits; install the session hooks once."""
    _listeners[engine] = listener
    if not event.contains(Session, "after_flush", _record):
        event.listen(Session, "after_flush", _record)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)


def _record(session: Session, _context) -> None:
    refs: dict[Ref, None] = {}
    changed = [*session.new, *session.deleted,
               *(o for o in session.dirty if session.is_modified(o, include_collections=True))]
    for obj in changed:
        if isinstance(obj, SearchSynonym):
            session.info["synonyms_changed"] = True
        describe = WATCHED.get(type(obj))
        if describe is not None:
            refs.update(dict.fromkeys(describe(session, obj)))
    if refs:
        now = utcnow()
        session.connection().execute(insert(SearchOutbox.__table__), [
            {"kind": kind, "ref": ref, "created_at": now} for kind, ref in refs
        ])
        session.info["search_nudge"] = True


def _after_commit(session: Session) -> None:
    nudge = session.info.pop("search_nudge", False)
    forget = session.info.pop("synonyms_changed", False)
    listener = _listeners.get(session.get_bind()) if nudge or forget else None
    if listener is not None:
        if forget:
            listener.forget_synonyms()
        if nudge:
            listener.nudge()


def _after_rollback(session: Session, _previous) -> None:
    session.info.pop("search_nudge", None)
    session.info.pop("synonyms_changed", None)


def enqueue(session: Session, kind: str, ref: str) -> None:
    """An entry for a change the flush hook cannot see (a curated file written to disk)."""
    session.add(SearchOutbox(kind=kind, ref=ref, created_at=utcnow()))
    session.info["search_nudge"] = True
