"""Staff and topics: who answers, about what. CLI: ``candor staff …`` and ``candor topic …``."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from .. import signals
from ..db import get_session, utcnow
from ..effects.outbox import emit
from ..models import ROLES, ApiToken, Person, Question, Topic
from ..questions.states import QUEUED, in_
from ..questions.working_hours import Schedule
from ..text import clean_text, slugify
from .passwords import PasswordError, check_strength, hash_password

PHOTO_TYPES = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg"}
PHOTO_MAX_BYTES = 2 * 1024 * 1024

staff_cli = AppGroup("staff", help="Manage staff accounts.")
topic_cli = AppGroup("topic", help="Manage topics.")


class PeopleError(ValueError):
    """A request about people or topics that cannot be carried out, in words."""


def init_app(app: Flask) -> None:
    app.cli.add_command(staff_cli)
    app.cli.add_command(topic_cli)


def parse_roles(value: str) -> str:
    """Validate a comma list of roles; return it normalised."""
    roles = [r.strip().lower() for r in value.split(",") if r.strip()]
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise PeopleError(f"unknown role {', '.join(unknown) or '(none)'}; choose from "
                          f"{', '.join(ROLES)}")
    return ",".join(dict.fromkeys(roles))


def find_topics(session: Session, slugs: list[str]) -> list[Topic]:
    """Topics by slug; an unknown slug is an error, not silently dropped."""
    topics = []
    for slug in slugs:
        topic = session.scalar(select(Topic).where(Topic.slug == slug))
        if topic is None:
            raise PeopleError(f"no topic '{slug}'; add it first with `candor topic add`")
        topics.append(topic)
    return topics


def add_topic(session: Session, name: str, slug: str | None = None, description: str = "") -> Topic:
    name = clean_text(name)[:120]
    if not name:
        raise PeopleError("a topic needs a name")
    slug = slugify(slug or name)
    if session.scalar(select(Topic).where(Topic.slug == slug)):
        raise PeopleError(f"topic '{slug}' exists already")
    topic = Topic(slug=slug, name=name, description=clean_text(description, multiline=True))
    session.add(topic)
    return topic


def configure_topic(
    session: Session, topic: Topic, zone: str, *, target_hours: int | None = None,
    hours: str | None = None, quiet_days: int | None = None, owner: str | None = None,
) -> None:
    """Set a topic's promise: target, working hours (checked), quiet days, owner by email.

    ``None`` leaves a setting as it is; an empty ``hours`` or ``owner`` clears it.
    """
    if hours is not None:
        hours = clean_text(hours)
        if len(hours) > 120:
            raise PeopleError("working hours: at most 120 characters")
        try:
            Schedule.parse(hours, zone)
        except ValueError as exc:
            raise PeopleError(str(exc)) from None
        topic.working_hours = hours
    if owner is not None:
        email = clean_text(owner).lower()
        person = session.scalar(select(Person).where(func.lower(Person.email) == email,
                                                     Person.active.is_(True))) if email else None
        if email and person is None:
            raise PeopleError(f"no active staff member with email {email[:254]}")
        topic.owner = person
    if target_hours is not None:
        topic.response_target_hours = target_hours
    if quiet_days is not None:
        topic.quiet_days = quiet_days


def add_person(
    session: Session, *, name: str, email: str, password: str | None, job_title: str,
    roles: str = "staff", bio: str = "", topics: list[str] = (), photo: str | None = None,
    weak_password_ok: bool = False,
) -> Person:
    """Create a named staff member; a person must have a real name and a job title.

    ``password=None`` makes an account that signs in by single sign-on or sets its password
    through an invitation. Only the demo's documented ``demo`` password skips the strength
    check (``weak_password_ok``).
    """
    name, job_title = clean_text(name)[:120], clean_text(job_title)[:120]
    email = clean_text(email).lower()
    if not name or not job_title:
        raise PeopleError("a person needs a name and a job title (no brand accounts)")
    if "@" not in email or len(email) > 254:
        raise PeopleError(f"'{email}' is not an email address")
    if password is not None and not weak_password_ok:
        try:
            check_strength(password, (name, email))
        except PasswordError as exc:
            raise PeopleError(f"password refused: {exc}") from None
    if session.scalar(select(Person).where(func.lower(Person.email) == email)):
        raise PeopleError(f"{email} has an account already")
    slug = base = slugify(name)
    n = 2
    while session.scalar(select(Person.id).where(Person.slug == slug)):
        slug, n = f"{base}-{n}", n + 1
    person = Person(
        name=name, email=email, job_title=job_title, slug=slug, roles=parse_roles(roles),
        bio=clean_text(bio, multiline=True),
        password_hash=hash_password(password) if password else "",
        topics=find_topics(session, list(topics)),
    )
    if photo:
        person.photo = store_photo(Path(photo), slug)
    session.add(person)
    return person


def store_photo(source: Path, slug: str) -> str:
    """Copy a PNG or JPEG into the content folder; return its path relative to it."""
    try:
        head = source.read_bytes()[:8]
        size = source.stat().st_size
    except OSError as exc:
        raise PeopleError(f"cannot read photo {source}: {exc.strerror}") from exc
    ext = next((e for magic, e in PHOTO_TYPES.items() if head.startswith(magic)), None)
    if ext is None:
        raise PeopleError("the photo must be a PNG or JPEG file")
    if size > PHOTO_MAX_BYTES:
        raise PeopleError("the photo is larger than 2 MB; resize it first")
    folder = Path(current_app.config["CONTENT"]) / "people"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, folder / f"{slug}{ext}")
    return f"people/{slug}{ext}"


def disable_person(session: Session, person: Person) -> int:
    """Disable a login at once: its sessions end, its API tokens are revoked, and the
    questions they hold go back to their topics' queues."""
    from .sessions import end_all

    person.active = False
    end_all(session, person.id)
    session.execute(update(ApiToken).where(ApiToken.person_id == person.id,
                                           ApiToken.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))
    session.execute(
        update(Question)
        .where(Question.person_id == person.id, in_(QUEUED))
        .values(person_id=None)
    )
    held = Question.assignee_id == person.id
    moved = session.scalar(select(func.count(Question.id)).where(held, in_(QUEUED)))
    session.execute(update(Question).where(held)
                    .values(assignee_id=None, reminded_at=None, escalated_at=None)
                    .execution_options(synchronize_session=False))
    return moved


def active_staff(session: Session) -> list[Person]:
    """People who can be asked by name: active, with the ``staff`` role."""
    people = session.scalars(
        select(Person).where(Person.active.is_(True)).options(selectinload(Person.topics))
        .order_by(Person.name)
    ).all()
    return [p for p in people if "staff" in p.role_set]


def all_topics(session: Session) -> list[Topic]:
    return list(session.scalars(select(Topic).order_by(Topic.name)))


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc)) from exc


@staff_cli.command("add")
@click.option("--name", required=True)
@click.option("--email", required=True, help="Used as the login.")
@click.option("--title", "job_title", required=True, help="Job title shown with every answer.")
@click.option("--roles", default="staff", show_default=True, help=f"Comma list of {ROLES}.")
@click.option("--topics", default="", help="Comma list of topic slugs.")
@click.option("--bio", default="")
@click.option("--photo", type=click.Path(dir_okay=False), help="PNG or JPEG, at most 2 MB.")
@click.password_option(prompt="Password for the new account")
def staff_add(name, email, job_title, roles, topics, bio, photo, password) -> None:
    """Add a staff member."""
    session = get_session()
    try:
        person = add_person(
            session, name=name, email=email, password=password, job_title=job_title,
            roles=roles, bio=bio, photo=photo,
            topics=[t.strip() for t in topics.split(",") if t.strip()],
        )
        session.flush()
        emit(session, signals.people_changed, id=person.id)
        session.commit()
    except PeopleError as exc:
        _fail(exc)
    click.echo(f"Added {person.name} <{person.email}> as {person.roles} (/people/{person.slug}/)")


@staff_cli.command("list")
def staff_list() -> None:
    """List staff with roles, topics and status."""
    people = get_session().scalars(
        select(Person).options(selectinload(Person.topics)).order_by(Person.name)
    ).all()
    if not people:
        click.echo("No staff yet. Add someone with `candor staff add`.")
    for p in people:
        state = "active" if p.active else "disabled"
        topics = ",".join(t.slug for t in p.topics) or "-"
        click.echo(f"{p.id:>4}  {p.name:<24} {p.email:<32} {p.roles:<24} {topics:<24} {state}")


@staff_cli.command("disable")
@click.argument("email")
def staff_disable(email: str) -> None:
    """Disable a login; their open questions return to their topics' queues."""
    session = get_session()
    person = session.scalar(select(Person).where(func.lower(Person.email) == email.lower()))
    if person is None:
        raise click.ClickException(f"no staff member with email {email}")
    moved = disable_person(session, person)
    emit(session, signals.people_changed, id=person.id)
    session.commit()
    click.echo(f"Disabled {person.name}; {moved} open question(s) moved back to topic queues.")


def _topic_options(command):
    """The options ``topic add`` and ``topic set`` share: the topic's promise."""
    for option in reversed([
        click.option("--target-hours", type=click.IntRange(1, 1000),
                     help="First answer within this many working hours (default 4)."),
        click.option("--hours", "working_hours",
                     help='Working hours, e.g. "Mon-Fri 09:00-17:00 Europe/Berlin" '
                          '("" = the hub default in CANDOR_TIMEZONE).'),
        click.option("--quiet-days", type=click.IntRange(1, 3650),
                     help="Flag the topic as quiet after this many days without an answer."),
        click.option("--owner", help='Email of the staff member told about overdue questions '
                                     '("" = none).'),
    ]):
        command = option(command)
    return command


def _save_topic(session: Session, topic: Topic, options: dict, verb: str) -> None:
    try:
        configure_topic(session, topic, current_app.config["TIMEZONE"],
                        target_hours=options["target_hours"], hours=options["working_hours"],
                        quiet_days=options["quiet_days"], owner=options["owner"])
        session.flush()
        emit(session, signals.people_changed, id=topic.id)
        session.commit()
    except PeopleError as exc:
        session.rollback()
        _fail(exc)
    owner = topic.owner.name if topic.owner else "no owner"
    click.echo(f"{verb} topic {topic.name} (/topics/{topic.slug}/): first answer within "
               f"{topic.response_target_hours} working hours, "
               f"{topic.working_hours or 'default working hours'}, {owner}")


@topic_cli.command("add")
@click.argument("name")
@click.option("--slug", default=None)
@click.option("--description", default="")
@_topic_options
def topic_add(name: str, slug: str | None, description: str, **options) -> None:
    """Add a topic questions can be routed by."""
    session = get_session()
    try:
        topic = add_topic(session, name, slug, description)
    except PeopleError as exc:
        _fail(exc)
    _save_topic(session, topic, options, "Added")


@topic_cli.command("set")
@click.argument("slug")
@_topic_options
def topic_set(slug: str, **options) -> None:
    """Change a topic's response target, working hours, quiet days or owner."""
    session = get_session()
    try:
        topic = find_topics(session, [slug])[0]
    except PeopleError as exc:
        _fail(exc)
    _save_topic(session, topic, options, "Updated")
