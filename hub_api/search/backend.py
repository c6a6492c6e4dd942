"""The one small interface every search backend implements, and what it returns.

Backends receive Candor's parsed query, never user text, and mark highlights with the
private-use characters of ``documents``; ``highlight`` turns them into safe ``<mark>`` HTML.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from markupsafe import Markup, escape

from .documents import MARK_END, MARK_START, Document
from .query import ParsedQuery

PAGE_SIZE = 10


@dataclass
class Hit:
    kind: str
    doc_id: str
    title: Markup
    snippet: Markup
    url: str
    meta: str
    answered: bool

    def as_json(self) -> dict:
        return {"kind": self.kind, "id": self.doc_id, "title": str(self.title),
                "title_text": self.title.striptags(),
                "snippet": str(self.snippet), "url": self.url, "meta": self.meta,
                "answered": self.answered}


@dataclass
class Results:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    estimated: bool = False  # ``total`` is an estimate (PostgreSQL, thousands of matches)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


class SearchBackend(Protocol):
    """Index documents, delete them, and answer parsed queries."""

    def writer_lock(self) -> AbstractContextManager[bool]:
        """Held by the one process that may write; yields False when another holds it."""

    def has_index(self) -> bool:
        """Whether the index exists, in the current format (``candor init`` builds it
        when not)."""

    def index_documents(self, docs: Iterable[Document], delete: Iterable[str] = ()) -> None:
        """Add or replace ``docs`` and delete the ``delete`` doc ids, all at once."""

    def rebuild(self, docs: Iterator[Document]) -> None:
        """Replace the whole index with ``docs``, swapping it in atomically at the end."""

    def search(self, query: ParsedQuery, kinds: Iterable[str] = (), page: int = 1) -> Results:
        """Ranked hits with highlighted titles and snippets."""

    def similar(self, query: ParsedQuery, limit: int = 5,
                within: Collection[str] | None = None) -> list[Hit]:
        """Answered threads ranked as ``search`` ranks them, holding as many of the words
        and scoring at least ``ranking.SIMILAR_SHARE`` of the best; with ``within``, only
        those thread doc ids, answered or not, holding any word ("more like this" among a
        chosen set)."""

    def doc_ids(self, kind: str | None = None) -> set[str]:
        """Every indexed doc id, or those of one kind."""

    def frequencies(self, words: list[str]) -> dict[str, int]:
        """How many documents hold each word, as the index reads it (a stop word: none);
        counts may stop at a cap, a hundred or more."""


def highlight(text: str) -> Markup:
    """Escape backend output, then turn the private-use markers into ``<mark>`` tags."""
    escaped = str(escape(text))
    marked = escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return Markup(marked)  # noqa: S704 — escaped above; only our <mark> tags are added


def fallback_snippet(body: str, length: int = 240) -> str:
    """The start of a document when nothing in its body matched (a title-only hit)."""
    body = " ".join(body.split())
    return body if len(body) <= length else body[:length].rsplit(" ", 1)[0] + " …"
