"""PostgreSQL full-text search: documents in ``search_documents`` with a GIN-indexed tsvector.

For deployments with several nodes: nothing lives on a node's disk. The tsquery is built from
Candor's parsed query with ``plainto_tsquery``/``phraseto_tsquery`` on bound parameters, so no
user text is ever read as tsquery syntax. The writer is elected with an advisory lock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice

from sqlalchemy import Engine, text

from .backend import PAGE_SIZE, Hit, Results, fallback_snippet, highlight
from .documents import MARK_END, MARK_START, Document
from .query import ParsedQuery, Words

LOCK_KEY = 0x43414E44  # "CAND": the one indexer across every node
CONFIG = "'english'::regconfig"
TITLE_MARKS = f"HighlightAll=true, StartSel={MARK_START}, StopSel={MARK_END}"
BODY_MARKS = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxFragments=2, MaxWords=30, "
              "MinWords=12, FragmentDelimiter=\" … \"")
# SQL below is assembled from constants and ``_Sql.bind`` placeholders only, never from input.
UPSERT = text(f"""
    INSERT INTO search_documents (doc_id, kind, title, body, url, meta, topics, answered, tsv)
    VALUES (:doc_id, :kind, :title, :body, :url, :meta, :topics, :answered,
            setweight(to_tsvector({CONFIG}, :title), 'A')
            || setweight(to_tsvector({CONFIG}, :body), 'D'))
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
    def __init__(self, engine: Engine):
        self.engine = engine

    @contextmanager
    def writer_lock(self, wait: bool = False) -> Iterator[bool]:
        """A session-level advisory lock on a connection of its own."""
        with self.engine.connect() as conn:
            fn = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
            got = conn.execute(text(f"SELECT {fn}(:k)"), {"k": LOCK_KEY}).scalar()
            conn.commit()
            try:
                yield got is not False
            finally:
                if got is not False:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                    conn.commit()

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
        where, rank = [], "0"
        tsq = " && ".join(sql.any_of(c.alternatives) for c in query.must)
        if tsq:
            where.append("tsv @@ q.q")
            rank = "ts_rank(tsv, q.q)"
        if query.must_not:
            where.append(f"NOT tsv @@ {sql.any_of(query.must_not)}")
        if query.topics:
            where.append(f"topics @> CAST({sql.bind(list(query.topics))} AS text[])")
        kinds = list(kinds)
        if kinds:
            where.append(f"kind = ANY({sql.bind(kinds)})")
        marks = (f"ts_headline({CONFIG}, title, q.q, {sql.bind(TITLE_MARKS)}), "
                 f"ts_headline({CONFIG}, body, q.q, {sql.bind(BODY_MARKS)})") if tsq \
            else "title, ''"
        head = "WITH q AS (SELECT " + (tsq or "''::tsquery") + " AS q) "
        matching = f"FROM search_documents, q WHERE {' AND '.join(where)}"
        offset = sql.bind((page - 1) * PAGE_SIZE)
        statement = f"""{head},
            found AS (
                SELECT doc_id, kind, title, body, url, meta, answered, {rank} AS rank,
                       count(*) OVER () AS total
                {matching}
                ORDER BY rank DESC, doc_id LIMIT {PAGE_SIZE} OFFSET {offset})
            SELECT doc_id, kind, url, meta, answered, total, body, {marks}
            FROM found, q ORDER BY rank DESC, doc_id"""
        with self.engine.connect() as conn:
            rows = conn.execute(text(statement), sql.params).all()
            if rows or page == 1:
                total = rows[0].total if rows else 0
            else:  # past the last page: count(*) OVER saw no rows
                count = text(f"{head} SELECT count(*) {matching}")
                total = conn.execute(count, sql.params).scalar()
        return Results([_hit(r) for r in rows], total, page)

    def similar(self, words: list[str], limit: int = 5,
                within: Collection[str] | None = None) -> list[Hit]:
        if not words or (within is not None and not within):
            return []
        sql = _Sql()
        tsq = sql.any_of((w,) for w in words)
        only = "answered" if within is None else f"doc_id = ANY({sql.bind(list(within))})"
        statement = f"""
            WITH q AS (SELECT {tsq} AS q)
            SELECT doc_id, kind, url, meta, answered, body,
                   ts_headline({CONFIG}, title, q.q, {sql.bind(TITLE_MARKS)}),
                   ts_headline({CONFIG}, body, q.q, {sql.bind(BODY_MARKS)})
            FROM search_documents, q
            WHERE kind = 'thread' AND {only} AND tsv @@ q.q
            ORDER BY ts_rank(tsv, q.q) DESC, doc_id LIMIT {int(limit)}"""
        with self.engine.connect() as conn:
            return [_hit(r) for r in conn.execute(text(statement), sql.params)]

    def doc_ids(self, kind: str | None = None) -> set[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT doc_id FROM search_documents "
                                     "WHERE CAST(:kind AS text) IS NULL OR kind = :kind"),
                                {"kind": kind})
            return set(rows.scalars())


def _row(doc: Document) -> dict:
    return {"doc_id": doc.doc_id, "kind": doc.kind, "title": doc.title, "body": doc.body,
            "url": doc.url, "meta": doc.meta, "topics": doc.topics, "answered": doc.answered}


def _hit(row) -> Hit:
    title, snippet = row[-2], row[-1]
    if MARK_START not in snippet:
        snippet = fallback_snippet(row.body)
    return Hit(kind=row.kind, doc_id=row.doc_id, title=highlight(title), snippet=highlight(snippet),
               url=row.url, meta=row.meta, answered=row.answered)
