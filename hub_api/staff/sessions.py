"""Server-side staff sessions: every signed-in browser is a row the person can see and end.

The signed cookie holds only a random id; the row holds its hash, the device (browser and
system, from the User-Agent; never an IP address), when it started and was last seen. A
session ends after ``CANDOR_SESSION_IDLE_MINUTES`` without a request and after
``CANDOR_SESSION_MAX_HOURS`` in any case. Disabling an account or changing its password ends
its sessions, and roles are read from the database on every request, so each takes effect on
the next request. Sensitive actions ask for a sign-in within ``RECENT``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import get_session, read_only, session_scope, utcnow
from ..models import Person
from ..security import check_csrf
from .models import StaffSession

SID = "sid"
RECENT = timedelta(minutes=10)
# Recording every request would turn each staff page view into a write; once a minute will do.
SEEN_RESOLUTION = timedelta(minutes=1)

bp = Blueprint("sessions", __name__, url_prefix="/staff/account")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
            ("HeadlessChrome/", "Chromium"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
           ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
           ("Linux", "Linux"))


def describe_device(user_agent: str) -> str:
    """"Firefox on Linux": enough to recognise one's own browser, too coarse to track anyone."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in SYSTEMS if re.search(mark, user_agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown device"


def start(person: Person, method: str) -> StaffSession:
    """Sign ``person`` in: a new session row and a fresh cookie (a session id planted before
    sign-in is thrown away with the old cookie's contents)."""
    raw = secrets.token_urlsafe(32)
    db = get_session()
    row = StaffSession(person_id=person.id, token_hash=_hash(raw), method=method,
                       device=describe_device(request.headers.get("User-Agent", ""))[:80])
    db.add(row)
    db.commit()
    session.clear()
    session[SID] = raw
    login_user(person)
    g.staff_session = row
    return row


def person_for_request(user_id: str) -> Person | None:
    """flask-login's user loader: the person of a live session row, else ``None``."""
    raw = session.get(SID)
    if not raw or not isinstance(raw, str) or not user_id.isdigit():
        return None
    engine = current_app.extensions["candor_engine"]
    with Session(read_only(engine), expire_on_commit=False) as reader:
        row = reader.scalar(select(StaffSession).where(StaffSession.token_hash == _hash(raw)))
        person = row.person if row is not None else None
    if row is None or row.ended_at is not None or row.person_id != int(user_id):
        return None
    now = utcnow()
    config = current_app.config
    expired = (now - row.last_seen_at > timedelta(minutes=config["SESSION_IDLE_MINUTES"])
               or now - row.created_at > timedelta(hours=config["SESSION_MAX_HOURS"]))
    if expired or not person.active:
        _write(update(StaffSession).where(StaffSession.id == row.id,
                                          StaffSession.ended_at.is_(None)).values(ended_at=now))
        session.pop(SID, None)
        return None
    if now - row.last_seen_at > SEEN_RESOLUTION:
        _write(update(StaffSession).where(StaffSession.id == row.id).values(last_seen_at=now))
    g.staff_session = row
    return get_session().get(Person, row.person_id)


def _write(statement) -> None:
    """A small write beside the request's own transaction (which may be read-only), or in it
    when it already holds SQLite's write lock."""
    if "db" in g and g.db.in_transaction() and request.method not in ("GET", "HEAD"):
        g.db.execute(statement)
        return
    with session_scope(current_app.extensions["candor_engine"]) as db:
        db.execute(statement)


def current() -> StaffSession | None:
    """This request's session row (after the user loader ran)."""
    return g.get("staff_session")


def end_all(db: Session, person_id: int, keep: int | None = None) -> int:
    """End every session of a person (but ``keep``); the caller commits."""
    where = [StaffSession.person_id == person_id, StaffSession.ended_at.is_(None)]
    if keep is not None:
        where.append(StaffSession.id != keep)
    return db.execute(update(StaffSession).where(*where).values(ended_at=utcnow())).rowcount


def end_current() -> None:
    """Sign out of this browser."""
    row = current()
    if row is not None:
        _write(update(StaffSession).where(StaffSession.id == row.id).values(ended_at=utcnow()))
    session.clear()


def mark_verified() -> None:
    """The person just proved who they are again (password, code or passkey)."""
    row = current()
    if row is not None:
        _write(update(StaffSession).where(StaffSession.id == row.id)
               .values(verified_at=utcnow()))


def is_recent() -> bool:
    row = current()
    return row is not None and utcnow() - row.verified_at <= RECENT


def require_recent(view: Callable) -> Callable:
    """For sensitive actions: a sign-in older than ``RECENT`` must be confirmed first."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not is_recent():
            target = request.path if request.method == "GET" else (
                request.referrer and _same_origin_path(request.referrer)) or request.path
            return redirect(url_for("auth.confirm", next=target), 303)
        return view(*args, **kwargs)

    return wrapped


def _same_origin_path(url: str) -> str | None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path if parts.netloc == request.host else None


@bp.get("/sessions")
@login_required
def list_sessions():
    """The person's own live sessions, this one marked."""
    rows = get_session().scalars(
        select(StaffSession).where(StaffSession.person_id == current_user.id,
                                   StaffSession.ended_at.is_(None))
        .order_by(StaffSession.last_seen_at.desc())).all()
    this = current()
    return render_template("staff/sessions.html", rows=rows, this_id=this.id if this else None)


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    """End one of one's own sessions (another person's is a 404, not a hint)."""
    check_csrf()
    from . import audit

    audit.end_own(get_session(), StaffSession, session_id, "ended_at", "session.end", "session",
                  "device")
    this = current()
    if this is not None and this.id == session_id:
        session.clear()
        return redirect(url_for("auth.login"), 303)
    return redirect(url_for("sessions.list_sessions"), 303)
