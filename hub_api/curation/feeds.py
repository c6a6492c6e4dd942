"""Feeds in: fetch under the guard, parse with feedparser, clean, de-duplicate, store.

feedparser only ever sees bytes that :mod:`hub_api.curation.fetch` fetched, never a URL (it would
fetch it itself, unguarded). Its own sanitising is kept, and every entry's HTML is cleaned
again with the site's nh3 allowlist, with no images at all, so a curated page cannot make a
request to another origin. Each feed's run is recorded in words on the feed; one bad feed
is logged and recorded, never the end of the run.

CLI: ``candor feeds add URL [--topic T] [--unchecked]``, ``candor feeds list``,
``candor feeds fetch [--all] [FEED…]``.
"""

from __future__ import annotations

import hashlib
import html
import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import click
import feedparser
import nh3
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload

from ..db import get_session, utcnow
from ..markup import sanitize_html
from ..models import CuratedPick, Entry, Feed, Topic
from ..text import clean_text
from .fetch import FetchError, fetch

logger = logging.getLogger(__name__)

EXCERPT_INPUT_LIMIT = 100_000  # characters of entry HTML looked at; the rest is dropped
feeds_cli = AppGroup("feeds", help="Follow RSS and Atom feeds for the curation inbox.")


class FeedError(ValueError):
    """A feed request that cannot be carried out, in words."""


def init_app(app: Flask) -> None:
    app.cli.add_command(feeds_cli)


# --- adding -----------------------------------------------------------------------------


def add_feed(session: Session, url: str, topic: str | None = None) -> Feed:
    """Follow ``url`` (http or https), optionally for a topic; duplicates are refused."""
    url, topic_row = _checked(session, url, topic)
    feed = Feed(url=url, topic=topic_row)
    session.add(feed)
    return feed


def _checked(session: Session, url: str, topic: str | None) -> tuple[str, Topic | None]:
    url = clean_text(url)
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname or len(url) > 2000:
        raise FeedError("enter the feed's web address, starting with http:// or https://")
    if session.scalar(select(Feed.id).where(Feed.url == url)):
        raise FeedError(f"{url} is followed already")
    topic_row = None
    if topic:
        topic_row = session.scalar(select(Topic).where(Topic.slug == clean_text(topic)))
        if topic_row is None:
            raise FeedError(f"no topic '{clean_text(topic)}'; add it first with `candor topic add`")
    return url, topic_row


def add_working_feed(session: Session, url: str, topic: str | None = None, *,
                     allow_private: bool = False) -> tuple[Feed, int]:
    """Follow ``url`` only if one fetch shows it works, and keep that fetch's entries.

    The download happens outside any transaction (the checks' read ends first); a feed that
    fails is refused in words ("no such host", "not a feed", "refused: a private address")
    and nothing is written. Commits; returns the feed and its new entries' count.
    """
    url, _topic = _checked(session, url, topic)
    session.rollback()
    try:
        response = fetch(url, allow_private=allow_private)
        parsed = parse_feed(response.body, response.url, response.headers.get("content-type", ""))
    except FetchError as exc:
        reason = str(exc)
        raise FeedError(reason if reason.startswith("refused") else
                        f"this feed does not work: {reason}") from exc
    if not parsed.is_feed:
        kind = "a web page" if "html" in response.headers.get("content-type", "") else \
            "something else"
        raise FeedError(f"not a feed: the address gives {kind}, not RSS or Atom")
    feed = add_feed(session, url, topic)  # checked again: another curator may have added it
    session.flush()
    new = _store_parsed(session, feed, response, parsed)
    session.commit()
    return feed, new


def set_paused(session: Session, feed: Feed, paused: bool) -> None:
    """A paused feed is skipped by "fetch all"; its entries stay in the inbox."""
    feed.paused = paused


def remove_feed(session: Session, feed: Feed) -> int:
    """Stop following ``feed``: it and its unpicked entries go, picks stay (their articles
    and records keep their own title and source). Returns how many entries went."""
    entry_ids = list(session.scalars(select(Entry.id).where(Entry.feed_id == feed.id)))
    for i in range(0, len(entry_ids), 500):
        chunk = entry_ids[i:i + 500]
        session.execute(update(CuratedPick).where(CuratedPick.entry_id.in_(chunk))
                        .values(entry_id=None))
        session.execute(delete(Entry).where(Entry.id.in_(chunk)))
    session.delete(feed)
    return len(entry_ids)


# --- parsing and cleaning ---------------------------------------------------------------


def canonical_link(url: str | None) -> str | None:
    """An http(s) link without fragment, tracking parameters or default port; else None."""
    if not url:
        return None
    try:
        parts = urlsplit(clean_text(url))
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not parts.hostname:
        return None
    netloc = parts.hostname.lower()
    if port and port != {"http": 80, "https": 443}[scheme]:
        netloc += f":{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_")]
    link = urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))
    return link if len(link) <= 2000 else None


def entry_html(entry: dict) -> str:
    """The entry's excerpt as sanitised HTML: summary, else content; plain text escaped."""
    detail = entry.get("summary_detail") or next(iter(entry.get("content") or []), None)
    if not detail or not detail.get("value"):
        return ""
    value = detail["value"][:EXCERPT_INPUT_LIMIT]
    if detail.get("type") == "text/plain":
        paragraphs = [p.strip() for p in value.split("\n\n") if p.strip()]
        return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return sanitize_html(value)


def plain_title(value: str | None, detail: dict | None) -> str:
    """A title as plain text: HTML titles (``type="html"``) lose their tags and entities."""
    value = value or ""
    if detail and detail.get("type") in {"text/html", "application/xhtml+xml"}:
        value = html.unescape(nh3.clean(value, tags=set()))
    return clean_text(value)[:300]


def _published(entry: dict, now: datetime) -> datetime:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if not stamp:
        return now
    try:
        return min(datetime(*stamp[:6]), now)  # a date in the future is not "newest"
    except (TypeError, ValueError):
        return now


@dataclass
class ParsedFeed:
    title: str
    entries: list[dict]
    problem: str | None  # why feedparser found the document malformed (bozo), if it did
    is_feed: bool


def parse_feed(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """feedparser on fetched bytes; documents that declare XML entities are refused."""
    head = body.decode("utf-16", "replace") if body[:2] in (b"\xff\xfe", b"\xfe\xff") else body
    if (b"<!ENTITY" if isinstance(head, bytes) else "<!ENTITY") in head:
        raise FetchError("refused: the feed declares XML entities (an entity-expansion attack?)")
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-location": url, "content-type": content_type or "text/xml"},
    )
    problem = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        problem = clean_text(str(exc))[:300] or type(exc).__name__
    return ParsedFeed(
        title=plain_title(parsed.feed.get("title"), parsed.feed.get("title_detail")),
        entries=list(parsed.entries),
        problem=problem,
        is_feed=bool(parsed.get("version") or parsed.entries),
    )


def entry_key(entry: dict, link: str | None) -> str:
    """De-duplication key: the guid, else the canonical link, else a hash of the text."""
    guid = clean_text(entry.get("id"))
    if guid:
        return guid[:500]
    if link:
        return link[:500]
    text = f"{entry.get('title', '')}\n{entry.get('summary', '')}"
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def _known_links(session: Session, links: set[str]) -> set[str]:
    """Which of ``links`` some feed's entry has already (queried in chunks)."""
    found: set[str] = set()
    ordered = sorted(links)
    for i in range(0, len(ordered), 500):
        chunk = ordered[i:i + 500]
        found.update(session.scalars(select(Entry.link).where(Entry.link.in_(chunk))))
    return found


def store_entries(session: Session, feed: Feed, entries: Iterable[dict]) -> int:
    """Add the entries not seen before (same feed and key, or same link in any feed)."""
    now = utcnow()
    candidates = [(raw, canonical_link(raw.get("link"))) for raw in entries]
    known_keys = set(session.scalars(select(Entry.key).where(Entry.feed_id == feed.id)))
    known_links = _known_links(session, {link for _raw, link in candidates if link})
    new = 0
    for raw, link in candidates:
        key = entry_key(raw, link)
        if key in known_keys or (link and link in known_links):
            continue
        known_keys.add(key)
        if link:
            known_links.add(link)
        session.add(Entry(
            feed=feed, key=key, link=link,
            title=plain_title(raw.get("title"), raw.get("title_detail")) or "(untitled)",
            author=clean_text(raw.get("author"))[:200],
            summary_html=entry_html(raw), published_at=_published(raw, now), fetched_at=now,
        ))
        new += 1
    return new


# --- fetching ---------------------------------------------------------------------------


def _record(feed: Feed, status: str, message: str) -> None:
    feed.status, feed.message, feed.fetched_at = status, message, utcnow()


def fetch_feed(session: Session, feed: Feed, *, allow_private: bool = False) -> int:
    """Fetch, parse and store one feed; record how it went. Returns the new entries' count.

    Commits first, so that the download and parsing run outside any transaction (a slow
    feed must never hold the database's write lock); the result is stored in the next one.
    Raises nothing for a failing feed: the failure is the feed's status and message.
    """
    url, etag, last_modified = feed.url, feed.etag, feed.last_modified
    session.commit()
    try:
        response = fetch(url, etag=etag, last_modified=last_modified,
                         allow_private=allow_private)
        if response.not_modified:
            _record(feed, "unchanged", "not modified since the last fetch")
            return 0
        parsed = parse_feed(response.body, response.url, response.headers.get("content-type", ""))
    except FetchError as exc:
        _record(feed, "error", str(exc))
        return 0
    if not parsed.is_feed:
        _record(feed, "error", f"not an RSS or Atom feed ({parsed.problem or 'no entries'})")
        return 0
    return _store_parsed(session, feed, response, parsed)


def _store_parsed(session: Session, feed: Feed, response, parsed: ParsedFeed) -> int:
    """Store a fetched feed's new entries and record how the fetch went."""
    new = store_entries(session, feed, parsed.entries)
    feed.title = parsed.title or feed.title
    feed.etag = clean_text(response.headers.get("etag"))[:300] or None
    feed.last_modified = clean_text(response.headers.get("last-modified"))[:100] or None
    counts = f"{new} new entr{'y' if new == 1 else 'ies'} ({len(parsed.entries)} in the feed)"
    if parsed.problem:
        _record(feed, "bozo", f"malformed feed, read as far as possible ({parsed.problem}); "
                              f"{counts}")
    else:
        _record(feed, "ok", counts)
    return new


def fetch_feeds(session: Session, feeds: Iterable[Feed], *, allow_private: bool = False,
                progress: Callable[[Feed], None] | None = None) -> int:
    """Fetch each feed in its own transaction; a crash in one is recorded, the rest go on."""
    total = 0
    for feed in feeds:
        try:
            total += fetch_feed(session, feed, allow_private=allow_private)
            session.commit()
        except Exception as exc:  # one bad feed must never stop the others
            logger.exception("fetching feed %s failed", feed.url)
            session.rollback()
            _record(feed, "error", f"failed: {type(exc).__name__}: {clean_text(str(exc))[:200]}")
            session.commit()
        if progress:
            progress(feed)
    return total


def all_feeds(session: Session, *, active: bool = False) -> list[Feed]:
    """Every feed (``active``: only those not paused)."""
    query = select(Feed).options(selectinload(Feed.topic)).order_by(Feed.id)
    return list(session.scalars(query.where(Feed.paused.is_(False)) if active else query))


# --- CLI --------------------------------------------------------------------------------


@feeds_cli.command("add")
@click.argument("url")
@click.option("--topic", default=None, help="Slug of the topic the feed's entries are about.")
@click.option("--unchecked", is_flag=True,
              help="Follow it without fetching it now (a feed that is down for the moment).")
def feeds_add(url: str, topic: str | None, unchecked: bool) -> None:
    """Follow a feed once one fetch shows it works (as the curation page does)."""
    session = get_session()
    try:
        if unchecked:
            feed = add_feed(session, url, topic)
            session.commit()
        else:
            feed, _new = add_working_feed(
                session, url, topic,
                allow_private=bool(current_app.config.get("ALLOW_PRIVATE_URLS")))
    except FeedError as exc:
        session.rollback()
        raise click.ClickException(f"{exc}; nothing was added") from exc
    if unchecked:
        click.echo(f"Following feed {feed.id}: {feed.url}, not fetched yet. "
                   f"Fetch it with `candor feeds fetch {feed.id}`.")
    else:
        click.echo(f"Following feed {feed.id}: {feed.name}. It works: {feed.message}.")


@feeds_cli.command("list")
def feeds_list() -> None:
    """List feeds with their topic and how the last fetch went."""
    feeds = all_feeds(get_session())
    if not feeds:
        click.echo("No feeds yet. Follow one with `candor feeds add URL`.")
    for feed in feeds:
        when = feed.fetched_at.strftime("%Y-%m-%d %H:%M") if feed.fetched_at else "never"
        topic = feed.topic.slug if feed.topic else "-"
        click.echo(f"{feed.id:>4}  {feed.status:<9} {topic:<16} {when:<16}  {feed.url}")
        click.echo(f"      {feed.name if feed.title else ''}{' · ' if feed.title else ''}"
                   f"{feed.message}")


@feeds_cli.command("fetch")
@click.argument("feed_ids", nargs=-1, type=int)
@click.option("--all", "fetch_all", is_flag=True, help="Fetch every feed.")
def feeds_fetch(feed_ids: tuple[int, ...], fetch_all: bool) -> None:
    """Fetch the given feeds (by id), or every feed with --all."""
    session = get_session()
    feeds = all_feeds(session, active=fetch_all)
    if not fetch_all:
        if not feed_ids:
            raise click.ClickException("name the feeds to fetch (see `candor feeds list`) or "
                                       "use --all")
        unknown = sorted(set(feed_ids) - {f.id for f in feeds})
        if unknown:
            raise click.ClickException(f"no feed {', '.join(map(str, unknown))}")
        feeds = [f for f in feeds if f.id in feed_ids]
    allow = bool(current_app.config.get("ALLOW_PRIVATE_URLS"))
    with click.progressbar(length=len(feeds), label="Fetching feeds",
                           item_show_func=lambda f: f.url[:40] if f else "") as bar:
        total = fetch_feeds(session, feeds, allow_private=allow,
                            progress=lambda f: bar.update(1, f))
    failed = 0
    for feed in feeds:
        click.echo(f"{feed.id:>4}  {feed.status:<9} {feed.url}: {feed.message}")
        failed += feed.status == "error"
    click.echo(f"{total} new entr{'y' if total == 1 else 'ies'} from {len(feeds)} feed(s)"
               + (f"; {failed} failed" if failed else ""))
