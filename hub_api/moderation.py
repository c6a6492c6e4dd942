"""Moderation: held posts wait here; every action lands in the public log.

Questions and askers' follow-ups are held by the same rules (``abuse.hold_reason``). A staff
answer can be hidden (a leaked secret, say): readers see the reason, its author still sees
the text in the staff view, and the search index drops it (the outbox sees the change).

Reasons come from fixed lists, so the public log (``/transparency/``) can never carry a
name, an address or anything else a moderator might type. Each action has its own list (no
"looks like a genuine question" offered for hiding) and no default: the moderator chooses.
Hiding is undone by unhiding, logged the same way; the asker's page says why it is hidden.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, redirect, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import signals
from .db import get_or_404, get_session
from .effects.outbox import emit
from .models import Answer, FollowUp, ModerationAction, Question
from .notices import notify
from .privacy import abuse
from .questions.states import LIVE, Event, StateError, Status, describe, in_, move
from .security import check_csrf
from .staff.auth import require_role, safe_next

bp = Blueprint("moderation", __name__, url_prefix="/staff/moderation")

AGAINST = {
    "spam": "spam or advertising",
    "off-topic": "not a question for this hub",
    "abusive": "abusive or hateful",
    "personal-data": "contained someone's personal data",
    "duplicate": "a duplicate of another question",
    "confidential": "contained confidential information",
}
FOR = {"fine": "looks like a genuine question"}
BACK = {
    "mistake": "hidden by mistake",
    "fixed": "the problem was fixed",
}
REASONS = {**FOR, **AGAINST, **BACK}  # every reason the log may carry
# The reasons each action may give: never one that contradicts the action.
ACTION_REASONS = {"approve": FOR, "reject": AGAINST, "hide": AGAINST, "unhide": BACK}
# action: (the transition in ``states``, signal sent after commit)
ACTIONS = {
    "approve": (Event.APPROVE, signals.question_asked),
    "reject": (Event.REJECT, signals.question_hidden),
    "hide": (Event.HIDE, signals.question_hidden),
    "unhide": (Event.UNHIDE, signals.question_changed),
}
LOGGED = {"approve": "approved", "reject": "rejected", "hide": "hidden", "unhide": "unhidden"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/")
@require_role("moderator", "admin")
def index():
    """Held posts first; then recent and hidden posts as links to their staff view (where
    hiding and unhiding are), so no destructive form sits in a long list; then the log."""
    session = get_session()
    options = selectinload(Question.topic)
    held = session.scalars(select(Question).where(Question.status == Status.HELD)
                           .options(options).order_by(Question.created_at)).all()
    recent = session.scalars(select(Question).where(in_(LIVE))
                             .options(options).order_by(Question.created_at.desc())
                             .limit(30)).all()
    hidden = session.scalars(select(Question).where(Question.status == Status.HIDDEN)
                             .options(options).order_by(Question.id.desc()).limit(30)).all()
    hidden_answers = session.scalars(
        select(Answer).where(Answer.hidden_reason != "")
        .options(selectinload(Answer.person), selectinload(Answer.question))
        .order_by(Answer.id.desc()).limit(30)).all()
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
                           reasons=ACTION_REASONS, held_follow_ups=held_follow_ups,
                           answers=answers, hidden=hidden, hidden_answers=hidden_answers)


def _reason(action: str) -> str:
    """The chosen reason's public text; 400 for none, or one this action may not give."""
    choices = ACTION_REASONS[action]
    reason = request.form.get("reason", "")
    if reason not in choices:
        abort(400, f"Choose why: {', '.join(choices.values())}.")
    return choices[reason]


def _back_to(default: str) -> str:
    """Where the form came from (the staff thread or this page); never another origin."""
    return safe_next(request.form.get("next"), default)


@bp.post("/<int:question_id>/<action>")
@require_role("moderator", "admin")
def act(question_id: int, action: str):
    """Approve or reject a held question, hide a published one or unhide a hidden one."""
    check_csrf()
    if action not in ACTIONS:
        abort(404)
    reason = _reason(action)
    session = get_session()
    question = get_or_404(Question, question_id)
    event, signal = ACTIONS[action]
    try:
        if move(question, event) in LIVE - {Status.OPEN}:  # an answered one, edited and held
            signal = signals.question_changed  # comes back: not a new question to route
    except StateError:
        abort(409, f"This question is {describe(question)}; it cannot be {LOGGED[action]} now.")
    question.hold_reason = ""
    question.hidden_reason = reason if action == "hide" else ""
    abuse.log_action(session, LOGGED[action], question.id, reason)
    emit(session, signal, id=question.id)
    session.commit()
    notify(f"Question {LOGGED[action]} ({reason}). The public moderation log says so.",
           *([("View the public page", question.url)] if question.status in LIVE else []))
    return redirect(_back_to("/staff/moderation/"), 303)


@bp.post("/follow-ups/<int:follow_up_id>/<action>")
@require_role("moderator", "admin")
def act_on_follow_up(follow_up_id: int, action: str):
    """Approve a held follow-up (it reaches readers and the queue) or reject it."""
    check_csrf()
    if action not in ("approve", "reject"):
        abort(404)
    reason = _reason(action)
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
    notify(f"Follow-up {LOGGED[action]} ({reason}).")
    return redirect("/staff/moderation/", 303)


@bp.post("/answers/<int:answer_id>/<action>")
@require_role("moderator", "admin")
def act_on_answer(answer_id: int, action: str):
    """Hide a staff answer from readers, the API and search (the reason is shown instead),
    or show it again."""
    check_csrf()
    if action not in ("hide", "unhide"):
        abort(404)
    reason = _reason(action)
    session = get_session()
    answer = get_or_404(Answer, answer_id)
    if bool(answer.hidden_reason) == (action == "hide"):
        abort(409, f"This answer is {'already' if action == 'hide' else 'not'} hidden.")
    answer.hidden_reason = reason if action == "hide" else ""
    abuse.log(session, LOGGED[action], f"answer {answer.id}", reason)
    emit(session, signals.answer_edited, id=answer.id)
    session.commit()
    notify(f"Answer {LOGGED[action]} ({reason}). The public moderation log says so.")
    return redirect(_back_to("/staff/moderation/"), 303)
