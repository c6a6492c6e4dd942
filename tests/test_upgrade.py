"""Upgrades from released versions: each release's database (tests/data/releases/<tag>/, see
its README) is loaded, upgraded by the current ``candor init``, and must keep every row and
work; a migration that fails half-way leaves the database as it was."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from hub_api.db import make_engine
from hub_api.migrate import MIGRATIONS, alembic_config
from hub_api.site.builder import build_site

from .conftest import PG_ADMIN_URL, make_test_app, need_service

RELEASES = Path(__file__).parent / "data" / "releases"
TAGS = sorted(p.name for p in RELEASES.iterdir() if p.is_dir())


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'instance' / 'candor.db'}"
        return
    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"candor_upgrade_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 — no server
        admin.dispose()
        need_service("PostgreSQL", str(exc).splitlines()[0])
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :n"), {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def load_release(tag: str, url: str) -> None:
    """Load a release's database dump as that release left it."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path) as conn:
            conn.executescript((RELEASES / tag / "candor.sqlite.sql").read_text())
        return
    psql = shutil.which("psql")
    if psql is None:
        need_service("psql", "the PostgreSQL client is not installed")
    target = url.replace("postgresql+psycopg://", "postgresql://")
    subprocess.run([psql, "--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1",
                    "--single-transaction", "--dbname", target,
                    "--file", str(RELEASES / tag / "candor.pg.sql")],
                   check=True, capture_output=True)


def snapshot(url: str) -> dict[str, dict]:
    """Every table's rows keyed by primary key, as column → value."""
    engine = make_engine(url)
    rows: dict[str, dict] = {}
    with engine.connect() as conn:
        inspector = inspect(conn)
        for table in inspector.get_table_names():
            if table == "alembic_version":
                continue
            keys = inspector.get_pk_constraint(table)["constrained_columns"]
            result = conn.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608
            rows[table] = {tuple(r[k] for k in keys): dict(r) for r in result.mappings()}
    engine.dispose()
    return rows


def revision(url: str) -> str | None:
    engine = make_engine(url)
    with engine.connect() as conn:
        value = conn.scalar(text("SELECT version_num FROM alembic_version"))
    engine.dispose()
    return value


# Values a migration refines on purpose (table, column) → {(old, new)}; anything else that
# changes is a loss.
REFINED = {
    # 0100_reader: a replied-to thread is "follow_up", one with an accepted answer "accepted".
    ("questions", "status"): {("open", "follow_up"), ("answered", "accepted")},
}


@pytest.mark.parametrize("tag", TAGS)
def test_release_upgrades_with_candor_init_and_keeps_everything(tag, tmp_path, empty_database):
    url = empty_database
    load_release(tag, url)
    before = snapshot(url)
    assert sum(map(len, before.values())) > 100  # the fixture holds real data
    gen = make_test_app(tmp_path, url, RATELIMIT_ENABLED=False)
    app = next(gen)
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    heads = ScriptDirectory.from_config(alembic_config(url)).get_heads()
    assert revision(url) in heads
    after = snapshot(url)
    for table, rows in before.items():
        assert table in after, f"{table} was dropped"
        for key, row in rows.items():
            assert key in after[table], f"{table} {key} was lost"
            kept = {c: after[table][key].get(c) for c in row}
            if table == "search_outbox":  # the indexer applies what the release left pending
                kept["done_at"] = row["done_at"]
            for (t, column), allowed in REFINED.items():
                if t == table and (row[column], kept[column]) in allowed:
                    kept[column] = row[column]
            assert kept == row, f"{table} {key} changed"

    # … and the upgraded hub works: staff log in, threads, search with the old vocabulary,
    # the old API token, the doctor's schema check, a full build.
    client = app.test_client()
    login = client.post("/staff/login", data={"email": "dana@northwind.example",
                                              "password": "demo"})
    assert login.status_code == 303
    assert client.get("/staff/queue?all=1").status_code == 200
    answered = next(k[0] for k, r in before["questions"].items() if r["status"] == "answered")
    assert client.get(f"/q/{answered}", follow_redirects=True).status_code == 200
    hits = client.get("/search?q=printed+circuit+board").text
    assert "PCB lead times" in hits, hits  # found through the release's synonym
    kind = "sqlite" if url.startswith("sqlite") else "pg"
    token = (RELEASES / tag / f"api-token.{kind}").read_text().strip()
    posted = client.post(f"/api/v1/questions/{answered}/answers", json={"body": "Still true."},
                         headers={"Authorization": f"Bearer {token}"})
    assert posted.status_code == 201, posted.text
    doctor = app.test_cli_runner().invoke(args=["doctor", "--no-probe"])
    assert "newest schema" in doctor.output
    build_site(app.config, full=True)
    assert (tmp_path / "site" / "index.html").is_file()
    gen.close()


BROKEN = '''"""A migration that fails half-way (test only)."""
import sqlalchemy as sa
from alembic import op

revision = "9999_broken"
down_revision = {head!r}


def upgrade():
    op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("half_column", sa.Integer, nullable=True))
    op.execute("UPDATE questions SET title = 'overwritten'")
    raise RuntimeError("migration failed half-way")
'''


def test_a_failed_migration_leaves_the_database_as_it_was(tmp_path, empty_database):
    url = empty_database
    load_release(TAGS[-1], url)
    command.upgrade(alembic_config(url), "head")  # current schema, then a broken step on top
    before, version = snapshot(url), revision(url)
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9999_broken.py").write_text(BROKEN.format(head=version))
    config = alembic_config(url)
    config.set_main_option("script_location", str(scripts))
    with pytest.raises(RuntimeError, match="half-way"):
        command.upgrade(config, "head")
    assert revision(url) == version
    engine = make_engine(url)
    with engine.connect() as conn:
        assert not inspect(conn).has_table("half_done")
        assert "half_column" not in {c["name"] for c in inspect(conn).get_columns("questions")}
    engine.dispose()
    assert snapshot(url) == before
