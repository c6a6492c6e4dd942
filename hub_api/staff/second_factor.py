"""The step after a right password for people with a second factor, and ``CANDOR_REQUIRE_2FA``.

Between the password and the second factor the cookie holds only "person N passed their
password at T" (signed, five minutes); no session row exists and no staff page opens. Wrong
codes count as failed sign-ins, so the per-account limit in ``auth.py`` covers them too.
With ``CANDOR_REQUIRE_2FA=1`` a person who signs in with a password and has no second factor
is sent to enrol before any other staff page.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from ..db import get_session
from ..models import Person
from .models import Passkey

PENDING = "second_factor"
PENDING_SECONDS = 300
# Pages a person who must enrol may still open.
ENROL_ENDPOINTS = {"totp.page", "totp.start", "totp.confirm",
                   "passkeys.register_options", "passkeys.register", "auth.logout",
                   "auth.confirm", "auth.second_factor", "sessions.list_sessions"}


def init_app(app: Flask) -> None:
    app.add_url_rule("/staff/login/verify", "auth.second_factor", verify,
                     methods=["GET", "POST"])
    app.before_request(_require_enrolment)


def has_passkey(person: Person) -> bool:
    return get_session().scalar(
        select(Passkey.id).where(Passkey.person_id == person.id).limit(1)) is not None


def enrolled(person: Person) -> bool:
    """Whether ``person`` has a second factor (an authenticator app or a passkey)."""
    return bool(person.totp_secret) or has_passkey(person)


def ask(person: Person, next_url: str):
    """Remember that the password was right, and ask for the second factor."""
    session.clear()
    session[PENDING] = {"person": person.id, "at": int(time.time()), "next": next_url}
    return redirect(url_for("auth.second_factor"), 303)


def pending_person() -> Person | None:
    """The person half-way through signing in, if their five minutes are not over."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    person = get_session().get(Person, pending.get("person", 0))
    return person if person is not None and person.active else None


def verify():
    """Ask for an authenticator code, a recovery code or a passkey."""
    from . import totp
    from .auth import account_locked, finish_sign_in, record_failure

    person = pending_person()
    if person is None:
        session.pop(PENDING, None)
        return redirect(url_for("auth.login"), 303)
    error, status = None, 200
    if request.method == "POST":
        if account_locked(person):
            error, status = "Too many failed sign-ins for this account. Wait 15 minutes.", 429
        elif totp.accept(person, request.form.get("code", "")[:40]):
            next_url = session.pop(PENDING)["next"]
            return finish_sign_in(person, "password+code", next_url)
        else:
            record_failure(person, "wrong second-factor code")
            error, status = "That code did not work. Type the six digits shown now, or one " \
                            "of your recovery codes.", 401
    return render_template("staff/second_factor.html", person=person, error=error,
                           totp=bool(person.totp_secret), passkey=has_passkey(person)), status


def _require_enrolment():
    """Under ``CANDOR_REQUIRE_2FA`` a password-only account enrols before anything else."""
    if not current_app.config["REQUIRE_2FA"] or not request.path.startswith("/staff/"):
        return None
    if request.endpoint in ENROL_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated or not current_user.password_hash:
        return None
    if enrolled(current_user):
        return None
    return redirect(url_for("totp.page"), 303)
