"""Moderation: held posts wait here; every action lands in the public log.

Reasons come from a fixed list, so the public log (``/transparency/``) can never carry a
name, an address or anything else a moderator might type.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import abuse, signals
from .auth import require_role
from .db import get_session
from .models import ModerationAction, Question
from .security import check_csrf

bp = Blueprint("moderation", __name__, url_prefix="/staff/moderation")

REASONS = {
    "fine": "looks like a genuine question",
    "spam": "spam or advertising",
    "off-topic": "not a question for this hub",
    "abusive": "abusive or hateful",
    "personal-data": "contained someone's personal data",
    "duplicate": "a duplicate of another question",
}
# action: (statuses it applies to, new status, signal sent after commit)
ACTIONS = {
    "approve": (("held",), "open", signals.question_asked),
    "reject": (("held",), "rejected", signals.question_hidden),
    "hide": (("open", "answered"), "hidden", signals.question_hidden),
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
    held = session.scalars(select(Question).where(Question.status == "held")
                           .options(options).order_by(Question.created_at)).all()
    recent = session.scalars(select(Question).where(Question.status.in_(("open", "answered")))
                             .options(options).order_by(Question.created_at.desc())
                             .limit(30)).all()
    log = session.scalars(select(ModerationAction)
                          .order_by(ModerationAction.id.desc()).limit(50)).all()
    return render_template("staff/moderation.html", held=held, recent=recent, log=log,
                           reasons=REASONS)


@bp.post("/<int:question_id>/<action>")
@require_role("moderator", "admin")
def act(question_id: int, action: str):
    """Approve or reject a held question, or hide a published one."""
    check_csrf()
    if action not in ACTIONS:
        abort(404)
    reason = request.form.get("reason", "")
    if reason not in REASONS:
        abort(400, "Choose a reason from the list.")
    session = get_session()
    question = session.get(Question, question_id)
    if question is None:
        abort(404)
    allowed, new_status, signal = ACTIONS[action]
    if question.status not in allowed:
        abort(409, f"This question is {question.status}; it cannot be {LOGGED[action]} now.")
    question.status = new_status
    question.hold_reason = ""
    abuse.log_action(session, LOGGED[action], question.id, REASONS[reason])
    session.commit()
    signal.send(current_app._get_current_object(), id=question.id)
    return redirect("/staff/moderation/", 303)
