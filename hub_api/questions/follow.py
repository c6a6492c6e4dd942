"""Following a thread: an Atom feed for anyone, or opt-in email for its asker.

Email is double opt-in: giving an address sends one confirmation mail and nothing else;
unconfirmed addresses are purged after 48 hours (``candor purge-unconfirmed``). Links in
mail open a page with a button and act only on its POST, because mail scanners fetch links.
Links are signed with the instance secret, so no extra token is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import click
from feedgenerator import Atom1Feed
from flask import Blueprint, Flask, abort, current_app, render_template, request
from flask.cli import with_appcontext
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from markupsafe import escape
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import signals
from ..db import get_session, session_scope, utcnow
from ..effects.jobs import scheduler
from ..effects.mail import Mail
from ..effects.outbox import on, queue_mail
from ..identity import company_identity
from ..models import Answer, NotificationEmail
from .ask import private
from .threads import get_public_thread, timeline

logger = logging.getLogger(__name__)
bp = Blueprint("follow", __name__)

CONFIRM_WITHIN = timedelta(hours=48)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(purge_command)
    scheduler(app).add("purge-unconfirmed", 3600, _purge_job)
    on(app, signals.email_opt_in, _send_confirmation)
    on(app, signals.answer_posted, _notify_answer)


# --- signed links ------------------------------------------------------------------------


def _confirm_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="candor-email-confirm")


def _unsubscribe_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="candor-email-unsubscribe")


def _link(path: str) -> str:
    return f"{current_app.config['PUBLIC_URL']}{path}"


def _opt_in(token: str, confirm: bool) -> NotificationEmail:
    """The opt-in a signed link names; 404 for a bad, expired or used-up link."""
    if confirm:
        return signed_opt_in(lambda t: _confirm_signer().loads(
            t, max_age=int(CONFIRM_WITHIN.total_seconds())), token)
    return signed_opt_in(_unsubscribe_signer().loads, token)


def signed_opt_in(loads: Callable[[str], object], token: str) -> NotificationEmail:
    """The opt-in whose id ``loads`` reads from a signed token; 404 for any other string."""
    try:
        opt_in_id = loads(token)
    except BadSignature:
        abort(404)
    opt_in = get_session().get(NotificationEmail, opt_in_id) if isinstance(opt_in_id, int) \
        else None
    if opt_in is None:
        abort(404)
    return opt_in


# --- mail ----------------------------------------------------------------------------------


def _deliver(session: Session, opt_in: NotificationEmail, subject: str, text: str,
             purpose: str) -> None:
    unsubscribe = _link(f"/notify/unsubscribe/{_unsubscribe_signer().dumps(opt_in.id)}")
    company = company_identity().name
    body = f"{text}\n\n--\n{company}: {_link('/')}\n" \
           f"Stop these emails and delete your address: {unsubscribe}\n"
    queue_mail(session, Mail(opt_in.email, f"{subject} · {company}", body, purpose,
                             headers={"List-Unsubscribe": f"<{unsubscribe}>"}))


def _send_confirmation(app: Flask, session: Session, id: int,  # noqa: A002 — signal kwarg
                       **_extra) -> None:
    """An outbox handler: the address's confirmation mail."""
    opt_in = session.get(NotificationEmail, id)
    if opt_in is None:
        return
    confirm = _link(f"/notify/confirm/{_confirm_signer().dumps(opt_in.id)}")
    _deliver(session, opt_in, "Confirm email notifications for your question",
             f"You asked to be told {consents_text(opt_in)}.\n"
             f"Confirm within 48 hours: {confirm}\n\n"
             "If this was not you, ignore this mail: the address is deleted in 48 hours.",
             "opt-in confirmation")


def consents_text(opt_in: NotificationEmail) -> str:
    """What an address was given for, in words: the confirmation says exactly that."""
    wanted = (["when someone answers your question"] if opt_in.active else []) + \
        (["about news on your question's topic (a personal note from staff)"]
         if opt_in.topic_news else [])
    return " and ".join(wanted) or "nothing (you switched everything off)"


def _notify_answer(app: Flask, session: Session, id: int,  # noqa: A002 — signal kwarg
                   **_extra) -> None:
    """An outbox handler: tell the asker who opted in about a new answer."""
    answer = session.get(Answer, id)
    if answer is None:
        return
    opt_in = session.scalar(select(NotificationEmail).where(
        NotificationEmail.question_id == answer.question_id,
        NotificationEmail.confirmed_at.is_not(None), NotificationEmail.active.is_(True)))
    if opt_in is None:
        return
    question, person = answer.question, answer.person
    _deliver(session, opt_in, f"New answer: {question.title}",
             f"{person.name} ({person.job_title}) answered your question "
             f"“{question.title}”:\n{_link(question.url)}#answer-{answer.id}\n\n"
             "Reply, edit or delete through the private link you saved when you asked.",
             "answer notification")


# --- pages ---------------------------------------------------------------------------------


def _confirm_page(kind: str, token: str, done: bool = False,
                  opt_in: NotificationEmail | None = None):
    html = render_template("notify.html", kind=kind, token=token, done=done,
                           consents=consents_text(opt_in) if opt_in else "")
    return private(current_app.make_response(html))


@bp.route("/notify/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """Show a button; its POST confirms the address."""
    opt_in = _opt_in(token, confirm=True)
    if request.method == "POST":
        if opt_in.confirmed_at is None:
            opt_in.confirmed_at = utcnow()
            get_session().commit()
        return _confirm_page("confirm", token, done=True, opt_in=opt_in)
    return _confirm_page("confirm", token, opt_in=opt_in)


@bp.route("/notify/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Show a button; its POST deletes the address."""
    if request.method == "POST":
        session = get_session()
        session.delete(_opt_in(token, confirm=False))
        session.commit()
        return _confirm_page("unsubscribe", token, done=True)
    _opt_in(token, confirm=False)
    return _confirm_page("unsubscribe", token)


@bp.get("/q/<int:question_id>/feed.atom")
def thread_feed(question_id: int):
    """An Atom feed of one thread: follow the answers without giving an email."""
    question = get_public_thread(question_id)
    feed = Atom1Feed(title=f"{question.title} · {company_identity().name}",
                     link=_link(question.url),
                     description="Answers and follow-ups in this thread",
                     feed_url=_link(f"/q/{question.id}/feed.atom"))
    for entry in timeline(question):
        item = entry.item
        description = item.body_html
        if entry.kind == "answer" and item.hidden_reason:
            description = f"<p>Answer hidden by a moderator: {escape(item.hidden_reason)}</p>"
        if entry.kind == "answer":
            title, anchor = f"Answer by {item.person.name}", f"answer-{item.id}"
            author = item.person.name
        else:
            title, anchor, author = "Follow-up from the asker", f"follow-up-{item.id}", None
        feed.add_item(title=title, link=_link(f"{question.url}#{anchor}"),
                      description=description, author_name=author,
                      pubdate=item.created_at, updateddate=item.edited_at
                      if entry.kind == "answer" and item.edited_at else item.created_at,
                      unique_id=_link(f"{question.url}#{anchor}"))
    return current_app.response_class(feed.writeString("utf-8"),
                                       mimetype="application/atom+xml")


# --- purge ---------------------------------------------------------------------------------


def purge_unconfirmed(session: Session) -> int:
    """Delete addresses not confirmed within 48 hours; return how many went."""
    result = session.execute(delete(NotificationEmail).where(
        NotificationEmail.confirmed_at.is_(None),
        NotificationEmail.created_at < utcnow() - CONFIRM_WITHIN))
    return result.rowcount or 0


def _purge_job(app: Flask) -> None:
    with session_scope(app.extensions["candor_engine"]) as session:
        purge_unconfirmed(session)


@click.command("purge-unconfirmed")
@with_appcontext
def purge_command() -> None:
    """Delete notification emails not confirmed within 48 hours (run it from cron)."""
    with session_scope(current_app.extensions["candor_engine"]) as session:
        count = purge_unconfirmed(session)
    click.echo(f"Deleted {count} unconfirmed email address{'es' if count != 1 else ''}.")
