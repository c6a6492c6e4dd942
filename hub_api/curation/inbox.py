"""``/staff/curation``: the marketer's inbox of feed entries, feeds, picks and dismissals.

Every write is a staff form (session CSRF token, marketer role). Errors are rendered into
the page with a 4xx status; nothing is written unless the whole request is valid.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..db import get_session
from ..models import CuratedPick, Entry
from ..questions.ask import Form
from ..search.gaps import top_gaps
from ..security import check_csrf
from ..site.reuse import unpublished_files
from ..staff.auth import require_role
from ..staff.people import all_topics
from ..text import clean_text
from .feeds import FeedError, add_feed, all_feeds, fetch_feeds
from .picks import NOTE_LIMIT, CurationError, dismiss, get_new_entry, inbox_entries, pick

bp = Blueprint("inbox", __name__, url_prefix="/staff/curation")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def _inbox_page(feed_form: Form | None = None, status: int = 200):
    session = get_session()
    feed_id, topic = _int_arg("feed"), clean_text(request.args.get("topic")) or None
    just_picked = session.get(CuratedPick, _int_arg("picked") or 0)
    return render_template(
        "staff/curation.html", entries=inbox_entries(session, feed_id=feed_id, topic=topic),
        feeds=all_feeds(session), topics=all_topics(session), feed_id=feed_id, topic=topic,
        feed_form=feed_form or Form({}), just_picked=just_picked, gaps=top_gaps(session, 10),
        unpublished=unpublished_files(current_app.config["SITE"]),
    ), status


@bp.get("")
@require_role("marketer")
def index():
    """New entries across feeds, newest first; ``?feed=ID`` and ``?topic=SLUG`` filter."""
    return _inbox_page()


@bp.post("/feeds")
@require_role("marketer")
def feeds_add():
    """Follow a new feed (it is fetched when asked to)."""
    check_csrf()
    session = get_session()
    form = Form({"url": clean_text(request.form.get("url")),
                 "topic": clean_text(request.form.get("topic"))})
    try:
        add_feed(session, form.values["url"], form.values["topic"] or None)
        session.commit()
    except FeedError as exc:
        session.rollback()
        form.errors["url"] = str(exc)[:1].upper() + str(exc)[1:] + "."
        return _inbox_page(form, 400)
    return redirect("/staff/curation", 303)


@bp.post("/fetch")
@require_role("marketer")
def fetch():
    """Fetch one feed (``feed=ID``) or all of them; each feed records how it went."""
    check_csrf()
    session = get_session()
    feeds = all_feeds(session)
    feed_id = request.form.get("feed", "")
    if feed_id:
        feeds = [f for f in feeds if str(f.id) == feed_id]
        if not feeds:
            abort(404)
    fetch_feeds(session, feeds, allow_private=bool(current_app.config["ALLOW_PRIVATE_URLS"]))
    return redirect("/staff/curation#feeds", 303)


def _entry_or_404(entry_id: int) -> Entry:
    entry = get_session().get(Entry, entry_id)
    if entry is None:
        abort(404)
    return entry


def _entry_page(entry: Entry, form: Form | None = None, status: int = 200):
    if form is None:
        topics = [entry.feed.topic.slug] if entry.feed.topic else []
        form = Form({"note": "", "topics": topics, "market": False})
    return render_template("staff/curation_entry.html", entry=entry, form=form,
                           topics=all_topics(get_session()), note_limit=NOTE_LIMIT), status


@bp.get("/entries/<int:entry_id>")
@require_role("marketer")
def entry(entry_id: int):
    """One entry with its cleaned excerpt and the pick form."""
    return _entry_page(_entry_or_404(entry_id))


@bp.post("/entries/<int:entry_id>/pick")
@require_role("marketer")
def pick_entry(entry_id: int):
    """Pick with a note: writes curated/<slug>.md and records it, or changes nothing."""
    check_csrf()
    session = get_session()
    entry = _entry_or_404(entry_id)
    form = Form({"note": clean_text(request.form.get("note"), multiline=True),
                 "topics": request.form.getlist("topics"),
                 "market": request.form.get("market") == "1"})
    try:
        get_new_entry(session, entry_id)
        record = pick(session, entry, current_user, note=form.values["note"],
                      topics=form.values["topics"], market=form.values["market"],
                      content=current_app.config["CONTENT"])
    except (CurationError, IntegrityError) as exc:
        session.rollback()
        entry = _entry_or_404(entry_id)
        field = "topics" if "topic" in str(exc) else "note"
        form.errors[field] = str(exc).splitlines()[0]
        form.status = 409 if entry.state != "new" else 400
        return _entry_page(entry, form, form.status)
    return redirect(f"/staff/curation?picked={record.id}", 303)


@bp.post("/entries/<int:entry_id>/dismiss")
@require_role("marketer")
def dismiss_entry(entry_id: int):
    """Dismiss an entry; it stays dismissed however often its feed is fetched."""
    check_csrf()
    session = get_session()
    entry = _entry_or_404(entry_id)
    if entry.state == "new":
        dismiss(session, entry)
        session.commit()
    return redirect("/staff/curation", 303)
