"""Ask latency with mail on: what a reader waits for when the mail server is slow.

Starts a real SMTP server (aiosmtpd) that takes ``--smtp-delay`` seconds per message (a
remote MTA doing its checks), a fresh SQLite instance with one staff member on a topic, and
``candor serve`` from ``--code`` (this checkout by default; point it at an older checkout,
e.g. ``git archive 37de1bc | tar -x -C /tmp/before``, for the "before" figure). Then asks
``--asks`` questions on that topic one after the other (each routes a mail) and prints the
median and 95th percentile of the answer time, and how long the mails took to arrive.

    python bench/effects.py [--code DIR] [--asks 60] [--smtp-delay 0.2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
SERVE = "from hub_api.cli import main; main()"


class SlowBox:
    def __init__(self, delay: float) -> None:
        self.delay, self.count = delay, 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook
        import asyncio

        await asyncio.sleep(self.delay)
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(code: Path, env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-c", SERVE, *args], env=env, cwd=code, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, input=b"")


def post(port: int, body: dict, source: str) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    conn.request("POST", "/api/v1/questions", json.dumps(body),
                 {"Content-Type": "application/json"})
    status = conn.getresponse().status
    conn.close()
    return status, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=ROOT)
    parser.add_argument("--asks", type=int, default=60)
    parser.add_argument("--smtp-delay", type=float, default=0.2)
    args = parser.parse_args()
    box = SlowBox(args.smtp_delay)
    smtp = Controller(box, hostname="127.0.0.1", port=free_port())
    smtp.start()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(args.code), "CANDOR_INSTANCE": f"{tmp}/instance",
               "CANDOR_SECRET_KEY": "bench", "CANDOR_SITE": f"{tmp}/site",
               "CANDOR_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}", "CANDOR_AUTO_BUILD": "0"}
        cli(args.code, env, "init")
        cli(args.code, env, "topic", "add", "Networking")
        cli(args.code, env, "staff", "add", "--name", "Dana Ortiz", "--email", "dana@example.com",
            "--title", "Engineer", "--roles", "staff,admin", "--topics", "networking",
            "--password", "bench-password-1")
        port = free_port()
        server = subprocess.Popen([sys.executable, "-c", SERVE, "serve", "--port", str(port)],
                                  env=env, cwd=args.code, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            for _ in range(900):
                try:
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            times, started = [], time.perf_counter()
            for n in range(args.asks):
                status, took = post(port, {"title": f"Bench question {n}?", "topic": "networking",
                                           "body": f"Body {n}.", "display_name": "Pat"},
                                    source=f"127.0.{n // 4 + 1}.{n % 4 + 1}")
                assert status == 201, status
                times.append(took)
            while box.count < args.asks and time.perf_counter() - started < 120:
                time.sleep(0.05)
            mails_done = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(10)
            smtp.stop()
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    print(f"code {args.code}: {args.asks} asks, SMTP {args.smtp_delay:g} s per message")
    print(f"ask latency p50 {statistics.median(times) * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms; {box.count} mails delivered "
          f"{mails_done:.1f} s after the first ask")


if __name__ == "__main__":
    main()
