"""People's and topics' pages, rendered only when what they show changed.

An answer changes the page of the person who gave it and of its topic, not the other
seventy: each page is summed up from plain rows (its own columns, the ids, titles and first
answers of its threads, its picks' source files), and a page whose summary equals the live
build's is linked from it (:class:`hub_api.site.index_pages.ListReuse`) before any thread is
loaded; only the pages left are rendered, and only their threads loaded.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import inspect

from .index_pages import ListReuse, QuestionRow
from .reuse import source_mtime


def columns(row: object) -> tuple:
    """Every mapped column of a database row, in order."""
    return tuple(getattr(row, attr.key) for attr in inspect(type(row)).column_attrs)


class Summaries:
    """Texts of what person and topic pages show, built from the build's plain rows."""

    def __init__(self, data, config: Mapping) -> None:
        self.index = data.index
        self.rows: dict[int, QuestionRow] = {row.id: row for row in data.questions}
        # A thread's response time follows its topic's working hours and the build's
        # settings: every page shows them.
        self.site = repr((sorted((key, str(value)) for key, value in config.items()),
                          [columns(entry.topic) for entry in data.topics]))

    def threads(self, ids: list[int]) -> str:
        shown = []
        for question_id in ids:
            row = self.rows.get(question_id)
            shown.append(f"{row.shown if row else question_id}{self.index.first[question_id]}")
        return "\x1d".join(shown)

    @staticmethod
    def articles(articles: list) -> str:
        """An article's list entry comes from its source file (and the build's fingerprint)."""
        return repr([(a.source_path, source_mtime(a.source_path)) for a in articles])

    def person(self, entry, limit: int) -> str:
        person = entry.person
        return "\x1d".join((self.site, repr(columns(person)),
                            repr([t.slug for t in person.topics]), entry.freshness,
                            str(len(entry.answered)), self.articles(entry.articles[:limit]),
                            self.threads(entry.thread_ids)))

    def topic(self, entry, limit: int) -> str:
        people = [(columns(p), [t.slug for t in p.topics]) for p in entry.people]
        return "\x1d".join((self.site, repr(columns(entry.topic)), repr(people),
                            repr((entry.answered_count, entry.freshness, entry.quiet,
                                  len(entry.articles))),
                            self.articles(entry.articles[:limit]),
                            self.threads(entry.thread_ids)))


def link_unchanged(data, config: Mapping, reuse: ListReuse, limit: int) -> list:
    """Link every person and topic page (``people/<slug>/``, ``topics/<slug>/``) that shows
    what the live build's showed; return the entries whose pages must be rendered."""
    summaries = Summaries(data, config)
    render = []
    for entry in data.profiles:
        if not reuse.reuse(f"people/{entry.person.slug}/index.html",
                           summaries.person(entry, limit)):
            render.append(entry)
    for entry in data.topics:
        if not reuse.reuse(f"topics/{entry.slug}/index.html", summaries.topic(entry, limit)):
            render.append(entry)
    return render
