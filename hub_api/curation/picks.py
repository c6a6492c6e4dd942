"""Picking: a feed entry plus a curator's "why this matters" note becomes one Markdown file.

The file in the content folder's ``curated/`` is the published article (a marketer may
review or edit it in git); the database records who picked what. Nothing from a feed
reaches the file unguarded: metadata values are single lines without control characters
(a newline in a feed title cannot add a ``Save_as:`` key), the note's lines are
continuation lines that cannot start a key, the excerpt is nh3-sanitised HTML with Pelican's
``{filename}``/``|filename|`` link syntax neutralised, and the Pelican plugin sanitises the
rendered article once more.

A pick can be edited (note, topics, market: the file's metadata is rewritten, its body kept,
so an edit made in git survives) or unpublished (the file is deleted, the record kept); each
change asks for a rebuild through ``signals.curated_picked``. Marketers and admins curate.

CLI: ``candor curate inbox [--json]``, ``candor curate pick``, ``candor curate dismiss``,
``candor curate edit``, ``candor curate unpublish`` (the last two rebuild the site).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from unidecode import unidecode

from .. import signals
from ..db import get_session, utcnow
from ..effects.outbox import emit
from ..models import CuratedPick, Entry, Feed, Person, Topic
from ..staff.people import PeopleError, find_topics
from ..text import clean_text, slugify

NOTE_LIMIT = 5000
CURATORS = ("marketer", "admin")  # the roles that may pick, edit and unpublish
INBOX_LIMIT = 200
curate_cli = AppGroup("curate", help="Pick feed entries for the site, with a note.")


class CurationError(ValueError):
    """A pick or dismissal that cannot be carried out, in words."""


def init_app(app: Flask) -> None:
    app.cli.add_command(curate_cli)


# --- the inbox --------------------------------------------------------------------------


def inbox_entries(session: Session, *, feed_id: int | None = None, topic: str | None = None,
                  limit: int = INBOX_LIMIT) -> list[Entry]:
    """New entries across feeds, newest first, optionally of one feed or one topic."""
    query = (select(Entry).join(Feed).where(Entry.state == "new")
             .options(selectinload(Entry.feed).selectinload(Feed.topic)))
    if feed_id is not None:
        query = query.where(Entry.feed_id == feed_id)
    if topic:
        query = query.join(Topic, Feed.topic_id == Topic.id).where(Topic.slug == topic)
    return list(session.scalars(
        query.order_by(Entry.published_at.desc(), Entry.id.desc()).limit(limit)))


def get_new_entry(session: Session, entry_id: int) -> Entry:
    """An entry still waiting in the inbox; picked or dismissed ones are refused in words."""
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise CurationError(f"no entry {entry_id}")
    if entry.state != "new":
        raise CurationError(f"entry {entry_id} was {entry.state} already")
    return entry


def dismiss(session: Session, entry: Entry) -> None:
    """Dismissed entries stay dismissed: a later fetch finds them by key and skips them."""
    entry.state = "dismissed"


def restore(session: Session, entry: Entry) -> None:
    """Undo a dismissal: the entry is back in the inbox."""
    if entry.state != "dismissed":
        raise CurationError(f"entry {entry.id} is {entry.state}, not dismissed")
    entry.state = "new"


def dismissed_entries(session: Session, limit: int = 20) -> list[Entry]:
    """The latest dismissals, so one can be undone."""
    return list(session.scalars(
        select(Entry).where(Entry.state == "dismissed").options(selectinload(Entry.feed))
        .order_by(Entry.id.desc()).limit(limit)))


# --- slugs and the file -----------------------------------------------------------------


def unique_slug(title: str, taken: Callable[[str], bool]) -> str:
    """A non-empty ``[a-z0-9-]`` slug from any title (any script), not ``taken`` yet."""
    base = slugify(unidecode(title or ""))
    if base == "item":
        base = "pick"
    slug, n = base, 2
    while taken(slug):
        slug, n = f"{base[:60]}-{n}", n + 1
    return slug


def meta(value: str | None) -> str:
    """A metadata value: one line, no control characters, never a second key."""
    return clean_text(value)


def note_lines(note: str) -> list[str]:
    """The note's non-blank lines; the site renders each as a paragraph (or list item)."""
    lines = (clean_text(line) for line in clean_text(note, multiline=True).split("\n"))
    return [line for line in lines if line]


def article_text(entry: Entry, *, slug: str, note: str, topics: list[str], curator: str,
                 market: bool, when) -> str:
    """The Markdown file of a pick: Pelican metadata, then the excerpt as sanitised HTML."""
    lines = [
        f"Title: {meta(entry.title) or '(untitled)'}",
        f"Date: {when:%Y-%m-%d %H:%M:%S}+00:00",
        f"Slug: {slug}",
    ]
    if entry.link:
        lines.append(f"Source_url: {meta(entry.link)}")
    lines.append(f"Source_name: {meta(entry.feed.name)}")
    if topics:
        lines.append(f"Topics: {', '.join(meta(t) for t in topics)}")
    lines.append(f"Curator: {meta(curator)}")
    lines.append(f"Market: {'yes' if market else 'no'}")
    first, *rest = note_lines(note)
    lines.append(f"Note: {first}")
    lines.extend(f"    {line}" for line in rest)  # continuation lines: never a new key
    excerpt = entry.summary_html.replace("{", "&#123;").replace("|", "&#124;")
    body = f'<div class="excerpt">\n{excerpt}\n</div>\n' if excerpt.strip() else ""
    return "\n".join(lines) + "\n\n" + body


def _write_new(path: Path, text: str) -> None:
    """Create ``path``; never overwrite (two picks racing for one slug both stay intact)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


# --- picking ----------------------------------------------------------------------------


def pick(session: Session, entry: Entry, person: Person, *, note: str, topics: list[str],
         market: bool, content: Path) -> CuratedPick:
    """Record the pick and write its article; on any failure neither remains. Commits."""
    _check_curator(person)
    note = checked_note(note)
    slugs = topic_slugs(session, topics)
    folder = Path(content) / "curated"

    def taken(slug: str) -> bool:
        return (folder / f"{slug}.md").exists() or bool(
            session.scalar(select(func.count()).where(CuratedPick.slug == slug)))

    slug = unique_slug(entry.title, taken)
    path = folder / f"{slug}.md"
    record = CuratedPick(entry=entry, person=person, slug=slug, title=entry.title,
                         source_url=entry.link, note=note, topics=",".join(slugs),
                         market=market, path=f"curated/{slug}.md", created_at=utcnow())
    entry.state = "picked"
    session.add(record)
    _write_new(path, article_text(entry, slug=slug, note=note, topics=slugs,
                                  curator=person.name, market=market, when=record.created_at))
    try:
        session.flush()
        emit(session, signals.curated_picked, id=record.id)  # site builder, search, digest
        session.commit()
    except BaseException:
        session.rollback()
        path.unlink(missing_ok=True)
        raise
    return record


def _check_curator(person: Person) -> None:
    if person.role_set.isdisjoint(CURATORS):
        raise CurationError(f"{person.name} has neither the marketer nor the admin role")


def checked_note(note: str) -> str:
    """The cleaned note; refused in words when empty or too long."""
    note = clean_text(note, multiline=True)
    if not note_lines(note):
        raise CurationError("write why this matters: the note is what makes a pick worth reading")
    if len(note) > NOTE_LIMIT:
        raise CurationError(f"the note must be at most {NOTE_LIMIT:,} characters "
                            f"(it has {len(note):,})")
    return note


def topic_slugs(session: Session, topics: list[str]) -> list[str]:
    """Existing topics' slugs, in order, without repeats; an unknown one is refused."""
    if len(topics) > 50:
        raise CurationError("choose at most 50 topics")
    try:
        rows = find_topics(session, list(dict.fromkeys(clean_text(t) for t in topics if t)))
    except PeopleError as exc:
        raise CurationError(str(exc)) from exc
    return [t.slug for t in rows]


def get_pick(session: Session, pick_id: int) -> CuratedPick:
    """A published pick; unknown or unpublished ones are refused in words."""
    record = session.get(CuratedPick, pick_id)
    if record is None:
        raise CurationError(f"no pick {pick_id}")
    if record.unpublished_at is not None:
        raise CurationError(f"pick {pick_id} was unpublished already")
    return record


def rewrite_meta(text: str, values: dict[str, list[str] | None]) -> str:
    """``text`` with the metadata keys in ``values`` replaced (a list of lines: the first on
    the key's line, the rest as continuation lines) or dropped (``None``); the body is kept.
    A key the file lacks is added before ``Curator``."""
    head, sep, body = text.partition("\n\n")
    fields: list[tuple[str, list[str]]] = []
    for line in head.split("\n"):
        if line[:1].isspace() and fields:
            fields[-1][1].append(line)
        else:
            fields.append((line.split(":", 1)[0], [line]))
    keys = [k for k, _ in fields]
    for key, lines in values.items():
        new = None if lines is None else [f"{key}: {lines[0]}", *(f"    {x}" for x in lines[1:])]
        if key in keys:
            i = keys.index(key)
            fields[i] = (key, new or [])
        elif new:
            at = keys.index("Curator") if "Curator" in keys else len(fields)
            fields.insert(at, (key, new))
            keys.insert(at, key)
    return "\n".join(line for _k, lines in fields for line in lines) + sep + body


def _replace_file(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def edit_pick(session: Session, record: CuratedPick, person: Person, *, note: str,
              topics: list[str], market: bool, content: Path) -> None:
    """New note, topics and market flag, in the record and the article's metadata. Commits;
    on any failure the file is as it was."""
    _check_curator(person)
    note = checked_note(note)
    slugs = topic_slugs(session, topics)
    path = Path(content) / record.path
    if not path.is_file():
        raise CurationError(f"{record.path} is no longer in the content folder")
    old = path.read_text(encoding="utf-8")
    first, *rest = note_lines(note)
    new = rewrite_meta(old, {"Topics": [", ".join(slugs)] if slugs else None,
                             "Market": ["yes" if market else "no"], "Note": [first, *rest]})
    record.note, record.topics, record.market = note, ",".join(slugs), market
    _replace_file(path, new)
    emit(session, signals.curated_picked, id=record.id)
    try:
        session.commit()
    except BaseException:
        session.rollback()
        _replace_file(path, old)
        raise


def unpublish(session: Session, record: CuratedPick, person: Person, *, content: Path) -> None:
    """Take the article off the site (its file is deleted); the record stays, marked. Commits."""
    _check_curator(person)
    path = Path(content) / record.path
    parked = path.with_name(f".{path.name}.unpublished")
    if path.is_file():
        os.replace(path, parked)
    record.unpublished_at = utcnow()
    emit(session, signals.curated_picked, id=record.id)
    try:
        session.commit()
    except BaseException:
        session.rollback()
        if parked.is_file():
            os.replace(parked, path)
        raise
    parked.unlink(missing_ok=True)


def recent_picks(session: Session, limit: int = 30) -> list[CuratedPick]:
    """Published picks, newest first, for editing."""
    return list(session.scalars(
        select(CuratedPick).where(CuratedPick.unpublished_at.is_(None))
        .order_by(CuratedPick.created_at.desc(), CuratedPick.id.desc()).limit(limit)))


# --- CLI --------------------------------------------------------------------------------


def _entry_row(entry: Entry) -> dict:
    return {
        "id": entry.id, "title": entry.title, "link": entry.link, "feed": entry.feed.name,
        "feed_id": entry.feed_id, "topic": entry.feed.topic.slug if entry.feed.topic else None,
        "published": entry.published_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


@curate_cli.command("inbox")
@click.option("--json", "as_json", is_flag=True, help="One JSON array, for scripts.")
@click.option("--feed", "feed_id", type=int, default=None, help="Only this feed's entries.")
@click.option("--topic", default=None, help="Only entries of feeds on this topic.")
def curate_inbox(as_json: bool, feed_id: int | None, topic: str | None) -> None:
    """New entries across feeds, newest first."""
    entries = inbox_entries(get_session(), feed_id=feed_id, topic=topic)
    if as_json:
        click.echo(json.dumps([_entry_row(e) for e in entries], ensure_ascii=False, indent=1))
        return
    if not entries:
        click.echo("The inbox is empty. Fetch feeds with `candor feeds fetch --all`.")
    for e in entries:
        click.echo(f"{e.id:>6}  {e.published_at:%Y-%m-%d}  {e.feed.name[:24]:<24}  {e.title}")


@curate_cli.command("pick")
@click.argument("entry_id", type=int)
@click.option("--note", required=True, help="Why this matters (Markdown).")
@click.option("--as", "email", required=True, help="Email of the marketer picking it.")
@click.option("--topic", "topics", multiple=True, help="Topic slug (repeatable); default: "
              "the feed's topic.")
@click.option("--market", is_flag=True, help="What another business offers (for the digest).")
def curate_pick(entry_id: int, note: str, email: str, topics: tuple[str, ...],
                market: bool) -> None:
    """Pick an entry with a note; writes content/curated/<slug>.md."""
    session = get_session()
    try:
        person = _curator(session, email)
        entry = get_new_entry(session, entry_id)
        chosen = list(topics) or ([entry.feed.topic.slug] if entry.feed.topic else [])
        record = pick(session, entry, person, note=note, topics=chosen, market=market,
                      content=current_app.config["CONTENT"])
    except (CurationError, IntegrityError) as exc:
        raise click.ClickException(str(exc).splitlines()[0]) from exc
    click.echo(f"Picked entry {entry_id} → {record.path} (/curated/{record.slug}/ after the "
               f"next build)")


def _curator(session: Session, email: str) -> Person:
    person = session.scalar(select(Person).where(func.lower(Person.email) == email.lower(),
                                                 Person.active.is_(True)))
    if person is None:
        raise CurationError(f"no active staff member with email {email}")
    return person


def _changed(build: bool) -> None:
    """Build now (the outbox also asks a running hub's leader to): a command must not end
    before its change is published."""
    from ..site.builder import BuildError, build_site

    if not build:
        click.echo("Run `candor build` to publish the change.")
        return
    try:
        build_site(current_app.config)
        error = None
    except BuildError as exc:
        error = str(exc)
    if error:
        raise click.ClickException(f"the change is saved, but the build failed: {error}")
    click.echo("Site rebuilt.")


@curate_cli.command("edit")
@click.argument("pick_id", type=int)
@click.option("--as", "email", required=True, help="Email of the marketer or admin.")
@click.option("--note", default=None, help="The new note (Markdown); default: unchanged.")
@click.option("--topic", "topics", multiple=True, help="Topic slug (repeatable); replaces "
              "the topics.")
@click.option("--no-topics", is_flag=True, help="Remove every topic.")
@click.option("--market/--no-market", default=None, help="Mark as what another business offers.")
@click.option("--build/--no-build", default=True, show_default=True, help="Rebuild the site.")
def curate_edit(pick_id: int, email: str, note: str | None, topics: tuple[str, ...],
                no_topics: bool, market: bool | None, build: bool) -> None:
    """Edit a pick's note, topics or market flag; then rebuild the site."""
    session = get_session()
    try:
        person = _curator(session, email)
        record = get_pick(session, pick_id)
        if topics and no_topics:
            raise CurationError("give --topic or --no-topics, not both")
        chosen = [] if no_topics else list(topics) or [t for t in record.topics.split(",") if t]
        edit_pick(session, record, person, note=record.note if note is None else note,
                  topics=chosen, market=record.market if market is None else market,
                  content=current_app.config["CONTENT"])
    except (CurationError, OSError) as exc:
        raise click.ClickException(str(exc).splitlines()[0]) from exc
    click.echo(f"Edited pick {pick_id} ({record.path}).")
    _changed(build)


@curate_cli.command("unpublish")
@click.argument("pick_id", type=int)
@click.option("--as", "email", required=True, help="Email of the marketer or admin.")
@click.option("--build/--no-build", default=True, show_default=True, help="Rebuild the site.")
def curate_unpublish(pick_id: int, email: str, build: bool) -> None:
    """Take a pick off the site (its file is deleted, the record kept); then rebuild."""
    session = get_session()
    try:
        person = _curator(session, email)
        record = get_pick(session, pick_id)
        unpublish(session, record, person, content=current_app.config["CONTENT"])
    except (CurationError, OSError) as exc:
        raise click.ClickException(str(exc).splitlines()[0]) from exc
    click.echo(f"Unpublished pick {pick_id}: {record.path} deleted.")
    _changed(build)


@curate_cli.command("dismiss")
@click.argument("entry_ids", nargs=-1, type=int, required=True)
def curate_dismiss(entry_ids: tuple[int, ...]) -> None:
    """Dismiss entries; they stay dismissed."""
    session = get_session()
    try:
        entries = [get_new_entry(session, i) for i in entry_ids]
    except CurationError as exc:
        raise click.ClickException(str(exc)) from exc
    for entry in entries:
        dismiss(session, entry)
    session.commit()
    click.echo(f"Dismissed {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}.")
