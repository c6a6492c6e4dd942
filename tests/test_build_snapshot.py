"""The waiting build child's snapshot of questions and answers: patched with what changed, it
equals a fresh read; the builder tells it what changed from the outbox's signals; a build
starts from the snapshot it is handed."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from hub_api.db import make_engine, read_only, session_scope
from hub_api.leads import responsiveness
from hub_api.models import Answer, Person, Question, Topic
from hub_api.signals import (
    answer_edited,
    answer_posted,
    curated_picked,
    people_changed,
    question_asked,
    question_deleted,
    question_edited,
    question_hidden,
    site_changed,
)
from hub_api.site import builder as publish
from hub_api.site.builder import BuildError
from hub_api.site.child import Changes
from hub_api.site.snapshot import Snapshot

from .test_find_pages import START, add_questions
from .test_publish import make_instance


def same(snapshot: Snapshot, fresh: Snapshot) -> bool:
    """The same rows in the same order (keys, lastmod …) and the same answered index."""
    index, other = snapshot.index, fresh.index
    return snapshot.questions == fresh.questions and (
        index.first, index.topic, dict(index.answerers), index.changed, index.order,
        index.latest) == (other.first, other.topic, dict(other.answerers), other.changed,
                          other.order, other.latest)


def cut_lists(snapshot: Snapshot) -> dict:
    """Every list's pages (ids and keys), each person's answered ids and each sitemap's
    thread ids, as the snapshot's cuts give them now (kept ones where nothing changed)."""
    snapshot.warm()
    cuts = snapshot.cuts
    return {"pages": {name: [(number, [row.id for row in items], keys)
                             for number, items, keys in cuts.cut(name, rows)]
                      for name, (rows, _pages) in cuts.known.items()},
            "people": {name: [(row.id, row.key) for row in rows]
                       for name, (_ids, rows) in cuts.selected.items()},
            "sitemaps": {start: [(row.id, row.located) for row in rows]
                         for start, rows in cuts.sitemap_parts(snapshot.questions).items()},
            "answered": dict(snapshot.index.by_answerer())}


def read_snapshot(app) -> tuple:
    """The app's engine, its database URL and a snapshot read now."""
    engine, url = app.extensions["candor_engine"], app.config["DATABASE_URL"]
    with session_scope(read_only(engine)) as s:
        return engine, url, Snapshot(s, url)


def test_a_patched_snapshot_equals_a_fresh_one(app, people):
    made = add_questions(app, 60)
    engine, url, snapshot = read_snapshot(app)
    before = cut_lists(snapshot)  # as the waiting child does, before its job
    objects = {name: pages for name, (_rows, pages) in snapshot.cuts.known.items()}
    with session_scope(engine) as s:
        topics = list(s.scalars(select(Topic).order_by(Topic.slug)))
        dana = s.scalars(select(Person).filter_by(email="dana@example.com")).one()
        # A new question, answered, asked before most others (it goes mid-list).
        new = Question(title="A new question?", body="b", body_html="<p>b</p>",
                       display_name="Kim", topic_id=topics[0].id, manage_token_hash="new",
                       status="answered", created_at=START + timedelta(hours=20, minutes=30))
        new.answers.append(Answer(person_id=dana.id, body="Yes.", body_html="<p>Yes.</p>",
                                  created_at=START + timedelta(days=40)))
        s.add(new)
        # An answer posted on a waiting question: the newest first answer.
        waiting = s.get(Question, made["open"][3])
        waiting.status = "answered"
        posted = Answer(question_id=waiting.id, person_id=dana.id, body="Now.",
                        body_html="<p>Now.</p>", created_at=START + timedelta(days=50))
        s.add(posted)
        # An answer edited later than anything else on its question.
        edited = s.scalars(select(Answer).where(Answer.question_id == made["answered"][5])).one()
        edited.body, edited.edited_at = "Edited.", START + timedelta(days=60)
        hidden = s.get(Question, made["answered"][0])
        hidden.status = "hidden"
        s.delete(s.get(Question, made["answered"][1]))
        retitled = s.get(Question, made["answered"][2])
        retitled.title, retitled.edited_at = "A clearer title?", START + timedelta(days=70)
        moved = s.get(Question, made["answered"][3])
        moved.topic_id = topics[1].id if moved.topic_id == topics[0].id else topics[0].id
        # Waiting again with its answer, the newest (as an import may leave it): it leaves
        # the answered lists, and its answer is still its topic's and Dana's last.
        reopened = s.get(Question, made["answered"][-1])
        reopened.status = "open"
        reopened.answers[0].created_at = START + timedelta(days=90)
        s.flush()
        changes = Changes(
            questions=frozenset({new.id, hidden.id, made["answered"][1], retitled.id,
                                 moved.id, reopened.id}),
            answers=frozenset({posted.id, edited.id}))
    with session_scope(read_only(engine)) as s:
        fresh = Snapshot(s, url)
        assert not same(snapshot, fresh)  # the changes show in what a build reads
        assert snapshot.patch(s, changes)
        assert snapshot.index.last_answers() == responsiveness.last_answers(s)
    assert same(snapshot, fresh)
    assert snapshot.answered_by_topic() == fresh.answered_by_topic()
    fresh_cuts = cut_lists(fresh)
    kept = cut_lists(snapshot)
    assert kept != before
    assert {kind: {name: kept[kind][name] for name in found} for kind, found in
            fresh_cuts.items()} == fresh_cuts  # (a list emptied since may linger, unused)
    # Lists the changes did not touch kept their pages (the same objects); the others not.
    kept_pages = [snapshot.cuts.known[name][1] is pages for name, pages in objects.items()]
    assert any(kept_pages) and not all(kept_pages)
    assert [row.id for row in snapshot.questions if row.title == "A clearer title?"] == \
        [retitled.id]


def test_an_answer_gone_since_cannot_be_patched(app, people):
    made = add_questions(app, 10)
    engine, url, snapshot = read_snapshot(app)
    with session_scope(engine) as s:
        question = s.get(Question, made["answered"][0])
        (answer_id,) = [a.id for a in question.answers]
        s.delete(question)  # its answers go with it: which question they were on is unknown
    with session_scope(read_only(engine)) as s:
        assert not snapshot.patch(s, Changes(answers=frozenset({answer_id})))


def builder_app(built: list, fail: list) -> Flask:
    """An app whose builder records what each build is told changed (failing when ``fail``
    holds something)."""
    app = Flask("candor_test")
    app.config.update(AUTO_BUILD=True, BUILD_DEBOUNCE=0.2)
    publish.init_app(app)

    def build(_config, *, changed):
        built.append(changed)
        if fail:
            raise BuildError(fail.pop())
        return Path("/nowhere")

    app.extensions["candor_builder"]._build = build
    return app


def deliver(app: Flask, *events) -> None:
    """Run the leader's handlers for ``events`` ((signal, id) pairs), then the one build
    they cause."""
    builder = app.extensions["candor_builder"]
    for signal, id_ in events:
        for handler in app.extensions["candor_effects"][signal.name]:
            handler(app, None, **({} if id_ is None else {"id": id_}))
    assert builder.wait_idle(10)


def test_the_builder_tells_each_build_what_changed_since_the_previous_one():
    built: list = []
    fail: list = []
    app = builder_app(built, fail)
    deliver(app, (question_asked, 1))
    assert built == [None]  # the first build: what the waiting child read is unknown
    deliver(app, (question_asked, 5), (answer_posted, 7), (answer_edited, 8),
            (question_hidden, 9), (question_deleted, 10), (curated_picked, 3),
            (site_changed, None))
    assert built[1] == Changes(frozenset({5, 9, 10}), frozenset({7, 8}))
    deliver(app, (curated_picked, 4))
    assert built[2] == Changes()  # a pick changes no question
    deliver(app, (question_edited, 2), (people_changed, 4))
    assert built[3] is None  # a person or topic may change any question
    deliver(app, (question_edited, 2))
    assert built[4] == Changes(frozenset({2}))
    fail.append("broken template")
    deliver(app, (question_edited, 3))
    assert built[5] == Changes(frozenset({3}))
    deliver(app, (question_edited, 6))
    assert built[6] is None  # the failed build may not have handed its changes over
    app.extensions["candor_builder"].request()
    assert app.extensions["candor_builder"].wait_idle(10)
    assert built[7] is None  # a request that does not say (a new leader, the daily refresh)


SNAPSHOT_BUILD = """
import sys
from pathlib import Path
from hub_api.config import load_config
from hub_api.db import make_engine, session_scope
from hub_api.models import Question
from hub_api.site import child, settings, snapshot
config = settings.build_config(load_config())
read = snapshot.preload(config["DATABASE_URL"])
engine = make_engine(config["DATABASE_URL"])
with session_scope(engine) as s:  # after the snapshot, and no build is told of it
    question = s.query(Question).filter_by(manage_token_hash="t1").one()
    question.title = "Renamed after the snapshot?"
    qid = question.id
engine.dispose()
changed = {"none": child.Changes(), "named": child.Changes(frozenset({qid})),
           "unknown": None}[sys.argv[2]]
sys.exit(child.run(child.Job(Path(sys.argv[1]), False, config, changed), None, read))
"""


@pytest.fixture
def config(tmp_path, monkeypatch):
    return make_instance(tmp_path, monkeypatch)


def test_a_build_starts_from_the_snapshot_it_is_handed(config, tmp_path):
    """A change no signal named is missed by a snapshot read before it (the next waiting
    child reads it); one it was told of, or an unknown one, is read again."""
    publish.build_site(config)
    for case in ("none", "named", "unknown"):
        engine = make_engine(config["DATABASE_URL"])
        with session_scope(engine) as s:
            s.query(Question).filter_by(manage_token_hash="t1").update(
                {"title": "Does the NW-24 switch support PoE++?"})
        engine.dispose()
        out = tmp_path / case
        (out / "curated").mkdir(parents=True)
        result = subprocess.run([sys.executable, "-c", SNAPSHOT_BUILD, str(out), case],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        listed = (out / "questions" / "index.html").read_text()
        assert ("Renamed after the snapshot?" in listed) == (case != "none"), case
        assert ("NW-24 switch support PoE++?" in listed) == (case == "none"), case


def test_background_builds_publish_what_they_are_told_changed(config):
    publish.build_site(config, prewarm=True)
    try:
        time.sleep(1)  # the waiting child reads the snapshot meanwhile (or later: the same)
        engine = make_engine(config["DATABASE_URL"])
        with session_scope(engine) as s:
            question = s.query(Question).filter_by(status="open").one()
            dana = s.query(Person).filter_by(slug="dana-ortiz").one()
            question.status = "answered"
            question.answers.append(Answer(person=dana, body="Now.", body_html="<p>Now.</p>",
                                           created_at=datetime(2026, 1, 2)))
            s.flush()
            answer_id, title = question.answers[0].id, question.title
        engine.dispose()
        build = publish.build_site(config, prewarm=True,
                                   changed=Changes(answers=frozenset({answer_id})))
        assert title in (build / "index.html").read_text()
        assert title in (build / "questions" / "index.html").read_text()
    finally:
        for child in publish._spares.values():
            child.kill()
        publish._spares.clear()
