"""Authenticator-app codes (TOTP, pyotp) and single-use recovery codes.

A code is accepted once: the time step it belongs to is stored, and an older or equal step is
refused, so a code read over someone's shoulder cannot be replayed. Recovery codes are shown
once and kept as hashes. Enrolling and switching off ask for a recent sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
import time

import pyotp
import segno
from flask import Blueprint, Flask, current_app, redirect, render_template, request, session
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..db import get_session, utcnow
from ..models import Person
from ..security import check_csrf
from . import audit
from .models import Passkey, RecoveryCode
from .sessions import require_recent

bp = Blueprint("totp", __name__, url_prefix="/staff/account/2fa")
RECOVERY_CODES = 10
STEP = 30
CODE_CHARS = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _code_hash(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def _normal(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())[:40]


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step (now, or one either side for clock drift) whose code is ``code``."""
    digits = "".join(c for c in code if c in "0123456789")  # ASCII only: "١" is a digit too
    if len(digits) != 6 or len(code) > 20:
        return None
    totp = pyotp.TOTP(secret)
    step = int((now or time.time()) // STEP)
    for candidate in (step - 1, step, step + 1):
        if hmac.compare_digest(totp.at(candidate * STEP), digits):
            return candidate
    return None


def accept(person: Person, code: str) -> bool:
    """Whether ``code`` is a fresh authenticator code or an unused recovery code of
    ``person``; marks it used (the caller commits)."""
    if not person.totp_secret or not code:
        return False
    step = _matching_step(person.totp_secret, code)
    if step is not None:
        if person.totp_last_step is not None and step <= person.totp_last_step:
            return False
        person.totp_last_step = step
        return True
    db = get_session()
    row = db.scalar(select(RecoveryCode).where(RecoveryCode.person_id == person.id,
                                               RecoveryCode.code_hash == _code_hash(code),
                                               RecoveryCode.used_at.is_(None)))
    if row is None:
        return False
    row.used_at = utcnow()
    audit.record(db, "2fa.recovery-code-used", "person", person.id, actor=person)
    return True


def new_recovery_codes(db: Session, person: Person) -> list[str]:
    """Replace a person's recovery codes; the plain codes are returned once."""
    db.execute(delete(RecoveryCode).where(RecoveryCode.person_id == person.id))
    codes = ["".join(secrets.choice(CODE_CHARS) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    codes = [f"{c[:5]}-{c[5:]}" for c in codes]
    db.add_all(RecoveryCode(person_id=person.id, code_hash=_code_hash(c)) for c in codes)
    return codes


def _qr(uri: str) -> Markup:
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", xmldecl=False, scale=4,
                                    title="QR code for your authenticator app")
    return Markup(buffer.getvalue().decode())  # noqa: S704 — segno's own SVG, no user text


def _page(error: str | None = None, codes: list[str] | None = None, status: int = 200):
    pending = None if current_user.totp_secret else session.get("totp_pending")
    qr = uri = None
    if pending:
        uri = pyotp.TOTP(pending).provisioning_uri(
            name=current_user.email, issuer_name=current_app.config["SITENAME"])
        qr = _qr(uri)
    passkeys = get_session().scalars(select(Passkey).where(Passkey.person_id == current_user.id)
                                     .order_by(Passkey.created_at)).all()
    return render_template("staff/totp.html", enrolled=bool(current_user.totp_secret),
                           pending=pending, qr=qr, uri=uri, codes=codes, error=error,
                           passkeys=passkeys, required=current_app.config["REQUIRE_2FA"]), status


@bp.get("/")
@login_required
def page():
    """Second-factor settings: enrol an authenticator app, or switch it off."""
    return _page()


@bp.post("/start")
@require_recent
def start():
    """Make a secret to scan; it is kept in the staff session until a code confirms it."""
    check_csrf()
    session["totp_pending"] = pyotp.random_base32()
    return redirect("/staff/account/2fa/", 303)


@bp.post("/confirm")
@require_recent
def confirm():
    """Turn the authenticator on once it produced a right code; show the recovery codes."""
    check_csrf()
    pending = session.get("totp_pending")
    code = request.form.get("code", "")
    step = _matching_step(pending, code) if pending else None
    if step is None:
        return _page("That code did not match. Check the time on your phone and type the six "
                     "digits shown now.", status=400)
    db = get_session()
    person = db.get(Person, current_user.id)
    person.totp_secret, person.totp_last_step = pending, step
    codes = new_recovery_codes(db, person)
    audit.record(db, "2fa.totp-on", "person", person.id)
    db.commit()
    session.pop("totp_pending", None)
    return _page(codes=codes)


@bp.post("/off")
@require_recent
def off():
    """Switch the authenticator off (and its recovery codes)."""
    check_csrf()
    db = get_session()
    person = db.get(Person, current_user.id)
    person.totp_secret, person.totp_last_step = None, None
    db.execute(delete(RecoveryCode).where(RecoveryCode.person_id == person.id))
    audit.record(db, "2fa.totp-off", "person", person.id)
    db.commit()
    return redirect("/staff/account/2fa/", 303)
