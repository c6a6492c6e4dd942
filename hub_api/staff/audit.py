"""The audit log: who did what to which object, and when — never from where (no IP address).

Two ways in, one table. Identity actions (sign-in, failed sign-in, roles, tokens, second
factors) are recorded explicitly with ``record`` inside their own transaction. Every other
staff write — answer, edit, hide, handover, pick, dismiss, webhook change — is recorded by one
``after_request`` hook from its endpoint and URL arguments, so a new staff page is audited
without remembering to. Admins read it at ``/staff/audit`` (filter by person, action, dates)
and export it as JSON lines; rows older than ``CANDOR_AUDIT_RETENTION_DAYS`` are deleted daily.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from flask import Blueprint, Flask, Response, abort, g, render_template, request
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..db import get_session, session_scope, utcnow
from ..effects.jobs import scheduler
from ..models import Person
from .auth import require_role
from .models import AuditEvent

logger = logging.getLogger(__name__)
bp = Blueprint("audit", __name__, url_prefix="/staff/audit")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
# Form fields worth keeping as the "what" of a generic entry (never free text or addresses).
DETAIL_FIELDS = ("reason", "roles", "action", "assignee", "events")
PAGE = 100


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(_record_staff_write)
    scheduler(app).add("audit-retention", 24 * 3600, purge_old)


def record(db: Session, action: str, object_type: str = "", object_id: object = "",
           detail: str = "", actor: Person | None = None) -> None:
    """Add an entry in the caller's transaction (the caller commits); ``actor`` defaults to
    the signed-in person or the API token's holder."""
    if actor is None:
        actor = _acting_person()
    db.add(AuditEvent(actor_id=actor.id if actor else None, actor=actor.name if actor else "",
                      action=action[:48], object_type=object_type[:24],
                      object_id=str(object_id)[:40], detail=detail[:300]))
    g.audited = True


def end_own(db: Session, model: type, row_id: int, field: str, action: str,
            object_type: str, detail: str) -> object:
    """Stamp ``field`` (an end or a revocation) on one of the signed-in person's own rows,
    once, record it and commit; another person's row is a 404, not a hint."""
    row = db.get(model, row_id)
    if row is None or row.person_id != current_user.id:
        abort(404)
    if getattr(row, field) is None:
        setattr(row, field, utcnow())
        record(db, action, object_type, row.id, getattr(row, detail))
    db.commit()
    return row


def _acting_person() -> Person | None:
    person = g.get("api_person")
    if person is None and request.path.startswith("/staff/") and current_user and \
            current_user.is_authenticated:
        person = current_user._get_current_object()
    return person


def _record_staff_write(response: Response) -> Response:
    """One entry for each successful staff write that did not record its own."""
    if request.method not in WRITES or response.status_code >= 400 or g.get("audited"):
        return response
    if not request.path.startswith(("/staff/", "/api/v1/")) or request.endpoint is None:
        return response
    actor = _acting_person()
    if actor is None:
        return response
    object_type, object_id = _object(request.view_args or {})
    detail = "; ".join(f"{k}={request.form[k][:60]}" for k in DETAIL_FIELDS
                       if request.form.get(k))
    # In the request's own session: a second connection would wait for the write lock that
    # this request's session may still hold on SQLite. The view has committed its own work.
    db = get_session()
    try:
        record(db, request.endpoint, object_type, object_id, detail, actor=actor)
        db.commit()
    except Exception:  # the write itself has committed; say so loudly, don't fail it
        db.rollback()
        logger.exception("audit entry for %s could not be written", request.endpoint)
    return response


def _object(view_args: dict) -> tuple[str, str]:
    """``question_id=5`` → ("question", "5"); the first URL argument names the object."""
    for key, value in view_args.items():
        return key.removesuffix("_id"), str(value)
    return "", ""


def purge_old(app: Flask) -> None:
    """Delete entries older than the retention period (a daily job)."""
    cutoff = utcnow() - timedelta(days=app.config["AUDIT_RETENTION_DAYS"])
    with session_scope(app.extensions["candor_engine"]) as db:
        gone = db.execute(delete(AuditEvent).where(AuditEvent.created_at < cutoff)).rowcount
    logger.info("audit log: %d entries past retention deleted", gone)


def _date(value: str | None) -> datetime | None:
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d") if value else None
    except ValueError:
        return None


def _filtered():
    """The query for the filters in the request's arguments (bad values are ignored)."""
    args = request.args
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    actor = args.get("actor", "")
    if actor.isdigit():
        query = query.where(AuditEvent.actor_id == int(actor))
    action = args.get("action", "").strip()[:48]
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    since, until = _date(args.get("since")), _date(args.get("until"))
    if since:
        query = query.where(AuditEvent.created_at >= since)
    if until:
        query = query.where(AuditEvent.created_at < until + timedelta(days=1))
    return query


@bp.get("/")
@require_role("admin")
def page():
    """The log, newest first, filterable."""
    db = get_session()
    events = db.scalars(_filtered().limit(PAGE)).all()
    people = db.scalars(select(Person).order_by(Person.name)).all()
    actions = db.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return render_template("staff/audit.html", events=events, people=people, actions=actions,
                           args=request.args, limit=PAGE)


@bp.get("/export.jsonl")
@require_role("admin")
def export():
    """The filtered log as JSON lines, one event per line, oldest first."""
    rows = get_session().scalars(_filtered().order_by(None).order_by(AuditEvent.id)).all()
    body = "".join(json.dumps({
        "id": e.id, "at": e.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "actor_id": e.actor_id,
        "actor": e.actor, "action": e.action, "object_type": e.object_type,
        "object_id": e.object_id, "detail": e.detail}, ensure_ascii=False) + "\n" for e in rows)
    return Response(body, mimetype="application/jsonl", headers={
        "Content-Disposition": 'attachment; filename="candor-audit.jsonl"'})
