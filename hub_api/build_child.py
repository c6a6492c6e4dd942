"""The site build's child process: one Pelican run, its errors in one line.

``publish.py`` starts it (``python -m hub_api.build_child --wait``) ahead of time, so Pelican
and the plugin are imported before a change arrives; it imports neither Flask nor click.
A process with a single thread (``candor build``) forks it instead (:func:`run_forked`).
By hand, e.g. under a profiler: ``python -m hub_api.build_child OUTDIR [SETTINGS]``.
"""

from __future__ import annotations

import gc
import logging
import os
import selectors
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from .build_reuse import FULL_BUILD_NEEDED, FullBuildNeeded
from .config import ROOT

logger = logging.getLogger(__name__)

def _main(argv: list[str]) -> int:
    """``python -m hub_api.build_child OUTDIR [SETTINGS] [--incremental]``: one Pelican run,
    errors in one line; exit status ``FULL_BUILD_NEEDED`` when incremental cannot be exact."""
    incremental = "--incremental" in argv
    argv = [arg for arg in argv if arg != "--incremental"]
    if not 1 <= len(argv) <= 2:
        sys.stderr.write("usage: python -m hub_api.build_child OUTDIR [SETTINGS] [--incremental]\n")
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    outdir = Path(argv[0]).absolute()
    settings_path = argv[1] if len(argv) > 1 else str(ROOT / "publishconf.py")
    try:
        from pelican.settings import read_settings

        from . import build_reuse
        from .config import load_config

        build_reuse.begin()

        content = str(load_config()["CONTENT"])
        # Every build writes into a fresh folder whose curated/ may be the live tree: Pelican
        # must not clean it.
        settings = read_settings(settings_path, override={
            "OUTPUT_PATH": str(outdir), "PATH": content, "CANDOR_INCREMENTAL": incremental,
            "DELETE_OUTPUT_DIRECTORY": False,
        })
        build_reuse.CandorPelican(settings).run()
    except FullBuildNeeded as exc:
        sys.stderr.write(f"{exc}\n")
        return FULL_BUILD_NEEDED
    except Exception as exc:
        logger.debug("build failed", exc_info=True)
        reason = " ".join(str(exc).split()) or type(exc).__name__
        sys.stderr.write(f"{type(exc).__name__}: {reason}\n")
        return 1
    return 0


def can_fork() -> bool:
    """Whether this process may fork a build: only with a single thread, since a fork copies
    no other thread and any lock one of them holds stays held in the child. A timer thread
    gets a tenth of a second to end: the rate limiter's memory storage starts one that ends
    10 ms after the app is created, just before ``candor build`` runs."""
    if not hasattr(os, "fork"):
        return False
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer) and thread is not threading.current_thread():
            thread.join(0.1)
    return threading.active_count() == 1


def run_forked(env: Mapping[str, str], argv: list[str], timeout: float,
               waiting: Callable[[], None] | None = None) -> tuple[int | None, str]:
    """Build in a fork of this process, which has imported Pelican and the database layer
    already (a new interpreter spends half a second on that); return the exit status (``None``
    after ``timeout`` seconds, the child then killed) and what it wrote to stderr.

    ``waiting`` is called about every 0.1 s meanwhile (a spinner).
    """
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child never returns into the caller's code
        code = 1
        try:
            os.close(read_end)
            code = _forked_child(env, argv, write_end)
        finally:
            os._exit(code)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    status: int | None = None
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(read_end, selectors.EVENT_READ)
            while (remaining := deadline - time.monotonic()) > 0:
                if selector.select(min(remaining, 0.1) if waiting else remaining):
                    if not (chunk := os.read(read_end, 65536)):  # the child has exited
                        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
                        break
                    chunks.append(chunk)
                if waiting:
                    waiting()
    finally:
        os.close(read_end)
        if status is None:  # timed out or interrupted (e.g. Ctrl-C): the build ends too
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    return status, b"".join(chunks).decode(errors="replace")


def _forked_child(env: Mapping[str, str], argv: list[str], stderr_fd: int) -> int:
    """In the fork: what a new child would have (environment, paths, signal handlers, new
    standard streams), then one build. The parent's objects are never collected here, so
    none of their finalizers (a temporary folder's, say) runs in the child."""
    gc.freeze()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.dup2(stderr_fd, 2)
    os.close(stderr_fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    sys.stdout = open(1, "w", closefd=False)  # Pelican's summary line: discarded, as before
    sys.stderr = open(2, "w", closefd=False)
    for each in [logging.root, *logging.root.manager.loggerDict.values()]:
        if isinstance(each, logging.Logger):  # _main logs to the new stderr instead
            each.handlers.clear()
    os.environ.clear()
    os.environ.update(env)
    sys.path[:0] = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    os.chdir(ROOT)
    status = _main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    return status


def _wait() -> int:
    """``python -m hub_api.build_child --wait``: import first, then build with the arguments
    read from stdin (NUL-separated, one line); end quietly if the parent goes away."""
    from pelican.settings import read_settings  # noqa: F401  (the imports are the point)

    from . import build_reuse, pelican_plugin  # noqa: F401

    line = sys.stdin.readline()
    return _main(line.rstrip("\n").split("\0")) if line.strip() else 0


if __name__ == "__main__":
    if sys.argv[1:] != ["--wait"]:  # by hand, e.g. under a profiler
        sys.exit(_main(sys.argv[1:]))
    status = _wait()
    # Every file is written and closed: skip tearing down 10,000 articles' objects (a few
    # tenths of a second the publish latency would wait for).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
