"""bench/scale.py's bulk loader writes the rows the write path writes: the same columns set,
the same statuses, and threads that render, list and index like asked-and-answered ones."""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import select

from hub_api.db import session_scope
from hub_api.models import Person, Question, Topic

from .conftest import ROOT, ask, csrf

sys.path.insert(0, str(ROOT / "bench"))
from scale import bulk_load  # noqa: E402

SKIP = {"id", "question_id", "manage_token_hash", "title", "body", "body_html", "created_at",
        "display_name", "topic_id", "person_id"}


def columns(row) -> dict[str, bool]:
    """Which columns are set (not their values, which differ by design)."""
    return {c.name: getattr(row, c.key) not in (None, "") for c in row.__table__.columns
            if c.name not in SKIP}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_bulk_rows_equal_write_path_rows(app, client, staff):
    ask(client, title="Asked through the form?", topic="networking")
    engine = app.extensions["candor_engine"]
    with session_scope(engine) as s:
        asked = s.scalars(select(Question)).one()
    posted = staff.post(f"/staff/q/{asked.id}/answer",
                        data={"csrf_token": csrf(staff), "body": "Answered through the form."})
    assert posted.status_code == 303
    with session_scope(engine) as s:
        people = list(s.scalars(select(Person.id)))
        topics = list(s.scalars(select(Topic.id)))
    bulk_load(engine, 10, 15, people, topics, first_id=asked.id + 1)
    with session_scope(engine) as s:
        written = s.get(Question, asked.id)
        loaded = s.scalars(select(Question).where(Question.id > asked.id)
                           .order_by(Question.id)).all()
        assert len(loaded) == 10
        answered = [q for q in loaded if q.status == "answered"]
        assert len(answered) == 9 and {q.status for q in loaded} == {"answered", "open"}
        assert sum(len(q.answers) for q in loaded) == 15
        for q in answered:
            assert columns(q) == columns(written), q.id
            for a in q.answers:
                assert columns(a) == columns(written.answers[0])
                assert a.created_at > q.created_at
        urls = [q.url for q in loaded]
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200 and "Question" in page.text
