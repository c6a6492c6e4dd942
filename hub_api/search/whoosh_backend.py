"""The embedded default backend: a Whoosh index folder under the instance.

Only the process holding ``search.lock`` (an fcntl lock) ever opens a writer, so Whoosh's own
write lock is never contended. That lock is not the leader's election (``effects/leader.py``)
on purpose: the index is a folder on one machine's disk, so each node keeps its own and the
writer for it is whichever process of that machine holds its lock (several nodes share one
index only through the PostgreSQL backend, whose writer is the leader).

``INSTANCE/index`` is a symlink to the live index folder; ``rebuild`` writes a fresh folder
beside it and swaps the link. Each thread keeps its own searcher and reopens it when it is no
longer up to date or the link moved — never ``Searcher.refresh()``, which in whoosh-reloaded
2.7.5 can serve replaced text.

Files are only ever deleted under an exclusive lock on ``search.open``, and searchers are
only opened under a shared one: a commit in another process can remove the generation a
reader is about to open (its TOC, merged-away segments, a swapped-out index folder) only
before the reader starts or after it holds every file open (POSIX keeps unlinked files).

Queries are answered from whole posting lists read as numpy arrays (``matches``, ``_scored``;
see ``whoosh_codec``); Whoosh's own matchers serve only phrases and the highlighter.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from whoosh import highlight as wh
from whoosh import index, searching
from whoosh.analysis import Filter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import BOOLEAN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import TOC, clean_files
from whoosh.lang import porter2
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, Or, Phrase, Query, Term
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25FScorer
from whoosh.writing import SegmentWriter

from .backend import PAGE_SIZE, Hit, Results, fallback_snippet, highlight
from .documents import MARK_END, MARK_START, Document
from .query import ACRONYM, STOP_WORDS, ParsedQuery, Words
from .ranking import coordination, required, similar_enough
from .whoosh_codec import (
    DECODED_LENGTHS,
    CandorCodec,
    CandorLeafMatcher,
    length_bytes,
    postings_arrays,
)
from .whoosh_rebuild import write_index


class _Lowercase(Filter):
    """Lower case, and "P.C.B." as "pcb", the word a query reads (``query.fold``): in the
    one stage, as each stage of a Whoosh analyzer costs a generator step per token."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = token.text.lower().replace(".", "")
            yield token


# Words are ``\w+`` as the query parser reads them, and dotted acronyms are one word; stems
# are Snowball English (Porter 2), as PostgreSQL's ``english`` configuration makes them.
ANALYZER = RegexTokenizer(f"{ACRONYM.pattern}|\\w+") | _Lowercase() \
    | StopFilter(stoplist=STOP_WORDS, minsize=2) | StemFilter(stemfn=porter2.stem)
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
        """A live index in Candor's block layout that reads words as ``ANALYZER`` does:
        ``candor init`` rebuilds one written before either (still readable, but searched a
        posting at a time, or missing "P.C.B." as the word a query reads), as it migrates
        the database."""
        if not self.link.exists():
            return False
        ix = index.open_dir(str(self.link))
        return ix.schema["body"].analyzer == ANALYZER and \
            all(isinstance(segment.codec(), CandorCodec) for segment in ix._segments())

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
        writer = _Writer(index.open_dir(str(self.link)), self.open_lock, codec=CandorCodec())
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
        try:
            write_index(folder, SCHEMA, map(_fields, docs))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
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
        searched = _everything(searcher)
        if query.must and query.topics:
            searched.keep(matches(searcher, And([Term("topics", s) for s in query.topics])))
        if query.must_not:
            searched.exclude(matches(searcher, Or([_any_field(w) for w in query.must_not])))
        kinds = list(kinds)
        if kinds:
            searched.keep(matches(searcher, Or([Term("kind", k) for k in kinds])))
        clauses = _held(searcher, _clauses(query), searched)
        allowed = _holding(searcher, clauses)
        allowed.keep(searched)
        total = allowed.count()
        if (page - 1) * PAGE_SIZE >= total:
            return Results([], total, page)
        shown = _ranked(searcher, clauses, allowed, (page - 1) * PAGE_SIZE, page * PAGE_SIZE)
        return Results([_hit(h) for h in shown], total, page)

    def similar(self, query: ParsedQuery, limit: int = 5,
                within: Collection[str] | None = None) -> list[Hit]:
        searcher = self._searcher()
        if searcher is None or not query.must or (within is not None and not within):
            return []
        searched = matches(searcher, And([Term("kind", "thread"), Term("answered", True)])
                           if within is None else
                           And([Term("kind", "thread"), Or([Term("doc_id", d) for d in within])]))
        clauses = _held(searcher, _clauses(query), searched)
        allowed = _holding(searcher, clauses) if within is None else matches(searcher, Or(clauses))
        allowed.keep(searched)
        if not allowed.count():
            return []
        results = _ranked(searcher, clauses, allowed, 0, limit)
        if within is None:
            results.top_n = results.top_n[:similar_enough([s for s, _ in results.top_n])]
        return [_hit(h) for h in results]

    def frequencies(self, words: list[str]) -> dict[str, int]:
        searcher = self._searcher()
        found = dict.fromkeys(words, 0)
        if searcher is None:
            return found
        reader = searcher.reader()
        for word in words:
            stems = _stems((word,))
            if len(stems) == 1:
                found[word] = max(reader.doc_frequency(f, stems[0]) for f in TEXT_FIELDS)
        return found

    def doc_ids(self, kind: str | None = None) -> set[str]:
        searcher = self._searcher()
        if searcher is None:
            return set()
        if kind:
            return {hit["doc_id"] for hit in searcher.search(Term("kind", kind), limit=None)}
        return {fields["doc_id"] for fields in searcher.all_stored_fields()}


class Matches:
    """The live documents matching a query: a boolean mask over each segment's documents.

    Set algebra on masks runs at C speed where Whoosh steps a Python matcher id by id.
    """

    def __init__(self, masks: list[np.ndarray], offsets: list[int]):
        self.masks, self.offsets = masks, offsets

    def exclude(self, other: Matches) -> None:
        for mask, dropped in zip(self.masks, other.masks, strict=True):
            mask &= ~dropped

    def keep(self, other: Matches) -> None:
        for mask, kept in zip(self.masks, other.masks, strict=True):
            mask &= kept

    def count(self) -> int:
        return sum(int(np.count_nonzero(mask)) for mask in self.masks)

    def overlaps(self, other: Matches) -> bool:
        return any(np.any(mask & theirs) for mask, theirs in zip(self.masks, other.masks,
                                                                 strict=True))

    def docnums(self) -> set[int]:
        found: set[int] = set()
        for mask, offset in zip(self.masks, self.offsets, strict=True):
            found.update((np.flatnonzero(mask) + offset).tolist())
        return found


def matches(searcher, query: Query) -> Matches:
    """The live documents that match, from whole posting lists (phrases: Whoosh's matcher)."""
    leaves = searcher.leaf_searchers()
    return Matches([_mask(leaf, query) & _live(leaf.reader()) for leaf, _ in leaves],
                   [offset for _, offset in leaves])


def _everything(searcher) -> Matches:
    leaves = searcher.leaf_searchers()
    return Matches([_live(leaf.reader()).copy() for leaf, _ in leaves],
                   [offset for _, offset in leaves])


def _held(searcher, clauses: list[Query], searched: Matches) -> list[Query]:
    """The clauses some ``searched`` document holds: a word none holds is not asked for
    (the others are not required to make up for it)."""
    return [c for c in clauses if matches(searcher, c).overlaps(searched)]


def _holding(searcher, clauses: list[Query]) -> Matches:
    """The live documents holding at least ``ranking.required`` of ``clauses`` (none when
    there are none)."""
    need = max(1, required(len(clauses)))
    leaves = searcher.leaf_searchers()
    return Matches([(sum((_mask(leaf, c).astype(np.int8) for c in clauses),
                         np.zeros(leaf.reader().doc_count_all(), dtype=np.int8)) >= need)
                    & _live(leaf.reader()) for leaf, _ in leaves],
                   [offset for _, offset in leaves])


def _mask(leaf, query: Query) -> np.ndarray:
    reader = leaf.reader()
    if isinstance(query, Or | And) and query.subqueries:
        combine = np.logical_or if isinstance(query, Or) else np.logical_and
        return combine.reduce([_mask(leaf, q) for q in query.subqueries])
    mask = np.zeros(reader.doc_count_all(), dtype=bool)
    if isinstance(query, Term):
        field = reader.schema[query.fieldname]
        mask[_postings(reader, query.fieldname, field.to_bytes(query.text))[0]] = True
    elif isinstance(query, Phrase):
        mask[_phrase_docs(leaf, query)] = True
    elif not isinstance(query, Or | And):
        mask[np.fromiter(query.docs(leaf), dtype=np.intp)] = True
    return mask


def _phrase_docs(leaf, phrase: Phrase) -> np.ndarray:
    """The live documents of a segment holding ``phrase`` (Whoosh's positional matcher),
    kept with the postings of recent searches."""
    return _recent(leaf.reader(), ("phrase", phrase.fieldname, tuple(phrase.words)),
                   lambda: np.fromiter(phrase.docs(leaf), dtype=np.intp))


def _live(reader) -> np.ndarray:
    def make() -> np.ndarray:
        live = np.ones(reader.doc_count_all(), dtype=bool)
        if reader.has_deletions():
            live[np.fromiter(reader.deleted_docs_set, dtype=np.intp)] = False
        return live
    return _per_reader(reader, ("live",), make)


def _per_reader(reader, key: tuple, make):
    """A value kept on a segment reader: a reader belongs to one thread's searcher of one
    generation, so what it holds needs no lock and is never stale."""
    cache = reader.__dict__.setdefault("candor_cache", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _ranked(searcher, clauses: list[Query], allowed: Matches, start: int, stop: int):
    """The ``start:stop`` slice of ``allowed`` ranked by ``clauses``, ready to highlight.

    Only the slice shown gets its matched terms recorded and its passages highlighted.
    """
    results = _scored(searcher, clauses, stop, allowed)
    results.top_n = results.top_n[start:stop]
    results.formatter = _Marker()
    return results


def _leaves(query: Query) -> Iterator[Query]:
    if isinstance(query, And | Or):
        for sub in query.subqueries:
            yield from _leaves(sub)
    else:
        yield query


_LENGTHS = np.array(DECODED_LENGTHS, dtype=np.float64)


def _scored(searcher, clauses: list[Query], limit: int, allowed: Matches):
    """The ``limit`` best of ``allowed``: each clause scored as Whoosh's matchers would score
    it, the sum times the coordination factor of ``ranking`` (every document scored: Whoosh's
    top-N collector prunes with score bounds that can be too low, so with a limit it can drop
    a better document: tests/test_search_count.py).

    Whoosh scores an And/Or of terms and phrases as the sum of the BM25F scores of the
    leaves a document matches, a phrase scoring as the sum of its words; its matchers step
    through that one posting at a time. Here each word's postings are scored as arrays with
    the same formula, operation for operation in float64, the same global statistics (idf,
    average length) and the same one-byte field lengths, where the word (or its phrase)
    matches; ties go to the lower document number, as in Whoosh's top-N collector.
    """
    found_docs, found_scores = [], []
    holders: dict[tuple[str, bytes], list[tuple[int, np.ndarray]]] = {}
    for (leaf, offset), mask in zip(searcher.leaf_searchers(), allowed.masks, strict=True):
        total, held = np.zeros(len(mask)), np.zeros(len(mask))
        for clause in clauses:
            scores = _clause_scores(searcher, leaf, offset, clause, mask, holders)
            total += scores
            held += scores > 0
        total *= coordination(held, len(clauses))
        docs = np.flatnonzero(mask)
        found_docs.append(docs + offset)
        found_scores.append(total[docs])
    query = Or(clauses) if len(clauses) > 1 else clauses[0]
    results = searching.Results(searcher, query, _best(found_docs, found_scores, limit))
    results.docterms = {d: [t for t, parts in holders.items()
                            if any(_holds(ids, d - offset) for offset, ids in parts)]
                        for _, d in results.top_n}
    results.termdocs = {t: [d for d, ts in results.docterms.items() if t in ts]
                        for t in holders}
    return results


def _clause_scores(searcher, leaf, offset: int, clause: Query, mask: np.ndarray,
                   holders: dict) -> np.ndarray:
    """Whoosh's BM25F score of ``clause`` for each document of one segment (zero where it
    does not match or ``mask`` is off); records which documents hold which terms."""
    reader = leaf.reader()
    scores = np.zeros(len(mask))
    for part in _leaves(clause):
        fieldname, field = part.fieldname, searcher.schema[part.fieldname]
        where = mask
        if isinstance(part, Phrase):
            where = mask & _mask(leaf, part)
        words = part.words if isinstance(part, Phrase) else [part.text]
        for btext in (field.to_bytes(word) for word in words):
            ids, weights = _postings(reader, fieldname, btext)
            if not len(ids):
                continue
            kept = where[ids]
            ids, w = ids[kept], weights[kept]
            holders.setdefault((fieldname, btext), []).append((offset, ids))
            scorer = searcher.weighting.scorer(leaf, fieldname, btext)
            if not isinstance(scorer, BM25FScorer):  # an unscored field: the weight counts
                scores[ids] += w
                continue
            idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
            length = _field_lengths(reader, fieldname)[ids]
            # whoosh.scoring.bm25, operation for operation
            scores[ids] += idf * ((w * (k1 + 1)) / (w + k1 * ((1 - b) + b * length / avgfl)))
    return scores


def _holds(ids: np.ndarray, docnum: int) -> bool:
    at = int(ids.searchsorted(docnum))
    return at < len(ids) and int(ids[at]) == docnum


def _best(docs: list[np.ndarray], scores: list[np.ndarray],
          limit: int) -> list[tuple[float, int]]:
    """The ``limit`` highest (score, docnum), ties to the lower docnum: the cut-off score
    comes from a partition, so only documents that reach it are sorted."""
    all_docs, all_scores = np.concatenate(docs), np.concatenate(scores)
    if not len(all_scores) or limit < 1:
        return []
    cut = np.partition(all_scores, max(0, len(all_scores) - limit))[
        max(0, len(all_scores) - limit)]
    reaching = all_scores >= cut
    top_docs, top_scores = all_docs[reaching], all_scores[reaching]
    order = np.lexsort((top_docs, -top_scores))[:limit]
    return [(float(top_scores[i]), int(top_docs[i])) for i in order]


# Decoded postings (and phrase documents) of the terms searched last, per segment reader.
CACHED_TERMS = 64
_NO_POSTINGS = (np.zeros(0, dtype=np.intp), np.zeros(0))


def _postings(reader, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A term's document numbers and weights in one segment, deleted documents included."""
    return _recent(reader, (fieldname, btext),
                   lambda: _read_postings(reader, fieldname, btext))


def _recent(reader, key: tuple, make):
    """``make()``, kept for the ``CACHED_TERMS`` keys of ``reader`` used last."""
    cache = _per_reader(reader, ("postings",), OrderedDict)
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    cache[key] = found = make()
    if len(cache) > CACHED_TERMS:
        cache.popitem(last=False)
    return found


def _read_postings(reader, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    try:
        matcher = reader.postings(fieldname, btext)
    except TermNotFound:
        return _NO_POSTINGS
    if isinstance(matcher, FilterMatcher):  # a segment with deletions wraps its postings
        matcher = matcher.child
        matcher.reset()  # the wrapper moved it past deleted documents; the mask drops them
    if isinstance(matcher, CandorLeafMatcher):
        ids, weights = postings_arrays(matcher)
    else:  # inlined postings, or a segment written by Whoosh's own codec: step through
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return np.asarray(ids, dtype=np.intp), np.asarray(weights, dtype=np.float64)


def _field_lengths(reader, fieldname: str) -> np.ndarray:
    """Every document's decoded length of ``fieldname`` in a segment (zero where a
    document has none), as ``doc_field_length`` would give them one by one."""
    def make() -> np.ndarray:
        coded = np.zeros(reader.doc_count_all(), dtype=np.uint8)
        stored = length_bytes(reader._perdoc, fieldname)
        if stored:
            coded[:len(stored)] = np.frombuffer(stored, dtype=np.uint8)
        return _LENGTHS[coded]
    return _per_reader(reader, ("lengths", fieldname), make)


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


def _clauses(query: ParsedQuery) -> list[Query]:
    """One query per wanted word or phrase (any of its synonyms, in any text field); a
    query of topics only ranks by them."""
    if not query.must:
        return [And([Term("topics", slug) for slug in query.topics])]
    return [Or([_any_field(alt) for alt in c.alternatives]) for c in query.must]


_WHOLE = wh.WholeFragmenter(charlimit=None)
_CONTEXT = wh.PinpointFragmenter(maxchars=200, surround=60, autotrim=True)


def _hit(h) -> Hit:
    h.results.fragmenter = _WHOLE  # the whole title, marked
    title = h.highlights("title", top=1) or h["title"]
    h.results.fragmenter = _CONTEXT  # a few passages of the body
    snippet = h.highlights("body", top=2) or fallback_snippet(h["body"])
    return Hit(kind=h["kind"], doc_id=h["doc_id"], title=highlight(title),
               snippet=highlight(snippet), url=h["url"], meta=h["meta"], answered=h["answered"])
