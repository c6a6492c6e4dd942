"""Two-step sign-in: authenticator codes (TOTP) computed by the test, single-use recovery
codes, hostile codes, and CANDOR_REQUIRE_2FA; a password-only account is unaffected."""

import re

import pyotp
import pytest
from sqlalchemy import select

from hub_api.db import session_scope
from hub_api.models import Person
from hub_api.staff.models import StaffSession

from .conftest import PASSWORD, _database, csrf, login, make_test_app, seed_people


@pytest.fixture
def database_url(request, tmp_path):
    yield from _database(request, tmp_path, "sqlite")


@pytest.fixture
def app(tmp_path, database_url):
    for app in make_test_app(tmp_path, database_url):
        seed_people(app)
        yield app


def enrol(client) -> tuple[str, list[str]]:
    """Turn the authenticator on through the pages; return the secret and recovery codes."""
    token = csrf(client, "/staff/account/2fa/")
    assert client.post("/staff/account/2fa/start", data={"csrf_token": token}).status_code == 303
    page = client.get("/staff/account/2fa/").text
    assert "<svg" in page  # the QR code, drawn here, not fetched from anywhere
    secret = re.search(r'class="totp-key">([A-Z2-7]+)<', page).group(1)
    wrong = client.post("/staff/account/2fa/confirm", data={"csrf_token": token,
                                                            "code": "000000"})
    assert wrong.status_code == 400 and "did not match" in wrong.text
    done = client.post("/staff/account/2fa/confirm",
                       data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "recovery codes" in done.text
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.text)
    assert len(codes) == 10
    return secret, codes


def second_step(client, code: str):
    return client.post("/staff/login/verify", data={"code": code})


def test_totp_sign_in_replay_and_recovery_codes(app):
    sam = app.test_client()
    login(sam, "sam@example.com")
    secret, codes = enrol(sam)
    fresh = app.test_client()
    first = login(fresh, "sam@example.com")
    assert first.status_code == 303 and first.headers["Location"] == "/staff/login/verify"
    assert fresh.get("/staff/queue").status_code == 302  # no session before the code
    with session_scope(app.extensions["candor_engine"]) as db:
        before = db.scalar(select(Person.totp_last_step).where(Person.email == "sam@example.com"))
    # The code used to enrol is spent; the next step's code (clock drift allowed) works once.
    totp = pyotp.TOTP(secret)
    assert second_step(fresh, totp.at(before * 30)).status_code == 401
    assert second_step(fresh, totp.at((before + 1) * 30)).status_code == 303
    assert fresh.get("/staff/queue").status_code == 200
    replay = app.test_client()
    login(replay, "sam@example.com")
    assert second_step(replay, totp.at((before + 1) * 30)).status_code == 401
    # A recovery code works once.
    other = app.test_client()
    login(other, "sam@example.com")
    assert second_step(other, codes[0].upper()).status_code == 303
    again = app.test_client()
    login(again, "sam@example.com")
    assert second_step(again, codes[0]).status_code == 401
    assert again.get("/staff/queue").status_code == 302


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "0" * 5000, "<script>",
                                  "%00", "123 456 789", "\u0661\u0662\u0663\u0664\u0665\u0666"])
def test_hostile_codes_get_a_clear_error_and_no_session(app, code):
    sam = app.test_client()
    login(sam, "sam@example.com")
    enrol(sam)
    c = app.test_client()
    login(c, "sam@example.com")
    response = second_step(c, code)
    assert response.status_code == 401 and "did not work" in response.text
    assert c.get("/staff/queue").status_code == 302
    with session_scope(app.extensions["candor_engine"]) as db:
        assert db.scalar(select(StaffSession.id).where(StaffSession.method != "password")) \
            is None


def test_the_second_step_expires_and_cannot_be_skipped(app):
    sam = app.test_client()
    login(sam, "sam@example.com")
    enrol(sam)
    c = app.test_client()
    login(c, "sam@example.com")
    with c.session_transaction() as s:
        s["second_factor"] = {**s["second_factor"], "at": s["second_factor"]["at"] - 301}
    assert c.get("/staff/login/verify").status_code == 303
    assert app.test_client().get("/staff/login/verify").status_code == 303


def test_require_2fa_sends_password_accounts_to_enrol(app):
    app.config["REQUIRE_2FA"] = True
    c = app.test_client()
    assert login(c, "mia@example.com").status_code == 303
    blocked = c.get("/staff/curation")
    assert blocked.status_code == 303 and blocked.headers["Location"] == "/staff/account/2fa/"
    assert "asks every staff member" in c.get("/staff/account/2fa/").text
    enrol(c)
    assert c.get("/staff/curation").status_code == 200


def test_switching_off_asks_for_a_recent_sign_in(app):
    sam = app.test_client()
    login(sam, "sam@example.com")
    enrol(sam)
    with session_scope(app.extensions["candor_engine"]) as db:
        from datetime import timedelta

        from hub_api.db import utcnow

        db.execute(StaffSession.__table__.update().values(
            verified_at=utcnow() - timedelta(hours=1)))
    token = csrf(sam, "/staff/account/2fa/")
    off = sam.post("/staff/account/2fa/off", data={"csrf_token": token})
    assert off.status_code == 303 and "/staff/confirm" in off.headers["Location"]
    assert sam.post("/staff/confirm", data={"csrf_token": token, "password": PASSWORD,
                                            "next": "/staff/account/2fa/"}).status_code == 303
    assert sam.post("/staff/account/2fa/off", data={"csrf_token": token}).status_code == 303
    assert login(app.test_client(), "sam@example.com").headers["Location"] != \
        "/staff/login/verify"


@pytest.mark.parametrize("body", [
    b"", b"null", b"[]", b"{", b'{"rawId": 5}', b'{"rawId": "!!!"}',
    b'{"rawId": "AAAA", "id": "AAAA", "type": "public-key", "response": {}}',
    b'{"rawId": "' + b"A" * 20000 + b'"}',
    b'{"rawId": "AAAA", "response": {"clientDataJSON": "x", "authenticatorData": "y", '
    b'"signature": "z"}}',
])
def test_hostile_passkey_assertions_get_a_clear_error_and_no_session(app, body):
    c = app.test_client()
    json_headers = {"Content-Type": "application/json"}
    options = c.post("/staff/passkeys/authenticate-options", data=b"{}", headers=json_headers)
    assert options.status_code == 200 and "challenge" in options.json
    response = c.post("/staff/passkeys/authenticate", data=body, headers=json_headers)
    assert 400 <= response.status_code < 500
    if response.is_json:
        assert response.json["error"]
    assert c.get("/staff/queue").status_code == 302
    # Not JSON at all (a cross-site form): refused before anything is read.
    form = c.post("/staff/passkeys/authenticate", data={"rawId": "AAAA"})
    assert form.status_code == 415
