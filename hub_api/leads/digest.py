"""The decision-maker's digest: one page (and email) of leads, waits, gaps and quiet topics.

``/staff/digest?since=7d`` for owners and admins; ``candor digest [--since 7d] [--email]``
prints it or mails it (HTML with a plain-text alternative) to every active owner and admin;
``candor digest --every 7d`` (or ``CANDOR_DIGEST_EVERY=7d`` with the job scheduler) sends it
whenever one is due, remembering the last send in the ``settings`` table. A daily job also
tells each topic's owner, once per quiet spell, that their topic has gone quiet.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
from flask import Blueprint, Flask, abort, current_app, render_template, request
from flask.cli import with_appcontext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..db import get_session, session_scope, utcnow
from ..effects.jobs import scheduler
from ..effects.leader import run_if_no_leader
from ..effects.mail import Mail
from ..effects.outbox import drain, queue_mail
from ..identity import company_identity
from ..models import ContactRequest, CuratedPick, Person, Question, SearchGap, Setting, Topic
from ..questions.routing import deadline
from ..questions.states import LIVE, Status, describe, holder, in_
from ..staff.auth import require_role
from . import charts, responsiveness
from .responsiveness import Window

logger = logging.getLogger(__name__)
bp = Blueprint("digest", __name__, url_prefix="/staff")

SPAN = re.compile(r"([0-9]{1,4})([hdw])")
UNITS = {"h": "hours", "d": "days", "w": "weeks"}
MAX_SPAN = timedelta(days=366)
LIST_LIMIT = 200  # per section; the page says how many more there are
LAST_SENT = "digest_last_sent"
QUIET_FLAG = "quiet_flagged:"  # + topic id → the last-answer marker the owner was told about
READERS = ("owner", "admin")
# New questions: published ones, and those still held for moderation (leads all the same);
# rejected spam, hidden posts and questions their askers removed are left out.


def parse_span(text: str | None) -> timedelta:
    """``"7d"``, ``"24h"``, ``"2w"`` → a span; ``ValueError`` with a one-line reason."""
    match = SPAN.fullmatch((text or "").strip().lower())
    span = timedelta(**{UNITS[match[2]]: int(match[1])}) if match else None
    if span is None or not timedelta(0) < span <= MAX_SPAN:
        raise ValueError(f"{(text or '')[:20]!r} is not a period: write it like 7d, 24h or 2w "
                         "(at least 1 hour, at most 366 days)")
    return span


def amount(span: timedelta) -> str:
    """``"7 days"`` / ``"24 hours"``."""
    if span % timedelta(days=1):
        hours = int(span.total_seconds() // 3600)
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{span.days} day{'' if span.days == 1 else 's'}"


def span_text(span: timedelta) -> str:
    return f"the last {amount(span)}"


# --- what the digest holds ---------------------------------------------------------------


@dataclass
class Waiting:
    """An open question with who has it, its topic's owner and when its target falls due."""

    question: Question
    holder: str
    owner: str  # the topic owner's name; "" when the topic has none
    due: datetime
    overdue: bool


@dataclass
class Ghost:
    """A topic with no staff answer for its ``quiet_days``, and how many questions wait there."""

    topic: Topic
    last_answer: datetime | None
    open_questions: int


@dataclass
class Digest:
    span: timedelta
    now: datetime
    new_questions: list[tuple[Question, str]]
    new_total: int
    contacts: list[ContactRequest]
    waiting: list[Waiting]
    figures: Window
    gaps: list[SearchGap]
    ghosts: dict[str, list[Ghost]] = field(default_factory=dict)  # by owner's name
    market: list[CuratedPick] = field(default_factory=list)
    weeks: list[charts.Week] = field(default_factory=list)  # the last 12, oldest first

    @property
    def charts(self) -> list[charts.Chart]:
        return charts.charts(self.weeks)

    @property
    def start(self) -> datetime:
        return self.now - self.span

    @property
    def label(self) -> str:
        return span_text(self.span)

    @property
    def overdue(self) -> int:
        return sum(w.overdue for w in self.waiting)


def _question_options():
    return (selectinload(Question.topic).selectinload(Topic.people),
            selectinload(Question.topic).selectinload(Topic.owner),
            selectinload(Question.person), selectinload(Question.assignee),
            selectinload(Question.answers))


def ghost_towns(session: Session, now: datetime) -> list[Ghost]:
    """Topics gone quiet (no staff answer for their ``quiet_days``), with their open questions."""
    last, _people = responsiveness.last_answers(session)
    open_counts: dict[int, int] = {}
    for (topic_id,) in session.execute(select(Question.topic_id).where(
            Question.status == Status.OPEN, Question.topic_id.is_not(None))):
        open_counts[topic_id] = open_counts.get(topic_id, 0) + 1
    topics = session.scalars(select(Topic).options(selectinload(Topic.owner)).order_by(Topic.name))
    return [Ghost(t, last.get(t.id), open_counts.get(t.id, 0)) for t in topics
            if responsiveness.is_quiet(t, last.get(t.id), now)]


def build(session: Session, span: timedelta, now: datetime, app: Flask) -> Digest:
    """Everything the digest shows for the ``span`` before ``now``."""
    start = now - span
    is_new = (in_(LIVE | {Status.HELD}), Question.created_at >= start,
              Question.created_at <= now)
    new = session.scalars(
        select(Question).where(*is_new).options(*_question_options())
        .order_by(Question.created_at.desc(), Question.id.desc()).limit(LIST_LIMIT)).all()
    contacts = session.scalars(
        select(ContactRequest).where(ContactRequest.created_at >= start)
        .options(selectinload(ContactRequest.person), selectinload(ContactRequest.question))
        .order_by(ContactRequest.created_at.desc()).limit(LIST_LIMIT)).all()
    waiting = []
    for question in session.scalars(select(Question).where(Question.status == Status.OPEN)
                                    .options(*_question_options())):
        due = deadline(question, now, app)
        owner = question.topic.owner.name if question.topic and question.topic.owner else ""
        waiting.append(Waiting(question, holder(question).names, owner, due.due_at, due.overdue))
    waiting.sort(key=lambda w: (w.due, w.question.id))
    gaps = session.scalars(select(SearchGap).where(SearchGap.last_at >= start)
                           .order_by(SearchGap.misses.desc(), SearchGap.last_at.desc())
                           .limit(LIST_LIMIT)).all()
    ghosts: dict[str, list[Ghost]] = {}
    for ghost in ghost_towns(session, now):
        owner = ghost.topic.owner.name if ghost.topic.owner else "No owner"
        ghosts.setdefault(owner, []).append(ghost)
    market = session.scalars(select(CuratedPick).where(CuratedPick.market.is_(True),
                                                       CuratedPick.created_at >= start)
                             .options(selectinload(CuratedPick.person))
                             .order_by(CuratedPick.created_at.desc()).limit(LIST_LIMIT)).all()
    return Digest(
        span=span, now=now, new_questions=[(q, holder(q).names) for q in new],
        new_total=session.scalar(select(func.count()).select_from(Question).where(*is_new)),
        contacts=list(contacts), waiting=waiting,
        figures=responsiveness.window(session, span, now, app.config,
                                      f"Asked in {span_text(span)}"),
        gaps=list(gaps), ghosts=ghosts, market=list(market),
        weeks=charts.weeks(session, now, app.config))


# --- rendering ---------------------------------------------------------------------------


def render_html(digest: Digest, *, email: bool, leads: bool) -> str:
    """The digest as a staff page, or as a self-contained email (CSS inlined, links absolute).

    ``leads``: show contact requests' addresses, company and role (owners only, as the
    privacy page promises askers); others see that a request was made, not by whom.
    """
    if not email:
        return render_template("staff/digest.html", d=digest, base="", leads=leads,
                               since=request.args.get("since", "7d"))
    css = (current_app.config["THEME"] / "static" / "candor.css").read_text()
    return render_template("digest_email.html", d=digest, base=current_app.config["PUBLIC_URL"],
                           css=css, leads=leads)


def render_text(digest: Digest, *, leads: bool) -> str:
    """The plain-text digest (the CLI's output and the email's text alternative)."""
    base = current_app.config["PUBLIC_URL"]
    lines = [f"{company_identity().name} digest: {digest.label} "
             f"(to {digest.now:%d %b %Y %H:%M} UTC)", ""]

    def section(title: str, items: list[str], empty: str) -> None:
        lines.extend([title, "-" * len(title), *(items or [empty]), ""])

    section(f"The last {len(digest.weeks)} weeks (week of: questions, within target, "
            "median first answer, leads)",
            [f"- {w.label}: {w.asked} asked, "
             + (f"{w.within_percent}% within target, " if w.asked else "")
             + f"median {w.median_text}, {w.leads} lead{'' if w.leads == 1 else 's'}"
             for w in digest.weeks], "No weeks.")
    section(f"New questions ({digest.new_total})",
            [f"- {q.title} [{q.topic.name if q.topic else 'no topic'}] with {who} "
             f"({describe(q)}) {base}/staff/q/{q.id}" for q, who in digest.new_questions]
            + ([f"… and {digest.new_total - LIST_LIMIT} more"]
               if digest.new_total > LIST_LIMIT else []), "None.")
    section(f"Contact requests ({len(digest.contacts)})",
            [(f"- {c.email}{', ' + c.company if c.company else ''}"
              f"{', ' + c.job_role if c.job_role else ''}" if leads else
              "- A prospect (details for owners only)") + " wants {c.person.name} to get in touch "
             f"about \"{c.question.title}\"{' (handled)' if c.handled_at else ''}"
             for c in digest.contacts], "None.")
    section(f"Unanswered ({len(digest.waiting)}, {digest.overdue} overdue)",
            [f"- {'OVERDUE ' if w.overdue else ''}{w.question.title}: with {w.holder}, "
             f"{'topic owner ' + w.owner if w.owner else 'no topic owner'}, "
             f"due {w.due:%d %b %H:%M} UTC {base}/staff/q/{w.question.id}"
             for w in digest.waiting[:LIST_LIMIT]], "Nothing is waiting.")
    rows = [("All questions", digest.figures.overall), *[(f"Topic {f.label}", f) for f in
            digest.figures.topics], *[(f"Person {f.label}", f) for f in digest.figures.people]]
    section(f"Response times ({digest.figures.label}, working hours)",
            [f"- {name}: {f.asked} asked, {f.answered_share} answered, median {f.median}, "
             f"90% within {f.p90}, {f.within_share} within target" for name, f in rows
             if f.asked], "No questions were asked in this period.")
    section("Searches that found nothing",
            [f"- \"{g.query}\" ({g.misses} time{'' if g.misses == 1 else 's'})"
             for g in digest.gaps], "None.")
    section("Quiet topics (no answer for their quiet period)",
            [f"- {owner}: {g.topic.name}, " + (f"last answer {g.last_answer:%d %b %Y}"
                                                if g.last_answer else "never answered")
             + f", {g.open_questions} open" for owner, ghosts in digest.ghosts.items()
             for g in ghosts], "None: every topic answered recently.")
    section("Curated items marked market",
            [f"- {p.title} ({base}/curated/{p.slug}/)" for p in digest.market], "None.")
    return "\n".join(lines)


# --- sending -------------------------------------------------------------------------------


def readers(session: Session) -> list[Person]:
    """Who receives the digest: active owners and admins, never anyone else."""
    people = session.scalars(select(Person).where(Person.active.is_(True)).order_by(Person.id))
    return [p for p in people if p.role_set & set(READERS)]


def send_digest(app: Flask, span: timedelta) -> int:
    """Mail the digest to every owner and admin; record the send. Returns how many got it."""
    now = utcnow()
    with app.app_context(), session_scope(app.extensions["candor_engine"]) as session:
        digest = build(session, span, now, app)
        subject = f"{company_identity().name} digest: {digest.new_total} new questions, " \
                  f"{digest.overdue} overdue"
        sent = 0
        for person in readers(session):
            leads = "owner" in person.role_set
            sent += queue_mail(session, Mail(
                person.email, subject, render_text(digest, leads=leads), "digest",
                html=render_html(digest, email=True, leads=leads)))
        if sent:
            session.merge(Setting(key=LAST_SENT, value=now.isoformat()))
    return sent


def due_in(app: Flask, every: timedelta) -> float:
    """Seconds until the next digest is due (0: due now)."""
    with session_scope(app.extensions["candor_engine"]) as session:
        last = session.get(Setting, LAST_SENT)
    if last is None:
        return 0.0
    return max((datetime.fromisoformat(last.value) + every - utcnow()).total_seconds(), 0.0)


def send_if_due(app: Flask, every: timedelta) -> int:
    """Send a digest covering ``every`` when the last one is that old (else nothing)."""
    return send_digest(app, every) if due_in(app, every) == 0 else 0


def flag_quiet_topics(app: Flask) -> int:
    """Tell each quiet topic's owner once per quiet spell (a new answer starts a new spell)."""
    told = 0
    with app.app_context(), session_scope(app.extensions["candor_engine"]) as session:
        for ghost in ghost_towns(session, utcnow()):
            owner = ghost.topic.owner
            if owner is None or not owner.active:
                continue
            marker = ghost.last_answer.isoformat() if ghost.last_answer else "never"
            key = f"{QUIET_FLAG}{ghost.topic.id}"
            flagged = session.get(Setting, key)
            if flagged is not None and flagged.value == marker:
                continue
            since = "has never had an answer" if ghost.last_answer is None else \
                f"has had no answer since {ghost.last_answer:%d %b %Y}"
            body = (f"Hello {owner.name},\n\nYour topic {ghost.topic.name} {since} "
                    f"({ghost.open_questions} question(s) waiting). Readers see it marked as "
                    f"quiet on {app.config['PUBLIC_URL']}/topics/{ghost.topic.slug}/ until "
                    "someone answers.\n")
            if queue_mail(session, Mail(owner.email, f"Quiet topic: {ghost.topic.name}", body,
                                        "quiet topic")):
                session.merge(Setting(key=key, value=marker))
                told += 1
    return told


# --- page, CLI, jobs ---------------------------------------------------------------------------


@bp.get("/digest")
@require_role(*READERS)
def page():
    """The digest for owners and admins (``?since=7d``)."""
    try:
        span = parse_span(request.args.get("since", "7d"))
    except ValueError as exc:
        abort(400, str(exc))
    digest = build(get_session(), span, utcnow(), current_app)
    return render_html(digest, email=False, leads="owner" in current_user.role_set)


@click.command("digest")
@click.option("--since", help="Period covered, e.g. 7d, 24h, 2w (default 7d, or --every).")
@click.option("--email", is_flag=True, help="Mail it to every owner and admin instead of printing.")
@click.option("--every", help="Run forever, mailing a digest whenever one is this old, e.g. 7d.")
@with_appcontext
def digest_command(since: str | None, email: bool, every: str | None) -> None:
    """Print the decision-maker's digest, or mail it to owners and admins."""
    app = current_app._get_current_object()
    try:
        interval = parse_span(every) if every is not None else None
        span = parse_span(since) if since is not None else interval or timedelta(days=7)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if (email or interval) and not app.config.get("SMTP_URL"):
        raise click.ClickException("mail is off: set CANDOR_SMTP_URL to send the digest")
    try:
        if interval is None and not email:
            with session_scope(app.extensions["candor_engine"]) as session:
                digest = build(session, span, utcnow(), app)
                click.echo(render_text(digest, leads=True))  # the operator reads the DB anyway
            return
        if interval is None:
            _report(send_digest(app, span))
            run_if_no_leader(app, drain)
            return
        click.echo(f"Sending a digest every {amount(interval)} (Ctrl+C stops)")
        while True:
            wait = due_in(app, interval)
            if wait == 0:
                _report(send_digest(app, span))
                run_if_no_leader(app, drain)
                wait = interval.total_seconds()
            time.sleep(min(wait, 3600))
    except KeyboardInterrupt:
        click.echo("Stopped.")


def _report(sent: int) -> None:
    if not sent:
        raise click.ClickException("no active owner or admin to send the digest to")
    click.echo(f"Digest sent to {sent} owner(s)/admin(s).")


def init_app(app: Flask) -> None:
    """The page, the command, the quiet-topic job and (``DIGEST_EVERY``) the digest job."""
    app.register_blueprint(bp)
    app.cli.add_command(digest_command)
    jobs = scheduler(app)
    jobs.add("quiet-topics", 24 * 3600, flag_quiet_topics)
    # Demo mode mails a digest when the server starts, so a newcomer sees one.
    every = app.config.get("DIGEST_EVERY") or ("7d" if app.config.get("DEMO") else "")
    if every:
        try:
            interval = parse_span(every)
        except ValueError as exc:
            logger.error("CANDOR_DIGEST_EVERY ignored: %s", exc)
            return
        jobs.add("digest", 3600, lambda a: send_if_due(a, interval))
