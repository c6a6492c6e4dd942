"""kill -9 of ``candor serve`` during asks (a few rounds; ``bench/crash.py`` runs many): no
acknowledged write is lost, the database is intact, and every effect of an acknowledged ask
is carried out once the server is back (one routing mail per question, by Message-ID)."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

from hub_api.config import ROOT
from hub_api.migrate import upgrade

from .conftest import free_port, make_test_app, seed_people
from .test_two_nodes import SERVE, _request, _wait

ROUNDS = 3


def _serve(env: dict, port: int, log) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", SERVE, "serve", "--port", str(port)],
                            env=env, stdout=log, stderr=log, cwd=ROOT)

    def up():
        try:
            return _request(port, "GET", "/healthz")[0] == 200
        except OSError:
            return False
    _wait(up, 90, "the server to start")
    return proc


def test_kill_9_during_asks_loses_nothing(tmp_path, smtp):
    database = tmp_path / "instance" / "candor.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    for app in make_test_app(tmp_path, url):
        seed_people(app)
    env = {**os.environ, "CANDOR_DATABASE_URL": url, "CANDOR_INSTANCE": str(tmp_path / "instance"),
           "CANDOR_SECRET_KEY": "crash", "CANDOR_SMTP_URL": smtp.url,
           "CANDOR_SITE": str(tmp_path / "site"), "CANDOR_CONTENT": str(tmp_path / "content"),
           "CANDOR_AUTO_BUILD": "0"}
    acknowledged: dict[int, str] = {}
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115
    try:
        for round_ in range(ROUNDS):
            port = free_port()
            proc = _serve(env, port, log)
            stop = threading.Event()

            def asks(port=port, round_=round_, stop=stop):
                for n in range(1000):
                    if stop.is_set():
                        return
                    title = f"Crash round {round_} ask {n}?"
                    try:
                        status, body = _request(port, "POST", "/api/v1/questions", {
                            "title": title, "body": f"Body {round_}.{n}", "display_name": "Pat"},
                            source=f"127.0.{round_ + 1}.{n % 250 + 1}")
                    except OSError:
                        return  # the server is gone
                    if status == 201:
                        acknowledged[json.loads(body)["id"]] = title
            worker = threading.Thread(target=asks)
            worker.start()
            time.sleep(1.5)
            proc.send_signal(signal.SIGKILL)  # mid-write, mid-mail, whatever it was doing
            proc.wait(10)
            stop.set()
            worker.join(20)
        proc = _serve(env, free_port(), log)  # back up: the leader carries out what is left
        try:
            def drained():
                with sqlite3.connect(database) as db:
                    return db.execute("SELECT count(*) FROM effects WHERE done_at IS NULL"
                                      ).fetchone()[0] == 0
            _wait(drained, 60, "the outbox to drain")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(10)
    finally:
        log.close()
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
