"""Periodic work as named jobs: one scheduler thread, each job single-flight.

However many processes or nodes start, only the leader (``leader.py``) runs jobs
(``candor serve`` in-process, or ``candor worker`` alone); the outbox drain is one of them.
A job that fails logs why and runs again at its next tick; it never takes the web process
down.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from ..operations.records import job_finished
from .leader import RETRY, leader

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    every: float
    run: Callable[[Flask], None]
    due: float = 0.0
    last_error: str | None = None


class Scheduler:
    """Runs the app's jobs when they fall due, or at once when nudged."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.jobs: dict[str, Job] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._elected: list[Callable[[Flask], None]] = []

    def add(self, name: str, every: float, run: Callable[[Flask], None]) -> None:
        self.jobs[name] = Job(name, every, run)

    def on_elected(self, run: Callable[[Flask], None]) -> None:
        """Run ``run(app)`` each time this process becomes the leader (catch-up work)."""
        self._elected.append(run)

    def nudge(self, name: str) -> None:
        """Make ``name`` due now (a no-op in processes that do not run jobs)."""
        if name in self.jobs:
            self.jobs[name].due = 0.0
            self._wake.set()

    def start(self) -> None:
        """Run the jobs in a daemon thread of this process."""
        self._thread = threading.Thread(target=self.run_forever, name="candor-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(10)

    def run_forever(self) -> None:
        lead = leader(self.app)
        while not self._stop.is_set():
            if not lead.try_acquire():
                self._stop.wait(RETRY)  # another process leads; take over when it is gone
                continue
            log.info("this process is the leader: it runs %s", ", ".join(self.jobs))
            for run in self._elected:
                try:
                    run(self.app)
                except Exception:  # catch-up work must not stop the jobs
                    log.exception("catch-up work after the election failed")
            while not self._stop.is_set() and lead.still_held():
                self.run_due()
                soon = time.monotonic() + RETRY
                next_due = min((j.due for j in self.jobs.values()), default=soon)
                self._wake.wait(min(RETRY, max(0.0, next_due - time.monotonic())))
                self._wake.clear()
        lead.release()

    def run_due(self) -> None:
        """Run every job that is due, one after the other."""
        for job in self.jobs.values():
            if job.due > time.monotonic():
                continue
            job.due = time.monotonic() + job.every
            started = time.monotonic()
            try:
                with self.app.app_context():
                    job.run(self.app)
                job.last_error = None
            except Exception as exc:  # a failing job is retried at its next tick
                job.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("job %s failed; it runs again in %.0fs", job.name, job.every)
            job_finished(self.app.extensions["candor_engine"], job.name,
                         time.monotonic() - started, job.last_error)


def init_app(app: Flask) -> None:
    from . import outbox

    app.extensions["candor_jobs"] = Scheduler(app)
    app.cli.add_command(worker_command)
    outbox.init_app(app)


def scheduler(app: Flask | None = None) -> Scheduler:
    return (app or current_app).extensions["candor_jobs"]


@click.command("worker")
@with_appcontext
def worker_command() -> None:
    """Run the background jobs alone (for deployments with several web processes)."""
    jobs = scheduler()
    click.echo(f"Running jobs: {', '.join(jobs.jobs) or 'none'} (Ctrl+C stops)")
    try:
        jobs.run_forever()
    except KeyboardInterrupt:
        jobs.stop()
