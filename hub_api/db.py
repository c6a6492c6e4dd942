"""The data layer: one engine per app, one session per request.

The Pelican plugin and the CLI open sessions through the same ``make_engine`` so that
SQLite pragmas and PostgreSQL settings are identical everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

if TYPE_CHECKING:
    from flask import Flask

# Flask is imported where a request needs it: the Pelican plugin and the CLI use this module
# too, and the site build should not pay for the web stack.

_BEGIN = "candor_sqlite_begin"


class Base(DeclarativeBase):
    """Declarative base for all Candor tables."""


_Row = TypeVar("_Row", bound=Base)


_clock: Callable[[], datetime] | None = None


def utcnow() -> datetime:
    """Naive UTC, the one time representation stored (SQLite keeps no zone)."""
    if _clock is not None:
        return _clock()
    return datetime.now(UTC).replace(tzinfo=None)


def set_clock(clock: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests of reminders and figures step time); ``None`` restores it."""
    global _clock
    _clock = clock


def file_clock(path: Path) -> Callable[[], datetime]:
    """A clock the seconds written in ``path`` ahead of the real one (none: no offset).

    For tests only (``CANDOR_TEST_CLOCK_FILE``, unset by default): ``set_clock`` steps time in
    one process; a file steps it in every process and node that reads it at once.
    """
    cached: list = [None, 0.0]  # the file's mtime_ns, the offset it held

    def now() -> datetime:
        try:
            stamp = path.stat().st_mtime_ns
            if stamp != cached[0]:
                cached[:] = [stamp, float(path.read_text().strip() or 0)]
        except (OSError, ValueError):
            cached[:] = [None, 0.0]
        return datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=cached[1])
    return now


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            # pysqlite's own BEGIN handling is switched off so that SQLAlchemy's
            # "begin" event below decides how a transaction starts.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:
            # Writes begin IMMEDIATE, taking the write lock up front: a deferred transaction
            # that reads and then writes can fail with "database is locked" instead of
            # waiting. Read-only work (see ``read_only``) begins DEFERRED, so readers never
            # queue behind each other or behind a writer (WAL).
            conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get(_BEGIN, 'IMMEDIATE')}")

        return engine
    return create_engine(url, pool_pre_ping=True)


def read_only(engine: Engine) -> Engine:
    """The same engine for work that only reads: on SQLite its transactions are DEFERRED."""
    return engine.execution_options(**{_BEGIN: "DEFERRED"})


def init_app(app: Flask) -> None:
    """Attach the engine and session factories; close the request's session on teardown."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["candor_engine"] = engine
    app.extensions["candor_sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["candor_read_sessions"] = sessionmaker(read_only(engine),
                                                          expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The session of the current request, opened on first use (read-only for GET/HEAD)."""
    from flask import current_app, g, has_request_context, request

    if "db" not in g:
        reads = has_request_context() and request.method in ("GET", "HEAD")
        g.db = current_app.extensions["candor_read_sessions" if reads else "candor_sessions"]()
    return g.db


def get_or_404(model: type[_Row], ident: int) -> _Row:
    """The request session's row of ``model`` with primary key ``ident``, else a 404."""
    from flask import abort

    row = get_session().get(model, ident)
    if row is None:
        abort(404)
    return row


def _close_session(_exc: BaseException | None) -> None:
    from flask import g

    session = g.pop("db", None)
    if session is not None:
        session.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session outside Flask (CLI, Pelican plugin): commit on success, roll back on error."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
