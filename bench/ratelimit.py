"""Cost of the HMAC-keyed rate limiter on a limited write route (POST /ask, rejected as empty).

Compares, in one run and interleaved round by round (the machine is shared and noisy):
limiter off, memory storage, Redis storage (if 127.0.0.1:6379 answers). Each request comes
from a different address, so no limit is hit and every request pays the full cost (HMAC of
the address + a counter hit). Prints the median µs per request and the ratio to "off".
Usage: python bench/ratelimit.py [rounds] [requests per round]
"""

import statistics
import sys
import tempfile
import time
from itertools import count
from pathlib import Path

from hub_api import create_app
from hub_api.migrate import upgrade

ADDRESSES = count()


def make_client(storage: str | None):
    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp / 'candor.db'}"
    upgrade(url)
    app = create_app({
        "TESTING": True, "INSTANCE": tmp, "DATABASE_URL": url, "SECRET_KEY": "bench",
        "SITE": tmp / "site", "AUTO_BUILD": False, "RATELIMIT_ENABLED": storage is not None,
        "RATELIMIT_STORAGE_URL": storage or "memory://", "FORM_TOKEN_REQUIRED": False})
    if storage and storage.startswith("redis"):
        app.extensions["candor_daily_key"].today()  # fails fast when Redis is absent
    return app.test_client()


def run(client, n: int) -> list[float]:
    times = []
    for _ in range(n):
        i = next(ADDRESSES)
        client.environ_base["REMOTE_ADDR"] = f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"
        started = time.perf_counter()
        response = client.post("/ask", data={"display_name": "", "title": "", "body": ""})
        times.append(time.perf_counter() - started)
        assert response.status_code == 400, response.status_code
    return times


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    per_round = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    clients = {}
    for name, storage in {"off": None, "memory": "memory://",
                          "redis": "redis://127.0.0.1:6379/11"}.items():
        try:
            clients[name] = make_client(storage)
        except Exception as exc:  # noqa: BLE001 — e.g. no Redis here: report and go on
            print(f"{name}: skipped ({type(exc).__name__}: {str(exc)[:80]})")
    times: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(rounds):
        for name, client in clients.items():
            times[name] += run(client, per_round)
    base = statistics.median(times["off"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:7s} median {median * 1e6:8.1f} µs/request  ×{median / base:.2f} vs off "
              f"({len(values)} requests)")


if __name__ == "__main__":
    main()
