"""Writing a whole new Whoosh index, spread over worker processes when it is big.

Whoosh analyses text and writes postings in pure Python, one core's worth: at 100,000 posts
one writer indexed ~730 posts/s here, two worker processes ~1,400. The parent reads the
documents (from the database) and deals them out in batches, round robin, through each
worker's stdin; each worker writes one segment into the new folder, and the index exists
once the parent writes the table of contents listing those segments in worker order, so a
given input always gets the same document numbers (ties in ranking go to the lower one).
Workers are plain ``python -m`` child processes (:class:`hub_api.childproc.Child`): nothing of
the parent (its threads, its database connections, its ``__main__``) is forked or re-imported
in them. Small indexes are
written in this process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import os
import pickle
import shutil
import sys
from collections.abc import Iterator
from itertools import chain, islice
from pathlib import Path

from whoosh import index
from whoosh.fields import Schema
from whoosh.index import TOC
from whoosh.writing import SegmentWriter

from ..childproc import Child, ChildError
from .whoosh_codec import CandorCodec

# Postings each writer sorts in memory before spilling a sorted run to disk (runs are merged
# a posting at a time in Python): 20,000 posts fit in 512 MB and indexed 1.2-1.7x faster
# here than with Whoosh's default 128; bigger rebuilds spill, so memory stays bounded.
POOL_MB = 512
PARALLEL_FROM = 5000  # documents; fewer are indexed in this process
MAX_WORKERS = 4
BATCH = 200
WORKER_TIMEOUT = 6 * 3600


def workers_available() -> int:
    return min(MAX_WORKERS, len(os.sched_getaffinity(0)))


def write_index(folder: Path, schema: Schema, fields: Iterator[dict]) -> None:
    """Create an index of ``fields`` (one dict per document) in the empty ``folder``."""
    ix = index.create_in(str(folder), schema)
    first = list(islice(fields, PARALLEL_FROM))
    procs = workers_available()
    if len(first) < PARALLEL_FROM or procs < 2:
        writer = ix.writer(limitmb=POOL_MB, codec=CandorCodec())
        try:
            for doc in chain(first, fields):
                writer.add_document(**doc)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return
    segments = _in_workers(folder, chain(first, fields), procs)
    shutil.rmtree(folder / f"{ix.indexname}.tmp", ignore_errors=True)
    TOC(schema, [s for s in segments if s is not None], ix.latest_generation() + 1) \
        .write(ix.storage, ix.indexname)


def _in_workers(folder: Path, fields: Iterator[dict], procs: int) -> list:
    workers = [Child.start(__name__, str(folder)) for _ in range(procs)]
    try:
        batches = iter(lambda: list(islice(fields, BATCH)), [])
        for n, batch in enumerate(batches):
            workers[n % procs].send(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
        return [pickle.loads(worker.result(WORKER_TIMEOUT, "an indexing worker"))  # noqa: S301
                for worker in workers]  # (our own children's output)
    except ChildError as exc:
        raise RuntimeError(f"an indexing worker failed: {exc}") from None
    finally:
        for worker in workers:
            worker.kill()


def _work(folder: str) -> None:
    """One worker: the batches on stdin into one segment, pickled to stdout."""
    writer = SegmentWriter(index.open_dir(folder), _lk=False, limitmb=POOL_MB,
                           codec=CandorCodec())
    while True:
        try:
            batch = pickle.load(sys.stdin.buffer)  # noqa: S301 (our parent's)
        except EOFError:
            break
        for doc in batch:
            writer.add_document(**doc)
    # Not ``_finish()``: it would delete the temporary folder the other workers share.
    segment = writer._finalize_segment() if writer._added else writer._close_segment()
    sys.stdout.buffer.write(pickle.dumps(segment, pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    try:
        _work(sys.argv[1])
    except Exception as exc:
        sys.stderr.write(f"{type(exc).__name__}: {' '.join(str(exc).split())}\n")
        sys.exit(1)
