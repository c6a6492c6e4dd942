"""Copying the database out of a running hub and back in: SQLite and PostgreSQL.

SQLite is copied with its online backup API in one step: one read transaction, which under WAL
never blocks writers, so the copy is the database at one point in time (a stepped backup would
restart whenever a writer commits). PostgreSQL goes through ``pg_dump`` (one snapshot) and is
loaded back with ``psql`` in a single transaction, so a failed load changes nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import inspect, make_url, text
from sqlalchemy.engine import URL, Connection

from ..db import make_engine

SQLITE_FILE = "database/candor.sqlite"
PG_FILE = "database/candor.pg.sql"
TOOL_TIMEOUT = 6 * 3600


class DatabaseError(RuntimeError):
    """The database could not be copied or loaded; the message says why in one line."""


def kind(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def sqlite_path(url: str) -> Path:
    return Path(make_url(url).database or "")


# --- facts ---------------------------------------------------------------------------------


@contextmanager
def connected(url: str) -> Iterator[Connection]:
    """A connection of its own to ``url``, its engine closed afterwards (a short fact read)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def revision(url: str) -> str | None:
    """The Alembic revision the database is at, ``None`` before ``candor init``."""
    with connected(url) as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.scalar(text("SELECT version_num FROM alembic_version"))


def holds_data(url: str) -> list[str]:
    """The tables that hold rows (Alembic's own aside): empty means a fresh instance."""
    if kind(url) == "sqlite" and not sqlite_path(url).exists():
        return []
    with connected(url) as conn:
        names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
        return [n for n in names
                if conn.scalar(text(f'SELECT 1 FROM "{n}" LIMIT 1')) is not None]  # noqa: S608


def size(url: str) -> int:
    """The database's size in bytes (for progress messages)."""
    with connected(url) as conn:
        if kind(url) == "sqlite":
            return int(conn.scalar(text("SELECT page_count * page_size FROM "
                                        "pragma_page_count(), pragma_page_size()")))
        return int(conn.scalar(text("SELECT pg_database_size(current_database())")))


def server_version(url: str) -> str:
    with connected(url) as conn:
        if kind(url) == "sqlite":
            return conn.scalar(text("SELECT sqlite_version()"))
        return conn.scalar(text("SHOW server_version"))


# --- dump ----------------------------------------------------------------------------------


def dump(url: str, folder: Path) -> dict:
    """Write the database under ``folder``; return what the manifest says about it."""
    if kind(url) == "sqlite":
        return _dump_sqlite(url, folder)
    return _dump_postgres(url, folder)


def _dump_sqlite(url: str, folder: Path) -> dict:
    source = sqlite_path(url)
    if not source.is_file():
        raise DatabaseError(f"no database at {source}: run `candor init`")
    target = folder / SQLITE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # pages=-1: all at once, one read transaction
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    except sqlite3.Error as exc:
        raise DatabaseError(f"SQLite backup failed: {exc}") from exc
    finally:
        dst.close()
        src.close()
    return {"kind": "sqlite", "file": SQLITE_FILE, "server_version": sqlite3.sqlite_version}


def _libpq(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/psql; the password travels in the environment only."""
    parsed: URL = make_url(url)
    args = ["--dbname", parsed.database or "postgres"]
    if parsed.host:
        args += ["--host", parsed.host]
    if parsed.port:
        args += ["--port", str(parsed.port)]
    if parsed.username:
        args += ["--username", parsed.username]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DatabaseError(f"{name} is not on PATH: install the PostgreSQL client "
                            f"(Debian: apt-get install postgresql-client)")
    return path


def _major(version: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version)
    if not match:
        raise DatabaseError(f"cannot read a version from {version!r}")
    return int(match.group(1))


def check_pg_dump(url: str) -> tuple[str, str]:
    """pg_dump's and the server's versions; refuses a pg_dump older than the server (it
    cannot dump a newer server's catalogue)."""
    tool = _tool("pg_dump")
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=30)
    tool_version = out.stdout.strip().rsplit(" ", 1)[-1] if out.returncode == 0 else "?"
    server = server_version(url)
    if tool_version == "?" or _major(tool_version) < _major(server):
        raise DatabaseError(
            f"pg_dump {tool_version} cannot back up PostgreSQL {server}: install the client "
            f"of version {_major(server)} or newer (postgresql-client-{_major(server)})")
    return tool_version, server


def _dump_postgres(url: str, folder: Path) -> dict:
    tool_version, server = check_pg_dump(url)
    target = folder / PG_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    args, env = _libpq(url)
    proc = subprocess.run(
        [_tool("pg_dump"), *args, "--format=plain", "--no-owner", "--no-privileges",
         "--file", str(target)],
        capture_output=True, text=True, env=env, timeout=TOOL_TIMEOUT)
    if proc.returncode != 0:
        raise DatabaseError(f"pg_dump failed: {_first_line(proc.stderr)}")
    return {"kind": "postgresql", "file": PG_FILE, "server_version": server,
            "pg_dump_version": tool_version}


def _first_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    return lines[0] if lines else "no message"


# --- load ----------------------------------------------------------------------------------


def load(url: str, dumped: Path, dumped_kind: str) -> None:
    """Replace the database at ``url`` with the dumped one (all or nothing)."""
    if dumped_kind != kind(url):
        raise DatabaseError(f"this backup holds a {dumped_kind} database and this instance "
                            f"uses {kind(url)}: set CANDOR_DATABASE_URL to a {dumped_kind} one")
    if dumped_kind == "sqlite":
        _load_sqlite(url, dumped)
    else:
        _load_postgres(url, dumped)


def _load_sqlite(url: str, dumped: Path) -> None:
    target = sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{dumped}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)  # the destination is locked and replaced as one transaction
        dst.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as exc:
        raise DatabaseError(f"SQLite restore failed: {exc}") from exc
    finally:
        dst.close()
        src.close()


# Drops what an earlier `candor init` created, inside the same transaction as the load.
_CLEAR_PUBLIC = """
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE 'DROP TABLE IF EXISTS public.' || quote_ident(r.tablename) || ' CASCADE';
  END LOOP;
  FOR r IN SELECT sequence_name FROM information_schema.sequences
           WHERE sequence_schema = 'public' LOOP
    EXECUTE 'DROP SEQUENCE IF EXISTS public.' || quote_ident(r.sequence_name) || ' CASCADE';
  END LOOP;
END $$;
"""


def _load_postgres(url: str, dumped: Path) -> None:
    args, env = _libpq(url)
    with dumped.open("rb") as sql:
        script = _CLEAR_PUBLIC.encode() + sql.read()
    proc = subprocess.run(
        [_tool("psql"), *args, "--no-psqlrc", "--quiet", "--single-transaction",
         "--set", "ON_ERROR_STOP=1", "--file", "-"],
        input=script, capture_output=True, env=env, timeout=TOOL_TIMEOUT)
    if proc.returncode != 0:
        raise DatabaseError(f"loading the PostgreSQL dump failed: "
                            f"{_first_line(proc.stderr.decode(errors='replace'))}")
