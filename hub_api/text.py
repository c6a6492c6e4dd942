"""Plain-text hygiene shared by forms, CLI and the site build."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import timedelta

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
# A lone surrogate (possible in JSON escapes) fits no database encoding: it becomes U+FFFD.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


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
    ascii_text = value if value.isascii() else \
        unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"


def duration(span: timedelta | float, *, working: bool = False) -> str:
    """The one way a duration becomes words, everywhere: "under a minute", "45 min",
    "2 h 30 min", "26 h", "3 days" (rounded down; minutes shown below 10 h).

    ``working``: the span is working time on a topic's schedule, and says so ("2 h 30 min of
    working hours"; never in days, which would read as calendar days). A fixed span is safe
    on static pages, unlike "2 days ago".
    """
    seconds = span.total_seconds() if isinstance(span, timedelta) else span
    minutes = max(int(seconds // 60), 0)
    if minutes < 1:
        words = "under a minute"
    elif minutes < 60:
        words = f"{minutes} min"
    else:
        hours, rest = divmod(minutes, 60)
        if hours >= 48 and not working:
            words = f"{hours // 24} days"
        elif hours >= 10 or not rest:
            words = f"{hours} h"
        else:
            words = f"{hours} h {rest} min"
    return f"{words} of working hours" if working else words


def share(part: int, whole: int) -> str:
    """``"2 of 3 (67%)"``, rounded to the nearest percent everywhere, except that a share
    short of all never reads 100% and one above none never reads 0%."""
    if not whole:
        return "none asked"
    percent = min(max(math.floor(100 * part / whole + 0.5), 1 if part else 0),
                  99 if part < whole else 100)
    return f"{part} of {whole} ({percent}%)"
