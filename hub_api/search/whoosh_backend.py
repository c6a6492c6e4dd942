"""The embedded default backend: a Whoosh index folder under the instance.

Only the process holding ``search.lock`` (an fcntl lock) ever opens a writer, so Whoosh's own
write lock is never contended. ``INSTANCE/index`` is a symlink to the live index folder;
``rebuild`` writes a fresh folder beside it and swaps the link. Each thread keeps its own
searcher and reopens it when it is no longer up to date or the link moved — never
``Searcher.refresh()``, which in whoosh-reloaded 2.7.5 can serve replaced text.

Files are only ever deleted under an exclusive lock on ``search.open``, and searchers are
only opened under a shared one: a commit in another process can remove the generation a
reader is about to open (its TOC, merged-away segments, a swapped-out index folder) only
before the reader starts or after it holds every file open (POSIX keeps unlinked files).
"""

from __future__ import annotations

import fcntl
import heapq
import os
import shutil
import threading
import uuid
from array import array
from collections import OrderedDict
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import collectors, index, searching
from whoosh import highlight as wh
from whoosh.analysis import StemmingAnalyzer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.fields import BOOLEAN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import TOC, clean_files
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, Or, Phrase, Query, Term
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25FScorer
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from .backend import PAGE_SIZE, Hit, Results, fallback_snippet, highlight
from .documents import MARK_END, MARK_START, Document
from .query import STOP_WORDS, ParsedQuery, Words

ANALYZER = StemmingAnalyzer(stoplist=STOP_WORDS, minsize=2)
SCHEMA = Schema(
    doc_id=ID(stored=True, unique=True),
    kind=ID(stored=True),
    title=TEXT(analyzer=ANALYZER, stored=True, field_boost=5.0),
    # Character offsets let the highlighter mark passages without re-analysing long threads
    # (7x faster snippets measured here, for a third more indexing time).
    body=TEXT(analyzer=ANALYZER, stored=True, chars=True),
    topics=KEYWORD(stored=True, lowercase=True),
    url=STORED,
    meta=STORED,
    answered=BOOLEAN(stored=True),
)
TEXT_FIELDS = ("title", "body")
# Postings a rebuild sorts in memory before spilling a sorted run to disk (runs are merged
# a posting at a time in Python): 20,000 posts fit in 512 MB and indexed 1.2-1.7x faster
# here than with Whoosh's default 128; bigger rebuilds spill, so memory stays bounded.
REBUILD_POOL_MB = 512


@contextmanager
def _flock(path: Path, mode: int) -> Iterator[None]:
    """An fcntl lock on a file of its own descriptor, so threads of one process contend too."""
    with open(path, "a") as fh:
        fcntl.flock(fh, mode)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class _Writer(SegmentWriter):
    """Whoosh's writer, deleting superseded files only while no searcher is being opened."""

    def __init__(self, ix, open_lock: Path, **kwargs):
        super().__init__(ix, **kwargs)
        self._open_lock = open_lock

    def _commit_toc(self, segments) -> None:
        TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)
        with _flock(self._open_lock, fcntl.LOCK_EX):
            clean_files(self.storage, self.indexname, self.generation, segments)


class _Marker(wh.Formatter):
    """Marks matched terms with private-use characters; ``highlight`` escapes the rest."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return MARK_START + wh.get_text(text, token, replace) + MARK_END


class WhooshBackend:
    def __init__(self, instance: Path):
        self.instance = instance
        self.link = instance / "index"
        self.lock_path = instance / "search.lock"
        self.open_lock = instance / "search.open"
        self._local = threading.local()
        self._thread_lock = threading.Lock()

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def writer_lock(self, wait: bool = False) -> Iterator[bool]:
        """The machine-wide right to write; threads of this process queue on a mutex."""
        self.instance.mkdir(parents=True, exist_ok=True)
        if not self._thread_lock.acquire(blocking=wait):
            yield False
            return
        try:
            with open(self.lock_path, "a") as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
                except BlockingIOError:
                    yield False
                    return
                try:
                    self._ensure_index()
                    yield True
                finally:
                    fcntl.flock(fh, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def has_index(self) -> bool:
        return self.link.exists()

    def _ensure_index(self) -> None:
        if not self.link.exists():
            folder = self._new_folder()
            index.create_in(str(folder), SCHEMA)
            self._point_link_at(folder)

    def _new_folder(self) -> Path:
        folder = self.instance / f"index-{uuid.uuid4().hex[:12]}"
        folder.mkdir(parents=True)
        return folder

    def _point_link_at(self, folder: Path) -> None:
        tmp = self.instance / f"index.link-{uuid.uuid4().hex[:8]}"
        os.symlink(folder.name, tmp)
        os.replace(tmp, self.link)  # atomic: readers see the old or the new index

    def index_documents(self, docs: Iterable[Document], delete: Iterable[str] = ()) -> None:
        writer = _Writer(index.open_dir(str(self.link)), self.open_lock)
        try:
            for doc_id in delete:
                writer.delete_by_term("doc_id", doc_id)
            for doc in docs:
                writer.update_document(**_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, docs: Iterator[Document]) -> None:
        folder = self._new_folder()
        ix = index.create_in(str(folder), SCHEMA)
        writer = ix.writer(limitmb=REBUILD_POOL_MB)
        try:
            for doc in docs:
                writer.add_document(**_fields(doc))
        except BaseException:
            writer.cancel()
            shutil.rmtree(folder, ignore_errors=True)
            raise
        writer.commit()
        old = self.link.resolve() if self.link.exists() else None
        self._point_link_at(folder)
        if old and old != folder.resolve():
            with _flock(self.open_lock, fcntl.LOCK_EX):  # open searchers keep their files
                shutil.rmtree(old, ignore_errors=True)

    # -- reading ---------------------------------------------------------------------------

    def _searcher(self):
        """This thread's searcher, reopened when stale or when the index was swapped."""
        if not self.link.exists():
            return None
        with _flock(self.open_lock, fcntl.LOCK_SH):  # no file goes while we look or open
            target = os.path.realpath(self.link)
            current = getattr(self._local, "searcher", None)
            if current is not None and self._local.target == target and current.up_to_date():
                return current
            if current is not None:
                current.close()
            self._local.searcher = index.open_dir(target).searcher()
            self._local.target = target
            return self._local.searcher

    def search(self, query: ParsedQuery, kinds: Iterable[str] = (), page: int = 1) -> Results:
        searcher = self._searcher()
        if searcher is None or query.empty:
            return Results(page=page)
        # The exact set of matches, computed here: Whoosh's AndNot can let an excluded word
        # through after a phrase (tests/test_search_count.py shows it).
        allowed = matching_docnums(searcher, _positive(query))
        if query.must_not:
            allowed -= matching_docnums(searcher, Or([_any_field(w) for w in query.must_not]))
        kinds = list(kinds)
        if kinds:
            allowed &= matching_docnums(searcher, Or([Term("kind", k) for k in kinds]))
        total = len(allowed)
        if (page - 1) * PAGE_SIZE >= total:
            return Results([], total, page)
        shown = _ranked(searcher, _positive(query), allowed, (page - 1) * PAGE_SIZE,
                        page * PAGE_SIZE)
        return Results([_hit(h) for h in shown], total, page)

    def similar(self, words: list[str], limit: int = 5,
                within: Collection[str] | None = None) -> list[Hit]:
        searcher = self._searcher()
        if searcher is None or not words or (within is not None and not within):
            return []
        wq = Or([_words_query(f, (w,)) for w in words for f in TEXT_FIELDS])
        only = And([Term("kind", "thread"), Term("answered", True)]) if within is None \
            else And([Term("kind", "thread"), Or([Term("doc_id", d) for d in within])])
        allowed = matching_docnums(searcher, And([wq, only]))
        if not allowed:  # an empty filter would mean "no filter" to Whoosh
            return []
        return [_hit(h) for h in _ranked(searcher, wq, allowed, 0, limit)]

    def doc_ids(self, kind: str | None = None) -> set[str]:
        searcher = self._searcher()
        if searcher is None:
            return set()
        if kind:
            return {hit["doc_id"] for hit in searcher.search(Term("kind", kind), limit=None)}
        return {fields["doc_id"] for fields in searcher.all_stored_fields()}


def _ranked(searcher, query: Query, allowed: set[int], start: int, stop: int):
    """The ``start:stop`` slice of ``allowed`` ranked by ``query``, ready to highlight.

    Only the slice shown gets its matched terms recorded and its passages highlighted.
    """
    if all(isinstance(leaf, Term) for leaf in _leaves(query)):
        results = _scored(searcher, query, stop, allowed)
    else:
        results = _top(searcher, query, stop, allowed)  # phrases: Whoosh's own matchers
    results.top_n = results.top_n[start:stop]
    results.formatter = _Marker()
    return results


def _top(searcher, query: Query, limit: int, allowed: set[int]):
    """The ``limit`` best of ``allowed``, every one of them scored.

    Whoosh's top-N collector prunes its matcher with score bounds that can be too low, so
    with a limit it can drop a better document and miscount (tests/test_search_count.py):
    matcher replacement is switched off, and with it block-max skipping, which in Python
    costs more than it saves.
    """
    collector = collectors.FilterCollector(
        collectors.TermsCollector(collectors.TopCollector(limit, usequality=False, replace=0)),
        allowed, None)
    searcher.search_with_collector(query, collector)
    return collector.results()


def _leaves(query: Query) -> Iterator[Query]:
    if isinstance(query, And | Or):
        for sub in query.subqueries:
            yield from _leaves(sub)
    else:
        yield query


# Whoosh stores a field's length in one byte; a doc_field_length lookup decodes it so.
_LENGTHS = [byte_to_length(b) for b in range(256)]


def _scored(searcher, query: Query, limit: int, allowed: set[int]):
    """What ``_top`` answers for a query of terms only, at a fraction of its cost.

    Whoosh scores an And/Or of terms as the sum of the BM25F scores of the terms a document
    holds; Python matchers step through that one posting at a time. Here each term's
    postings are read a block at a time and scored with the same formula, the same global
    statistics (idf, average length) and the same one-byte field lengths; ties go to the
    lower document number, as in Whoosh's top-N collector.
    """
    terms = [(leaf.fieldname, searcher.schema[leaf.fieldname].to_bytes(leaf.text))
             for leaf in _leaves(query)]
    scores: dict[int, float] = {}
    holders: dict[tuple[str, bytes], list[set[int]]] = {}
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        for term in terms:
            fieldname, btext = term
            ids, weights = _postings(reader, fieldname, btext)
            if not ids:
                continue
            found = allowed.intersection(ids if not offset else [d + offset for d in ids])
            holders.setdefault(term, []).append(found)
            postings = zip(ids, weights, strict=True)
            if len(found) < len(ids):  # deleted or filtered out
                postings = ((d, w) for d, w in postings if d + offset in found)
            get = scores.get
            scorer = searcher.weighting.scorer(leaf, fieldname, btext)
            if not isinstance(scorer, BM25FScorer):  # an unscored field: the weight counts
                for d, w in postings:
                    scores[d + offset] = get(d + offset, 0.0) + w
                continue
            idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
            k1_1, b_1 = k1 + 1, 1 - b
            lengths, decoded = _field_lengths(reader._perdoc, fieldname), _LENGTHS
            for d, w in postings:  # whoosh.scoring.bm25, operation for operation
                scores[d + offset] = get(d + offset, 0.0) + idf * (
                    (w * k1_1) / (w + k1 * (b_1 + b * decoded[lengths[d]] / avgfl)))
    results = searching.Results(searcher, query, _best(scores, limit))
    results.docterms = {d: [t for t, sets in holders.items() if any(d in f for f in sets)]
                        for _, d in results.top_n}
    results.termdocs = {t: [d for d, ts in results.docterms.items() if t in ts]
                        for t in holders}
    return results


def _best(scores: dict[int, float], limit: int) -> list[tuple[float, int]]:
    """The ``limit`` highest (score, docnum), ties to the lower docnum: the cut-off score
    comes from the bare floats, so only documents that reach it are sorted."""
    top = heapq.nlargest(limit, scores.values())
    if not top:
        return []
    cut = top[-1]
    reaching = [(-score, d) for d, score in scores.items() if score >= cut]
    return [(-negated, d) for negated, d in sorted(reaching)[:limit]]


# Decoded postings of the terms searched last, per segment reader: a reader belongs to one
# thread's searcher of one generation, so the cache needs no lock and is never stale.
CACHED_TERMS = 64


def _postings(reader, fieldname: str, btext: bytes) -> tuple[array, array]:
    """A term's document numbers and weights in one segment, deleted documents included."""
    cache = reader.__dict__.setdefault("candor_postings", OrderedDict())
    key = (fieldname, btext)
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    ids, weights = array("i"), array("f")
    for block_ids, block_weights in _blocks(reader, fieldname, btext):
        ids.extend(block_ids)
        weights.extend(block_weights)
    cache[key] = ids, weights
    if len(cache) > CACHED_TERMS:
        cache.popitem(last=False)
    return ids, weights


def _blocks(reader, fieldname: str, btext: bytes) -> Iterator[tuple]:
    """A term's postings in one segment as (ids, weights) blocks of up to 128, deleted
    documents included: stepping a Python matcher id by id costs far more."""
    try:
        matcher = reader.postings(fieldname, btext)
    except TermNotFound:
        return
    if isinstance(matcher, FilterMatcher):  # a segment with deletions wraps its postings
        matcher = matcher.child
    if not hasattr(matcher, "_read_ids"):  # a short inlined list: step through it
        ids, ws = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            ws.append(matcher.weight())
            matcher.next()
        yield ids, ws
        return
    while matcher.is_active():  # whoosh3 block postings, pinned: whole blocks at once
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        yield matcher._ids[matcher._i:], matcher._weights[matcher._i:]
        matcher._next_block()


def _field_lengths(perdoc, fieldname: str) -> bytes:
    """Every document's one-byte length of ``fieldname`` in a segment (a whoosh3 per-document
    reader), read at once; empty when the field has no lengths."""
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return b""
    return column._dbfile.get(column._basepos, column._count).ljust(perdoc.doc_count_all(), b"\0")


def matching_docnums(searcher, query: Query) -> set[int]:
    """The live documents that match, as set algebra over whole posting blocks.

    Whoosh steps a Python matcher through every id; here each term's ids are read a block
    (up to 128 ids) at a time into C-speed sets. Phrases are left to Whoosh's own matcher.
    """
    found: set[int] = set()
    for leaf, offset in searcher.leaf_searchers():
        ids = _matching_ids(leaf, query)
        found.update(ids if not offset else {docnum + offset for docnum in ids})
    return found


def _matching_ids(leaf, query: Query) -> set[int]:
    if isinstance(query, Term):
        return _term_ids(leaf.reader(), query.fieldname, query.text)
    if isinstance(query, Or):
        return set().union(*(_matching_ids(leaf, q) for q in query.subqueries))
    if isinstance(query, And):
        first, *rest = sorted((_matching_ids(leaf, q) for q in query.subqueries), key=len)
        return first.intersection(*rest)
    return set(query.docs(leaf))


def _term_ids(reader, fieldname: str, text) -> set[int]:
    ids = set(_postings(reader, fieldname, reader.schema[fieldname].to_bytes(text))[0])
    return ids - reader.deleted_docs_set if reader.has_deletions() else ids


def _fields(doc: Document) -> dict:
    return {"doc_id": doc.doc_id, "kind": doc.kind, "title": doc.title, "body": doc.body,
            "topics": " ".join(doc.topics), "url": doc.url, "meta": doc.meta,
            "answered": doc.answered}


def _stems(words: Words) -> list[str]:
    return [t.text for t in ANALYZER(" ".join(words))]


def _words_query(fieldname: str, words: Words) -> Query:
    stems = _stems(words)
    if len(stems) == 1:
        return Term(fieldname, stems[0])
    return Phrase(fieldname, stems)


def _any_field(words: Words) -> Query:
    return Or([_words_query(f, words) for f in TEXT_FIELDS])


def _positive(query: ParsedQuery) -> Query:
    parts: list[Query] = [Or([_any_field(alt) for alt in c.alternatives]) for c in query.must]
    parts += [Term("topics", slug) for slug in query.topics]
    return And(parts) if len(parts) > 1 else parts[0]


_WHOLE = wh.WholeFragmenter(charlimit=None)
_CONTEXT = wh.PinpointFragmenter(maxchars=200, surround=60, autotrim=True)


def _hit(h) -> Hit:
    h.results.fragmenter = _WHOLE  # the whole title, marked
    title = h.highlights("title", top=1) or h["title"]
    h.results.fragmenter = _CONTEXT  # a few passages of the body
    snippet = h.highlights("body", top=2) or fallback_snippet(h["body"])
    return Hit(kind=h["kind"], doc_id=h["doc_id"], title=highlight(title),
               snippet=highlight(snippet), url=h["url"], meta=h["meta"], answered=h["answered"])
