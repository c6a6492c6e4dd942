"""Writing a whole new Whoosh index, spread over worker processes when it is big.

Whoosh analyses text and writes postings in pure Python, one core's worth: at 100,000 posts
one writer indexed ~730 posts/s here, two worker processes ~1,400. The parent reads the
documents (from the database) and deals them out in batches, round robin, through each
worker's stdin; each worker writes one segment into the new folder, and the index exists
once the parent writes the table of contents listing those segments in worker order, so a
given input always gets the same document numbers (ties in ranking go to the lower one).
Workers are plain ``python -m`` child processes: nothing of the parent (its threads, its
database connections, its ``__main__``) is forked or re-imported in them. Small indexes are
written in this process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from itertools import chain, islice
from pathlib import Path

from whoosh import index
from whoosh.fields import Schema
from whoosh.index import TOC
from whoosh.writing import SegmentWriter

from .whoosh_codec import CandorCodec

# Postings each writer sorts in memory before spilling a sorted run to disk (runs are merged
# a posting at a time in Python): 20,000 posts fit in 512 MB and indexed 1.2-1.7x faster
# here than with Whoosh's default 128; bigger rebuilds spill, so memory stays bounded.
POOL_MB = 512
PARALLEL_FROM = 5000  # documents; fewer are indexed in this process
MAX_WORKERS = 4
BATCH = 200


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
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    workers = []
    try:
        for _ in range(procs):
            errors = tempfile.TemporaryFile()
            workers.append((subprocess.Popen(
                [sys.executable, "-m", __name__, str(folder)], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=errors, env=env), errors))
        batches = iter(lambda: list(islice(fields, BATCH)), [])
        for n, batch in enumerate(batches):
            _send(workers[n % procs], batch)
        for worker in workers:
            _send(worker, None)
        return [_receive(worker) for worker in workers]
    finally:
        for process, errors in workers:
            if process.poll() is None:
                process.kill()
            process.wait()
            errors.close()


def _send(worker: tuple, batch: list | None) -> None:
    process, _ = worker
    try:
        pickle.dump(batch, process.stdin, pickle.HIGHEST_PROTOCOL)
        if batch is None:
            process.stdin.close()
    except BrokenPipeError:
        raise RuntimeError(_failure(worker)) from None


def _receive(worker: tuple):
    process, _ = worker
    result = process.stdout.read()
    if process.wait() != 0 or not result:
        raise RuntimeError(_failure(worker))
    return pickle.loads(result)  # noqa: S301 (our own child's output)


def _failure(worker: tuple) -> str:
    process, errors = worker
    process.wait()
    errors.seek(0)
    lines = errors.read().decode(errors="replace").strip().splitlines()
    return f"an indexing worker failed: {lines[-1] if lines else process.returncode}"


def _work(folder: str) -> None:
    """One worker: the batches on stdin into one segment, pickled to stdout."""
    writer = SegmentWriter(index.open_dir(folder), _lk=False, limitmb=POOL_MB,
                           codec=CandorCodec())
    while (batch := pickle.load(sys.stdin.buffer)) is not None:  # noqa: S301 (our parent)
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
