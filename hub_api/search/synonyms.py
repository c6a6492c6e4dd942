"""The hub's own vocabulary: synonyms and acronyms that admins define.

Stored as (term, expansion) pairs and applied both ways by the query parser, the same for
every backend ("PCB" finds "printed circuit board", and the phrase finds "PCB").
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import SearchSynonym
from ..text import clean_text
from .query import words_of


class SynonymError(ValueError):
    """A synonym that cannot be stored, in words."""


def mapping(session: Session) -> dict[str, list[str]]:
    """Normalised term -> what it also finds, in both directions."""
    found: dict[str, list[str]] = {}
    for term, expansion in session.execute(select(SearchSynonym.term, SearchSynonym.expansion)):
        for a, b in ((term, expansion), (expansion, term)):
            found.setdefault(" ".join(words_of(a)), []).append(b)
    return found


def _clean(value: str, label: str, limit: int) -> str:
    value = clean_text(value).lower()
    if not words_of(value):
        raise SynonymError(f"the {label} needs a word of two letters or more that is not a "
                           "common word like 'the'")
    if len(value) > limit:
        raise SynonymError(f"the {label} must be at most {limit} characters")
    return value


def add(session: Session, term: str, expansion: str) -> SearchSynonym:
    term, expansion = _clean(term, "term", 120), _clean(expansion, "expansion", 200)
    if words_of(term) == words_of(expansion):
        raise SynonymError("a term and its expansion must differ")
    if session.scalar(select(SearchSynonym).where(SearchSynonym.term == term,
                                                  SearchSynonym.expansion == expansion)):
        raise SynonymError(f"'{term}' already finds '{expansion}'")
    synonym = SearchSynonym(term=term, expansion=expansion)
    session.add(synonym)
    return synonym


def listing(session: Session) -> list[SearchSynonym]:
    return list(session.scalars(select(SearchSynonym).order_by(SearchSynonym.term,
                                                               SearchSynonym.expansion)))


def remove(session: Session, term: str, expansion: str | None = None) -> int:
    """Remove a term's expansions (all of them, or just ``expansion``); return how many."""
    where = [SearchSynonym.term == clean_text(term).lower()]
    if expansion:
        where.append(SearchSynonym.expansion == clean_text(expansion).lower())
    found = list(session.scalars(select(SearchSynonym).where(*where)))
    for synonym in found:  # ORM deletes, so the commit hook sees the vocabulary change
        session.delete(synonym)
    removed = len(found)
    if not removed:
        raise SynonymError(f"no synonym '{clean_text(term).lower()}'"
                           + (f" -> '{expansion}'" if expansion else ""))
    return removed
