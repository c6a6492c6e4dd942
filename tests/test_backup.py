"""Backup and restore for real: SQLite and PostgreSQL, writes during the backup, every table and
every built page compared, damaged archives refused before anything changes."""

from __future__ import annotations

import gzip
import io
import json
import os
import stat
import tarfile
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, text

from hub_api.db import Base, make_engine, session_scope
from hub_api.demo import load_demo
from hub_api.effects.jobs import scheduler
from hub_api.effects.webhooks import add_endpoint
from hub_api.migrate import upgrade
from hub_api.models import Question, SearchOutbox, Setting
from hub_api.operations import archive, records
from hub_api.operations.backup import backup_if_due, make_backup
from hub_api.site.builder import build_site

from .conftest import PG_ADMIN_URL, ask, built_pages, make_test_app, need_service


@pytest.fixture(params=["sqlite", "postgresql"])
def two_databases(request, tmp_path):
    """A source and an empty target database of one kind (fresh PostgreSQL databases)."""
    if request.param == "sqlite":
        yield (f"sqlite:///{tmp_path / 'a' / 'instance' / 'candor.db'}",
               f"sqlite:///{tmp_path / 'b' / 'instance' / 'candor.db'}")
        return
    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    names = [f"candor_ops_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    try:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 — no server
        admin.dispose()
        need_service("PostgreSQL", str(exc).splitlines()[0])
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield tuple(f"{base}/{name}" for name in names)
    with admin.connect() as conn:
        for name in names:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _app(root: Path, url: str, **extra):
    upgrade(url)
    gen = make_test_app(root, url, **extra)
    return gen, next(gen)


def _fill(app) -> None:
    """Every kind of data: the demo company, asks with e-mail (mail on), a webhook, an admin."""
    from hub_api.staff.people import add_person

    engine = app.extensions["candor_engine"]
    with app.app_context(), session_scope(engine) as session:
        load_demo(session)
        add_endpoint(session, "https://crm.example.com/hook", "question.asked")
    client = app.test_client()
    for i in range(3):
        ask(client, title=f"Backup question {i}?", email=f"asker{i}@example.com")
    with app.app_context():
        with session_scope(engine) as session:
            add_person(session, name="Ops Person", email="ops@example.com",
                       password="ops person long passphrase", job_title="SRE", roles="admin",
                       topics=[])


def _tables(url: str) -> dict[str, list]:
    """Every row of every table, in key order (facts recorded about operations aside)."""
    engine = make_engine(url)
    rows = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if not (table.name == "search_outbox"
                                                        and c.name == "done_at")]
            query = select(*columns).order_by(*table.primary_key.columns)
            if table.name == "settings":
                query = query.where(~table.c.key.startswith("ops:"))
            rows[table.name] = [tuple(r) for r in conn.execute(query)]
    engine.dispose()
    return rows


def test_round_trip_restores_every_table_and_page(tmp_path, two_databases, smtp):
    url_a, url_b = two_databases
    gen_a, a = _app(tmp_path / "a", url_a, SMTP_URL=smtp.url)
    _fill(a)
    (tmp_path / "a" / "content" / "curated" / "picked.md").write_text(
        "Title: A pick\nDate: 2025-01-01\n\nPicked words.\n")
    build_site(a.config, full=True)
    source_id = a.test_client().get("/readyz").json["instance"]
    result = a.test_cli_runner().invoke(args=["backup", "--to", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    assert "Copying the database (" in result.output
    archive_path = next((tmp_path / "backups").glob("candor-backup-*.tar.gz"))
    manifest = archive.read(archive_path)
    assert manifest["database"]["kind"] == url_a.split(":")[0].split("+")[0]
    assert "content/curated/picked.md" in manifest["files"]
    assert "instance/secret_key" not in manifest["files"]
    assert manifest["includes_secrets"] is False

    gen_b, b = _app(tmp_path / "b", url_b)
    result = b.test_cli_runner().invoke(args=["restore", str(archive_path)])
    assert result.exit_code == 0, result.output
    assert _tables(url_a) == _tables(url_b)
    # The source's operations record stays behind: the restored hub is another instance.
    assert b.test_client().get("/readyz").json["instance"] != source_id
    assert (tmp_path / "b" / "content" / "curated" / "picked.md").is_file()
    pages_a, pages_b = built_pages(tmp_path / "a" / "site"), built_pages(tmp_path / "b" / "site")
    assert pages_a.keys() == pages_b.keys()
    assert [k for k in pages_a if pages_a[k] != pages_b[k]] == []
    # The restored hub answers searches from its rebuilt index.
    hits = b.test_client().get("/search?q=warehouse")
    assert hits.text.count('class="search-hit') >= 2, hits.text

    # A second restore into the now-filled instance is refused without --force…
    again = b.test_cli_runner().invoke(args=["restore", str(archive_path)])
    assert again.exit_code == 1 and "already holds data" in again.output
    # … and replaces it with --force.
    forced = b.test_cli_runner().invoke(args=["restore", "--force", str(archive_path)])
    assert forced.exit_code == 0, forced.output
    assert _tables(url_a) == _tables(url_b)
    for gen in (gen_a, gen_b):
        gen.close()


def test_backup_while_four_clients_write_is_a_point_in_time(tmp_path, two_databases, smtp):
    url_a, url_b = two_databases
    # As `candor serve` runs: the job scheduler's leader carries out effects in its own
    # thread while the four clients write and the backups run.
    gen_a, a = _app(tmp_path / "a", url_a, RATELIMIT_ENABLED=False, SMTP_URL=smtp.url,
                    EFFECTS_SYNC=False)
    _fill(a)
    scheduler(a).start()
    with session_scope(a.extensions["candor_engine"]) as session:
        before = set(session.scalars(select(Question.id)))
    stop, errors, written = threading.Event(), [], []

    def writer(n: int) -> None:
        client = a.test_client()
        i = 0
        while not stop.is_set():
            i += 1
            r = client.post("/ask", data={"display_name": f"W{n}", "title": f"Writer {n} #{i}?",
                                          "body": f"Concurrent write {n}-{i} with some words."})
            (written if r.status_code == 303 else errors).append(r.status_code)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    try:
        while len(written) < 8 and not errors:
            stop.wait(0.05)
        results = [make_backup(a.config, a.extensions["candor_engine"], to=tmp_path / "bk")
                   for _ in range(2)]
    finally:
        stop.set()
        for t in threads:
            t.join(30)
        scheduler(a).stop()
    assert errors == []
    assert len(written) >= 8
    gen_b, b = _app(tmp_path / "b", url_b)
    result = b.test_cli_runner().invoke(args=["restore", str(results[-1].path)])
    assert result.exit_code == 0, result.output
    engine = make_engine(url_b)
    with session_scope(engine) as session:
        restored = session.scalars(select(Question.id)).all()
        indexed = {int(r) for r in session.scalars(
            select(SearchOutbox.ref).where(SearchOutbox.kind == "thread"))}
    engine.dispose()
    # Each question came with its outbox entry in one transaction: both or neither.
    assert set(restored) <= indexed
    new = sorted(set(restored) - before)
    assert before <= set(restored)
    assert 8 <= len(new) <= len(written)
    if url_a.startswith("sqlite"):  # ids follow commit order there: a prefix was copied
        assert new == list(range(new[0], new[0] + len(new)))
    for gen in (gen_a, gen_b):
        gen.close()


@pytest.fixture
def sqlite_hub(tmp_path, smtp):
    url = f"sqlite:///{tmp_path / 'a' / 'instance' / 'candor.db'}"
    gen, app = _app(tmp_path / "a", url, SMTP_URL=smtp.url)
    _fill(app)
    yield app
    gen.close()


def _rewrite(src: Path, dst: Path, change) -> None:
    """Copy a backup, letting ``change(name, data)`` alter members (None drops one)."""
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dst, "w:gz") as tout:
        for info in tin:
            data = tin.extractfile(info).read()
            data = change(info.name, data)
            if data is None:
                continue
            info.size = len(data)
            tout.addfile(info, io.BytesIO(data))


def test_damaged_archives_are_refused_and_change_nothing(tmp_path, sqlite_hub):
    good = make_backup(sqlite_hub.config, sqlite_hub.extensions["candor_engine"],
                       to=tmp_path / "bk").path
    raw = good.read_bytes()
    cases = {}
    cases["truncated"] = tmp_path / "truncated.tar.gz"
    cases["truncated"].write_bytes(raw[: len(raw) // 2])
    cases["changed"] = tmp_path / "changed.tar.gz"
    _rewrite(good, cases["changed"], lambda n, d: d.replace(b"Wi-Fi", b"Wi-Fo")
             if n.startswith("content/") else d)
    cases["missing"] = tmp_path / "missing.tar.gz"
    _rewrite(good, cases["missing"], lambda n, d: None if n.endswith("about.md") else d)
    cases["extra"] = tmp_path / "extra.tar.gz"
    _rewrite(good, cases["extra"], lambda n, d: d)
    with tarfile.open(cases["extra"], "r:gz") as t:
        members = [(i, t.extractfile(i).read()) for i in t]
    with tarfile.open(cases["extra"], "w:gz") as t:
        evil = tarfile.TarInfo("content/evil.md")
        evil.size = 4
        t.addfile(evil, io.BytesIO(b"evil"))
        for info, data in members:
            t.addfile(info, io.BytesIO(data))
    cases["escape"] = tmp_path / "escape.tar.gz"
    with tarfile.open(cases["escape"], "w:gz") as t:
        info = tarfile.TarInfo("../outside.md")
        info.size = 1
        t.addfile(info, io.BytesIO(b"x"))
    cases["not gzip"] = tmp_path / "plain.tar.gz"
    cases["not gzip"].write_bytes(b"hello")
    cases["empty"] = tmp_path / "empty.tar.gz"
    cases["empty"].write_bytes(gzip.compress(b""))
    cases["no manifest"] = tmp_path / "nomanifest.tar.gz"
    _rewrite(good, cases["no manifest"], lambda n, d: None if n == "manifest.json" else d)
    expect = {"truncated": "truncated or damaged", "changed": "does not match its checksum",
              "missing": "missing from the archive", "extra": "not in its manifest",
              "escape": "outside the archive", "not gzip": "truncated or damaged",
              "empty": "truncated or damaged", "no manifest": "no manifest"}

    url_b = f"sqlite:///{tmp_path / 'b' / 'instance' / 'candor.db'}"
    gen_b, b = _app(tmp_path / "b", url_b)
    content_b = tmp_path / "b" / "content"
    before = _tables(url_b), {p: p.read_bytes() for p in content_b.rglob("*") if p.is_file()}
    for case, path in cases.items():
        result = b.test_cli_runner().invoke(args=["restore", str(path)])
        assert result.exit_code == 1, (case, result.output)
        assert expect[case] in result.output, (case, result.output)
        assert "Traceback" not in result.output
        after = _tables(url_b), {p: p.read_bytes() for p in content_b.rglob("*") if p.is_file()}
        assert after == before, case
        assert not (tmp_path / "outside.md").exists()
        assert [p for p in (tmp_path / "b" / "instance").iterdir()
                if p.name.startswith(".candor-restore")] == []
    gen_b.close()


def test_secrets_only_when_asked_and_said_loudly(tmp_path, sqlite_hub, monkeypatch):
    monkeypatch.setenv("CANDOR_SMTP_URL", "smtp://mailer:hunter2@127.0.0.1:25")
    runner = sqlite_hub.test_cli_runner()
    plain = runner.invoke(args=["backup", "--to", str(tmp_path / "plain")])
    assert plain.exit_code == 0 and "WARNING" not in plain.output
    secret = runner.invoke(args=["backup", "--to", str(tmp_path / "secret"),
                                 "--include-secrets"])
    assert secret.exit_code == 0 and "WARNING: --include-secrets" in secret.output

    def member(folder: str, name: str) -> bytes | None:
        path = next((tmp_path / folder).glob("*.tar.gz"))
        with tarfile.open(path) as t:
            try:
                return t.extractfile(name).read()
            except KeyError:
                return None

    assert member("plain", "instance/secret_key") is None
    settings = json.loads(member("plain", "instance/settings.json"))
    assert settings["CANDOR_SMTP_URL"] == "smtp://mailer:***@127.0.0.1:25"
    assert b"hunter2" not in next((tmp_path / "plain").glob("*.tar.gz")).read_bytes()
    assert member("secret", "instance/secret_key") == b"test-secret"
    assert "hunter2" in json.loads(member("secret", "instance/settings.json"))["CANDOR_SMTP_URL"]
    path = next((tmp_path / "secret").glob("*.tar.gz"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds personal data

    # Restored with its secret: the new instance signs sessions with the old key; the
    # settings the old hub ran with are listed where this environment lacks them.
    url_b = f"sqlite:///{tmp_path / 'b' / 'instance' / 'candor.db'}"
    gen_b, b = _app(tmp_path / "b", url_b)
    monkeypatch.delenv("CANDOR_SMTP_URL")
    restored_output = b.test_cli_runner().invoke(args=["restore", str(path)])
    assert restored_output.exit_code == 0, restored_output.output
    assert "  CANDOR_SMTP_URL=smtp://mailer:hunter2@127.0.0.1:25" in restored_output.output
    restored = tmp_path / "b" / "instance" / "secret_key"
    assert restored.read_text() == "test-secret"
    assert stat.S_IMODE(restored.stat().st_mode) == 0o600
    gen_b.close()


def test_scheduled_backups_keep_the_newest(tmp_path):
    url = f"sqlite:///{tmp_path / 'a' / 'instance' / 'candor.db'}"
    gen, app = _app(tmp_path / "a", url, BACKUP_EVERY="1d", BACKUP_KEEP=2,
                    BACKUP_DIR=str(tmp_path / "kept"))
    assert "backup" in scheduler(app).jobs
    engine = app.extensions["candor_engine"]
    scheduler(app).run_due()
    assert len(list((tmp_path / "kept").glob("*.tar.gz"))) == 1
    assert backup_if_due(app) is None  # not due again within a day
    for _ in range(3):
        with session_scope(engine) as session:  # pretend the last one is two days old
            row = session.get(Setting, records.BACKUP)
            value = json.loads(row.value)
            value["at"] = "2000-01-01T00:00:00"
            row.value = json.dumps(value)
        assert backup_if_due(app) is not None
    assert len(list((tmp_path / "kept").glob("*.tar.gz"))) == 2
    with session_scope(engine) as session:
        job = records.jobs(session)["backup"]
    assert job["failures"] == 0 and job["last_success"]
    gen.close()


def test_pg_dump_older_than_the_server_is_refused(tmp_path, monkeypatch):
    admin = make_engine(PG_ADMIN_URL)
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001
        need_service("PostgreSQL", str(exc).splitlines()[0])
    finally:
        admin.dispose()
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    (fake / "pg_dump").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    from hub_api.operations.database import DatabaseError, check_pg_dump

    with pytest.raises(DatabaseError, match=r"pg_dump 9\.6\.24 cannot back up PostgreSQL 1\d"):
        check_pg_dump(PG_ADMIN_URL)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    with pytest.raises(DatabaseError, match="pg_dump is not on PATH"):
        check_pg_dump(PG_ADMIN_URL)
