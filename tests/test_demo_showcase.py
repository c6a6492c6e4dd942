"""A demo that shows everything (#17 point 6): `candor demo` fills the curation inbox from the
sample feed files (through feedparser, as a fetch would), adds leads, a held question and a
follow-up waiting; in demo mode every mail is caught on this machine and readable by admins."""

import email
import email.policy
from pathlib import Path

import pytest
from sqlalchemy import select

from hub_api import demo_mail
from hub_api.curation.feeds import parse_feed
from hub_api.db import session_scope
from hub_api.demo import FOLLOW_UP
from hub_api.effects.mail import Mail, send
from hub_api.models import ContactRequest, Entry, Feed, FollowUp, Question
from hub_api.questions.states import Status

from .conftest import make_test_app

FEEDS = Path(demo_mail.__file__).resolve().parent / "demo_feeds"


def client_for(app, email_address: str):
    client = app.test_client()
    response = client.post("/staff/login", data={"email": email_address, "password": "demo"})
    assert response.status_code == 303
    return client


@pytest.fixture
def demo_app(tmp_path, database_url):
    for app in make_test_app(tmp_path, database_url, DEMO=True):
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        assert "2 sample feeds, 3 contact requests" in result.output
        yield app


def test_demo_shows_every_staff_page_with_something_in_it(demo_app):
    app = demo_app
    with session_scope(app.extensions["candor_engine"]) as s:
        feeds = s.scalars(select(Feed).order_by(Feed.id)).all()
        assert [f.title for f in feeds] == ["Warehouse Networks Weekly", "Contoso Networks — News"]
        assert all(f.paused and f.status == "ok" for f in feeds)
        entries = s.scalars(select(Entry).order_by(Entry.id)).all()
        # Exactly what feedparser makes of the shipped files: titles, sanitised excerpts.
        expected = [e.title for name in ("industry-news.xml", "rival-news.atom")
                    for e in parse_feed((FEEDS / name).read_bytes(), "x").entries]
        assert sorted(e.title for e in entries) == sorted(expected) and len(entries) == 7
        assert all("<script" not in e.summary_html for e in entries)
        assert len(s.scalars(select(ContactRequest)).all()) == 3
        held = s.scalars(select(Question).where(Question.status == "held")).one()
        waiting = s.scalars(select(FollowUp).where(FollowUp.body == FOLLOW_UP[1])).one()
        assert s.get(Question, waiting.question_id).status == Status.FOLLOW_UP
    priya = client_for(app, "priya@northwind.example")  # marketer
    assert "Contoso launches a fanless" in priya.get("/staff/curation").text
    tom = client_for(app, "tom@northwind.example")  # moderator
    assert held.title in tom.get("/staff/moderation/").text
    alex = client_for(app, "alex@northwind.example")  # owner
    digest = alex.get("/staff/digest").text
    assert "maria@coldchain.example" in digest and "ColdChain Logistics" in digest
    assert waiting.body in alex.get(f"/staff/q/{waiting.question_id}").text
    assert "Is 24/7 support included" in alex.get("/staff/queue?all=1").text


def test_caught_mail_is_readable_by_admins_in_demo_mode_only(demo_app, tmp_path, database_url):
    app = demo_app
    controller = demo_mail.start_catcher(app)
    try:
        assert app.config["SMTP_URL"].startswith("smtp://127.0.0.1:")
        with app.test_request_context():
            send(Mail("pat@example.org", "Confirm <your> address", "Click the link.",
                      purpose="test", html="<p>Hi <script>alert(1)</script></p>"), "showcase-1")
        # A real flow: an asker who gives an address is sent a confirmation.
        asker = app.test_client()
        response = asker.post("/ask", data={"display_name": "Pat", "title": "Caught mail?",
                                            "body": "Does the demo catch mail?",
                                            "email": "pat@example.org"})
        assert response.status_code == 303, response.text[:300]
    finally:
        controller.stop()
    caught = sorted(demo_mail.folder(app).glob("*.eml"))
    assert len(caught) >= 2
    subjects = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["Subject"]
                for p in caught]
    assert "Confirm <your> address" in subjects

    dana = client_for(app, "dana@northwind.example")  # admin
    listing = dana.get("/staff/demo-mail/")
    assert listing.status_code == 200 and "Confirm &lt;your&gt; address" in listing.text
    assert 'href="/staff/demo-mail/"' in dana.get("/staff/queue").text  # in the staff nav
    name = next(p.name for p, s in zip(caught, subjects, strict=True)
                if s == "Confirm <your> address")
    one = dana.get(f"/staff/demo-mail/{name}")
    assert "Click the link." in one.text and "pat@example.org" in one.text
    html = dana.get(f"/staff/demo-mail/{name}/html")
    assert html.headers["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    for hostile in ("../../candor.db", "x.eml", "%2e%2e%2fsecret_key", "a" * 5000):
        assert dana.get(f"/staff/demo-mail/{hostile}").status_code in (404, 308), hostile
    sam = client_for(app, "sam@northwind.example")  # staff, not admin
    assert sam.get("/staff/demo-mail/").status_code == 403
    assert app.test_client().get("/staff/demo-mail/").status_code == 302
    assert asker.get("/").headers.getlist("Set-Cookie") == []
    app.config["DEMO"] = False
    assert dana.get("/staff/demo-mail/").status_code == 404
    assert dana.get(f"/staff/demo-mail/{name}").status_code == 404
    assert 'href="/staff/demo-mail/"' not in dana.get("/staff/queue").text


def test_no_catcher_page_without_demo_mode(tmp_path, database_url):
    for app in make_test_app(tmp_path, database_url):
        app.test_cli_runner().invoke(args=["demo"])
        assert client_for(app, "dana@northwind.example").get(
            "/staff/demo-mail/").status_code == 404
