"""Moderation: held posts wait here; every action lands in the public log.

Questions and askers' follow-ups are held by the same rules (``abuse.hold_reason``). A staff
answer can be hidden (a leaked secret, say): readers see the reason, its author still sees
the text in the staff view, and the search index drops it (the outbox sees the change).

Reasons come from a fixed list, so the public log (``/transparency/``) can never carry a
name, an address or anything else a moderator might type.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, redirect, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import signals
from .db import get_or_404, get_session
from .effects.outbox import emit
from .models import Answer, FollowUp, ModerationAction, Question
from .privacy import abuse
from .questions.states import LIVE, Event, StateError, Status, describe, in_, move
from .security import check_csrf
from .staff.auth import require_role

bp = Blueprint("moderation", __name__, url_prefix="/staff/moderation")

REASONS = {
    "fine": "looks like a genuine question",
    "spam": "spam or advertising",
    "off-topic": "not a question for this hub",
    "abusive": "abusive or hateful",
    "personal-data": "contained someone's personal data",
    "duplicate": "a duplicate of another question",
    "confidential": "contained confidential information",
}
# action: (the transition in ``states``, signal sent after commit)
ACTIONS = {
    "approve": (Event.APPROVE, signals.question_asked),
    "reject": (Event.REJECT, signals.question_hidden),
    "hide": (Event.HIDE, signals.question_hidden),
}
LOGGED = {"approve": "approved", "reject": "rejected", "hide": "hidden"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/")
@require_role("moderator", "admin")
def index():
    """Held posts first, then recent public questions that could be hidden, then the log."""
    session = get_session()
    options = selectinload(Question.topic)
    held = session.scalars(select(Question).where(Question.status == Status.HELD)
                           .options(options).order_by(Question.created_at)).all()
    recent = session.scalars(select(Question).where(in_(LIVE))
                             .options(options).order_by(Question.created_at.desc())
                             .limit(30)).all()
    held_follow_ups = session.scalars(
        select(FollowUp).where(FollowUp.status == "held").order_by(FollowUp.created_at)).all()
    answers = session.scalars(
        select(Answer).join(Question, Answer.question_id == Question.id)
        .where(Answer.hidden_reason == "", in_(LIVE))
        .options(selectinload(Answer.person), selectinload(Answer.question))
        .order_by(Answer.created_at.desc()).limit(30)).all()
    log = session.scalars(select(ModerationAction)
                          .order_by(ModerationAction.id.desc()).limit(50)).all()
    return render_template("staff/moderation.html", held=held, recent=recent, log=log,
                           reasons=REASONS, held_follow_ups=held_follow_ups, answers=answers)


def _reason() -> str:
    reason = request.form.get("reason", "")
    if reason not in REASONS:
        abort(400, "Choose a reason from the list.")
    return REASONS[reason]


@bp.post("/<int:question_id>/<action>")
@require_role("moderator", "admin")
def act(question_id: int, action: str):
    """Approve or reject a held question, or hide a published one."""
    check_csrf()
    if action not in ACTIONS:
        abort(404)
    reason = _reason()
    session = get_session()
    question = get_or_404(Question, question_id)
    event, signal = ACTIONS[action]
    try:
        if move(question, event) in LIVE - {Status.OPEN}:  # an answered one, edited and held
            signal = signals.question_changed  # comes back: not a new question to route
    except StateError:
        abort(409, f"This question is {describe(question)}; it cannot be {LOGGED[action]} now.")
    question.hold_reason = ""
    abuse.log_action(session, LOGGED[action], question.id, reason)
    emit(session, signal, id=question.id)
    session.commit()
    return redirect("/staff/moderation/", 303)


@bp.post("/follow-ups/<int:follow_up_id>/<action>")
@require_role("moderator", "admin")
def act_on_follow_up(follow_up_id: int, action: str):
    """Approve a held follow-up (it reaches readers and the queue) or reject it."""
    check_csrf()
    if action not in ("approve", "reject"):
        abort(404)
    reason = _reason()
    session = get_session()
    follow_up = get_or_404(FollowUp, follow_up_id)
    if follow_up.status != "held":
        abort(409, f"This follow-up is {follow_up.status}; it cannot be {LOGGED[action]} now.")
    follow_up.status = "published" if action == "approve" else "rejected"
    follow_up.hold_reason = ""
    if action == "approve":
        move(session.get(Question, follow_up.question_id), Event.FOLLOW_UP)
    abuse.log(session, LOGGED[action], f"follow-up {follow_up.id}", reason)
    if action == "approve":
        emit(session, signals.question_changed, id=follow_up.question_id)
    session.commit()
    return redirect("/staff/moderation/", 303)


@bp.post("/answers/<int:answer_id>/hide")
@require_role("moderator", "admin")
def hide_answer(answer_id: int):
    """Hide a staff answer from readers, the API and search; the reason is shown instead."""
    check_csrf()
    reason = _reason()
    session = get_session()
    answer = get_or_404(Answer, answer_id)
    if answer.hidden_reason:
        abort(409, "This answer is already hidden.")
    answer.hidden_reason = reason
    abuse.log(session, "hidden", f"answer {answer.id}", reason)
    emit(session, signals.answer_edited, id=answer.id)
    session.commit()
    return redirect("/staff/moderation/", 303)
