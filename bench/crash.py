"""kill -9 of ``candor serve`` during asks, answers, rebuilds and feed fetches, many rounds,
on SQLite or PostgreSQL (``tests/test_crash.py`` runs a few rounds on SQLite).

Each round starts the server on one instance, asks and answers through the API from several
addresses while the site rebuilds and a marketer presses "Fetch all feeds" (a generated feed,
a slow one and one that trickles a byte at a time, from ``tests/feedserver.py``), and kills it
with SIGKILL after a random moment. At the end a last server drains what was left and fetches
the two working feeds again, and the script checks: every acknowledged question and answer is
stored, the database is intact (SQLite's ``integrity_check``), the outbox is empty, each
acknowledged question left open (every other one is answered at once) got a routing mail and
none got two (by Message-ID; a repeat with the same id counts as one; an answer that comes
before the leader carries the ask out rightly stops its mail), each feed entry is stored
once (none lost, none doubled), and the ``site`` link points at a complete build.

    python bench/crash.py [--rounds 30] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.feedserver import FeedServer  # noqa: E402
from tests.nodes import Browser, Node, cli, free_port, request, wait_for  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MARKETER = ("mia@example.com", "crash-password-2")
GENERATED = 40  # entries of the generated feed
FEEDS = (f"/generated/{GENERATED}.xml", "/slow.xml", "/trickle.xml")  # ids 1, 2, 3


class Box:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook
        from email import message_from_bytes
        from email.policy import default

        message = message_from_bytes(envelope.content, policy=default)
        self.messages.append((message["Subject"], message["Message-ID"]))
        return "250 OK"


def database_url(kind: str, tmp: Path) -> tuple[str, Callable[[], None]]:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'instance' / 'candor.db'}", lambda: None
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"candor_crash_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", drop


def query(url: str, sql: str) -> list[tuple]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def fetching(port: int, stop: threading.Event, source: str) -> None:
    """A marketer presses "Fetch all feeds" until the server dies under them."""
    try:
        browser = Browser(port, source)
        browser.log_in(*MARKETER)
        while not stop.is_set():
            browser.submit("/staff/curation", "/staff/curation/fetch", {"feed": ""})
    except (OSError, http.client.HTTPException):
        return  # killed, perhaps half-way through a fetch


def feed_problems(url: str) -> list[str]:
    """What the feeds hold that they should not (or lack): empty when each entry is there
    once."""
    keys: dict[int, list[str]] = {1: [], 2: [], 3: []}
    for feed_id, key in query(url, "SELECT feed_id, key FROM feed_entries"):
        keys[feed_id].append(key.rsplit("/", 1)[-1])  # feedparser made the guids absolute
    problems = []
    if sorted(keys[1]) != sorted(f"gen{GENERATED}-{i}" for i in range(GENERATED)):
        problems.append(f"generated feed: {len(keys[1])} entries, {len(set(keys[1]))} distinct")
    if len(keys[2]) != 3:  # tests/data/feeds/rss20.xml
        problems.append(f"slow feed: {len(keys[2])} entries, not 3")
    if keys[3]:
        problems.append(f"trickling feed: {len(keys[3])} entries from a download never done")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    box = Box()
    smtp = Controller(box, hostname="127.0.0.1", port=free_port())
    smtp.start()
    feeds = FeedServer(slow_seconds=0.3).__enter__()
    with tempfile.TemporaryDirectory(prefix="candor-crash-") as name:
        tmp = Path(name)
        url, drop = database_url(args.database, tmp)
        env = {**os.environ, "CANDOR_DATABASE_URL": url, "CANDOR_INSTANCE": str(tmp / "instance"),
               "CANDOR_SECRET_KEY": "crash", "CANDOR_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
               "CANDOR_SITE": str(tmp / "site"), "CANDOR_BUILD_DEBOUNCE": "0.1",
               "CANDOR_ALLOW_PRIVATE_URLS": "1"}
        try:
            cli(env, "init")
            cli(env, "topic", "add", "Networking")
            cli(env, "staff", "add", "--name", "Dana Ortiz", "--email", "dana@example.com",
                "--title", "Engineer", "--roles", "staff,admin", "--topics", "networking",
                "--password", "crash-password-1")
            cli(env, "staff", "add", "--name", "Mia Chen", "--email", MARKETER[0],
                "--title", "Marketer", "--roles", "marketer", "--password", MARKETER[1])
            for path in FEEDS:
                cli(env, "feeds", "add", "--unchecked", feeds.url(path))
            token = cli(env, "staff", "token", "dana@example.com").strip().splitlines()[-1]
            asked: dict[int, str] = {}
            answered: set[int] = set()
            log = open(tmp / "serve.log", "wb")  # noqa: SIM115
            for round_ in range(args.rounds):
                node = Node(env, log)
                stop = threading.Event()

                def load(port=node.port, round_=round_, stop=stop) -> None:
                    for n in range(10_000):
                        if stop.is_set():
                            return
                        try:
                            title = f"Crash {round_}.{n}?"
                            status, body = request(port, "POST", "/api/v1/questions", {
                                "title": title, "body": f"Body {round_}.{n}",
                                "display_name": "Pat", "topic": "networking"},
                                source=f"127.{round_ % 250 + 1}.{n // 250 + 1}.{n % 250 + 1}")
                            if status != 201:
                                continue
                            qid = json.loads(body)["id"]
                            asked[qid] = title
                            if n % 2:  # left open: its routing mail must go out
                                continue
                            status, body = request(port, "POST", f"/api/v1/questions/{qid}/answers",
                                                   {"body": "Yes."},
                                                   {"Authorization": f"Bearer {token}"})
                            if status == 201:
                                answered.add(json.loads(body)["id"])
                        except (OSError, http.client.HTTPException):
                            return  # killed, perhaps half-way through its answer
                workers = [threading.Thread(target=load),
                           threading.Thread(target=fetching, args=(
                               node.port, stop, f"127.254.{round_ % 250 + 1}.1"))]
                for worker in workers:
                    worker.start()
                time.sleep(random.uniform(0.5, 3.0))
                node.stop(signal.SIGKILL)
                stop.set()
                for worker in workers:
                    worker.join(30)
                print(f"round {round_ + 1}/{args.rounds}: {len(asked)} asks and "
                      f"{len(answered)} answers acknowledged so far", flush=True)
            node = Node(env, log)
            wait_for(lambda: not query(url, "SELECT count(*) FROM effects "
                                            "WHERE done_at IS NULL")[0][0],
                     120, "the outbox to drain")
            browser = Browser(node.port, "127.254.255.1")
            browser.log_in(*MARKETER)
            for feed_id in (1, 2):  # fetched again: nothing they hold may be stored twice
                browser.submit("/staff/curation", "/staff/curation/fetch", {"feed": str(feed_id)})
            time.sleep(3)  # the last build
            node.stop(signal.SIGTERM)
            log.close()
            questions = {row[0] for row in query(url, "SELECT id FROM questions")}
            answers = {row[0] for row in query(url, "SELECT id FROM answers")}
            lost = (set(asked) - questions) | (answered - answers)
            integrity = "n/a"
            if args.database == "sqlite":
                with sqlite3.connect(tmp / "instance" / "candor.db") as db:
                    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
            ids: dict[str, set[str]] = {}
            for subject, message_id in box.messages:
                ids.setdefault(subject.removeprefix("New question: "), set()).add(message_id)
            still_open = {row[0] for row in query(url, "SELECT id FROM questions WHERE id NOT IN "
                                                       "(SELECT question_id FROM answers)")}
            # An answer that came before the leader expanded the ask rightly stops its mail.
            missing = [t for q, t in asked.items() if q in still_open and not ids.get(t)]
            doubled = [t for t in asked.values() if len(ids.get(t, ())) > 1]
            site_ok = (Path(env["CANDOR_SITE"]).resolve() / "index.html").is_file()
            feeds_wrong = feed_problems(url)
        finally:
            drop()
            smtp.stop()
            feeds.__exit__()
    print(f"\n{args.rounds} rounds of kill -9 on {args.database}: {len(asked)} asks and "
          f"{len(answered)} answers acknowledged; lost {len(lost)}; integrity {integrity}; "
          f"routing mails missing {len(missing)}, doubled {len(doubled)}; feed entries "
          f"{'each once' if not feeds_wrong else '; '.join(feeds_wrong)}; site complete "
          f"{site_ok}")
    if lost or missing or doubled or feeds_wrong or integrity not in ("ok", "n/a") \
            or not site_ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
