"""Building the static site: atomic, single-flight, debounced.

``build_site`` runs Pelican in a separate process (Pelican changes process-wide state such
as the locale) into a fresh folder ``<SITE>.builds/<stamp>``, then points the ``SITE``
symlink at it with one ``os.replace``, so readers never see a half-built site. The
previous build is kept for requests still reading it; older ones are deleted.

``Builder`` rebuilds in the background when the web process signals a change that static
pages show; ``candor build`` runs one build in the foreground. :func:`build_site` is the one
entry point (the leader calls it).
"""

from __future__ import annotations

import fcntl
import functools
import logging
import os
import pickle
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from blinker import NamedSignal
from flask import Flask, current_app

from ..childproc import Child, ChildError, can_fork
from ..effects.jobs import scheduler
from ..effects.outbox import on
from ..operations.records import build_finished
from ..signals import (
    answer_edited,
    answer_posted,
    curated_picked,
    people_changed,
    question_asked,
    question_changed,
    question_deleted,
    question_edited,
    question_hidden,
    site_changed,
)
from .child import DATABASE_VARIABLE, Changes, Job, forked
from .page_store import LISTS, PAGES, builds_dir, garbage
from .reuse import (
    FULL_BUILD_NEEDED,
    TREES,
    FullBuildNeeded,
    link_tree,
    live_tree,
    tree_additions,
    tree_record,
)
from .settings import build_config, cache_path, stale_caches

logger = logging.getLogger(__name__)

BUILD_TIMEOUT = 30 * 60
LOCK_NAME = "build.lock"
CHILD = "hub_api.site.child"
# Signals whose effects static pages show (a new question: /questions/ and the sitemap; the
# company's identity: every page).
SITE_SIGNALS = (question_asked, answer_posted, answer_edited, question_changed, people_changed,
                curated_picked, question_edited, question_deleted, question_hidden, site_changed)
# What a signal's ``id`` names, for the waiting child's snapshot (:mod:`.snapshot`). A pick
# or the company's identity changes no question; ``people_changed`` (a person or a topic
# renamed, merged, deleted …) may change any, so it leaves what changed unknown.
QUESTION_SIGNALS = (question_asked, question_changed, question_edited, question_deleted,
                    question_hidden)
ANSWER_SIGNALS = (answer_posted, answer_edited)
NO_QUESTION_SIGNALS = (curated_picked, site_changed)


class BuildError(RuntimeError):
    """A site build failed; the message is one line saying why."""


# --- one build ----------------------------------------------------------------------------


@contextmanager
def build_lock(instance: Path) -> Iterator[None]:
    """One build at a time per instance, across threads and processes."""
    instance.mkdir(parents=True, exist_ok=True)
    with open(instance / LOCK_NAME, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _new_build_dir(builds: Path) -> Path:
    builds.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = builds / f"{stamp}-{secrets.token_hex(3)}"
    path.mkdir()
    return path


# One idle child, started when a background build starts: it has imported Pelican, the
# plugin and the database layer, read Pelican's content cache (about a second at 10,000
# articles) and the questions and answers (four seconds at 100,000), before the next change
# arrives.
_spares: dict[str, Child] = {}
_spares_lock = threading.Lock()


def _hand_to_spare(job: Job) -> Child:
    """Send ``job`` to the waiting child for its settings (a new child if there is none),
    then start a new one waiting for the next build, which reads ahead once this build ends
    (:func:`hub_api.site.child.running`); a spare for other settings ends (EOF)."""
    key = repr(sorted(job.candor.items()))
    with _spares_lock:
        spare = _spares.pop(key, None)
        for other in _spares.values():
            other.close_input()
        _spares.clear()
        child = spare if spare is not None and spare.alive() else Child.start(CHILD)
        child.send(pickle.dumps(job, pickle.HIGHEST_PROTOCOL))
        database = job.candor["DATABASE_URL"]
        _spares[key] = Child.start(CHILD, str(cache_path(Path(job.candor["INSTANCE"]))), env={
            **os.environ, **({DATABASE_VARIABLE: database} if database else {})})
    return child


def run_pelican(config: Mapping, outdir: Path, *, incremental: bool = False,
                prewarm: bool = False, waiting: Callable[[], None] | None = None,
                changed: Changes | None = None) -> None:
    """Run Pelican in a child process into ``outdir``; raise ``BuildError`` if it fails.

    ``incremental``: keep ``outdir/curated`` (the live tree) and add only new articles' pages;
    raises ``FullBuildNeeded`` when that would not give what a full build gives.
    ``prewarm``: use the waiting child if there is one, and leave a new one waiting.
    Otherwise a single-threaded process (``candor build``) forks the child, which then
    imports nothing. ``waiting`` is called about every 0.1 s meanwhile (a spinner).
    ``changed``: what changed since the previous build was handed over (:class:`Builder`),
    so the waiting child reads only those questions again; ``None``: it reads them all.
    """
    job = Job(Path(outdir), incremental, build_config(config), changed)
    if not prewarm and can_fork():
        child = Child.fork(forked(job))
    elif prewarm:
        child = _hand_to_spare(job)
    else:
        child = Child.start(CHILD)
        child.send(pickle.dumps(job, pickle.HIGHEST_PROTOCOL))
    try:
        child.result(BUILD_TIMEOUT, "Pelican", waiting)
    except ChildError as exc:
        if exc.status == FULL_BUILD_NEEDED:
            raise FullBuildNeeded(str(exc)) from None
        raise BuildError(str(exc)) from None


def switch_site(site: Path, build: Path) -> Path | None:
    """Point the ``site`` link at ``build`` atomically; return the build it replaced."""
    previous = site.resolve() if site.is_symlink() else None
    if site.exists() and not site.is_symlink():
        # The old layout, a real folder: move it among the builds once, as "previous".
        previous = builds_dir(site) / f"00000000-legacy-{secrets.token_hex(3)}"
        os.replace(site, previous)
    tmp_link = site.with_name(f".{site.name}.{secrets.token_hex(4)}.tmp")
    os.symlink(os.path.relpath(build, site.parent), tmp_link)
    try:
        os.replace(tmp_link, site)
    except OSError:
        tmp_link.unlink(missing_ok=True)
        raise
    return previous


def stale_builds(site: Path, keep: set[Path]) -> list[Path]:
    """The builds other than ``keep`` (the live one and the one before it), and the curated
    trees none of the kept builds links in, with their records: what ``prune`` deletes."""
    keep = {k.resolve() for k in keep}
    builds = builds_dir(site)
    trees = builds / TREES
    keep_trees = {tree for tree in map(live_tree, keep) if tree}
    stale = [path for path in builds.iterdir()
             if path.resolve() not in keep and path.name not in (TREES, PAGES, LISTS)]
    for tree in [p for p in trees.iterdir() if p.is_dir()] if trees.is_dir() else []:
        if tree.resolve() not in keep_trees:
            stale += [tree, tree_record(tree), tree_additions(tree)]
    return stale


def prune(paths: list[Path]) -> None:
    """Delete ``paths`` (folders with what they hold)."""
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def tidy(stale: list[Path], site: Path, instance: Path) -> None:
    """Delete the ``stale`` builds, then the stored list pages no remaining build links
    (under the build lock: a build running meanwhile may be linking them again)."""
    prune(stale)
    with build_lock(instance):
        prune(garbage(site))


def _build_into(config: Mapping, builds: Path, live: Path | None, full: bool,
                prewarm: bool, waiting: Callable[[], None] | None,
                changed: Changes | None) -> Path:
    """Run one build into a new folder: incremental on the live tree when it can be exact,
    else full into a new tree. Leaves nothing behind when it fails."""
    tree = None if full else live_tree(live)
    if tree is not None:
        outdir = _new_build_dir(builds)
        try:
            link_tree(outdir, tree)
            run_pelican(config, outdir, incremental=True, prewarm=prewarm, waiting=waiting,
                        changed=changed)
            return outdir
        except FullBuildNeeded as exc:
            logger.info("full build: %s", exc)
            shutil.rmtree(outdir, ignore_errors=True)  # unlinks the tree, never enters it
        except BaseException:
            shutil.rmtree(outdir, ignore_errors=True)
            raise
    outdir = _new_build_dir(builds)
    tree = builds / TREES / outdir.name
    try:
        tree.mkdir(parents=True)
        link_tree(outdir, tree)
        run_pelican(config, outdir, prewarm=prewarm, waiting=waiting, changed=changed)
    except BaseException:
        shutil.rmtree(outdir, ignore_errors=True)
        shutil.rmtree(tree, ignore_errors=True)
        tree_record(tree).unlink(missing_ok=True)
        raise
    return outdir


def build_site(config: Mapping, *, full: bool = False, prewarm: bool = False,
               waiting: Callable[[], None] | None = None,
               changed: Changes | None = None) -> Path:
    """Build the site and swap it in atomically; return the new build folder.

    A database change or a new pick renders only the pages they touch (incremental); ``full``
    renders every page; ``prewarm`` keeps a child process ready for the next build (for
    background builds: a change is then published about a second sooner; older builds are
    then deleted in a background thread); ``waiting`` is
    called about every 0.1 s while Pelican runs (a spinner); ``changed``: what changed since
    the previous build was handed to a child (see :func:`run_pelican`). Raises ``BuildError``
    with a one-line reason; the live site is then unchanged.
    """
    site = Path(config["SITE"]).absolute()
    started = time.monotonic()
    try:
        with build_lock(Path(config["INSTANCE"])):
            live = site.resolve() if site.is_symlink() else None
            outdir = _build_into(config, builds_dir(site), live, full, prewarm, waiting,
                                 changed)
            try:
                previous = switch_site(site, outdir)
            except BaseException:
                shutil.rmtree(outdir, ignore_errors=True)
                raise
            stale = stale_builds(site, {outdir} | ({previous} if previous else set()))
            stale += stale_caches(Path(config["INSTANCE"]))
    except Exception as exc:
        build_finished(config, time.monotonic() - started, str(exc) or type(exc).__name__)
        raise
    build_finished(config, time.monotonic() - started, None)
    tidying = (stale, site, Path(config["INSTANCE"]))
    if prewarm:  # nothing reads stale builds: a publish need not wait (seconds at 100,000)
        threading.Thread(target=tidy, args=tidying, name="candor-prune", daemon=True).start()
    else:
        tidy(*tidying)
    logger.info("site built into %s", outdir)
    return outdir


# --- background rebuilds --------------------------------------------------------------------


BACKGROUND_BUILD = functools.partial(build_site, prewarm=True)


class Builder:
    """Debounced, single-flight background builds for the web process.

    ``request()`` never blocks. A daemon thread waits until ``debounce`` seconds pass
    without a new request, then builds once; requests during a build cause exactly one
    more build after it. Failures are logged and kept in ``last_error``, never raised.
    Each build is told what the requests since the previous one started said changed
    (``build(config, changed=…)``, see :func:`run_pelican`).
    """

    def __init__(self, config: Mapping, debounce: float | None = None,
                 build: Callable[..., Path] = BACKGROUND_BUILD) -> None:
        self.config = config
        self.debounce = float(config.get("BUILD_DEBOUNCE", 0.5) if debounce is None else debounce)
        # However steady the stream of changes, a build starts this long after the first.
        self.max_wait = float(config.get("BUILD_MAX_WAIT", 3.0))
        self._build = build
        self._cond = threading.Condition()
        self._pending = False
        self._running = False
        self._last_request = self._first_request = 0.0
        # What changed since the last build started; ``None``: unknown (at first too: builds
        # before this builder's, or in another process, may have left any waiting child).
        self._changed: Changes | None = None
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        self.builds = 0

    def request(self, changed: Changes | None = None) -> None:
        """Mark the site stale; a build follows once requests pause. ``changed``: the
        questions and answers the change touched (``None``: unknown, the next build reads
        every question)."""
        with self._cond:
            self._changed = None if changed is None or self._changed is None \
                else self._changed | changed
            if not self._pending:
                self._first_request = time.monotonic()
            self._pending = True
            self._last_request = time.monotonic()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="candor-site-builder", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until nothing is pending or building; ``False`` if ``timeout`` ran out."""
        with self._cond:
            return self._cond.wait_for(lambda: self._thread is None, timeout)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while True:
                    if not self._pending:
                        self._thread = None
                        self._cond.notify_all()
                        return
                    remaining = min(self._last_request + self.debounce,
                                    self._first_request + self.max_wait) - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
                self._pending = False
                self._running = True
                changed, self._changed = self._changed, Changes()
            self._build_once(changed)
            with self._cond:
                self._running = False

    def _build_once(self, changed: Changes | None) -> None:
        started = time.monotonic()
        try:
            path = self._build(self.config, changed=changed)
        except BuildError as exc:
            self._forget_changes()
            self.last_error = str(exc)
            logger.error("site build failed: %s", exc)
        except Exception as exc:  # a background job must never take the web process down
            self._forget_changes()
            self.last_error = f"{type(exc).__name__}: {exc}"
            logger.exception("site build crashed")
        else:
            self.last_error = None
            logger.info("site rebuilt in %.1fs: %s", time.monotonic() - started, path)
        finally:
            self.builds += 1

    def _forget_changes(self) -> None:
        """After a failed build: the waiting child may not have been handed these changes
        (the build failed before it), so the next build reads every question."""
        with self._cond:
            self._changed = None


# --- Flask integration --------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """With ``AUTO_BUILD``, rebuild when static pages go stale."""
    if not app.config.get("AUTO_BUILD"):
        return
    builder = Builder(app.config)
    app.extensions["candor_builder"] = builder

    def site_stale(signal: NamedSignal, _app: Flask, _session, **extra) -> None:
        builder.request(changes_of(signal, extra.get("id")))

    for signal in SITE_SIGNALS:  # carried out by the leader, from the outbox
        on(app, signal, functools.partial(site_stale, signal))
    # A new leader builds once: its predecessor may have died between an event and its build.
    if "candor_jobs" in app.extensions:
        scheduler(app).on_elected(lambda _app: builder.request())


def changes_of(signal: NamedSignal, id_: int | None) -> Changes | None:
    """What ``signal`` for ``id_`` changed of the questions a build reads (``None``:
    unknown)."""
    if signal in NO_QUESTION_SIGNALS:
        return Changes()
    if id_ is None:
        return None
    if signal in QUESTION_SIGNALS:
        return Changes(questions=frozenset({id_}))
    if signal in ANSWER_SIGNALS:
        return Changes(answers=frozenset({id_}))
    return None


def get_builder(app: Flask | None = None) -> Builder | None:
    """The app's background builder, or ``None`` when ``AUTO_BUILD`` is off."""
    return (app or current_app).extensions.get("candor_builder")
