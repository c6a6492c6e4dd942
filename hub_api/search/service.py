"""One search service per app: queries, similar questions, and the elected indexer.

The indexer applies outbox entries after commit and marks each one done only once the index
holds it, so a crash (even ``kill -9`` mid-batch) means entries are applied again, never lost.
Only the holder of the backend's writer lock indexes; after releasing it, the holder looks
once more, so an entry committed while it worked is never left waiting for the next write.
On PostgreSQL that holder is the leader (one across every node); a command that must leave
the index complete while another process leads hands the work to it through the outbox and
waits (``_leader_applies``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, delete, exists, func, insert, select, update
from sqlalchemy.orm import Session

from ..db import read_only, utcnow
from ..models import Person, Question, SearchOutbox
from . import spelling, synonyms
from .backend import Hit, Results, SearchBackend
from .documents import (
    BUILDERS,
    Document,
    all_documents,
    count_documents,
    curated_files,
    read_curated,
)
from .query import ParsedQuery, parse

log = logging.getLogger(__name__)
BATCH = 200
KEEP_DONE = timedelta(days=7)
SWEEP_SECONDS = 30.0
SYNONYMS_TTL = 5.0  # other processes' vocabulary changes show within this many seconds
STALLED = 60.0  # seconds without progress after which a command stops waiting for the leader


class SearchService:
    def __init__(self, engine: Engine, backend: SearchBackend, content: Path, sync: bool):
        self.engine = engine
        self._reads = read_only(engine)  # on SQLite, reads must not take the write lock
        self.backend = backend
        self.content = content
        self.sync = sync  # apply in the committing thread (tests) instead of a background one
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._synonyms: tuple[float, dict[str, list[str]]] | None = None

    # -- reading ---------------------------------------------------------------------------

    def reading(self) -> Session:
        """A session for reads only (DEFERRED on SQLite, where writes begin IMMEDIATE)."""
        return Session(self._reads)

    def parse(self, raw: str | None) -> ParsedQuery:
        """The query, with words no document holds also searched as their correction."""
        return spelling.corrected(parse(raw, self._vocabulary()), self.backend.frequencies)

    def _vocabulary(self) -> dict[str, list[str]]:
        """The synonyms, cached briefly: a search should not need a database round trip."""
        cached = self._synonyms
        if cached is None or time.monotonic() - cached[0] > SYNONYMS_TTL:
            with self.reading() as session:
                cached = (time.monotonic(), synonyms.mapping(session))
            self._synonyms = cached
        return cached[1]

    def forget_synonyms(self) -> None:
        """Called after this process committed a vocabulary change."""
        self._synonyms = None

    def search(self, query: ParsedQuery, kinds: Iterable[str] = (), page: int = 1) -> Results:
        if not self.sync:
            self._ensure_thread()  # a read-only process still sweeps up CLI writes
        return self.backend.search(query, kinds, page)

    def similar(self, text: str, limit: int = 5,
                within: Collection[str] | None = None) -> list[Hit]:
        """Answered threads like ``text`` (a title being typed), ranked as a search.

        ``within`` limits it to those thread doc ids, answered or not (outreach).
        """
        return self.backend.similar(self.parse(text), limit, within)

    # -- indexing --------------------------------------------------------------------------

    def nudge(self) -> None:
        """Called after a commit that left outbox entries."""
        if self.sync:
            try:
                self.apply_pending()
            except Exception:  # the write is committed; the entries wait for the next run
                log.exception("search indexing failed; outbox entries stay pending")
            return
        self._ensure_thread()
        self._wake.set()

    def _ensure_thread(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="candor-indexer",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:  # first what other processes (CLI commands) left pending, then on call
            try:
                self.apply_pending()
            except Exception:
                log.exception("search indexing failed; outbox entries stay pending")
            self._wake.wait(SWEEP_SECONDS)
            self._wake.clear()

    def apply_pending(self, wait: bool = False) -> int:
        """Apply every pending entry if this process wins the writer lock; return how many.

        ``wait`` queues for the lock instead (a CLI command that must leave nothing behind).
        """
        applied = 0
        while True:
            with self.backend.writer_lock(wait=wait) as mine:
                if not mine:
                    return applied + (self._leader_applies() if wait else 0)
                while n := self._apply_batch():
                    applied += n
            if not self.pending():
                return applied

    def pending(self) -> int:
        with self.reading() as session:
            return int(session.scalar(select(exists().where(SearchOutbox.done_at.is_(None)))))

    def _leader_applies(self, progress: Callable[[int], None] | None = None) -> int:
        """Wait while another process (the leader) applies the pending entries; return how
        many it applied. Gives up, leaving them queued, after ``STALLED`` s of no progress."""
        def left() -> int:
            with self.reading() as session:
                return session.scalar(select(func.count()).where(SearchOutbox.done_at.is_(None)))
        first = last = left()
        moved = time.monotonic()
        while last:
            time.sleep(0.5)
            now = left()
            if now < last:
                if progress:
                    progress(last - now)
                moved = time.monotonic()
            elif time.monotonic() - moved > STALLED:
                log.warning("the leader has not applied %d search outbox entries for %.0f s; "
                            "they stay queued", now, STALLED)
                break
            last = now
        return first - last

    def _apply_batch(self) -> int:
        with self.reading() as session:
            rows = session.execute(
                select(SearchOutbox.id, SearchOutbox.kind, SearchOutbox.ref)
                .where(SearchOutbox.done_at.is_(None)).order_by(SearchOutbox.id).limit(BATCH)
            ).all()
            if not rows:
                return 0
            docs, gone = self._documents(session, dict.fromkeys((r.kind, r.ref) for r in rows))
        self.backend.index_documents(docs, gone)
        with Session(self.engine) as session, session.begin():
            now = utcnow()
            session.execute(update(SearchOutbox).where(SearchOutbox.id.in_([r.id for r in rows]))
                            .values(done_at=now))
            session.execute(delete(SearchOutbox).where(SearchOutbox.done_at < now - KEEP_DONE))
        return len(rows)

    def _documents(self, session: Session, refs: Iterable[tuple[str, str]]
                   ) -> tuple[list[Document], list[str]]:
        docs, gone = [], []
        for kind, ref in refs:
            if kind == "curated":
                found = self._curated(ref)
                docs += found
                if ref == "*":
                    live = {d.doc_id for d in found}
                    gone += [i for i in self.backend.doc_ids("curated") if i not in live]
                elif not found:
                    gone.append(f"curated:{ref}")
                continue
            builder = BUILDERS.get(kind)
            doc = builder(session, ref) if builder else None
            if doc is None:
                gone.append(f"{kind}:{ref}")
            else:
                docs.append(doc)
        return docs, gone

    def _curated(self, ref: str) -> list[Document]:
        paths = curated_files(self.content) if ref == "*" else [self.content / "curated" / ref]
        return [d for d in (read_curated(p) for p in paths if p.is_file()) if d]

    def reindex(self, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the whole index beside the live one and swap it in; return the count."""
        count = 0

        def counted(docs: Iterator[Document]) -> Iterator[Document]:
            nonlocal count
            for doc in docs:
                count += 1
                if progress:
                    progress(1)
                yield doc

        with self.backend.writer_lock(wait=True) as mine:
            if not mine:  # another process leads (PostgreSQL): it indexes what is queued
                return self._queue_everything(progress)
            with self.reading() as session:
                covered = list(session.scalars(
                    select(SearchOutbox.id).where(SearchOutbox.done_at.is_(None))))
                session.rollback()
                self.backend.rebuild(counted(all_documents(session, self.content)))
            with Session(self.engine) as session, session.begin():
                session.execute(update(SearchOutbox).where(SearchOutbox.id.in_(covered))
                                .values(done_at=utcnow()))
        self.apply_pending()  # whatever was written while the rebuild ran
        return count

    def _queue_everything(self, progress: Callable[[int], None] | None) -> int:
        """Queue every document, and every indexed one that is gone, for the leader to apply
        (a reindex while another process leads); wait for it; return the documents held."""
        with Session(self.engine) as session, session.begin():
            refs = {("thread", str(i)) for i in session.scalars(select(Question.id))}
            refs |= {("person", str(i)) for i in session.scalars(select(Person.id))}
            refs |= {tuple(d.split(":", 1)) for d in self.backend.doc_ids()
                     if not d.startswith("curated:")}
            refs.add(("curated", "*"))  # the folder again: adds the new, drops the gone
            now = utcnow()
            session.execute(insert(SearchOutbox), [{"kind": kind, "ref": ref, "created_at": now}
                                                   for kind, ref in sorted(refs)])
        self._leader_applies(progress)
        return len(self.backend.doc_ids())

    def expected_total(self) -> int:
        with self.reading() as session:
            return count_documents(session, self.content)
