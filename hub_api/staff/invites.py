"""One-time account links by mail: an invitation to set a first password, or a password reset.

A link works once and expires (reset: 1 hour, invitation: 7 days); only the SHA-256 of its
token is stored. "Forgot password" answers the same words for every address, known or not,
and takes the same path through the code (a token is made and hashed either way); each
account gets at most ``RESETS_PER_HOUR`` reset mails, and each keyed address is rate-limited
(``privacy/ratelimit.py``). Setting a password through a link ends the account's other
sessions and signs the person in.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from flask import Blueprint, Flask, current_app, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import get_session, utcnow
from ..effects.mail import Mail
from ..effects.outbox import queue_mail
from ..identity import company_identity
from ..models import Person
from ..privacy.abuse import check_form
from . import audit, sessions
from .auth import find_person, finish_sign_in
from .models import AccountLink
from .passwords import check_strength, hash_password

logger = logging.getLogger(__name__)
bp = Blueprint("invites", __name__, url_prefix="/staff")
LIFETIMES = {"reset": timedelta(hours=1), "invite": timedelta(days=7)}
RESETS_PER_HOUR = 3
SENT = ("If that address belongs to an active staff account, a link to set a new password is "
        "on its way. It works once, within an hour.")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def issue_link(db: Session, person: Person | None, purpose: str) -> str:
    """A fresh link token for ``person`` (the caller commits); for ``None`` the same work is
    done and nothing is stored, so both take as long."""
    raw = secrets.token_urlsafe(32)
    token_hash = _hash(raw)
    if person is not None:
        db.add(AccountLink(person_id=person.id, purpose=purpose, token_hash=token_hash,
                           expires_at=utcnow() + LIFETIMES[purpose]))
    return raw


def link_url(raw: str, purpose: str) -> str:
    path = "invite" if purpose == "invite" else "reset"
    return f"{current_app.config['PUBLIC_URL']}/staff/{path}/{raw}"


def live_link(raw: str, purpose: str) -> AccountLink | None:
    """The unused, unexpired link for this token, else ``None``."""
    if not raw or len(raw) > 100:
        return None
    link = get_session().scalar(select(AccountLink).where(
        AccountLink.token_hash == _hash(raw), AccountLink.purpose == purpose))
    if link is None or link.used_at is not None or link.expires_at < utcnow():
        return None
    if not link.person.active:
        return None
    return link


def recent_resets(db: Session, person: Person) -> int:
    return db.scalar(select(func.count(AccountLink.id)).where(
        AccountLink.person_id == person.id, AccountLink.purpose == "reset",
        AccountLink.created_at >= utcnow() - timedelta(hours=1)))


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    """Ask for a password reset link; the answer never says whether the address is known."""
    if request.method == "GET":
        return render_template("staff/forgot.html", email="", error=None, sent=False)
    email = request.form.get("email", "").strip()[:254]
    error = check_form(request.form, "forgot", min_seconds=0)
    if error:
        return render_template("staff/forgot.html", email=email, error=error, sent=False), 400
    db = get_session()
    person = find_person(email)
    if person is not None and (not person.active or recent_resets(db, person) >= RESETS_PER_HOUR):
        person = None
    raw = issue_link(db, person, "reset")
    if person is not None:
        audit.record(db, "password.reset-requested", "person", person.id, actor=person)
        _mail(db, person, f"Reset your {company_identity().name} staff password",
              f"Hello {person.name},\n\nSomeone (hopefully you) asked to reset the password "
              f"of your staff account. Set a new one here (the link works once, within an "
              f"hour):\n\n{link_url(raw, 'reset')}\n\nIf it was not you, ignore this mail: "
              f"your password stays as it is.\n", "password reset")
    db.commit()
    return render_template("staff/forgot.html", email="", error=None, sent=True)


def _mail(db: Session, person: Person, subject: str, body: str, purpose: str) -> None:
    """Queue the mail in ``db``'s transaction: the leader sends it after the commit."""
    queue_mail(db, Mail(person.email, subject, body, purpose))


def invite(db: Session, person: Person) -> str:
    """Mail ``person`` (just created without a password) a link to set one; returns the link
    so an admin can pass it on when mail is off."""
    raw = issue_link(db, person, "invite")
    url = link_url(raw, "invite")
    sender = audit._acting_person()
    by = f"{sender.name} invited you" if sender else "You are invited"
    company = company_identity().name
    _mail(db, person, f"Your {company} staff account",
          f"Hello {person.name},\n\n{by} to answer questions for {company} as "
          f"{person.job_title}.\nChoose your password here (the link works once, within 7 "
          f"days):\n\n{url}\n", "staff invitation")
    db.commit()
    return url


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Set a new password through a reset link."""
    return _set_password(token, "reset")


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    """Set a first password through an invitation."""
    return _set_password(token, "invite")


def _set_password(token: str, purpose: str):
    link = live_link(token, purpose)
    if link is None:
        return render_template("staff/set_password.html", dead=True, purpose=purpose,
                               error=None), 404
    error = None
    if request.method == "POST":
        person = link.person
        password = request.form.get("password", "")
        error = check_form(request.form, "set-password", min_seconds=0)
        if error is None and password != request.form.get("confirm", ""):
            error = "The two passwords differ. Type the same password twice."
        if error is None:
            try:
                check_strength(password, (person.name, person.email))
            except ValueError as exc:
                error = str(exc)
        if error is None:
            db = get_session()
            link.used_at = utcnow()
            person.password_hash = hash_password(password)
            sessions.end_all(db, person.id)
            audit.record(db, f"password.set-by-{purpose}", "person", person.id, actor=person)
            db.commit()
            return finish_sign_in(person, "password")
    return render_template("staff/set_password.html", dead=False, purpose=purpose,
                           person=link.person, error=error), 400 if error else 200
