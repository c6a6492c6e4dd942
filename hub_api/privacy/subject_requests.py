"""An asker's export and erase, walking the personal-data registry (``personal_data.py``).

What the registry lists is exactly what an export holds and an erase removes, so the privacy
page, the export and the erase cannot drift apart.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

from .. import signals
from ..db import Base, session_scope, utcnow
from ..effects.outbox import emit, forget_mail_to
from ..models import Answer, ContactRequest, NotificationEmail, Question
from ..questions.ask import hash_token, new_token
from ..questions.states import Event, move
from .personal_data import REGISTRY, Record, asker_records

REMOVED_TITLE = "Question removed by the asker"


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
    """Delete a reader's contact requests on other threads (and mails waiting to go to the
    address); return how many requests. Caller commits."""
    table = _table("contact_requests")
    forget_mail_to(session, [email])
    return session.execute(delete(table).where(*_by_address(email, question_ids))).rowcount or 0


def erase_question(session: Session, question_id: int) -> bool:
    """Delete what the asker gave; return ``True`` if a tombstone stays for staff answers.

    Without answers the question row goes too. With answers, staff words stay public
    under "Question removed by the asker", and every personal column of the question is
    blanked (its manage link is replaced by one nobody holds). Mails still waiting to go to
    the addresses given with it are emptied unsent. The caller commits.
    """
    forget_mail_to(session, [*session.scalars(select(NotificationEmail.email).where(
        NotificationEmail.question_id == question_id)), *session.scalars(select(
            ContactRequest.email).where(ContactRequest.question_id == question_id))])
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
    move(question, Event.ERASE)
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
            emit(session, signals.question_deleted, id=question_id)
    click.echo(f"Erased {len(ids)} question(s)"
               f"{f' and {erased} contact request(s)' if erased else ''}.")
