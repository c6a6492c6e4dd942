"""The index follows the database: incremental equals rebuilt, crashes lose nothing,
several server processes never fight over the Whoosh writer."""

from __future__ import annotations

import http.client
import json
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from hub_api import signals
from hub_api.db import make_engine, session_scope
from hub_api.models import Answer, Person, Question, SearchOutbox
from tests.conftest import ROOT, free_port, make_test_app, seed_people
from tests.test_search import add_thread

WORDS = "firewall router cable invoice norway shipping rack vpn switch warranty price".split()
QUERIES = ["firewall", "router -cable", '"rack vpn"', "shipping", "price warranty", "dana",
           "invoice topic:networking", "switch"]


def expected_ids(app) -> set[str]:
    with session_scope(app.extensions["candor_engine"]) as session:
        threads = {f"thread:{i}" for i in session.scalars(select(Question.id))}
        people = {f"person:{p.id}" for p in session.scalars(select(Person))
                  if p.active and "staff" in p.role_set}
    curated = {f"curated:{p.name}" for p in (app.config["CONTENT"] / "curated").glob("*.md")}
    return threads | people | curated


def answers_for(app, queries) -> dict[str, set[str]]:
    service = app.extensions["candor_search"]
    out = {}
    for q in queries:
        out[q] = {h.doc_id for p in (1, 2, 3) for h in service.search(service.parse(q), (), p).hits}
    return out


def test_incremental_index_equals_a_rebuild(search_app):
    app = search_app
    seed_people(app)
    signals.curated_picked.send(app, id=1)  # the curated folder's files join the index
    rng = random.Random(5)
    ids: list[int] = []
    for step in range(60):
        action = rng.choice(["create", "create", "answer", "edit", "delete"]) if ids else "create"
        text = " ".join(rng.choices(WORDS, k=6))
        if action == "create":
            ids.append(add_thread(app, text[:40], text, topic=rng.choice([None, "networking"])))
            continue
        with session_scope(app.extensions["candor_engine"]) as session:
            question = session.get(Question, rng.choice(ids))
            if action == "answer":
                question.answers.append(Answer(person_id=1, body=text, body_html=text))
            elif action == "edit":
                question.title, question.body_html = f"edited {step} {text[:30]}", text
            else:
                session.delete(question)
                ids.remove(question.id)
    service = app.extensions["candor_search"]
    incremental = answers_for(app, QUERIES)
    assert service.backend.doc_ids() == expected_ids(app)
    assert service.reindex() == len(expected_ids(app))
    assert service.backend.doc_ids() == expected_ids(app)
    assert answers_for(app, QUERIES) == incremental
    assert any(incremental.values())


def test_reindex_and_synonyms_cli(search_app):
    app = search_app
    seed_people(app)
    add_thread(app, "Printed circuit board prices", "For small runs.")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0
    assert f"Indexed {len(expected_ids(app))} documents" in result.output
    assert runner.invoke(args=["search", "synonyms", "add", "PCB", "printed circuit board"]
                         ).exit_code == 0
    listed = runner.invoke(args=["search", "synonyms", "list"])
    assert listed.output == "pcb\tprinted circuit board\n"
    api = app.test_client().get("/api/v1/search?q=pcb&kind=thread").json
    assert api["total"] == 1
    for bad in (["add", "PCB", "printed circuit board"], ["add", "the", "x"], ["add", "pcb", "PCB"],
                ["remove", "nothing"]):
        result = runner.invoke(args=["search", "synonyms", *bad])
        assert result.exit_code != 0 and "Error:" in result.output and "Traceback" not in \
            result.output
    assert runner.invoke(args=["search", "synonyms", "remove", "pcb"]).exit_code == 0
    assert app.test_client().get("/api/v1/search?q=pcb&kind=thread").json["total"] == 0


CRASH = """
import os, signal, sys
from pathlib import Path
from hub_api import create_app
from hub_api.search import service as service_module
service_module.BATCH = 5
app = create_app({"TESTING": True, "INSTANCE": Path(sys.argv[1]), "DATABASE_URL": sys.argv[2],
                  "SECRET_KEY": "x", "CONTENT": Path(sys.argv[3]), "AUTO_BUILD": False})
backend = app.extensions["candor_search"].backend
calls = []
if sys.argv[4] == "before-commit":
    from whoosh.writing import SegmentWriter
    commit = SegmentWriter.commit
    def die_in_second_commit(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # documents written to the segment, not yet committed
            os.kill(os.getpid(), signal.SIGKILL)
        return commit(self, *args, **kwargs)
    SegmentWriter.commit = die_in_second_commit
else:
    original = backend.index_documents
    def index_then_die(docs, delete=()):
        original(docs, delete)
        calls.append(1)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGKILL)
    backend.index_documents = index_then_die
app.extensions["candor_search"].apply_pending()
"""


@pytest.mark.parametrize("moment", ["before-commit", "after-commit"])
def test_kill_9_mid_batch_loses_nothing(tmp_path, database_url, moment):
    app = next(make_test_app(tmp_path, database_url))
    seed_people(app)
    signals.curated_picked.send(app, id=1)
    other = make_engine(database_url)  # not this app's engine: its commits nudge no indexer
    with session_scope(other) as session:
        for n in range(17):
            session.add(Question(title=f"Crash test {n}", body="x", body_html="<p>kill</p>",
                                 display_name="P", manage_token_hash=f"crash-{n}"))
    other.dispose()
    done = subprocess.run([sys.executable, "-c", CRASH, str(tmp_path / "instance"), database_url,
                           str(tmp_path / "content"), moment], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == -9, done.stderr
    service = app.extensions["candor_search"]
    assert service.pending()  # the killed batch was not marked done
    service.apply_pending()
    assert service.backend.doc_ids() == expected_ids(app)
    assert len([i for i in service.backend.doc_ids() if i.startswith("thread:")]) == 17
    assert not service.pending()


CHURN = """
import sys, time
from pathlib import Path
from hub_api.search.documents import Document
from hub_api.search.whoosh_backend import WhooshBackend
def docs(n):
    return [Document("thread", str(i), f"Zebra question {i} {n}", "zebra body", "/q")
            for i in range(50)]
backend = WhooshBackend(Path(sys.argv[1]))
with backend.writer_lock(wait=True):
    backend.rebuild(iter(docs(0)))
    print("ready", flush=True)
    end, n = time.monotonic() + float(sys.argv[2]), 0
    while time.monotonic() < end:
        n += 1
        if n % 40 == 0:  # a whole new index folder swapped in, the old one removed
            backend.rebuild(iter(docs(n)))
        else:  # a small commit: Whoosh merges segments and deletes the superseded files
            backend.index_documents(docs(n)[n % 50:n % 50 + 3])
print(n, flush=True)
"""


def test_searchers_open_while_another_process_commits_and_swaps(tmp_path):
    """Every search sees one whole generation while another process commits, merges and
    swaps in rebuilt indexes: no missing file, no closed reader, never a partial count."""
    from hub_api.search.query import parse
    from hub_api.search.whoosh_backend import WhooshBackend

    churn = subprocess.Popen([sys.executable, "-c", CHURN, str(tmp_path), "6"], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    assert churn.stdout.readline() == "ready\n"
    kept = WhooshBackend(tmp_path)  # reopens its searcher when stale
    searches = 0
    while churn.poll() is None:
        fresh = WhooshBackend(tmp_path)  # opens the latest generation from scratch
        for backend in (kept, fresh):
            assert backend.search(parse("zebra")).total == 50
            searches += 1
    commits = int(churn.stdout.read())
    assert churn.returncode == 0 and commits > 40 and searches > 100


SERVER = """
import sys
from waitress import serve
from hub_api import create_app
# The load comes from one test address: no form token, no rate limit (tested elsewhere).
app = create_app({"FORM_TOKEN_REQUIRED": False, "RATELIMIT_ENABLED": False})
serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=4, ident="candor")
"""


def _request(port: int, method: str, path: str, body: str = "") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    conn.request(method, path, body=body or None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def test_four_server_processes_write_at_once(tmp_path, database_url):
    app = next(make_test_app(tmp_path, database_url))
    seed_people(app)
    signals.curated_picked.send(app, id=1)
    env = dict(os.environ, CANDOR_INSTANCE=str(tmp_path / "instance"),
               CANDOR_DATABASE_URL=database_url, CANDOR_SECRET_KEY="x",
               CANDOR_CONTENT=str(tmp_path / "content"), CANDOR_SITE=str(tmp_path / "site"),
               CANDOR_AUTO_BUILD="0")
    ports = [free_port() for _ in range(4)]
    logs = [open(tmp_path / f"server-{p}.log", "w+") for p in ports]
    servers = [subprocess.Popen([sys.executable, "-c", SERVER, str(p)], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
               for p, log in zip(ports, logs, strict=True)]
    try:
        deadline = time.monotonic() + 30
        for port in ports:
            while True:
                try:
                    if _request(port, "GET", "/healthz")[0] == 200:
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)

        def ask(n: int) -> int:
            body = urlencode({"display_name": "Pat", "title": f"Concurrent zebra question {n}",
                              "body": f"Load test body {n} about routers."})
            port = ports[n % 4]
            _request(port, "GET", "/search?q=zebra")
            return _request(port, "POST", "/ask", body)[0]

        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(ask, range(80)))
        assert statuses == [303] * 80
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            total = json.loads(_request(ports[0], "GET", "/api/v1/search?q=zebra")[1])["total"]
            if total == 80:
                break
            time.sleep(0.5)
        assert total == 80
    finally:
        for server in servers:
            server.terminate()
        for server, log in zip(servers, logs, strict=True):
            server.wait(10)
            log.close()
    output = "".join(Path(log.name).read_text() for log in logs)
    assert "LockError" not in output and "locked" not in output and "Traceback" not in output
    service = app.extensions["candor_search"]
    assert service.backend.doc_ids() == expected_ids(app)
    with session_scope(app.extensions["candor_engine"]) as session:
        assert session.scalar(select(func.count()).where(SearchOutbox.done_at.is_(None))) == 0


def test_search_reads_do_not_queue_behind_a_sqlite_writer(tmp_path):
    """Search's reads (pending entries, the vocabulary) begin DEFERRED: while another
    connection holds SQLite's write lock they answer at once instead of waiting for it."""
    import sqlite3

    from hub_api.migrate import upgrade
    from hub_api.search import synonyms

    url = f"sqlite:///{tmp_path / 'candor.db'}"
    upgrade(url)
    app = next(make_test_app(tmp_path, url))
    service = app.extensions["candor_search"]
    with session_scope(app.extensions["candor_engine"]) as session:
        synonyms.add(session, "PCB", "printed circuit board")
    writer = sqlite3.connect(tmp_path / "candor.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        start = time.monotonic()
        assert service.pending() == 0
        service.forget_synonyms()
        alternatives = service.parse("pcb").must[0].alternatives
        assert ("printed", "circuit", "board") in [tuple(a) for a in alternatives]
        assert time.monotonic() - start < 5  # the busy timeout is 30 s
    finally:
        writer.rollback()
        writer.close()


def test_a_big_rebuild_spread_over_workers_answers_like_one_writer(tmp_path, monkeypatch):
    """Worker processes each write a segment; the index finds and counts what one writer's
    does, and a worker that fails leaves the live index as it was, with its reason."""
    from hub_api.search import whoosh_rebuild
    from hub_api.search.documents import Document
    from hub_api.search.query import parse
    from hub_api.search.whoosh_backend import WhooshBackend

    rng = random.Random(11)
    docs = [Document("thread", str(i), " ".join(rng.choices(WORDS, k=5)),
                     " ".join(rng.choices(WORDS, k=rng.randint(1, 40))), f"/q/{i}")
            for i in range(600)]
    serial, parallel = WhooshBackend(tmp_path / "serial"), WhooshBackend(tmp_path / "parallel")
    with serial.writer_lock(wait=True):
        serial.rebuild(iter(docs))
    monkeypatch.setattr(whoosh_rebuild, "PARALLEL_FROM", 100)
    with parallel.writer_lock(wait=True):
        parallel.rebuild(iter(docs))
    assert len(serial._searcher().leaf_searchers()) == 1
    segments = parallel._searcher().leaf_searchers()
    assert len(segments) == whoosh_rebuild.workers_available() >= 2
    assert sum(s.doc_count() for s, _ in segments) == 600
    assert not (parallel.link.resolve() / "MAIN.tmp").exists()

    def everything(backend, q):
        first = backend.search(parse(q))
        return first.total, {h.doc_id for p in range(1, first.pages + 1)
                             for h in backend.search(parse(q), (), p).hits}

    for q in ["vpn", "router -cable", '"rack vpn"', "price warranty", "vpn router switch"]:
        total, found = everything(serial, q)
        assert 0 < total == len(found)
        assert everything(parallel, q) == (total, found)

    live = parallel.link.resolve()
    with parallel.writer_lock(wait=True), \
            pytest.raises(RuntimeError, match="an indexing worker failed: .*"):
        parallel.rebuild(iter(docs + [Document("thread", "x", 123, "not text", "/")]))
    assert parallel.link.resolve() == live
    assert sorted(p.name for p in parallel.instance.glob("index-*")) == [live.name]
    assert everything(parallel, "vpn") == everything(serial, "vpn")


def test_the_postgres_index_is_written_by_the_leader_alone(request, tmp_path):
    """Two processes' apps on one PostgreSQL: the one that does not lead leaves its changes in
    the search outbox; the leader applies them, and a reindex asked of the other is handed to
    the leader through the outbox (``effects/leader.py`` elects that one writer)."""
    import threading
    from contextlib import contextmanager

    from hub_api.effects.leader import leader
    from hub_api.search.query import parse
    from tests.conftest import _database

    with contextmanager(_database)(request, tmp_path, "postgresql") as url, \
            contextmanager(make_test_app)(tmp_path / "a", url, SEARCH_BACKEND="postgres") as a, \
            contextmanager(make_test_app)(tmp_path / "b", url, SEARCH_BACKEND="postgres") as b:
        seed_people(a)
        search_a, search_b = a.extensions["candor_search"], b.extensions["candor_search"]
        assert leader(a).try_acquire()  # A's scheduler leads
        stop = threading.Event()

        def leading():  # A's job: apply the outbox every moment
            while not stop.wait(0.2):
                search_a.apply_pending()
        try:
            add_thread(b, "Leader-only zanzibar question", "Who writes the index?")
            assert search_b.pending()  # B committed it; B may not write it
            assert search_b.backend.search(parse("zanzibar")).total == 0
            assert search_a.apply_pending() >= 1
            assert search_b.backend.search(parse("zanzibar")).total == 1
            with session_scope(b.extensions["candor_engine"]) as session:
                session.get(Question, 1).title = "Leader-only quokka question"
            job = threading.Thread(target=leading)
            job.start()
            assert search_b.reindex() == len(expected_ids(b))
            assert search_b.backend.doc_ids() == expected_ids(b)
            assert search_b.backend.search(parse("quokka")).total == 1
            assert not search_b.pending()
        finally:
            stop.set()
            leader(a).release()
        assert search_b.apply_pending() == 0  # no leader now: B may write (nothing is left)
