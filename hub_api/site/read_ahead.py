"""A cold build's Markdown files, read on two cores.

Reading, converting and cleaning the curated articles is most of a cold build, and Pelican
does it one file after another. When many files are missing from the content cache, a fork
of the build process reads the second half of them while this process reads the first; the
fork's articles come back pickled, as Pelican's content cache keeps them, and both halves
join the cache before Pelican's own loop runs, which then finds every article read. A file
that fails or is not a valid article is left out, so Pelican's loop reads and reports it.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterator
from contextlib import contextmanager

from ..childproc import Child, ChildError, can_fork
from .pelican_internals import adopt_article, cached_article, read_article, uses_content_cache

logger = logging.getLogger(__name__)

READ_AHEAD_FROM = 200  # files missing from the cache; fewer are not worth a fork
TIMEOUT = 30 * 60


def read_ahead(generator) -> int:
    """Put the articles ``generator`` (Pelican's ArticlesGenerator) would read into its cache;
    return how many."""
    if not uses_content_cache(generator) or generator.settings.get("CANDOR_INCREMENTAL"):
        return 0  # an incremental build reads only new files: not worth a second walk
    files = generator.get_files(generator.settings["ARTICLE_PATHS"],
                                exclude=generator.settings["ARTICLE_EXCLUDES"])
    missing = sorted(f for f in files if cached_article(generator, f) is None)
    if len(missing) < READ_AHEAD_FROM or not can_fork():
        return 0
    ours, theirs = missing[:len(missing) // 2], missing[len(missing) // 2:]

    def work(out) -> int:  # in the fork: read its half, send it back pickled
        pickle.dump(_read_all(generator, theirs), out, pickle.HIGHEST_PROTOCOL)
        return 0

    child = Child.fork(work)
    try:
        read = _read_all(generator, ours)
    except BaseException:
        child.kill()
        raise
    try:
        data = child.result(TIMEOUT, "reading ahead")
    except ChildError as exc:  # Pelican's loop reads them
        logger.warning("reading ahead failed: %s", exc)
        data = b""
    for path, article in pickle.loads(data) if data else []:  # noqa: S301 (our own fork's)
        read.append((path, article))
    for path, article in read:
        adopt_article(generator, path, article)
    return len(read)


def _read_all(generator, paths: list[str]) -> list[tuple[str, object]]:
    found = []
    for path in paths:
        try:
            with _quiet("pelican.contents"):  # an invalid article is reported by Pelican
                article = read_article(generator, path)
        except Exception:  # noqa: S112 (Pelican's loop reads it again and reports why)
            continue
        if article is not None:
            found.append((path, article))
    return found


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    log = logging.getLogger(name)
    disabled, log.disabled = log.disabled, True
    try:
        yield
    finally:
        log.disabled = disabled
