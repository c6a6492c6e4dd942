"""The asker's control through their private link: edit, notifications, export, delete.

Every route is keyed by the manage token alone (no cookie), answers with the private
headers (no Referer, no cache), and acts only on POST.
"""

from __future__ import annotations

import json

from flask import Blueprint, Flask, current_app, redirect, render_template, request
from sqlalchemy import select

from .. import signals
from ..db import get_session, utcnow
from ..effects.outbox import emit
from ..markup import render_markdown
from ..models import NotificationEmail, Question, QuestionRevision
from ..privacy import abuse
from ..privacy.subject_requests import erase_question, export_question
from ..text import clean_text
from .ask import BODY_LIMIT, Form, check_email, private, question_for_token, read_text_fields
from .states import LIVE, Event, move

bp = Blueprint("manage", __name__, url_prefix="/manage/<token>")
# The two consents a confirmed address serves, switched separately by the asker.
SWITCHES = {"on": ("active", True), "off": ("active", False),
            "news-on": ("topic_news", True), "news-off": ("topic_news", False)}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _page(template: str, token: str, question: Question, status: int = 200, **context):
    html = render_template(template, token=token, question=question, body_limit=BODY_LIMIT,
                           **context)
    return private(current_app.make_response((html, status)))


@bp.route("/edit", methods=["GET", "POST"])
def edit(token: str):
    """Edit the question; the earlier version is kept for the asker and staff."""
    question = question_for_token(token)
    form = Form({"title": question.title, "body": question.body})
    if request.method == "POST":
        form = read_text_fields(request.form, {"title": "your question in one line",
                                               "body": "the details of your question"})
        if not form.errors:
            _save_edit(question, form.values["title"], form.values["body"])
            return private(redirect(f"/manage/{token}", 303))
    return _page("manage_edit.html", token, question, form.status, form=form)


def _save_edit(question: Question, title: str, body: str) -> None:
    if (title, body) == (question.title, question.body):
        return
    session = get_session()
    session.add(QuestionRevision(question_id=question.id, title=question.title,
                                 body=question.body, body_html=question.body_html,
                                 written_at=question.edited_at or question.created_at))
    question.title, question.body = title, body
    question.body_html = render_markdown(body)
    question.edited_at = utcnow()
    email = session.scalar(select(NotificationEmail.email)
                           .where(NotificationEmail.question_id == question.id))
    hold = abuse.hold_reason(session, f"{title}\n{body}", email)
    if hold and question.status in LIVE:  # answered ones too: an edit must not skip the hold
        move(question, Event.HOLD)
        question.hold_reason = hold
        abuse.log_action(session, "held", question.id, hold)
    emit(session, signals.question_edited, id=question.id)
    session.commit()


@bp.post("/notifications")
def notifications(token: str):
    """Give an email for news of this thread, or switch a confirmed one's answer mail or
    topic news on or off."""
    question = question_for_token(token)
    session = get_session()
    current = session.scalar(select(NotificationEmail)
                             .where(NotificationEmail.question_id == question.id))
    action = request.form.get("action", "")
    if action in SWITCHES and current is not None and current.confirmed_at is not None:
        column, value = SWITCHES[action]
        setattr(current, column, value)
        session.commit()
        return private(redirect(f"/manage/{token}#notifications", 303))
    if action != "add":
        return _page("manage_notice.html", token, question, 400,
                     title="Nothing changed", message="That notification setting is not "
                     "available. Go back to your question and choose again.")
    email = clean_text(request.form.get("email"))
    error = check_email(email) or ("" if email else "Enter your email address.")
    if error:
        return _page("manage_notice.html", token, question, 400,
                     title="Check the email address", message=error)
    if current is not None:
        session.delete(current)
        session.flush()
    opt_in = NotificationEmail(question_id=question.id, email=email)
    session.add(opt_in)
    session.flush()
    emit(session, signals.email_opt_in, id=opt_in.id)
    session.commit()
    return private(redirect(f"/manage/{token}#notifications", 303))


@bp.get("/export.json")
def export(token: str):
    """Everything the asker gave, as JSON, walked from the privacy registry."""
    question = question_for_token(token)
    body = json.dumps(export_question(get_session(), question.id), indent=2, ensure_ascii=False)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="candor-question-{question.id}.json"'
    return private(response)


@bp.route("/delete", methods=["GET", "POST"])
def delete(token: str):
    """Confirm, then erase the question, its versions, follow-ups and email."""
    question = question_for_token(token)
    if request.method == "GET":
        return _page("manage_delete.html", token, question)
    session = get_session()
    question_id = question.id
    kept = erase_question(session, question_id)
    emit(session, signals.question_deleted, id=question_id)
    session.commit()
    html = render_template("manage_deleted.html", kept_answers=kept)
    return private(current_app.make_response(html))
