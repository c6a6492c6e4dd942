"""What every dynamic page shares with the static theme: globals, filters and /healthz."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy import text

from .db import get_session, utcnow
from .text import duration


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(SITENAME=app.config["SITENAME"], SITEURL="")
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["duration"] = duration
    app.add_url_rule("/healthz", "healthz", healthz)


def ago(when: datetime, now: datetime | None = None) -> str:
    """Human duration such as "3 h ago" — only on live pages; static pages use absolute times."""
    return f"{duration((now or utcnow()) - when)} ago"


def healthz():
    """Liveness and readiness: the database answers."""
    get_session().execute(text("SELECT 1"))
    return {"status": "ok"}
