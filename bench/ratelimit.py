"""Cost of the HMAC-keyed rate limiter on a limited write route (POST /ask, rejected as empty).

Compares, in one run: limiter off, memory storage, Redis storage (if 127.0.0.1:6379 answers).
Each request comes from a different address, so no limit is hit and every request pays the
full cost (HMAC of the address + a counter hit). Prints median µs per request and the ratio
to "off". Usage: python bench/ratelimit.py [requests]
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

from hub_api import create_app
from hub_api.migrate import upgrade


def measure(storage: str | None, n: int) -> list[float]:
    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp / 'candor.db'}"
    upgrade(url)
    config = {"TESTING": True, "INSTANCE": tmp, "DATABASE_URL": url, "SECRET_KEY": "bench",
              "SITE": tmp / "site", "AUTO_BUILD": False, "RATELIMIT_ENABLED": storage is not None,
              "RATELIMIT_STORAGE_URL": storage or "memory://", "FORM_TOKEN_REQUIRED": False}
    app = create_app(config)
    client = app.test_client()
    times = []
    for i in range(n):
        client.environ_base["REMOTE_ADDR"] = f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"
        started = time.perf_counter()
        response = client.post("/ask", data={"display_name": "", "title": "", "body": ""})
        times.append(time.perf_counter() - started)
        assert response.status_code == 400, response.status_code
    app.extensions["candor_engine"].dispose()
    return times


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    runs = {"off": None, "memory": "memory://", "redis": "redis://127.0.0.1:6379/11"}
    results = {}
    for name, storage in runs.items():
        try:
            results[name] = statistics.median(measure(storage, n)) * 1e6
        except Exception as exc:  # noqa: BLE001 — e.g. no Redis here: report and go on
            print(f"{name}: skipped ({type(exc).__name__}: {str(exc)[:80]})")
    for name, micros in results.items():
        print(f"{name:7s} median {micros:8.1f} µs/request  ×{micros / results['off']:.2f} vs off")


if __name__ == "__main__":
    main()
