"""PostgreSQL full-text search: documents in ``search_documents`` with a GIN-indexed tsvector.

For deployments with several nodes: nothing lives on a node's disk. The tsquery is built from
Candor's parsed query with ``plainto_tsquery``/``phraseto_tsquery`` on bound parameters, so no
user text is ever read as tsquery syntax.

The one writer is the leader (``effects/leader.py``, the one module that elects it, across
every node): it applies the search outbox as it drains the effects outbox, and a process that
does not lead never writes (its changes wait in the outbox for the leader). The threads of the
leading process take turns.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice

from sqlalchemy import Engine, text

from ..effects.leader import Leader
from .backend import PAGE_SIZE, Hit, Results, fallback_snippet, highlight
from .documents import MARK_END, MARK_START, Document
from .query import ParsedQuery, Words, fold
from .ranking import COORDINATION, similar_enough

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
        offset = sql.bind((page - 1) * PAGE_SIZE)
        ranked = _ranked(sql, query, where)
        statement = f"""{ranked}
            SELECT doc_id, kind, url, meta, answered, total, body, {_marks(sql)}
            FROM (SELECT *, count(*) OVER () AS total FROM ranked
                  ORDER BY rank DESC, doc_id LIMIT {PAGE_SIZE} OFFSET {offset}) AS shown, q
            ORDER BY rank DESC, doc_id"""
        with self.engine.connect() as conn:
            rows = conn.execute(text(statement), sql.params).all()
            if rows or page == 1:
                total = rows[0].total if rows else 0
            else:  # past the last page: count(*) OVER saw no rows
                count = text(f"{ranked} SELECT count(*) FROM ranked")
                total = conn.execute(count, sql.params).scalar()
        return Results([_hit(r) for r in rows], total, page)

    def similar(self, query: ParsedQuery, limit: int = 5,
                within: Collection[str] | None = None) -> list[Hit]:
        if not query.must or (within is not None and not within):
            return []
        sql = _Sql()
        if within is None:
            ranked = _ranked(sql, query, ["kind = 'thread'", "answered"])
        else:
            ranked = _ranked(sql, query, ["kind = 'thread'",
                                          f"doc_id = ANY({sql.bind(list(within))})"], 1)
        statement = f"""{ranked}
            SELECT doc_id, kind, url, meta, answered, body, rank, {_marks(sql)}
            FROM (SELECT * FROM ranked ORDER BY rank DESC, doc_id LIMIT {int(limit)}) AS shown, q
            ORDER BY rank DESC, doc_id"""
        with self.engine.connect() as conn:
            rows = conn.execute(text(statement), sql.params).all()
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


def _ranked(sql: _Sql, query: ParsedQuery, where: list[str], need: int | None = None) -> str:
    """``WITH q AS (...), ranked AS (...)``: the documents passing ``where`` and holding at
    least ``need`` of the query's clauses (by default ``ranking.required`` of the clauses
    some of those documents hold), each with its ``rank`` as ``ranking`` defines it: per
    clause, ``ts_rank`` (the title weighted 'A', 10x the body) times the clause's BM25 idf
    among them; the sum times the coordination factor. A query of topics only ranks nothing
    (rank 0)."""
    n = len(query.must)
    if not n:
        return (f"WITH q AS (SELECT ''::tsquery AS q), ranked AS (SELECT *, 0 AS rank "
                f"FROM search_documents WHERE {' AND '.join(where)})")
    qs = ", ".join(f"{sql.any_of(c.alternatives)} AS q{i}" for i, c in enumerate(query.must))
    held = ", ".join(f"(tsv @@ q.q{i})::int AS h{i}" for i in range(n))
    counts = ", ".join(f"sum(h{i}) AS d{i}" for i in range(n))
    held_sum = " + ".join(f"h{i}" for i in range(n))
    present = " + ".join(f"(d{i} > 0)::int" for i in range(n))
    idf = "ln(1 + (n.n - d{i} + 0.5) / (d{i} + 0.5))"
    score = " + ".join(f"h{i} * {idf.format(i=i)} * ts_rank(tsv, q.q{i})" for i in range(n))
    # ranking.required of the clauses held somewhere, at least one
    need_sql = str(int(need)) if need is not None else \
        "greatest(1, CASE WHEN df.n <= 2 THEN df.n ELSE ceil(df.n / 2.0) END)"
    filters = "".join(f" AND {w}" for w in where)
    return f"""WITH q AS (SELECT *, {" || ".join(f"q{i}" for i in range(n))} AS q
                   FROM (SELECT {qs}) AS clauses),
        holding AS MATERIALIZED (SELECT search_documents.*, {held}
                                 FROM search_documents, q WHERE tsv @@ q.q{filters}),
        n AS (SELECT count(*)::float AS n FROM search_documents),
        df AS (SELECT *, {present} AS n FROM (SELECT {counts} FROM holding) AS counts),
        ranked AS (SELECT holding.*, ({score}) * power(({held_sum})::float / df.n,
                                                       {COORDINATION}) AS rank
                   FROM holding, q, n, df WHERE {held_sum} >= {need_sql})
    """


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
