"""Work in another process: one way to start it, wait for it with a timeout, and say in one
line why it failed.

A :class:`Child` is either a new interpreter running ``python -m MODULE`` (it imports what it
needs and waits for its input on stdin: the site build's prewarmed child, the search index's
workers) or a fork of this process (it has imported everything already: ``candor build``,
a cold build's read-ahead). Either way the caller reads the child's stdout as its result and
gets a :class:`ChildError` with the last line the child wrote to stderr when it fails, or when
it runs past its timeout (the child is then killed).
"""

from __future__ import annotations

import gc
import logging
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from typing import BinaryIO

from .config import ROOT

logger = logging.getLogger(__name__)
EXIT_STATUS = b"\n\x00exit status "  # what ``end_output`` writes last
_exiting: list[subprocess.Popen] = []  # children that said their status, not yet reaped


class ChildError(RuntimeError):
    """A child process failed or timed out; ``status`` is its exit status (``None``: killed
    after its timeout) and the message one line saying why."""

    def __init__(self, message: str, status: int | None) -> None:
        super().__init__(message)
        self.status = status


def one_line(text: str, fallback: str) -> str:
    """The last non-empty line of ``text`` (a child's stderr), else ``fallback``."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else fallback


def can_fork() -> bool:
    """Whether this process may fork: only with a single thread, since a fork copies no other
    thread and any lock one of them holds stays held in the child. A timer thread gets a tenth
    of a second to end: the rate limiter's memory storage starts one that ends 10 ms after the
    app is created, just before ``candor build`` runs."""
    if not hasattr(os, "fork"):
        return False
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer) and thread is not threading.current_thread():
            thread.join(0.1)
    return threading.active_count() == 1


def end_output(status: int) -> None:
    """In a child started by :meth:`Child.start`: say its exit status and close its stdout,
    so that the parent has its result without waiting for the process to go (an exit that
    frees a large build's memory takes a tenth of a second)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.write(1, EXIT_STATUS + str(status).encode())
    os.close(1)


class Child:
    """One child process: its stdin (``send``), its stdout (the result) and its stderr (kept
    in a temporary file, so a chatty child never blocks on a full pipe)."""

    def __init__(self, pid: int, stdin: BinaryIO | None, stdout_fd: int, errors: BinaryIO,
                 proc: subprocess.Popen | None = None) -> None:
        self.pid, self.stdin, self._out, self._errors = pid, stdin, stdout_fd, errors
        self._proc = proc
        self.status: int | None = None

    @classmethod
    def start(cls, module: str, *args: str, env: Mapping[str, str] | None = None) -> Child:
        """``python -m module args…`` in a new interpreter, in the project's folder."""
        _exiting[:] = [proc for proc in _exiting if proc.poll() is None]
        errors = tempfile.TemporaryFile()
        environ = dict(os.environ if env is None else env)
        environ["PYTHONPATH"] = os.pathsep.join(
            dict.fromkeys(p for p in (str(ROOT), environ.get("PYTHONPATH", "")) if p))
        proc = subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, env=environ,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors)
        return cls(proc.pid, proc.stdin, proc.stdout.fileno(), errors, proc)

    @classmethod
    def fork(cls, work: Callable[[BinaryIO], int]) -> Child:
        """Run ``work(stdout)`` in a fork of this (single-threaded, see :func:`can_fork`)
        process; its return value is the exit status. Nothing of the parent is collected or
        finalised in the fork, and it never returns into the caller's code."""
        errors = tempfile.TemporaryFile()
        read_end, write_end = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                gc.freeze()
                os.close(read_end)
                signal.signal(signal.SIGINT, signal.default_int_handler)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                os.dup2(errors.fileno(), 2)
                sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115 (the fork's own)
                with os.fdopen(write_end, "wb") as out:
                    status = work(out)
            except BaseException as exc:  # noqa: BLE001 (said in one line, the fork ends)
                sys.stderr.write(f"{type(exc).__name__}: {' '.join(str(exc).split())}\n")
            finally:
                sys.stderr.flush()
                os._exit(status)
        os.close(write_end)
        return cls(pid, None, read_end, errors)

    def send(self, data: bytes) -> None:
        """Write ``data`` to the child's stdin; a child that has gone raises ``ChildError``."""
        try:
            self.stdin.write(data)
            self.stdin.flush()
        except BrokenPipeError:
            raise ChildError(self._reason(self._wait_exit()), self.status) from None

    def close_input(self) -> None:
        """End the child's stdin (EOF: a waiting child ends quietly)."""
        if self.stdin and not self.stdin.closed:
            try:
                self.stdin.close()
            except BrokenPipeError:
                pass

    def alive(self) -> bool:
        return self._proc.poll() is None if self._proc else self.status is None

    def result(self, timeout: float, what: str = "a child process",
               waiting: Callable[[], None] | None = None, ok: tuple[int, ...] = (0,)) -> bytes:
        """Wait up to ``timeout`` seconds for the child to end; return its stdout. Raises
        ``ChildError`` (one line) when its exit status is not in ``ok`` or it ran too long.
        ``waiting`` is called about every 0.1 s meanwhile (a spinner)."""
        self.close_input()
        chunks: list[bytes] = []
        deadline = time.monotonic() + timeout
        done = False
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self._out, selectors.EVENT_READ)
                while (remaining := deadline - time.monotonic()) > 0:
                    if selector.select(min(remaining, 0.1) if waiting else remaining):
                        if not (chunk := os.read(self._out, 1 << 20)):
                            done = True
                            break
                        chunks.append(chunk)
                    if waiting:
                        waiting()
        finally:
            os.close(self._out) if self._proc is None else self._proc.stdout.close()
            if not done:  # timed out or interrupted (e.g. Ctrl-C): the child ends too
                self.kill()
        if not done:
            self._errors.close()
            raise ChildError(f"{what} took longer than {timeout:g} s", None)
        output, said, status_text = b"".join(chunks).rpartition(EXIT_STATUS)
        if said and self._proc is not None and status_text.strip().lstrip(b"-").isdigit():
            # It said its status and closed its output (:func:`end_output`): not waiting
            # for it to go (reaped when another child starts).
            self.status = status = int(status_text)
            _exiting.append(self._proc)
        else:
            output, status = b"".join(chunks), self._wait_exit()
        if status not in ok:
            raise ChildError(self._reason(status), status)
        if stderr := self.stderr():
            logger.warning("%s reported:\n%s", what, stderr)
        return output

    def stderr(self) -> str:
        """What the child wrote to stderr (after it ended)."""
        if self._errors.closed:
            return ""
        self._errors.seek(0)
        text = self._errors.read().decode(errors="replace").strip()
        self._errors.close()
        return text

    def kill(self) -> None:
        """End the child now and reap it."""
        if self.status is not None:
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._wait_exit()

    def _wait_exit(self) -> int:
        if self.status is None:
            if self._proc is not None:
                self.status = self._proc.wait()
            else:
                self.status = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        return self.status

    def _reason(self, status: int) -> str:
        return one_line(self.stderr(), f"exited with status {status}")
