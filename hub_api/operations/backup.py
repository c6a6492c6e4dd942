"""``candor backup``: one archive with everything the hub cannot rebuild.

That is the database and the content folder, the settings the hub ran with (passwords in them
blanked) and, only when asked, the secret key. The search index and the built site are derived
and rebuilt on restore. Backups run while the hub serves (see ``database``); the scheduled job
keeps the newest ``CANDOR_BACKUP_KEEP`` in the backup folder.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine

from ..db import session_scope, utcnow
from . import archive, database, records

log = logging.getLogger(__name__)

NAME = re.compile(r"^candor-backup-\d{8}T\d{6}Z(?:-\d+)?\.tar\.gz$")
SECRET_MEMBER = "instance/secret_key"  # noqa: S105 — a member name
SETTINGS_MEMBER = "instance/settings.json"
_PASSWORD = re.compile(r"(://[^:/@]+:)[^@]*@")


@dataclass
class Result:
    path: Path
    size: int
    seconds: float
    manifest: dict


def candor_version() -> str:
    try:
        return version("candor")
    except PackageNotFoundError:
        return "unknown"


def backup_dir(config: Mapping) -> Path:
    return Path(config.get("BACKUP_DIR") or Path(config["INSTANCE"]) / "backups")


def settings_snapshot(environ: Mapping[str, str], include_secrets: bool) -> dict[str, str]:
    """The ``CANDOR_*`` variables the hub ran with; passwords in URLs are blanked and the
    secret key left out unless secrets were asked for."""
    snapshot = {}
    for key, value in sorted(environ.items()):
        if not key.startswith("CANDOR_"):
            continue
        if not include_secrets:
            if key == "CANDOR_SECRET_KEY":
                continue
            value = _PASSWORD.sub(r"\1***@", value)
        snapshot[key] = value
    return snapshot


def _content_members(content: Path) -> list[tuple[str, Path]]:
    if not content.is_dir():
        return []
    members = []
    for path in sorted(content.rglob("*")):
        if path.is_file() and not path.is_symlink():
            members.append(("content/" + path.relative_to(content).as_posix(), path))
    return members


def make_backup(config: Mapping, engine: Engine | None = None, *, to: Path | None = None,
                include_secrets: bool = False, progress: Callable[[str, int, int], None]
                | None = None) -> Result:
    """Write one archive into ``to`` (default: the backup folder) and return what it wrote.

    ``progress(stage, done, total)`` is called as bytes go into the archive."""
    started = time.monotonic()
    folder = Path(to or backup_dir(config))
    folder.mkdir(parents=True, exist_ok=True)
    url = config["DATABASE_URL"]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"candor-backup-{stamp}.tar.gz"
    n = 1
    while target.exists():
        target = folder / f"candor-backup-{stamp}-{n}.tar.gz"
        n += 1
    with tempfile.TemporaryDirectory(prefix=".candor-backup-", dir=folder) as tmp:
        if progress:
            progress("database", 0, database.size(url))
        db_info = database.dump(url, Path(tmp))
        db_info["alembic_revision"] = database.revision(url)
        members: list[tuple[str, Path | bytes]] = [(db_info["file"], Path(tmp) / db_info["file"])]
        members += _content_members(Path(config["CONTENT"]))
        env_settings = settings_snapshot(os.environ, include_secrets)
        members.append((SETTINGS_MEMBER, json.dumps(env_settings, indent=1).encode()))
        if include_secrets and not config.get("EPHEMERAL_SECRET") and config.get("SECRET_KEY"):
            members.append((SECRET_MEMBER, config["SECRET_KEY"].encode()))
        total = sum(len(s) if isinstance(s, bytes) else s.stat().st_size for _, s in members)
        done = 0

        def step(count: int) -> None:
            nonlocal done
            done += count
            if progress:
                progress("archive", done, total)

        manifest = archive.write(target, members, {
            "created_at": utcnow().isoformat() + "Z",
            "candor_version": candor_version(),
            "python_version": platform.python_version(),
            "database": db_info,
            "includes_secrets": any(name == SECRET_MEMBER for name, _ in members),
        }, progress=step)
    seconds = time.monotonic() - started
    size = target.stat().st_size
    own = engine is None
    engine = engine or records.engine_for(config)
    try:
        records.backup_finished(engine, str(target), size, seconds)
    finally:
        if own:
            engine.dispose()
    log.debug("backup written: %s (%d bytes, %.1fs)", target, size, seconds)
    return Result(target, size, seconds, manifest)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``folder``; return what was deleted."""
    found = sorted((p for p in folder.glob("candor-backup-*.tar.gz") if NAME.match(p.name)),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    doomed = found[max(keep, 1):]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def backup_if_due(app: Flask) -> Path | None:
    """The scheduled job: back up when the last backup is ``BACKUP_EVERY`` old, then prune."""
    from ..leads.digest import parse_span

    every = parse_span(app.config["BACKUP_EVERY"])
    engine = app.extensions["candor_engine"]
    with session_scope(engine) as session:
        last = records.read(session, records.BACKUP)
    last_at = records.when(last and last.get("at"))
    if last_at is not None and utcnow() - last_at < every:
        return None
    result = make_backup(app.config, engine)
    log.info("scheduled backup written: %s (%.1f MB in %.1fs)", result.path, result.size / 1e6,
             result.seconds)
    pruned = prune(result.path.parent, int(app.config["BACKUP_KEEP"]))
    if pruned:
        log.info("removed %d old backup(s), keeping %s", len(pruned), app.config["BACKUP_KEEP"])
    return result.path

