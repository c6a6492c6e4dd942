"""Candor's Pelican plugin: the database's people, topics and answers on the static site.

Registered through ``PLUGINS = ["hub_api.site.plugin"]`` in ``pelicanconf.py``. It

* adds recently answered questions, staff and topics to the shared context (front page);
* writes ``people/<slug>/index.html``, ``topics/<slug>/index.html`` and
  ``feeds/<topic>.atom`` through :class:`CandorGenerator`;
* sanitises every article's and page's HTML (curated Markdown may carry raw HTML);
* gives feeds absolute links to ``FEED_DOMAIN`` while pages stay root-relative.

It reads through the same data layer as the backend (``make_engine`` + ``session_scope``),
with the settings the builder handed over (``settings["CANDOR"]``, see
:mod:`hub_api.site.settings`).
Rows are detached when the session closes, so every relationship a template touches is
eager-loaded.
"""

from __future__ import annotations

import html
import logging
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import nh3
from pelican import signals
from pelican.contents import Article, Page
from pelican.generators import Generator
from pelican.writers import Writer
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, selectinload
from unidecode import unidecode

from ..db import make_engine, read_only, session_scope, utcnow
from ..identity import CompanyIdentity, read_identity
from ..leads import responsiveness
from ..markup import render_markdown, sanitize_html
from ..models import Answer, Person, Question, Topic
from ..questions.routing import answer_time
from ..text import slugify
from . import index_pages, profile_pages, snapshot, trust_pages
from .assets import write_assets
from .page_store import PageStore
from .pelican_internals import replace_html, use_markdown_reader
from .reuse import PageReuse, curated_tree, fingerprint, write_stamp
from .settings import content_cache_key
from .templating import theme_globals

logger = logging.getLogger(__name__)

FRONT_PAGE_ANSWERS = 10
PAGE_THREADS = 30
LIST_ITEM = re.compile(r"([-*+]|\d+[.)])\s")
SAFE_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

class CandorDataError(RuntimeError):
    """The database cannot be read (e.g. ``candor init`` was never run)."""


# --- content metadata -----------------------------------------------------------------


def split_list(value) -> list[str]:
    """``"networking, security"`` (or a list) → ``["networking", "security"]``."""
    if not value:
        return []
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return [item.strip() for item in items if item and item.strip()]


def clean_content_object(content) -> None:
    """``content_object_init``: sanitise an article's or page's HTML and its summary."""
    if not isinstance(content, Article | Page):
        return
    replace_html(content, lambda text: sanitize_html(text, local_images=True))
    content.topic_slugs = split_list(content.metadata.get("topics"))
    render_note(content)
    if isinstance(content, Article) and not SAFE_SLUG.fullmatch(str(content.slug or "")):
        # A hand-edited Slug could point outside curated/ ("../../x") or be empty.
        logger.warning("%s: unsafe slug %r replaced", content.source_path, content.slug)
        content.slug = slugify(unidecode(str(content.slug or content.title or "")))
    source = content.metadata.get("source_url")
    if source and urlsplit(str(source)).scheme not in {"http", "https"}:
        logger.warning("%s: ignoring Source_url that is not http(s)", content.source_path)
        del content.metadata["source_url"]
        content.source_url = None


def render_note(content) -> None:
    """The "why this matters" note: each metadata line a paragraph (or list item), sanitised.

    ``note_html`` is for the article page; ``note`` becomes its plain text (lists, meta).
    """
    note = content.metadata.get("note") or []
    lines = [str(line) for line in (note if isinstance(note, list) else [note])]
    text = "".join(
        ("\n" if LIST_ITEM.match(line) and LIST_ITEM.match(lines[i - 1]) else "\n\n") + line
        if i else line
        for i, line in enumerate(lines)
    )
    content.note_html = render_markdown(text)
    content.note = " ".join(html.unescape(nh3.clean(content.note_html, tags=set())).split())


def newest_first(article) -> tuple:
    """``ARTICLE_ORDER_BY``: newest first, same dates by slug, whatever order files are read in
    (Pelican lists them from a set, so without this a tie's order changes between builds)."""
    return -article.date.timestamp(), article.slug


# --- template filters -------------------------------------------------------------------


def to_utc(value: datetime) -> datetime:
    """Naive UTC for the ``timestamp`` macro (Pelican dates carry ``TIMEZONE``)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value



def add_filters(generator) -> None:
    """``generator_init``: filters every Candor template may use under Pelican."""
    config = generator.settings["CANDOR"]

    def response_time(question: Question) -> str:
        """Working time from asking to the first answer, as /transparency/ measures it."""
        answer = question.first_answer
        return answer_time(config, question, answer) if answer else ""

    generator.env.filters.update(
        {"utc": to_utc, "response_time": response_time, "split_list": split_list}
    )
    settings = generator.settings
    generator.env.globals.update(theme_globals(settings["CANDOR"]["PUBLIC_URL"],
                                               settings["THEME"]))


# --- data -------------------------------------------------------------------------------


@dataclass
class TopicEntry:
    """A topic with what the site shows about it."""

    topic: Topic
    people: list[Person] = field(default_factory=list)
    thread_ids: list[int] = field(default_factory=list)
    answered_count: int = 0
    articles: list = field(default_factory=list)
    freshness: str = "No answer yet"  # "Last answered 3 days ago"
    quiet: bool = False  # no answer for the topic's quiet_days
    threads: list[Question] = field(default_factory=list)  # loaded when the page is rendered

    slug = property(lambda self: self.topic.slug)
    name = property(lambda self: self.topic.name)
    description = property(lambda self: self.topic.description)

    @property
    def url(self) -> str:
        return f"/topics/{self.slug}/"

    @property
    def feed_path(self) -> str:
        return topic_feed_path(self.slug)


@dataclass
class PersonEntry:
    """A published profile: the person, the ids of the threads they answered (most recently
    answered first; the page shows the first ``PAGE_THREADS``) and their curated picks."""

    person: Person
    answered: list[int] = field(default_factory=list)
    articles: list = field(default_factory=list)
    freshness: str = "No answer yet"
    threads: list[Question] = field(default_factory=list)  # loaded when the page is rendered

    @property
    def thread_ids(self) -> list[int]:
        return self.answered[:PAGE_THREADS]

    @property
    def answered_url(self) -> str | None:
        """``/people/<slug>/answered/``, every thread they answered, when the profile page
        cannot show them all."""
        return f"{self.person.profile_url}answered/" if len(self.answered) > PAGE_THREADS \
            else None


@dataclass
class SiteData:
    index: snapshot.AnsweredIndex
    answered_ids: list[int]  # the front page's
    staff: list[Person]
    topics: list[TopicEntry]
    profiles: list[PersonEntry]
    responsiveness: list[responsiveness.Window]
    questions: list[index_pages.QuestionRow]
    cuts: index_pages.ListCuts  # the lists' pages, kept from the snapshot's last cut
    company: CompanyIdentity | None = None  # the name, logo and links every page carries
    answered_questions: list[Question] = field(default_factory=list)  # see ``load_threads``


def topic_feed_path(slug: str) -> str:
    """``feeds/<slug>.atom``; a topic called "all" must not overwrite the site feed."""
    return f"feeds/{'topic-all' if slug == 'all' else slug}.atom"


def _question_options():
    return (
        selectinload(Question.answers).selectinload(Answer.person).selectinload(Person.topics),
        selectinload(Question.topic),
        selectinload(Question.person),
    )


def load_threads(session: Session, data: SiteData, entries: list) -> None:
    """Load the front page's threads and those of ``entries`` (person and topic pages to be
    rendered) in one query."""
    ids = {*data.answered_ids, *(i for entry in entries for i in entry.thread_ids)}
    found = {q.id: q for q in session.scalars(
        select(Question).where(Question.id.in_(ids)).options(*_question_options()))}
    data.answered_questions = [found[i] for i in data.answered_ids]
    for entry in entries:
        entry.threads = [found[i] for i in entry.thread_ids]


def is_staff(person: Person) -> bool:
    return person.active and "staff" in person.role_set


def load_site_data(session: Session, articles: list, config: Mapping) -> SiteData:
    """Everything the static pages need from the database, fully loaded but the threads
    (:func:`load_threads`). The questions and the answered index come from a snapshot
    (:mod:`hub_api.site.snapshot`: read ahead by a waiting child, or now)."""
    now = utcnow()
    known = snapshot.for_build(session, config["DATABASE_URL"])
    topic_last, person_last = known.index.last_answers()
    people = list(
        session.scalars(select(Person).options(selectinload(Person.topics)).order_by(Person.name))
    )
    staff = [p for p in people if is_staff(p)]
    # One pass over the articles (10,000 on a large site), not one per person and topic.
    by_curator: dict[str, list] = defaultdict(list)
    by_topic: dict[str, list] = defaultdict(list)
    for article in articles:
        by_curator[getattr(article, "curator", None)].append(article)
        for slug in dict.fromkeys(getattr(article, "topic_slugs", ())):
            by_topic[slug].append(article)
    index = known.index
    answered = index.by_answerer()
    profiles = []
    for person in people:
        # Anyone who signed a visible answer keeps a profile, even after leaving, so that
        # every byline on the site links somewhere.
        if not (is_staff(person) or person.id in answered):
            continue
        picks = by_curator.get(person.name, [])
        profiles.append(PersonEntry(person, answered.get(person.id, []), picks,
                                    responsiveness.since_text(person_last.get(person.id), now)))

    counts = known.answered_by_topic()
    topics = []
    topic_query = select(Topic).options(
        selectinload(Topic.people).selectinload(Person.topics)
    ).order_by(Topic.name)
    for topic in session.scalars(topic_query):
        topics.append(
            TopicEntry(
                topic=topic,
                people=[p for p in topic.people if is_staff(p)],
                thread_ids=index.threads(lambda q, tid=topic.id: index.topic[q] == tid,
                                         limit=PAGE_THREADS),
                answered_count=counts.get(topic.slug, 0),
                articles=by_topic.get(topic.slug, []),
                freshness=responsiveness.since_text(topic_last.get(topic.id), now),
                quiet=responsiveness.is_quiet(topic, topic_last.get(topic.id), now),
            )
        )
    return SiteData(
        index=index,
        answered_ids=index.threads(limit=FRONT_PAGE_ANSWERS),
        staff=staff,
        topics=topics,
        profiles=profiles,
        responsiveness=responsiveness.report(session, now, config),
        company=read_identity(session, config["SITENAME"]),
        questions=known.questions,
        cuts=known.cuts,
    )


@contextmanager
def site_database(config: Mapping) -> Iterator[Session]:
    """A read-only session on the Candor database (``config["DATABASE_URL"]``); a database
    that cannot be read raises ``CandorDataError``."""
    engine = make_engine(config["DATABASE_URL"])
    try:
        with session_scope(read_only(engine)) as session:
            yield session
    except (OperationalError, ProgrammingError) as exc:
        where = engine.url.render_as_string(hide_password=True)
        reason = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        raise CandorDataError(
            f"cannot read the Candor database {where} ({reason}); run `candor init` first"
        ) from exc
    finally:
        engine.dispose()


# --- generator and writer ----------------------------------------------------------------


class CandorGenerator(Generator):
    """Adds database data to the shared context and writes people and topic pages."""

    def generate_context(self) -> None:
        config = self.settings["CANDOR"]
        with site_database(config) as session:
            data = load_site_data(session, self.context.get("articles", []), config)
            self.context.update(
                staff=data.staff,
                topics=data.topics,
                topic_names={t.slug: t.name for t in data.topics},
                people_by_name={e.person.name: e.person for e in data.profiles},
                responsiveness=data.responsiveness,
                built_at=utcnow(),
                company=data.company,
                SITENAME=data.company.name,
            )
            digest = fingerprint(self.context, content_cache_key())
            site = Path(config["SITE"])
            self.reuse = index_pages.ListReuse(site.resolve() if site.is_symlink() else None,
                                               self.output_path, digest)
            self.store = PageStore(site, self.output_path)
            self.render = profile_pages.link_unchanged(data, config, self.reuse, PAGE_THREADS)
            load_threads(session, data, self.render)
        self.data = data
        self.context.update(answered_questions=data.answered_questions,
                            CANDOR_FINGERPRINT=digest)
        logger.info(
            "Candor: %d answered questions, %d staff, %d topics; %d of their pages changed",
            len(data.index.order), len(data.staff), len(data.topics), len(self.render),
        )

    def generate_output(self, writer: Writer) -> None:
        write_assets(Path(self.settings["THEME"]), Path(self.output_path))
        render = set(map(id, self.render))  # the pages ``link_unchanged`` did not link
        person_template = self.get_template("person")
        for entry in self.data.profiles:
            if id(entry) not in render:
                continue
            person = entry.person
            writer.write_file(
                f"people/{person.slug}/index.html",
                person_template,
                self.context,
                url=person.profile_url.lstrip("/"),
                person=person,
                threads=entry.threads,
                answered_count=len(entry.answered),
                answered_url=entry.answered_url,
                curated_articles=entry.articles[:PAGE_THREADS],
                freshness=entry.freshness,
                bio_html=render_bio(person.bio),
                page_name=f"people/{person.slug}/index",
            )
        topic_template = self.get_template("topic")
        for topic in self.data.topics:
            if id(topic) in render:
                writer.write_file(
                    f"topics/{topic.slug}/index.html",
                    topic_template,
                    self.context,
                    url=topic.url.lstrip("/"),
                    topic=topic,
                    page_name=f"topics/{topic.slug}/index",
                )
            writer.write_feed(
                topic.articles, self.context, path=topic.feed_path, feed_title=topic.name
            )
        self.write_finding_pages(writer)
        # Pelican marks a source it failed to read with ``None`` and builds on without it.
        failed = sorted(path for path, item in self.context["generated_content"].items()
                        if item is None)
        write_stamp(self.output_path, self.context["CANDOR_FINGERPRINT"], failed)


    def write_finding_pages(self, writer: Writer) -> None:
        """``/questions/``, ``/people/``, ``/topics/``, the sitemaps and ``robots.txt``."""
        data, public_url = self.data, self.settings["CANDOR"]["PUBLIC_URL"].rstrip("/")
        index_pages.write_lists(self, writer, data.questions, data.topics, data.profiles,
                                self.reuse, self.store, data.cuts)
        # The fingerprint and every setting that shapes an address: what a known one needs.
        shape = repr((self.context["CANDOR_FINGERPRINT"], sorted(
            (key, str(value)) for key, value in self.settings.items()
            if key.endswith(("_URL", "_SAVE_AS", "TIMEZONE")))))
        urls = index_pages.ContentUrls(self.reuse.live, self.output_path, shape)
        index_pages.write_sitemaps(self.output_path, public_url, index_pages.sitemap_entries(
            self.context, data.questions, data.topics, data.profiles, urls), data.questions,
            self.reuse, data.cuts)
        urls.save()
        self.reuse.save()
        self.store.save()
        Path(self.output_path, "robots.txt").write_text(index_pages.robots_txt(public_url))


def render_bio(text: str) -> str:
    """A person's bio, Markdown rendered and sanitised like an answer."""
    return render_markdown(text or "")


class FeedWriter(Writer):
    """Feeds link absolutely to ``FEED_DOMAIN`` even though pages use ``SITEURL = ""``.

    Article pages go to the build's curated tree (:mod:`hub_api.site.reuse`): an incremental
    build writes only pages the tree lacks; a full build links unchanged pages from the live
    build. The tree's record is saved when Pelican has finished.
    """

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        site = Path(settings["CANDOR"]["SITE"])
        self.reuse = PageReuse(site.resolve() if site.is_symlink() else None, output_path)
        self.tree = curated_tree(output_path, bool((settings or {}).get("CANDOR_INCREMENTAL")))
        self.digest: str | None = None
        signals.finalized.connect(self.save_tree)

    def _checked(self, context) -> str | None:
        """The build's fingerprint; first checks that an incremental build can be exact."""
        if self.digest is None:
            self.digest = context.get("CANDOR_FINGERPRINT")
            if self.tree.incremental:
                content = context.get("generated_content", {}).values()
                self.tree.check([c for c in content if isinstance(c, Article)], self.digest)
        return self.digest

    def write_file(self, name, template, context, *args, **kwargs):
        digest = self._checked(context)
        article = kwargs.get("article")
        if article is None:
            return super().write_file(name, template, context, *args, **kwargs)
        if self.tree.has(article.source_path):
            return None
        if not (digest and self.reuse.link(name, article.source_path, digest)):
            super().write_file(name, template, context, *args, **kwargs)
        self.tree.add(article.source_path, name)
        return None

    def write_feed(self, elements, context, *args, **kwargs):
        self._checked(context)
        domain = context.get("FEED_DOMAIN") or context.get("SITEURL", "")
        return super().write_feed(elements, {**context, "SITEURL": domain}, *args, **kwargs)

    def save_tree(self, _pelican) -> None:
        """``finalized``: record what the curated tree now holds, for the next build."""
        self.tree.save(self.digest or "")


def get_generators(_pelican):
    return CandorGenerator


def get_writer(_pelican):
    return FeedWriter


def register() -> None:
    """Connect Candor's receivers to Pelican's signals."""
    signals.readers_init.connect(use_markdown_reader)
    signals.content_object_init.connect(clean_content_object)
    signals.generator_init.connect(add_filters)
    signals.get_generators.connect(get_generators)
    signals.get_generators.connect(trust_pages.get_generators)
    signals.get_writer.connect(get_writer)
