"""Staff API tokens: shown once, kept only as a hash, revoked at once.

A token carries one person's identity, so an answer made through the API is signed with
that person's name exactly like one made in the browser: there is still no brand account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import click
from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import get_session, utcnow
from ..models import ApiToken, Person
from ..security import check_csrf
from . import audit
from .people import staff_cli
from .sessions import require_recent

PREFIX = "cnd_"
# Recording every use would turn each API read into a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def issue_token(session: Session, person: Person, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for ``person``; the raw value is returned once and never stored."""
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(person_id=person.id, label=name[:80], token_hash=_hash(raw))
    session.add(token)
    return token, raw


def person_for_token(session: Session, raw: str) -> Person | None:
    """The active person a live token belongs to, else ``None``."""
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(raw)))
    if token is None or token.revoked_at is not None or not token.person.active:
        return None
    now = utcnow()
    stale = token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION
    if stale and request.method not in ("GET", "HEAD"):
        # Recorded with the request's own write (GETs run in read-only transactions).
        token.last_used_at = now
    return token.person


@staff_cli.command("token")
@click.argument("email")
@click.option("--name", default="", help="What the token is for, e.g. 'CRM sync'.")
@click.option("--revoke", "revoke_id", type=int, help="Revoke the token with this id.")
def token_command(email: str, name: str, revoke_id: int | None) -> None:
    """Create an API token for a staff member (shown once), or revoke one."""
    session = get_session()
    person = session.scalar(select(Person).where(func.lower(Person.email) == email.lower()))
    if person is None:
        raise click.ClickException(f"no staff member with email {email}")
    if revoke_id is not None:
        token = session.get(ApiToken, revoke_id)
        if token is None or token.person_id != person.id:
            raise click.ClickException(f"{email} has no token with id {revoke_id}")
        token.revoked_at = token.revoked_at or utcnow()
        session.commit()
        click.echo(f"Revoked token {revoke_id} of {person.name}; it stops working now.")
        return
    if not person.active:
        raise click.ClickException(f"{email} is disabled; enable the account first")
    token, raw = issue_token(session, person, name)
    session.flush()
    audit.record(session, "token.create", "token", token.id, f"{token.label} (command line)",
                 actor=person)
    session.commit()
    click.echo(f"Token {token.id} for {person.name} ({person.job_title}). It is shown only once:")
    click.echo(raw)


# --- the same on the web: one's own tokens, on the sign-in & security page ---

bp = Blueprint("tokens", __name__, url_prefix="/staff/account/tokens")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _page(created: str | None = None, status: int = 200):
    tokens = get_session().scalars(select(ApiToken).where(ApiToken.person_id == current_user.id)
                                   .order_by(ApiToken.created_at.desc())).all()
    return render_template("staff/tokens.html", tokens=tokens, created=created), status


@bp.get("/")
@login_required
def page():
    """One's API tokens: what each is for, when last used, revoked or not."""
    return _page()


@bp.post("/")
@require_recent
def create():
    """Create a token (shown once); a sensitive action, so it asks for a recent sign-in."""
    check_csrf()
    db = get_session()
    person = db.get(Person, current_user.id)
    token, raw = issue_token(db, person, request.form.get("name", "").strip())
    db.flush()
    audit.record(db, "token.create", "token", token.id, token.label)
    db.commit()
    return _page(created=raw)


@bp.post("/<int:token_id>/revoke")
@require_recent
def revoke(token_id: int):
    """Revoke one of one's tokens at once."""
    check_csrf()
    audit.end_own(get_session(), ApiToken, token_id, "revoked_at", "token.revoke", "token",
                  "label")
    return redirect(url_for("tokens.page"), 303)
