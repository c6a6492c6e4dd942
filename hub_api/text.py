"""Plain-text hygiene shared by forms, CLI and the site build."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
# A lone surrogate (possible in JSON escapes) fits no database encoding: it becomes U+FFFD.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(value: str | None, *, multiline: bool = False) -> str:
    """Strip control characters (NUL breaks PostgreSQL) and outer whitespace.

    Single-line values also lose newlines and tabs, so they can never smuggle a
    second line into a header, a metadata block or a log line.
    """
    if not value:
        return ""
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = _SURROGATE.sub("\ufffd", value)
    if not multiline:
        value = " ".join(value.split())
    return value.strip()


def slugify(value: str, max_length: int = 60) -> str:
    """ASCII slug for URLs; never empty."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"


def duration(delta: timedelta) -> str:
    """A fixed span ("45 min", "3 h", "2 days"): safe on static pages, unlike "2 days ago"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"
