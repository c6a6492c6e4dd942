"""A cold build's Markdown files, read on two cores.

Reading, converting and cleaning the curated articles is most of a cold build, and Pelican
does it one file after another. When many files are missing from the content cache, a fork
of the build process reads the second half of them while this process reads the first; the
fork's articles come back pickled, as Pelican's content cache keeps them, and both halves
join the cache before Pelican's own loop runs, which then finds every article read. A file
that fails or is not a valid article is left out, so Pelican's loop reads and reports it.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
from collections.abc import Iterator
from contextlib import contextmanager

from pelican import signals
from pelican.cache import FileStampDataCacher
from pelican.contents import Article
from pelican.readers import SkipStub

READ_AHEAD_FROM = 200  # files missing from the cache; fewer are not worth a fork


def read_ahead(generator) -> int:
    """Put the articles ``generator`` (Pelican's ArticlesGenerator) would read into its cache;
    return how many."""
    from .build_child import can_fork

    if not generator._cache_data_policy or generator.settings.get("CANDOR_INCREMENTAL"):
        return 0  # an incremental build reads only new files: not worth a second walk
    files = generator.get_files(generator.settings["ARTICLE_PATHS"],
                                exclude=generator.settings["ARTICLE_EXCLUDES"])
    missing = sorted(f for f in files
                     if FileStampDataCacher.get_cached_data(generator, f, None) is None)
    if len(missing) < READ_AHEAD_FROM or not can_fork():
        return 0
    ours, theirs = missing[:len(missing) // 2], missing[len(missing) // 2:]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the fork: read its half, send it, never return into Pelican
        status = 1
        try:
            os.close(read_end)
            gc.freeze()  # the parent's objects are never collected (or finalised) here
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(_read_all(generator, theirs), out, pickle.HIGHEST_PROTOCOL)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        read = _read_all(generator, ours)
        with os.fdopen(read_end, "rb") as received:
            data = received.read()
    finally:
        _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0 and data:  # else Pelican's loop reads them
        for path, article in pickle.loads(data):  # noqa: S301 (our own fork's output)
            article._context = generator.context  # as if read here, not a copy
            read.append((path, article))
    for path, article in read:
        generator.cache_data(path, article)
    return len(read)


def _read_all(generator, paths: list[str]) -> list[tuple[str, Article]]:
    found = []
    for path in paths:
        try:
            article = generator.readers.read_file(
                base_path=generator.path, path=path, content_class=Article,
                context=generator.context, preread_signal=signals.article_generator_preread,
                preread_sender=generator, context_signal=signals.article_generator_context,
                context_sender=generator)
        except Exception:  # noqa: S112 (Pelican's loop reads it again and reports why)
            continue
        if isinstance(article, SkipStub):
            continue
        with _quiet("pelican.contents"):  # an invalid article is reported by Pelican's loop
            if not article.is_valid():
                continue
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
