"""One way to start a ``candor serve`` node and talk to it, for tests and ``bench/`` alike.

Standard library only (no pytest, no ``hub_api``), so a benchmark imports it as it is and the
node runs the code of whatever checkout ``cwd`` names. A node is a real process on a free
loopback port, ready once ``/healthz`` answers 200; ``kill -9`` is ``stop(signal.SIGKILL)``.
"""

from __future__ import annotations

import html
import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any, TypeVar
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
SERVE = "from hub_api.cli import main; main()"  # ``candor`` without its console script
_T = TypeVar("_T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, body: Any = None,
            headers: Mapping[str, str] | None = None, source: str = "127.0.0.1",
            timeout: float = 20.0) -> tuple[int, bytes]:
    """One request from ``source`` (any 127.x address: a reader of its own); a ``body`` is
    sent as JSON. Returns the status and the body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                      source_address=(source, 0))
    try:
        conn.request(method, path, json.dumps(body) if body is not None else None,
                     {"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_for(condition: Callable[[], _T], seconds: float, what: str) -> _T:
    """Poll ``condition`` until it is truthy and return it; ``TimeoutError`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {seconds:g} s for {what}")
        time.sleep(0.2)


def cli(env: Mapping[str, str], *args: str, cwd: Path = ROOT) -> str:
    """Run ``candor ARGS`` to completion; its output, or ``CalledProcessError``."""
    return subprocess.run([sys.executable, "-c", SERVE, *args], env=dict(env), cwd=cwd,
                          check=True, capture_output=True, text=True, input="").stdout


class Node:
    """``candor serve`` with ``env`` on a free port, started and ready (or ``TimeoutError``)."""

    def __init__(self, env: Mapping[str, str], log: IO[bytes] | int = subprocess.DEVNULL, *,
                 cwd: Path = ROOT, ready_within: float = 90.0) -> None:
        for attempt in range(3):  # a free port can be taken before the server binds it
            self.port = free_port()
            self.proc = subprocess.Popen(
                [sys.executable, "-c", SERVE, "serve", "--port", str(self.port)],
                env=dict(env), stdout=log, stderr=log, cwd=cwd)
            try:
                wait_for(self.up, ready_within, f"candor serve on port {self.port}")
                return
            except RuntimeError:  # it exited (the log says why): try once more, then give up
                if attempt == 2:
                    raise
            except BaseException:
                self.stop(signal.SIGKILL)
                raise

    def up(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"candor serve exited with {self.proc.returncode}")
        try:
            return request(self.port, "GET", "/healthz", timeout=5)[0] == 200
        except (OSError, http.client.HTTPException):
            return False

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> None:
        """Send ``sig`` (SIGKILL: a crash) and wait for the process to end."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(timeout)


_COOKIE = re.compile(r"^([^=;\s]+)=([^;]*)")
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


class Browser:
    """A staff member's browser on a node: keeps its cookies, sends the forms' hidden fields."""

    def __init__(self, port: int, source: str = "127.0.0.1") -> None:
        self.port, self.source = port, source
        self.cookies: dict[str, str] = {}

    def _send(self, method: str, path: str, form: Mapping[str, str] | None = None,
              timeout: float = 60.0) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                          source_address=(self.source, 0))
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, urlencode(form) if form is not None else None, headers)
            response = conn.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                if found := _COOKIE.match(header):
                    self.cookies[found[1]] = found[2]
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def get(self, path: str) -> tuple[int, str]:
        return self._send("GET", path)

    def submit(self, page: str, action: str, fields: Mapping[str, str],
               timeout: float = 60.0) -> tuple[int, str]:
        """Load ``page``, then post ``fields`` with the page's hidden fields (form tokens,
        the CSRF token) to ``action``, as the page's form would."""
        status, text = self.get(page)
        if status != 200:
            return status, text
        hidden = {name: html.unescape(value) for name, value in _HIDDEN.findall(text)}
        return self._send("POST", action, {**hidden, **fields}, timeout)

    def log_in(self, email: str, password: str) -> None:
        status, text = self.submit("/staff/login", "/staff/login",
                                   {"email": email, "password": password, "website": ""})
        if status != 303:
            raise RuntimeError(f"signing in as {email} failed ({status})")
