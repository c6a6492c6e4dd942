"""What is wrong with this hub, in words: the checks behind ``candor doctor`` and
``/staff/health``, and the readiness probe ``/readyz``.

Each check answers with a status (ok, warn, fail), one sentence of what it found and, when
something is wrong, one sentence of what to do. They read the database and the instance
folder only, so the page and the command agree wherever they run.
"""

from __future__ import annotations

import ipaddress
import json
import shutil
import smtplib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import func, select, text

from ..db import read_only, session_scope, utcnow
from ..models import Effect, SearchOutbox
from ..text import duration
from . import records

OK, WARN, FAIL = "ok", "warn", "fail"
GIB = 1 << 30
OUTBOX_WARN = timedelta(minutes=5)
OUTBOX_FAIL = timedelta(hours=1)
BUILD_STALE = timedelta(days=2)
BACKUP_UNSCHEDULED_STALE = timedelta(days=7)
GAVE_UP_WINDOW = timedelta(days=7)


@dataclass
class Check:
    name: str
    status: str
    found: str
    todo: str = ""


def _engine():
    return current_app.extensions["candor_engine"]


# --- configuration ---------------------------------------------------------------------------


def check_secret() -> Check:
    config = current_app.config
    if config.get("EPHEMERAL_SECRET") or not config.get("SECRET_KEY"):
        return Check("Secret key", FAIL, "No secret key is set: every restart logs staff out "
                     "and invalidates manage links.",
                     "Run `candor init` (it writes instance/secret_key) or set "
                     "CANDOR_SECRET_KEY.")
    if len(config["SECRET_KEY"]) < 32:
        return Check("Secret key", WARN, "The secret key is shorter than 32 characters, easy "
                     "to guess.", "Set CANDOR_SECRET_KEY to a long random value "
                     "(`python -c 'import secrets; print(secrets.token_urlsafe(48))'`).")
    return Check("Secret key", OK, "A secret key is set.")


def check_public_url(probe: bool = True) -> Check:
    url = current_app.config["PUBLIC_URL"]
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return Check("Public URL", FAIL, f"CANDOR_PUBLIC_URL={url!r} is not an http(s) address: "
                     "links in mail and feeds are broken.",
                     "Set CANDOR_PUBLIC_URL to the address readers use, e.g. "
                     "https://hub.example.com.")
    local = parts.hostname in {"localhost"} or _is_loopback(parts.hostname)
    if not probe:
        return Check("Public URL", OK, f"Links point to {url} (not probed).")
    try:
        with urllib.request.urlopen(url + "/readyz", timeout=3) as response:  # noqa: S310 — admin's own URL
            answer = json.loads(response.read(4096) or b"{}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Check("Public URL", WARN, f"{url} did not answer ({reason}): links in mail and "
                     "feeds lead nowhere, or the hub is not running.",
                     "Start the hub, or set CANDOR_PUBLIC_URL to the address readers use.")
    if answer.get("instance") != instance_id():
        return Check("Public URL", FAIL, f"{url} answers, but it is another Candor (or not "
                     "Candor at all): links in mail lead to the wrong hub.",
                     "Set CANDOR_PUBLIC_URL to this hub's own address.")
    if parts.scheme == "http" and not local:
        return Check("Public URL", WARN, f"{url} reaches this hub over plain HTTP: staff "
                     "passwords cross the network readable.",
                     "Serve the hub over HTTPS and set CANDOR_PUBLIC_URL to the https:// address.")
    return Check("Public URL", OK, f"{url} reaches this hub.")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def instance_id() -> str:
    """A random id for this hub, kept in the database, so a probe can tell it is talking to
    itself (shown by ``/readyz``; it reveals nothing else)."""
    import secrets

    from ..models import Setting

    with session_scope(read_only(_engine())) as session:
        row = session.get(Setting, records.INSTANCE)
    if row is not None:
        return row.value
    with session_scope(_engine()) as session:  # the first probe: made once
        row = session.get(Setting, records.INSTANCE) or Setting(
            key=records.INSTANCE, value=secrets.token_hex(8))
        session.add(row)
        return row.value


def check_mail(test_to: str | None = None) -> Check:
    config = current_app.config
    url = config.get("SMTP_URL")
    if not url:
        return Check("Mail", WARN, "Mail is off (no CANDOR_SMTP_URL): staff hear of new "
                     "questions only in the queue, askers get no answers by mail, no digest.",
                     "Set CANDOR_SMTP_URL=smtp://host:port (smtp+starttls:// for TLS).")
    parts = urlsplit(url)
    try:
        with smtplib.SMTP(parts.hostname or "", parts.port or 25, timeout=5) as smtp:
            smtp.noop()
    except (OSError, smtplib.SMTPException) as exc:
        return Check("Mail", FAIL, f"The mail server {parts.hostname}:{parts.port or 25} does "
                     f"not answer ({type(exc).__name__}): no mail goes out.",
                     "Check CANDOR_SMTP_URL and that the server accepts connections from here.")
    if test_to:
        import uuid

        from ..effects.mail import Mail, MailError, send

        try:  # the operator waits for this one: sent now, not through the outbox
            send(Mail(test_to, "Candor test mail", "This is a test mail from candor doctor.\n",
                      "test mail"), uuid.uuid4().hex)
        except MailError as exc:
            return Check("Mail", FAIL, f"The test mail was refused: {exc}.",
                         "Check the SMTP account and CANDOR_MAIL_FROM.")
        return Check("Mail", OK, f"The mail server answers; a test mail went to {test_to}.")
    if config.get("MAIL_FROM", "").endswith("@localhost"):
        return Check("Mail", WARN, f"Mail goes out from {config['MAIL_FROM']}, which other "
                     "servers reject or file as spam.",
                     "Set CANDOR_MAIL_FROM to an address of your domain.")
    return Check("Mail", OK, f"The mail server {parts.hostname} answers.")


def check_proxies() -> Check:
    proxies = current_app.extensions.get("candor_proxies", ())
    wide = [n for n in proxies if n.prefixlen < (8 if n.version == 4 else 32) or
            not n.is_private and not n.is_loopback]
    if wide:
        return Check("Proxies", FAIL, f"CANDOR_TRUSTED_PROXIES trusts {wide[0]}, public "
                     "addresses: anyone there can claim any client address and dodge rate "
                     "limits.", "List only your reverse proxies' addresses.")
    if has_request_context() and request.headers.get("X-Forwarded-For") and not any(
            _in(request.remote_addr, n) for n in proxies):
        return Check("Proxies", WARN, f"This request came through a proxy at "
                     f"{request.remote_addr} that is not trusted: every reader counts as that "
                     "proxy, so one busy reader rate-limits all.",
                     f"Add {request.remote_addr} to CANDOR_TRUSTED_PROXIES.")
    if proxies:
        return Check("Proxies", OK, "X-Forwarded-For is believed from "
                     f"{', '.join(map(str, proxies))}.")
    return Check("Proxies", OK, "No proxy is trusted: client addresses are the connections'.")


def _in(addr: str | None, net) -> bool:
    try:
        return ipaddress.ip_address(addr or "") in net
    except ValueError:
        return False


# --- data and derived state ------------------------------------------------------------------


def check_migrations() -> Check:
    from alembic.script import ScriptDirectory

    from ..migrate import alembic_config
    from .database import revision

    url = current_app.config["DATABASE_URL"]
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    current = revision(url)
    if current in heads:
        return Check("Database schema", OK, f"The database is at the newest schema ({current}).")
    return Check("Database schema", FAIL, f"The database is at {current or 'no schema'}, the "
                 f"code expects {', '.join(sorted(heads))}: pages will fail.",
                 "Run `candor init` (it migrates; back up first with `candor backup`).")


def outbox_lag() -> tuple[int, timedelta | None]:
    with session_scope(read_only(_engine())) as session:
        waiting, oldest = session.execute(
            select(func.count(), func.min(SearchOutbox.created_at))
            .where(SearchOutbox.done_at.is_(None))).one()
    return int(waiting), (utcnow() - oldest) if oldest else None


def check_search() -> Check:
    waiting, age = outbox_lag()
    if not waiting:
        return Check("Search index", OK, "The search index is up to date.")
    return _backlog("Search index", age,
                    f"{waiting:,} change(s) wait to be indexed, the oldest for {duration(age)}",
                    "search shows stale results", "Make sure `candor serve` or `candor worker` "
                    "runs (one process indexes); `candor reindex` rebuilds the index.")


def _backlog(name: str, age: timedelta, words: str, late: str, fix: str) -> Check:
    """Work waiting ``age``: normal for a moment after writes, a warning, then a failure."""
    if age >= OUTBOX_FAIL:
        return Check(name, FAIL, f"{words}: {late}.", fix)
    if age >= OUTBOX_WARN:
        return Check(name, WARN, f"{words}.", "If it keeps growing, check the log of the "
                     "process that runs the jobs.")
    return Check(name, OK, f"{words} (normal right after writes).")


def effects_lag() -> tuple[int, timedelta | None, int, str]:
    """Effects (mails, webhook deliveries, rebuilds) waiting, the oldest's age, and how many
    were given up in the last week with the newest reason."""
    week = utcnow() - GAVE_UP_WINDOW
    with session_scope(read_only(_engine())) as session:
        waiting, oldest = session.execute(
            select(func.count(), func.min(Effect.created_at))
            .where(Effect.done_at.is_(None))).one()
        given_up = session.execute(
            select(Effect.last_error).where(Effect.done_at >= week, Effect.last_error != "")
            .order_by(Effect.done_at.desc())).scalars().all()
    return (int(waiting), (utcnow() - oldest) if oldest else None, len(given_up),
            given_up[0] if given_up else "")


def check_effects() -> Check:
    waiting, age, given_up, reason = effects_lag()
    if given_up:
        return Check("Mail and webhooks", FAIL, f"{given_up} mail(s) or event(s) were given up "
                     f"in the last week after a day of retries (last: {reason}).",
                     "Fix what the error names (often the SMTP server); `candor doctor "
                     "--test-mail you@example.com` checks mail.")
    if not waiting:
        return Check("Mail and webhooks", OK, "Nothing waits in the outbox.")
    return _backlog("Mail and webhooks", age,
                    f"{waiting:,} effect(s) (mails, events) wait, the oldest for {duration(age)}",
                    "mails go out late or not at all", "Make sure `candor serve` or `candor "
                    "worker` runs (the leader sends them) and that the SMTP server answers.")


def check_build() -> Check:
    site = Path(current_app.config["SITE"])
    with session_scope(read_only(_engine())) as session:
        last = records.read(session, records.BUILD) or {}
    if not site.exists():
        return Check("Static site", FAIL, f"No site is built at {site}: readers get 404.",
                     "Run `candor build`.")
    if last.get("last_error") and last.get("last_run") == last.get("last_failure"):
        return Check("Static site", FAIL, f"The last build failed {_ago(last['last_failure'])}: "
                     f"{last['last_error']}. Readers see the previous build.",
                     "Fix what the error names, then run `candor build`.")
    success = records.when(last.get("last_success"))
    if success is None:
        return Check("Static site", OK, "A site is built (no build recorded since the upgrade).")
    if utcnow() - success > BUILD_STALE:
        return Check("Static site", WARN, f"The site was last built {_ago(last['last_success'])}"
                     ": the transparency figures on it are stale.",
                     "Run `candor build` daily (cron), or keep CANDOR_AUTO_BUILD=1.")
    return Check("Static site", OK, f"The site was built {_ago(last['last_success'])} "
                 f"in {last.get('seconds', 0):.1f}s.")


def check_jobs() -> Check:
    with session_scope(read_only(_engine())) as session:
        runs = records.jobs(session)
    if not runs:
        return Check("Jobs", WARN, "No scheduled job has run yet: reminders, webhooks and "
                     "backups wait.", "Run `candor serve` or `candor worker`.")
    failing = {name: r for name, r in runs.items() if r.get("failures")}
    if failing:
        name, run = next(iter(sorted(failing.items())))
        last_ok = f"last succeeded {_ago(run['last_success'])}" if run.get("last_success") \
            else "has never succeeded"
        return Check("Jobs", FAIL, f"{len(failing)} job(s) failing. {name} failed "
                     f"{run['failures']} time(s) in a row ({run.get('last_error')}); it "
                     f"{last_ok}.", "Fix what the error names; the job retries at its next tick.")
    newest = ", ".join(f"{n} {_ago(r['last_success'])}" for n, r in sorted(runs.items()))
    return Check("Jobs", OK, f"Every job's last run succeeded: {newest}.")


def check_disk() -> list[Check]:
    config = current_app.config
    minimum = int(config.get("DISK_MIN_FREE", GIB))
    checks = []
    for label, folder in [("instance", Path(config["INSTANCE"])),
                          ("site", Path(config["SITE"]).absolute().parent)]:
        usage = shutil.disk_usage(_existing(folder))
        free = f"{usage.free / GIB:.1f} GB free of {usage.total / GIB:.0f} GB"
        if usage.free < minimum:
            checks.append(Check(f"Disk ({label})", FAIL, f"{free} under {folder}: writes and "
                                "builds will fail when it runs out.",
                                "Free space (old backups, logs) or move the folder to a larger "
                                "disk."))
        elif usage.free < 4 * minimum or usage.free < usage.total * 0.1:
            checks.append(Check(f"Disk ({label})", WARN, f"{free} under {folder}.",
                                "Plan for more space."))
        else:
            checks.append(Check(f"Disk ({label})", OK, f"{free} under {folder}."))
    return checks


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_backup() -> Check:
    from ..leads.digest import parse_span

    config = current_app.config
    with session_scope(read_only(_engine())) as session:
        last = records.read(session, records.BACKUP)
    every = parse_span(config["BACKUP_EVERY"]) if config.get("BACKUP_EVERY") else None
    if not last:
        return Check("Backups", WARN if every else FAIL, "No backup has been made.",
                     "Run `candor backup` now, and set CANDOR_BACKUP_EVERY=1d for daily ones.")
    age = utcnow() - records.when(last["at"])
    limit = 2 * every if every else BACKUP_UNSCHEDULED_STALE
    words = f"The last backup was made {duration(age)} ago ({last['path']}, " \
            f"{last['size'] / 1e6:.1f} MB)"
    if age > limit:
        return Check("Backups", FAIL, f"{words}: more than {duration(limit)} of work would "
                     "be lost.", "Run `candor backup`; set CANDOR_BACKUP_EVERY=1d so the job "
                     "scheduler makes them.")
    if not every:
        return Check("Backups", WARN, f"{words}; none are scheduled.",
                     "Set CANDOR_BACKUP_EVERY=1d (and copy the backup folder off this machine).")
    return Check("Backups", OK, f"{words}.")


def _ago(iso: str | None) -> str:
    when = records.when(iso)
    return f"{duration(utcnow() - when)} ago" if when else "never"


CHECKS: list[Callable[[], Check | list[Check]]] = [
    check_secret, check_migrations, check_search, check_effects, check_build, check_jobs,
    check_disk, check_backup, check_proxies]


def run_checks(*, probe: bool = True, test_mail: str | None = None) -> list[Check]:
    """Every check, configuration first (in an app context)."""
    found = [check_public_url(probe), check_mail(test_mail)]
    for check in CHECKS:
        try:
            result = check()
        except Exception as exc:  # one broken check must not hide the others
            name = check.__name__.removeprefix("check_").replace("_", " ").capitalize()
            result = Check(name, FAIL, f"The check itself failed: {type(exc).__name__}: "
                           f"{str(exc).splitlines()[0] if str(exc) else ''}",
                           "Is the database reachable? `candor doctor` says more.")
        found.extend(result if isinstance(result, list) else [result])
    return found


def shared_state() -> dict[str, float | None]:
    """The figures ``/metrics`` reads from the database at each scrape."""
    waiting, age = outbox_lag()
    effects_waiting, effects_age, given_up, _reason = effects_lag()
    with session_scope(read_only(_engine())) as session:
        build = records.read(session, records.BUILD) or {}
        backup = records.read(session, records.BACKUP) or {}
    now = utcnow()
    success = records.when(build.get("last_success"))
    backed = records.when(backup.get("at"))
    return {
        "candor_search_outbox_waiting": waiting,
        "candor_search_outbox_oldest_seconds": age.total_seconds() if age else 0.0,
        "candor_effects_waiting": effects_waiting,
        "candor_effects_oldest_seconds": effects_age.total_seconds() if effects_age else 0.0,
        "candor_effects_given_up_week": given_up,
        "candor_last_build_age_seconds": (now - success).total_seconds() if success else None,
        "candor_last_build_failed": float(bool(build.get("failures"))) if build else None,
        "candor_last_backup_age_seconds": (now - backed).total_seconds() if backed else None,
    }


# --- probes ----------------------------------------------------------------------------------


def readyz():
    """Readiness: 200 when the database answers, else 503 (take this node out of rotation)."""
    try:
        ident = instance_id()
        with _engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not ready"
        return {"status": "unavailable",
                "reason": f"database unreachable: {type(exc).__name__}"}, 503
    return {"status": "ok", "instance": ident}


def init_app(app: Flask) -> None:
    app.add_url_rule("/readyz", "readyz", readyz)
