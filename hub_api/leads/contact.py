"""“Talk to this person”: a reader asks the staff member who answered to contact them.

The request is a lead with an explicit consent. Its address goes to that employee (a mail at
once, and their queue) and to owners in the digest, never to a public page, feed, API
answer, index or the built site. The form is a reader route: no session and no cookie, the
same form token and honeypot as ``/ask``, and the address never appears in a URL.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Blueprint, Flask, abort, redirect, render_template, request
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from .. import signals
from ..db import get_session, utcnow
from ..effects.mail import Mail
from ..effects.outbox import emit, on, queue_mail
from ..models import Answer, ContactRequest, Person
from ..notices import notify
from ..privacy import abuse
from ..questions.ask import Form, check_email
from ..questions.states import is_public
from ..questions.threads import get_public_thread, thread_context
from ..security import check_csrf
from ..staff.auth import require_role
from ..text import clean_text

logger = logging.getLogger(__name__)
bp = Blueprint("contact", __name__)

FIELDS = {"company": 120, "job_role": 120}  # optional, single line; email has its own check
DUPLICATE_WINDOW = timedelta(days=1)
ECHO_LIMIT = 1000  # a refused value is shown back for correcting, cut to this length
# Who may read any contact request (the digest's readers); others only their own.
OVERSEERS = frozenset({"owner", "admin"})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(open_contact_requests=open_contact_requests,
                                 contactable=contactable)
    on(app, signals.contact_requested, _mail_employee)


def may_read(person: Person, request_row: ContactRequest) -> bool:
    """The employee asked, or an owner/admin: nobody else sees the address."""
    return request_row.person_id == person.id or bool(person.role_set & OVERSEERS)


# --- the reader's form -------------------------------------------------------------------


def contact_answer(question_id: int, answer_id: int) -> Answer:
    """The published thread's answer by an active staff member; 404 for anything else."""
    question = get_public_thread(question_id)
    answer = next((a for a in question.answers if a.id == answer_id), None)
    if answer is None or not contactable(answer):
        abort(404)
    return answer


def contactable(answer: Answer) -> bool:
    """Only an answer a reader can see, by someone still here to reply, offers the form."""
    person = answer.person
    return (person.active and "staff" in person.role_set and not answer.hidden_reason
            and is_public(answer.question))


def read_contact_form(data) -> Form:
    """Clean and check the fields; every message names what to change."""
    raw = {name: clean_text(data.get(name)) for name in ("email", *FIELDS)}
    form = Form({name: value[:ECHO_LIMIT] for name, value in raw.items()})
    if not raw["email"]:
        form.errors["email"] = "Enter your email address, so they can contact you."
    elif check_email(raw["email"]):
        form.errors["email"] = "Enter an email address like name@example.com."
    for name, limit in FIELDS.items():
        if len(raw[name]) > limit:
            form.errors[name] = f"Keep this to {limit} characters (it has {len(raw[name]):,})."
    if data.get("consent") != "yes":
        form.errors["consent"] = "Tick the box to agree to be contacted about this question."
    if guard := abuse.check_form(data, "contact"):
        form.errors["form"] = guard
    if form.errors:
        form.status = 400
    return form


@bp.post("/q/<int:question_id>/contact/<int:answer_id>")
def request_contact(question_id: int, answer_id: int):
    """Store a consented contact request and tell the employee; readers get no cookie."""
    answer = contact_answer(question_id, answer_id)
    form = read_contact_form(request.form)
    if form.errors:
        html = render_template("thread.html", contact_form=form, contact_answer_id=answer.id,
                               **thread_context(answer.question))
        return html, form.status
    session = get_session()
    store_request(session, answer, form)
    return redirect(f"/q/{question_id}/contact/{answer_id}/sent", 303)


def store_request(session: Session, answer: Answer, form: Form) -> tuple[ContactRequest, bool]:
    """One row per answer and address per day: a second send changes nothing."""
    email = form.values["email"]
    existing = session.scalar(
        select(ContactRequest).where(
            ContactRequest.answer_id == answer.id,
            func.lower(ContactRequest.email) == email.lower(),
            ContactRequest.created_at >= utcnow() - DUPLICATE_WINDOW))
    if existing is not None:
        return existing, False
    now = utcnow()
    row = ContactRequest(question_id=answer.question_id, answer_id=answer.id,
                         person_id=answer.person_id, email=email,
                         company=form.values["company"], job_role=form.values["job_role"],
                         consented_at=now, created_at=now)
    session.add(row)
    session.flush()
    emit(session, signals.contact_requested, id=row.id)
    session.commit()
    return row, True


@bp.get("/q/<int:question_id>/contact/<int:answer_id>/sent")
def sent(question_id: int, answer_id: int):
    """The thank-you page: names the person, never the address."""
    answer = contact_answer(question_id, answer_id)
    return render_template("contact_sent.html", answer=answer, question=answer.question)


# --- the employee's side ------------------------------------------------------------------


def open_contact_requests(person: Person) -> list[ContactRequest]:
    """Open requests addressed to ``person``, newest first (for their queue page)."""
    return list(get_session().scalars(
        select(ContactRequest)
        .where(ContactRequest.person_id == person.id, ContactRequest.handled_at.is_(None))
        .options(joinedload(ContactRequest.question))
        .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())))


@bp.post("/staff/contact-requests/<int:request_id>/handled")
@require_role("staff", "owner", "admin")
def mark_handled(request_id: int):
    """The employee (or an owner) has been in touch: the request leaves the queue."""
    check_csrf()
    session = get_session()
    row = session.get(ContactRequest, request_id)
    if row is None or not may_read(current_user, row):
        abort(404)
    if row.handled_at is None:
        row.handled_at = utcnow()
        session.commit()
    notify("Marked as handled: the request has left your list.")
    return redirect("/staff/queue#contact-requests", 303)


def _mail_employee(app: Flask, session: Session, id: int,  # noqa: A002 — signal kwarg
                   **_extra) -> None:
    """The lead, to the employee asked and nobody else (an outbox handler)."""
    row = session.get(ContactRequest, id)
    if row is None or not row.person.active:
        return
    person, question = row.person, row.question
    lines = [f"Someone reading your answer to “{question.title}” asks you to contact "
             "them about this question. They agreed to be contacted by you.", "",
             f"Email:   {row.email}",
             f"Company: {row.company or '(not given)'}",
             f"Role:    {row.job_role or '(not given)'}", "",
             f"The thread: {app.config['PUBLIC_URL']}/staff/q/{question.id}",
             f"Mark it handled in your queue: {app.config['PUBLIC_URL']}/staff/queue"
             "#contact-requests", "",
             "Only you and the company's owners see this address. Please use it for this "
             "question only."]
    to, reply_to, subject = person.email, row.email, f"Contact request: {question.title}"
    queue_mail(session, Mail(to, subject, "\n".join(lines), "contact request",
                             reply_to=reply_to))


def reader_for(session: Session, request_id: int, person: Person) -> ContactRequest | None:
    """A contact request ``person`` may read (the API's lookup), else ``None``."""
    row = session.scalar(select(ContactRequest).where(ContactRequest.id == request_id)
                         .options(joinedload(ContactRequest.question),
                                  joinedload(ContactRequest.person)))
    return row if row is not None and may_read(person, row) else None
