"""Search over threads, curated items and people, behind one interface with two backends.

``CANDOR_SEARCH_BACKEND`` chooses ``whoosh`` (default: an index under the instance folder)
or ``postgres`` (documents in the database, for several nodes). Either way the database is
the source of truth and the index is derived from it through the outbox.
"""

from __future__ import annotations

from flask import Flask, current_app

from .. import signals
from ..effects.jobs import scheduler
from ..models import Question
from . import cli, outbox, views
from .backend import SearchBackend
from .gaps import record_miss
from .service import SearchService

BACKENDS = ("whoosh", "postgres")


def init_app(app: Flask) -> None:
    engine = app.extensions["candor_engine"]
    service = SearchService(engine, make_backend(app), app.config["CONTENT"],
                            sync=app.config.get("SEARCH_SYNC", app.config.get("TESTING", False)))
    app.extensions["candor_search"] = service
    outbox.register(engine, service)
    if app.config.get("SEARCH_BACKEND") == "postgres":  # the leader indexes every node's writes
        scheduler(app).add("search-outbox", app.config.get("OUTBOX_POLL", 1.0),
                           lambda _app: service.apply_pending())
    signals.curated_picked.connect(_curated_picked, sender=app, weak=False)
    signals.question_asked.connect(_question_asked, sender=app, weak=False)
    views.init_app(app)
    cli.init_app(app)


def make_backend(app: Flask) -> SearchBackend:
    name = app.config.get("SEARCH_BACKEND") or "whoosh"
    if name == "postgres":
        if not app.config["DATABASE_URL"].startswith("postgresql"):
            raise RuntimeError("CANDOR_SEARCH_BACKEND=postgres needs a PostgreSQL "
                               "CANDOR_DATABASE_URL")
        from ..effects.leader import leader
        from .postgres_backend import PostgresBackend

        return PostgresBackend(app.extensions["candor_engine"], leader(app))
    if name != "whoosh":
        raise RuntimeError(f"CANDOR_SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, "
                           f"not {name!r}")
    from .whoosh_backend import WhooshBackend

    return WhooshBackend(app.config["INSTANCE"])


def get_search() -> SearchService:
    return current_app.extensions["candor_search"]


def _curated_picked(app: Flask, **_kw) -> None:
    """A new curated Markdown file: index the curated folder again (it is small)."""
    from sqlalchemy.orm import Session

    service: SearchService = app.extensions["candor_search"]
    with Session(service.engine) as session, session.begin():
        outbox.enqueue(session, "curated", "*")  # the commit nudges the indexer


def _question_asked(app: Flask, id: int, **_kw) -> None:  # noqa: A002 — the signal's name
    """A question submitted with no similar answered thread is a content gap."""
    from sqlalchemy import select

    service: SearchService = app.extensions["candor_search"]
    with service.reading() as session:
        title = session.scalar(select(Question.title).where(Question.id == id))
    if title and not service.similar(title, limit=1):
        record_miss(service.engine, title)
