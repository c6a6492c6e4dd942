"""``candor doctor`` and ``/staff/health``: each problem induced for real, and said in words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import insert

from hub_api.db import session_scope, set_clock, utcnow
from hub_api.effects.jobs import scheduler
from hub_api.migrate import alembic_config, upgrade
from hub_api.models import SearchOutbox
from hub_api.operations.backup import make_backup
from hub_api.operations.health import FAIL, OK, WARN, run_checks
from hub_api.site.builder import BuildError, build_site

from .conftest import LiveServer, free_port, login, make_test_app, seed_people


def _make(tmp_path, url: str | None = None, **extra):
    if url is None:
        url = f"sqlite:///{tmp_path / 'instance' / 'candor.db'}"
        upgrade(url)
    gen = make_test_app(tmp_path, url, **extra)
    return gen, next(gen)


@pytest.fixture
def hub(tmp_path):
    gen, app = _make(tmp_path)
    seed_people(app)
    yield app
    gen.close()


def check(app, name: str, **kwargs):
    with app.app_context():
        found = [c for c in run_checks(probe=kwargs.pop("probe", False), **kwargs)
                 if c.name.startswith(name)]
    assert found, name
    return found[0]


def test_secret_key(tmp_path):
    gen, app = _make(tmp_path, SECRET_KEY="")
    c = check(app, "Secret key")
    assert c.status == FAIL and "candor init" in c.todo
    gen.close()
    gen, app = _make(tmp_path, SECRET_KEY="short")
    assert check(app, "Secret key").status == WARN
    gen.close()


def test_public_url_reachable_and_this_hub(tmp_path, hub):
    closed = free_port()
    hub.config["PUBLIC_URL"] = f"http://127.0.0.1:{closed}"
    c = check(hub, "Public URL", probe=True)
    assert c.status == WARN and "did not answer" in c.found
    with LiveServer(hub) as server:
        hub.config["PUBLIC_URL"] = server.url
        assert check(hub, "Public URL", probe=True).status == OK
    gen, other = _make(tmp_path / "other")
    with LiveServer(other) as server:
        hub.config["PUBLIC_URL"] = server.url
        c = check(hub, "Public URL", probe=True)
        assert c.status == FAIL and "another Candor" in c.found
    gen.close()
    hub.config["PUBLIC_URL"] = "ftp://hub.example.com"
    assert check(hub, "Public URL").status == FAIL


def test_mail(hub, smtp):
    c = check(hub, "Mail")
    assert c.status == WARN and "CANDOR_SMTP_URL" in c.todo
    hub.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    c = check(hub, "Mail")
    assert c.status == FAIL and "does not answer" in c.found
    hub.config["SMTP_URL"] = smtp.url
    assert check(hub, "Mail").status == WARN  # from candor@localhost
    c = check(hub, "Mail", test_mail="admin@example.com")
    assert c.status == OK and "test mail went to admin@example.com" in c.found
    assert smtp.box.messages[-1]["Subject"] == "Candor test mail"


def test_proxies(tmp_path):
    gen, app = _make(tmp_path, TRUSTED_PROXIES="0.0.0.0/0")
    c = check(app, "Proxies")
    assert c.status == FAIL and "public" in c.found
    gen.close()
    gen, app = _make(tmp_path / "b", TRUSTED_PROXIES="10.0.0.0/8")
    seed_people(app)
    client = app.test_client()
    login(client, "dana@example.com")
    page = client.get("/staff/health", headers={"X-Forwarded-For": "203.0.113.9"})
    assert "not trusted" in page.text and "Add 127.0.0.1 to CANDOR_TRUSTED_PROXIES" in page.text
    gen.close()


def test_pending_migration(hub):
    url = hub.config["DATABASE_URL"]
    command.downgrade(alembic_config(url), "-1")
    c = check(hub, "Database schema")
    assert c.status == FAIL and "candor init" in c.todo
    upgrade(url)
    assert check(hub, "Database schema").status == OK


def test_search_lag(hub):
    assert check(hub, "Search index").status == OK
    engine = hub.extensions["candor_engine"]
    with session_scope(engine) as session:
        session.execute(insert(SearchOutbox), [
            {"kind": "thread", "ref": "1", "created_at": utcnow() - timedelta(minutes=10)}])
    c = check(hub, "Search index")
    assert c.status == WARN and "1 change(s) wait" in c.found
    with session_scope(engine) as session:
        session.execute(insert(SearchOutbox), [
            {"kind": "thread", "ref": "2", "created_at": utcnow() - timedelta(hours=3)}])
    c = check(hub, "Search index")
    assert c.status == FAIL and "2 change(s) wait" in c.found and "3 h" in c.found


def test_effects_outbox(hub):
    """A mail to a dead SMTP server waits, ages, and is given up after a day, for real."""
    from sqlalchemy import update

    from hub_api.effects.mail import Mail
    from hub_api.effects.outbox import drain, queue_mail
    from hub_api.models import Effect

    assert check(hub, "Mail and webhooks").status == OK
    hub.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    engine = hub.extensions["candor_engine"]
    with hub.test_request_context(), session_scope(engine) as session:
        assert queue_mail(session, Mail("a@example.com", "Hi", "Body", "test"))
    c = check(hub, "Mail and webhooks")
    assert c.status == OK and "1 effect(s)" in c.found
    for minutes, status in [(10, WARN), (180, FAIL)]:
        with session_scope(engine) as session:
            session.execute(update(Effect).values(
                created_at=utcnow() - timedelta(minutes=minutes)))
        c = check(hub, "Mail and webhooks")
        assert c.status == status and "wait, the oldest for" in c.found
    drain(hub, now=utcnow() + timedelta(days=2))  # the SMTP server refuses; a day has passed
    c = check(hub, "Mail and webhooks")
    assert c.status == FAIL and "given up" in c.found and "ConnectionRefusedError" in c.found
    metrics = hub.test_client().get("/metrics").text
    assert "candor_effects_given_up_week 1.0" in metrics
    assert "candor_effects_waiting 0.0" in metrics


def test_builds(hub, tmp_path):
    c = check(hub, "Static site")
    assert c.status == FAIL and "candor build" in c.todo
    past = utcnow() - timedelta(days=3)
    set_clock(lambda: past)
    try:
        build_site(hub.config)
    finally:
        set_clock(None)
    c = check(hub, "Static site")
    assert c.status == WARN and "3 days ago" in c.found
    build_site(hub.config)
    assert check(hub, "Static site").status == OK
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "pelicanconf.py").write_text("SITENAME = 'x'\n")
    (broken / "publishconf.py").write_text("from pelicanconf import *\nTHEME = (\n")
    with pytest.raises(BuildError):
        build_site({**hub.config, "PELICANCONF": broken / "pelicanconf.py"})
    c = check(hub, "Static site")
    assert c.status == FAIL and "SyntaxError" in c.found and "previous build" in c.found


def test_jobs(hub):
    c = check(hub, "Jobs")
    assert c.status == WARN and "No scheduled job" in c.found
    jobs = scheduler(hub)

    def broken(_app):
        raise ConnectionError("feed host refused")

    jobs.add("always-fails", 60, broken)
    jobs.run_due()
    c = check(hub, "Jobs")
    assert c.status == FAIL and "always-fails failed 1 time(s)" in c.found
    assert "feed host refused" in c.found and "never succeeded" in c.found


def test_disk(hub):
    assert all(c.status == OK for c in _all(hub) if c.name.startswith("Disk"))
    hub.config["DISK_MIN_FREE"] = 1 << 60
    disk = [c for c in _all(hub) if c.name.startswith("Disk")]
    assert [c.status for c in disk] == [FAIL, FAIL] and "GB free" in disk[0].found


def _all(app):
    with app.app_context():
        return run_checks(probe=False)


def test_backups(hub, tmp_path):
    c = check(hub, "Backups")
    assert c.status == FAIL and "No backup" in c.found
    make_backup(hub.config, hub.extensions["candor_engine"], to=tmp_path / "bk")
    assert check(hub, "Backups").status == WARN  # made, but none scheduled
    hub.config["BACKUP_EVERY"] = "1d"
    assert check(hub, "Backups").status == OK
    later = utcnow() + timedelta(days=3)
    set_clock(lambda: later)
    try:
        c = check(hub, "Backups")
    finally:
        set_clock(None)
    assert c.status == FAIL and "3 days ago" in c.found


def test_doctor_command_and_page(hub):
    result = hub.test_cli_runner().invoke(args=["doctor", "--no-probe"])
    assert result.exit_code == 1  # no site, no backup
    assert "FAIL  Static site: No site is built" in result.output
    assert "→ Run `candor build`." in result.output
    client = hub.test_client()
    assert client.get("/staff/health").status_code in (302, 401)
    login(client, "sam@example.com")  # staff, not admin
    assert client.get("/staff/health").status_code == 403
    admin = hub.test_client()
    login(admin, "dana@example.com")
    page = admin.get("/staff/health")
    assert page.status_code == 200
    assert page.text.index("Static site") < page.text.index("Secret key")  # problems first
    assert "What to do:</strong> Run <code>candor build</code>." in page.text


def test_readyz_and_healthz(hub, tmp_path):
    client = hub.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "ok"
    assert client.get("/readyz").json["instance"] == ready.json["instance"]
    gen, down = _make(tmp_path / "down",
                      f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/x")
    probe = down.test_client()
    assert probe.get("/healthz").status_code == 200  # alive: the process answers
    unready = probe.get("/readyz")
    assert unready.status_code == 503
    assert unready.json == {"status": "unavailable",
                            "reason": "database unreachable: OperationalError"}
    gen.close()
