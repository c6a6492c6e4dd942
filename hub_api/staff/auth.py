"""Staff sign-in with flask-login over server-side sessions, and the one place roles are checked.

Sign-in methods: password (this module), single sign-on (``oidc.py``) and passkeys
(``passkeys.py``); a second factor (``totp.py``, ``passkeys.py``) follows a password when the
person has one. Every way in ends in ``sessions.start``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import LoginManager, current_user, login_required
from sqlalchemy import func, select

from ..db import get_session, utcnow
from ..models import Person
from ..privacy.abuse import check_form
from ..security import check_csrf
from . import passwords, sessions
from .models import AuditEvent

bp = Blueprint("auth", __name__, url_prefix="/staff")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None  # flash() would put a message in the session
login_manager.session_protection = "basic"
# Failed sign-ins one account may have in a window before it waits (per keyed address
# there is the rate limit in privacy/ratelimit.py as well).
LOCK_FAILURES = 10
LOCK_WINDOW = timedelta(minutes=15)

def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.register_blueprint(bp)


@login_manager.user_loader
def _load_user(user_id: str) -> Person | None:
    return sessions.person_for_request(user_id)


def require_role(*roles: str) -> Callable:
    """Allow a logged-in person holding any of ``roles`` (none given: any staff login)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if roles and not (current_user.role_set & set(roles)):
                abort(403, f"This page needs the role {' or '.join(roles)}.")
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None, default: str) -> str:
    """Only a same-origin path may follow a login; anything else falls back to ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return default
    return target


# Where a login lands without a `next`: the first page the person's roles open.
HOMES = (("staff", "queue.index"), ("marketer", "inbox.index"), ("moderator", "moderation.index"),
         ("owner", "digest.page"), ("admin", "webhooks.manage"))


def home_for(person: Person) -> str:
    """The staff page a person lands on after logging in."""
    for role, endpoint in HOMES:
        if role in person.role_set and endpoint in current_app.view_functions:
            return url_for(endpoint)
    return "/"


def find_person(email: str) -> Person | None:
    """The account with this email (any case), active or not."""
    email = email.strip().lower()[:254]
    return get_session().scalar(select(Person).where(func.lower(Person.email) == email))


def account_locked(person: Person) -> bool:
    """Too many failed sign-ins for this account lately (counted from the audit log, so the
    limit holds across processes and whatever address the attempts come from)."""
    since = utcnow() - LOCK_WINDOW
    failures = get_session().scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.actor_id == person.id, AuditEvent.action == "signin.failed",
            AuditEvent.created_at >= since))
    return failures >= LOCK_FAILURES


def finish_sign_in(person: Person, method: str, next_url: str = ""):
    """Start the session (or ask for the second factor first) and redirect onwards."""
    from . import audit, second_factor

    if second_factor.enrolled(person) and method == "password":
        return second_factor.ask(person, next_url)
    sessions.start(person, method)
    db = get_session()
    audit.record(db, "signin", "person", person.id, f"method={method}", actor=person)
    db.commit()
    return redirect(next_url or home_for(person), 303)


def record_failure(person: Person | None, why: str) -> None:
    from . import audit

    db = get_session()
    audit.record(db, "signin.failed", "person", person.id if person else "", why, actor=person)
    db.commit()


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    next_url = safe_next(request.values.get("next"), "")
    if current_user.is_authenticated:
        return redirect(next_url or home_for(current_user))
    error = None
    email = request.form.get("email", "").strip()[:254] if request.method == "POST" else ""
    status = 200
    if request.method == "POST":
        # Before any cookie exists, a signed token and a honeypot stop bots; no minimum fill
        # time, so a password manager that fills and submits at once gets through.
        error = check_form(request.form, "login", min_seconds=0)
        status = 400
    if request.method == "POST" and error is None:
        status = 401
        person = find_person(email)
        valid = passwords.verify(person.password_hash if person else None,
                                 request.form.get("password", ""))
        if person is not None and account_locked(person):
            status = 429
            error = (f"Too many failed sign-ins for this account. Wait "
                     f"{LOCK_WINDOW.seconds // 60} minutes, or reset your password.")
            record_failure(person, "locked")
        elif person is not None and valid and person.active:
            return finish_sign_in(person, "password", next_url)
        else:
            record_failure(person, "disabled" if person and valid else "wrong password")
            error = "That email and password do not match an active staff account."
    return render_template("staff/login.html", error=error, email=email, next=next_url,
                           oidc_name=oidc_name()), status


def oidc_name() -> str | None:
    """The single sign-on provider's name when one is configured."""
    config = current_app.config
    return config["OIDC_NAME"] if config.get("OIDC_ISSUER") else None


@bp.route("/confirm", methods=["GET", "POST"])
@login_required
def confirm():
    """Confirm who you are before a sensitive action (password or authenticator code)."""
    next_url = safe_next(request.values.get("next"), home_for(current_user))
    error = None
    status = 200
    if request.method == "POST":
        check_csrf()
        from . import audit, totp

        person = current_user._get_current_object()
        code = request.form.get("code", "")
        ok = (passwords.verify(person.password_hash, request.form.get("password", ""))
              if request.form.get("password") else bool(code) and totp.accept(person, code))
        db = get_session()
        if ok:
            sessions.mark_verified()
            audit.record(db, "signin.confirm", "person", person.id)
            db.commit()
            return redirect(next_url, 303)
        audit.record(db, "signin.failed", "person", person.id, "confirm")
        db.commit()
        error, status = "That did not match. Try again.", 401
    return render_template("staff/confirm.html", error=error, next=next_url,
                           oidc_name=oidc_name()), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (POST only, with the session's form token); the session row ends too."""
    from . import audit

    check_csrf()
    db = get_session()
    audit.record(db, "signout", "person", current_user.id)
    db.commit()
    sessions.end_current()
    return redirect("/", 303)
