"""Search benchmark: Candor's Whoosh and PostgreSQL backends against SQLite FTS5, one run.

1. The real beer.stackexchange.com sample (imported with `candor import stackexchange`).
2. A generated corpus (default 100,000 posts) drawn from the beer sample's own vocabulary.
For each: index throughput (posts/s) and query latency p50/p95 for 200 queries with
highlighted titles and snippets, beside FTS5 (C speed; porter stemmer, bm25, snippet()) on
the same documents, with the ratio; the PostgreSQL backend (in a database of its own on
``--pg``, dropped afterwards; skipped with a note when the server is unreachable) on the
same documents too. Also the full `candor reindex` of the beer sample (documents built
from the database). Then requests/s of /search under load from a separate waitress process
whose searcher stays open between requests. Loopback only, bounded runs.

    python bench/search.py [--posts 100000] [--queries 200] [--seconds 6] [--concurrency 8]
                           [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test] [--no-load]

``--no-load`` leaves out the load part (a shorter run when only query latency is wanted).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import (
    free_port,
    instance_env,
    percentile,
    python_load,
    start_server,
    stop_server,  # noqa: E402
    wait_ready,
)
from sqlalchemy import create_engine, text  # noqa: E402

from hub_api import create_app  # noqa: E402
from hub_api.db import make_engine, session_scope  # noqa: E402
from hub_api.migrate import upgrade  # noqa: E402
from hub_api.search.documents import Document, all_documents  # noqa: E402
from hub_api.search.postgres_backend import PostgresBackend  # noqa: E402
from hub_api.search.query import STOP_WORDS, parse  # noqa: E402
from hub_api.search.whoosh_backend import WhooshBackend  # noqa: E402
from hub_api.stackexchange import import_posts  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BEER = Path("/work/shared/data/stackexchange/beer-Posts.xml")
SERVER = ("import sys; from waitress import serve; from hub_api import create_app; "
          "serve(create_app(), host='127.0.0.1', port=int(sys.argv[1]), threads=8)")


def fts5_index(docs: list[Document]) -> tuple[sqlite3.Connection, float]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='porter')")
    start = time.perf_counter()
    with db:
        db.executemany("INSERT INTO docs(title, body) VALUES (?, ?)",
                       ((d.title, d.body) for d in docs))
    return db, time.perf_counter() - start


def fts5_query(db: sqlite3.Connection, q: str) -> list:
    match = " ".join(f'"{w}"' for w in q.split())
    return db.execute(
        "SELECT rowid, highlight(docs, 0, '<mark>', '</mark>'), "
        "snippet(docs, 1, '<mark>', '</mark>', ' … ', 30) FROM docs WHERE docs MATCH ? "
        "ORDER BY bm25(docs, 3.0, 1.0) LIMIT 10", (match,)).fetchall()


def latencies(run, queries: list[str]) -> dict:
    for q in queries[:10]:  # warm caches, as a running server would be
        run(q)
    times = []
    for q in queries:
        start = time.perf_counter()
        run(q)
        times.append(time.perf_counter() - start)
    times.sort()
    return {"p50_ms": percentile(times, 50) * 1000, "p95_ms": percentile(times, 95) * 1000}


def vocabulary(docs: list[Document]) -> list[tuple[str, int]]:
    counts = Counter(w for d in docs for w in re.findall(r"[a-z]{3,}", (d.title + " " + d.body)
                                                         .lower()) if w not in STOP_WORDS)
    return counts.most_common(5000)


def make_queries(vocab: list[tuple[str, int]], n: int, rng: random.Random) -> list[str]:
    """One or two words from the mid-frequency band: what people type, not "the"."""
    band = [w for w, _ in vocab[20:1500]]
    return [" ".join(rng.sample(band, rng.choice([1, 1, 2]))) for _ in range(n)]


def generated(vocab: list[tuple[str, int]], n: int, rng: random.Random) -> list[Document]:
    words, weights = zip(*vocab, strict=True)
    docs = []
    for i in range(n):
        title = " ".join(rng.choices(words, weights, k=rng.randint(5, 10)))
        body = " ".join(rng.choices(words, weights, k=rng.randint(30, 120)))
        docs.append(Document("thread", str(i), title.capitalize() + "?", body, f"/q/{i}"))
    return docs


def postgres(admin_url: str, name: str) -> PostgresBackend | None:
    """A fresh database ``name`` with Candor's schema, or None (and why) when unreachable."""
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:  # any driver error: the rest of the benchmark still runs
        print(f"PostgreSQL skipped: {str(exc).splitlines()[0]}")
        return None
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return PostgresBackend(make_engine(url))


def drop_postgres(backend: PostgresBackend, admin_url: str) -> None:
    name = backend.engine.url.database
    backend.engine.dispose()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def timed_rebuild(backend, docs: list[Document]) -> float:
    with backend.writer_lock(wait=True):
        start = time.perf_counter()
        backend.rebuild(iter(docs))
        return time.perf_counter() - start


def compare(label: str, docs: list[Document], queries: list[str], folder: Path,
            pg: PostgresBackend | None, posts: int | None = None) -> None:
    """``posts``: how many posts the documents hold (a thread is a question and its answers)."""
    posts = posts or len(docs)
    backend = WhooshBackend(folder)
    whoosh_s = timed_rebuild(backend, docs)
    db, fts_s = fts5_index(docs)
    w = latencies(lambda q: backend.search(parse(q), (), 1), queries)
    f = latencies(lambda q: fts5_query(db, q), queries)
    print(f"\n{label}: {posts:,} posts in {len(docs):,} documents, {len(queries)} queries "
          "with highlights")
    print(f"  index   Whoosh {posts / whoosh_s:10,.0f} posts/s   FTS5 {posts / fts_s:10,.0f}"
          f" posts/s   (FTS5 {whoosh_s / fts_s:.1f}x faster)")
    print(f"  query   Whoosh p50 {w['p50_ms']:6.2f} ms  p95 {w['p95_ms']:6.2f} ms   "
          f"FTS5 p50 {f['p50_ms']:6.2f} ms  p95 {f['p95_ms']:6.2f} ms   "
          f"p95 ratio {w['p95_ms'] / max(f['p95_ms'], 1e-6):.1f}x")
    if pg is not None:
        pg_s = timed_rebuild(pg, docs)
        p = latencies(lambda q: pg.search(parse(q), (), 1), queries)
        print(f"  PostgreSQL FTS: index {posts / pg_s:10,.0f} posts/s   "
              f"query p50 {p['p50_ms']:6.2f} ms  p95 {p['p95_ms']:6.2f} ms   "
              f"p95 ratio to FTS5 {p['p95_ms'] / max(f['p95_ms'], 1e-6):.1f}x")


def reindex(app) -> None:
    """``candor reindex`` as run: documents built from the database, then indexed."""
    service = app.extensions["candor_search"]
    start = time.perf_counter()
    count = service.reindex()
    took = time.perf_counter() - start
    print(f"\ncandor reindex of the beer sample: {count:,} documents in {took:.1f} s "
          f"({count / took:,.0f} documents/s, database reads included)")


def load(tmp: Path, queries: list[str], seconds: float, concurrency: int) -> None:
    port = free_port()
    env = instance_env(tmp, port)
    env["CANDOR_SECRET_KEY"] = "bench"
    log = tmp / "server.log"
    proc = start_server([sys.executable, "-c", SERVER, str(port)], env, log)
    try:
        wait_ready(proc, port, "/healthz", log)
        runs = []
        for q in queries[:3]:
            path = "/search?q=" + q.replace(" ", "+")
            runs.append(python_load(port, path, seconds, concurrency))
        rps = statistics.median(r["rps"] for r in runs)
        p50 = statistics.median(r["p50_ms"] for r in runs)
        errors = sum(r["errors"] for r in runs)
        print(f"\n/search under load ({concurrency} clients, waitress 8 threads, 1 process, "
              f"{seconds:.0f} s x 3 queries): {rps:,.0f} requests/s, p50 {p50:.1f} ms, "
              f"{errors} errors")
    finally:
        stop_server(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--no-load", action="store_true", help="skip /search under load")
    parser.add_argument("--pg", default=os.environ.get(
        "CANDOR_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="an existing database to connect to; the benchmark's own is made beside it")
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="candor-bench-search-") as name:
        tmp = Path(name)
        (tmp / "content").mkdir()
        url = f"sqlite:///{tmp / 'instance' / 'candor.db'}"
        upgrade(url)
        app = create_app({"INSTANCE": tmp / "instance", "DATABASE_URL": url,
                          "SECRET_KEY": "bench", "CONTENT": tmp / "content", "AUTO_BUILD": False,
                          "SEARCH_SYNC": True})
        engine = app.extensions["candor_engine"]
        counts = import_posts(engine, BEER, "beer.stackexchange.com")
        with session_scope(engine) as session:
            beer = list(all_documents(session, tmp / "content"))
        print(f"beer sample: {counts.questions:,} questions + {counts.answers:,} answers "
              f"-> {len(beer):,} thread documents")
        vocab = vocabulary(beer)
        queries = make_queries(vocab, args.queries, rng)
        reindex(app)
        pg = postgres(args.pg, f"candor_bench_search_{os.getpid()}")
        try:
            compare("Real beer sample (a thread = a question and its answers)", beer, queries,
                    tmp / "bench-beer", pg, posts=counts.questions + counts.answers)
            compare("Generated corpus", generated(vocab, args.posts, rng), queries,
                    tmp / "bench-generated", pg)
        finally:
            if pg is not None:
                drop_postgres(pg, args.pg)
        if not args.no_load:
            load(tmp, queries, args.seconds, args.concurrency)


if __name__ == "__main__":
    main()
