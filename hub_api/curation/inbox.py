"""``/staff/curation``: the inbox of feed entries, feeds, picks and dismissals.

Every write is a staff form (session CSRF token, marketer or admin role) and ends with a
notice saying what happened. Errors are rendered at the top of the page with a 4xx status;
nothing is written unless the whole request is valid.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..db import get_session
from ..models import CuratedPick, Entry, Feed
from ..notices import notify
from ..questions.ask import Form
from ..search.gaps import top_gaps
from ..security import check_csrf
from ..site.reuse import unpublished_files
from ..staff.auth import require_role
from ..staff.people import all_topics
from ..text import clean_text
from .feeds import FeedError, add_working_feed, all_feeds, fetch_feeds, remove_feed, set_paused
from .picks import (
    CURATORS,
    NOTE_LIMIT,
    CurationError,
    dismiss,
    dismissed_entries,
    edit_pick,
    get_new_entry,
    inbox_entries,
    pick,
    recent_picks,
    restore,
    unpublish,
)

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
    just_dismissed = session.get(Entry, _int_arg("dismissed") or 0)
    return render_template(
        "staff/curation.html", entries=inbox_entries(session, feed_id=feed_id, topic=topic),
        feeds=all_feeds(session), topics=all_topics(session), feed_id=feed_id, topic=topic,
        feed_form=feed_form or Form({}), just_picked=just_picked, gaps=top_gaps(session, 10),
        unpublished=unpublished_files(current_app.config["SITE"]), picks=recent_picks(session),
        dismissed=dismissed_entries(session),
        just_dismissed=just_dismissed if just_dismissed and just_dismissed.state == "dismissed"
        else None,
    ), status


@bp.get("")
@require_role(*CURATORS)
def index():
    """New entries across feeds, newest first; ``?feed=ID`` and ``?topic=SLUG`` filter."""
    return _inbox_page()


def _allow_private() -> bool:
    return bool(current_app.config["ALLOW_PRIVATE_URLS"])


@bp.post("/feeds")
@require_role(*CURATORS)
def feeds_add():
    """Follow a new feed if one fetch shows it works; otherwise say why, in words."""
    check_csrf()
    session = get_session()
    form = Form({"url": clean_text(request.form.get("url"))[:2001],
                 "topic": clean_text(request.form.get("topic"))[:200]})
    try:
        feed, new = add_working_feed(session, form.values["url"], form.values["topic"] or None,
                                     allow_private=_allow_private())
    except (FeedError, IntegrityError) as exc:
        session.rollback()
        text = str(exc).splitlines()[0] if isinstance(exc, FeedError) else \
            "this feed was added by someone else just now"
        form.errors["url"] = text[:1].upper() + text[1:] + "."
        return _inbox_page(form, 400)
    notify(f"Following “{feed.name}”. It works: {feed.message}.",
           *([("See its entries", f"/staff/curation?feed={feed.id}")] if new else []))
    return redirect("/staff/curation", 303)


def _feed_or_404(feed_id: int) -> Feed:
    feed = get_session().get(Feed, feed_id)
    if feed is None:
        abort(404)
    return feed


@bp.post("/feeds/<int:feed_id>/<action>")
@require_role(*CURATORS)
def feed_action(feed_id: int, action: str):
    """Pause, resume or remove a feed (its picks stay on the site)."""
    check_csrf()
    if action not in ("pause", "resume", "remove"):
        abort(404)
    session = get_session()
    feed = _feed_or_404(feed_id)
    name = feed.name
    if action == "remove":
        gone = remove_feed(session, feed)
        session.commit()
        notify(f"Stopped following “{name}”: {gone} of its entries left the inbox. "
               "Its picks stay on the site.")
    else:
        set_paused(session, feed, action == "pause")
        session.commit()
        notify(f"Paused “{name}”: “Fetch all” skips it; its entries stay." if action == "pause"
               else f"Resumed “{name}”: “Fetch all” fetches it again.")
    return redirect("/staff/curation#feeds", 303)


@bp.post("/fetch")
@require_role(*CURATORS)
def fetch():
    """Fetch one feed (``feed=ID``) or all that are not paused; each records how it went."""
    check_csrf()
    session = get_session()
    feed_id = request.form.get("feed", "")
    feeds = all_feeds(session, active=not feed_id)
    if feed_id:
        feeds = [f for f in feeds if str(f.id) == feed_id]
        if not feeds:
            abort(404)
    new = fetch_feeds(session, feeds, allow_private=_allow_private())
    failed = [f.name for f in feeds if f.status == "error"]
    notify(f"Fetched {len(feeds)} feed{'' if len(feeds) == 1 else 's'}: {new} new "
           f"entr{'y' if new == 1 else 'ies'}."
           + (f" Failed: {', '.join(failed)} (the feed list says why)." if failed else ""),
           category="problem" if failed else "done")
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
@require_role(*CURATORS)
def entry(entry_id: int):
    """One entry with its cleaned excerpt and the pick form."""
    return _entry_page(_entry_or_404(entry_id))


def _pick_form() -> Form:
    return Form({"note": clean_text(request.form.get("note"), multiline=True),
                 "topics": request.form.getlist("topics"),
                 "market": request.form.get("market") == "1"})


def _error_field(exc: Exception) -> tuple[str, str]:
    text = str(exc).splitlines()[0]
    return ("topics" if "topic" in text else "note"), text


@bp.post("/entries/<int:entry_id>/pick")
@require_role(*CURATORS)
def pick_entry(entry_id: int):
    """Pick with a note: writes curated/<slug>.md and records it, or changes nothing."""
    check_csrf()
    session = get_session()
    entry = _entry_or_404(entry_id)
    form = _pick_form()
    try:
        get_new_entry(session, entry_id)
        record = pick(session, entry, current_user, note=form.values["note"],
                      topics=form.values["topics"], market=form.values["market"],
                      content=current_app.config["CONTENT"])
    except (CurationError, IntegrityError) as exc:
        session.rollback()
        entry = _entry_or_404(entry_id)
        field, text = _error_field(exc)
        form.errors[field] = text
        form.status = 409 if entry.state != "new" else 400
        return _entry_page(entry, form, form.status)
    return redirect(f"/staff/curation?picked={record.id}", 303)


@bp.post("/entries/<int:entry_id>/dismiss")
@require_role(*CURATORS)
def dismiss_entry(entry_id: int):
    """Dismiss an entry; it stays dismissed however often its feed is fetched (or undone)."""
    check_csrf()
    session = get_session()
    entry = _entry_or_404(entry_id)
    if entry.state == "new":
        dismiss(session, entry)
        session.commit()
    return redirect(f"/staff/curation?dismissed={entry.id}", 303)


@bp.post("/entries/<int:entry_id>/restore")
@require_role(*CURATORS)
def restore_entry(entry_id: int):
    """Undo a dismissal: the entry is back in the inbox."""
    check_csrf()
    session = get_session()
    entry = _entry_or_404(entry_id)
    try:
        restore(session, entry)
    except CurationError as exc:
        abort(409, str(exc).capitalize() + ".")
    session.commit()
    notify(f"“{entry.title}” is back in the inbox.")
    return redirect("/staff/curation", 303)


def _pick_or_404(pick_id: int) -> CuratedPick:
    record = get_session().get(CuratedPick, pick_id)
    if record is None or record.unpublished_at is not None:
        abort(404)
    return record


@bp.route("/picks/<int:pick_id>", methods=["GET", "POST"])
@require_role(*CURATORS)
def pick_edit(pick_id: int):
    """Edit a pick's note, topics and market flag; the site is rebuilt with the change."""
    session = get_session()
    record = _pick_or_404(pick_id)
    form = Form({"note": record.note, "topics": [t for t in record.topics.split(",") if t],
                 "market": record.market})
    if request.method == "POST":
        check_csrf()
        form = _pick_form()
        try:
            edit_pick(session, record, current_user, note=form.values["note"],
                      topics=form.values["topics"], market=form.values["market"],
                      content=current_app.config["CONTENT"])
        except (CurationError, OSError) as exc:
            session.rollback()
            field, text = _error_field(exc)
            form.errors[field] = text
            form.status = 400
        else:
            notify(f"Saved “{record.title}”. The site is being rebuilt with the change.",
                   ("View it", f"/curated/{record.slug}/"))
            return redirect("/staff/curation#picks", 303)
    return render_template("staff/curation_pick.html", record=_pick_or_404(pick_id), form=form,
                           topics=all_topics(session), note_limit=NOTE_LIMIT), form.status


@bp.post("/picks/<int:pick_id>/unpublish")
@require_role(*CURATORS)
def pick_unpublish(pick_id: int):
    """Take a pick off the site: its file is deleted, the record kept; then a rebuild."""
    check_csrf()
    session = get_session()
    record = _pick_or_404(pick_id)
    try:
        unpublish(session, record, current_user, content=current_app.config["CONTENT"])
    except (CurationError, OSError) as exc:
        session.rollback()
        abort(409, str(exc).splitlines()[0].capitalize() + ".")
    notify(f"Unpublished “{record.title}”: {record.path} was deleted and the site is being "
           "rebuilt without it.")
    return redirect("/staff/curation#picks", 303)
