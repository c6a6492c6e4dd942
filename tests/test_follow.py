"""Following a thread: double opt-in email through a real SMTP server, and the Atom feed."""

import re
from datetime import timedelta
from xml.etree import ElementTree

from sqlalchemy import select

from hub_api.db import session_scope
from hub_api.models import NotificationEmail, Question
from hub_api.questions.follow import purge_unconfirmed

from .conftest import PASSWORD, ask, csrf, make_test_app, seed_people

ATOM = "{http://www.w3.org/2005/Atom}"


def to_askers(smtp) -> list:
    """Mail to askers (example.org); staff (example.com) are also mailed about new questions."""
    return [m for m in smtp.box.messages if m["To"].endswith("@example.org")]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def link(text: str, kind: str) -> str:
    return re.search(rf"http://hub\.test(/notify/{kind}/\S+)", text).group(1)


def opt_ins(app) -> list[NotificationEmail]:
    with session_scope(app.extensions["candor_engine"]) as s:
        return list(s.scalars(select(NotificationEmail)))


def test_double_opt_in_then_answer_mail_then_unsubscribe(mail_app, smtp):
    client = mail_app.test_client()
    staff = mail_app.test_client()
    staff.post("/staff/login", data={"email": "dana@example.com", "password": PASSWORD})
    token = ask(client, title="Do you ship to Oslo?", email="pat@example.org")
    (message,) = to_askers(smtp)
    assert message["To"] == "pat@example.org"
    text = text_of(message)
    assert "Confirm within 48 hours" in text and "/notify/unsubscribe/" in text
    assert message["List-Unsubscribe"].strip().startswith("<http://hub.test/notify/unsubscribe/")
    confirm = link(text, "confirm")

    # A mail scanner fetching the link confirms nothing.
    page = client.get(confirm)
    assert page.status_code == 200 and "Yes, email me" in page.text
    assert 'content="noindex' in page.text and page.headers["Referrer-Policy"] == "no-referrer"
    assert opt_ins(mail_app)[0].confirmed_at is None
    # An answer before confirmation mails nobody.
    (question,) = _questions(mail_app)
    staff.post(f"/staff/q/{question.id}/answer", data={"csrf_token": csrf(staff), "body": "Yes."})
    assert len(to_askers(smtp)) == 1
    assert client.post(confirm).status_code == 200
    assert opt_ins(mail_app)[0].confirmed_at is not None
    assert "Turn email notifications off" in client.get(f"/manage/{token}").text

    staff.post(f"/staff/q/{question.id}/answer",
               data={"csrf_token": csrf(staff), "body": "And to Bergen."})
    assert len(to_askers(smtp)) == 2
    news = text_of(to_askers(smtp)[1])
    assert to_askers(smtp)[1]["Subject"] == "New answer: Do you ship to Oslo? · Candor"
    assert "Dana Ortiz" in news and f"http://hub.test{question.url}#answer-" in news
    unsubscribe = link(news, "unsubscribe")

    client.post(f"/manage/{token}/notifications", data={"action": "off"})
    staff.post(f"/staff/q/{question.id}/answer", data={"csrf_token": csrf(staff), "body": "P.S."})
    assert len(to_askers(smtp)) == 2  # switched off: no mail
    assert client.get(unsubscribe).status_code == 200 and opt_ins(mail_app)
    done = client.post(unsubscribe)
    assert done.status_code == 200 and "Your email address is deleted" in done.text
    assert opt_ins(mail_app) == []
    assert client.post(unsubscribe).status_code == 404  # used up
    assert client.get("/notify/confirm/forged-token").status_code == 404
    assert client.post("/notify/unsubscribe/" + "A" * 3000).status_code == 404


def test_confirmation_link_expires_and_unconfirmed_are_purged(mail_app, smtp):
    client = mail_app.test_client()
    ask(client, title="Old opt-in", email="old@example.org")
    ask(client, title="New opt-in", email="new@example.org")
    engine = mail_app.extensions["candor_engine"]
    with session_scope(engine) as s:
        old = s.scalars(select(NotificationEmail).order_by(NotificationEmail.id)).first()
        old.created_at -= timedelta(hours=49)
    with session_scope(engine) as s:
        assert purge_unconfirmed(s) == 1
    assert [o.email for o in opt_ins(mail_app)] == ["new@example.org"]
    result = mail_app.test_cli_runner().invoke(args=["purge-unconfirmed"])
    assert result.exit_code == 0 and "Deleted 0 unconfirmed email addresses." in result.output
    # The first mail's link now points at a deleted row.
    assert client.post(link(text_of(to_askers(smtp)[0]), "confirm")).status_code == 404


def test_bad_email_on_ask_is_a_400_and_nothing_is_saved(client, people):
    response = client.post("/ask", data={"display_name": "P", "title": "T", "body": "B",
                                         "email": "not an address"})
    assert response.status_code == 400 and "Enter an email address like" in response.text
    assert _questions(client.application) == []


def test_smtp_down_does_not_fail_the_ask(tmp_path, database_url, caplog):
    from .conftest import free_port

    for app in make_test_app(tmp_path, database_url, SMTP_URL=f"smtp://127.0.0.1:{free_port()}"):
        seed_people(app)
        ask(app.test_client(), email="pat@example.org")
        assert len(_questions(app)) == 1
        assert "mail failed: opt-in confirmation" in caplog.text
        assert "pat@example.org" not in caplog.text


def test_thread_feed(client, staff, people):
    ask(client, title="Feed me", email="secret@example.org")
    (question,) = _questions(client.application)
    staff.post(f"/staff/q/{question.id}/answer", data={"csrf_token": csrf(staff),
                                                       "body": "Here *you* go."})
    response = client.get(f"/q/{question.id}/feed.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert "Set-Cookie" not in response.headers
    feed = ElementTree.fromstring(response.data)
    assert feed.find(f"{ATOM}title").text == "Feed me · Candor"  # the thread, then the company
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Answer by Dana Ortiz"
    assert entry.find(f"{ATOM}link").get("href").startswith(f"http://hub.test{question.url}#")
    assert "<em>you</em>" in entry.find(f"{ATOM}summary").text
    assert "secret@example.org" not in response.text
    assert client.get("/q/999/feed.atom").status_code == 404


def _questions(app):
    with session_scope(app.extensions["candor_engine"]) as s:
        return list(s.scalars(select(Question)))
