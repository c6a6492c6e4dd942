"""No write waits on the network; every effect goes through the outbox; one leader.

Real parts: a feed server that trickles a byte at a time, an SMTP server that accepts and
never answers, aiosmtpd, the leader's file lock and PostgreSQL advisory lock (a killed
process), the site builder under a steady stream of changes.
"""

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import select

import hub_api.curation.fetch
from hub_api.curation.feeds import add_feed, all_feeds, fetch_feeds
from hub_api.db import session_scope
from hub_api.effects import outbox
from hub_api.effects.leader import RETRY, leader
from hub_api.models import Effect, Feed
from hub_api.site.builder import Builder

from .conftest import make_test_app, seed_people
from .feedserver import FeedServer


@contextmanager
def made_app(tmp_path, url, **overrides):
    apps = make_test_app(tmp_path, url, **overrides)
    try:
        yield next(apps)
    finally:
        next(apps, None)  # disposes of the engine


QUESTION = {"title": "Do you ship to Norway?", "body": "We need ten units.",
            "display_name": "Pat"}


def _ask(client, n: int):
    started = time.monotonic()
    response = client.post("/api/v1/questions", json={**QUESTION, "title": f"{n} to Norway?",
                                                         "body": f"We need {n} units."})
    return response.status_code, time.monotonic() - started


@pytest.fixture
def stalled_smtp():
    """Accepts connections and never says a word (a hung mail server)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"smtp://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


def test_asks_during_a_trickling_feed_fetch(tmp_path, database_url, monkeypatch):
    monkeypatch.setattr(hub_api.curation.fetch, "DEADLINE", 6.0)
    with made_app(tmp_path, database_url, ALLOW_PRIVATE_URLS=True) as app:
        client = app.test_client()
        with FeedServer(slow_seconds=0.5) as feeds:
            with session_scope(app.extensions["candor_engine"]) as session:
                add_feed(session, feeds.url("/trickle.xml"))
            took = {}

            def fetch_all():
                started = time.monotonic()
                with app.app_context(), session_scope(app.extensions["candor_engine"]) as s:
                    fetch_feeds(s, all_feeds(s), allow_private=True)
                took["fetch"] = time.monotonic() - started
            worker = threading.Thread(target=fetch_all)
            worker.start()
            time.sleep(0.5)  # the download is under way
            answers = [_ask(client, n) for n in range(3)]
            worker.join(30)
        assert [status for status, _ in answers] == [201, 201, 201]
        # Held behind the download, an ask would wait for its 6 s deadline.
        assert max(seconds for _, seconds in answers) < 4.0, answers
        assert took["fetch"] < 6.0 + 3.0  # the wall-clock deadline, not one per read
        with session_scope(app.extensions["candor_engine"]) as session:
            feed = session.scalar(select(Feed))
            assert feed.status == "error" and "timed out" in feed.message


def test_asks_while_the_smtp_server_stalls(tmp_path, stalled_smtp):
    url = f"sqlite:///{tmp_path / 'candor.db'}"
    from hub_api.migrate import upgrade
    upgrade(url)
    with made_app(tmp_path, url, SMTP_URL=stalled_smtp, EFFECTS_SYNC=False,
                             SMTP_DEADLINE=5.0) as app:
        seed_people(app)
        client = app.test_client()
        answers = [_ask(client, n) for n in range(2)]
        assert [status for status, _ in answers] == [201, 201]
        # Nothing waited on the mail server (a wait would last its 5 s deadline).
        assert max(seconds for _, seconds in answers) < 4.0
        # The leader's drain hangs on the stalled server for its deadline only, and meanwhile
        # asks still get their answer at once.
        took = {}

        def drain():
            started = time.monotonic()
            outbox.drain(app)
            took["drain"] = time.monotonic() - started
        worker = threading.Thread(target=drain)
        worker.start()
        time.sleep(0.3)
        status, seconds = _ask(client, 9)
        worker.join(60)
        assert status == 201 and seconds < 4.0
        with session_scope(app.extensions["candor_engine"]) as session:
            mails = session.scalars(select(Effect).where(Effect.kind == "mail")).all()
            assert mails and mails[0].done_at is None
            assert "no answer within 5 s" in mails[0].last_error, mails[0].last_error


def test_a_mail_retried_after_a_crash_keeps_its_message_id(tmp_path, smtp, monkeypatch):
    url = f"sqlite:///{tmp_path / 'candor.db'}"
    from hub_api.migrate import upgrade
    upgrade(url)
    with made_app(tmp_path, url, SMTP_URL=smtp.url, EFFECTS_SYNC=False) as app:
        seed_people(app)
        client = app.test_client()
        assert _ask(client, 1)[0] == 201
        assert smtp.box.messages == []  # the request sent nothing: the leader does
        with session_scope(app.extensions["candor_engine"]) as session:
            events = session.scalars(select(Effect).where(Effect.kind == "event")).all()
            assert [json.loads(e.payload)["signal"] for e in events] == ["question-asked"]
        # The process dies after the SMTP server took the mail, before it was marked sent.
        real = outbox.session_scope
        calls = {"n": 0}

        def crash_on_mark(engine):
            calls["n"] += 1
            if calls["n"] == 5:  # read, expand, read, read the mail, mark it sent
                raise KeyboardInterrupt("kill -9")
            return real(engine)
        monkeypatch.setattr(outbox, "session_scope", crash_on_mark)
        with pytest.raises(KeyboardInterrupt):
            outbox.drain(app)
        monkeypatch.setattr(outbox, "session_scope", real)
        outbox.drain(app)  # the next leader sends it again …
        outbox.drain(app)  # … once: it is marked done now
        ids = [m["Message-ID"] for m in smtp.box.messages]
        assert len(ids) == 2 and ids[0] == ids[1]  # the receiver can drop the repeat by its id
        assert outbox.pending(app) == 0


LEAD = """
import sys, time
from pathlib import Path
from hub_api.effects.leader import Leader
lead = Leader(sys.argv[1], Path(sys.argv[2]))
while not lead.try_acquire():
    time.sleep(0.1)
print("leader", flush=True)
time.sleep(600)
"""


def test_one_leader_and_takeover_after_kill_9(tmp_path, database_url):
    with made_app(tmp_path, database_url) as app:
        child = subprocess.Popen(
            [sys.executable, "-c", LEAD, database_url, str(tmp_path / "instance")],
            stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "leader"
            follower = leader(app)
            assert not follower.try_acquire()  # no two leaders at once
            child.send_signal(signal.SIGKILL)
            child.wait(5)
            started = time.monotonic()
            while not follower.try_acquire():
                assert time.monotonic() - started < 15
                time.sleep(RETRY / 4)
            assert follower.still_held()
            follower.release()
        finally:
            child.kill()
            child.wait(5)


def test_a_stream_of_changes_does_not_starve_the_build():
    builds = []
    builder = Builder({"BUILD_DEBOUNCE": 0.5, "BUILD_MAX_WAIT": 1.0},
                      build=lambda _config, **_: builds.append(time.monotonic()))
    started = time.monotonic()
    while time.monotonic() - started < 3.5:  # an answer every 0.1 s, never a 0.5 s pause
        builder.request()
        time.sleep(0.1)
    assert len(builds) >= 2 and builds[0] - started < 1.5
    assert builder.wait_idle(5)
