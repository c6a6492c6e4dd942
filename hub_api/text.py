"""Plain-text hygiene shared by forms, CLI and the site build."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")


def clean_text(value: str | None, *, multiline: bool = False) -> str:
    """Strip control characters (NUL breaks PostgreSQL) and outer whitespace.

    Single-line values also lose newlines and tabs, so they can never smuggle a
    second line into a header, a metadata block or a log line.
    """
    if not value:
        return ""
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if not multiline:
        value = " ".join(value.split())
    return value.strip()


def slugify(value: str, max_length: int = 60) -> str:
    """ASCII slug for URLs; never empty."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"
