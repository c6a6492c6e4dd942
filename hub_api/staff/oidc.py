"""Single sign-on with OpenID Connect, through Authlib's Flask client.

Authlib does the protocol: discovery, the authorization code flow with PKCE (S256), state and
nonce kept in the staff session, the code exchange, and the ID token's signature (the
provider's published keys), issuer, audience, expiry and nonce. This module decides who may
come in: the email must be verified by the provider and, when ``CANDOR_OIDC_ALLOWED_DOMAINS``
is set, in one of those domains; the Candor account with that email must be active, or is
created with the staff role under ``CANDOR_OIDC_AUTO_CREATE=1``. With
``CANDOR_OIDC_GROUPS_CLAIM`` and ``CANDOR_OIDC_GROUP_ROLES`` the provider's groups set the
person's roles at every sign-in. Any failure is one sentence on the login page and no session.
"""

from __future__ import annotations

import logging

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, current_app, redirect, render_template, request, session
from flask_login import current_user
from joserfc.errors import JoseError
from requests import RequestException

from .. import signals
from ..db import get_session
from ..effects.outbox import emit
from ..models import ROLES, Person
from . import audit, sessions
from .auth import find_person, finish_sign_in, home_for, record_failure, safe_next
from .people import PeopleError, add_person

logger = logging.getLogger(__name__)
bp = Blueprint("oidc", __name__, url_prefix="/staff/oidc")
NAME = "sso"
LEEWAY = 10  # seconds of clock difference tolerated on the ID token's times
NEXT = "oidc_next"


class SignInRefused(Exception):
    """Why a single sign-on was refused, in words for the person trying."""


def init_app(app: Flask) -> None:
    if not app.config.get("OIDC_ISSUER"):
        return
    oauth = OAuth(app)
    oauth.register(
        NAME, client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{app.config['OIDC_ISSUER']}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                       "timeout": 10},
    )
    app.extensions["candor_oidc"] = oauth
    app.register_blueprint(bp)


def client():
    return current_app.extensions["candor_oidc"].create_client(NAME)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Send the browser to the provider (a fresh state, nonce and PKCE verifier each time)."""
    session[NEXT] = safe_next(request.values.get("next"), "")
    hint = request.values.get("login_hint", "").strip()[:254]
    redirect_uri = f"{current_app.config['PUBLIC_URL']}/staff/oidc/callback"
    try:
        return client().authorize_redirect(redirect_uri, **({"login_hint": hint} if hint else {}))
    except (AuthlibBaseError, RequestException, ValueError) as exc:
        logger.warning("single sign-on provider unreachable: %s", exc)
        return _refused("The sign-in provider cannot be reached. Try again shortly, or use "
                        "your password.", 503)


@bp.get("/callback")
def callback():
    """Back from the provider: check everything, then sign in (or refuse in one sentence)."""
    next_url = session.pop(NEXT, "") or ""
    try:
        claims = verified_claims()
        person = account_for(claims)
    except SignInRefused as exc:
        return _refused(str(exc))
    if current_user.is_authenticated and current_user.id == person.id:
        sessions.mark_verified()  # a re-confirmation before a sensitive action
        return redirect(next_url or home_for(person), 303)
    return finish_sign_in(person, "sso", next_url)


def verified_claims() -> dict:
    """The ID token's claims after Authlib's checks and a verified email."""
    if not request.args.get("state") or (not request.args.get("code") and
                                         not request.args.get("error")):
        raise SignInRefused("That sign-in link is incomplete. Start again from the login page.")
    try:
        token = client().authorize_access_token(leeway=LEEWAY)
    except (AuthlibBaseError, JoseError) as exc:  # state, code, signature, claims, nonce
        detail = getattr(exc, "description", None) or getattr(exc, "error", "") or str(exc)
        raise SignInRefused(f"Single sign-on failed ({str(detail)[:120]}). Start again from "
                            "the login page.") from None
    except (RequestException, ValueError, KeyError, TypeError) as exc:
        logger.warning("single sign-on: token exchange failed: %s", exc)
        raise SignInRefused("Single sign-on failed: the provider's answer could not be "
                            "checked. Start again from the login page.") from None
    claims = token.get("userinfo")
    if not claims:
        raise SignInRefused("The provider sent no ID token; Candor cannot tell who you are.")
    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is not True:
        raise SignInRefused("Your sign-in provider has not verified your email address, so "
                            "Candor cannot match it to a staff account.")
    domains = current_app.config["OIDC_ALLOWED_DOMAINS"]
    if domains and email.rsplit("@", 1)[-1] not in {d.lower() for d in domains}:
        raise SignInRefused("Accounts of that email domain cannot sign in here.")
    return dict(claims)


def _group_roles(claims: dict) -> str | None:
    """Roles from the provider's groups, or ``None`` when no group mapping is configured."""
    config = current_app.config
    if not config["OIDC_GROUPS_CLAIM"] or not config["OIDC_GROUP_ROLES"]:
        return None
    mapping: dict[str, set[str]] = {}
    for pair in config["OIDC_GROUP_ROLES"].split(","):
        group, _, role = pair.partition("=")
        if role.strip() in ROLES:
            mapping.setdefault(group.strip(), set()).add(role.strip())
    groups = claims.get(config["OIDC_GROUPS_CLAIM"]) or []
    if not isinstance(groups, list):
        groups = [groups]
    roles = {r for g in groups if isinstance(g, str) for r in mapping.get(g, ())}
    return ",".join(r for r in ROLES if r in roles) or "staff"


def account_for(claims: dict) -> Person:
    """The active account for a verified email, created when allowed; roles from groups."""
    email = claims["email"].strip().lower()
    person = find_person(email)
    roles = _group_roles(claims)
    db = get_session()
    if person is None:
        if not current_app.config["OIDC_AUTO_CREATE"]:
            record_failure(None, "sso: no account")
            raise SignInRefused("There is no Candor staff account for that email. Ask an "
                                "admin to invite you.")
        name = str(claims.get("name") or email.split("@")[0])
        try:
            person = add_person(db, name=name, email=email, password=None,
                                job_title=str(claims.get("job_title") or "Staff member"),
                                roles=roles or "staff")
            db.flush()
        except PeopleError as exc:
            db.rollback()
            raise SignInRefused(f"Your account could not be created: {exc}.") from None
        audit.record(db, "person.create-by-sso", "person", person.id, f"roles={person.roles}",
                     actor=person)
        emit(db, signals.people_changed, id=person.id)
        db.commit()
    if not person.active:
        record_failure(person, "sso: disabled")
        raise SignInRefused("This Candor account is disabled. Ask an admin.")
    if roles is not None and roles != person.roles:
        audit.record(db, "person.roles", "person", person.id,
                     f"{person.roles} -> {roles} (sso groups)", actor=person)
        person.roles = roles
        db.commit()
    return person


def _refused(message: str, status: int = 400):
    session.pop(NEXT, None)
    return render_template("staff/login.html", error=message, email="", next="",
                           oidc_name=current_app.config["OIDC_NAME"]), status
