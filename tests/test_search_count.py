"""Whoosh search results, checked against a brute-force reading of every stored document."""

import random
from collections import Counter
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import collectors, index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.query import Or

from hub_api.search.documents import Document
from hub_api.search.query import parse
from hub_api.search.ranking import coordination, required
from hub_api.search.whoosh_backend import ANALYZER, WhooshBackend, _fields
from hub_api.search.whoosh_codec import CandorCodec

WORDS = ["pump", "pumps", "valve", "boiler", "steam", "pressure", "gauge", "seal", "leak",
         "copper", "brass", "thread", "weld", "flange", "gasket"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    rng = random.Random(3)
    backend = WhooshBackend(tmp_path_factory.mktemp("index"))
    # Several commits make several segments; updates and deletes leave deleted documents.
    for batch in range(4):
        docs = [Document("thread" if i % 3 else "person", f"{batch}-{i}",
                         " ".join(rng.choices(WORDS, k=4)),
                         " ".join(rng.choices(WORDS, k=rng.randint(0, 60))), "/x",
                         topics=tuple(rng.sample(["hvac", "pipes"], rng.randint(0, 2))))
                for i in range(100)]
        with backend.writer_lock(wait=True):
            if batch == 0:  # an index from before Candor's codec: Whoosh's own blocks
                writer = index.open_dir(str(backend.link)).writer(merge=False)
                for doc in docs:
                    writer.add_document(**_fields(doc))
                writer.commit(merge=False)
                continue
            backend.index_documents(docs, delete=[f"{batch - 1}-{i}" for i in range(0, 100, 7)])
    codecs = {type(s.codec()) for s in index.open_dir(str(backend.link))._segments()}
    assert codecs == {W3Codec, CandorCodec}, "both block layouts are searched"
    stored = [(f, {n: _stems(f[n]) for n in ("title", "body")})
              for f in backend._searcher().all_stored_fields()]
    return Corpus(backend, stored)


class Corpus(NamedTuple):
    backend: WhooshBackend
    stored: list

    def __repr__(self) -> str:  # hypothesis prints its arguments
        return f"<corpus of {len(self.stored)} documents>"


def _stems(text: str) -> list[str]:
    return [t.text for t in ANALYZER(text)]


def _contains(stems: dict, words: tuple[str, ...]) -> bool:
    """A word or a phrase (consecutive stems) in the title or the body."""
    wanted = _stems(" ".join(words))
    return any(found[i:i + len(wanted)] == wanted
               for found in stems.values() for i in range(len(found)))


def brute_force(stored, text: str, kinds: tuple[str, ...]) -> set[str]:
    query = parse(text)

    def holds(stems, clause) -> bool:
        return any(_contains(stems, alt) for alt in clause.alternatives)

    searched = [(fields, stems) for fields, stems in stored
                if (not kinds or fields["kind"] in kinds)
                and not any(_contains(stems, words) for words in query.must_not)
                and all(t in fields["topics"].split() for t in query.topics)]
    # A word no searched document holds is not asked for.
    clauses = [c for c in query.must if any(holds(stems, c) for _, stems in searched)]
    need = max(1, required(len(clauses))) if query.must else 0  # topics only: all of them
    return {fields["doc_id"] for fields, stems in searched
            if sum(holds(stems, c) for c in clauses) >= need}


@settings(max_examples=40, deadline=None)
@given(text=st.lists(st.sampled_from(WORDS + ['"steam pressure"', "-leak", "topic:hvac",
                                              "-gauge", '"brass seal"', "nothing"]),
                     min_size=1, max_size=4).map(" ".join),
       kinds=st.sampled_from([(), ("thread",), ("person",)]))
def test_search_finds_exactly_the_matching_documents(corpus, text, kinds):
    backend, stored = corpus
    if parse(text).empty:
        return
    expected = brute_force(stored, text, kinds)
    results = backend.search(parse(text), kinds)
    assert results.total == len(expected)
    pages = [results] + [backend.search(parse(text), kinds, page=p)
                         for p in range(2, results.pages + 1)]
    paged = [hit.doc_id for r in pages for hit in r.hits]
    assert len(paged) == len(set(paged)), "a document shown on two pages"
    assert set(paged) == expected


@settings(max_examples=40, deadline=None)
@given(text=st.lists(st.sampled_from(WORDS + ["topic:hvac", "topic:pipes", '"steam pressure"',
                                              '"brass seal"', '"leak gauge"']),
                     min_size=1, max_size=4).map(" ".join))
def test_ranking_by_postings_equals_whooshs_own_scoring(corpus, text):
    """The array-at-a-time BM25F ranking orders documents as Whoosh's matchers, each
    document scored, would, times the coordination factor of the clauses a document holds:
    the same scores but for the order of additions (Whoosh sums along a tree it shapes by
    posting counts), so scores equal to 9 places tie to the lower docnum."""
    from hub_api.search.whoosh_backend import _clauses, _everything, _held, _holding, _scored

    query = parse(text)
    if not query.must:
        return
    searcher = corpus.backend._searcher()
    clauses = _held(searcher, _clauses(query), _everything(searcher))
    if not clauses:
        return
    allowed = _holding(searcher, clauses)
    everything = allowed.count()
    ours = _scored(searcher, clauses, everything, allowed).top_n
    # Whoosh's own: every document scored (matcher replacement, which prunes, switched off).
    collector = collectors.FilterCollector(collectors.TopCollector(
        max(everything, 1), usequality=False, replace=0), allowed.docnums(), None)
    searcher.search_with_collector(Or(clauses), collector)
    held = Counter(d for clause in clauses for d in set(clause.docs(searcher)))
    whoosh = sorted(((score * coordination(held[d], len(clauses)), d)
                     for score, d in collector.results().top_n),
                    key=lambda hit: (-round(hit[0], 9), hit[1]))
    assert len(ours) == len(whoosh) == everything

    def ranked(top):
        return sorted((-round(score, 9), docnum) for score, docnum in top)

    assert ranked(ours) == ranked(whoosh)
    assert ours == sorted(ours, key=lambda hit: (-hit[0], hit[1])), "best first, ties by docnum"
    assert [s for s, _ in ours] == pytest.approx([s for s, _ in whoosh], rel=1e-12)
