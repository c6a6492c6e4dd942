"""Marker runs: an IP address and an email address, traced through everything Candor writes.

Every flow is performed from 203.0.113.77, directly and through a trusted proxy's
``X-Forwarded-For``; the marker must appear in no database dump (SQLite file + WAL, or every
PostgreSQL row as text), instance file, built site, log line, rate-limit key or mail.
"""

import json
import logging
import re
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from hub_api.db import make_engine
from hub_api.site.builder import build_site

from .conftest import PASSWORD, csrf, make_test_app, seed_people, site_files

MARKER_IP = "203.0.113.77"
MARKER_EMAIL = "marker-owner-7f3a@example.org"


@pytest.fixture
def marked(tmp_path, database_url, smtp, caplog):
    caplog.set_level(logging.DEBUG)
    for app in make_test_app(tmp_path, database_url, SMTP_URL=smtp.url,
                             TRUSTED_PROXIES="127.0.0.1/32, ::1"):
        seed_people(app)
        yield app


def clients(app):
    """The same person twice: straight from the marker, and behind a trusted proxy."""
    direct = app.test_client()
    direct.environ_base["REMOTE_ADDR"] = MARKER_IP
    proxied = app.test_client()
    proxied.environ_base["REMOTE_ADDR"] = "127.0.0.1"
    proxied.environ_base["HTTP_X_FORWARDED_FOR"] = f"{MARKER_IP}, 127.0.0.1"
    return direct, proxied


def every_flow(app, smtp, client, n: int) -> None:
    """Ask, confirm mail, edit, reply, export, get answered, moderated, throttled, delete."""
    app.extensions["candor_limiter"].reset()  # each run starts with fresh counters
    for path in ["/", "/ask", "/staff/login", "/theme/candor.css"]:
        assert client.get(path).status_code in (200, 503), path
    asked = client.post("/ask", data={"display_name": f"Pat {n}", "title": f"Marker run {n}",
                                      "body": f"Body {n} with https://example.com/{n}",
                                      "email": f"asker{n}@example.org"})
    assert asked.status_code == 303
    token = asked.headers["Location"].rsplit("/", 1)[1]
    confirm = re.findall(r"http://hub\.test(/notify/confirm/\S+)", "\n".join(smtp.box.texts()))[-1]
    assert client.post(confirm).status_code == 200
    edit = {"title": f"Marker run {n}!", "body": f"Body {n}, edited"}
    assert client.post(f"/manage/{token}/edit", data=edit).status_code == 303
    assert client.post(f"/manage/{token}/reply", data={"body": "Thanks"}).status_code == 303
    assert client.get(f"/manage/{token}/export.json").status_code == 200
    staff = client.application.test_client()
    staff.environ_base.update(client.environ_base)
    assert staff.post("/staff/login", data={"email": "dana@example.com",
                                            "password": PASSWORD}).status_code == 303
    question_id = int(re.search(r"/q/(\d+)/", client.get(f"/manage/{token}").text).group(1))
    moderation = csrf(staff, "/staff/moderation/")
    assert staff.post(f"/staff/moderation/{question_id}/approve",
                      data={"csrf_token": moderation, "reason": "fine"}).status_code == 303
    assert staff.post(f"/staff/q/{question_id}/answer",
                      data={"csrf_token": csrf(staff), "body": "Answered."}).status_code == 303
    assert client.get(f"/q/{question_id}/feed.atom").status_code == 200
    for _ in range(7):
        client.post("/staff/login", data={"email": "nobody@example.org", "password": "x"})
    assert client.post("/staff/login", data={"email": "x", "password": "x"}).status_code == 429
    second = client.post("/ask", data={"display_name": "P", "title": f"Delete me {n}",
                                       "body": f"Gone {n}"}, headers={"X-Real-IP": MARKER_IP})
    assert second.status_code == 303
    assert client.post(second.headers["Location"] + "/delete").status_code == 200


def database_dump(url: str, instance: Path) -> bytes:
    """SQLite: the database file and its WAL, raw. PostgreSQL: every row of every table."""
    if url.startswith("sqlite"):
        db = Path(make_url(url).database)
        return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
            raw = conn.connection.dbapi_connection  # psycopg, row by row as text
            with raw.cursor() as cur:
                rows = []
                for table in tables:
                    cur.execute(f'SELECT t::text FROM "{table}" AS t')
                    rows += [r[0] for r in cur.fetchall()]
        assert any("Answered." in r for r in rows)  # the dump really holds the data
        return "\n".join(rows).encode()
    finally:
        engine.dispose()


def all_files(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in site_files(folder))


def test_marker_ip_is_stored_nowhere(marked, smtp, caplog, database_url, tmp_path):
    app = marked
    direct, proxied = clients(app)
    every_flow(app, smtp, direct, 1)
    every_flow(app, smtp, proxied, 2)
    build_site(app.config)
    marker = MARKER_IP.encode()
    assert marker not in database_dump(database_url, app.config["INSTANCE"])
    assert marker not in all_files(Path(app.config["INSTANCE"]))
    site = Path(app.config["SITE"])
    assert b"Marker run 1!" in all_files(site.with_name(site.name + ".builds"))
    assert marker not in all_files(site.with_name(site.name + ".builds"))
    assert MARKER_IP not in caplog.text
    assert "ratelimit" in caplog.text.lower()  # the limiter did log its breaches
    assert len(smtp.box.messages) >= 4
    assert not [m for m in smtp.box.messages if MARKER_IP in m.as_string()]
    storage = app.extensions["candor_limiter"].storage
    assert MARKER_IP not in repr(vars(storage))


def test_marker_email_appears_only_in_its_owners_export(marked, smtp, caplog):
    app = marked
    owner, other = app.test_client(), app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.2"
    staff = app.test_client()
    staff.post("/staff/login", data={"email": "dana@example.com", "password": PASSWORD})
    seen: list[str] = []

    asked = owner.post("/ask", data={"display_name": "Owner", "title": "Owner's question",
                                     "body": "Plain", "email": MARKER_EMAIL})
    token = asked.headers["Location"].rsplit("/", 1)[1]
    # The first confirmation link sent (staff are mailed about the question too).
    confirm = re.search(r"http://hub\.test(/notify/confirm/\S+)",
                        "\n".join(smtp.box.texts())).group(1)
    seen.append(owner.get(confirm).text)
    seen.append(owner.post(confirm).text)
    other_token = other.post("/ask", data={"display_name": "Other", "title": "Other question",
                                           "body": "Also plain"}).headers["Location"]
    for question_id in (1, 2):
        staff.post(f"/staff/q/{question_id}/answer",
                   data={"csrf_token": csrf(staff), "body": f"Answer {question_id}"})
    build_site(app.config)
    site = Path(app.config["SITE"])
    seen.append(all_files(site.with_name(site.name + ".builds")).decode("utf-8", "replace"))
    for path in ["/", "/ask", "/q/1", "/q/2", "/q/1/feed.atom", "/q/2/feed.atom",
                 f"/manage/{token}", f"/manage/{token}/edit", other_token,
                 other_token + "/export.json", "/privacy/", "/transparency/", "/healthz"]:
        seen.append(owner.get(path, follow_redirects=True).text)
    for path in ["/staff/queue?all=1", "/staff/q/1", "/staff/q/2", "/staff/moderation/"]:
        seen.append(staff.get(path).text)
    # Candor's own log lines (aiosmtpd's "mail.log" is the receiving server, not Candor).
    seen.append("\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log"))
    leaks = [s[:200] for s in seen if MARKER_EMAIL in s]
    assert leaks == []
    export = json.loads(owner.get(f"/manage/{token}/export.json").text)
    assert export["records"]["notification_emails"][0]["email"] == MARKER_EMAIL
