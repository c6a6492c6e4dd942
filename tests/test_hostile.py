"""Hostile input gets a 4xx, never a 500 or a partial write (issue 13, point 6)."""

import re

import pytest

from hub_api.curation.fetch import FetchError, check_address

from .conftest import PASSWORD, make_test_app, seed_people
from .test_api import bearer, token  # noqa: F401 — the fixture


def test_deeply_nested_json_is_refused(client):
    deep = "[" * 30_000 + "]" * 30_000
    response = client.post("/api/v1/questions", data=deep, content_type="application/json")
    assert response.status_code == 400 and response.json["error"] == "malformed JSON"
    inner = ('{"title": "Nested?", "display_name": "Pat", "body": '
             + "[" * 2_000 + "]" * 2_000 + "}")
    response = client.post("/api/v1/questions", data=inner, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert client.get("/api/v1/questions").json["total"] == 0


def test_a_boolean_is_not_an_id(client, token):  # noqa: F811 — the fixture
    asked = client.post("/api/v1/questions", json={"title": "Bool ids?", "body": "Are they?",
                                                   "display_name": "Pat"}).json
    answer = client.post(f"/api/v1/questions/{asked['id']}/answers", headers=bearer(token),
                         json={"body": "No."}).json
    assert answer["id"] == 1
    refused = client.post(f"/api/v1/questions/{asked['id']}/accept", headers=bearer(token),
                          json={"answer_id": True})
    assert refused.status_code == 422
    assert client.get(f"/api/v1/questions/{asked['id']}").json["accepted_answer_id"] is None


def test_trace_is_refused_with_allow(client):
    for path in ("/", "/ask", "/healthz"):
        response = client.open(path, method="TRACE")
        assert response.status_code == 405 and "GET" in response.headers["Allow"], path


def test_the_build_stamp_is_not_served(app, client):
    site = app.config["SITE"]
    site.mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_text("<p>home</p>")
    (site / ".candor-build.json").write_text('{"unpublished": ["secret"]}')
    assert client.get("/").status_code == 200
    for path in ("/.candor-build.json", "/x/../.candor-build.json", "/.git/config"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("address", [
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b:1::7f00:1",  # local-use NAT64
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::7f00:1",  # IPv4-compatible (deprecated)
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
])
def test_embedded_private_ipv4_is_refused(address):
    with pytest.raises(FetchError, match="not a public internet address"):
        check_address(address)


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "8.8.8.8",
                                     "2606:4700:4700::1111"])
def test_embedded_global_ipv4_passes(address):
    assert str(check_address(address))


@pytest.fixture
def guarded(tmp_path, database_url):
    for app in make_test_app(tmp_path, database_url, FORM_TOKEN_REQUIRED=True,
                             FORM_MIN_SECONDS=0, FORM_MAX_AGE=60):
        seed_people(app)
        yield app


def _token(client, path: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', client.get(path).text).group(1)


def test_a_form_token_opens_only_its_own_form(guarded):
    client = guarded.test_client()
    fields = {"display_name": "Pat", "title": "Token reuse?", "body": "From the login page."}
    login_token = _token(client, "/staff/login")
    refused = client.post("/ask", data={**fields, "form_token": login_token})
    assert refused.status_code == 400 and "could not be checked" in refused.text
    accepted = client.post("/ask", data={**fields, "form_token": _token(client, "/ask")})
    assert accepted.status_code == 303


def test_login_attempts_are_limited_per_account(guarded):
    client = guarded.test_client()
    statuses = []
    for n in range(12):  # twelve addresses, one guess each, all at the same account
        address = f"198.51.100.{n + 1}"
        form_token = _token(client, "/staff/login")
        statuses.append(client.post(
            "/staff/login", data={"email": "dana@example.com", "password": f"guess {n}",
                                  "form_token": form_token},
            environ_base={"REMOTE_ADDR": address}).status_code)
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]
    # Another account is not locked by it.
    other = client.post("/staff/login", data={
        "email": "sam@example.com", "password": PASSWORD,
        "form_token": _token(client, "/staff/login")},
        environ_base={"REMOTE_ADDR": "198.51.100.99"})
    assert other.status_code == 303
