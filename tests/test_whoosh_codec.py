"""Candor's posting blocks hold exactly what Whoosh's own blocks hold."""

import random

import numpy as np
from whoosh import index
from whoosh.codec.whoosh3 import W3Codec

from hub_api.search.documents import Document
from hub_api.search.whoosh_backend import SCHEMA, _fields
from hub_api.search.whoosh_codec import CandorCodec, CandorLeafMatcher, postings_arrays

WORDS = ("pump valve boiler steam pressure gauge seal leak copper brass thread weld flange "
         "gasket pumps pumping sealed").split()


def _index(folder, codec, docs):
    folder.mkdir()
    ix = index.create_in(str(folder), SCHEMA)
    writer = ix.writer(codec=codec)
    for doc in docs:
        writer.add_document(**_fields(doc))
    writer.commit()
    return ix.reader()


def test_every_term_reads_back_as_whooshs_own_codec_wrote_it(tmp_path):
    rng = random.Random(8)
    # Up to 700 postings a term: several blocks of 128, a last short one, inlined singletons.
    docs = [Document(rng.choice(["thread", "person"]), str(i), " ".join(rng.choices(WORDS, k=3)),
                     " ".join(rng.choices(WORDS, k=rng.randint(0, 30))) + f" unique{i}", "/",
                     topics=rng.sample(["hvac", "pipes"], rng.randint(0, 2)),
                     answered=rng.random() < 0.5)
            for i in range(900)]
    theirs = _index(tmp_path / "w3", W3Codec(), docs)
    ours = _index(tmp_path / "candor", CandorCodec(), docs)
    terms = list(theirs.all_terms())
    assert terms == list(ours.all_terms()) and len(terms) > 900
    multi_block = 0
    for fieldname, btext in terms:
        a, b = theirs.term_info(fieldname, btext), ours.term_info(fieldname, btext)
        assert (a.doc_frequency(), a.weight(), a.min_length(), a.max_length(), a.max_weight()) \
            == (b.doc_frequency(), b.weight(), b.min_length(), b.max_length(), b.max_weight())
        assert _steps(ours.postings(fieldname, btext)) \
            == _steps(theirs.postings(fieldname, btext)), (fieldname, btext)
        matcher = ours.postings(fieldname, btext)
        if isinstance(matcher, CandorLeafMatcher):
            multi_block += a.doc_frequency() > 128
            ids, weights = postings_arrays(matcher)
            want = _steps(theirs.postings(fieldname, btext))
            assert ids.tolist() == [d for d, _, _ in want]
            assert np.array_equal(weights, np.array([w for _, w, _ in want], dtype=np.float32))
    assert multi_block > 5


def _steps(matcher) -> list[tuple]:
    """Every posting as Whoosh's matcher interface gives it: id, weight, encoded value."""
    out = []
    while matcher.is_active():
        out.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return out
