"""Two ``candor serve`` nodes: own instance folders, one PostgreSQL (with its search backend),
one Redis, the curated content and the built site in a shared folder (standing in for a shared
volume). One leader between them: an ask on A and an answer on B give exactly one routing
mail (real SMTP), one webhook delivery per event and one build per change (counted by each
node's ``/metrics``), which both nodes serve, and the answer written on B is found by
search on both (the leader indexes every node's writes); at a stepped clock
(``CANDOR_TEST_CLOCK_FILE``) a reminder is sent once, however many processes look; after
``kill -9`` of the leader the other node carries the effects out."""

import json
import os
import shutil
import signal
import time
import uuid

import pytest
from sqlalchemy import text

from hub_api.config import ROOT
from hub_api.db import make_engine, session_scope
from hub_api.effects.webhooks import add_endpoint
from hub_api.migrate import upgrade
from hub_api.models import Person
from hub_api.staff.tokens import issue_token

from .conftest import PG_ADMIN_URL, make_test_app, need_service, seed_people
from .nodes import Node, cli, request, wait_for
from .test_webhooks import Receiver

REDIS_URL = "redis://127.0.0.1:6379/7"  # a database of its own: other runs use 0


@pytest.fixture(scope="module")
def database():
    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"candor_nodes_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 — no server
        need_service("PostgreSQL", str(exc).splitlines()[0])
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :n"), {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


BUILDS = "candor_site_build_duration_seconds_count"  # per process, /metrics
QUIET = 2.5  # seconds without a new build before the count is taken as settled
STEP = 7 * 24 * 3600  # the stepped clock: a week on, every question is past twice its target


def _builds(node: Node) -> int:
    """Site builds this node has run (ok or failed), from its own ``/metrics``."""
    lines = request(node.port, "GET", "/metrics")[1].decode().splitlines()
    return sum(int(float(line.split()[-1])) for line in lines if line.startswith(BUILDS + "{"))


def _settled_builds(nodes: list[Node], at_least: int) -> list[int]:
    """Each node's build count once at least ``at_least`` builds ran and none followed for
    ``QUIET`` seconds (the start-up builds, or the one a change caused)."""
    last, since = None, time.monotonic()

    def quiet():
        nonlocal last, since
        counts = [_builds(n) for n in nodes]
        if counts != last:
            last, since = counts, time.monotonic()
        return sum(counts) >= at_least and time.monotonic() - since >= QUIET and counts
    return wait_for(quiet, 60, f"{at_least} build(s) to settle")


def _ask(node: Node, title: str, source: str) -> int:
    status, body = request(node.port, "POST", "/api/v1/questions", {
        "title": title, "body": f"Two nodes: {title}", "display_name": "Pat",
        "topic": "networking"}, source=source)
    assert status == 201, body
    return json.loads(body)["id"]


def _remind_job_runs(database: str) -> str:
    """When the reminder job last ran (on whichever node led), as it recorded it."""
    engine = make_engine(database)
    try:
        with engine.connect() as conn:
            value = conn.execute(text("SELECT value FROM settings WHERE key = 'ops:job:remind'"))
            return json.loads(value.scalar() or "{}").get("last_run", "")
    finally:
        engine.dispose()


def _pending_effects(database: str) -> int:
    engine = make_engine(database)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM effects WHERE done_at IS NULL")
                                ).scalar()
    finally:
        engine.dispose()


def test_two_nodes_one_leader(database, smtp, tmp_path):
    if not _redis_up():
        need_service("Redis", f"no server at {REDIS_URL}")
    shared = tmp_path / "shared"
    shutil.copytree(ROOT / "content", shared / "content")
    clock = tmp_path / "clock"  # seconds ahead of real time, read by every process
    receiver = Receiver()
    for app in make_test_app(tmp_path / "seed", database, SEARCH_BACKEND="postgres"):
        seed_people(app)
        with session_scope(app.extensions["candor_engine"]) as session:
            add_endpoint(session, receiver.url, "question.asked,answer.posted")
            dana = session.query(Person).filter_by(email="dana@example.com").one()
            _row, token = issue_token(session, dana, "nodes")
    env = {**os.environ, "CANDOR_DATABASE_URL": database, "CANDOR_SECRET_KEY": "two-nodes",
           "CANDOR_SEARCH_BACKEND": "postgres", "CANDOR_RATELIMIT_STORAGE_URL": REDIS_URL,
           "CANDOR_SMTP_URL": smtp.url, "CANDOR_ALLOW_PRIVATE_URLS": "1",
           "CANDOR_CONTENT": str(shared / "content"), "CANDOR_SITE": str(shared / "site"),
           "CANDOR_PUBLIC_URL": "http://hub.test", "CANDOR_BUILD_DEBOUNCE": "0.2",
           "CANDOR_TEST_CLOCK_FILE": str(clock)}
    log = open(tmp_path / "nodes.log", "wb")  # noqa: SIM115 — both nodes write to it
    a = Node({**env, "CANDOR_INSTANCE": str(tmp_path / "a")}, log)  # first up: the leader
    b = Node({**env, "CANDOR_INSTANCE": str(tmp_path / "b")}, log)
    try:
        started_builds = _settled_builds([a, b], 1)  # the new leader publishes once
        assert started_builds[1] == 0, "a follower built the site"
        started = time.monotonic()
        question = _ask(a, "Do both nodes agree?", "127.0.0.2")

        def routing(title="Do both nodes agree?"):
            return [m for m in smtp.box.messages if m["Subject"] == f"New question: {title}"]
        wait_for(lambda: routing() and receiver.delivered(), 20, "the ask's mail and webhook")
        ask_took = time.monotonic() - started
        asked_builds = _settled_builds([a, b], sum(started_builds) + 1)
        status, body = request(b.port, "POST", f"/api/v1/questions/{question}/answers",
                               {"body": "They do, in lockstep."},
                               {"Authorization": f"Bearer {token}"})
        assert status == 201, body
        answered = time.monotonic()
        wait_for(lambda: len(receiver.delivered()) >= 2, 20, "the answer's webhook")
        answer_took = time.monotonic() - answered

        def on_both():
            return all(b"Do both nodes agree?" in request(n.port, "GET", "/")[1]
                       for n in (a, b))
        wait_for(on_both, 60, "the rebuilt front page on both nodes")
        published_took = time.monotonic() - answered

        def found(node):  # B wrote the answer; the leader, A, indexed it (PostgreSQL search)
            return json.loads(request(node.port, "GET", "/api/v1/search?q=lockstep")[1])["total"]
        wait_for(lambda: all(found(n) for n in (a, b)), 20, "the answer in search on both")
        answered_builds = _settled_builds([a, b], sum(asked_builds) + 1)
        # One build per change, all on the leader: none doubled by the other node.
        assert [asked_builds[0] - started_builds[0], answered_builds[0] - asked_builds[0]] \
            == [1, 1]
        assert answered_builds[1] == 0, "the follower built the site"
        assert [m["To"] for m in routing()] == ["dana@example.com"]
        events = sorted(json.loads(b)["event"] for _h, b in receiver.delivered())
        assert events == ["answer.posted", "question.asked"]

        # Reminders at a stepped clock: a cron run on B while A leads, then B's own job
        # after A dies, both find the question overdue; its holder hears once.
        _ask(a, "Who reminds me?", "127.0.0.4")
        wait_for(lambda: routing("Who reminds me?"), 20, "the second question's mail")
        clock.write_text(str(STEP))
        cron = cli({**env, "CANDOR_INSTANCE": str(tmp_path / "b")}, "remind")
        assert "Sent 1 reminder(s) and 1 escalation(s)" in cron, cron

        def reminded(prefix: str):
            return [m for m in smtp.box.messages if m["Subject"] == f"{prefix}Who reminds me?"]
        wait_for(lambda: reminded("Overdue: ") and reminded("Still unanswered at twice the "
                                                         "target: "), 20, "the reminder mails")
        remind_ran = _remind_job_runs(database)

        a.stop(signal.SIGKILL)  # the leader dies; B takes over within seconds
        killed = time.monotonic()
        _ask(b, "Anyone left?", "127.0.0.3")
        wait_for(lambda: routing("Anyone left?"), 15, "B to take over the effects")
        takeover_took = time.monotonic() - killed
        wait_for(lambda: _remind_job_runs(database) != remind_ran, 30, "B's reminder job")
        wait_for(lambda: _pending_effects(database) == 0, 20, "B to drain the outbox")
        assert len(reminded("Overdue: ")) == 1
        assert len(reminded("Still unanswered at twice the target: ")) == 1
        assert len(routing("Anyone left?")) == 1
        print(f"\ntwo nodes: ask's mail and webhook {ask_took:.1f} s; answer's webhook "
              f"{answer_took:.1f} s, published on both {published_took:.1f} s; takeover "
              f"after kill -9 {takeover_took:.1f} s")
    except BaseException:
        log.flush()
        print((tmp_path / "nodes.log").read_text(errors="replace")[-4000:])  # what the nodes said
        raise
    finally:
        a.stop(signal.SIGKILL)
        b.stop()
        log.close()
        receiver.server.shutdown()
