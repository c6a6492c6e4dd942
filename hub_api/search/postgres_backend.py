"""PostgreSQL full-text search: documents in ``search_documents`` with GIN-indexed tsvectors
(all words, and the title words alone: ``title_tsv``, computed by PostgreSQL).

For deployments with several nodes: nothing lives on a node's disk. The tsquery is built from
Candor's parsed query with ``plainto_tsquery``/``phraseto_tsquery`` on bound parameters, so no
user text is ever read as tsquery syntax.

The one writer is the leader (``effects/leader.py``, the one module that elects it, across
every node): it applies the search outbox as it drains the effects outbox, and a process that
does not lead never writes (its changes wait in the outbox for the leader). The threads of the
leading process take turns.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations, islice

from sqlalchemy import Connection, Engine, text

from ..effects.leader import Leader
from .backend import PAGE_SIZE, Hit, Results, fallback_snippet, highlight
from .documents import MARK_END, MARK_START, Document
from .query import ParsedQuery, Words, fold
from .ranking import COORDINATION, required, similar_enough

CANDIDATES = 500  # ranked from each source (title hits, any hits) when more documents match
EXACT_COUNT = 500  # matches counted one by one; beyond, estimated from a sample
SAMPLE = 1000  # documents in that sample
EXACT_SIZE = 10_000  # documents counted one by one below this many (the planner's estimate)
MAX_COMBINATIONS = 128  # "holds n of these clauses" spelled out for the index up to this
FREQUENCY_CAP = 100  # enough to choose a spelling; counting on costs a scan per word
WAIT_TO_LEAD = 5.0  # seconds a command that must write tries to become the leader
CONFIG = "'english'::regconfig"
TITLE_MARKS = f"HighlightAll=true, StartSel={MARK_START}, StopSel={MARK_END}"
BODY_MARKS = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxFragments=2, MaxWords=30, "
              "MinWords=12, FragmentDelimiter=\" … \"")
# SQL below is assembled from constants and ``_Sql.bind`` placeholders only, never from input.
UPSERT = text(f"""
    INSERT INTO search_documents (doc_id, kind, title, body, url, meta, topics, answered, tsv)
    VALUES (:doc_id, :kind, :title, :body, :url, :meta, :topics, :answered,
            setweight(to_tsvector({CONFIG}, :title_words), 'A')
            || setweight(to_tsvector({CONFIG}, :body_words), 'D'))
    ON CONFLICT (doc_id) DO UPDATE SET kind = excluded.kind, title = excluded.title,
        body = excluded.body, url = excluded.url, meta = excluded.meta, topics = excluded.topics,
        answered = excluded.answered, tsv = excluded.tsv""")


class _Sql:
    """Collects bound parameters while building a tsquery expression."""

    def __init__(self):
        self.params: dict = {}

    def bind(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def words(self, words: Words) -> str:
        fn = "plainto_tsquery" if len(words) == 1 else "phraseto_tsquery"
        return f"{fn}({CONFIG}, {self.bind(' '.join(words))})"

    def any_of(self, alternatives: Iterable[Words]) -> str:
        return "(" + " || ".join(self.words(w) for w in alternatives) + ")"


class PostgresBackend:
    def __init__(self, engine: Engine, leader: Leader | None = None):
        self.engine = engine
        self.leader = leader or Leader(engine.url.render_as_string(hide_password=False))
        self._turn = threading.Lock()

    @contextmanager
    def writer_lock(self, wait: bool = False) -> Iterator[bool]:
        """Held while this process leads (``wait``: queue behind this process's other threads
        and try to lead for ``WAIT_TO_LEAD`` seconds); yields ``False`` when another process
        leads: it writes instead."""
        if not self._turn.acquire(blocking=wait):
            yield False
            return
        try:
            with self.leader.holding("indexer", WAIT_TO_LEAD if wait else 0.0) as mine:
                yield mine
        finally:
            self._turn.release()

    def has_index(self) -> bool:
        return True  # search_documents is a table of the schema: migrations made it

    def index_documents(self, docs: Iterable[Document], delete: Iterable[str] = ()) -> None:
        rows = [_row(d) for d in docs]
        with self.engine.begin() as conn:
            delete = list(delete)
            if delete:
                conn.execute(text("DELETE FROM search_documents WHERE doc_id = ANY(:ids)"),
                             {"ids": delete})
            if rows:
                conn.execute(UPSERT, rows)

    def rebuild(self, docs: Iterator[Document]) -> None:
        with self.engine.begin() as conn:  # one transaction: readers see old or new, whole
            conn.execute(text("DELETE FROM search_documents"))
            while batch := [_row(d) for d in islice(docs, 500)]:
                conn.execute(UPSERT, batch)
            conn.execute(text("ANALYZE search_documents"))  # the document count idf reads

    def search(self, query: ParsedQuery, kinds: Iterable[str] = (), page: int = 1) -> Results:
        if query.empty:
            return Results(page=page)
        sql = _Sql()
        where = []
        if query.must_not:
            where.append(f"NOT tsv @@ {sql.any_of(query.must_not)}")
        if query.topics:
            where.append(f"topics @> CAST({sql.bind(list(query.topics))} AS text[])")
        kinds = list(kinds)
        if kinds:
            where.append(f"kind = ANY({sql.bind(kinds)})")
        offset = (page - 1) * PAGE_SIZE
        with self.engine.connect() as conn:
            ranked = _ranked(conn, sql, query, where, offset + PAGE_SIZE)
            if ranked is None:
                return Results(page=page)
            rows = conn.execute(text(f"""{ranked.cte}
                SELECT doc_id, kind, url, meta, answered, body, {ranked.complete} AS complete,
                       (SELECT count(*) FROM ranked) AS ranked, {_marks(sql)}
                FROM (SELECT * FROM ranked ORDER BY rank DESC, doc_id
                      LIMIT {PAGE_SIZE} OFFSET {offset}) AS shown
                JOIN search_documents USING (doc_id), q ORDER BY rank DESC, doc_id"""),
                                sql.params).all()
            total = ranked.total
            if total is None:  # all candidates when every match is one; else estimated
                total = rows[0].ranked if rows and rows[0].complete else \
                    _counted(conn, sql, ranked.cte_q, [ranked.matching])[1][0]
        return Results([_hit(r) for r in rows], round(total), page, estimated=total >= EXACT_COUNT)

    def similar(self, query: ParsedQuery, limit: int = 5,
                within: Collection[str] | None = None) -> list[Hit]:
        if not query.must or (within is not None and not within):
            return []
        sql = _Sql()
        where = ["kind = 'thread'"]
        where.append("answered" if within is None else f"doc_id = ANY({sql.bind(list(within))})")
        with self.engine.connect() as conn:
            ranked = _ranked(conn, sql, query, where, limit, None if within is None else 1)
            if ranked is None:
                return []
            rows = conn.execute(text(f"""{ranked.cte}
                SELECT doc_id, kind, url, meta, answered, body, rank, {_marks(sql)}
                FROM (SELECT * FROM ranked ORDER BY rank DESC, doc_id LIMIT {int(limit)}) AS shown
                JOIN search_documents USING (doc_id), q ORDER BY rank DESC, doc_id"""),
                                sql.params).all()
        if within is None:
            rows = rows[:similar_enough([r.rank for r in rows])]
        return [_hit(r) for r in rows]

    def frequencies(self, words: list[str]) -> dict[str, int]:
        statement = text(f"""
            SELECT w, (SELECT count(*) FROM (
                SELECT 1 FROM search_documents WHERE tsv @@ plainto_tsquery({CONFIG}, w)
                LIMIT {FREQUENCY_CAP}) AS held)
            FROM unnest(CAST(:words AS text[])) AS w""")
        with self.engine.connect() as conn:
            return dict(conn.execute(statement, {"words": list(words)}).all())

    def doc_ids(self, kind: str | None = None) -> set[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT doc_id FROM search_documents "
                                     "WHERE CAST(:kind AS text) IS NULL OR kind = :kind"),
                                {"kind": kind})
            return set(rows.scalars())


@dataclass
class _Ranking:
    cte_q: str  # ``WITH q AS (...)``: the clauses (``q0``...), any of them (``q``)
    cte: str  # ``cte_q``, then ``ranked AS (doc_id, rank)``
    matching: str  # the condition results meet (past MAX_COMBINATIONS, some others too)
    total: float | None  # how many do, when known already
    complete: str = "true"  # whether ``ranked`` holds every result


def _ranked(conn: Connection, sql: _Sql, query: ParsedQuery, where: list[str], depth: int,
            need: int | None = None) -> _Ranking | None:
    """The documents passing ``where`` and holding at least ``need`` of the query's clauses
    (by default ``ranking.required`` of the clauses some of those documents hold), each with
    its ``rank`` as ``ranking`` defines it: per clause, ``ts_rank`` (the title weighted 'A',
    10x the body) times the clause's BM25 idf among them; the sum times the coordination
    factor. None when no such document holds any clause. A query of topics only ranks
    nothing (rank 0).

    ``ts_rank`` reads a document's whole tsvector, so only candidates are ranked, enough for
    the first ``depth`` results: the ``CANDIDATES`` best by their titles alone (a title hit
    outranks any body hit) and ``CANDIDATES`` others; when fewer documents match, that is all
    of them and the order is exact."""
    filters = "".join(f" AND {w}" for w in where)
    n = len(query.must)
    if not n:
        cte_q = "WITH q AS (SELECT ''::tsquery AS q)"
        return _Ranking(cte_q, f"{cte_q}, ranked AS (SELECT doc_id, 0 AS rank FROM "
                               f"search_documents WHERE true{filters})", f"true{filters}", None)
    qs = ", ".join(f"{sql.any_of(c.alternatives)} AS q{i}" for i, c in enumerate(query.must))
    any_clause = " || ".join(f"q{i}" for i in range(n))
    docs, held = _counted(conn, sql, f"WITH q AS (SELECT {qs})",
                          [f"tsv @@ q.q{i}{filters}" for i in range(n)])
    present = [i for i in range(n) if held[i]]
    if not present:
        return None
    need = need or required(len(present))
    cte_q = (f"WITH q AS (SELECT *, {any_clause} AS q, "
             f"{_at_least(need, [f'q{i}' for i in present])} AS m FROM (SELECT {qs}) AS clauses)")
    idf = {i: sql.bind(math.log(1 + (docs - held[i] + 0.5) / (held[i] + 0.5))) for i in present}
    holds = ", ".join(f"(tsv @@ q.q{i})::int AS h{i}" for i in present)
    score = " + ".join(f"h{i} * {idf[i]} * ts_rank(tsv, q.q{i})" for i in present)
    held_sum = " + ".join(f"h{i}" for i in present)
    k = max(CANDIDATES, depth)
    # Title hits hold enough clauses already when one is enough; with one clause their titles
    # score alike (a title rarely repeats a word): ordering them would read them all for nothing.
    titled = "" if need == 1 else " AND tsv @@ q.m"
    by_title = "" if len(present) == 1 else "ORDER BY ts_rank(title_tsv, q.q) DESC"
    cte = f"""{cte_q},
        candidates AS MATERIALIZED (
            (SELECT doc_id, tsv, true AS titled FROM search_documents, q
             WHERE title_tsv @@ q.q{titled}{filters} {by_title} LIMIT {k})
            UNION ALL (SELECT doc_id, tsv, false FROM search_documents, q
                       WHERE tsv @@ q.m{filters} LIMIT {k})),
        holding AS (SELECT doc_id, tsv, {holds} FROM q,
                    (SELECT DISTINCT ON (doc_id) * FROM candidates ORDER BY doc_id) AS c),
        ranked AS (SELECT doc_id, ({score}) * power(({held_sum})::float / {len(present)},
                                                   {COORDINATION}) AS rank
                   FROM holding, q WHERE {held_sum} >= {need})
    """
    total = held[present[0]] if len(present) == 1 else None
    return _Ranking(cte_q, cte, f"tsv @@ q.m{filters}", total,
                    f"(SELECT count(*) < {k} FROM candidates WHERE NOT titled)")


def _at_least(need: int, clauses: list[str]) -> str:
    """A tsquery held by documents holding ``need`` of ``clauses``: each combination, so
    the GIN index finds them; past ``MAX_COMBINATIONS`` any clause (ranking drops the
    documents holding fewer)."""
    if math.comb(len(clauses), need) > MAX_COMBINATIONS:
        need = 1
    return " || ".join(f"({' && '.join(c)})" for c in combinations(clauses, need))


def _counted(conn: Connection, sql: _Sql, cte_q: str,
             conditions: list[str]) -> tuple[float, list[float]]:
    """How many documents there are, and how many meet each condition: exact up to
    ``EXACT_COUNT``, as counting reads each one; beyond, estimated from about ``SAMPLE``
    documents on random pages (the same pages every time, so the pages of a query agree).
    The number of documents is the planner's (``ANALYZE``) past ``EXACT_SIZE``."""
    counts = ", ".join(f"""(SELECT count(*) FROM (SELECT FROM search_documents WHERE {c}
                                                    LIMIT {EXACT_COUNT}) AS found)"""
                       for c in conditions)
    docs, *found = conn.execute(text(f"""{cte_q}
        SELECT CASE WHEN reltuples >= {EXACT_SIZE} THEN reltuples
                    ELSE (SELECT count(*) FROM search_documents) END, {counts}
        FROM pg_class, q WHERE oid = 'search_documents'::regclass"""), sql.params).one()
    common = [i for i, count in enumerate(found) if count >= EXACT_COUNT]
    if common:
        share = min(100.0, 100.0 * SAMPLE / max(docs, 1))
        held = ", ".join(f"count(*) FILTER (WHERE {conditions[i]})" for i in common)
        seen, *sampled = conn.execute(text(f"""{cte_q} SELECT count(*), {held}
            FROM search_documents TABLESAMPLE SYSTEM ({share:.6f}) REPEATABLE (0), q"""),
                                      sql.params).one()
        for i, count in zip(common, sampled, strict=True):
            found[i] = max(EXACT_COUNT, docs * count / max(seen, 1))
    return docs, found


def _marks(sql: _Sql) -> str:
    return (f"ts_headline({CONFIG}, title, q.q, {sql.bind(TITLE_MARKS)}), "
            f"ts_headline({CONFIG}, body, q.q, {sql.bind(BODY_MARKS)})")


def _row(doc: Document) -> dict:
    """The stored document, and its words as the query parser reads them (``fold``)."""
    return {"doc_id": doc.doc_id, "kind": doc.kind, "title": doc.title, "body": doc.body,
            "url": doc.url, "meta": doc.meta, "topics": doc.topics, "answered": doc.answered,
            "title_words": fold(doc.title), "body_words": fold(doc.body)}


def _hit(row) -> Hit:
    title, snippet = row[-2], row[-1]
    if MARK_START not in snippet:
        snippet = fallback_snippet(row.body)
    return Hit(kind=row.kind, doc_id=row.doc_id, title=highlight(title), snippet=highlight(snippet),
               url=row.url, meta=row.meta, answered=row.answered)
