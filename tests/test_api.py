"""The JSON API: the ask → answer → accept flow, tokens, and every error status."""

import pytest

from hub_api.api.routes import ENDPOINTS

from .conftest import ask


@pytest.fixture
def token(app, people, runner):
    result = runner.invoke(args=["staff", "token", people["dana"], "--name", "crm"])
    assert result.exit_code == 0, result.output
    assert "shown only once" in result.output
    return result.output.strip().splitlines()[-1]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_ask_answer_accept_flow(client, token):
    asked = client.post("/api/v1/questions", json={
        "title": "Do you ship to Norway?", "body": "Ten *units*.", "display_name": "Pat",
        "topic": "networking", "status": "answered", "person_id": 1})
    assert asked.status_code == 201, asked.json
    assert "Set-Cookie" not in asked.headers
    body = asked.json
    assert body["url"].startswith("http://hub.test/q/") and "/manage/" in body["manage_url"]
    # The manage link works in the browser flow too.
    assert client.get(body["manage_url"].removeprefix("http://hub.test")).status_code == 200
    thread = client.get(f"/api/v1/questions/{body['id']}").json
    assert thread["status"] == "open"  # `status` in the request was ignored
    assert thread["body_html"] == "<p>Ten <em>units</em>.</p>"
    answer = client.post(f"/api/v1/questions/{body['id']}/answers", headers=bearer(token),
                         json={"body": "Yes, weekly.", "author_id": 2})
    assert answer.status_code == 201
    assert answer.json["author"]["name"] == "Dana Ortiz"  # signed by the token's owner
    accepted = client.post(f"/api/v1/questions/{body['id']}/accept", headers=bearer(token),
                           json={"answer_id": answer.json["id"]})
    assert accepted.status_code == 200
    assert accepted.json["accepted_answer_id"] == answer.json["id"]
    assert accepted.json["status"] == "answered"
    listing = client.get("/api/v1/questions?status=answered&topic=networking").json
    assert [q["id"] for q in listing["items"]] == [body["id"]] and listing["total"] == 1


def test_queue_assign_topics_people(client, token, app):
    ask(client, title="Networking one", topic="networking")
    ask(client, title="Security one", topic="security")
    queue = client.get("/api/v1/queue", headers=bearer(token)).json["items"]
    assert [q["title"] for q in queue] == ["Networking one"]
    moved = client.post(f"/api/v1/questions/{queue[0]['id']}/assign", headers=bearer(token),
                        json={"person": "sam-lee"})
    assert moved.status_code == 200 and moved.json["assigned_to"]["name"] == "Sam Lee"
    assert client.get("/api/v1/queue", headers=bearer(token)).json["items"] == []
    bad = client.post(f"/api/v1/questions/{queue[0]['id']}/assign", headers=bearer(token),
                      json={"person": "mia-chen"})  # not on staff
    assert bad.status_code == 404
    assert {t["slug"] for t in client.get("/api/v1/topics").json["items"]} == {
        "networking", "security"}
    people = client.get("/api/v1/people").json["items"]
    assert {p["name"] for p in people} == {"Dana Ortiz", "Sam Lee"}
    assert all("email" not in p for p in people)


@pytest.mark.parametrize("kwargs, status", [
    ({"data": "title=x", "content_type": "application/x-www-form-urlencoded"}, 415),
    ({"data": "{not json", "content_type": "application/json"}, 400),
    ({"data": b"\xff\xfe", "content_type": "application/json"}, 400),
    ({"json": ["a", "list"]}, 422),
    ({"json": {"title": 5, "body": "b", "display_name": "x"}}, 422),
    ({"json": {"title": "t", "body": " ", "display_name": "x"}}, 422),
    ({"json": {"title": "t", "body": "b", "display_name": "x", "topic": "nope"}}, 404),
    ({"json": {"title": "t", "body": "\x00\x01", "display_name": "x"}}, 422),
    ({"json": {"title": "t", "body": "b" * 20_001, "display_name": "x"}}, 422),
    ({"data": '{"title": "' + "t" * 70_000 + '"}', "content_type": "application/json"}, 413),
])
def test_ask_errors(client, people, kwargs, status):
    response = client.post("/api/v1/questions", **kwargs)
    assert response.status_code == status, response.json
    assert set(response.json) == {"error", "detail"}
    assert client.get("/api/v1/questions").json["total"] == 0


def test_tokens(client, app, token, people, runner):
    ask(client)
    path = "/api/v1/questions/1/answers"
    assert client.post(path, json={"body": "x"}).status_code == 401
    assert client.post(path, json={"body": "x"}, headers=bearer("cnd_unknown")).status_code == 401
    assert client.post(path, json={"body": "x"},
                       headers={"Authorization": "Basic " + token}).status_code == 401
    # A marketer's token cannot answer.
    mia = runner.invoke(args=["staff", "token", people["mia"]]).output.strip().splitlines()[-1]
    assert client.post(path, json={"body": "x"}, headers=bearer(mia)).status_code == 403
    # Revoked tokens stop at once.
    revoke = runner.invoke(args=["staff", "token", people["dana"], "--revoke", "1"])
    assert revoke.exit_code == 0, revoke.output
    assert client.post(path, json={"body": "x"}, headers=bearer(token)).status_code == 401
    # Revoking another person's token is refused.
    other = runner.invoke(args=["staff", "token", people["sam"], "--revoke", "2"])
    assert other.exit_code != 0 and "has no token with id 2" in other.output
    assert runner.invoke(args=["staff", "token", "nobody@example.com"]).exit_code != 0


def test_not_found_and_conflict(client, token):
    ask(client)
    assert client.get("/api/v1/questions/999").status_code == 404
    assert client.get("/api/v1/questions/999").json["error"] == "Not Found"
    conflict = client.post("/api/v1/questions/1/accept", headers=bearer(token),
                           json={"answer_id": 12345})
    assert conflict.status_code == 409


def test_openapi_document_declares_every_error(client, people):
    doc = client.get("/api/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    statuses = set()
    for e in ENDPOINTS:
        op = doc["paths"][e.path][e.method.lower()]
        assert str(e.status) in op["responses"]
        statuses |= set(op["responses"])
    assert {"400", "401", "403", "404", "409", "413", "415", "422", "429"} <= statuses
    # The document's limits are the form's limits (one source of truth).
    ask_schema = doc["components"]["schemas"]["AskIn"]["properties"]
    assert ask_schema["title"]["maxLength"] == 200 and ask_schema["body"]["maxLength"] == 20_000
    page = client.get("/api/")
    assert page.status_code == 200 and "/api/v1/questions/{question_id}/answers" in page.text


def test_token_use_is_throttled(client, token, app):
    ask(client)
    statuses = {client.get("/api/v1/queue", headers=bearer(token)).status_code
                for _ in range(125)}
    assert statuses == {200, 429}
    limited = client.get("/api/v1/queue", headers=bearer(token))
    assert limited.status_code == 429 and limited.json["error"]
    assert "Retry-After" in limited.headers
    # Another token has its own budget.
    runner = app.test_cli_runner()
    other = runner.invoke(args=["staff", "token", "sam@example.com"]).output.strip().split()[-1]
    assert client.get("/api/v1/queue", headers=bearer(other)).status_code == 200


def test_anonymous_asks_are_rate_limited(client, people):
    codes = [client.post("/api/v1/questions", json={
        "title": f"Question {i}", "body": f"Body {i}", "display_name": "P"}).status_code
        for i in range(7)]
    assert codes[:5] == [201] * 5 and codes[5:] == [429, 429]
