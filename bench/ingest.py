"""Feed ingest throughput: fetch (loopback server) + feedparser + nh3 + de-duplicate + store.

    python bench/ingest.py [--feeds 10] [--entries 200] [--rounds 3]

Each round follows ``--feeds`` fresh feeds of ``--entries`` entries each (HTML with links,
bold and a script to strip) in a private SQLite instance and fetches them all; a second
fetch of the same feeds measures the de-duplication path. Goal (issue 4): >= 200 entries/s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from hub_api.curation.feeds import add_feed, fetch_feeds  # noqa: E402
from hub_api.db import make_engine, session_scope  # noqa: E402
from hub_api.migrate import upgrade  # noqa: E402
from hub_api.models import Entry, Feed  # noqa: E402
from tests.feedserver import FeedServer  # noqa: E402


def one_round(server: FeedServer, feeds: int, entries: int, offset: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="candor-ingest-") as tmp:
        url = f"sqlite:///{tmp}/candor.db"
        upgrade(url)
        engine = make_engine(url)
        with session_scope(engine) as s:
            for k in range(feeds):
                # A distinct entry count per feed gives distinct links: nothing is a duplicate.
                add_feed(s, server.url(f"/generated/{entries + offset + k}.xml"))
        timings = []
        for _pass in range(2):
            with session_scope(engine) as s:
                rows = list(s.scalars(select(Feed)))
                started = time.perf_counter()
                fetch_feeds(s, rows, allow_private=True)
                timings.append(time.perf_counter() - started)
        with session_scope(engine) as s:
            stored = s.scalar(select(func.count()).select_from(Entry))
        engine.dispose()
    expected = sum(entries + offset + k for k in range(feeds))
    assert stored == expected, (stored, expected)
    return stored / timings[0], stored / timings[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    first, again = [], []
    with FeedServer() as server:
        for r in range(args.rounds):
            new_rate, dup_rate = one_round(server, args.feeds, args.entries, r * args.feeds)
            first.append(new_rate)
            again.append(dup_rate)
            print(f"round {r + 1}: {new_rate:7.0f} new entries/s, {dup_rate:7.0f} entries/s "
                  f"when all are duplicates", flush=True)
    print(f"median over {args.rounds} rounds of {args.feeds} feeds x ~{args.entries} entries: "
          f"{statistics.median(first):.0f} entries/s ingested (goal >= 200), "
          f"{statistics.median(again):.0f} entries/s re-fetched as duplicates")


if __name__ == "__main__":
    main()
