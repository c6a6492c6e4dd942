"""Thread pages served like files: stored on the first view, served without the database,
never stale after a write is acknowledged; static files with ETag/304, precompressed
variants by Accept-Encoding, and long lifetimes only for fingerprinted assets."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest
from sqlalchemy import event, select

from hub_api.db import session_scope
from hub_api.models import Question
from hub_api.site.builder import build_site
from hub_api.site.thread_pages import get_thread_pages

from .conftest import ask, csrf


@pytest.fixture
def queries(app):
    """The SQL statements the app runs, as a list that grows."""
    seen: list[str] = []
    engine = app.extensions["candor_engine"]

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def latest_question(app) -> Question:
    with session_scope(app.extensions["candor_engine"]) as s:
        return s.scalars(select(Question).order_by(Question.id.desc())).first()


def answer(app, staff, question, body: str) -> int:
    posted = staff.post(f"/staff/q/{question.id}/answer",
                        data={"csrf_token": csrf(staff), "body": body})
    assert posted.status_code == 303
    return int(posted.headers["Location"].rsplit("answer-", 1)[1])


def test_a_thread_page_is_served_without_the_database_and_never_stale(app, client, staff,
                                                                        queries):
    ask(client, title="Do you ship to Norway?")
    question = latest_question(app)
    url = question.url
    first = client.get(url)
    assert first.status_code == 200 and "Do you ship to Norway?" in first.text
    assert "ETag" not in first.headers  # rendered by Flask, and stored

    queries.clear()
    stored = client.get(url)
    assert queries == []  # no ORM, no SQL
    assert stored.text == first.text and stored.headers["ETag"]
    assert stored.headers["Cache-Control"] == "no-cache"
    assert stored.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in stored.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in stored.headers
    again = client.get(url, headers={"If-None-Match": stored.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""

    # Every acknowledged write is on the very next view.
    answer_id = answer(app, staff, question, "Yes, from our Oslo warehouse.")
    assert "Oslo warehouse" in client.get(url).text
    restored = client.get(url)  # the new page, stored: its own headers, not the old ones
    assert "Oslo warehouse" in restored.text and restored.headers["ETag"] != stored.headers["ETag"]
    assert int(restored.headers["Content-Length"]) == len(restored.data)
    edit = staff.post(f"/staff/answers/{answer_id}/edit",
                      data={"csrf_token": csrf(staff), "body": "Yes, from Bergen."})
    assert edit.status_code in (302, 303)
    page = client.get(url).text
    assert "Yes, from Bergen." in page  # the earlier version stays in the public history
    assert staff.post(f"/staff/q/{question.id}/accept/{answer_id}",
                      data={"csrf_token": csrf(staff)}).status_code in (302, 303)
    assert "an answer was accepted" in client.get(url).text
    client.get(url)
    assert queries and client.get(url).text == client.get(url).text


def test_precompressed_variants_by_accept_encoding(app, client):
    ask(client, title="Is there a brotli variant?")
    url = latest_question(app).url
    html = client.get(url).text
    br = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert br.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in br.headers["Vary"]
    assert brotli.decompress(br.data).decode() == html
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.data).decode() == html
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.text == html


def test_a_reader_racing_a_write_never_stores_the_old_page(app, client):
    ask(client, title="Racing readers")
    question = latest_question(app)
    pages = get_thread_pages(app)
    slug = question.url.rsplit("/", 1)[1]
    before = pages.generation(question.id)
    pages.invalidate(question.id)  # a write commits while the reader renders
    pages.store(question.id, slug, "<p>old page</p>", before)
    assert pages.find(question.url) is None
    assert "Racing readers" in client.get(question.url).text


def test_a_hidden_thread_is_gone_at_once(app, client, staff, people):
    ask(client, title="Soon hidden")
    question = latest_question(app)
    client.get(question.url)
    assert get_thread_pages(app).find(question.url) is not None
    with app.test_request_context():
        from hub_api import signals
        with session_scope(app.extensions["candor_engine"]) as s:
            s.get(Question, question.id).status = "hidden"
        signals.question_hidden.send(app, id=question.id)
    assert client.get(question.url).status_code == 404


def test_static_files_etag_304_and_fingerprinted_css(app, client, people):
    build_site(app.config)
    front = client.get("/", headers={"Accept-Encoding": "br, gzip"})
    assert front.status_code == 200 and front.headers["Cache-Control"] == "no-cache"
    assert front.headers["Content-Encoding"] == "br" and "Accept-Encoding" in front.headers["Vary"]
    html = brotli.decompress(front.data).decode()
    assert client.get("/", headers={"If-None-Match": front.headers["ETag"],
                                    "Accept-Encoding": "br"}).status_code == 304
    (css,) = re.findall(r'href="(/theme/candor\.[0-9a-f]{12}\.css)"', html)
    style = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert style.status_code == 200 and style.headers["Content-Encoding"] == "gzip"
    assert "immutable" in style.headers["Cache-Control"]
    assert "max-age=31536000" in style.headers["Cache-Control"] or \
        int(re.search(r"max-age=(\d+)", style.headers["Cache-Control"])[1]) >= 31536000
    assert style.headers["Content-Type"] == "text/css; charset=utf-8"
    # A dynamic page links the same fingerprinted file.
    assert css in client.get("/ask").text


def test_stored_pages_and_backups_live_under_the_instance_it_was_given(app, tmp_path):
    """An instance set by configuration (not only by CANDOR_INSTANCE) holds its own pages, so
    two instances on one machine never serve each other's threads."""
    from hub_api.operations.backup import backup_dir

    assert get_thread_pages(app).root == tmp_path / "instance" / "thread-pages"
    assert backup_dir(app.config) == tmp_path / "instance" / "backups"
