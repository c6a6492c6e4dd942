"""Pages for finding everything and being found: ``/questions/`` (filtered by topic and by
answered/waiting), ``/people/``, ``/topics/``, ``/sitemap.xml`` and ``/robots.txt``.

Lists that grow hold at most :data:`PER_PAGE` items a page, in stable pages (:func:`archive`):
a new question changes the first page of each list it is on, not all of them. Each person
who answered more threads than their page shows has their own list of them
(``/people/<slug>/answered/``). Questions are read as plain rows
(no ORM objects: 100,000 of them load in a fraction of a second). The sitemap is an index of
sitemaps of at most :data:`SITEMAP_URLS` addresses each, every address with its ``lastmod``.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import json
import math
import operator
import os
from array import array
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Question, Topic
from ..questions import states
from ..security import NOINDEX_PREFIXES
from ..text import slugify
from . import reuse
from .encodings import link_variants
from .page_store import PageStore

PER_PAGE = 100
MIN_PER_PAGE = 50  # a list page that is not the first holds 50 to 100 items
_BITS = (1 << 64) - 1
CUT_EVERY = 30
SITEMAP_URLS = 10_000
_CUT, _KEY = operator.attrgetter("cut"), operator.attrgetter("key")


@dataclass
class QuestionRow:
    """One public question as the lists and the sitemap show it (not frozen: a frozen
    dataclass takes twice as long to make, and the build makes 100,000)."""

    id: int
    title: str
    status: str
    created_at: datetime
    lastmod: datetime
    topic_slug: str | None
    topic_name: str | None
    # Worked out once, when read (a ``cached_property`` costs a lock per read in 3.11):
    shown: str = field(init=False)  # what a list shows of it, for :class:`ListReuse`
    key: int = field(init=False)  # a 64-bit digest of ``shown``: pages sum up their rows' keys
    located: int = field(init=False)  # a digest of ``shown`` and ``lastmod``: its sitemap entry
    cut: bool = field(init=False)  # a list page may end after it (:func:`archive`)

    def __post_init__(self) -> None:
        self.shown = f"{self.id}\x1f{self.title}\x1f{self.status}\x1f{self.created_at}\x1f" \
                     f"{self.topic_slug}\x1f{self.topic_name}\x1e"
        shown = self.shown.encode()
        self.key = int.from_bytes(hashlib.blake2b(shown, digest_size=8).digest())
        self.located = int.from_bytes(hashlib.blake2b(
            shown, digest_size=8, key=self.lastmod.isoformat().encode()).digest())
        self.cut = _is_cut(self.id)

    @functools.cached_property
    def url(self) -> str:
        """Only rendered pages and rewritten sitemaps need it: a few thousand rows a build."""
        return f"/q/{self.id}/{slugify(self.title)}"

    answered = property(lambda self: self.status in states.ANSWERED)
    waiting = property(lambda self: self.status == states.Status.OPEN)


@dataclass(frozen=True)
class Page:
    """One page of a list: its items, its number (``None`` for the first page, which lives at
    the list's own URL) and its neighbours' URLs (``prev_url`` on the newer side)."""

    items: Sequence
    number: int | None
    url: str
    prev_url: str | None
    next_url: str | None

    @property
    def save_as(self) -> str:
        return self.url.lstrip("/") + "index.html"


def page_url(base: str, number: int | None) -> str:
    """``/questions/`` for the first page, ``/questions/page/<number>/`` for the others."""
    return base if number is None else f"{base}page/{number}/"


def _linked(chunks: list[tuple[int | None, Sequence]], base: str) -> list[Page]:
    urls = [page_url(base, number) for number, _items in chunks]
    return [Page(items, number, urls[i], urls[i - 1] if i else None,
                 urls[i + 1] if i + 1 < len(urls) else None)
            for i, (number, items) in enumerate(chunks)]


def paginate(items: Sequence, base: str, per_page: int = PER_PAGE) -> list[Page]:
    """``items`` cut into pages of at most ``per_page``, numbered 2, 3, … after the first
    (one empty page when there are none): for lists in name order, such as ``/people/``."""
    count = max(1, math.ceil(len(items) / per_page))
    return _linked([(None if n == 1 else n, items[(n - 1) * per_page:n * per_page])
                    for n in range(1, count + 1)], base)


def archive(items: Sequence[QuestionRow], base: str, per_page: int = PER_PAGE) -> list[Page]:
    """``items``, newest first, as pages numbered from the oldest (the first page, ``base``,
    holds the newest; ``base/page/1/`` the oldest), cut where :func:`cut` says."""
    return _linked(cut(items, per_page), base)


def cut(items: Sequence[QuestionRow], per_page: int = PER_PAGE) -> list[tuple[int | None,
                                                                           Sequence]]:
    """``items``, newest first, as numbered pages (the first, the newest, numbered ``None``;
    then from the newest numbered page to page 1, the oldest), cut where the items say: a
    page ends after an item whose id hashes to a cut (about one in :data:`CUT_EVERY`) once it
    holds :data:`MIN_PER_PAGE`, and at ``per_page`` at the latest — content-defined chunking,
    as rsync and backup tools cut files. A question added, answered (it leaves the waiting
    list and joins the answered one, usually far from their ends) or hidden then changes the
    page it is on and seldom a neighbour, not every page after it: an incremental build
    re-renders a few pages of a list, not all of them (which is also why no page says how
    many pages there are)."""
    count = len(items)
    # Positions counted from the oldest item (the lists hold up to 100,000: no loop per item).
    cuts = list(itertools.compress(range(count), map(_CUT, reversed(items))))
    numbered: list[tuple[int | None, Sequence]] = []
    start = 0
    while count - start > 0:
        at = bisect.bisect_left(cuts, start + MIN_PER_PAGE - 1)
        end = min(cuts[at] if at < len(cuts) else count, start + per_page - 1)
        if end >= count:  # what is left, the newest, is the first page
            break
        numbered.append((len(numbered) + 1, items[count - 1 - end:count - start]))
        start = end + 1
    first = items[:count - start]
    if not first and numbered:
        first = numbered.pop()[1]
    return [(None, first), *numbered[::-1]]


class ListCuts:
    """Each list's pages as :func:`cut` made them (with their rows' keys), each person's
    answered rows and each sitemap's threads, kept while they hold the same rows (compared
    by identity first: a snapshot's patch replaces the rows it reads again, and says which,
    :meth:`read_again`). The waiting build child works them all out ahead
    (:meth:`hub_api.site.snapshot.Snapshot.warm`), so a publish works out again only what a
    change touched: all of it (450,000 list items, 150,000 answered rows and 100,000
    threads at 100,000 questions) took a build about a third of a second."""

    def __init__(self) -> None:
        self.known: dict[str, tuple[list[QuestionRow], list[tuple[int | None, Sequence,
                                                                   bytes]]]] = {}
        self.selected: dict[str, tuple[list[int], list[QuestionRow]]] = {}
        self.parts: dict[int, list[QuestionRow]] | None = None
        self.replaced: set[int] = set()  # questions read again since

    def read_again(self, ids: Iterable[int]) -> None:
        """The rows of the questions ``ids`` were replaced (or are gone, or are new)."""
        self.replaced.update(ids)

    def cut(self, name: str, rows: list[QuestionRow]) -> list[tuple[int | None, Sequence,
                                                                      bytes]]:
        """The pages of the list ``name`` holding ``rows`` (:func:`cut`), each with the
        keys of its rows (``array("Q")`` bytes: what :class:`ListReuse` digests)."""
        known = self.known.get(name)
        if known and known[0] == rows:  # the same objects, mostly: compared by identity
            return known[1]
        pages = [(number, items, array("Q", map(_KEY, items)).tobytes())
                 for number, items in cut(rows)]
        self.known[name] = (rows, pages)
        return pages

    def rows(self, name: str, ids: list[int], by_id: Mapping[int, QuestionRow]
             ) -> list[QuestionRow]:
        """:func:`rows_of` ``ids``, as last time when ``ids`` is the same list and none of
        its questions was read again."""
        known = self.selected.get(name)
        if known and known[0] is ids and self.replaced.isdisjoint(ids):
            return known[1]
        rows = rows_of(by_id, ids)
        self.selected[name] = (ids, rows)
        return rows

    def sitemap_parts(self, rows: list[QuestionRow]) -> dict[int, list[QuestionRow]]:
        """``rows`` by sitemap (``id // SITEMAP_URLS``), each in id order."""
        if self.parts is None:
            self.parts = _by_sitemap(rows)
        elif touched := {question_id // SITEMAP_URLS for question_id in self.replaced}:
            for start in touched:
                self.parts.pop(start, None)
            self.parts.update(_by_sitemap(
                [row for row in rows if row.id // SITEMAP_URLS in touched]))
        return self.parts


def _by_sitemap(rows: Iterable[QuestionRow]) -> dict[int, list[QuestionRow]]:
    parts: dict[int, list[QuestionRow]] = {}
    for row in sorted(rows, key=lambda r: r.id):
        parts.setdefault(row.id // SITEMAP_URLS, []).append(row)
    return parts


def _is_cut(item_id: int) -> bool:
    """About one id in ``CUT_EVERY``, whatever pattern the ids of a list follow (the
    splitmix64 finaliser mixes every bit)."""
    z = (item_id + 0x9E3779B97F4A7C15) & _BITS
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _BITS
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _BITS
    return (z ^ (z >> 31)) % CUT_EVERY == 0


def load_questions(session: Session, answers_changed: Mapping[int, datetime],
                   only: Collection[int] | None = None) -> list[QuestionRow]:
    """Every public question (``only``: those of these ids), newest first, with the time it
    or (``answers_changed``, by question id) its answers last changed."""
    query = (select(Question.id, Question.title, Question.status, Question.created_at,
                    Question.edited_at, Topic.slug, Topic.name)
             .outerjoin(Topic, Topic.id == Question.topic_id)
             .where(states.public())
             .order_by(Question.created_at.desc(), Question.id.desc()))
    rows = session.execute(query if only is None else query.where(Question.id.in_(sorted(only))))
    return [QuestionRow(id_, title, status, created,
                        max(filter(None, (created, edited, answers_changed.get(id_)))),
                        slug, name)
            for id_, title, status, created, edited, slug, name in rows]


@dataclass(frozen=True)
class Listing:
    title: str
    base: str
    state: str  # "" | "answered" | "waiting"
    topic: str | None


STATES = (("", "All questions"), ("answered", "Answered"), ("waiting", "Waiting for an answer"))


def listings(topics: Iterable) -> list[Listing]:
    """Every list: all, answered, waiting; and the same for each topic."""
    found = []
    for topic in [None, *topics]:
        for state, label in STATES:
            slug = topic.slug if topic else None
            title = label if topic is None else f"{label} about {topic.name}"
            found.append(Listing(title, list_base(slug, state), state, slug))
    return found


def list_base(topic: str | None, state: str) -> str:
    """``/questions/``, ``/questions/answered/``, ``/questions/topic/<slug>/waiting/`` …"""
    return "/questions/" + (f"topic/{topic}/" if topic else "") + (f"{state}/" if state else "")


def group_rows(rows: list[QuestionRow], found: list[Listing]) -> dict[str, list[QuestionRow]]:
    """Each list's rows (by its base URL), in the rows' order, in one pass over them."""
    grouped: dict[str, list[QuestionRow]] = {listing.base: [] for listing in found}
    lists_of: dict[tuple[str | None, str], list[list[QuestionRow]]] = {}  # by topic and status
    for row in rows:
        try:
            targets = lists_of[row.topic_slug, row.status]
        except KeyError:
            state = "answered" if row.answered else "waiting" if row.waiting else None
            bases = {list_base(topic, each) for topic in {None, row.topic_slug}
                     for each in ("", state) if each is not None}
            targets = lists_of[row.topic_slug, row.status] = [
                grouped[base] for base in bases if base in grouped]
        for rows_of in targets:
            rows_of.append(row)
    return grouped


class ListReuse:
    """Links a list page from the live build instead of rendering it when nothing it shows
    changed (its rows, its filters, and the build's fingerprint of templates and names): at
    100,000 questions an answer changes a few of the thousands of list pages."""

    RECORD = ".candor-lists.json"

    def __init__(self, live: Path | None, output: str, fingerprint: str) -> None:
        self.output, self.fingerprint = Path(output), fingerprint
        self.live = live if live and live.resolve() != self.output.resolve() else None
        self.old: dict[str, str] = read_record(self.live, self.RECORD)
        self.new: dict[str, str] = {}
        self.folders: set[str] = set()
        self.linked = 0

    def write(self, save_as: str, shown: str | bytes, render: Callable[[], object]) -> None:
        """Link ``save_as`` from the live build when ``shown`` (a text of everything the page
        shows) is what it showed, else ``render()``."""
        if not self.reuse(save_as, shown):
            render()

    def digest(self, shown: str | bytes) -> str:
        """What a page showing ``shown`` in this build is known by (its templates and the
        names every page shows are in the fingerprint)."""
        return hashlib.sha256(self.fingerprint.encode() + (
            shown.encode() if isinstance(shown, str) else shown)).hexdigest()[:32]

    def reuse(self, save_as: str, shown: str | bytes) -> bool:
        """Link ``save_as`` (and its compressed variants) from the live build if it showed
        ``shown``; whether it did."""
        digest = self.new[save_as] = self.digest(shown)
        if self.old.get(save_as) != digest:
            return False
        old, new = os.path.join(self.live, save_as), os.path.join(self.output, save_as)
        try:
            if (folder := os.path.dirname(new)) not in self.folders:
                os.makedirs(folder, exist_ok=True)
                self.folders.add(folder)
            os.link(old, new)
        except OSError:
            return False
        link_variants(old, new)
        self.linked += 1
        return True

    def save(self) -> None:
        (self.output / self.RECORD).write_text(json.dumps(self.new))


def read_record(live: Path | None, name: str) -> dict:
    """A record the live build left for the next one (empty when there is none)."""
    try:
        found = json.loads((live / name).read_text()) if live else {}
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


class ContentUrls:
    """Each article's and page's address and date as the live build worked them out, kept
    while its source file is unchanged: Pelican takes about a tenth of a millisecond per
    address (a second per sitemap at 10,000 articles)."""

    RECORD = ".candor-urls.json"

    def __init__(self, live: Path | None, output: str, shape: str) -> None:
        self.output, self.shape = Path(output), shape
        old = read_record(live, self.RECORD)  # ``ListReuse.live``: never the output itself
        self.old: dict[str, list] = old.get("urls", {}) if old.get("shape") == shape else {}
        self.new: dict[str, list] = {}

    def locate(self, content) -> tuple[str, datetime | None]:
        """``content``'s path (``/curated/<slug>/``) and when it last changed."""
        source = content.source_path
        mtime = reuse.source_mtime(source)
        known = self.old.get(source)
        if known and known[0] == mtime >= 0:
            path, moment = known[1], known[2] and datetime.fromisoformat(known[2])
        else:
            path = f"/{content.url}"
            moment = getattr(content, "modified", None) or getattr(content, "date", None)
        # A source edited after this build began is never trusted to match what was read.
        trusted = mtime if mtime < reuse.STARTED else -1.0
        self.new[source] = [trusted, path, moment.isoformat() if moment else None]
        return path, moment

    def save(self) -> None:
        (self.output / self.RECORD).write_text(json.dumps({"shape": self.shape,
                                                            "urls": self.new}))


def write_question_list(generator, writer, reuse: ListReuse, store: PageStore,
                        listing: Listing, pages: list[tuple[int | None, Sequence, bytes]],
                        **filters) -> None:
    """One list of questions, newest first, in stable pages (``pages``, from
    :meth:`ListCuts.cut`): the first page in the build, the numbered ones in the page
    store."""
    template = generator.get_template("questions")
    shown = repr((listing, filters))
    numbered: list[tuple[int, str]] = []
    linked = _linked([(number, items) for number, items, _keys in pages], listing.base)
    for page, (_number, _items, keys) in zip(linked, pages, strict=True):
        head = f"{shown}\x1d{page.number}\x1d{page.prev_url}\x1d{page.next_url}\x1d"
        render = functools.partial(writer.write_file, template=template,
                                   context=generator.context, listing=listing, page=page,
                                   page_name=page.save_as[:-5], **filters)
        if page.number is None:
            reuse.write(page.save_as, head.encode() + keys,
                        functools.partial(render, page.save_as))
        else:
            numbered.append((page.number, reuse.digest(head.encode() + keys)))
            store.page(numbered[-1][1], render)
    if numbered:
        store.link_list(f"{listing.base.lstrip('/')}page", numbered)


def person_list(person_id: int) -> str:
    """The name :class:`ListCuts` knows a person's ``answered/`` list by."""
    return f"person:{person_id}"


def rows_of(by_id: Mapping[int, QuestionRow], ids: Iterable[int]) -> list[QuestionRow]:
    """The public questions of ``ids``, in that order."""
    return [by_id[i] for i in ids if i in by_id]


def write_lists(generator, writer, rows: list[QuestionRow], topics: list, profiles: list,
                reuse: ListReuse, store: PageStore, cuts: ListCuts) -> None:
    """``/questions/…``, ``/people/…`` (and each person's ``answered/`` list) and
    ``/topics/``."""
    found = listings(topics)
    grouped = group_rows(rows, found)
    for listing in found:
        state_part = f"{listing.state}/" if listing.state else ""
        state_filters = [(label, list_base(listing.topic, state), state == listing.state)
                         for state, label in STATES]
        topic_filters = [("All topics", f"/questions/{state_part}", listing.topic is None)]
        topic_filters += [(t.name, list_base(t.slug, listing.state), t.slug == listing.topic)
                          for t in topics]
        write_question_list(generator, writer, reuse, store, listing,
                            cuts.cut(listing.base, grouped[listing.base]),
                            state_filters=state_filters, topic_filters=topic_filters)
    by_id = {row.id: row for row in rows}
    for entry in profiles:
        if entry.answered_url:
            person, name = entry.person, person_list(entry.person.id)
            listing = Listing(f"Questions {person.name} answered", entry.answered_url, "", None)
            write_question_list(generator, writer, reuse, store, listing,
                                cuts.cut(name, cuts.rows(name, entry.answered, by_id)),
                                state_filters=[], topic_filters=[])
    people = generator.get_template("people_index")
    for page in paginate([entry.person for entry in profiles], "/people/"):
        shown = [(p.id, p.name, p.job_title, p.photo, p.slug, [t.slug for t in p.topics])
                 for p in page.items]
        reuse.write(page.save_as, repr((shown, page.number, page.prev_url, page.next_url)),
                    functools.partial(writer.write_file, page.save_as, people,
                                      generator.context, page=page,
                                      page_name=page.save_as[:-5]))
    writer.write_file("topics/index.html", generator.get_template("topics_index"),
                      generator.context, topics=topics, page_name="topics/index")


def sitemap_entries(context: dict, rows: list[QuestionRow], topics: list, profiles: list,
                    urls: ContentUrls) -> list[tuple[str, datetime]]:
    """Every public page but the threads (:func:`write_sitemaps` adds them) and when it last
    changed. Pages that gather others (front page, lists, people, topics) changed when the
    newest thread or article did: the same data gives the same sitemap, whichever build
    wrote it."""
    contents = [*context.get("articles", []), *context.get("pages", [])]
    dated = [urls.locate(c) for c in contents]
    moments = [_utc(m) for _p, m in dated if m] + [r.lastmod for r in rows]
    newest = max(moments, default=datetime(2000, 1, 1))
    # Articles and pages first: a publish changes the gathering pages' date, not theirs, so
    # their sitemaps stay as they were (linked from the live build, see ``write_sitemaps``).
    entries = [(path, moment or newest) for path, moment in dated]
    entries += [("/", newest), ("/questions/", newest), ("/people/", newest),
                ("/topics/", newest)]
    entries += [(t.url, newest) for t in topics]
    entries += [(e.person.profile_url, newest) for e in profiles]
    entries += [(e.answered_url, newest) for e in profiles if e.answered_url]
    entries += [("/privacy/", newest), ("/transparency/", newest)]
    return entries


def _utc(moment: datetime) -> datetime:
    """Naive UTC (Pelican's dates carry the site's time zone; the database's are UTC)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _lastmod(moment: datetime) -> str:
    return _utc(moment).replace(microsecond=0).isoformat() + "Z"


def write_sitemaps(output: str, public_url: str, entries: list[tuple[str, datetime]],
                   rows: list[QuestionRow], reuse: ListReuse, cuts: ListCuts) -> None:
    """``sitemap.xml`` (an index) and the sitemaps it names, of at most ``SITEMAP_URLS``
    addresses each: ``sitemaps/pages-<n>.xml`` for ``entries``, ``sitemaps/questions-<k>.xml``
    for the threads whose ids start with ``k`` (in ``SITEMAP_URLS`` steps). A publish changes
    one thread's sitemap and the last pages' one, and the others are linked from the live
    build (ten of them at 100,000 questions)."""
    Path(output, "sitemaps").mkdir(parents=True, exist_ok=True)
    written: list[tuple[str, datetime]] = []  # each sitemap and its newest address
    for n, first in enumerate(range(0, len(entries), SITEMAP_URLS), 1):
        part = entries[first:first + SITEMAP_URLS]
        written.append((f"sitemaps/pages-{n}.xml", max(_utc(moment) for _p, moment in part)))
        if not reuse.reuse(written[-1][0], repr((public_url, part))):
            _write_urlset(Path(output, written[-1][0]), public_url, part)
    for start, part in sorted(cuts.sitemap_parts(rows).items()):
        written.append((f"sitemaps/questions-{start}.xml", max(r.lastmod for r in part)))
        shown = public_url.encode() + array("Q", [r.located for r in part]).tobytes()
        if not reuse.reuse(written[-1][0], shown):
            _write_urlset(Path(output, written[-1][0]), public_url,
                          [(r.url, r.lastmod) for r in part])
    index = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    index += [f"<sitemap><loc>{escape(public_url)}/{name}</loc>"
              f"<lastmod>{_lastmod(newest)}</lastmod></sitemap>" for name, newest in written]
    index.append("</sitemapindex>\n")
    Path(output, "sitemap.xml").write_text("\n".join(index))


def _write_urlset(path: Path, public_url: str, entries: list[tuple[str, datetime]]) -> None:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"<url><loc>{escape(public_url + path)}</loc>"
              f"<lastmod>{_lastmod(moment)}</lastmod></url>" for path, moment in entries]
    lines.append("</urlset>\n")
    path.write_text("\n".join(lines))


def robots_txt(public_url: str) -> str:
    """Private and endless paths disallowed; the sitemap named."""
    lines = ["User-agent: *", *(f"Disallow: {prefix}" for prefix in NOINDEX_PREFIXES),
             "", f"Sitemap: {public_url}/sitemap.xml", ""]
    return "\n".join(lines)
