"""kill -9 of ``candor serve`` during asks, answers and rebuilds, many rounds, on SQLite or
PostgreSQL (``tests/test_crash.py`` runs a few rounds on SQLite).

Each round starts the server on one instance, asks and answers through the API from several
addresses while the site rebuilds, and kills it with SIGKILL after a random moment. At the end
a last server drains what was left, and the script checks: every acknowledged question and
answer is stored, the database is intact (SQLite's ``integrity_check``), the outbox is empty,
each acknowledged question got exactly one routing mail (by Message-ID; a repeat with the same
id counts as one), and the ``site`` link points at a complete build.

    python bench/crash.py [--rounds 30] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
SERVE = "from hub_api.cli import main; main()"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class Box:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook
        from email import message_from_bytes
        from email.policy import default

        message = message_from_bytes(envelope.content, policy=default)
        self.messages.append((message["Subject"], message["Message-ID"]))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, headers=None, source="127.0.0.1"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20, source_address=(source, 0))
    conn.request(method, path, json.dumps(body) if body is not None else None,
                 {"Content-Type": "application/json", **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def cli(env: dict, *args: str) -> str:
    return subprocess.run([sys.executable, "-c", SERVE, *args], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True, input="").stdout


def serve(env: dict, log) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVE, "serve", "--port", str(port)],
                            env=env, cwd=ROOT, stdout=log, stderr=log)
    for _ in range(900):
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return proc, port
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    box = Box()
    smtp = Controller(box, hostname="127.0.0.1", port=free_port())
    smtp.start()
    with tempfile.TemporaryDirectory(prefix="candor-crash-") as name:
        tmp = Path(name)
        url, drop = database_url(args.database, tmp)
        env = {**os.environ, "CANDOR_DATABASE_URL": url, "CANDOR_INSTANCE": str(tmp / "instance"),
               "CANDOR_SECRET_KEY": "crash", "CANDOR_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
               "CANDOR_SITE": str(tmp / "site"), "CANDOR_BUILD_DEBOUNCE": "0.1"}
        try:
            cli(env, "init")
            cli(env, "topic", "add", "Networking")
            cli(env, "staff", "add", "--name", "Dana Ortiz", "--email", "dana@example.com",
                "--title", "Engineer", "--roles", "staff,admin", "--topics", "networking",
                "--password", "crash-password-1")
            token = cli(env, "staff", "token", "dana@example.com").strip().splitlines()[-1]
            asked: dict[int, str] = {}
            answered: set[int] = set()
            log = open(tmp / "serve.log", "wb")  # noqa: SIM115
            for round_ in range(args.rounds):
                proc, port = serve(env, log)
                stop = threading.Event()

                def load(port=port, round_=round_, stop=stop) -> None:
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
                            status, body = request(port, "POST", f"/api/v1/questions/{qid}/answers",
                                                   {"body": "Yes."},
                                                   {"Authorization": f"Bearer {token}"})
                            if status == 201:
                                answered.add(json.loads(body)["id"])
                        except OSError:
                            return
                worker = threading.Thread(target=load)
                worker.start()
                time.sleep(random.uniform(0.5, 3.0))
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)
                stop.set()
                worker.join(30)
                print(f"round {round_ + 1}/{args.rounds}: {len(asked)} asks and "
                      f"{len(answered)} answers acknowledged so far", flush=True)
            proc, port = serve(env, log)
            deadline = time.monotonic() + 120
            while query(url, "SELECT count(*) FROM effects WHERE done_at IS NULL")[0][0]:
                if time.monotonic() > deadline:
                    raise SystemExit("the outbox did not drain within 120 s")
                time.sleep(0.5)
            time.sleep(3)  # the last build
            proc.send_signal(signal.SIGTERM)
            proc.wait(20)
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
            missing = [t for t in asked.values() if not ids.get(t)]
            doubled = [t for t in asked.values() if len(ids.get(t, ())) > 1]
            site_ok = (Path(env["CANDOR_SITE"]).resolve() / "index.html").is_file()
        finally:
            drop()
            smtp.stop()
    print(f"\n{args.rounds} rounds of kill -9 on {args.database}: {len(asked)} asks and "
          f"{len(answered)} answers acknowledged; lost {len(lost)}; integrity {integrity}; "
          f"routing mails missing {len(missing)}, doubled {len(doubled)}; site complete "
          f"{site_ok}")
    if lost or missing or doubled or integrity not in ("ok", "n/a") or not site_ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
