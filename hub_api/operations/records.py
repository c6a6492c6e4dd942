"""What happened last, kept in the ``settings`` table so every process (and ``candor doctor``)
sees it: the last build, each job's last success and failures, the last backup.

Each fact is one JSON row (``ops:build``, ``ops:job:<name>``, ``ops:backup``), overwritten in
place, so the record never grows. Recording never raises: losing a record must not fail the
build or job it describes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, delete, make_url, select
from sqlalchemy.orm import Session

from ..db import make_engine, session_scope, utcnow
from ..models import Setting

log = logging.getLogger(__name__)

PREFIX = "ops:"
BUILD = PREFIX + "build"
BACKUP = PREFIX + "backup"
JOB = PREFIX + "job:"
INSTANCE = PREFIX + "instance"


def _update(engine: Engine, key: str, change) -> None:
    try:
        with session_scope(engine) as session:
            row = session.get(Setting, key)
            value = json.loads(row.value) if row else {}
            change(value)
            session.merge(Setting(key=key, value=json.dumps(value, sort_keys=True)))
    except Exception:  # the record is for humans; the work it describes has happened
        log.warning("could not record %s", key, exc_info=True)


def engine_for(config: Mapping) -> Engine:
    """The app's engine when there is one, else a short-lived one (``candor build``)."""
    return make_engine(config["DATABASE_URL"])


def build_finished(config: Mapping, seconds: float, error: str | None) -> None:
    """Record a site build's result (called by the builder, in the web process or the CLI)."""
    from . import metrics

    metrics.BUILDS.labels(result="failed" if error else "ok").observe(seconds)
    url = config["DATABASE_URL"]
    if url.startswith("sqlite") and not make_url(url).database or \
            url.startswith("sqlite") and not Path(make_url(url).database).exists():
        return  # a build before `candor init`: no database to record it in
    engine = engine_for(config)
    try:
        _update(engine, BUILD, lambda v: _run(v, seconds, error))
    finally:
        engine.dispose()


def job_finished(engine: Engine, name: str, seconds: float, error: str | None) -> None:
    """Record one run of a scheduled job."""
    from . import metrics

    metrics.JOBS.labels(job=name, result="failed" if error else "ok").inc()
    _update(engine, JOB + name, lambda v: _run(v, seconds, error))


def backup_finished(engine: Engine, path: str, size: int, seconds: float) -> None:
    _update(engine, BACKUP, lambda v: v.update(
        at=utcnow().isoformat(), path=path, size=size, seconds=round(seconds, 2)))


def _run(value: dict, seconds: float, error: str | None) -> None:
    now = utcnow().isoformat()
    value["last_run"] = now
    value["seconds"] = round(seconds, 2)
    if error:
        value["last_failure"] = now
        value["last_error"] = error[:300]
        value["failures"] = value.get("failures", 0) + 1  # in a row
    else:
        value["last_success"] = now
        value["failures"] = 0
        value.pop("last_error", None)


def forget_all(url: str) -> None:
    """Drop every operations fact (``ops:*``), e.g. those a restored backup brought along."""
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            session.execute(delete(Setting).where(Setting.key.startswith(PREFIX)))
    finally:
        engine.dispose()


def read(session: Session, key: str) -> dict | None:
    row = session.get(Setting, key)
    return json.loads(row.value) if row else None


def jobs(session: Session) -> dict[str, dict]:
    rows = session.scalars(select(Setting).where(Setting.key.startswith(JOB)))
    return {row.key[len(JOB):]: json.loads(row.value) for row in rows}


def when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
