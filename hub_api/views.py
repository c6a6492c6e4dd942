"""What every dynamic page shares with the static theme: globals, filters and /healthz."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy import text

from .db import get_session, utcnow


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(SITENAME=app.config["SITENAME"], SITEURL="")
    app.jinja_env.filters["ago"] = ago
    app.add_url_rule("/healthz", "healthz", healthz)


def ago(when: datetime, now: datetime | None = None) -> str:
    """Human duration such as "3 h ago" — only on live pages; static pages use absolute times."""
    return f"{duration((now or utcnow()) - when)} ago"


def duration(delta) -> str:
    """Short duration: "45 min", "3 h", "2 days"."""
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 60:
        return "under a minute"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400 * 2:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def healthz():
    """Liveness and readiness: the database answers."""
    get_session().execute(text("SELECT 1"))
    return {"status": "ok"}
