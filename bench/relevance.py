"""Relevance benchmark: Candor's two backends against a SQLite FTS5 BM25 baseline, one run.

The documents are the real Stack Exchange samples (a thread = the question and its answers,
as Candor indexes an imported thread); the queries are ``relevance_queries.tsv``, written by
hand from the question titles before any ranking change (see its header). For each engine:
MRR@10, success@1, success@5 and nDCG@10, overall and per tag (paraphrase, typo, plural,
hyphen, acronym), with Candor's ratio to the baseline. PostgreSQL runs in a database of its
own, dropped afterwards, and is skipped with a note when the server is unreachable.

    python bench/relevance.py [--data /work/shared/data/stackexchange] [--site coffee]
                              [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test] [--misses]
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import re
import sqlite3
import sys
import tempfile
import xml.etree.ElementTree as ET  # noqa: S405 — our own sample files
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from hub_api.search import spelling  # noqa: E402
from hub_api.search.documents import Document, plain  # noqa: E402
from hub_api.search.query import parse  # noqa: E402

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "relevance_queries.tsv"
DATA = Path(os.environ.get("CANDOR_STACKEXCHANGE_DATA", "/work/shared/data/stackexchange"))
DEPTH = 10  # one results page


@dataclass(frozen=True)
class Judged:
    site: str
    relevant: tuple[str, ...]  # doc ids, best first
    tags: str
    text: str


def load_queries(path: Path = QUERIES, sites: tuple[str, ...] = ()) -> list[Judged]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        site, ids, tags, text = line.split("\t")
        if not sites or site in sites:
            found.append(Judged(site, tuple(f"thread:{site}-{i}" for i in ids.split(",")),
                                tags, text))
    return found


def load_threads(path: Path) -> list[Document]:
    """``<site>-Posts.xml`` (or ``.xml.gz``) as Candor's thread documents."""
    site = path.name.split("-")[0]
    opened = gzip.open(path) if path.suffix == ".gz" else open(path, "rb")
    questions: dict[str, dict] = {}
    answers: dict[str, list[str]] = {}
    with opened as fh:
        for _event, row in ET.iterparse(fh):  # noqa: S314
            if row.tag != "row":
                continue
            if row.get("PostTypeId") == "1":
                questions[row.get("Id")] = dict(row.attrib)
            elif row.get("PostTypeId") == "2":
                answers.setdefault(row.get("ParentId"), []).append(row.get("Body", ""))
            row.clear()
    return [Document(kind="thread", ref=f"{site}-{qid}", title=plain(q.get("Title", "")),
                     body=plain("\n".join([q.get("Body", ""), *answers.get(qid, [])])),
                     url=f"/q/{site}-{qid}", answered=bool(answers.get(qid)))
            for qid, q in questions.items()]


# -- the baseline: OR of the words, Porter stemming, BM25 with the title weighted 5x ---------

class Fts5Baseline:
    def __init__(self, docs: list[Document]):
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE docs USING fts5(doc_id UNINDEXED, title, body, "
                        "tokenize='porter')")
        with self.db:
            self.db.executemany("INSERT INTO docs VALUES (?, ?, ?)",
                                ((d.doc_id, d.title, d.body) for d in docs))

    def search(self, q: str) -> list[str]:
        words = re.findall(r"\w+", q.lower())
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        return [r[0] for r in self.db.execute(
            "SELECT doc_id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0, 5.0, 1.0) "
            "LIMIT ?", (match, DEPTH))]


# -- metrics ---------------------------------------------------------------------------------

@dataclass
class Scores:
    mrr: float
    s1: float
    s5: float
    ndcg: float
    misses: list[tuple[Judged, list[str]]]


def evaluate(run: Callable[[str], list[str]], queries: list[Judged]) -> Scores:
    rr, s1, s5, ndcg, misses = [], [], [], [], []
    for judged in queries:
        ranked = run(judged.text)[:DEPTH]
        ranks = [i for i, d in enumerate(ranked) if d in judged.relevant]
        rr.append(1 / (ranks[0] + 1) if ranks else 0.0)
        s1.append(bool(ranks) and ranks[0] == 0)
        s5.append(bool(ranks) and ranks[0] < 5)
        ideal = sum(1 / math.log2(i + 2) for i in range(min(len(judged.relevant), DEPTH)))
        ndcg.append(sum(1 / math.log2(i + 2) for i in ranks) / ideal)
        if not ranks or ranks[0] >= 5:
            misses.append((judged, ranked[:3]))
    n = max(1, len(queries))
    return Scores(sum(rr) / n, sum(s1) / n, sum(s5) / n, sum(ndcg) / n, misses)


def candor_run(backend) -> Callable[[str], list[str]]:
    """The search page's first page of questions (``SearchService.parse``, then search)."""
    def run(q: str) -> list[str]:
        query = spelling.corrected(parse(q), backend.frequencies)
        return [h.doc_id for h in backend.search(query, ("thread",), 1).hits]
    return run


def whoosh_backend(docs: list[Document], folder: Path):
    from hub_api.search.whoosh_backend import WhooshBackend

    backend = WhooshBackend(folder)
    with backend.writer_lock(wait=True):
        backend.rebuild(iter(docs))
    return backend


def report(name: str, scores: Scores, base: Scores | None, queries: list[Judged],
           per_tag: dict[str, Scores]) -> None:
    ratio = f"   MRR {scores.mrr / base.mrr:4.2f}x baseline" if base and base.mrr else ""
    print(f"  {name:<22} MRR {scores.mrr:.3f}  success@1 {scores.s1:.2f}  success@5 "
          f"{scores.s5:.2f}  nDCG@10 {scores.ndcg:.3f}{ratio}")
    print("  " + " " * 22 + "  ".join(f"{tag} {s.mrr:.2f}" for tag, s in per_tag.items()))


def by_tag(run, queries: list[Judged]) -> dict[str, Scores]:
    tags = sorted({j.tags for j in queries})
    return {t: evaluate(run, [j for j in queries if j.tags == t]) for t in tags}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--site", action="append", choices=["beer", "coffee"])
    parser.add_argument("--pg", default=os.environ.get(
        "CANDOR_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="an existing database to connect to; the benchmark's own is made beside it")
    parser.add_argument("--misses", action="store_true",
                        help="list the queries whose right thread is not in the top 5")
    args = parser.parse_args()
    sites = tuple(args.site or ("beer", "coffee"))
    queries = load_queries(sites=sites)
    docs = [d for s in sites for d in load_threads(args.data / f"{s}-Posts.xml")]
    print(f"{len(docs):,} threads ({', '.join(sites)}), {len(queries)} judged queries")
    runs: dict[str, Callable[[str], list[str]]] = {"FTS5 BM25 baseline": Fts5Baseline(docs)
                                                   .search}
    with tempfile.TemporaryDirectory(prefix="candor-bench-relevance-") as tmp:
        runs["Candor Whoosh"] = candor_run(whoosh_backend(docs, Path(tmp)))
        sys.path.insert(0, str(HERE))
        from search import drop_postgres, postgres  # bench/search.py's own database helper

        pg = postgres(args.pg, f"candor_bench_relevance_{os.getpid()}")
        try:
            if pg is not None:
                with pg.writer_lock(wait=True):
                    pg.rebuild(iter(docs))
                runs["Candor PostgreSQL"] = candor_run(pg)
            base = None
            for name, run in runs.items():
                scores = evaluate(run, queries)
                report(name, scores, base, queries, by_tag(run, queries))
                base = base or scores
                if args.misses:
                    for judged, top in scores.misses:
                        print(f"      miss: {judged.text!r} want {judged.relevant[0]} got {top}")
        finally:
            if pg is not None:
                drop_postgres(pg, args.pg)


if __name__ == "__main__":
    main()
