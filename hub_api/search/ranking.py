"""How many of a query's words a document needs, and how much holding more of them counts.

Both backends rank the same way: the BM25 scores of the words a document holds, times its
share of the query's words raised to ``COORDINATION``, so a document holding every word comes
before one missing a word unless the missing word is common and the rest match far better.
A query of several words finds documents missing some of them (a reader's question is rarely
worded as the answer is); ``required`` says how many.
"""

from __future__ import annotations

import math

COORDINATION = 0.5


def required(clauses: int) -> int:
    """The fewest of ``clauses`` words a document must hold: all of one or two words, and
    about half of a longer query."""
    return clauses if clauses <= 2 else math.ceil(clauses / 2)


def coordination(held, clauses: int):
    """The factor for holding ``held`` of ``clauses`` (a number or a numpy array)."""
    return (held / max(clauses, 1)) ** COORDINATION


# A similar question must score at least this share of the best one: fewer, better
# suggestions than every thread that happens to share a word.
SIMILAR_SHARE = 0.5


def similar_enough(scores: list[float]) -> int:
    """How many of ``scores`` (best first) to suggest as similar questions."""
    return sum(1 for s in scores if scores and s >= SIMILAR_SHARE * scores[0])
