"""What every dynamic page shares with the static theme: globals, filters and /healthz."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from werkzeug.routing import IntegerConverter

from .db import utcnow
from .text import duration

MAX_ID = 2**31 - 1  # PostgreSQL `integer`


class RowId(IntegerConverter):
    """``<int:…>`` in every route: ids beyond a 32-bit key are simply not found (404)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    # Before any blueprint registers its routes, so all of them use it.
    app.url_map.converters["int"] = RowId
    app.jinja_env.globals.update(SITENAME=app.config["SITENAME"], SITEURL="")
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["duration"] = duration
    app.add_url_rule("/healthz", "healthz", healthz)


def ago(when: datetime, now: datetime | None = None) -> str:
    """Human duration such as "3 h ago" — only on live pages; static pages use absolute times."""
    return f"{duration((now or utcnow()) - when)} ago"


def healthz():
    """Liveness: the process answers (cheap, no database; ``/readyz`` checks readiness)."""
    return {"status": "ok"}
