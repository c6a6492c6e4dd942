"""The admins' staff page: invite people by email, change their roles, disable or enable them.

The same rules as ``candor staff …`` (``people.py``); changing roles or access asks for a
recent sign-in, and every change lands in the audit log.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import signals
from ..db import get_or_404, get_session
from ..effects.outbox import emit
from ..models import ROLES, Person
from ..security import check_csrf
from . import audit
from .auth import require_role
from .invites import invite
from .models import Passkey, StaffSession
from .people import PeopleError, add_person, disable_person, parse_roles
from .sessions import require_recent

bp = Blueprint("directory", __name__, url_prefix="/staff/people")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _page(error: str | None = None, form: dict | None = None, status: int = 200):
    db = get_session()
    people = db.scalars(select(Person).options(selectinload(Person.topics))
                        .order_by(Person.active.desc(), Person.name)).all()
    seen = dict(db.execute(select(StaffSession.person_id, func.max(StaffSession.last_seen_at))
                           .group_by(StaffSession.person_id)).all())
    passkeys = set(db.scalars(select(Passkey.person_id).distinct()))
    notice = session.pop("directory_notice", None)
    return render_template("staff/people.html", people=people, seen=seen, passkeys=passkeys,
                           roles=ROLES, error=error, form=form or {}, notice=notice), status


@bp.get("/")
@require_role("admin")
def index():
    """Everyone with an account: roles, second factor, last seen, status."""
    return _page()


@bp.post("/invite")
@require_role("admin")
def invite_person():
    """Create an account without a password and mail the person a link to set one."""
    check_csrf()
    form = {k: request.form.get(k, "")[:300] for k in ("name", "email", "job_title")}
    roles = ",".join(r for r in request.form.getlist("roles") if r in ROLES)
    db = get_session()
    try:
        person = add_person(db, name=form["name"], email=form["email"], password=None,
                            job_title=form["job_title"], roles=roles or "staff")
        db.flush()
        audit.record(db, "person.invite", "person", person.id, f"roles={person.roles}")
    except PeopleError as exc:
        db.rollback()
        return _page(str(exc)[:300], form, 400)
    emit(db, signals.people_changed, id=person.id)
    url = invite(db, person)  # commits
    session["directory_notice"] = (f"Invited {person.name}. The link was mailed to "
                                   f"{person.email}; it works once, within 7 days: {url}")
    return redirect(url_for("directory.index"), 303)


@bp.post("/<int:person_id>/roles")
@require_role("admin")
@require_recent
def set_roles(person_id: int):
    """Change a person's roles; they apply from that person's next request."""
    check_csrf()
    person = get_or_404(Person, person_id)
    try:
        roles = parse_roles(",".join(request.form.getlist("roles")))
    except PeopleError as exc:
        return _page(str(exc), status=400)
    if person.id == current_user.id and "admin" not in roles:
        return _page("You cannot take the admin role from yourself; ask another admin.",
                     status=400)
    db = get_session()
    before = person.roles
    person.roles = roles
    audit.record(db, "person.roles", "person", person.id, f"{before} -> {roles}")
    emit(db, signals.people_changed, id=person.id)
    db.commit()
    session["directory_notice"] = f"{person.name} now has the roles {roles.replace(',', ', ')}."
    return redirect(url_for("directory.index"), 303)


@bp.post("/<int:person_id>/access")
@require_role("admin")
@require_recent
def set_access(person_id: int):
    """Disable an account (its sessions and API tokens stop at once) or enable it again."""
    check_csrf()
    person = get_or_404(Person, person_id)
    action = request.form.get("action")
    if action not in ("disable", "enable"):
        abort(400, "Choose disable or enable.")
    if person.id == current_user.id:
        return _page("You cannot disable your own account.", status=400)
    db = get_session()
    if action == "disable":
        moved = disable_person(db, person)
        notice = (f"Disabled {person.name}: signed out everywhere, API tokens revoked, "
                  f"{moved} open question(s) back in their topics' queues.")
    else:
        person.active = True
        notice = f"Enabled {person.name}. Their old API tokens stay revoked."
    audit.record(db, f"person.{action}", "person", person.id)
    emit(db, signals.people_changed, id=person.id)
    db.commit()
    session["directory_notice"] = notice
    return redirect(url_for("directory.index"), 303)
