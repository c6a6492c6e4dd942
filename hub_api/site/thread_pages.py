"""Public thread pages served like files: rendered once, stored, invalidated by the write path.

The first reader of ``/q/<id>/<slug>`` gets the page Flask renders, and it is stored as
``<THREAD_PAGES>/q/<id>/<slug>`` (with ``.gz`` and ``.br`` beside it); later readers get that
file from :class:`hub_api.site.files.SiteFiles` without Flask or the database. Every write a
thread page shows (an answer, edit, hide, accept, follow-up, a person's new name or role)
deletes the stored page in the request that makes it, right after its commit (the outbox
sends the write's signal in the writing process then) and before it is acknowledged, so a
reader never sees a page older than an acknowledged write. The folder may be shared by several
nodes (like ``site/``): each node's writes delete the same files.

A reader rendering while a write commits could store the old page after the write deleted
it. So each thread has a generation file the write path replaces before deleting the page;
a reader notes the generation before it reads the database, and removes what it stored if the
generation changed meanwhile (see :meth:`ThreadPages.store`).

Pages say "3 h ago" and "usually answered within …": a stored page older than ``max_age``
seconds is rendered again (one reader a minute per thread, not one per request).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from ..db import read_only, session_scope
from ..models import Answer
from ..signals import (
    answer_edited,
    answer_posted,
    people_changed,
    question_changed,
    question_deleted,
    question_edited,
    question_hidden,
)
from .encodings import write_atomically, write_variants

logger = logging.getLogger(__name__)

MAX_AGE = 60  # seconds a stored page is served before it is rendered again
THREAD_URL = re.compile(r"/q/([1-9][0-9]{0,11})/([a-z0-9]+(?:-[a-z0-9]+)*)")
ALL = "all"


class ThreadPages:
    """The stored thread pages of one instance (``root``), shared by its processes."""

    def __init__(self, root: Path, max_age: float = MAX_AGE) -> None:
        self.root = Path(root)
        self.max_age = max_age
        (self.root / "gen").mkdir(parents=True, exist_ok=True)
        (self.root / "q").mkdir(parents=True, exist_ok=True)

    # --- the hot path: no Flask, no database ---------------------------------------------

    def find(self, url: str) -> tuple[Path, os.stat_result] | None:
        """The fresh stored page for ``url`` and its ``stat`` (one system call)."""
        match = THREAD_URL.fullmatch(url)
        if match is None:
            return None
        path = self.root / "q" / match[1] / match[2]
        try:
            stat = path.stat()
        except OSError:
            return None
        return (path, stat) if time.time() - stat.st_mtime <= self.max_age else None

    # --- storing (a reader's request) ----------------------------------------------------

    def generation(self, question_id: int) -> tuple[str, str]:
        """The thread's and the site-wide generation; note them before reading the thread."""
        return self._read_gen(str(question_id)), self._read_gen(ALL)

    def store(self, question_id: int, slug: str, html: str, before: tuple[str, str]) -> None:
        """Store the page rendered from data read after ``before`` was noted; if a write
        happened meanwhile, what was stored is removed again."""
        folder = self.root / "q" / str(question_id)
        folder.mkdir(parents=True, exist_ok=True)
        data = html.encode()
        target = folder / slug
        write_variants(target, data)
        write_atomically(target, data)  # the page last: it is what readers look for
        if self.generation(question_id) != before:
            self._remove(question_id)

    # --- invalidating (the write path) ---------------------------------------------------

    def invalidate(self, question_id: int | None) -> None:
        """Forget a thread's stored page (every thread's when ``None``)."""
        key = ALL if question_id is None else str(question_id)
        tmp = self.root / "gen" / f".{secrets.token_hex(6)}.tmp"
        tmp.write_text(secrets.token_hex(8))
        os.replace(tmp, self.root / "gen" / key)
        if question_id is None:
            for folder in (self.root / "q").iterdir():
                shutil.rmtree(folder, ignore_errors=True)
        else:
            self._remove(question_id)

    def _remove(self, question_id: int) -> None:
        shutil.rmtree(self.root / "q" / str(question_id), ignore_errors=True)

    def _read_gen(self, key: str) -> str:
        try:
            return (self.root / "gen" / key).read_text()
        except FileNotFoundError:
            return ""


def get_thread_pages(app: Flask) -> ThreadPages | None:
    return app.extensions.get("candor_thread_pages")


def init_app(app: Flask) -> None:
    """Store public thread pages under ``THREAD_PAGES`` and forget them on every write."""
    root = Path(app.config.get("THREAD_PAGES") or Path(app.config["INSTANCE"]) / "thread-pages")
    pages = ThreadPages(root, float(app.config.get("THREAD_PAGE_SECONDS") or MAX_AGE))
    app.extensions["candor_thread_pages"] = pages

    def question(sender, id=None, **_extra) -> None:  # noqa: A002 (the signal's argument)
        if sender is app:
            pages.invalidate(id)

    def answer(sender, id=None, **_extra) -> None:  # noqa: A002
        if sender is app:  # sent after the write's commit: read in a session of its own
            with session_scope(read_only(app.extensions["candor_engine"])) as session:
                question_id = session.scalar(select(Answer.question_id).where(Answer.id == id))
            pages.invalidate(question_id)

    def everyone(sender, **_extra) -> None:
        if sender is app:
            pages.invalidate(None)

    for signal in (question_changed, question_edited, question_deleted, question_hidden):
        signal.connect(question, sender=app, weak=False)
    for signal in (answer_posted, answer_edited):
        signal.connect(answer, sender=app, weak=False)
    people_changed.connect(everyone, sender=app, weak=False)
