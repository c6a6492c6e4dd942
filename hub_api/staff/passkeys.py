"""Passkeys (WebAuthn, py_webauthn): a way to sign in on their own, and a second factor.

The relying party is the host of ``CANDOR_PUBLIC_URL``; each ceremony's challenge lives in
the staff session and is used once. Only the credential's id, public key and signature counter
are stored. The endpoints speak JSON (``json_only``: a cross-site form cannot send it) and are
driven by ``themes/candor/static/passkeys.js``; without JavaScript, password and code still work.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import urlsplit

import webauthn
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    jsonify,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ..db import get_or_404, get_session, utcnow
from ..models import Person
from ..security import check_csrf, json_only
from . import audit, sessions
from .models import Passkey

bp = Blueprint("passkeys", __name__, url_prefix="/staff/passkeys")
CHALLENGE = "webauthn_challenge"
MAX_BODY = 16 * 1024


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _relying_party() -> tuple[str, str]:
    """(rp id, origin) from the public URL: passkeys are bound to that host."""
    url = urlsplit(current_app.config["PUBLIC_URL"])
    return url.hostname or "localhost", f"{url.scheme}://{url.netloc}"


def _b64url(raw: str) -> bytes:
    return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))


def _credential() -> dict:
    """The browser's credential JSON, bounded; anything malformed is a 400 in words."""
    if request.content_length and request.content_length > MAX_BODY:
        abort(413)
    try:
        data = json.loads(request.get_data(cache=False, as_text=True) or "null")
    except ValueError:
        abort(400, "The passkey answer is not valid JSON.")
    if not isinstance(data, dict) or not isinstance(data.get("rawId"), str):
        abort(400, "The passkey answer is incomplete.")
    return data


def _error(message: str, status: int = 400):
    return jsonify(error=message), status


def _take_challenge(kind: str) -> bytes | None:
    stored = session.pop(CHALLENGE, None)
    if not isinstance(stored, dict) or stored.get("kind") != kind:
        return None
    return _b64url(stored["value"])


def _keep_challenge(kind: str, challenge: bytes) -> None:
    session[CHALLENGE] = {"kind": kind,
                          "value": base64.urlsafe_b64encode(challenge).decode().rstrip("=")}


# --- registering a passkey (signed in, recently) ---

@bp.post("/register-options")
@login_required
@json_only
def register_options():
    """Options for ``navigator.credentials.create``."""
    if not sessions.is_recent():
        return jsonify(error="Confirm it's you first.",
                       confirm=url_for("auth.confirm", next="/staff/account/2fa/")), 403
    rp_id, _origin = _relying_party()
    person = current_user
    existing = get_session().scalars(select(Passkey.credential_id)
                                     .where(Passkey.person_id == person.id)).all()
    options = webauthn.generate_registration_options(
        rp_id=rp_id, rp_name=current_app.config["SITENAME"], user_name=person.email,
        user_id=str(person.id).encode(), user_display_name=person.name,
        exclude_credentials=[PublicKeyCredentialDescriptor(id=c) for c in existing],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED))
    _keep_challenge("register", options.challenge)
    return current_app.response_class(webauthn.options_to_json(options),
                                      mimetype="application/json")


@bp.post("/register")
@login_required
@json_only
def register():
    """Store a new passkey after checking the authenticator's answer."""
    data = _credential()
    challenge = _take_challenge("register")
    if challenge is None or not sessions.is_recent():
        return _error("This passkey request has expired. Start again.")
    rp_id, origin = _relying_party()
    try:
        verified = webauthn.verify_registration_response(
            credential=data, expected_challenge=challenge, expected_rp_id=rp_id,
            expected_origin=origin)
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        return _error(f"The passkey could not be checked: {str(exc)[:160]}")
    db = get_session()
    label = str(request.args.get("label", ""))[:80].strip() or "Passkey"
    row = Passkey(person_id=current_user.id, credential_id=verified.credential_id,
                  public_key=verified.credential_public_key, sign_count=verified.sign_count,
                  label=label)
    db.add(row)
    db.flush()
    audit.record(db, "2fa.passkey-add", "passkey", row.id, label)
    db.commit()
    return jsonify(ok=True, id=row.id, label=label)


@bp.post("/<int:passkey_id>/remove")
@login_required
def remove(passkey_id: int):
    """Remove one of one's passkeys (asks for a recent sign-in)."""
    check_csrf()
    if not sessions.is_recent():
        return redirect(url_for("auth.confirm", next="/staff/account/2fa/"), 303)
    db = get_session()
    row = get_or_404(Passkey, passkey_id)
    if row.person_id != current_user.id:
        abort(404)
    db.delete(row)
    audit.record(db, "2fa.passkey-remove", "passkey", passkey_id, row.label)
    db.commit()
    return redirect("/staff/account/2fa/", 303)


# --- signing in with a passkey ---

@bp.post("/authenticate-options")
@json_only
def authenticate_options():
    """Options for ``navigator.credentials.get``: any passkey of this site (sign-in), or the
    half-signed-in person's own (second factor)."""
    from .second_factor import pending_person

    rp_id, _origin = _relying_party()
    person = pending_person()
    allowed = []
    if person is not None:
        allowed = [PublicKeyCredentialDescriptor(id=c) for c in get_session().scalars(
            select(Passkey.credential_id).where(Passkey.person_id == person.id))]
    options = webauthn.generate_authentication_options(
        rp_id=rp_id, allow_credentials=allowed,
        user_verification=UserVerificationRequirement.PREFERRED)
    _keep_challenge("authenticate", options.challenge)
    return current_app.response_class(webauthn.options_to_json(options),
                                      mimetype="application/json")


@bp.post("/authenticate")
@json_only
def authenticate():
    """Check a passkey assertion and sign in (or finish the second step)."""
    from .auth import account_locked, finish_sign_in, record_failure
    from .second_factor import PENDING, pending_person

    data = _credential()
    challenge = _take_challenge("authenticate")
    if challenge is None:
        return _error("This passkey request has expired. Start again.")
    try:
        credential_id = _b64url(data["rawId"])
    except (ValueError, TypeError):
        return _error("The passkey answer is malformed.")
    db = get_session()
    row = db.scalar(select(Passkey).where(Passkey.credential_id == credential_id))
    pending = pending_person()
    if row is None or (pending is not None and row.person_id != pending.id):
        record_failure(pending, "unknown passkey")
        return _error("That passkey is not registered here.", 401)
    person = db.get(Person, row.person_id)
    if not person.active or account_locked(person):
        record_failure(person, "passkey: disabled or locked")
        return _error("This account cannot sign in now.", 403)
    rp_id, origin = _relying_party()
    try:
        verified = webauthn.verify_authentication_response(
            credential=data, expected_challenge=challenge, expected_rp_id=rp_id,
            expected_origin=origin, credential_public_key=row.public_key,
            credential_current_sign_count=row.sign_count)
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        record_failure(person, "passkey: bad assertion")
        return _error(f"The passkey could not be checked: {str(exc)[:160]}", 401)
    row.sign_count, row.last_used_at = verified.new_sign_count, utcnow()
    db.commit()
    next_url = ""
    if pending is not None:
        next_url = session.pop(PENDING, {}).get("next", "")
    response = finish_sign_in(person, "password+passkey" if pending else "passkey", next_url)
    return jsonify(ok=True, redirect=response.location)
