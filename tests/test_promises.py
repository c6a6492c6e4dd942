"""Honest promises: a page says the hub sends mail only when it does, and each "we sent" or
"by email" on a page matches a message a real SMTP server (aiosmtpd) received."""

from __future__ import annotations

import html
import re

import pytest

from .conftest import ask, make_test_app, seed_people
from .test_contact import LEAD, answered

MAIL_WORDS = re.compile(r"we sent|we emailed|gets your address by email|email me when",
                        re.IGNORECASE)


@pytest.fixture
def no_mail_app(tmp_path, database_url):
    for app in make_test_app(tmp_path, database_url, SMTP_URL=""):
        seed_people(app)
        yield app


def text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.text))


def test_with_mail_off_no_page_promises_mail(no_mail_app):
    client = no_mail_app.test_client()
    form = client.get("/ask")
    assert 'name="email"' not in form.text and not MAIL_WORDS.search(text(form))
    assert "does not send email" in text(form)
    # An address given anyway (the API) is never answered with a promise of mail.
    api = client.post("/api/v1/questions", json={"display_name": "Pat", "title": "Oslo?",
                                                 "body": "Ten.", "email": "pat@example.org"})
    assert api.status_code == 201
    given = client.get(api.json["manage_url"].replace("http://hub.test", ""))
    assert not MAIL_WORDS.search(text(given)) and "cannot notify you" in text(given)

    question_id, answer_id, token = answered(no_mail_app)
    manage = client.get(f"/manage/{token}")
    assert not MAIL_WORDS.search(text(manage)) and "cannot notify you" in text(manage)
    assert 'name="email"' not in manage.text  # no form that would promise a confirmation
    thread = client.get(f"/q/{question_id}", follow_redirects=True)
    assert not MAIL_WORDS.search(text(thread))
    assert "sees your request in their queue" in text(thread)
    sent = client.post(f"/q/{question_id}/contact/{answer_id}", data=LEAD)
    thanks = text(client.get(sent.headers["Location"]))
    assert "waits in Dana Ortiz's queue" in thanks and not MAIL_WORDS.search(thanks)


def test_with_mail_on_every_promise_is_a_received_mail(mail_app, smtp):
    client = mail_app.test_client()
    form = text(client.get("/ask"))
    assert "we send one confirmation link first" in form
    token = ask(client, title="Do you ship to Oslo?", email="pat@example.org")
    confirmations = [m for m in smtp.box.messages if m["To"] == "pat@example.org"]
    assert len(confirmations) == 1  # the form's "one confirmation link", received
    manage = text(client.get(f"/manage/{token}"))
    assert "We sent a confirmation link to the address you gave" in manage

    question_id, answer_id, _token = answered(mail_app)
    thread = text(client.get(f"/q/{question_id}", follow_redirects=True))
    assert "Dana Ortiz gets your address by email" in thread
    sent = client.post(f"/q/{question_id}/contact/{answer_id}", data=LEAD)
    thanks = text(client.get(sent.headers["Location"]))
    assert "We emailed your request" in thanks
    leads = [m for m in smtp.box.messages if m["Subject"].startswith("Contact request")]
    assert [m["To"] for m in leads] == ["dana@example.com"]  # "we emailed … to Dana Ortiz"
