"""Staff accounts without the command line: login defences, forgot password, invitations,
roles and disabling on the admins' People page, sessions, the audit log, password strength."""

import json
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub_api.db import session_scope, utcnow
from hub_api.models import ApiToken, AuditEvent, Person
from hub_api.staff.models import AccountLink, StaffSession
from hub_api.staff.passwords import weakness
from hub_api.staff.tokens import issue_token

from .conftest import PASSWORD, _database, csrf, login, make_test_app, seed_people


@pytest.fixture
def database_url(request, tmp_path):
    """SQLite here; ``test_disable_ends_sessions_and_tokens_on_postgres`` covers PostgreSQL."""
    yield from _database(request, tmp_path, "sqlite")


@pytest.fixture
def app(tmp_path, database_url, smtp):
    for app in make_test_app(tmp_path, database_url, SMTP_URL=smtp.url):
        seed_people(app)
        yield app


def engine(app):
    return app.extensions["candor_engine"]


def events(app, action=None):
    with session_scope(engine(app)) as db:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return [(e.actor, e.action, e.object_type, e.object_id, e.detail)
                for e in db.scalars(query)]


def admin_client(app):
    c = app.test_client()
    assert login(c, "dana@example.com").status_code == 303
    return c


# --- passwords ---

@pytest.mark.parametrize("password, reason", [
    ("short pw", "at least 12"),
    ("Leavemealone", "common passwords"),  # on zxcvbn's breach list
    ("passwordpassword", "too easy to guess"),
    ("x" * 1025, "at most 1024"),
])
def test_weak_passwords_are_refused_with_a_reason(password, reason):
    assert reason in weakness(password)


def test_strong_passwords_pass_and_the_shipped_list_is_there():
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # breaks if the package stops shipping it

    assert len(FREQUENCY_LISTS["passwords"]) > 10_000
    assert weakness(PASSWORD) is None


def test_cli_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(args=[
        "staff", "add", "--name", "Kim Park", "--email", "kim@example.com", "--title", "Eng"],
        input="password123\npassword123\n")
    assert result.exit_code != 0 and "password refused" in result.output


# --- login defences ---

def test_login_keeps_email_on_error_and_has_no_minimum_fill_time(app):
    app.config["FORM_TOKEN_REQUIRED"] = True
    c = app.test_client()
    page = c.get("/staff/login").text
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    # Submitted at once, as a password manager does: not refused for speed.
    wrong = c.post("/staff/login", data={"email": "dana@example.com", "password": "nope",
                                         "form_token": token})
    assert wrong.status_code == 401
    assert 'value="dana@example.com"' in wrong.text
    assert "faster than anyone" not in wrong.text
    right = c.post("/staff/login", data={"email": "dana@example.com", "password": PASSWORD,
                                         "form_token": token})
    assert right.status_code == 303
    # The honeypot still stops bots, and keeps the email too.
    bot = app.test_client().post("/staff/login", data={
        "email": "dana@example.com", "password": PASSWORD, "form_token": token,
        "website": "http://spam.example"})
    assert bot.status_code == 400 and 'value="dana@example.com"' in bot.text


def test_failed_logins_are_limited_per_account(app):
    c = app.test_client()

    def attempt(email, password, n):  # from many addresses: the per-address limit stays out
        return c.post("/staff/login", data={"email": email, "password": password},
                      environ_base={"REMOTE_ADDR": f"127.0.1.{n}"})

    for n in range(10):
        assert attempt("sam@example.com", "wrong password!", n).status_code == 401
    locked = attempt("sam@example.com", PASSWORD, 11)
    # Refused by the failure count (staff/auth.py) or the per-account limiter
    # (privacy/ratelimit.py), whichever is reached first.
    assert locked.status_code == 429 and "Too many" in locked.text
    assert attempt("dana@example.com", PASSWORD, 12).status_code == 303  # others unaffected
    failed = events(app, "signin.failed")
    assert len(failed) >= 10 and failed[0][0] == "Sam Lee"


# --- forgot password ---

def _reset_link(smtp) -> str:
    return re.search(r"http://hub\.test(/staff/reset/\S+)", smtp.box.texts()[-1]).group(1)


def test_forgot_password_link_works_once(app, smtp):
    c = app.test_client()
    known = c.post("/staff/forgot", data={"email": "Sam@Example.com"})
    unknown = c.post("/staff/forgot", data={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text  # no account enumeration
    assert len(smtp.box.messages) == 1 and smtp.box.messages[0]["To"] == "sam@example.com"
    path = _reset_link(smtp)
    with session_scope(engine(app)) as db:  # only the hash is kept
        stored = db.scalar(select(AccountLink.token_hash))
        assert stored not in path and len(stored) == 64
    weak = c.post(path, data={"password": "password123", "confirm": "password123"})
    assert weak.status_code == 400 and "at least 12" in weak.text
    new = "violet kettle marching north"
    done = c.post(path, data={"password": new, "confirm": new})
    assert done.status_code == 303  # signed in
    assert c.get("/staff/queue").status_code == 200
    assert c.get(path).status_code == 404  # single use
    again = app.test_client()
    assert login(again, "sam@example.com").status_code == 401
    assert login(again, "sam@example.com", new).status_code == 303


def test_reset_links_expire_and_are_rate_limited(app, smtp):
    c = app.test_client()
    for _ in range(5):
        c.post("/staff/forgot", data={"email": "sam@example.com"})
    assert len(smtp.box.messages) == 3  # per account per hour
    path = _reset_link(smtp)
    with session_scope(engine(app)) as db:
        for link in db.scalars(select(AccountLink)):
            link.expires_at = utcnow() - timedelta(seconds=1)
    gone = c.post(path, data={"password": "violet kettle marching north",
                              "confirm": "violet kettle marching north"})
    assert gone.status_code == 404 and "does not work any more" in gone.text


def test_forgot_password_is_rate_limited_per_address(tmp_path, database_url, smtp):
    for app in make_test_app(tmp_path, database_url, SMTP_URL=smtp.url):
        c = app.test_client()
        codes = [c.post("/staff/forgot", data={"email": f"x{i}@example.com"}).status_code
                 for i in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[-1] == 429


def test_hostile_forgot_and_reset_input(app, smtp):
    c = app.test_client()
    for n, email in enumerate(["", "x" * 5000, "a@b.c\r\nBcc: evil@example.com", "<script>"]):
        assert c.post("/staff/forgot", data={"email": email},
                      environ_base={"REMOTE_ADDR": f"127.0.2.{n}"}).status_code == 200
    assert smtp.box.messages == []
    for token in ["x", "a" * 500, "%00", "../../etc"]:
        assert 400 <= c.get(f"/staff/reset/{token}").status_code < 500
        assert 400 <= c.post(f"/staff/invite/{token}", data={"password": "a"}).status_code < 500


# --- invitations, roles, disabling on the People page ---

def test_admin_invites_staff_who_set_their_password(app, smtp):
    admin = admin_client(app)
    token = csrf(admin, "/staff/people/")
    sent = admin.post("/staff/people/invite", data={
        "csrf_token": token, "name": "Kim Park", "email": "kim@example.com",
        "job_title": "Support Engineer", "roles": ["staff", "marketer"]})
    assert sent.status_code == 303
    assert "Invited Kim Park" in admin.get("/staff/people/").text
    path = re.search(r"http://hub\.test(/staff/invite/\S+)", smtp.box.texts()[-1]).group(1)
    # No password yet: nobody can log in as Kim.
    assert login(app.test_client(), "kim@example.com", "").status_code in (400, 401)
    kim = app.test_client()
    assert "Welcome, Kim Park" in kim.get(path).text
    pw = "lantern orchard seventeen"
    assert kim.post(path, data={"password": pw, "confirm": pw}).status_code == 303
    assert kim.get("/staff/queue").status_code == 200
    assert kim.get(path).status_code == 404
    with session_scope(engine(app)) as db:
        assert db.scalar(select(Person.roles).where(Person.email == "kim@example.com")) == \
            "staff,marketer"
    actions = [e[1] for e in events(app)]
    assert "person.invite" in actions and "password.set-by-invite" in actions


def test_invite_refuses_bad_input_and_writes_nothing(app, smtp):
    admin = admin_client(app)
    token = csrf(admin, "/staff/people/")
    for form in [{"name": "", "email": "a@example.com", "job_title": "X"},
                 {"name": "A B", "email": "not-an-email", "job_title": "X"},
                 {"name": "A B", "email": "dana@example.com", "job_title": "X"},
                 {"name": "A" * 5000, "email": "b" * 5000, "job_title": "X"}]:
        response = admin.post("/staff/people/invite", data={"csrf_token": token, **form})
        assert response.status_code == 400 and "There is a problem" in response.text
    with session_scope(engine(app)) as db:
        assert db.scalar(select(func.count(Person.id))) == 3
    assert smtp.box.messages == []
    sam = app.test_client()
    login(sam, "sam@example.com")
    assert sam.post("/staff/people/invite", data={"csrf_token": csrf(sam)}).status_code == 403


def test_role_change_applies_on_the_next_request_and_needs_recent_sign_in(app):
    admin = admin_client(app)
    sam = app.test_client()
    login(sam, "sam@example.com")
    assert sam.get("/staff/queue").status_code == 200
    with session_scope(engine(app)) as db:
        sam_id = db.scalar(select(Person.id).where(Person.email == "sam@example.com"))
        db.execute(StaffSession.__table__.update().values(
            verified_at=utcnow() - timedelta(hours=1)))
    token = csrf(admin, "/staff/people/")
    stale = admin.post(f"/staff/people/{sam_id}/roles",
                       data={"csrf_token": token, "roles": ["marketer"]})
    assert stale.status_code == 303 and "/staff/confirm" in stale.headers["Location"]
    confirm = admin.post("/staff/confirm", data={"csrf_token": token, "password": PASSWORD,
                                                 "next": "/staff/people/"})
    assert confirm.status_code == 303
    done = admin.post(f"/staff/people/{sam_id}/roles",
                      data={"csrf_token": token, "roles": ["marketer"]})
    assert done.status_code == 303
    assert sam.get("/staff/queue").status_code == 403  # lost "staff" at once
    assert ("Dana Ortiz", "person.roles", "person", str(sam_id), "staff -> marketer") in \
        events(app, "person.roles")
    bad = admin.post(f"/staff/people/{sam_id}/roles", data={"csrf_token": token,
                                                            "roles": ["root"]})
    assert bad.status_code == 400


def test_disable_ends_sessions_and_tokens_at_once(app):
    _disable_flow(app)


@pytest.mark.postgres
def test_disable_ends_sessions_and_tokens_on_postgres(tmp_path, request, smtp):
    for url in _database(request, tmp_path, "postgresql"):
        for app in make_test_app(tmp_path, url, SMTP_URL=smtp.url):
            seed_people(app)
            _disable_flow(app)


def _disable_flow(app):
    admin = admin_client(app)
    sam = app.test_client()
    login(sam, "sam@example.com")
    with session_scope(engine(app)) as db:
        person = db.scalar(select(Person).where(Person.email == "sam@example.com"))
        sam_id = person.id
        _token, raw = issue_token(db, person, "crm")
    api = {"Authorization": f"Bearer {raw}"}
    client = app.test_client()
    assert client.get("/api/v1/queue", headers=api).status_code == 200
    token = csrf(admin, "/staff/people/")
    done = admin.post(f"/staff/people/{sam_id}/access", data={"csrf_token": token,
                                                               "action": "disable"})
    assert done.status_code == 303
    assert sam.get("/staff/queue").status_code == 302  # back to the login
    assert client.get("/api/v1/queue", headers=api).status_code == 401
    with session_scope(engine(app)) as db:
        assert db.scalar(select(func.count(StaffSession.id)).where(
            StaffSession.person_id == sam_id, StaffSession.ended_at.is_(None))) == 0
        assert db.scalar(select(ApiToken.revoked_at)) is not None
    assert login(app.test_client(), "sam@example.com").status_code == 401
    # An admin cannot lock themselves out.
    with session_scope(engine(app)) as db:
        dana_id = db.scalar(select(Person.id).where(Person.email == "dana@example.com"))
    assert admin.post(f"/staff/people/{dana_id}/access", data={
        "csrf_token": token, "action": "disable"}).status_code == 400


# --- sessions ---

def test_sessions_are_listed_without_ip_and_can_be_ended(app):
    laptop, phone = app.test_client(), app.test_client()
    laptop.post("/staff/login", data={"email": "sam@example.com", "password": PASSWORD},
                headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"})
    phone.post("/staff/login", data={"email": "sam@example.com", "password": PASSWORD},
               headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1"})
    page = laptop.get("/staff/account/sessions").text
    assert "Firefox on Linux" in page and "Safari on iPhone" in page
    assert "127.0.0.1" not in page
    with session_scope(engine(app)) as db:
        phone_id = db.scalar(select(StaffSession.id).where(
            StaffSession.device == "Safari on iPhone"))
    token = csrf(laptop, "/staff/account/sessions")
    assert laptop.post(f"/staff/account/sessions/{phone_id}/end",
                       data={"csrf_token": token}).status_code == 303
    assert phone.get("/staff/queue").status_code == 302
    assert laptop.get("/staff/queue").status_code == 200
    # Someone else's session is not found, not ended.
    dana = admin_client(app)
    with session_scope(engine(app)) as db:
        laptop_id = db.scalar(select(StaffSession.id).where(
            StaffSession.device == "Firefox on Linux"))
    assert dana.post(f"/staff/account/sessions/{laptop_id}/end",
                     data={"csrf_token": csrf(dana)}).status_code == 404


def test_sessions_expire_when_idle_and_after_their_lifetime(app):
    c = app.test_client()
    login(c, "sam@example.com")
    with session_scope(engine(app)) as db:
        db.execute(StaffSession.__table__.update().values(
            last_seen_at=utcnow() - timedelta(minutes=121)))
    assert c.get("/staff/queue").status_code == 302
    c = app.test_client()
    login(c, "sam@example.com")
    with session_scope(engine(app)) as db:
        db.execute(StaffSession.__table__.update().where(StaffSession.ended_at.is_(None))
                   .values(created_at=utcnow() - timedelta(hours=13)))
    assert c.get("/staff/queue").status_code == 302


def test_password_change_ends_other_sessions(app, smtp):
    old = app.test_client()
    login(old, "sam@example.com")
    app.test_client().post("/staff/forgot", data={"email": "sam@example.com"})
    new = app.test_client()
    pw = "violet kettle marching north"
    assert new.post(_reset_link(smtp), data={"password": pw, "confirm": pw}).status_code == 303
    assert old.get("/staff/queue").status_code == 302
    assert new.get("/staff/queue").status_code == 200


def test_logout_ends_the_session_row(app):
    c = app.test_client()
    login(c, "sam@example.com")
    cookie = c.get_cookie("candor_staff").value
    c.post("/staff/logout", data={"csrf_token": csrf(c)})
    replay = app.test_client()
    replay.set_cookie("candor_staff", cookie)  # a copied cookie is dead too
    assert replay.get("/staff/queue").status_code == 302


# --- audit log ---

def test_audit_log_records_staff_writes_and_exports_json_lines(app):
    from .conftest import ask

    reader = app.test_client()
    ask(reader, title="Do you ship to Iceland?")
    sam = app.test_client()
    login(sam, "sam@example.com")
    login(app.test_client(), "sam@example.com", "wrong password!")
    answer = sam.post("/staff/q/1/answer", data={"csrf_token": csrf(sam), "body": "Yes."})
    assert answer.status_code in (302, 303)
    admin = admin_client(app)
    page = admin.get("/staff/audit/?action=queue.")
    assert page.status_code == 200 and "queue.answer" in page.text and "Sam Lee" in page.text
    assert "<code>signin.failed</code>" not in page.text  # filtered out
    export = admin.get("/staff/audit/export.jsonl?action=signin")
    lines = [json.loads(line) for line in export.text.splitlines()]
    assert {e["action"] for e in lines} == {"signin", "signin.failed"}
    assert all("127.0.0.1" not in line for line in export.text.splitlines())
    assert sam.get("/staff/audit/").status_code == 403
    assert admin.get("/staff/audit/?since=garbage&actor=x&action=" + "a" * 500).status_code \
        == 200


def test_audit_retention_deletes_old_entries(app):
    from hub_api.staff.audit import purge_old

    with session_scope(engine(app)) as db:
        db.add(AuditEvent(actor="Old", action="x", created_at=utcnow() - timedelta(days=400)))
        db.add(AuditEvent(actor="New", action="y"))
    purge_old(app)
    assert [e[0] for e in events(app)] == ["New"]


def test_login_is_quick_enough_for_unknown_accounts(app):
    """No enumeration by timing: unknown addresses pay for a hash check too."""
    c = app.test_client()

    def timed(email):
        start = time.perf_counter()
        login(c, email, "wrong password!")
        return time.perf_counter() - start

    known = min(timed("sam@example.com") for _ in range(2))
    unknown = min(timed("nobody@example.com") for _ in range(2))
    assert unknown > known / 3


def test_api_tokens_on_the_web_need_a_recent_sign_in(app):
    sam = app.test_client()
    login(sam, "sam@example.com")
    token = csrf(sam, "/staff/account/tokens/")
    created = sam.post("/staff/account/tokens/", data={"csrf_token": token, "name": "CRM"})
    assert created.status_code == 200 and "not shown again" in created.text
    raw = re.search(r'value="(cnd_[^"]+)"', created.text).group(1)
    api = {"Authorization": f"Bearer {raw}"}
    assert app.test_client().get("/api/v1/queue", headers=api).status_code == 200
    with session_scope(engine(app)) as db:
        token_id = db.scalar(select(ApiToken.id))
        db.execute(StaffSession.__table__.update().values(
            verified_at=utcnow() - timedelta(hours=1)))
    stale = sam.post(f"/staff/account/tokens/{token_id}/revoke", data={"csrf_token": token})
    assert stale.status_code == 303 and "/staff/confirm" in stale.headers["Location"]
    wrong = sam.post("/staff/confirm", data={"csrf_token": token, "password": "nope",
                                             "next": "/staff/account/tokens/"})
    assert wrong.status_code == 401
    sam.post("/staff/confirm", data={"csrf_token": token, "password": PASSWORD})
    assert sam.post(f"/staff/account/tokens/{token_id}/revoke",
                    data={"csrf_token": token}).status_code == 303
    assert app.test_client().get("/api/v1/queue", headers=api).status_code == 401
    actions = [e[1] for e in events(app)]
    assert {"token.create", "token.revoke", "signin.confirm"} <= set(actions)
    # Webhooks are a sensitive change too.
    dana = admin_client(app)
    with session_scope(engine(app)) as db:
        db.execute(StaffSession.__table__.update().values(
            verified_at=utcnow() - timedelta(hours=1)))
    hook = dana.post("/staff/webhooks/", data={"csrf_token": csrf(dana, "/staff/webhooks/"),
                                               "url": "https://crm.example.com/hook"})
    assert hook.status_code == 303 and "/staff/confirm" in hook.headers["Location"]
