"""``candor doctor`` and the admin's ``/staff/health`` page: the same checks, in words."""

from __future__ import annotations

import sys

import click
from flask import Blueprint, render_template
from flask.cli import with_appcontext
from markupsafe import Markup, escape

from ..staff.auth import require_role
from .health import FAIL, OK, WARN, run_checks

bp = Blueprint("health", __name__)
_MARK = {OK: "ok  ", WARN: "warn", FAIL: "FAIL"}


@click.command("doctor")
@click.option("--test-mail", metavar="ADDRESS", help="Also send a test mail to ADDRESS.")
@click.option("--no-probe", is_flag=True, help="Do not request CANDOR_PUBLIC_URL.")
@with_appcontext
def doctor_command(test_mail: str | None, no_probe: bool) -> None:
    """Check configuration, schema, index, builds, jobs, disk and backups; say what to do."""
    checks = run_checks(probe=not no_probe, test_mail=test_mail)
    for check in checks:
        colour = {OK: "green", WARN: "yellow", FAIL: "red"}[check.status]
        click.echo(f"{click.style(_MARK[check.status], fg=colour)}  {check.name}: {check.found}")
        if check.todo:
            click.echo(f"      → {check.todo}")
    failed = sum(c.status == FAIL for c in checks)
    warned = sum(c.status == WARN for c in checks)
    click.echo(f"{failed} problem(s), {warned} warning(s).")
    if failed:
        sys.exit(1)


@bp.app_template_filter("codespans")
def codespans(words: str) -> Markup:
    """`command` in a check's words → <code>command</code>, everything else escaped."""
    parts = str(escape(words)).split("`")
    return Markup("".join(  # noqa: S704 — every part was escaped above
        f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)))


@bp.get("/staff/health")
@require_role("admin")
def health_page():
    """Every check, problems first."""
    checks = run_checks()
    order = {FAIL: 0, WARN: 1, OK: 2}
    checks.sort(key=lambda c: order[c.status])
    return render_template("staff/health.html", checks=checks,
                           failed=sum(c.status == FAIL for c in checks),
                           warned=sum(c.status == WARN for c in checks))
