"""The staff side of a thread: the queue routed to me, answering, editing, accepting, handing on."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, jsonify, redirect, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import signals
from ..db import get_or_404, get_session, utcnow
from ..effects.outbox import emit
from ..markup import render_markdown
from ..models import Answer, AnswerRevision, Person, Question
from ..moderation import ACTION_REASONS
from ..notices import notify
from ..security import check_csrf
from ..staff.auth import require_role
from ..staff.people import active_staff
from . import routing
from .ask import BODY_LIMIT, Form, accept_answer, read_text_fields
from .states import LIVE, QUEUED, Event, StateError, in_, move, queued_for
from .threads import get_thread, thread_context

bp = Blueprint("queue", __name__, url_prefix="/staff")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def queue_for(session: Session, person: Person, everything: bool = False) -> list[Question]:
    """Questions waiting for ``person`` (``states.queued_for``): new ones routed to them and
    follow-ups on threads they answered. Overdue first, then oldest."""
    query = select(Question).where(in_(QUEUED))
    if not everything:
        query = query.where(queued_for(person))
    query = query.options(selectinload(Question.topic), selectinload(Question.person),
                          selectinload(Question.assignee),
                          selectinload(Question.follow_ups), selectinload(Question.answers))
    questions = session.scalars(query.order_by(Question.created_at, Question.id))
    return [q for q, _due in routing.queue_order(questions)]


@bp.get("/")
@bp.get("/queue")
@require_role("staff")
def index():
    """Open questions for me, overdue first (``?all=1``: every open question)."""
    everything = request.args.get("all") == "1"
    now = utcnow()
    rows = routing.queue_order(queue_for(get_session(), current_user, everything), now)
    return render_template("staff/queue.html", rows=rows, everything=everything, now=now)


@bp.get("/q/<int:question_id>")
@require_role("staff", "moderator", "admin")
def thread(question_id: int):
    """The thread with the answer form (staff) and the moderation panel (moderators)."""
    return _thread_page(get_thread(question_id))


def _thread_page(question: Question, form=None, status: int = 200, preview: str = ""):
    moderating = not current_user.role_set.isdisjoint(("moderator", "admin"))
    return render_template("staff/thread.html", form=form, body_limit=BODY_LIMIT,
                           colleagues=active_staff(get_session()), preview=preview,
                           moderation_reasons=ACTION_REASONS if moderating else None,
                           **thread_context(question)), status


def _previewing() -> bool:
    """The form's Preview button (``action=preview``) was pressed rather than Publish/Save."""
    return request.form.get("action") == "preview"


@bp.post("/preview")
@require_role("staff")
def preview():
    """Markdown rendered exactly as it will be published, for the live preview script."""
    check_csrf()
    form = read_text_fields(request.form, {"body": "your answer"})
    if form.errors:  # empty is not a problem while typing; too long is
        status = form.status if form.values["body"] else 200
        return jsonify(html="", error=form.errors["body"]), status
    return jsonify(html=render_markdown(form.values["body"]), error="")


@bp.post("/q/<int:question_id>/assign")
@require_role("staff")
def assign(question_id: int):
    """Hand a question to an active colleague; they are mailed, the asker sees who has it."""
    check_csrf()
    session = get_session()
    question = get_thread(question_id)
    if question.status not in LIVE:
        abort(409, "This question is not published (held, hidden or removed).")
    person = routing.colleague(session, request.form.get("person"))
    if person is None:
        abort(400, "Choose an active colleague from the list.")
    routing.assign(session, question, person, current_user)
    notify(f"Handed to {person.name}. They have been told by mail; the asker sees who has it.")
    return redirect(f"/staff/q/{question.id}", 303)


@bp.post("/q/<int:question_id>/answer")
@require_role("staff")
def answer(question_id: int):
    """Post an answer signed by the logged-in person — there is no other author."""
    check_csrf()
    question = get_thread(question_id)
    if question.status not in LIVE:  # before reading the form: nothing to fix there
        abort(409, "This question is not published (held, hidden or removed); it takes no answers.")
    form = read_text_fields(request.form, {"body": "your answer"})
    if form.errors:
        return _thread_page(question, form, form.status)
    if _previewing():
        return _thread_page(question, form, preview=render_markdown(form.values["body"]))
    new = post_answer(get_session(), question, current_user, form.values["body"])
    notify("Published. Your answer is public under your name.",
           ("View the public page", f"{question.url}#answer-{new.id}"),
           ("Edit your answer", f"/staff/answers/{new.id}/edit"))
    return redirect(f"/staff/q/{question.id}#answer-{new.id}", 303)


def post_answer(session: Session, question: Question, person: Person, body: str) -> Answer:
    """Store an answer signed by ``person`` (the logged-in or token-holding staff member).

    Raises ``StateError`` for a question that is not live (held, hidden, removed …).
    """
    if question.status not in LIVE:
        raise StateError("This question is not published (held, hidden or removed); "
                         "it takes no answers.")
    new = Answer(question=question, person_id=person.id, body=body,
                 body_html=render_markdown(body))
    session.add(new)
    session.flush()
    move(question, Event.ANSWER)
    emit(session, signals.answer_posted, id=new.id)
    session.commit()
    return new


def _own_answer(answer_id: int) -> Answer:
    answer = get_or_404(Answer, answer_id)
    if answer.person_id != current_user.id:
        abort(403, "Only the person who wrote an answer can edit it.")
    return answer


@bp.route("/answers/<int:answer_id>/edit", methods=["GET", "POST"])
@require_role("staff")
def edit(answer_id: int):
    """Edit my answer; the earlier version is kept and shown in its public history."""
    answer = _own_answer(answer_id)
    form = Form({"body": answer.body})
    preview_html = ""
    if request.method == "POST":
        check_csrf()
        form = read_text_fields(request.form, {"body": "your answer"})
        if not form.errors and _previewing():
            preview_html = render_markdown(form.values["body"])
        elif not form.errors:
            if form.values["body"] != answer.body:
                session = get_session()
                session.add(AnswerRevision(answer_id=answer.id, body=answer.body,
                                           body_html=answer.body_html,
                                           written_at=answer.edited_at or answer.created_at))
                answer.body = form.values["body"]
                answer.body_html = render_markdown(answer.body)
                answer.edited_at = utcnow()
                emit(session, signals.answer_edited, id=answer.id)
                session.commit()
                notify("Saved. The public page shows the new version and marks it edited.",
                       ("View the public page", f"{answer.question.url}#answer-{answer.id}"))
            else:
                notify("Nothing changed: the answer is as it was.")
            return redirect(f"/staff/q/{answer.question_id}#answer-{answer.id}", 303)
    return render_template("staff/edit.html", answer=answer, form=form, preview=preview_html,
                           body_limit=BODY_LIMIT), form.status


@bp.post("/q/<int:question_id>/accept/<int:answer_id>")
@require_role("staff")
def accept(question_id: int, answer_id: int):
    """Mark an answer as the accepted one."""
    check_csrf()
    question = get_thread(question_id)
    accept_answer(question, answer_id)
    notify("Marked as the accepted answer.", ("View the public page", question.url))
    return redirect(f"/staff/q/{question.id}#answer-{answer_id}", 303)
