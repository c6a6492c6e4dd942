"""Content gaps: what people searched for and did not find, counted per normalised query.

Only the query text is kept: no person, no address, no cookie, no time of a single search.
"""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..db import utcnow
from ..models import SearchGap
from .query import normalise


def record_miss(engine: Engine, text: str) -> None:
    """Count one search that found nothing (an upsert: safe under concurrent misses)."""
    query = normalise(text)
    if not query:
        return
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    statement = insert(SearchGap).values(query=query, misses=1, first_at=now, last_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[SearchGap.query],
        set_={"misses": SearchGap.misses + 1, "last_at": now},
    )
    with engine.begin() as conn:
        conn.execute(statement)


def top_gaps(session: Session, limit: int = 20) -> list[SearchGap]:
    """The most frequent unanswered searches, for the digest and the marketers' inbox."""
    return list(session.scalars(
        select(SearchGap).order_by(SearchGap.misses.desc(), SearchGap.last_at.desc()).limit(limit)
    ))
