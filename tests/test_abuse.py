"""Abuse defences without tracking: form token, honeypot, duplicates, holds, moderation, limits."""

import ipaddress
import re
import time

import pytest
from sqlalchemy import select

from hub_api import signals
from hub_api.db import session_scope
from hub_api.models import ModerationAction, NotificationEmail, Question
from hub_api.privacy.ratelimit import DailyKey, client_address, parse_networks
from hub_api.site.builder import build_site
from hub_api.staff.people import add_person

from .conftest import PASSWORD, ask, csrf, login, make_test_app, need_service, seed_people

FIELDS = {"display_name": "Pat", "title": "Do you ship to Norway?", "body": "Ten units."}


@pytest.fixture
def guarded(tmp_path, database_url):
    """An app with the form token on, as in production, and a short minimum fill time."""
    for app in make_test_app(tmp_path, database_url, FORM_TOKEN_REQUIRED=True,
                             FORM_MIN_SECONDS=0.3, FORM_MAX_AGE=60):
        seed_people(app)
        yield app


def form_token(client, path="/ask") -> str:
    return re.search(r'name="form_token" value="([^"]+)"', client.get(path).text).group(1)


def questions(app) -> list[Question]:
    with session_scope(app.extensions["candor_engine"]) as s:
        return list(s.scalars(select(Question).order_by(Question.id)))


def test_form_token_and_honeypot_on_ask(guarded):
    client = guarded.test_client()
    missing = client.post("/ask", data=FIELDS)
    assert missing.status_code == 400 and "could not be checked" in missing.text
    assert "Ten units." in missing.text  # the asker's text is kept
    forged = client.post("/ask", data={**FIELDS, "form_token": "x.y.z"})
    assert forged.status_code == 400
    token = form_token(client)
    fast = client.post("/ask", data={**FIELDS, "form_token": token})
    assert fast.status_code == 400 and "faster than anyone can type" in fast.text
    time.sleep(0.35)
    trapped = client.post("/ask", data={**FIELDS, "form_token": token, "website": "http://x"})
    assert trapped.status_code == 400 and "Leave the last field empty" in trapped.text
    assert questions(guarded) == []
    ok = client.post("/ask", data={**FIELDS, "form_token": token, "website": ""})
    assert ok.status_code == 303
    guarded.config["FORM_MAX_AGE"] = 1
    stale = form_token(client)
    time.sleep(2.1)
    client.environ_base["REMOTE_ADDR"] = "192.0.2.1"  # asks are limited to 5 a minute
    old = client.post("/ask", data={**FIELDS, "body": "Other", "form_token": stale})
    assert old.status_code == 400 and "too old" in old.text
    assert len(questions(guarded)) == 1


def test_form_token_and_honeypot_on_login(guarded):
    client = guarded.test_client()
    page = client.get("/staff/login")
    assert "Set-Cookie" not in page.headers  # the token needs no cookie
    data = {"email": "dana@example.com", "password": PASSWORD}
    assert client.post("/staff/login", data=data).status_code == 400
    token = form_token(client, "/staff/login")
    time.sleep(0.35)
    assert client.post("/staff/login", data={**data, "form_token": token,
                                             "website": "x"}).status_code == 400
    assert client.post("/staff/login", data={**data, "form_token": token}).status_code == 303


def test_duplicate_body_within_five_minutes_is_refused(client, people):
    assert client.post("/ask", data=FIELDS).status_code == 303
    again = client.post("/ask", data={**FIELDS, "title": "Another title"})
    assert again.status_code == 409 and "You sent this question a moment ago" in again.text
    assert len(questions(client.application)) == 1
    with session_scope(client.application.extensions["candor_engine"]) as s:
        s.scalars(select(Question)).one().created_at -= __import__("datetime").timedelta(minutes=6)
    assert client.post("/ask", data=FIELDS).status_code == 303


def test_links_from_new_askers_are_held(app, client, staff, people):
    asked = []
    signals.question_asked.connect(lambda s, id: asked.append(id), sender=app, weak=False)
    token = ask(client, title="Cheap licences", body="See https://spam.example/offer")
    (question,) = questions(app)
    assert (question.status, question.hold_reason) == ("held", "contains links from a new asker")
    assert asked == []  # search and notifications hear of it only once approved
    assert client.get(question.url).status_code == 404
    assert client.get(f"/q/{question.id}/feed.atom").status_code == 404
    assert "Cheap licences" not in staff.get("/staff/queue?all=1").text
    assert "waits for a moderator" in client.get(f"/manage/{token}").text
    ask(client, title="Casino night", body="Win at the casino tonight")
    assert questions(app)[1].hold_reason == "contains a word on the hold list"
    with session_scope(app.extensions["candor_engine"]) as s:
        log = s.scalars(select(ModerationAction)).all()
        assert [(a.action, a.target) for a in log] == [
            ("held", f"question {question.id}"), ("held", f"question {question.id + 1}")]


def test_known_asker_may_post_links(app, client, people):
    ask(client, title="First", body="No links here.", email="pat@example.org")
    with session_scope(app.extensions["candor_engine"]) as s:
        s.scalars(select(NotificationEmail)).one().confirmed_at = s.scalars(
            select(Question)).one().created_at
    ask(client, title="Second", body="Like https://example.com/docs", email="Pat@Example.org")
    assert questions(app)[1].status == "open"
    ask(client, title="Third", body="Like https://example.com/x", email="eve@example.org")
    assert questions(app)[2].status == "held"


def test_moderation_approve_reject_hide_and_public_log(app, client, staff, people):
    ask(client, title="Held one", body="https://a.example")
    ask(client, title="Held two", body="https://b.example")
    ask(client, title="Fine one", body="Plain question.")
    held_one, held_two, fine = questions(app)
    with session_scope(app.extensions["candor_engine"]) as s:
        add_person(s, name="Mo Dekker", email="mo@example.com", password=PASSWORD,
                   job_title="Community", roles="staff,moderator", topics=[])
    # Sam is staff without the moderator role.
    sam = app.test_client()
    login(sam, people["sam"])
    assert sam.get("/staff/moderation/").status_code == 403
    assert app.test_client().get("/staff/moderation/").status_code in (302, 401)

    mod = app.test_client()
    assert login(mod, "mo@example.com").status_code == 303
    page = mod.get("/staff/moderation/")
    assert page.status_code == 200 and "Held one" in page.text and "Held two" in page.text
    token = csrf(mod, "/staff/moderation/")
    assert mod.post(f"/staff/moderation/{held_one.id}/approve",
                    data={"reason": "fine"}).status_code == 400  # no CSRF token
    assert mod.post(f"/staff/moderation/{held_one.id}/approve",
                    data={"csrf_token": token, "reason": "my own words"}).status_code == 400
    assert mod.post(f"/staff/moderation/{held_one.id}/launch",
                    data={"csrf_token": token, "reason": "fine"}).status_code == 404
    assert mod.post(f"/staff/moderation/{held_one.id}/approve",
                    data={"csrf_token": token, "reason": "fine"}).status_code == 303
    assert mod.post(f"/staff/moderation/{held_two.id}/reject",
                    data={"csrf_token": token, "reason": "spam"}).status_code == 303
    assert mod.post(f"/staff/moderation/{fine.id}/hide",
                    data={"csrf_token": token, "reason": "off-topic"}).status_code == 303
    assert mod.post(f"/staff/moderation/{fine.id}/approve",
                    data={"csrf_token": token, "reason": "fine"}).status_code == 409
    assert [q.status for q in questions(app)] == ["open", "rejected", "hidden"]
    assert "Held one" in staff.get("/staff/queue?all=1").text
    assert client.get(fine.url).status_code == 404

    build_site(app.config)
    html = (app.config["SITE"] / "transparency" / "index.html").read_text()
    assert 'id="moderation-log"' in html
    for line in [f"question {held_one.id}", "approved", "looks like a genuine question",
                 "rejected", "spam or advertising", "hidden", "not a question for this hub"]:
        assert line in html
    for private in ["Mo Dekker", "mo@example.com", "Pat", "Held one"]:
        assert private not in html


def test_login_is_limited_to_six_a_minute(client, people):
    for _ in range(6):
        assert login(client, people["dana"], "wrong").status_code == 401
    blocked = login(client, people["dana"])
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Too many requests from your connection" in blocked.text
    other = client.application.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.9"  # another client is not affected
    assert login(other, people["dana"]).status_code == 303


def test_forwarded_for_is_believed_only_from_trusted_proxies():
    proxies = parse_networks("127.0.0.1/32, 10.0.0.0/8")
    assert client_address("127.0.0.1", "203.0.113.77", proxies) == "203.0.113.77"
    assert client_address("127.0.0.1", "1.2.3.4, 203.0.113.77, 10.0.0.2", proxies) \
        == "203.0.113.77"  # the nearest untrusted hop; what the client wrote is ignored
    assert client_address("198.51.100.1", "203.0.113.77", proxies) == "198.51.100.1"
    assert client_address("127.0.0.1", "garbage", proxies) == "127.0.0.1"
    assert client_address("127.0.0.1", None, ()) == "127.0.0.1"
    with pytest.raises(ValueError, match="CANDOR_TRUSTED_PROXIES"):
        parse_networks("not-a-network")
    assert parse_networks("::1") == (ipaddress.ip_network("::1"),)


def test_forwarded_clients_are_limited_separately(tmp_path, database_url):
    for app in make_test_app(tmp_path, database_url, TRUSTED_PROXIES="127.0.0.1/32"):
        seed_people(app)
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "127.0.0.1"
        for i in range(7):
            status = client.post("/staff/login", data={"email": "x@y", "password": "p"},
                                 headers={"X-Forwarded-For": "203.0.113.77"}).status_code
            assert status == (401 if i < 6 else 429)
        assert client.post("/staff/login", data={"email": "x@y", "password": "p"},
                           headers={"X-Forwarded-For": "203.0.113.78"}).status_code == 401


def test_daily_key_in_memory_rotates():
    key = DailyKey("memory://")
    assert key.today() == key.today() and len(key.today()) == 32
    key._day = "1999-01-01"  # as if the day had changed
    old = key._key
    assert key.today() != old


def test_redis_storage_shares_limits_and_the_daily_key(tmp_path, database_url):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/11"  # a database of its own; only Candor's keys are removed
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        need_service("Redis", str(exc))

    def clear():
        for name in client.scan_iter("candor*"):
            client.delete(name)

    clear()
    apps = [next(make_test_app(tmp_path / str(i), database_url, RATELIMIT_STORAGE_URL=url))
            for i in range(2)]
    seed_people(apps[0])
    keys = [a.extensions["candor_daily_key"].today() for a in apps]
    assert keys[0] == keys[1]  # two workers agree on the day's key
    names = [k.decode() for k in client.keys("candor:ratelimit-key:*")]
    assert len(names) == 1 and 0 < client.ttl(names[0]) <= 2 * 24 * 3600
    statuses = []
    for i in range(7):
        c = apps[i % 2].test_client()  # alternate workers: the count is shared
        statuses.append(login(c, "dana@example.com", "wrong").status_code)
    assert statuses == [401] * 6 + [429]
    dumped = b" ".join(client.keys("*"))
    assert b"127.0.0.1" not in dumped
    clear()
    for a in apps:
        a.extensions["candor_engine"].dispose()


def test_json_api_asks_get_the_same_holds_duplicates_and_limits(app, client, people):
    ask_json = {"display_name": "Bot", "title": "Offer", "body": "Buy at https://spam.example"}
    response = client.post("/api/v1/questions", json=ask_json)
    assert response.status_code == 201
    (question,) = questions(app)
    assert question.status == "held"
    assert client.get(f"/api/v1/questions/{question.id}").status_code == 404
    assert question.id not in [q["id"] for q in client.get("/api/v1/questions").json["items"]]
    again = client.post("/api/v1/questions", json=ask_json)
    assert again.status_code == 409 and "a moment ago" in again.json["detail"]["body"]
    statuses = [client.post("/api/v1/questions", json={**ask_json, "body": f"Plain {i}",
                                                         "status": "answered", "is_staff": True})
                .status_code for i in range(4)]
    assert statuses == [201, 201, 201, 429]  # 5 asks a minute, the duplicate counted
    assert [q.status for q in questions(app)] == ["held", "open", "open", "open"]
