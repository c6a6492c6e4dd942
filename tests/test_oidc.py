"""Single sign-on against a real OpenID Provider: the certified `oidc-provider` (npm) run by
Node on loopback, installed on first use into a cache folder (``.ci/run`` installs it first)."""

import base64
import hashlib
import secrets
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode, urljoin

import pytest
import requests
from joserfc.errors import JoseError
from sqlalchemy import select

from hub_api.db import session_scope
from hub_api.models import AuditEvent, Person
from hub_api.staff import oidc
from hub_api.staff.people import add_person

from .conftest import (
    PASSWORD,
    _database,
    free_port,
    make_test_app,
    need_service,
    npm_package,
    seed_people,
)

HERE = Path(__file__).resolve().parent / "oidc"
PUBLIC = "http://hub.test"
REDIRECT = f"{PUBLIC}/staff/oidc/callback"


def install_provider() -> Path:
    """The npm package oidc-provider@9, with this folder's script beside it."""
    if not shutil.which("node"):
        need_service("Node.js", "node is needed to run the OpenID Provider")
    folder = npm_package("oidc-provider", "oidc-provider@9")
    shutil.copy(HERE / "provider.mjs", folder / "provider.mjs")
    return folder


def run_provider(*redirect_uris: str):
    """Start the provider for these redirect URIs; yield its issuer URL; stop it."""
    folder = install_provider()
    port = free_port()
    process = subprocess.Popen([shutil.which("node"), "provider.mjs", str(port), *redirect_uris],
                               cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    said = [process.stdout.readline()]
    while not said[-1].startswith("ready") and said[-1] and len(said) < 20:
        said.append(process.stdout.readline())  # its warnings first (Node 20, dev keys)
    if not said[-1].startswith("ready"):
        process.kill()
        pytest.fail("the OpenID Provider did not start: " + "".join(said)[-2000:])
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def provider():
    yield from run_provider(REDIRECT)


@pytest.fixture
def database_url(request, tmp_path):
    yield from _database(request, tmp_path, "sqlite")


def sso_app(tmp_path, database_url, provider, **config):
    settings = {"OIDC_ISSUER": provider, "OIDC_CLIENT_ID": "candor",
                "OIDC_CLIENT_SECRET": "candor-secret", "OIDC_NAME": "Northwind SSO"}
    settings.update(config)
    app = next(make_test_app(tmp_path, database_url, **settings))
    seed_people(app)
    return app


@pytest.fixture
def app(tmp_path, database_url, provider):
    return sso_app(tmp_path, database_url, provider)


def through_provider(url: str, browser: requests.Session | None = None) -> str:
    """Follow the provider's redirects as a browser would, up to the way back to Candor."""
    browser = browser or requests.Session()
    for _ in range(10):
        if url.startswith(PUBLIC):
            return url.removeprefix(PUBLIC)
        response = browser.get(url, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), response.text[:500]
        url = urljoin(url, response.headers["Location"])
    raise AssertionError("no way back from the provider")


def sso(client, email: str, next_url: str = "") -> str:
    start = client.post("/staff/oidc/login", data={"login_hint": email, "next": next_url})
    assert start.status_code == 302, start.text[:300]
    assert "code_challenge_method=S256" in start.headers["Location"]
    return through_provider(start.headers["Location"])


def signed_in(client) -> bool:
    return client.get("/staff/queue").status_code == 200


def audit_actions(app):
    with session_scope(app.extensions["candor_engine"]) as db:
        rows = db.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.action, e.detail) for e in rows]


def test_login_page_offers_the_provider_and_sign_in_works(app):
    c = app.test_client()
    assert "Sign in with Northwind SSO" in c.get("/staff/login").text
    done = c.get(sso(c, "dana@example.com", "/staff/digest"))
    assert done.status_code == 303 and done.headers["Location"] == "/staff/digest"
    assert signed_in(c)
    assert ("signin", "method=sso") in audit_actions(app)
    page = c.get("/staff/account/sessions").text
    assert "sso" in page
    c.post("/staff/logout", data={"csrf_token": _csrf(c)})
    assert not signed_in(c)  # logout ends the Candor session


def _csrf(client):
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/staff/queue").text)[1]


def test_replayed_state_is_refused(app):
    c = app.test_client()
    callback = sso(c, "sam@example.com")
    assert c.get(callback).status_code == 303
    again = c.get(callback)  # the same state and code once more, in the same browser
    assert again.status_code == 400 and "Start again" in again.text
    thief = app.test_client()  # or in another browser
    stolen = thief.get(callback)
    assert stolen.status_code == 400 and not signed_in(thief)


def test_unverified_email_is_refused(app):
    with session_scope(app.extensions["candor_engine"]) as db:
        add_person(db, name="Una Verified", email="unverified@example.com", password=PASSWORD,
                   job_title="Engineer")
    c = app.test_client()
    refused = c.get(sso(c, "unverified@example.com"))
    assert refused.status_code == 400 and "not verified your email" in refused.text
    assert not signed_in(c)


def test_disabled_account_and_unknown_account_are_refused(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["staff", "disable", "sam@example.com"]).exit_code == 0
    c = app.test_client()
    refused = c.get(sso(c, "sam@example.com"))
    assert refused.status_code == 400 and "disabled" in refused.text and not signed_in(c)
    unknown = c.get(sso(c, "stranger@example.com"))
    assert unknown.status_code == 400 and "no Candor staff account" in unknown.text
    assert not signed_in(c)


def test_auto_create_domains_and_group_roles(tmp_path, database_url, provider):
    app = sso_app(tmp_path, database_url, provider, OIDC_AUTO_CREATE=True,
                  OIDC_ALLOWED_DOMAINS=("example.com",), OIDC_GROUPS_CLAIM="groups",
                  OIDC_GROUP_ROLES="candor-admins=admin,candor-admins=staff")
    c = app.test_client()
    assert c.get(sso(c, "admin@example.com")).status_code == 303
    with session_scope(app.extensions["candor_engine"]) as db:
        person = db.scalar(select(Person).where(Person.email == "admin@example.com"))
        assert person.roles == "staff,admin" and person.password_hash == ""
    newbie = app.test_client()
    assert newbie.get(sso(newbie, "new@example.com")).status_code == 303
    with session_scope(app.extensions["candor_engine"]) as db:
        assert db.scalar(select(Person.roles).where(Person.email == "new@example.com")) == \
            "staff"
    outsider = app.test_client()
    refused = outsider.get(sso(outsider, "someone@elsewhere.example"))
    assert refused.status_code == 400 and "domain" in refused.text
    # Groups are the source of roles: Dana (staff,admin locally) is in no mapped group.
    dana = app.test_client()
    assert dana.get(sso(dana, "dana@example.com")).status_code == 303
    assert ("person.roles", "staff,admin -> staff (sso groups)") in audit_actions(app)


@pytest.mark.parametrize("query", [
    "", "?state=x", "?code=abc", "?state=abc&code=def", "?state=" + "x" * 5000 + "&code=1",
    "?error=access_denied&state=abc", "?state=%00%ff&code=%0d%0a",
])
def test_hostile_callbacks_get_a_clear_error_and_no_session(app, query):
    c = app.test_client()
    c.post("/staff/oidc/login", data={"login_hint": "dana@example.com"})  # a real pending state
    response = c.get(f"/staff/oidc/callback{query}")
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert not signed_in(c)


def test_forged_callback_code_is_refused(app):
    c = app.test_client()
    callback = sso(c, "dana@example.com")
    forged = callback.replace("code=", "code=x")
    response = c.get(forged)
    assert response.status_code == 400 and not signed_in(c)


# --- the ID token checks, on real tokens from the provider ---

def real_tokens(provider: str, client_id: str, nonce: str) -> dict:
    """A real token response for ``client_id`` (the test acting as that client)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    url = f"{provider}/auth?" + urlencode({
        "client_id": client_id, "response_type": "code", "scope": "openid email profile",
        "redirect_uri": REDIRECT, "state": "s", "nonce": nonce, "code_challenge": challenge,
        "code_challenge_method": "S256", "login_hint": "dana@example.com"})
    back = through_provider(url)
    code = back.split("code=")[1].split("&")[0]
    response = requests.post(f"{provider}/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "code_verifier": verifier}, auth=(client_id, f"{client_id}-secret"), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def check(app, token: dict, nonce: str) -> dict:
    """The same check the callback runs (Authlib's ``parse_id_token`` with Candor's leeway)."""
    with app.test_request_context("/staff/oidc/callback"):
        return oidc.client().parse_id_token(token, nonce=nonce, leeway=oidc.LEEWAY)


def test_id_token_checks_signature_audience_nonce_and_expiry(app, provider, tmp_path,
                                                             database_url):
    short = real_tokens(provider, "short", "n3")  # the provider gives its ID tokens 2 seconds
    issued = time.monotonic()
    token = real_tokens(provider, "candor", "n1")
    assert check(app, token, "n1")["email"] == "dana@example.com"
    header, payload, signature = token["id_token"].split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    with pytest.raises(JoseError):
        check(app, {**token, "id_token": f"{header}.{payload}.{flipped}"}, "n1")
    # A payload swapped in (another email) under the original signature.
    other = base64.urlsafe_b64encode(base64.urlsafe_b64decode(payload + "==").replace(
        b"dana@example.com", b"mark@example.com")).rstrip(b"=").decode()
    with pytest.raises(JoseError):
        check(app, {**token, "id_token": f"{header}.{other}.{signature}"}, "n1")
    with pytest.raises(JoseError):
        check(app, {**token, "id_token": f"{header}.{payload}."}, "n1")  # unsigned
    with pytest.raises(JoseError):
        check(app, token, "another nonce")
    wrong_audience = real_tokens(provider, "other", "n2")
    with pytest.raises(JoseError, match="aud|azp"):  # issued to another client
        check(app, wrong_audience, "n2")
    # Candor configured as the "short" client: its token is right in all but time.
    short_app = next(make_test_app(tmp_path / "short", database_url, OIDC_ISSUER=provider,
                                   OIDC_CLIENT_ID="short", OIDC_CLIENT_SECRET="short-secret"))
    time.sleep(max(0.0, 2 + oidc.LEEWAY + 1 - (time.monotonic() - issued)))
    with pytest.raises(JoseError, match="expired"):
        check(short_app, short, "n3")
