"""Abuse defences that need no cookie and no IP address.

* A signed, time-stamped form token: a bot that posts faster than a person can type, or
  replays a form hours later, is refused. The signature uses the instance secret, so
  nothing is stored.
* A honeypot field people never see (hidden by CSS, skipped by keyboard and screen readers).
* The same question body twice within five minutes is refused.
* Posts with links from an unknown asker, or with a word from ``CANDOR_HOLD_WORDS``, are
  held for a moderator (``status = "held"``) instead of reaching the queue and the site.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from datetime import timedelta

from flask import Flask, current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import utcnow
from ..models import ModerationAction, NotificationEmail, Question
from ..questions.states import LIVE, in_

HONEYPOT = "website"
TOKEN_FIELD = "form_token"  # noqa: S105 — a field name
DUPLICATE_WINDOW = timedelta(minutes=5)
LINK = re.compile(r"https?://|www\.|\]\(|<a\s", re.IGNORECASE)
DEFAULT_HOLD_WORDS = ("casino", "viagra", "crypto giveaway", "payday loan")


def init_app(app: Flask) -> None:
    app.config.setdefault("FORM_TOKEN_REQUIRED", True)
    app.config.setdefault("FORM_MIN_SECONDS", 3.0)
    app.config.setdefault("FORM_MAX_AGE", 2 * 3600)
    if not app.config.get("HOLD_WORDS"):
        app.config["HOLD_WORDS"] = DEFAULT_HOLD_WORDS
    app.jinja_env.globals.update(form_token=form_token, honeypot_name=HONEYPOT)


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt="candor-form-token")


def form_token(form: str) -> str:
    """A fresh token for ``form`` ("ask", "login", "contact"): it proves which form was served
    and when, nothing else, so a token taken from one form does not open another."""
    # Rounded down: a time rounded up would make an instant submission look early.
    return _signer().sign(f"{form}:{math.floor(time.time() * 100) / 100:.2f}").decode()


def check_form(data: Mapping[str, str], form: str, min_seconds: float | None = None) -> str | None:
    """Why a submitted ``form`` looks automated, or ``None`` if it passes. ``min_seconds``
    overrides the minimum fill time (0 for logins, which password managers submit at once)."""
    config = current_app.config
    if data.get(HONEYPOT):
        return "This form could not be sent. Leave the last field empty and try again."
    if not config["FORM_TOKEN_REQUIRED"]:
        return None
    try:
        signed = _signer().unsign(data.get(TOKEN_FIELD, ""), max_age=config["FORM_MAX_AGE"])
        named, _, stamp = signed.decode().rpartition(":")
        if named != form:
            raise BadSignature("a token of another form")
        served_at = float(stamp)
    except SignatureExpired:
        return "This form is too old. Your text is kept below: send it again."
    except (BadSignature, ValueError):
        return "This form could not be checked. Your text is kept below: send it again."
    minimum = config["FORM_MIN_SECONDS"] if min_seconds is None else min_seconds
    if time.time() - served_at < minimum:
        return "That was faster than anyone can type. Wait a moment and send it again."
    return None


def is_duplicate(session: Session, body: str) -> bool:
    """The same question body arrived within the last five minutes."""
    since = utcnow() - DUPLICATE_WINDOW
    return session.scalar(
        select(func.count()).select_from(Question)
        .where(Question.body == body, Question.created_at >= since)
    ) > 0


def is_known_asker(session: Session, email: str | None) -> bool:
    """A confirmed email with an earlier question that a moderator let through."""
    if not email:
        return False
    return session.scalar(
        select(func.count()).select_from(NotificationEmail)
        .join(Question, Question.id == NotificationEmail.question_id)
        .where(func.lower(NotificationEmail.email) == email.lower(),
               NotificationEmail.confirmed_at.is_not(None),
               in_(LIVE))
    ) > 0


def hold_reason(session: Session, text: str, email: str | None = None) -> str:
    """Why a post should wait for a moderator; empty when it may go straight through."""
    lowered = text.lower()
    for word in current_app.config["HOLD_WORDS"]:
        if word and word.lower() in lowered:
            return "contains a word on the hold list"
    if LINK.search(text) and not is_known_asker(session, email):
        return "contains links from a new asker"
    return ""


def log_action(session: Session, action: str, question_id: int, reason: str) -> None:
    """Add a public moderation log line about a question; the caller commits."""
    log(session, action, f"question {question_id}", reason)


def log(session: Session, action: str, target: str, reason: str) -> None:
    """Add a public moderation log line (``target`` like "answer 7": no names, no addresses)."""
    session.add(ModerationAction(action=action, target=target[:40], reason=reason[:200]))
