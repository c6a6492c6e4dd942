"""The personal-data registry, and the export and erase that walk it.

Every column that holds personal data is declared here once, with its purpose and how long
it is kept. The privacy page (``/privacy/``, built by Pelican), an asker's JSON export and
the erase behind "delete everything" all read this one list, and a test fails when a model
gains a personal-looking column without an entry — so the promise cannot drift from the code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import MetaData, Table, delete, func, select
from sqlalchemy.orm import Session

from . import signals
from .ask import hash_token, new_token
from .db import Base, session_scope, utcnow
from .models import Answer, NotificationEmail, Question

REMOVED_TITLE = "Question removed by the asker"


@dataclass(frozen=True)
class Field:
    """One personal column: what it is, why it is kept and until when."""

    column: str
    label: str
    purpose: str
    retention: str
    exported: bool = True  # part of the asker's export (False: a hash or a staff secret)


@dataclass(frozen=True)
class Record:
    """A table holding personal data about ``subject`` ("asker" or "staff").

    ``owner`` is the column tying an asker's row to their question; export and erase use it.
    """

    table: str
    title: str
    subject: str
    fields: tuple[Field, ...]
    owner: str = "question_id"
    kept: tuple[str, ...] = ("created_at",)  # non-personal columns an export adds for context
    # Rows any reader may add to a thread: the asker's export holds only those under the
    # asker's own notification address, never another reader's.
    askers_address_only: bool = False


UNTIL_DELETED = "until you delete your question through your private link"
# Any reader may ask for contact, not only the asker: erased on request by address too.
UNTIL_ASKED = "until you ask us to delete it (by your address), or the question is deleted"

REGISTRY: tuple[Record, ...] = (
    Record("questions", "Your question", "asker", owner="id", kept=("id", "created_at",
           "edited_at", "status"), fields=(
        Field("display_name", "Display name", "shown with your question so staff can address "
              "you", UNTIL_DELETED),
        Field("title", "Question title", "your question, answered in public", UNTIL_DELETED),
        Field("body", "Question details", "your question, answered in public", UNTIL_DELETED),
        Field("manage_token_hash", "Hash of your private link", "recognises your private "
              "link without storing it", UNTIL_DELETED, exported=False),
    )),
    Record("question_revisions", "Earlier versions of your question", "asker",
           kept=("written_at",), fields=(
        Field("title", "Earlier title", "shows you and staff what you changed", UNTIL_DELETED),
        Field("body", "Earlier details", "shows you and staff what you changed", UNTIL_DELETED),
    )),
    Record("follow_ups", "Your follow-ups", "asker", fields=(
        Field("body", "Follow-up text", "your replies in your thread", UNTIL_DELETED),
    )),
    Record("notification_emails", "Your notification email (only if you gave one)", "asker",
           kept=("created_at", "confirmed_at", "active", "topic_news"), fields=(
        Field("email", "Email address", "tells you, and only you, about answers in your "
              "thread and, only if you ticked that separate box, lets a member of staff send "
              "you a personal note about news on your question's topic (never a bulk mail; "
              "staff see your display name and question, never the address); never shown or "
              "published", "unconfirmed: deleted after 48 hours; "
              "confirmed: until you unsubscribe or delete your question"),
    )),
    Record("contact_requests", "Your requests to be contacted (only if you made one)", "asker",
           kept=("created_at", "consented_at", "handled_at"), askers_address_only=True, fields=(
        Field("email", "Email address", "lets the staff member you asked contact you about "
              "this question; shown only to them and to the company's owners", UNTIL_ASKED),
        Field("company", "Company", "context for the person contacting you", UNTIL_ASKED),
        Field("job_role", "Your role", "context for the person contacting you", UNTIL_ASKED),
    )),
    Record("persons", "Staff members", "staff", owner="id", fields=(
        Field("name", "Name", "signs every answer: there is no brand account", "while employed "
              "and as long as their answers stay published"),
        Field("email", "Work email", "staff login", "while the account exists", exported=False),
        Field("password_hash", "Password hash (scrypt)", "staff login", "while the account "
              "exists", exported=False),
        Field("photo", "Photo", "shown with answers, self-hosted", "while employed"),
        Field("bio", "Short biography", "the public profile page", "while employed"),
    )),
)

# Columns whose names look personal but are not about a person.
NOT_PERSONAL = {("topics", "name"): "a topic's name",
                ("api_tokens", "name"): "a staff member's label for one of their API tokens"}

# Names that suggest personal data; a test checks every model column against them.
PERSONAL_WORDS = ("name", "email", "mail", "address", "phone", "ip", "agent", "birth")


def declared() -> set[tuple[str, str]]:
    """Every (table, column) the registry covers."""
    return {(r.table, f.column) for r in REGISTRY for f in r.fields}


def undeclared_personal_columns(metadata: MetaData = Base.metadata) -> list[str]:
    """``table.column`` names that look personal but have no registry entry."""
    found = []
    known = declared() | set(NOT_PERSONAL)
    for table in metadata.sorted_tables:
        for column in table.columns:
            words = re.split(r"[_\W]+", column.name.lower())
            if any(w in PERSONAL_WORDS for w in words) and (table.name, column.name) not in known:
                found.append(f"{table.name}.{column.name}")
    return found


def asker_records() -> list[Record]:
    return [r for r in REGISTRY if r.subject == "asker"]


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _json_value(value: Any) -> Any:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(value, datetime) else value


def export_question(session: Session, question_id: int) -> dict[str, Any]:
    """Everything the asker gave for one question, table by table, as the registry lists it."""
    result: dict[str, Any] = {"exported_at": _json_value(utcnow()), "records": {}}
    for record in asker_records():
        table = _table(record.table)
        where = [table.c[record.owner] == question_id]
        if record.askers_address_only:
            where.append(func.lower(table.c.email).in_(
                select(func.lower(NotificationEmail.email))
                .where(NotificationEmail.question_id == question_id)))
        result["records"][record.table] = _exported_rows(session, record, *where)
    return result


def _exported_rows(session: Session, record: Record, *where) -> list[dict[str, Any]]:
    table = _table(record.table)
    columns = [*record.kept, *(f.column for f in record.fields if f.exported)]
    rows = session.execute(select(*(table.c[c] for c in columns)).where(*where)
                           .order_by(*table.primary_key.columns)).mappings()
    return [{c: _json_value(row[c]) for c in columns} for row in rows]


def _by_address(email: str, question_ids: list[int]) -> list:
    """Rows a reader gave under ``email`` on threads other than their own questions."""
    table = _table("contact_requests")
    return [func.lower(table.c.email) == email.strip().lower(),
            table.c.question_id.not_in(question_ids)]


def export_by_address(session: Session, email: str, question_ids: list[int]) -> dict | None:
    """A reader's contact requests on other people's threads (they asked no question there)."""
    record = next(r for r in REGISTRY if r.table == "contact_requests")
    rows = _exported_rows(session, record, *_by_address(email, question_ids))
    return {"exported_at": _json_value(utcnow()), "records": {record.table: rows}} if rows \
        else None


def erase_by_address(session: Session, email: str, question_ids: list[int]) -> int:
    """Delete a reader's contact requests on other threads; return how many. Caller commits."""
    table = _table("contact_requests")
    return session.execute(delete(table).where(*_by_address(email, question_ids))).rowcount or 0


def erase_question(session: Session, question_id: int) -> bool:
    """Delete what the asker gave; return ``True`` if a tombstone stays for staff answers.

    Without answers the question row goes too. With answers, staff words stay public
    under "Question removed by the asker", and every personal column of the question is
    blanked (its manage link is replaced by one nobody holds). The caller commits.
    """
    for record in asker_records():
        if record.owner != "id":
            table = _table(record.table)
            session.execute(delete(table).where(table.c[record.owner] == question_id))
    session.expire_all()  # loaded follow-ups and revisions are gone now
    question = session.get(Question, question_id)
    has_answers = session.scalar(select(Answer.id).where(Answer.question_id == question_id)
                                 .limit(1)) is not None
    if not has_answers:
        session.delete(question)
        return False
    blank = {"title": REMOVED_TITLE, "display_name": "", "body": "",
             "manage_token_hash": new_token()[1]}
    for record in asker_records():
        if record.owner == "id":
            for f in record.fields:
                setattr(question, f.column, blank[f.column])
    question.body_html = ""
    question.status = "removed"
    question.edited_at = None
    return True


# --- data-subject requests by mail or phone: `candor export|erase` -------------------------


def init_app(app: Flask) -> None:
    app.cli.add_command(export_command)
    app.cli.add_command(erase_command)


def is_address(who: str) -> bool:
    return "@" in who and "/" not in who


def find_questions(session: Session, who: str) -> list[int]:
    """Question ids for a manage link (or its token) or a notification email address."""
    if is_address(who):
        return list(session.scalars(
            select(NotificationEmail.question_id)
            .where(func.lower(NotificationEmail.email) == who.strip().lower())
            .order_by(NotificationEmail.question_id)))
    wanted = hash_token(who.rstrip("/").rsplit("/", 1)[-1])
    return list(session.scalars(select(Question.id).where(Question.manage_token_hash == wanted)))


@click.command("export")
@click.argument("who")
@with_appcontext
def export_command(who: str) -> None:
    """Print, as JSON, what an asker gave: WHO is their manage link or email address
    (an address also finds the contact requests it made on other people's threads)."""
    with session_scope(current_app.extensions["candor_engine"]) as session:
        ids = find_questions(session, who)
        exports = [export_question(session, i) for i in ids]
        if is_address(who) and (extra := export_by_address(session, who, ids)):
            exports.append(extra)
        if not exports:
            raise click.ClickException("no question matches that link or email address")
    click.echo(json.dumps(exports, indent=2, ensure_ascii=False))


@click.command("erase")
@click.argument("who")
@click.option("--yes", is_flag=True, help="Erase without asking.")
@with_appcontext
def erase_command(who: str, yes: bool) -> None:
    """Erase what an asker gave: WHO is their manage link or email address (an address also
    erases the contact requests it made on other people's threads)."""
    app = current_app._get_current_object()
    with session_scope(app.extensions["candor_engine"]) as session:
        ids = find_questions(session, who)
        requests = is_address(who) and bool(
            export_by_address(session, who, ids))
        if not ids and not requests:
            raise click.ClickException("no question matches that link or email address")
        if not yes:
            click.confirm(f"Erase {len(ids)} question(s) and everything their asker gave"
                          f"{' (and their contact requests)' if requests else ''}?", abort=True)
        for question_id in ids:
            erase_question(session, question_id)
        erased = erase_by_address(session, who, ids) if requests else 0
    for question_id in ids:
        signals.question_deleted.send(app, id=question_id)
    click.echo(f"Erased {len(ids)} question(s)"
               f"{f' and {erased} contact request(s)' if erased else ''}.")
