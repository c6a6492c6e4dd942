"""Sending an answer or a curated item to earlier askers of similar questions, one by one.

Only askers who confirmed their address and ticked the separate "tell me about news on this
topic" consent are offered, found with the search layer's "more like this" among them. Staff
see a display name, a question title and a date — never an address — pick a few, and write a
personal note; each picked asker gets an individual plain-text mail from the hub's own
address (so the receiving side's checks pass) with the staff member's name and Reply-To.
Nobody sees who else got it: ``OutreachRecipient`` rows only stop a second mail of the same
item to the same address, and go with the asker's question.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Flask, abort, current_app, render_template, request
from flask_login import current_user
from itsdangerous import URLSafeSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..db import get_session
from ..effects.mail import Mail
from ..effects.outbox import queue_mail
from ..identity import company_identity
from ..models import (
    Answer,
    CuratedPick,
    NotificationEmail,
    Outreach,
    OutreachRecipient,
    Person,
    Question,
    Topic,
)
from ..questions.ask import Form, private
from ..questions.follow import signed_opt_in
from ..questions.states import LIVE, in_
from ..search import get_search
from ..security import check_csrf
from ..staff.auth import require_role
from ..text import clean_text

logger = logging.getLogger(__name__)
bp = Blueprint("outreach", __name__)

MAX_RECIPIENTS = 20  # a personal note to a few people, never a mailing
MAX_CANDIDATES = 50
NOTE_LIMIT = 5000


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@dataclass
class Item:
    """What is being shared, wherever it came from."""

    kind: str  # "answer" | "curated" (Outreach.item_kind)
    ref: str  # answer id or curated slug (Outreach.item_ref)
    title: str
    text: str  # what "more like this" compares with
    path: str  # the public page
    topics: list[str]  # slugs; empty = any topic
    own_question: int | None  # the answered question's asker is not "someone else who asked"
    share_path: str


@dataclass
class Candidate:
    consent_id: int
    display_name: str
    title: str
    asked_at: datetime


# --- items ---------------------------------------------------------------------------------


def answer_item(session: Session, answer_id: int, person: Person) -> Item:
    """One of ``person``'s own answers in a published thread (404/403 otherwise)."""
    answer = session.get(Answer, answer_id)
    if answer is None or answer.question.status not in LIVE:
        abort(404)
    if answer.person_id != person.id:
        abort(403, "Only the person who wrote an answer can send it to people who asked.")
    question = answer.question
    return Item("answer", str(answer.id), question.title, f"{question.title}\n{answer.body}",
                f"{question.url}#answer-{answer.id}",
                [question.topic.slug] if question.topic else [], question.id,
                f"/staff/answers/{answer.id}/share")


def curated_item(session: Session, slug: str) -> Item:
    """A curated pick by its slug (404 for any other string)."""
    pick = session.scalar(select(CuratedPick).where(CuratedPick.slug == slug)) \
        if len(slug) <= 80 else None
    if pick is None:
        abort(404)
    return Item("curated", pick.slug, pick.title, f"{pick.title}\n{pick.note}",
                f"/curated/{pick.slug}/", [t for t in pick.topics.split(",") if t], None,
                f"/staff/curated/{pick.slug}/share")


# --- who may be offered --------------------------------------------------------------------


def candidates(session: Session, item: Item) -> list[Candidate]:
    """Askers with a confirmed topic-news consent, on the item's topics, not sent this item
    yet (by address), most similar first; one per address."""
    already = (select(func.lower(NotificationEmail.email))
               .join(OutreachRecipient, OutreachRecipient.consent_id == NotificationEmail.id)
               .join(Outreach, Outreach.id == OutreachRecipient.outreach_id)
               .where(Outreach.item_kind == item.kind, Outreach.item_ref == item.ref))
    query = (select(NotificationEmail.id, NotificationEmail.email, Question.id.label("qid"),
                    Question.display_name, Question.title, Question.created_at)
             .join(Question, Question.id == NotificationEmail.question_id)
             .where(NotificationEmail.confirmed_at.is_not(None),
                    NotificationEmail.topic_news.is_(True), in_(LIVE),
                    func.lower(NotificationEmail.email).not_in(already)))
    if item.own_question is not None:
        query = query.where(Question.id != item.own_question)
    if item.topics:
        query = query.join(Topic, Topic.id == Question.topic_id).where(
            Topic.slug.in_(item.topics))
    rows = {f"thread:{row.qid}": row for row in session.execute(query)}
    hits = get_search().similar(item.text, limit=MAX_CANDIDATES, within=list(rows))
    found, seen = [], set()
    for hit in hits:
        row = rows.get(hit.doc_id)
        if row is None or row.email.lower() in seen:
            continue
        seen.add(row.email.lower())
        found.append(Candidate(row.id, row.display_name, row.title, row.created_at))
    return found


# --- pages ---------------------------------------------------------------------------------


def _page(session: Session, item: Item, form: Form | None = None, status: int = 200, **extra):
    return render_template(
        "staff/share.html", item=item, candidates=candidates(session, item),
        form=form or Form({"note": "", "picked": []}), note_limit=NOTE_LIMIT,
        max_recipients=MAX_RECIPIENTS, mail_on=bool(current_app.config.get("SMTP_URL")),
        **extra), status


@bp.route("/staff/answers/<int:answer_id>/share", methods=["GET", "POST"])
@require_role("staff")
def share_answer(answer_id: int):
    """Send my answer to earlier askers of similar questions who opted in to topic news."""
    return _share(answer_item(get_session(), answer_id, current_user))


@bp.route("/staff/curated/<slug>/share", methods=["GET", "POST"])
@require_role("staff", "marketer")
def share_curated(slug: str):
    """Send a curated item to earlier askers on its topics who opted in to topic news."""
    return _share(curated_item(get_session(), slug))


def _share(item: Item):
    session = get_session()
    if request.method == "GET":
        return _page(session, item)
    check_csrf()
    form, offered = _read_send(session, item)
    if form.errors:
        return _page(session, item, form, form.status)
    sent, failed = send(session, item, current_user, form.values["note"],
                        [offered[i] for i in form.values["picked"]])
    return _page(session, item, sent=sent, failed=failed)


def _read_send(session: Session, item: Item) -> tuple[Form, dict[int, Candidate]]:
    """The note and the picked people; anyone not offered right now is refused, so a forged,
    already-sent or withdrawn id never gets mail."""
    note = clean_text(request.form.get("note"), multiline=True)
    raw = request.form.getlist("recipient")
    form = Form({"note": note, "picked": []})
    if not note:
        form.errors["note"] = "Write a personal note: it is what makes this mail worth reading."
    elif len(note) > NOTE_LIMIT:
        form.errors["note"] = f"The note must be at most {NOTE_LIMIT:,} characters " \
                              f"(it has {len(note):,})."
        form.status = 413
    offered = {c.consent_id: c for c in candidates(session, item)}
    valid = [v for v in raw if v.isdigit() and len(v) < 12]
    picked = list(dict.fromkeys(int(v) for v in valid))
    form.values["picked"] = [i for i in picked if i in offered]
    if len(valid) != len(raw) or set(picked) - offered.keys():
        form.errors["recipients"] = (
            "Some of the people you picked can no longer be sent this (already sent, consent "
            "withdrawn, or never offered). Nothing was sent; pick again from the list.")
    elif not picked:
        form.errors["recipients"] = "Pick at least one person."
    elif len(picked) > MAX_RECIPIENTS:
        form.errors["recipients"] = f"Pick at most {MAX_RECIPIENTS} people per send: this is " \
                                    "a personal note, not a mailing."
    if form.errors and form.status == 200:
        form.status = 400
    return form, offered


# --- sending -------------------------------------------------------------------------------


def _news_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="candor-topic-news-stop")


def send(session: Session, item: Item, sender: Person, note: str,
         recipients: list[Candidate]) -> tuple[int, int]:
    """Record the outreach and queue one mail per recipient in the same transaction (the
    outbox sends them after commit, retrying a refusal); return (queued, not queued).
    """
    outreach = Outreach(sender_id=sender.id, item_kind=item.kind, item_ref=item.ref, note=note)
    session.add(outreach)
    session.flush()
    session.add_all(OutreachRecipient(outreach_id=outreach.id, consent_id=c.consent_id)
                    for c in recipients)
    emails = dict(session.execute(select(NotificationEmail.id, NotificationEmail.email).where(
        NotificationEmail.id.in_([c.consent_id for c in recipients]))).all())
    failed = [c.consent_id for c in recipients
              if not _mail_one(session, item, sender, note, c, emails[c.consent_id])]
    if failed:
        session.execute(delete(OutreachRecipient).where(
            OutreachRecipient.outreach_id == outreach.id,
            OutreachRecipient.consent_id.in_(failed)))
    sent = len(recipients) - len(failed)
    if sent:
        outreach.sent = sent
    else:  # nothing went out: no record of a send that did not happen
        session.delete(outreach)
    session.commit()
    return sent, len(failed)


def _mail_one(session: Session, item: Item, sender: Person, note: str, to: Candidate,
              email: str) -> bool:
    base, site = current_app.config["PUBLIC_URL"], company_identity().name
    stop = f"{base}/notify/news/{_news_signer().dumps(to.consent_id)}"
    body = (f"{note}\n\n{item.title}\n{base}{item.path}\n\n--\n"
            f"{sender.name}, {sender.job_title} · {site}\n"
            f"Reply to this mail to write to {sender.name} directly.\n\n"
            f"You get this because you asked “{to.title}” on {site} and ticked “Tell me about "
            f"news on this topic”. Nobody else can see that you got it.\n"
            f"Stop news on this topic: {stop}\n")
    return queue_mail(session, Mail(
        email, f"{item.title} — a note from {sender.name}", body, "topic news",
        from_name=f"{sender.name} via {site}", reply_to=sender.email,
        headers={"List-Unsubscribe": f"<{stop}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}))


# --- the asker's way out -------------------------------------------------------------------


@bp.route("/notify/news/<token>", methods=["GET", "POST"])
def stop_news(token: str):
    """Show a button; its POST (or a mail client's one-click POST) ends topic news. With no
    consent left, the address is deleted."""
    opt_in = signed_opt_in(_news_signer().loads, token)
    if request.method == "POST":
        session = get_session()
        opt_in.topic_news = False
        if not opt_in.active:
            session.delete(opt_in)
        session.commit()
    html = render_template("notify.html", kind="news", token=token,
                           done=request.method == "POST")
    return private(current_app.make_response(html))
