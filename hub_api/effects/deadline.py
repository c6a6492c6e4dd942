"""A hard wall-clock deadline for a socket conversation (HTTP to a feed or webhook, SMTP).

A socket timeout bounds one read, so a server that trickles a byte every few seconds keeps
a conversation alive for ever. ``Deadline.watch(sock)`` shuts the socket down when the
deadline passes, whatever the conversation is doing at that moment (connecting TLS, reading
headers, reading the body), so the blocked call returns and the caller raises in words.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Deadline:
    """``seconds`` from now; ``remaining()`` feeds per-operation timeouts."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.hit = False

    def remaining(self, floor: float = 0.05) -> float:
        return max(floor, self.at - time.monotonic())

    def expired(self) -> bool:
        return self.hit or time.monotonic() >= self.at

    @contextmanager
    def watch(self, sock: socket.socket) -> Iterator[None]:
        """Shut ``sock`` down at the deadline (a timer thread; cancelled on exit)."""
        def cut() -> None:
            self.hit = True
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed
        timer = threading.Timer(max(0.0, self.at - time.monotonic()), cut)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
