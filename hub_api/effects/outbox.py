"""One outbox for every after-write effect: written with the change, carried out by the leader.

A view calls ``emit(session, signal, id=…)`` before it commits: the event becomes an
``effects`` row in the same transaction, so it commits with the change or not at all. After
the commit the signal is also sent in this process (caches forget at once) and the leader is
woken. The leader expands each event in one transaction — the handlers registered with
``on(signal)`` add mails (``queue_mail``), webhook deliveries and build requests — and marks it
done in that same transaction, so an event is expanded exactly once. Then it sends each mail
outside any transaction and marks it done afterwards: a crash in between sends it again with
the same Message-ID (at least once, recognisably the same message). Search entries keep their
own outbox (``search/outbox.py``), written the same way and drained by the elected indexer.

Why our own table, not a queue library: the effect must commit in the application's own
transaction (SQLite on one machine, PostgreSQL across nodes); a queue in Redis cannot join it,
and procrastinate is PostgreSQL-only while SQLite must keep working with no extra service.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from blinker import NamedSignal
from flask import Flask, current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..db import read_only, session_scope, utcnow
from ..models import Effect
from .mail import Mail, MailError, send

log = logging.getLogger(__name__)

BATCH = 50
ROUNDS = 20  # batches per drain, so one drain cannot run for ever
FIRST_RETRY = 30  # seconds; doubles each attempt
MAX_RETRY = 3600
GIVE_UP_AFTER = timedelta(days=1)
KEEP_DONE = timedelta(days=7)

Handler = Callable[..., None]  # handler(app, session, **signal_kwargs)


def on(app: Flask, signal: NamedSignal, handler: Handler) -> None:
    """Run ``handler(app, session, **kwargs)`` on the leader for each ``signal`` emitted."""
    app.extensions.setdefault("candor_effects", {}).setdefault(signal.name, []).append(handler)


def _key() -> str:
    return uuid.uuid4().hex


def emit(session: Session, signal: NamedSignal, **kwargs: int | str | None) -> None:
    """Record ``signal`` in ``session``'s transaction; it is sent here after the commit."""
    session.add(Effect(kind="event", key=_key(),
                       payload=json.dumps({"signal": signal.name, **kwargs})))
    session.info.setdefault("candor_signals", []).append(
        (current_app._get_current_object(), signal, kwargs))


def queue_mail(session: Session, mail: Mail) -> bool:
    """Send ``mail`` after commit (through the leader); ``False`` when mail is off."""
    if not current_app.config.get("SMTP_URL"):
        log.info("mail off (no CANDOR_SMTP_URL): %s not sent", mail.purpose)
        return False
    session.add(Effect(kind="mail", key=_key(), payload=json.dumps(mail.to_dict())))
    session.info.setdefault("candor_wake", set()).add(current_app._get_current_object())
    return True


# --- after commit, in the process that wrote ------------------------------------------------


def _after_commit(session: Session) -> None:
    pending = session.info.pop("candor_signals", None) or []
    wake = session.info.pop("candor_wake", set())
    for app, signal, kwargs in pending:
        signal.send(app, **kwargs)
    from .jobs import scheduler
    for app in wake | {app for app, _s, _k in pending}:
        if app.config.get("EFFECTS_SYNC", app.config.get("TESTING", False)):
            drain(app)  # tests: carried out before the request returns
        else:
            scheduler(app).nudge("outbox")


def _after_rollback(session: Session, _previous) -> None:
    session.info.pop("candor_signals", None)
    session.info.pop("candor_wake", None)


def init_app(app: Flask) -> None:
    from sqlalchemy import event

    from .jobs import scheduler
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
    scheduler(app).add("outbox", app.config.get("OUTBOX_POLL", 1.0), drain)


# --- on the leader ----------------------------------------------------------------------------


def drain(app: Flask, now: datetime | None = None) -> int:
    """Expand due events, then send due mails; returns how many effects were handled."""
    engine = app.extensions["candor_engine"]
    handled = 0
    for _round in range(ROUNDS):  # an expanded event's mails are due in the next round
        at = now or utcnow()
        with session_scope(read_only(engine)) as session:
            due = session.execute(select(Effect.id, Effect.kind).where(
                Effect.done_at.is_(None), Effect.due_at <= at).order_by(Effect.id)
                .limit(BATCH)).all()
        if not due:
            break
        for effect_id, kind in due:
            if kind == "event":
                _expand(app, effect_id, at)
            else:
                _send_mail(app, effect_id, at)
        handled += len(due)
    if handled:
        with session_scope(engine) as session:
            session.execute(delete(Effect).where(Effect.done_at < utcnow() - KEEP_DONE))
    return handled


def _expand(app: Flask, effect_id: int, now: datetime) -> None:
    engine = app.extensions["candor_engine"]
    try:
        with app.app_context(), session_scope(engine) as session:
            effect = session.get(Effect, effect_id)
            if effect is None or effect.done_at is not None:
                return
            data = json.loads(effect.payload)
            name = data.pop("signal")
            for handler in app.extensions.get("candor_effects", {}).get(name, []):
                handler(app, session, **data)
            effect.done_at = now
    except Exception as exc:  # the event stays; it is expanded again after a pause
        log.exception("expanding effect %s failed", effect_id)
        _retry(engine, effect_id, now, exc)


def _send_mail(app: Flask, effect_id: int, now: datetime) -> None:
    engine = app.extensions["candor_engine"]
    with session_scope(read_only(engine)) as session:
        effect = session.get(Effect, effect_id)
        if effect is None or effect.done_at is not None:
            return
        mail, key = Mail.from_dict(json.loads(effect.payload)), effect.key
    try:  # no transaction is open while the SMTP server talks
        with app.app_context():
            send(mail, key)
    except MailError as exc:
        log.error("mail failed: %s", exc)
        _retry(engine, effect_id, now, exc)
        return
    with session_scope(engine) as session:
        effect = session.get(Effect, effect_id)
        if effect is not None:
            effect.done_at, effect.payload, effect.last_error = utcnow(), "", ""


def _retry(engine, effect_id: int, now: datetime, exc: Exception) -> None:
    with session_scope(engine) as session:
        effect = session.get(Effect, effect_id)
        if effect is None:
            return
        effect.attempts += 1
        effect.last_error = f"{type(exc).__name__}: {exc}"[:200]
        if now - effect.created_at >= GIVE_UP_AFTER:
            effect.done_at, effect.payload = now, ""
            log.error("effect %s given up after %d attempts", effect_id, effect.attempts)
        else:
            delay = min(FIRST_RETRY * 2 ** (effect.attempts - 1), MAX_RETRY)
            effect.due_at = now + timedelta(seconds=delay)


def forget_mail_to(session: Session, addresses: Iterable[str]) -> int:
    """Empty the mails still waiting to go to ``addresses`` (their owner erased what they
    gave, as ``privacy/personal_data.py`` promises); the caller commits. Returns how many."""
    wanted = {a.strip().lower() for a in addresses if a}
    if not wanted:
        return 0
    waiting = session.scalars(select(Effect).where(Effect.kind == "mail",
                                                   Effect.done_at.is_(None)))
    dropped = [e for e in waiting if json.loads(e.payload or "{}").get("to", "").lower() in wanted]
    for effect in dropped:
        effect.done_at, effect.payload, effect.last_error = utcnow(), "", "erased unsent"
    return len(dropped)


def pending(app: Flask) -> int:
    """How many effects wait (for tests and ``candor doctor``)."""
    with session_scope(read_only(app.extensions["candor_engine"])) as session:
        return len(session.scalars(select(Effect.id).where(Effect.done_at.is_(None))).all())
