"""The site build's child process: one Pelican run, its errors in one line.

The builder starts it ahead of time (``python -m hub_api.site.child``), so Pelican and the
plugin are imported, and the questions and answers read (:mod:`hub_api.site.snapshot`),
before a change arrives, and hands it a :class:`Job` on stdin; it imports neither Flask nor
click. A process with a single thread (``candor build``) forks instead
(:func:`forked`), which then imports nothing. Both go through :mod:`hub_api.childproc`.
"""

from __future__ import annotations

import fcntl
import gc
import logging
import os
import pickle
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NoReturn

from ..childproc import end_output
from ..config import ROOT
from .reuse import FULL_BUILD_NEEDED, FullBuildNeeded

if TYPE_CHECKING:
    from .pelican_internals import ReadCache
    from .snapshot import Snapshot

logger = logging.getLogger(__name__)
NO_FULL_COLLECTIONS = 1 << 30  # young collections before a full one
RUNNING = ".running"


# The database a waiting child reads ahead (an environment variable, not an argument: a
# PostgreSQL URL carries its password, and any user can read a process's arguments).
DATABASE_VARIABLE = "CANDOR_BUILD_DATABASE"


@dataclass(frozen=True)
class Changes:
    """The questions and answers (by id) that the outbox's signals said changed since a
    build was handed to a child: a waiting child reads only their questions again
    (:mod:`hub_api.site.snapshot`)."""

    questions: frozenset[int] = frozenset()
    answers: frozenset[int] = frozenset()

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.questions | other.questions, self.answers | other.answers)


@dataclass(frozen=True)
class Job:
    """One build: where it writes, whether it may add to the live tree, Candor's settings
    (:func:`hub_api.site.settings.build_config`), and what changed since the previous
    build was handed over (``None``: unknown, every question is read)."""

    outdir: Path
    incremental: bool
    candor: dict = field(hash=False)
    changed: Changes | None = None


@contextmanager
def running(folder: Path, shared: bool = False) -> Iterator[None]:
    """Hold the lock a build holds while it runs (``RUNNING`` in the content cache's
    ``folder``); ``shared``: wait until no build runs."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / RUNNING, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield


def run(job: Job, cache: ReadCache | None = None, snapshot: Snapshot | None = None) -> int:
    """One Pelican run; its errors in one line on stderr. The exit status is
    ``FULL_BUILD_NEEDED`` when an incremental build cannot be exact. ``cache``: Pelican's
    content cache as a waiting child read it (used if its file is still the same);
    ``snapshot``: the questions and answers it read (patched with ``job.changed``)."""
    from .settings import cache_path

    with running(cache_path(Path(job.candor["INSTANCE"]))):
        return _run(job, cache, snapshot)


def _run(job: Job, cache: ReadCache | None, snapshot: Snapshot | None) -> int:
    # The build keeps what it reads (rows, articles) until it ends, and so does the process:
    # full collections would scan it again and again for nothing (one to two seconds at
    # 100,000 questions). Young garbage is still collected.
    gc.freeze()
    gc.set_threshold(*gc.get_threshold()[:2], NO_FULL_COLLECTIONS)
    try:
        from . import reuse
        from . import snapshot as snapshots
        from .encodings import precompress
        from .pelican_internals import CandorArticlesGenerator, candor_pelican
        from .read_ahead import read_ahead as reader
        from .settings import pelican_settings

        reuse.begin()
        snapshots.hand_over(snapshot, job.changed)
        settings = pelican_settings(job.candor, job.outdir, job.incremental)
        tree = reuse.curated_tree(str(job.outdir), job.incremental)

        class Articles(CandorArticlesGenerator):
            read_ahead = staticmethod(reader)
            has_page = staticmethod(lambda article: tree.has(article.source_path))
            save_cache_after = reuse.SAVE_CACHE_AFTER if job.incremental else 1
            read_cache = cache

        candor_pelican(settings, Articles).run()
        site = Path(job.candor["SITE"])
        live = site.resolve() if site.is_symlink() else None
        precompress(job.outdir, live if live != job.outdir.resolve() else None,
                    [name for _mtime, name in tree.added.values()] if job.incremental else None)
    except FullBuildNeeded as exc:
        sys.stderr.write(f"{exc}\n")
        return FULL_BUILD_NEEDED
    except Exception as exc:
        logger.debug("build failed", exc_info=True)
        reason = " ".join(str(exc).split()) or type(exc).__name__
        sys.stderr.write(f"{type(exc).__name__}: {reason}\n")
        return 1
    return 0


def forked(job: Job):
    """The work of a forked build child (see :meth:`hub_api.childproc.Child.fork`)."""

    def work(_out: BinaryIO) -> int:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 (Pelican's summary: discarded)
        for each in [logging.root, *logging.root.manager.loggerDict.values()]:
            if isinstance(each, logging.Logger):  # the child logs to its own stderr
                each.handlers.clear()
        _log_warnings()
        os.chdir(ROOT)
        status = run(job)
        sys.stdout.flush()
        return status

    return work


def _log_warnings() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s",
                        force=True)


def _wait() -> NoReturn:
    """Wait until the build handed to the previous child ends (reading ahead beside it would
    slow it down: two cores), then import, read Pelican's content cache (in the folder given
    as the argument) and the database's questions and answers (``DATABASE_VARIABLE``), then
    build the job read from stdin; end quietly if the parent goes."""
    if len(sys.argv) > 1:
        with running(Path(sys.argv[1]), shared=True):
            pass
    from pelican.settings import read_settings  # noqa: F401  (the imports are the point)
    from sqlalchemy.orm import configure_mappers

    from . import plugin, reuse  # noqa: F401
    from .pelican_internals import ReadCache
    from .snapshot import preload

    configure_mappers()  # the models' relationships, set up on first use (0.1 s) otherwise
    # The articles generator's cache, named after its class (``run``: ``Articles``).
    cache = ReadCache.load(Path(sys.argv[1], "Articles")) if len(sys.argv) > 1 else None
    database = os.environ.get(DATABASE_VARIABLE)
    snapshot = preload(database) if database else None

    try:
        job = pickle.load(sys.stdin.buffer)  # noqa: S301 (our parent's)
    except EOFError:
        os._exit(0)
    _log_warnings()
    os.chdir(ROOT)
    status = run(job, cache, snapshot)
    # Every file is written and closed. The parent hears at once, and the exit skips freeing
    # what was read (10,000 articles, 100,000 questions: a tenth of a second before the
    # parent would hear, and as long again for the exit).
    end_output(status)
    os._exit(status)


if __name__ == "__main__":
    _wait()
