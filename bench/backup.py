"""Backup and restore benchmark on a big generated hub, one run.

Generates a hub of N questions (default 10,000), each answered once by one of 20 staff, with
the repository's content folder, on SQLite (or PostgreSQL with ``--pg URL``: a database of its
own, dropped afterwards). Then, median of ``--runs``:

- ``candor backup`` (in process: the online copy, checksums, gzip) and the archive's size;
- a reference in the same run: the database file copied and tar-gzipped with the content
  folder as a plain offline backup would (SQLite only), and the ratio;
- the core of ``candor restore`` into an empty instance (verify every byte, load, migrate);
- with ``--full``, once: the whole ``candor restore`` command (plus reindex and full build).

    python bench/backup.py [--questions 10000] [--runs 3] [--full] [--pg URL]
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import statistics
import sys
import tarfile
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub_api import create_app  # noqa: E402
from hub_api.db import make_engine, session_scope  # noqa: E402
from hub_api.migrate import upgrade  # noqa: E402
from hub_api.models import Answer, Question  # noqa: E402
from hub_api.operations.backup import make_backup  # noqa: E402
from hub_api.operations.restore import restore  # noqa: E402
from hub_api.staff.people import add_person, add_topic  # noqa: E402

WORDS = ("switch router firmware warehouse roaming latency pcb supplier lead time datasheet "
         "antenna throughput vlan poe budget licence support contract rollout pilot").split()


def generate(url: str, questions: int) -> None:
    upgrade(url)
    engine = make_engine(url)
    rnd = __import__("random").Random(7)
    with session_scope(engine) as session:
        for t in range(5):
            add_topic(session, f"Topic {t}", f"topic-{t}")
        session.flush()
        for p in range(20):
            add_person(session, name=f"Staff {p}", email=f"staff{p}@example.com",
                       password="bench-password", job_title="Engineer", roles="staff",
                       topics=[f"topic-{p % 5}"])
    start = datetime(2025, 1, 1)
    with engine.begin() as conn:
        person_ids = [r[0] for r in conn.execute(text("SELECT id FROM persons ORDER BY id"))]
        topic_ids = [r[0] for r in conn.execute(text("SELECT id FROM topics ORDER BY id"))]
        for first in range(0, questions, 5000):
            n = min(5000, questions - first)
            rows, answers = [], []
            for i in range(first, first + n):
                words = " ".join(rnd.choice(WORDS) for _ in range(60))
                when = start + timedelta(minutes=7 * i)
                rows.append({"id": i + 1, "title": f"Question {i}: {words[:80]}?",
                             "body": words, "body_html": f"<p>{words}</p>",
                             "display_name": f"Asker {i}", "topic_id": rnd.choice(topic_ids),
                             "manage_token_hash": secrets.token_hex(32), "status": "answered",
                             "created_at": when, "hold_reason": ""})
                answers.append({"question_id": i + 1, "person_id": rnd.choice(person_ids),
                                "body": words, "body_html": f"<p>{words}</p>",
                                "created_at": when + timedelta(hours=2), "hidden_reason": ""})
            conn.execute(insert(Question.__table__), rows)
            conn.execute(insert(Answer.__table__), answers)
        if not url.startswith("sqlite"):
            conn.execute(text("SELECT setval('questions_id_seq', :n)"), {"n": questions})
    engine.dispose()


def config(root: Path, url: str) -> dict:
    content = root / "content"
    if not content.exists():
        shutil.copytree(ROOT / "content", content)
    return {"INSTANCE": root / "instance", "DATABASE_URL": url, "CONTENT": content,
            "SITE": root / "site", "SECRET_KEY": "bench", "AUTO_BUILD": False}


def reference(cfg: dict, out: Path) -> float:
    """A plain offline backup: copy the database file, tar-gzip it with the content."""
    started = time.perf_counter()
    db = Path(cfg["DATABASE_URL"].removeprefix("sqlite:///"))
    copy = out / "copy.db"
    shutil.copyfile(db, copy)
    with tarfile.open(out / "plain.tar.gz", "w:gz", compresslevel=6) as tar:
        tar.add(copy, "candor.db")
        tar.add(cfg["CONTENT"], "content")
    return time.perf_counter() - started


def fresh_pg(admin_url: str) -> tuple[str, callable]:
    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"candor_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return admin_url.rsplit("/", 1)[0] + f"/{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--pg", help="PostgreSQL admin URL, e.g. "
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="candor-bench-backup-"))
    drops = []
    try:
        def url_for(name: str) -> str:
            if args.pg:
                url, drop = fresh_pg(args.pg)
                drops.append(drop)
                return url
            return f"sqlite:///{tmp / name / 'instance' / 'candor.db'}"

        source = config(tmp / "source", url_for("source"))
        started = time.perf_counter()
        generate(source["DATABASE_URL"], args.questions)
        print(f"hub: {args.questions:,} questions and answers, "
              f"{'PostgreSQL' if args.pg else 'SQLite'} (generated in "
              f"{time.perf_counter() - started:.1f}s)")
        if not args.pg:
            size = Path(source["DATABASE_URL"].removeprefix("sqlite:///")).stat().st_size
            print(f"database file: {size / 1e6:.1f} MB")
        backups, refs, restores = [], [], []
        result = None
        for run in range(args.runs):
            out = tmp / f"backups-{run}"
            result = make_backup(source, to=out)
            backups.append(result.seconds)
            if not args.pg:
                refs.append(reference(source, out))
            target = config(tmp / f"target-{run}", url_for(f"target-{run}"))
            upgrade(target["DATABASE_URL"])  # an instance after `candor init`
            started = time.perf_counter()
            restore(target, result.path)
            restores.append(time.perf_counter() - started)
        print(f"candor backup: median {statistics.median(backups):.2f}s over {args.runs} runs; "
              f"archive {result.size / 1e6:.1f} MB")
        if refs:
            plain = (tmp / "backups-0" / "plain.tar.gz").stat().st_size
            ratio = statistics.median(backups) / statistics.median(refs)
            print(f"reference (file copy + tar.gz): median {statistics.median(refs):.2f}s, "
                  f"{plain / 1e6:.1f} MB; ratio {ratio:.2f}")
        print(f"restore (verify + load + migrate): median {statistics.median(restores):.2f}s")
        if args.full:
            target = config(tmp / "full", url_for("full"))
            upgrade(target["DATABASE_URL"])
            app = create_app({**target, "TESTING": True})
            started = time.perf_counter()
            outcome = app.test_cli_runner().invoke(args=["restore", "--force", str(result.path)])
            assert outcome.exit_code == 0, outcome.output
            print(f"candor restore (+ reindex + full build): {time.perf_counter() - started:.1f}s")
            app.extensions["candor_engine"].dispose()
    finally:
        for drop in drops:
            drop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
