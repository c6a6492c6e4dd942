"""Signed webhooks to a receiver on loopback: signatures, retries with backoff, giving up."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from hub_api.db import session_scope, utcnow
from hub_api.effects.webhooks import deliver_due, sign, verify
from hub_api.models import WebhookDelivery, WebhookEndpoint

from .conftest import ask, csrf, login


class Receiver:
    """A loopback HTTP server that answers with the next scripted status and keeps requests."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.requests: list[tuple[dict, bytes, int]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.requests.append((dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered(self):
        return [(h, b) for h, b, s in self.requests if 200 <= s < 300]


@pytest.fixture
def private_ok(app):
    app.config["ALLOW_PRIVATE_URLS"] = True
    return app


def add_hook(runner, url, events="question.asked,answer.posted"):
    result = runner.invoke(args=["webhooks", "add", url, "--events", events])
    assert result.exit_code == 0, result.output
    return result.output.strip().rsplit(" ", 1)[1]  # the secret, shown once


def deliveries(app):
    with session_scope(app.extensions["candor_engine"]) as s:
        return s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


def test_signed_delivery_without_personal_data(private_ok, client, runner, people):
    receiver = Receiver()
    secret = add_hook(runner, receiver.url)
    ask(client, title="Do you ship to Norway?", display_name="Pat Secretname")
    assert deliver_due(private_ok) == 1
    ((headers, body),) = receiver.delivered()
    assert verify(secret, headers["Candor-Signature"], body)
    assert not verify("wrong-secret", headers["Candor-Signature"], body)
    assert not verify(secret, headers["Candor-Signature"], body + b" ")
    event = json.loads(body)
    assert event["event"] == "question.asked" and headers["Candor-Event"] == "question.asked"
    assert event["data"]["question"]["title"] == "Do you ship to Norway?"
    assert event["data"]["question"]["url"].startswith("http://hub.test/q/")
    assert "Secretname" not in body.decode() and "@" not in body.decode()
    assert deliver_due(private_ok) == 0  # delivered exactly once
    assert "ok (HTTP 200)" in runner.invoke(args=["webhooks", "list"]).output


def test_replayed_delivery_is_detectable():
    body = b'{"event": "question.asked"}'
    header = sign("s3cret", body, timestamp=1_000_000)
    assert verify("s3cret", header, body, now=1_000_000 + 60)
    assert not verify("s3cret", header, body, now=1_000_000 + 3600)  # an old replay
    assert not verify("s3cret", "garbage", body)


def test_fails_twice_then_recovers_exactly_once_more(private_ok, client, runner, people):
    receiver = Receiver([500, 503])
    add_hook(runner, receiver.url)
    ask(client)
    start = utcnow()
    assert deliver_due(private_ok, now=start) == 1
    assert deliver_due(private_ok, now=start + timedelta(seconds=5)) == 0  # backing off
    assert deliver_due(private_ok, now=start + timedelta(seconds=31)) == 1
    assert deliver_due(private_ok, now=start + timedelta(seconds=60)) == 0
    assert deliver_due(private_ok, now=start + timedelta(seconds=92)) == 1
    for minutes in (5, 60, 600):
        deliver_due(private_ok, now=start + timedelta(minutes=minutes))
    assert [s for _h, _b, s in receiver.requests] == [500, 503, 200]
    ids = {h["Candor-Delivery"] for h, _b, _s in receiver.requests}
    assert len(ids) == 1  # the same delivery id each time, so receivers can de-duplicate
    (delivery,) = deliveries(private_ok)
    assert delivery.delivered_at is not None and delivery.attempts == 3


def test_receiver_down_all_day_shows_failing(private_ok, client, runner, people):
    receiver = Receiver()
    add_hook(runner, receiver.url)
    receiver.server.shutdown()
    receiver.server.server_close()
    ask(client)
    start = utcnow()
    when = start
    while when < start + timedelta(hours=25):
        deliver_due(private_ok, now=when)
        when += timedelta(minutes=30)
    (delivery,) = deliveries(private_ok)
    assert delivery.gave_up_at is not None and delivery.delivered_at is None
    assert delivery.attempts >= 20
    listing = runner.invoke(args=["webhooks", "list"]).output
    assert "failing: gave up after" in listing


def test_private_addresses_refused_by_default(app, client, runner, people):
    receiver = Receiver()
    add_hook(runner, receiver.url)
    ask(client)
    deliver_due(app)
    assert receiver.requests == []
    (delivery,) = deliveries(app)
    assert "not a public internet address" in delivery.last_status


@pytest.mark.parametrize("args, message", [
    (["webhooks", "add", "ftp://example.com/x"], "must be an http(s) URL"),
    (["webhooks", "add", "https://"], "must be an http(s) URL"),
    (["webhooks", "add", "https://example.com/x", "--events", "everything"], "unknown event"),
    (["webhooks", "remove", "42"], "no webhook with id 42"),
])
def test_cli_rejects_bad_input(app, runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and message in result.output
    with session_scope(app.extensions["candor_engine"]) as s:
        assert s.scalars(select(WebhookEndpoint)).all() == []


def test_staff_page(app, people, staff):
    page = staff.get("/staff/webhooks/")
    assert page.status_code == 200 and "No webhooks yet." in page.text
    token = csrf(staff, "/staff/webhooks/")
    added = staff.post("/staff/webhooks/", data={"csrf_token": token,
                                                 "url": "https://crm.example.com/hook",
                                                 "events": ["answer.posted"]})
    assert added.status_code == 200 and "not shown again" in added.text
    bad = staff.post("/staff/webhooks/", data={"csrf_token": token, "url": "javascript:x",
                                               "events": ["answer.posted"]})
    assert bad.status_code == 400 and "must be an http(s) URL" in bad.text
    assert staff.post("/staff/webhooks/", data={"url": "https://x.example"}).status_code == 400
    sam = app.test_client()
    login(sam, people["sam"])  # staff, not admin
    assert sam.get("/staff/webhooks/").status_code == 403
    removed = staff.post("/staff/webhooks/", data={"csrf_token": token, "remove": "1"})
    assert "No webhooks yet." in removed.text


def test_erasing_a_question_erases_its_deliveries(private_ok, client, staff, runner, people):
    """The title and its URL slug are the asker's words: delivered or waiting, they go."""
    receiver = Receiver()
    add_hook(runner, receiver.url)
    token = ask(client, title="Secret project Bluefin pricing?")
    ask(client, title="Do you ship to Norway?")
    assert deliver_due(private_ok) == 2
    (mine,) = [d for d in deliveries(private_ok) if "Bluefin" in d.payload]
    staff.post(f"/staff/q/{mine.question_id}/answer",
               data={"csrf_token": csrf(staff), "body": "Ask sales."})
    assert any("bluefin" in d.payload for d in deliveries(private_ok) if d.delivered_at is None)
    export = client.get(f"/manage/{token}/export.json").json["records"]["webhook_deliveries"]
    assert [e["event"] for e in export] == ["question.asked", "answer.posted"]
    assert "payload" not in export[0]

    assert client.post(f"/manage/{token}/delete").status_code == 200
    left = deliveries(private_ok)
    assert [d.event for d in left] == ["question.asked"]
    assert not any("bluefin" in d.payload.lower() for d in left)
    assert deliver_due(private_ok) == 0  # the answer's delivery went with the question
