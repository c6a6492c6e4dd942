"""Signed webhooks: a JSON POST per event to each endpoint an admin registered.

Deliveries are rows, written by the leader when it expands the event's outbox entry (in the
same transaction that marks the entry done, so each event gives one delivery per endpoint)
and sent by the ``webhooks`` job outside any transaction: retried with exponential backoff
for a day, each endpoint showing how its last attempt went. ``Candor-Delivery`` (and the
body's ``id``) is the delivery's row id, the same on every retry: a receiver drops a second
copy by it. Every POST carries ``Candor-Signature: t=<unix time>,v1=<hex>``, an HMAC-SHA256
with the endpoint's secret over ``"<t>.<body>"``, so a receiver can check both who sent it
and that it is fresh (a replay carries an old ``t``). Payloads carry ids, titles and public
URLs — never an email address or an IP.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import click
from flask import Blueprint, Flask, current_app, redirect, render_template, request, url_for
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import signals
from ..curation.fetch import FetchError, post
from ..db import get_session, read_only, session_scope, utcnow
from ..models import Answer, Question, WebhookDelivery, WebhookEndpoint
from ..operations.metrics import WEBHOOKS
from ..security import check_csrf
from ..staff.auth import require_role
from ..staff.sessions import is_recent
from .jobs import scheduler
from .outbox import on

EVENTS = ("question.asked", "answer.posted", "contact.requested")
GIVE_UP_AFTER = timedelta(days=1)
FIRST_RETRY = 30  # seconds; doubles each attempt
MAX_RETRY = 3600
TOLERANCE = 300  # seconds a receiver should accept a signature's timestamp

bp = Blueprint("webhooks", __name__, url_prefix="/staff/webhooks")
webhooks_cli = AppGroup("webhooks", help="Signed webhooks to your CRM, chat or scripts.")


class WebhookError(ValueError):
    """A registration that cannot be accepted, in words."""


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(webhooks_cli)
    scheduler(app).add("webhooks", 15, lambda a: deliver_due(a))
    for signal, event in ((signals.question_asked, "question.asked"),
                          (signals.answer_posted, "answer.posted"),
                          (signals.contact_requested, "contact.requested")):
        on(app, signal, _handler(event))


def _handler(event: str):
    def handle(app: Flask, session: Session, id: int, **_extra) -> None:  # noqa: A002
        if enqueue(session, event, id):
            scheduler(app).nudge("webhooks")  # runs right after the outbox, on the leader
    return handle


# --- signing ---------------------------------------------------------------------------------


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The ``Candor-Signature`` header value for ``body``."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify(secret: str, header: str, body: bytes, tolerance: int = TOLERANCE,
           now: float | None = None) -> bool:
    """What a receiver does: right secret, right body, and not older than ``tolerance``."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        t = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    expected = sign(secret, body, t).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


# --- registering -----------------------------------------------------------------------------


def parse_events(value: str) -> str:
    events = [e.strip() for e in value.split(",") if e.strip()]
    unknown = [e for e in events if e not in EVENTS]
    if unknown or not events:
        raise WebhookError(f"unknown event {', '.join(unknown) or '(none)'}; choose from "
                           f"{', '.join(EVENTS)}")
    return ",".join(dict.fromkeys(events))


def add_endpoint(session: Session, url: str, events: str) -> WebhookEndpoint:
    """Register ``url``; the delivery guard checks its addresses again on every POST."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or len(url) > 2000:
        raise WebhookError("the URL must be an http(s) URL with a host name")
    endpoint = WebhookEndpoint(url=url, events=parse_events(events),
                               secret=secrets.token_hex(32))
    session.add(endpoint)
    return endpoint


# --- delivering ------------------------------------------------------------------------------


def payload(session: Session, event: str, row_id: int) -> tuple[dict, int | None] | None:
    """The event's data (ids, titles and public URLs only) and the question it is about."""
    base = current_app.config["PUBLIC_URL"]
    if event == "question.asked":
        q = session.get(Question, row_id)
        return q and ({"question": {"id": q.id, "title": q.title, "url": base + q.url,
                                    "topic": q.topic.slug if q.topic else None,
                                    "asked_at": q.created_at.isoformat() + "Z"}}, q.id)
    if event == "answer.posted":
        a = session.get(Answer, row_id)
        return a and ({"answer": {"id": a.id, "question_id": a.question_id,
                                  "url": f"{base}{a.question.url}#answer-{a.id}",
                                  "author": {"name": a.person.name,
                                             "job_title": a.person.job_title}}}, a.question_id)
    return {"id": row_id}, None  # contact.requested: fetch the details with a staff token


def enqueue(session: Session, event: str, row_id: int) -> int:
    """One delivery per endpoint subscribed to ``event``, in ``session``; returns how many."""
    endpoints = [e for e in session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.active.is_(True))) if event in e.events.split(",")]
    found = payload(session, event, row_id) if endpoints else None
    if found is None:
        return 0
    data, question_id = found
    now = utcnow()
    for endpoint in endpoints:
        session.add(WebhookDelivery(endpoint_id=endpoint.id, event=event, created_at=now,
                                    next_attempt_at=now, payload=json.dumps(data),
                                    question_id=question_id))
    return len(endpoints)


def deliver_due(app: Flask, now: datetime | None = None) -> int:
    """Send every delivery that is due, each POST outside any transaction; returns how many
    were attempted."""
    now = now or utcnow()
    engine = app.extensions["candor_engine"]
    with app.app_context(), session_scope(read_only(engine)) as session:
        due = [(d.id, d.endpoint.url, *_request(d)) for d in session.scalars(
            select(WebhookDelivery).where(
                WebhookDelivery.delivered_at.is_(None), WebhookDelivery.gave_up_at.is_(None),
                WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.id).limit(100)
            .options(selectinload(WebhookDelivery.endpoint)))]
    for delivery_id, url, body, headers in due:
        try:
            response = post(url, body, headers,
                            allow_private=app.config.get("ALLOW_PRIVATE_URLS", False))
            ok, status = 200 <= response.status < 300, f"HTTP {response.status}"
        except FetchError as exc:
            ok, status = False, str(exc)
        with session_scope(engine) as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            if delivery is not None:
                _record(delivery, ok, status, now)
    return len(due)


def _request(delivery: WebhookDelivery) -> tuple[bytes, dict[str, str]]:
    """The POST's body and headers; the signature is made afresh on each attempt."""
    body = json.dumps({"id": delivery.id, "event": delivery.event,
                       "created_at": delivery.created_at.isoformat() + "Z",
                       "data": json.loads(delivery.payload)}, sort_keys=True).encode()
    return body, {"Content-Type": "application/json", "Candor-Event": delivery.event,
                  "Candor-Delivery": str(delivery.id),
                  "Candor-Signature": sign(delivery.endpoint.secret, body)}


def _record(delivery: WebhookDelivery, ok: bool, status: str, now: datetime) -> None:
    WEBHOOKS.labels(result="delivered" if ok else "failed").inc()
    endpoint = delivery.endpoint
    delivery.attempts += 1
    delivery.last_status = status[:200]
    endpoint.last_attempt_at = now
    if ok:
        delivery.delivered_at = now
        endpoint.last_status = f"ok ({status})"
        return
    if now - delivery.created_at >= GIVE_UP_AFTER:
        delivery.gave_up_at = now
        endpoint.last_status = f"failing: gave up after {delivery.attempts} attempts ({status})"
        return
    delay = min(FIRST_RETRY * 2 ** (delivery.attempts - 1), MAX_RETRY)
    delivery.next_attempt_at = now + timedelta(seconds=delay)
    endpoint.last_status = f"failing: {status}; retrying"[:200]


# --- CLI and staff page ----------------------------------------------------------------------


@webhooks_cli.command("add")
@click.argument("url")
@click.option("--events", default="question.asked,answer.posted", show_default=True,
              help=f"Comma list of {', '.join(EVENTS)}.")
def add_command(url: str, events: str) -> None:
    """Register an endpoint; prints its signing secret once."""
    session = get_session()
    try:
        endpoint = add_endpoint(session, url, events)
    except WebhookError as exc:
        raise click.ClickException(str(exc)) from exc
    session.commit()
    click.echo(f"Webhook {endpoint.id} → {endpoint.url} for {endpoint.events}")
    click.echo(f"Signing secret (shown once): {endpoint.secret}")


@webhooks_cli.command("list")
def list_command() -> None:
    """Endpoints with their events and how the last delivery went."""
    endpoints = get_session().scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    if not endpoints:
        click.echo("No webhooks. Add one with `candor webhooks add URL`.")
    for e in endpoints:
        click.echo(f"{e.id:>4}  {e.url}  [{e.events}]  {e.last_status or 'no delivery yet'}")


@webhooks_cli.command("remove")
@click.argument("endpoint_id", type=int)
def remove_command(endpoint_id: int) -> None:
    """Stop delivering to an endpoint and forget its pending deliveries."""
    session = get_session()
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise click.ClickException(f"no webhook with id {endpoint_id}")
    session.delete(endpoint)
    session.commit()
    click.echo(f"Removed webhook {endpoint_id}.")


@webhooks_cli.command("deliver")
def deliver_command() -> None:
    """Send due deliveries now (the `webhooks` job does this every 15 s)."""
    click.echo(f"Attempted {deliver_due(current_app._get_current_object())} delivery(ies).")


@bp.route("/", methods=["GET", "POST"])
@require_role("admin")
def manage():
    """Admins add and remove endpoints and see each one's last status."""
    session = get_session()
    error = created = None
    if request.method == "POST":
        check_csrf()
        if not is_recent():  # a sensitive change: confirm a sign-in older than 10 minutes
            return redirect(url_for("auth.confirm", next="/staff/webhooks/"), 303)
        if request.form.get("remove"):
            endpoint = session.get(WebhookEndpoint, request.form.get("remove", type=int) or 0)
            if endpoint is not None:
                session.delete(endpoint)
                session.commit()
        else:
            try:
                created = add_endpoint(session, request.form.get("url", "")[:2001],
                                       ",".join(request.form.getlist("events")))
                session.commit()
            except WebhookError as exc:
                error = str(exc)
    endpoints = session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    return render_template("staff/webhooks.html", endpoints=endpoints, events=EVENTS,
                           error=error, created=created), 400 if error else 200
