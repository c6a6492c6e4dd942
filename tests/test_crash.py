"""kill -9 of ``candor serve`` during asks and feed fetches (a few rounds; ``bench/crash.py``
runs many): no acknowledged write is lost, the database is intact, every effect of an
acknowledged ask is carried out once the server is back (one routing mail per question, by
Message-ID), and feeds fetched again after the crashes hold each entry once."""

import http.client
import json
import os
import signal
import sqlite3
import threading
import time

from hub_api.curation.feeds import add_feed
from hub_api.db import session_scope
from hub_api.migrate import upgrade

from .conftest import PASSWORD, make_test_app, seed_people
from .feedserver import FeedServer
from .nodes import Browser, Node, request, wait_for

ROUNDS = 3
GENERATED = 40  # entries in the feed served at /generated/40.xml
FEEDS = (f"/generated/{GENERATED}.xml", "/slow.xml", "/trickle.xml")


def fetching(port: int, stop: threading.Event, source: str) -> None:
    """A marketer presses "Fetch all feeds" again and again (the trickling feed holds each
    fetch until its deadline), until the server dies under them."""
    try:
        browser = Browser(port, source)
        browser.log_in("mia@example.com", PASSWORD)
        while not stop.is_set():
            browser.submit("/staff/curation", "/staff/curation/fetch", {"feed": ""})
    except (OSError, http.client.HTTPException):
        return  # killed, perhaps half-way through a fetch


def feed_entries(database) -> dict[str, list[str]]:
    """Each feed's stored entry keys, by feed path."""
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT feeds.url, feed_entries.key FROM feeds "
                          "LEFT JOIN feed_entries ON feed_entries.feed_id = feeds.id").fetchall()
    found: dict[str, list[str]] = {}
    for url, key in rows:
        found.setdefault("/" + url.split("/", 3)[3], []).extend([key] if key else [])
    return found


def test_kill_9_during_asks_and_fetches_loses_nothing(tmp_path, smtp):
    database = tmp_path / "instance" / "candor.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    feeds = FeedServer(slow_seconds=0.3).__enter__()
    for app in make_test_app(tmp_path, url):
        seed_people(app)
        with session_scope(app.extensions["candor_engine"]) as session:
            for path in FEEDS:  # followed unchecked (the trickle never works), ids 1, 2, 3
                add_feed(session, feeds.url(path))
    env = {**os.environ, "CANDOR_DATABASE_URL": url, "CANDOR_INSTANCE": str(tmp_path / "instance"),
           "CANDOR_SECRET_KEY": "crash", "CANDOR_SMTP_URL": smtp.url,
           "CANDOR_SITE": str(tmp_path / "site"), "CANDOR_CONTENT": str(tmp_path / "content"),
           "CANDOR_AUTO_BUILD": "0", "CANDOR_ALLOW_PRIVATE_URLS": "1"}
    acknowledged: dict[int, str] = {}
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115
    try:
        for round_ in range(ROUNDS):
            node = Node(env, log)
            stop = threading.Event()

            def asks(port=node.port, round_=round_, stop=stop):
                for n in range(1000):
                    if stop.is_set():
                        return
                    title = f"Crash round {round_} ask {n}?"
                    try:
                        status, body = request(port, "POST", "/api/v1/questions", {
                            "title": title, "body": f"Body {round_}.{n}", "display_name": "Pat"},
                            source=f"127.0.{round_ + 1}.{n % 250 + 1}")
                    except (OSError, http.client.HTTPException):
                        return  # the server is gone, perhaps half-way through its answer
                    if status == 201:
                        acknowledged[json.loads(body)["id"]] = title
            workers = [threading.Thread(target=asks),
                       threading.Thread(target=fetching,
                                        args=(node.port, stop, f"127.0.100.{round_ + 1}"))]
            for worker in workers:
                worker.start()
            wait_for(lambda: any(p == "/trickle.xml" for p, _h in feeds.requests), 30,
                     "a fetch under way")
            time.sleep(0.5)
            node.stop(signal.SIGKILL)  # mid-write, mid-mail, mid-fetch, whatever it was doing
            stop.set()
            for worker in workers:
                worker.join(20)
            feeds.requests.clear()
        node = Node(env, log)  # back up: the leader carries out what is left
        try:
            def drained():
                with sqlite3.connect(database) as db:
                    return db.execute("SELECT count(*) FROM effects WHERE done_at IS NULL"
                                      ).fetchone()[0] == 0
            wait_for(drained, 60, "the outbox to drain")
            browser = Browser(node.port, "127.0.200.1")
            browser.log_in("mia@example.com", PASSWORD)
            for feed_id in (1, 2):  # fetched again: what they hold is not stored twice
                status, _page = browser.submit("/staff/curation", "/staff/curation/fetch",
                                               {"feed": str(feed_id)})
                assert status == 303
        finally:
            node.stop()
    finally:
        log.close()
        feeds.__exit__()
    assert acknowledged, "no ask was acknowledged"
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in db.execute("SELECT id FROM questions")}
    assert set(acknowledged) <= stored  # no acknowledged write lost
    ids: dict[str, set[str]] = {}
    for message in smtp.box.messages:
        ids.setdefault(message["Subject"].removeprefix("New question: "), set()).add(
            message["Message-ID"])
    for title in acknowledged.values():
        assert len(ids.get(title, ())) == 1, title  # sent, and (by its id) only once
    entries = feed_entries(database)
    guids = sorted(key.rsplit("/", 1)[-1] for key in entries[FEEDS[0]])  # made absolute
    assert guids == sorted(f"gen{GENERATED}-{i}" for i in range(GENERATED))  # each once
    assert len(entries[FEEDS[1]]) == 3  # tests/data/feeds/rss20.xml, once each
    assert entries[FEEDS[2]] == []  # never complete: nothing of it stored
