"""Candor's own small query language, parsed the same way for every backend.

Syntax: words, "phrases", ``-word`` or ``-"phrase"`` to exclude, ``topic:slug`` to filter.
Anything else is read as words: the parser never fails, so no input can reach a backend's
own parser or crash the search page. Synonyms are applied here, once, for both backends.

Words are wanted, not required: backends find documents holding most of them and rank those
holding all first (``coordination``). Both sides read words the same way (``words_of``,
``fold``): "P.C.B." is the word "pcb", and "back-flushing" also finds "backflushing".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..text import clean_text, slugify

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 16

# PostgreSQL's (Snowball) English stop words. Both backends drop exactly these, so a query
# means the same on Whoosh and on PostgreSQL.
STOP_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being
below between both but by can did do does doing don down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not now of off on once only or other our ours ourselves out
over own s same she should so some such t than that the their theirs them themselves then
there these they this those through to too under until up very was we were what when where
which while who whom why will with you your yours yourself yourselves
""".split())
# Function words of a question that PostgreSQL's list lacks; dropped from queries only (an
# index may hold them), so both backends still read a query the same way.
QUERY_STOP_WORDS = STOP_WORDS | {"vs", "versus"}

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")
# Single letters joined by dots ("P.C.B.", "e.g."), read as one word without the dots.
ACRONYM = re.compile(r"(?<![\w.])[^\W\d_](?:\.[^\W\d_])+(?![\w])\.?")
_JOINED = re.compile(r"\w+(?:-\w+)+")

Words = tuple[str, ...]  # one word, or a phrase of several


@dataclass(frozen=True)
class Clause:
    """Something the document must contain: any one of ``alternatives`` (synonyms)."""

    alternatives: tuple[Words, ...]


@dataclass(frozen=True)
class ParsedQuery:
    must: tuple[Clause, ...] = ()
    must_not: tuple[Words, ...] = ()
    topics: tuple[str, ...] = ()
    text: str = ""  # the cleaned input, for display and content gaps
    suggestion: str = ""  # the input with misspelt words corrected ("Did you mean")

    @property
    def empty(self) -> bool:
        return not self.must and not self.topics

    @property
    def words(self) -> list[str]:
        """Every positive word, synonyms included (what a highlighter may mark)."""
        return [w for c in self.must for alt in c.alternatives for w in alt]


@dataclass
class _Builder:
    must: list[Clause] = field(default_factory=list)
    must_not: list[Words] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)


def fold(text: str) -> str:
    """``text`` with dotted acronyms written as one word ("P.C.B." -> "PCB"), as indexed."""
    return ACRONYM.sub(lambda m: m.group().replace(".", ""), text)


def words_of(text: str, stop: frozenset[str] = STOP_WORDS) -> Words:
    """Lower-case words, stop words and single letters dropped."""
    return tuple(w for w in (m.lower() for m in _WORD.findall(fold(text)))
                 if len(w) > 1 and w not in stop)


def parse(raw: str | None, synonyms: Mapping[str, Sequence[str]] | None = None) -> ParsedQuery:
    """Parse any string into a query; ``synonyms`` maps a term to what it also finds."""
    text = clean_text(raw)[:MAX_QUERY_CHARS]
    b = _Builder()
    for match in _TOKEN.finditer(text):
        negated, phrase, token = match.group(1), match.group(2), match.group(3)
        if token is not None:
            negated = "-" if token.startswith("-") and len(token) > 1 else ""
            token = token[1:] if negated else token
            key, _, value = token.partition(":")
            if key.lower() == "topic" and value and not negated:
                b.topics.append(slugify(value))
                continue
            phrase = token
        found = words_of(phrase or "", QUERY_STOP_WORDS)
        joined = _joined(token) if token else ()
        found = found or joined
        if not found or len(b.must) + len(b.must_not) >= MAX_CLAUSES:
            continue
        if negated:
            b.must_not.append(found)
        elif not any(found in c.alternatives for c in b.must):
            b.must.append(Clause(_expand(found, synonyms or {}, [joined] if joined else [])))
    return ParsedQuery(tuple(b.must), tuple(b.must_not), tuple(dict.fromkeys(b.topics)), text)


def _joined(token: str) -> Words:
    """A hyphenated word written as one, which it also finds ("dry-hopping": "dryhopping")."""
    match = _JOINED.search(token)
    return words_of(match.group().replace("-", "")) if match else ()


def _expand(found: Words, synonyms: Mapping[str, Sequence[str]],
            also: Sequence[Words] = ()) -> tuple[Words, ...]:
    alternatives = [found]
    for words in [*map(words_of, synonyms.get(" ".join(found), ())), *also]:
        if words and words not in alternatives:
            alternatives.append(words)
    return tuple(alternatives)


def normalise(text: str) -> str:
    """The form a query is counted under in content gaps: lower case, single spaces."""
    return " ".join(clean_text(text).lower().split())[:200]
