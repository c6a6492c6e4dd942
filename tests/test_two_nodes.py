"""Two ``candor serve`` nodes: own instance folders, one PostgreSQL (with its search backend),
one Redis, the curated content and the built site in a shared folder (standing in for a shared
volume). One leader between them: an ask on A and an answer on B give exactly one routing
mail (real SMTP), one webhook delivery per event and a rebuild both nodes serve; after
``kill -9`` of the leader the other node carries the effects out."""

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
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

from .conftest import PG_ADMIN_URL, free_port, make_test_app, need_service, seed_people
from .test_webhooks import Receiver

REDIS_URL = "redis://127.0.0.1:6379/7"  # a database of its own: other runs use 0
SERVE = "from hub_api.cli import main; main()"


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


def _request(port: int, method: str, path: str, body=None, headers=None,
             source: str = "127.0.0.1"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15, source_address=(source, 0))
    conn.request(method, path, json.dumps(body) if body is not None else None,
                 {"Content-Type": "application/json", **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"waited {seconds:g} s for {what}")


class Node:
    def __init__(self, env: dict, instance, log) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVE, "serve", "--port", str(self.port)],
            env={**env, "CANDOR_INSTANCE": str(instance)}, stdout=log, stderr=log, cwd=ROOT)
        _wait(self.up, 90, f"node on port {self.port}")

    def up(self) -> bool:
        try:
            return _request(self.port, "GET", "/healthz")[0] == 200
        except OSError:
            return False

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(10)


def test_two_nodes_one_leader(database, smtp, tmp_path):
    if not _redis_up():
        need_service("Redis", f"no server at {REDIS_URL}")
    shared = tmp_path / "shared"
    shutil.copytree(ROOT / "content", shared / "content")
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
           "CANDOR_PUBLIC_URL": "http://hub.test", "CANDOR_BUILD_DEBOUNCE": "0.2"}
    log = open(tmp_path / "nodes.log", "wb")  # noqa: SIM115 — both nodes write to it
    a = Node(env, tmp_path / "a", log)  # first up: the leader
    b = Node(env, tmp_path / "b", log)
    try:
        started = time.monotonic()
        status, body = _request(a.port, "POST", "/api/v1/questions", {
            "title": "Do both nodes agree?", "body": "One mail, please.", "display_name": "Pat",
            "topic": "networking"}, source="127.0.0.2")
        assert status == 201, body
        question = json.loads(body)["id"]
        status, body = _request(b.port, "POST", f"/api/v1/questions/{question}/answers",
                                {"body": "They do."}, {"Authorization": f"Bearer {token}"})
        assert status == 201, body

        def routing():
            return [m for m in smtp.box.messages if m["Subject"].startswith("New question")]
        _wait(lambda: routing() and len(receiver.delivered()) >= 2, 20, "mail and webhooks")
        effects_took = time.monotonic() - started

        def on_both():
            return all(b"Do both nodes agree?" in _request(n.port, "GET", "/")[1]
                       for n in (a, b))
        _wait(on_both, 60, "the rebuilt front page on both nodes")
        published_took = time.monotonic() - started
        time.sleep(3)  # room for a second node to double anything
        assert [m["To"] for m in routing()] == ["dana@example.com"]
        events = sorted(json.loads(b)["event"] for _h, b in receiver.delivered())
        assert events == ["answer.posted", "question.asked"]

        a.stop(signal.SIGKILL)  # the leader dies; B takes over within seconds
        killed = time.monotonic()
        status, body = _request(b.port, "POST", "/api/v1/questions", {
            "title": "Anyone left?", "body": "After the crash.", "display_name": "Pat",
            "topic": "networking"}, source="127.0.0.3")
        assert status == 201, body
        _wait(lambda: any(m["Subject"] == "New question: Anyone left?"
                          for m in smtp.box.messages), 15, "B to take over the effects")
        takeover_took = time.monotonic() - killed
        print(f"\ntwo nodes: effects {effects_took:.1f} s, published on both "
              f"{published_took:.1f} s, takeover after kill -9 {takeover_took:.1f} s")
    except BaseException:
        log.flush()
        print((tmp_path / "nodes.log").read_text(errors="replace")[-4000:])  # what the nodes said
        raise
    finally:
        a.stop(signal.SIGKILL)
        b.stop()
        log.close()
        receiver.server.shutdown()
