"""Every public question and every live question's answers, as a build reads them, read
ahead by the waiting build child and patched with what changed since.

At 100,000 questions and 150,000 answers reading them takes a build about four seconds (the
rows, their keys, the answered index). The builder starts the waiting child when it hands a
build to the previous one (:func:`hub_api.site.builder.run_pelican`); the child reads a
:class:`Snapshot` then, in one read transaction, and waits. Its job brings the questions and
answers the outbox's signals named since the builder handed over the build before
(:class:`hub_api.site.child.Changes`), and only those questions are read again.

Why nothing is missed: the builder takes the changes it gathered just before it hands a build
over, the waiting child it starts then reads its snapshot after that, and a signal is
delivered after its change commits. So a change whose signal came before the hand-over is in
the snapshot, and one whose signal came after is in the next build's changes (a change in
both, or committed while the snapshot was read, is read again). A signal that does not say
which questions it changed (a person or a topic renamed or merged, a new leader) makes the
changes unknown, and the build reads everything, as does any build the builder did not start.
A change that sends no signal at all (a script writing the database) is in the snapshot of
the next waiting child, which is read after it: it reaches the site at most one build late.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import make_engine, read_only, session_scope
from ..models import Answer, Question
from ..questions import states
from .index_pages import (
    ListCuts,
    QuestionRow,
    group_rows,
    listings,
    load_questions,
    person_list,
)

if TYPE_CHECKING:
    from .child import Changes

logger = logging.getLogger(__name__)

# More changed questions than this are read with all the others (a long ``IN`` list gains
# nothing, and SQLite limits how many values a statement binds).
MAX_PATCHED = 1000


class AnsweredIndex:
    """Every answered question's topic, answerers and first answer (when, by whom), the most
    recently first-answered first; and when each live question's answerers last answered it.

    One query over the answers, then each page's threads are picked in Python, and only the
    threads of pages that are rendered are loaded (``plugin.load_threads``): a sorted query
    per person and topic scanned every answer each time (half a second per build at 10,000
    threads). The same query gives what ``responsiveness.last_answers`` sums up with two
    more (a quarter of a second at 150,000 answers).
    """

    def __init__(self, session: Session) -> None:
        self.first: dict[int, tuple[datetime, int]] = {}
        self.topic: dict[int, int | None] = {}
        self.answerers: dict[int, set[int]] = defaultdict(set)
        self.changed: dict[int, datetime] = {}  # when its answers last changed (the sitemap)
        self.order: list[int] = []
        self._by_answerer: dict[int, list[int]] | None = None  # worked out when first asked
        # A live question's topic and each answerer's last answer on it.
        self.latest: dict[int, tuple[int | None, dict[int, datetime]]] = {}
        self.read(session)

    def read(self, session: Session, ids: Collection[int] | None = None) -> None:
        """Read the answers of every live question, or (``ids``) read those questions'
        again, replacing what was known of them."""
        query = (select(Answer.question_id, Answer.person_id, Answer.created_at,
                        Answer.edited_at, Question.topic_id, Question.status)
                 .join(Question, Answer.question_id == Question.id)
                 .where(states.in_(states.LIVE)))
        first, changed, latest = self.first, self.changed, self.latest
        # Whose answered lists these questions were on (and, below, are on).
        whose = {p for q in ids for p in self.answerers.get(q, ())} if ids else set()
        if ids is not None:
            for known in (first, self.topic, self.answerers, changed, latest):
                for question_id in ids:
                    known.pop(question_id, None)
            query = query.where(Question.id.in_(sorted(ids)))
        for question_id, person_id, created_at, edited_at, topic_id, status in \
                session.execute(query):
            _topic, people = latest.setdefault(question_id, (topic_id, {}))
            if created_at > people.get(person_id, datetime.min):
                people[person_id] = created_at
            if status not in states.ANSWERED:
                continue
            if question_id not in first or created_at < first[question_id][0]:
                first[question_id] = (created_at, person_id)
            moment = max(created_at, edited_at) if edited_at else created_at
            if moment > changed.get(question_id, datetime.min):
                changed[question_id] = moment
            self.topic[question_id] = topic_id
            self.answerers[question_id].add(person_id)

        def key(question_id: int) -> tuple[datetime, int]:
            return first[question_id][0], question_id

        if ids is None:
            self.order = sorted(first, key=key, reverse=True)
            self._by_answerer = None
        else:
            self.order = [q for q in self.order if q not in ids]
            for question_id in ids:
                if question_id in first:
                    _insert_descending(self.order, question_id, key)
            whose.update(p for q in ids for p in self.answerers.get(q, ()))
            if self._by_answerer is not None and whose:
                self._by_answerer.update(self._answered_by(whose))
                for person_id in whose:
                    if not self._by_answerer[person_id]:
                        del self._by_answerer[person_id]

    def last_answers(self) -> tuple[dict[int, datetime], dict[int, datetime]]:
        """When each topic and each person last answered a live question, as
        ``responsiveness.last_answers`` says."""
        by_topic: dict[int, datetime] = {}
        by_person: dict[int, datetime] = {}
        for topic_id, people in self.latest.values():
            for person_id, moment in people.items():
                if moment > by_person.get(person_id, datetime.min):
                    by_person[person_id] = moment
                if topic_id is not None and moment > by_topic.get(topic_id, datetime.min):
                    by_topic[topic_id] = moment
        return by_topic, by_person

    def threads(self, keep: Callable[[int], bool] | None = None, *, limit: int,
                among: list[int] | None = None) -> list[int]:
        """The ids of the first ``limit`` questions ``keep`` accepts (all when ``None``) of
        ``among`` (default: every question, in this order)."""
        candidates = self.order if among is None else among
        return list(itertools.islice(candidates if keep is None else filter(keep, candidates),
                                     limit))

    def by_answerer(self) -> dict[int, list[int]]:
        """Each answerer's questions, in this order: its keys are everyone who signed an
        answer on an answered question. Kept, and after :meth:`read` of some questions
        only their answerers' lists are new lists (:class:`index_pages.ListCuts` keeps the
        others' rows); not to be changed by the caller."""
        if self._by_answerer is None:
            self._by_answerer = self._answered_by(None)
        return self._by_answerer

    def _answered_by(self, people: set[int] | None) -> dict[int, list[int]]:
        """The answered lists of ``people`` (``None``: everyone's), in one pass."""
        found: dict[int, list[int]] = {person_id: [] for person_id in people or ()}
        answerers = self.answerers
        for question_id in self.order:
            for person_id in answerers[question_id]:
                if people is None:
                    found.setdefault(person_id, []).append(question_id)
                elif person_id in people:
                    found[person_id].append(question_id)
        return found


class Snapshot:
    """The public questions as lists and sitemaps show them (newest first) and the answered
    index, read from the database at ``url``."""

    def __init__(self, session: Session, url: str) -> None:
        self.url = url
        self.index = AnsweredIndex(session)
        self.questions: list[QuestionRow] = load_questions(session, self.index.changed)
        self.cuts = ListCuts()

    def warm(self) -> None:
        """Cut every list into pages now (the waiting child, before its job arrives): the
        build then cuts again only the lists its changes touched."""
        topics = {(row.topic_slug, row.topic_name) for row in self.questions if row.topic_slug}
        found = listings(SimpleNamespace(slug=slug, name=name) for slug, name in topics)
        for base, rows in group_rows(self.questions, found).items():
            self.cuts.cut(base, rows)
        by_id = {row.id: row for row in self.questions}
        for person_id, ids in self.index.by_answerer().items():
            name = person_list(person_id)
            self.cuts.cut(name, self.cuts.rows(name, ids, by_id))
        self.cuts.sitemap_parts(self.questions)

    def answered_by_topic(self) -> Counter[str | None]:
        """How many answered questions each topic (by slug) has."""
        return Counter(row.topic_slug for row in self.questions if row.answered)

    def patch(self, session: Session, changes: Changes) -> bool:
        """Read the questions ``changes`` names again (an answer's: its question); ``False``
        when that cannot be exact or would not be faster (an answer gone: its question is
        unknown; very many questions): the build then reads everything."""
        ids = set(changes.questions)
        if len(ids) + len(changes.answers) > MAX_PATCHED:
            return False
        if changes.answers:
            found = dict(session.execute(select(Answer.id, Answer.question_id)
                                         .where(Answer.id.in_(sorted(changes.answers)))).all())
            if len(found) < len(changes.answers):
                return False
            ids.update(found.values())
        if not ids:
            return True
        self.index.read(session, ids)
        self.cuts.read_again(ids)
        rows = self.questions
        rows[:] = [row for row in rows if row.id not in ids]
        for row in load_questions(session, self.index.changed, ids):
            _insert_descending(rows, row, lambda r: (r.created_at, r.id))
        return True


def _insert_descending(items: list, item: Any, key: Callable[[Any], Any]) -> None:
    """Insert ``item`` into ``items``, which are in descending ``key`` order (all keys
    distinct), where it belongs (a binary search: ``bisect`` wants ascending keys)."""
    wanted, low, high = key(item), 0, len(items)
    while low < high:
        middle = (low + high) // 2
        if key(items[middle]) > wanted:
            low = middle + 1
        else:
            high = middle
    items.insert(low, item)


def preload(url: str) -> Snapshot | None:
    """Read the snapshot of the database at ``url`` and cut its lists (in the waiting
    child); ``None`` when it cannot be read (the build then reads the database itself, and
    says why)."""
    engine = make_engine(url)
    try:
        with session_scope(read_only(engine)) as session:
            snapshot = Snapshot(session, url)
        snapshot.warm()
        return snapshot
    except Exception:  # noqa: BLE001 (for any reason: the build reads again)
        logger.debug("no snapshot read ahead", exc_info=True)
        return None
    finally:
        engine.dispose()


# What this process's build starts from (``child.run`` sets it): a snapshot read ahead, and
# what changed since (``None``: unknown).
_handed: tuple[Snapshot | None, Changes | None] = (None, None)


def hand_over(snapshot: Snapshot | None, changes: Changes | None) -> None:
    """Give the next :func:`for_build` a snapshot read ahead and what changed since."""
    global _handed
    _handed = (snapshot, changes)


def for_build(session: Session, url: str) -> Snapshot:
    """The build's snapshot: the one handed over, patched, when it was read from ``url`` and
    what changed since is known; else read now."""
    global _handed
    (snapshot, changes), _handed = _handed, (None, None)
    if snapshot is not None and changes is not None and snapshot.url == url \
            and snapshot.patch(session, changes):
        return snapshot
    return Snapshot(session, url)
