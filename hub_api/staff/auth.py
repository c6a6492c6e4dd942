"""Staff login with flask-login, and the one place roles are checked."""

from __future__ import annotations

import functools
from collections.abc import Callable
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
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import get_session
from ..models import Person
from ..privacy.abuse import check_form
from ..security import check_csrf

bp = Blueprint("auth", __name__, url_prefix="/staff")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None  # flash() would put a message in the session
login_manager.session_protection = "basic"

# Checked against when the email is unknown, so a login takes as long either way.
@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown emails against, so they take as long as known ones; made on
    first use, not at import (scrypt is slow on purpose)."""
    return generate_password_hash("candor-dummy-password")


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.register_blueprint(bp)


@login_manager.user_loader
def _load_user(user_id: str) -> Person | None:
    if not user_id.isdigit():
        return None
    person = get_session().get(Person, int(user_id))
    return person if person is not None and person.active else None


def hash_password(password: str) -> str:
    """scrypt, Werkzeug's default, with a fresh salt."""
    return generate_password_hash(password, method="scrypt")


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


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password."""
    next_url = safe_next(request.values.get("next"), "")
    if current_user.is_authenticated:
        return redirect(next_url or home_for(current_user))
    error = None
    email = ""
    status = 200
    if request.method == "POST":
        # Before any cookie exists, a signed time-stamped token and a honeypot stop bots.
        error = check_form(request.form, "login")
        status = 400
    if request.method == "POST" and error is None:
        status = 401
        email = request.form.get("email", "").strip().lower()[:254]
        password = request.form.get("password", "")[:1024]
        person = get_session().scalar(select(Person).where(func.lower(Person.email) == email))
        valid = check_password_hash(person.password_hash if person else _dummy_hash(), password)
        if person is not None and valid and person.active:
            login_user(person)
            return redirect(next_url or home_for(person), 303)
        error = "That email and password do not match an active staff account."
    return render_template("staff/login.html", error=error, email=email, next=next_url), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out (POST only, with the session's form token)."""
    check_csrf()
    logout_user()
    return redirect("/", 303)
