"""Public thread pages, and the lookups every thread view shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Flask, abort, current_app, redirect, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..db import get_session
from ..models import Answer, FollowUp, Question
from ..site.thread_pages import get_thread_pages
from ..text import slugify
from .promise import promise
from .routing import answer_time, deadline, routed_to
from .states import (
    LIVE,
    Status,
    awaits_first_answer,
    describe,
    follow_up_waiting,
    is_public,
    public_status,
)

bp = Blueprint("threads", __name__)

def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # Templates compare with the one status type, never with strings of their own.
    app.jinja_env.globals.update(Status=Status, LIVE_STATES=LIVE, question_state=describe,
                                 answer_time=lambda q, a: answer_time(current_app.config, q, a))


def get_public_thread(question_id: int) -> Question:
    """A thread readers may see; 404 for one that is held, rejected or hidden."""
    question = get_thread(question_id)
    if not is_public(question):
        abort(404)
    return question


def get_thread(question_id: int) -> Question:
    """The question with everything a thread page shows; 404 when it does not exist."""
    question = get_session().scalar(
        select(Question).where(Question.id == question_id).options(
            joinedload(Question.topic),
            joinedload(Question.person),
            joinedload(Question.assignee),
            selectinload(Question.answers).options(
                joinedload(Answer.person), selectinload(Answer.revisions)
            ),
            selectinload(Question.follow_ups),
        )  # the question's own revisions load only where shown (the asker's and staff views)
    )
    if question is None:
        abort(404)
    return question


@dataclass
class Entry:
    """One message in a thread: a staff answer or the asker's follow-up."""

    kind: str  # "answer" | "follow_up"
    item: Answer | FollowUp

    @property
    def at(self) -> datetime:
        return self.item.created_at


def timeline(question: Question, private: bool = False) -> list[Entry]:
    """Answers and follow-ups in the order they were written: a conversation.

    Follow-ups a moderator has not let through are in the asker's view (``private``) only.
    """
    entries = [Entry("answer", a) for a in question.answers]
    entries += [Entry("follow_up", f) for f in question.follow_ups
                if private or f.status == "published"]
    return sorted(entries, key=lambda e: (e.at, e.item.id))


def thread_context(question: Question, private: bool = False) -> dict:
    """What every view of a thread shows: the conversation, who has it, what to expect."""
    return {"question": question, "entries": timeline(question, private),
            "routed_to": routed_to(question), "promise": promise(get_session(), question),
            "deadline": deadline(question) if awaits_first_answer(question) else None,
            "public_status": public_status(question),
            "follow_up_waiting": follow_up_waiting(question)}


@bp.get("/q/<int:question_id>")
@bp.get("/q/<int:question_id>/<slug>")
def show(question_id: int, slug: str | None = None):
    """The public thread; an outdated or missing slug redirects to the canonical URL.
    The page is stored for the next readers (:mod:`hub_api.site.thread_pages`)."""
    pages = get_thread_pages(current_app)
    before = pages.generation(question_id) if pages else None
    question = get_public_thread(question_id)
    if slug != slugify(question.title):
        return redirect(question.url, 301)
    html = render_template("thread.html", **thread_context(question))
    if pages:
        pages.store(question_id, slug, html, before)
    return html
