"""A browser journey per sign-in method, in Debian's Chromium: password, authenticator code,
single sign-on (the real oidc-provider), and passkeys (Chromium's virtual authenticator through
the DevTools WebAuthn domain). Screenshots of the new pages at 1280 and 390 px."""

import os
import re
import tempfile
import threading
import time
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hub_api.db import session_scope
from hub_api.models import AuditEvent

from .conftest import PASSWORD, _database, free_port, make_test_app, seed_people
from .test_oidc import run_provider

pytestmark = pytest.mark.browser
PORT = free_port()
BASE = f"http://localhost:{PORT}"  # a passkey needs a domain (localhost), not an IP address
# Screenshots to look at, outside the repository.
SHOTS = Path(os.environ.get("CANDOR_SCREENSHOTS") or tempfile.gettempdir()) / "candor-identity"


@pytest.fixture(scope="module")
def provider():
    yield from run_provider(f"{BASE}/staff/oidc/callback")


@pytest.fixture(scope="module")
def live(tmp_path_factory, provider, browser):
    from waitress.server import create_server

    tmp = tmp_path_factory.mktemp("identity")

    class Request:  # _database's request: only getfixturevalue for PostgreSQL, unused here
        pass

    url = next(_database(Request(), tmp, "sqlite"))
    app = next(make_test_app(tmp, url, PUBLIC_URL=BASE, OIDC_ISSUER=provider,
                             OIDC_CLIENT_ID="candor", OIDC_CLIENT_SECRET="candor-secret",
                             OIDC_NAME="Northwind SSO", FORM_TOKEN_REQUIRED=True))
    seed_people(app)
    server = create_server(app, host="127.0.0.1", port=PORT, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield app
    server.close()
    thread.join(5)


@pytest.fixture
def page(browser, live):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def password_login(page, email: str) -> None:
    page.goto(f"{BASE}/staff/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()  # at once, as a password manager does


def logout(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{BASE}/")


def test_password_journey_and_pages_look_finished(page):
    page.goto(f"{BASE}/staff/login")
    shoot(page, "login")
    page.get_by_label("Email").fill("dana@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_label("Email").input_value() == "dana@example.com"  # kept on error
    assert "do not match" in page.content()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{BASE}/staff/queue")
    page.goto(f"{BASE}/staff/people/")
    shoot(page, "people")
    page.goto(f"{BASE}/staff/audit/")
    assert "signin.failed" in page.content()
    shoot(page, "audit")
    page.goto(f"{BASE}/staff/account/sessions")
    assert "Chromium on Linux" in page.content()
    logout(page)


def test_authenticator_code_journey(page):
    password_login(page, "sam@example.com")
    page.wait_for_url(f"{BASE}/staff/queue")
    page.goto(f"{BASE}/staff/account/2fa/")
    page.get_by_role("button", name="Set up an authenticator app").click()
    secret = page.locator(".totp-key").inner_text()
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code from the app").fill(totp.now())
    page.get_by_role("button", name="Turn on").click()
    assert page.locator(".recovery-codes li").count() == 10
    shoot(page, "two-step")
    logout(page)
    password_login(page, "sam@example.com")
    page.wait_for_url(f"{BASE}/staff/login/verify")
    page.get_by_label("Code from your authenticator app").fill("123")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("body")).to_contain_text("did not work")
    page.get_by_label("Code from your authenticator app").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{BASE}/staff/queue")
    logout(page)


def test_single_sign_on_journey(page):
    page.goto(f"{BASE}/staff/login")
    page.get_by_role("link", name="Sign in with Northwind SSO").click()
    page.get_by_label("Account").fill("dana@example.com")  # the provider's own form
    page.get_by_role("button", name="Sign in at provider").click()
    page.wait_for_url(f"{BASE}/staff/queue")
    assert "Dana Ortiz" in page.content()
    logout(page)
    page.goto(f"{BASE}/staff/oidc/callback?state=forged&code=forged")
    assert "There is a problem" in page.content()
    page.goto(f"{BASE}/staff/queue")
    assert "/staff/login" in page.url


def test_passkey_journey_with_a_virtual_authenticator(page, live):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True}})
    password_login(page, "mia@example.com")
    page.wait_for_url(re.compile(r".*/staff/curation.*"))
    page.goto(f"{BASE}/staff/account/2fa/")
    page.get_by_label("Name for the new passkey").fill("Test laptop")
    page.get_by_role("button", name="Add a passkey").click()
    page.wait_for_selector("text=Test laptop")
    logout(page)
    # A passkey alone signs in: no email, no password.
    page.goto(f"{BASE}/staff/login")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url(re.compile(r".*/staff/curation.*"))
    logout(page)
    # After a password, the passkey is the second step.
    password_login(page, "mia@example.com")
    page.wait_for_url(f"{BASE}/staff/login/verify")
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url(re.compile(r".*/staff/curation.*"))
    page.goto(f"{BASE}/staff/account/sessions")
    assert ">password+passkey<" in page.content()
    with session_scope(live.extensions["candor_engine"]) as db:
        methods = set(db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "signin")))
    assert {"method=passkey", "method=password+passkey"} <= methods
