"""Reuse unchanged article pages of the live build, so a pick does not re-render 10,000.

Every build is a fresh folder (atomic swap), but most of it equals the live build: an
article page depends only on its source file and on a few site-wide facts (theme, URL
settings, topic names, curators' names and roles). A build records those facts' hash and
its start time in ``.candor-build.json``; the next build hard-links an article page from
the live build instead of rendering it when the hashes match and the source file has not
changed since the live build started reading. Hard links cost no copy and no write into
the live build: a changed page is always a new file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from pathlib import Path

logger = logging.getLogger(__name__)

STAMP = ".candor-build.json"
STARTED = time.time()  # the child process is one build; earlier is the safe side in-process
SETTINGS = ("SITENAME", "SITEURL", "FEED_DOMAIN", "TIMEZONE", "DEFAULT_DATE_FORMAT", "THEME",
            "ARTICLE_URL", "ARTICLE_SAVE_AS", "FEED_ALL_ATOM", "CANDOR_PUBLIC_URL")


def fingerprint(context: dict, code_key: str) -> str:
    """A hash of everything an article page shows besides its own source file."""
    digest = hashlib.sha256(code_key.encode())
    digest.update(repr([context.get(key) for key in SETTINGS]).encode())
    digest.update(repr(sorted((context.get("topic_names") or {}).items())).encode())
    people = context.get("people_by_name") or {}
    digest.update(repr(sorted((n, p.slug, p.job_title, p.photo) for n, p in people.items()))
                  .encode())
    templates = Path(str(context.get("THEME", ""))) / "templates"
    for path in sorted(templates.rglob("*.html")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def write_stamp(output_path: str, digest: str) -> None:
    """Record this build's fingerprint and start time for the next build."""
    stamp = {"fingerprint": digest, "started": STARTED}
    Path(output_path, STAMP).write_text(json.dumps(stamp))


class PageReuse:
    """Decides, per article page, whether the live build's file can be linked in."""

    def __init__(self, live: Path | None, output_path: str) -> None:
        self.output = Path(output_path)
        self.live = live if live and live.resolve() != self.output.resolve() else None
        self.stamp: dict = {}
        if self.live and (self.live / STAMP).is_file():
            try:
                self.stamp = json.loads((self.live / STAMP).read_text())
            except (OSError, ValueError):
                logger.warning("ignoring unreadable %s in %s", STAMP, self.live)
        self.reused = 0

    def link(self, name: str, source_path: str, digest: str) -> bool:
        """Hard-link ``name`` from the live build if it is still what we would render."""
        if not self.stamp or self.stamp.get("fingerprint") != digest:
            return False
        old, new = self.live / name, self.output / name
        try:
            if os.path.getmtime(source_path) >= self.stamp["started"]:
                return False
            new.parent.mkdir(parents=True, exist_ok=True)
            os.link(old, new)
        except OSError as exc:
            logger.debug("rendering %s (cannot reuse: %s)", name, exc)
            return False
        self.reused += 1
        return True
