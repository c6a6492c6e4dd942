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

import functools
import hashlib
import json
import logging
import os
import time
from pathlib import Path

logger = logging.getLogger(__name__)

STAMP = ".candor-build.json"
STARTED = time.time()  # when this build began reading sources; see ``begin``
SETTINGS = ("SITENAME", "SITEURL", "FEED_DOMAIN", "TIMEZONE", "DEFAULT_DATE_FORMAT", "THEME",
            "ARTICLE_URL", "ARTICLE_SAVE_AS", "FEED_ALL_ATOM", "CANDOR_PUBLIC_URL",
            "company")


def begin() -> None:
    """Mark the start of the build (a prewarmed child is imported long before it builds):
    a source modified after this is never trusted to match its page."""
    global STARTED
    STARTED = time.time()
    _mtimes.clear()


def fingerprint(context: dict, code_key: str) -> str:
    """A hash of everything an article page shows besides its own source file."""
    digest = hashlib.sha256(code_key.encode())
    digest.update(repr([context.get(key) for key in SETTINGS]).encode())
    digest.update(repr(sorted((context.get("topic_names") or {}).items())).encode())
    people = context.get("people_by_name") or {}
    digest.update(repr(sorted((n, p.slug, p.job_title, p.photo) for n, p in people.items()))
                  .encode())
    theme = Path(str(context.get("THEME", "")))
    for path in sorted(theme.glob("templates/**/*.html")):
        digest.update(path.name.encode() + path.read_bytes())
    for path in sorted(theme.glob("static/*")):  # pages link fingerprinted assets by hash
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def write_stamp(output_path: str, digest: str, unpublished: list[str] | None = None) -> None:
    """Record this build's fingerprint and start time for the next build, and the content
    files Pelican could not read (it logs them and builds on without them)."""
    stamp = {"fingerprint": digest, "started": STARTED, "unpublished": unpublished or []}
    Path(output_path, STAMP).write_text(json.dumps(stamp))


def unpublished_files(site: Path) -> list[str]:
    """Content files the live build left out because they could not be read."""
    try:
        return list(json.loads(Path(site, STAMP).read_text()).get("unpublished", []))
    except (OSError, ValueError, AttributeError):
        return []


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


# --- the shared curated tree -----------------------------------------------------------------
#
# Article pages live in a tree of their own, ``<site>.builds/curated/<name>/``, which every
# build links in as ``curated``. A full build renders a new tree; an incremental build (a pick,
# an answer, any database change) keeps the live build's tree, adds only the pages of new
# articles to it and renders the database-driven pages afresh. A page added to the live tree is
# a new URL nothing links to until the new build is swapped in, so readers still see either
# the old site or the new one. Anything an added page cannot express (an edited or removed
# article, a changed fingerprint, a slug taken by another article) asks for a full build.

TREES = "curated"
FULL_BUILD_NEEDED = 3  # the child's exit status when an incremental build cannot be exact
SAVE_CACHE_AFTER = 25  # incremental builds re-read up to this many new files, then cache them


class FullBuildNeeded(RuntimeError):
    """An incremental build would differ from a full one; the message says why."""


def tree_record(tree: Path) -> Path:
    """``<tree>.json``: the fingerprint and the sources whose pages the tree holds."""
    return tree.with_name(tree.name + ".json")


def tree_additions(tree: Path) -> Path:
    """``<tree>.added``: pages incremental builds added, a JSON line each (rewriting the
    whole record at 10,000 articles would cost a third of a second per pick)."""
    return tree.with_name(tree.name + ".added")


def live_tree(build: Path | None) -> Path | None:
    """The curated tree ``build`` links in, if it has one with a readable record."""
    link = build / TREES if build else None
    if link is None or not link.is_symlink():
        return None
    tree = link.resolve()
    return tree if tree.is_dir() and tree_record(tree).is_file() else None


def link_tree(outdir: Path, tree: Path) -> None:
    """Make ``outdir/curated`` a relative link to ``tree``."""
    os.symlink(os.path.relpath(tree, outdir), outdir / TREES)


class CuratedTree:
    """The child's view of the tree it writes article pages into (``outdir/curated``)."""

    def __init__(self, output_path: str, incremental: bool) -> None:
        self.tree = Path(output_path, TREES).resolve()
        self.incremental = incremental
        self.sources: dict[str, list] = {}  # source path → [mtime, page]
        self.added: dict[str, list] = {}  # what this build adds
        self.fingerprint: str | None = None
        if incremental:
            record = json.loads(tree_record(self.tree).read_text())
            self.sources, self.fingerprint = record["sources"], record["fingerprint"]
            try:
                lines = tree_additions(self.tree).read_text().splitlines()
            except FileNotFoundError:
                lines = []
            for line in lines:
                try:
                    self.sources.update(json.loads(line))
                except ValueError:  # a line cut short: its page is simply written again
                    logger.warning("ignoring a damaged line in %s", tree_additions(self.tree))

    def check(self, articles: list, digest: str) -> None:
        """Raise ``FullBuildNeeded`` unless adding pages to the tree equals a full build."""
        if digest != self.fingerprint:
            raise FullBuildNeeded("site-wide facts shown on article pages changed")
        current = {a.source_path: a for a in articles}
        for source, (mtime, _page) in self.sources.items():
            if source not in current:
                raise FullBuildNeeded(f"{Path(source).name} was removed")
            if source_mtime(source) != mtime:
                raise FullBuildNeeded(f"{Path(source).name} was edited")
        taken = {page for _mtime_, page in self.sources.values()}
        for source, article in current.items():
            if source not in self.sources and article.save_as in taken:
                raise FullBuildNeeded(f"{Path(source).name} reuses the page {article.save_as}")

    def has(self, source_path: str) -> bool:
        """Whether the tree already holds this (unchanged, see ``check``) article's page."""
        return self.incremental and source_path in self.sources

    def add(self, source_path: str, name: str) -> None:
        """Note a page written into the tree; a source touched mid-build is never trusted."""
        mtime = source_mtime(source_path)
        self.added[source_path] = [mtime if mtime < STARTED else -1.0, name]

    def save(self, digest: str) -> None:
        """Record what the tree holds: a new tree's whole record, written atomically; an
        incremental build's additions, appended as one line (the live build shares them)."""
        if self.incremental:
            if self.added:
                with open(tree_additions(self.tree), "a") as fh:
                    fh.write(json.dumps(self.added) + "\n")
            return
        record = tree_record(self.tree)
        tmp = record.with_name(f".{record.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"fingerprint": digest, "sources": self.added}))
        os.replace(tmp, record)


@functools.lru_cache(maxsize=1)
def curated_tree(output_path: str, incremental: bool) -> CuratedTree:
    """The one ``CuratedTree`` of this build (the child process builds once)."""
    return CuratedTree(output_path, incremental)


_mtimes: dict[str, float] = {}  # this build's look at each source (``begin`` empties it)


def source_mtime(path: str) -> float:
    """A source file's modification time as this build first saw it (the build looks at each
    source four times: 40,000 calls at 10,000 articles); negative when it is gone (never a
    match). A source edited after that is newer than ``STARTED``: never trusted next time."""
    try:
        return _mtimes[path]
    except KeyError:
        pass
    try:
        found = _mtimes[path] = os.path.getmtime(path)
    except OSError:
        return -2.0
    return found
