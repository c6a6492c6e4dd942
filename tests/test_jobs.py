"""Background jobs: registered by their capabilities, run when due, failures contained."""

from datetime import timedelta

from sqlalchemy import select

from hub_api.db import session_scope, utcnow
from hub_api.effects.jobs import scheduler
from hub_api.models import NotificationEmail

from .conftest import ask


def test_jobs_run_when_due_and_purge_unconfirmed_emails(app, client, people):
    jobs = scheduler(app)
    assert {"webhooks", "purge-unconfirmed"} <= set(jobs.jobs)
    ask(client, email="pat@example.com")
    engine = app.extensions["candor_engine"]
    with session_scope(engine) as s:
        (opt_in,) = s.scalars(select(NotificationEmail)).all()
        opt_in.created_at = utcnow() - timedelta(hours=49)
    jobs.run_due()
    with session_scope(engine) as s:
        assert s.scalars(select(NotificationEmail)).all() == []


def test_a_failing_job_is_contained_and_retried(app):
    jobs = scheduler(app)
    calls = []

    def broken(_app):
        calls.append(1)
        raise RuntimeError("boom")

    jobs.add("broken", 0, broken)
    jobs.run_due()
    jobs.run_due()
    assert len(calls) == 2 and jobs.jobs["broken"].last_error == "RuntimeError: boom"
