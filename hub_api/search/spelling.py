"""Misspelt words: a word no document holds is searched as the held word one edit away
("recieve" -> "receive", "stainles" -> "stainless") that most documents hold.

The candidates are every single deletion, transposition, replacement and insertion of a
letter (Norvig's ``edits1``); the backend says how many documents hold each, read the way it
indexes words (stemmed), so a correction is always a word the index can find.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from .query import Clause, ParsedQuery

LETTERS = "abcdefghijklmnopqrstuvwxyz"
MIN_LENGTH = 4  # shorter words have too many neighbours to guess from
MAX_CORRECTIONS = 3  # each costs the backend a look-up of some 500 candidate words

_WORD = re.compile(r"\w+")
Frequencies = Callable[[list[str]], dict[str, int]]


def edits(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in LETTERS}
            | {a + c + b for a, b in splits for c in LETTERS}) - {word}


def corrections(words: Iterable[str], frequencies: Frequencies) -> dict[str, str]:
    """Each of ``words`` that no document holds, mapped to its best correction (if any)."""
    words = list(dict.fromkeys(words))
    known = frequencies(words)
    unknown = [w for w in words if not known.get(w) and len(w) >= MIN_LENGTH and w.isalpha()]
    found = {}
    for word in unknown[:MAX_CORRECTIONS]:
        counts = frequencies(sorted(edits(word)))
        best = max(counts.items(), key=lambda item: (item[1], item[0]), default=(None, 0))
        if best[1]:
            found[word] = best[0]
    return found


def corrected(query: ParsedQuery, frequencies: Frequencies) -> ParsedQuery:
    """``query`` with each unknown word also searched as its correction, and the corrected
    text a "Did you mean" link offers."""
    singles = [c.alternatives[0][0] for c in query.must if len(c.alternatives[0]) == 1]
    fixes = corrections(singles, frequencies)
    if not fixes:
        return query
    must = tuple(Clause(c.alternatives + ((fixes[c.alternatives[0][0]],),))
                 if c.alternatives[0][0] in fixes and len(c.alternatives[0]) == 1 else c
                 for c in query.must)
    suggestion = _WORD.sub(lambda m: fixes.get(m.group().lower(), m.group()), query.text)
    return replace(query, must=must, suggestion=suggestion)
