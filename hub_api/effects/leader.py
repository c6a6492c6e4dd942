"""The leader: the one process, across every process and node, that runs jobs, drains the
outbox and builds the site.

On SQLite (one machine) it is whoever holds ``<instance>/leader.lock`` (``flock``); on
PostgreSQL (any number of nodes) whoever holds a session-level advisory lock on a connection
kept open for the purpose. Both are released by the operating system or the database server
when the holder dies, even by ``kill -9``, so a follower that retries every ``RETRY`` seconds
takes over within seconds. The leader checks its PostgreSQL connection every ``RETRY``
seconds as well and steps down when it is gone (the lock went with it).

Within a process, several owners may hold the leadership at once (the job scheduler for as
long as it runs, the PostgreSQL search indexer or a cron command for one piece of work): it
is taken with the first and given up with the last, so a short piece of work never ends the
scheduler's term.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

RETRY = 2.0  # seconds between a follower's attempts, and between a leader's health checks
LOCK_FILE = "leader.lock"
ADVISORY_KEY = 0x43616E646F72  # "Candor": one number per database, shared by every node


class Leader:
    """Try, hold and check the leadership of one database (``instance``: where SQLite's lock
    file lives; PostgreSQL needs none)."""

    def __init__(self, url: str, instance: Path | None = None) -> None:
        self.url = url
        self.instance = instance
        self._file: Any = None
        self._conn: Connection | None = None
        self._owners: set[str] = set()
        self._lock = threading.Lock()

    @property
    def held(self) -> bool:
        return self._file is not None or self._conn is not None

    def try_acquire(self, owner: str = "jobs") -> bool:
        """Become the leader for ``owner`` if no other process is; never blocks."""
        with self._lock:
            if not self.held and not (self._try_advisory() if self.url.startswith("postgresql")
                                      else self._try_file()):
                return False
            self._owners.add(owner)
            return True

    @contextmanager
    def holding(self, owner: str, wait: float = 0.0) -> Iterator[bool]:
        """Lead for the ``with`` block if this process can (trying for up to ``wait``
        seconds); yields whether it does. A leadership held already is kept afterwards."""
        deadline = time.monotonic() + wait
        while not (mine := self.try_acquire(owner)) and time.monotonic() < deadline:
            time.sleep(min(RETRY / 4, max(0.0, deadline - time.monotonic())))
        try:
            yield mine
        finally:
            if mine:
                self.release(owner)

    def _try_file(self) -> bool:
        if self.instance is None:
            raise ValueError(f"a leader on {self.url.split(':')[0]} needs an instance folder")
        self.instance.mkdir(parents=True, exist_ok=True)
        handle = open(self.instance / LOCK_FILE, "w")  # noqa: SIM115 — held while leading
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def _try_advisory(self) -> bool:
        # A connection of its own, outside any pool: the lock lives exactly as long as it.
        engine = create_engine(self.url, poolclass=NullPool)
        try:
            conn = engine.connect()
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY})
            if got.scalar():
                conn.commit()
                self._conn = conn
                return True
            conn.close()
        except Exception as exc:  # the database is away: not the leader, try again later
            log.warning("leader election: %s", exc)
        engine.dispose()
        return False

    def still_held(self) -> bool:
        """For the leader's loop: ``False`` once its PostgreSQL connection (and lock) is gone."""
        with self._lock:
            if self._conn is None:
                return self._file is not None
            try:
                self._conn.execute(text("SELECT 1"))
                self._conn.commit()
                return True
            except Exception as exc:
                log.error("lost the leader lock (%s); stepping down", exc)
                self._release()
                return False

    def release(self, owner: str = "jobs") -> None:
        """``owner`` is done; the leadership ends with its last owner."""
        with self._lock:
            self._owners.discard(owner)
            if not self._owners:
                self._release()

    def _release(self) -> None:
        self._owners.clear()
        if self._file is not None:
            self._file.close()  # closing the file drops the flock
            self._file = None
        if self._conn is not None:
            try:
                self._conn.close()
                self._conn.engine.dispose()
            except Exception:  # noqa: S110 — a dead connection has released its lock anyway
                pass
            self._conn = None


def leader(app: Flask) -> Leader:
    """The app's ``Leader`` (one per app, created on first use)."""
    if "candor_leader" not in app.extensions:
        app.extensions["candor_leader"] = Leader(app.config["DATABASE_URL"],
                                                 Path(app.config["INSTANCE"]))
    return app.extensions["candor_leader"]


def run_if_no_leader(app: Flask, work: Callable[[Flask], Any]) -> bool:
    """Run ``work(app)`` now if this process leads or no process does (a cron command with
    no server running); when another process leads it does the work within seconds. ``True``
    if it ran here."""
    with leader(app).holding("once") as mine:
        if mine:
            work(app)
    return mine
