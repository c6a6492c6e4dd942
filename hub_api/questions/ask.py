"""Asking without an account, and the asker's private manage page.

No reader route here touches the session: errors are rendered into the page, never
flashed, and the asker is recognised by the unguessable token in their manage link.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import signals
from ..db import get_session
from ..effects.outbox import emit
from ..markup import render_markdown
from ..models import FollowUp, NotificationEmail, Person, Question, Topic
from ..privacy import abuse
from ..staff.people import active_staff, all_topics
from ..text import clean_text
from .states import Event, move
from .threads import get_thread, thread_context

bp = Blueprint("ask", __name__)

LIMITS = {"display_name": 80, "title": 200}
# ASCII only and no \s: the same pattern means the same in Python and in the API's JSON
# Schema (ECMA regex), so a schema-valid address is never refused here.
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
BODY_LIMIT = 20_000


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["mail_on"] = mail_on


def mail_on() -> bool:
    """Whether the hub can send mail: pages promise mail only then."""
    return bool(current_app.config.get("SMTP_URL"))


def new_token() -> tuple[str, str]:
    """A 256-bit manage token and the hash that is all the database keeps."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass
class Form:
    """Submitted values, cleaned, with one message per invalid field."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    status: int = 200


def read_text_fields(data, required: dict[str, str], optional: tuple[str, ...] = ()) -> Form:
    """Clean and length-check fields; ``required`` maps a field to its label."""
    form = Form({name: clean_text(data.get(name)) for name in optional})
    for name, label in required.items():
        multiline = name == "body"
        value = clean_text(data.get(name), multiline=multiline)
        form.values[name] = value
        limit = BODY_LIMIT if multiline else LIMITS[name]
        if not value:
            form.errors[name] = f"Enter {label}."
        elif len(value) > limit:
            form.errors[name] = f"{label.capitalize()} must be at most {limit:,} characters " \
                                f"(it has {len(value):,})."
            if multiline:
                form.status = 413
    if form.errors and form.status == 200:
        form.status = 400
    return form


def ask_form_page(form: Form | None = None, **extra):
    """The question form with ``form``'s values and errors (``extra``: e.g. similar threads)."""
    session = get_session()
    form = form or Form({"topic": request.args.get("topic", ""),
                         "person": request.args.get("person", ""),
                         "title": clean_text(request.args.get("title"))[:LIMITS["title"]]})
    return render_template(
        "ask.html", form=form, topics=all_topics(session), people=active_staff(session),
        body_limit=BODY_LIMIT, **extra,
    ), form.status


@bp.get("/ask")
def ask_form():
    """The question form; ``?topic=`` or ``?person=`` preselects a route, ``?title=`` (a
    search that found nothing) starts the question with the searched words."""
    return ask_form_page()


@bp.post("/ask")
def ask_submit():
    """Store the question and send the asker to their private manage page.

    Only the named fields are read, so extra fields (``status``, ``is_staff`` …) are ignored.
    """
    session = get_session()
    guard = abuse.check_form(request.form, "ask")
    form, topic, person = validate_question(session, request.form, form_guard=guard)
    if form.errors:
        return ask_form_page(form)
    _question, token = create_question(session, form, topic, person)
    return redirect(f"/manage/{token}", 303)


def validate_question(
    session: Session, data, form_guard: str | None = None
) -> tuple[Form, Topic | None, Person | None]:
    """The one validation of a new question, for the form and the JSON API alike.

    ``form_guard`` is the HTML form's token/honeypot verdict (the API has no form).
    """
    form = read_text_fields(
        data,
        {"display_name": "a name to show with your question",
         "title": "your question in one line", "body": "the details of your question"},
        optional=("topic", "person", "email"),
    )
    topic = person = None
    if form.values["topic"]:
        topic = session.scalar(select(Topic).where(Topic.slug == form.values["topic"]))
        if topic is None:
            form.errors["topic"] = "Choose a topic from the list."
    if form.values["person"]:
        person = next((p for p in active_staff(session) if p.slug == form.values["person"]), None)
        if person is None:
            form.errors["person"] = "Choose a person from the list."
    email_error = check_email(form.values["email"])
    if email_error:
        form.errors["email"] = email_error
    read_consents(data, form)
    if form_guard:
        form.errors["form"] = form_guard
    elif not form.errors and abuse.is_duplicate(session, form.values["body"]):
        form.errors["body"] = "You sent this question a moment ago. Use its private link."
        form.status = 409
    if form.errors:
        form.status = max(form.status, 400)
    return form, topic, person


def create_question(
    session: Session, form: Form, topic: Topic | None, person: Person | None
) -> tuple[Question, str]:
    """Store a validated question (held for moderation when the rules say so); return it
    with the manage token, which is shown once and never kept."""
    hold = abuse.hold_reason(session, f"{form.values['title']}\n{form.values['body']}",
                             form.values["email"])
    token, token_hash = new_token()
    question = Question(
        title=form.values["title"], body=form.values["body"],
        body_html=render_markdown(form.values["body"]), display_name=form.values["display_name"],
        topic=topic, person=person, assignee=person, manage_token_hash=token_hash,
        hold_reason=hold,
    )
    move(question, Event.HOLD if hold else Event.ASK)
    session.add(question)
    session.flush()
    opt_in = None
    if form.values["email"]:
        opt_in = NotificationEmail(question_id=question.id, email=form.values["email"],
                                   active=bool(form.values.get("notify_answers", "1")),
                                   topic_news=bool(form.values.get("topic_news")))
        session.add(opt_in)
    if hold:
        abuse.log_action(session, "held", question.id, hold)
    else:
        emit(session, signals.question_asked, id=question.id)
    if opt_in is not None:
        session.flush()
        emit(session, signals.email_opt_in, id=opt_in.id)
    session.commit()
    return question, token


def _ticked(data, name: str, default: bool) -> bool:
    """A checkbox (the form sends a hidden "0" before it, so the last value wins) or a JSON
    boolean; ``default`` when the field is absent (older clients)."""
    values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
    value = values[-1] if values else None
    if value is None:
        return default
    return value is True or value in ("1", "on", "true")


def read_consents(data, form: Form) -> None:
    """The two separate consents an email serves: answers in this thread (``notify_answers``)
    and news on this topic (``topic_news``). Stored as "1"/"" in ``form.values``."""
    answers, news = _ticked(data, "notify_answers", True), _ticked(data, "topic_news", False)
    form.values["notify_answers"] = "1" if answers else ""
    form.values["topic_news"] = "1" if news else ""
    if news and not form.values["email"]:
        form.errors["topic_news"] = "Give an email address for news on this topic, or untick it."
    elif form.values["email"] and not (answers or news):
        form.errors["email"] = "Tick what we may email you about, or leave the email empty."


def check_email(email: str) -> str | None:
    """A message when an optional email address cannot be right."""
    if email and (len(email) > 254 or not EMAIL.fullmatch(email)):
        return "Enter an email address like name@example.com, or leave it empty."
    return None


def question_for_token(token: str) -> Question:
    """The question a manage link belongs to; 404 for any other string."""
    if len(token) > 100:
        abort(404)
    wanted = hash_token(token)
    question_id = get_session().scalar(
        select(Question.id).where(Question.manage_token_hash == wanted)
    )
    if question_id is None:
        abort(404)
    question = get_thread(question_id)
    if not hmac.compare_digest(question.manage_token_hash, wanted):
        abort(404)
    return question


def private(response):
    """Headers for pages that carry the manage token: never cached, never in a Referer."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _manage_page(token: str, question: Question, form: Form | None = None):
    notification = get_session().scalar(
        select(NotificationEmail).where(NotificationEmail.question_id == question.id))
    html = render_template(
        "manage.html", token=token, form=form or Form({}), public_url=current_app.config[
            "PUBLIC_URL"], body_limit=BODY_LIMIT, notification=notification,
        **thread_context(question, private=True),
    )
    return private(current_app.make_response((html, form.status if form else 200)))


@bp.get("/manage/<token>")
def manage(token: str):
    """The asker's private page: the thread, a follow-up form, and the link to keep."""
    return _manage_page(token, question_for_token(token))


@bp.post("/manage/<token>/reply")
def reply(token: str):
    """A follow-up from the asker: an answered question stays answered for readers and
    waits in the answerer's queue ("follow-up waiting").

    The hold rules for questions apply: a reply with links from an asker not yet known, or
    with a word on the hold list, waits for a moderator and is seen only by its asker.
    """
    question = question_for_token(token)
    form = read_text_fields(request.form, {"body": "your reply"})
    if form.errors:
        return _manage_page(token, question, form)
    session = get_session()
    opt_in = session.scalar(select(NotificationEmail.email)
                            .where(NotificationEmail.question_id == question.id))
    hold = abuse.hold_reason(session, form.values["body"], opt_in)
    follow_up = FollowUp(question_id=question.id, body=form.values["body"],
                         body_html=render_markdown(form.values["body"]),
                         status="held" if hold else "published", hold_reason=hold)
    session.add(follow_up)
    if hold:
        session.flush()
        abuse.log(session, "held", f"follow-up {follow_up.id}", hold)
    else:
        move(question, Event.FOLLOW_UP)
        emit(session, signals.question_changed, id=question.id)
    session.commit()
    return private(redirect(f"/manage/{token}#latest", 303))


@bp.post("/manage/<token>/accept/<int:answer_id>")
def accept(token: str, answer_id: int):
    """The asker marks the answer that helped."""
    question = question_for_token(token)
    accept_answer(question, answer_id)
    return private(redirect(f"/manage/{token}#answer-{answer_id}", 303))


def accept_answer(question: Question, answer_id: int) -> None:
    """Mark one of the thread's answers as accepted (404 for an answer of another thread)."""
    if answer_id not in {a.id for a in question.answers}:
        abort(404)
    question.accepted_answer_id = answer_id
    move(question, Event.ACCEPT)
    emit(get_session(), signals.question_changed, id=question.id)
    get_session().commit()

