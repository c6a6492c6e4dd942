"""Sending an answer or a curated item to earlier askers: consent, "more like this",
one individual mail per person through a real SMTP server, and a way out."""

from __future__ import annotations

import re
from email.utils import getaddresses

from sqlalchemy import func, select

from hub_api.db import session_scope, utcnow
from hub_api.models import (
    Answer,
    CuratedPick,
    Effect,
    NotificationEmail,
    Outreach,
    OutreachRecipient,
    Question,
    Topic,
)
from hub_api.questions.ask import new_token
from tests.conftest import (
    Mailbox,
    ask,
    csrf,
    free_port,
    login,
    make_test_app,
    seed_people,
)
from tests.test_search import add_thread

ITEM = ("Firewall throughput with VPN on the small model", "How fast is it with VPN on?",
        "About 900 Mbit/s with VPN; the firewall keeps up.")


def engine(app):
    return app.extensions["candor_engine"]


def asker(app, name: str, title: str, *, email: str | None = None, topic: str | None =
          "networking", confirmed: bool = True, news: bool = True, active: bool = True,
          status: str = "open") -> tuple[int, str]:
    """An earlier asker with an email consent, written straight to the database; returns
    (consent id, manage token)."""
    token, token_hash = new_token()
    with session_scope(engine(app)) as s:
        q = Question(title=title, body=f"{title} Please advise.", body_html=f"<p>{title}</p>",
                     display_name=name, manage_token_hash=token_hash, status=status,
                     topic=s.scalar(select(Topic).where(Topic.slug == topic)) if topic else None)
        s.add(q)
        s.flush()
        consent = NotificationEmail(
            question_id=q.id, email=email or f"{name.split()[0].lower()}@example.org",
            confirmed_at=utcnow() if confirmed else None, active=active, topic_news=news)
        s.add(consent)
        s.flush()
        made = consent.id
    # The index holds it before the test reads: a write's own indexing may not get the writer's
    # turn (on PostgreSQL the leader's, over a connection of its own) and leaves it queued.
    app.extensions["candor_search"].apply_pending(wait=True)
    return made, token


def dana_answer(app, topic: str | None = "networking") -> tuple[int, int]:
    """Dana's answer to a thread on ``topic``; returns (question id, answer id)."""
    qid = add_thread(app, *ITEM, topic=topic)
    with session_scope(engine(app)) as s:
        return qid, s.scalar(select(Answer.id).where(Answer.question_id == qid))


def offered(page_html: str) -> set[int]:
    return {int(v) for v in re.findall(r'name="recipient" value="(\d+)"', page_html)}


def rows(app) -> tuple[int, int]:
    with session_scope(engine(app)) as s:
        return (s.scalar(select(func.count()).select_from(Outreach)),
                s.scalar(select(func.count()).select_from(OutreachRecipient)))


def staff_client(app, email: str = "dana@example.com"):
    client = app.test_client()
    assert login(client, email).status_code == 303
    return client


def test_only_confirmed_consenting_similar_askers_on_the_topic_are_offered(search_app):
    app = search_app
    seed_people(app)
    qid, answer_id = dana_answer(app)
    with session_scope(engine(app)) as s:  # the answered question's own asker is not offered
        s.add(NotificationEmail(question_id=qid, email="own@example.org", confirmed_at=utcnow(),
                                topic_news=True))
    alex, _ = asker(app, "Alex Quinn", "Firewall VPN throughput on the bigger model?")
    gale, _ = asker(app, "Gale Ruiz", "VPN throughput of the firewall in a branch office",
                    email="ALEX@example.org")  # the same address as Alex: one mail at most
    hana, _ = asker(app, "Hana Berg", "Does the firewall slow down with VPN?")
    no_news, _ = asker(app, "Bo Stone", "Firewall VPN throughput figures?", news=False)
    unconfirmed, _ = asker(app, "Cy Unger", "Firewall throughput with VPN tunnels", confirmed=False)
    dissimilar, _ = asker(app, "Dee Ford", "Do you ship to Norway?")
    other_topic, _ = asker(app, "Eli Marsh", "Firewall VPN throughput", topic="security")
    held, _ = asker(app, "Fay Held", "Firewall VPN throughput again", status="held")

    dana = staff_client(app)
    page = dana.get(f"/staff/answers/{answer_id}/share")
    assert page.status_code == 200
    got = offered(page.text)
    assert hana in got and len(got & {alex, gale}) == 1 and len(got) == 2
    assert not got & {no_news, unconfirmed, dissimilar, other_topic, held}
    assert "example.org" not in page.text and "own@" not in page.text  # never an address
    assert "Hana Berg" in page.text and "Does the firewall slow down with VPN?" in page.text

    # A curated item has no own question and may span topics: Eli's security question joins.
    with session_scope(engine(app)) as s:
        s.add(CuratedPick(slug="vpn-speed", title="VPN firewall throughput measured",
                          note="Independent throughput tests.", topics="networking,security",
                          path="curated/vpn-speed.md"))
    curated = offered(dana.get("/staff/curated/vpn-speed/share").text)
    assert other_topic in curated and hana in curated and not curated & {no_news, dissimilar}


def test_sending_mails_each_picked_person_once_and_the_way_out_works(mail_app, smtp):
    app = mail_app
    _qid, answer_id = dana_answer(app)
    alex, _ = asker(app, "Alexandra Quill", "Firewall VPN throughput on the bigger model?")
    bosco, bosco_token = asker(app, "Bosco Zhang", "Does the firewall slow down with VPN?")
    cyra, _ = asker(app, "Cyra Olsen", "VPN throughput figures for the firewall")
    dana = staff_client(app)
    share = f"/staff/answers/{answer_id}/share"
    assert offered(dana.get(share).text) == {alex, bosco, cyra}

    note = "Hi, you asked about this.\n\n**New** firmware doubles it. <script>alert(1)</script>"
    sent = dana.post(share, data={"csrf_token": csrf(dana, share), "note": note,
                                  "recipient": [str(alex), str(bosco)]})
    assert sent.status_code == 200 and "Sent 2 personal mails" in sent.text
    # The confirmation shows a count, never the list: only Cyra is still offered.
    assert "Alexandra" not in sent.text and "Bosco" not in sent.text and "Cyra Olsen" in sent.text
    assert offered(sent.text) == {cyra} and "@example.org" not in sent.text

    messages = smtp.box.messages
    assert len(messages) == 2
    assert sorted(m["To"] for m in messages) == ["alexandra@example.org", "bosco@example.org"]
    for message in messages:
        assert len(getaddresses(message.get_all("To"))) == 1
        assert message["Cc"] is None and message["Bcc"] is None
        assert message["From"].addresses[0].display_name == "Dana Ortiz via Candor"
        assert message["From"].addresses[0].addr_spec == "candor@localhost"
        assert message["Reply-To"] == "dana@example.com"
        assert message.get_content_type() == "text/plain"
        body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert note in body and f"/q/{_qid}/" in body and f"#answer-{answer_id}" in body
        other = "bosco" if message["To"].startswith("alexandra") else "alexandra"
        assert other not in body.lower()
        stop = re.search(r"http://hub\.test(/notify/news/\S+)", body).group(1)
        assert message["List-Unsubscribe"] == f"<http://hub.test{stop}>"
    assert rows(app) == (1, 2)
    with session_scope(engine(app)) as s:
        assert s.scalar(select(Outreach.sent)) == 2

    # Sending the same item again offers neither; a forged re-send is refused whole.
    again = dana.post(share, data={"csrf_token": csrf(dana, share), "note": "Again",
                                   "recipient": [str(alex), str(cyra)]})
    assert again.status_code == 400 and "no longer be sent" in again.text
    assert len(smtp.box.messages) == 2 and rows(app) == (1, 2)

    # Alex's way out: the link shows a button; only its POST acts.
    alex_mail = next(m for m in messages if m["To"].startswith("alexandra"))
    stop = re.search(r"http://hub\.test(/notify/news/\S+)",
                     alex_mail.get_body(("plain",)).get_content()).group(1)
    reader = app.test_client()
    page = reader.get(stop)
    assert page.status_code == 200 and "Stop news on this topic" in page.text
    assert "Set-Cookie" not in page.headers
    with session_scope(engine(app)) as s:
        assert s.get(NotificationEmail, alex).topic_news is True
    assert reader.post(stop).status_code == 200
    with session_scope(engine(app)) as s:
        consent = s.get(NotificationEmail, alex)
        assert consent.topic_news is False and consent.active is True  # answers stay on
    with session_scope(engine(app)) as s:
        s.add(CuratedPick(slug="vpn-speed", title="VPN firewall throughput measured",
                          note="Independent throughput tests.", topics="networking",
                          path="curated/vpn-speed.md"))
    assert offered(dana.get("/staff/curated/vpn-speed/share").text) == {bosco, cyra}

    # Where the share pages are linked: under my own answers, and from a fresh pick.
    assert f'href="{share}"' in dana.get(f"/staff/q/{_qid}").text
    assert share not in staff_client(app, "sam@example.com").get(f"/staff/q/{_qid}").text
    mia = staff_client(app, "mia@example.com")
    with session_scope(engine(app)) as s:
        pick_id = s.scalar(select(CuratedPick.id))
    assert 'href="/staff/curated/vpn-speed/share"' in mia.get(
        f"/staff/curation?picked={pick_id}").text
    assert offered(mia.get("/staff/curated/vpn-speed/share").text) == {bosco, cyra}

    # Bosco erases his question: his recipient row goes with it.
    manage = app.test_client()
    assert manage.post(f"/manage/{bosco_token}/delete").status_code == 200
    assert rows(app) == (1, 1)


def test_one_failed_mail_does_not_lose_the_others(tmp_path, database_url):
    from aiosmtpd.controller import Controller

    class Picky(Mailbox):
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
            if address.startswith("bounce@"):
                return "550 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    box = Picky()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        for app in make_test_app(tmp_path, database_url,
                                 SMTP_URL=f"smtp://127.0.0.1:{controller.port}"):
            seed_people(app)
            _qid, answer_id = dana_answer(app)
            ok1, _ = asker(app, "Ann Lee", "Firewall VPN throughput on the bigger model?")
            bad, _ = asker(app, "Ben Bounce", "Does the firewall slow down with VPN?",
                           email="bounce@example.org")
            ok2, _ = asker(app, "Cat Ng", "VPN throughput figures for the firewall")
            dana = staff_client(app)
            share = f"/staff/answers/{answer_id}/share"
            page = dana.post(share, data={"csrf_token": csrf(dana, share), "note": "For you",
                                          "recipient": [str(ok1), str(bad), str(ok2)]})
            # The notes go out through the outbox: the refused one waits for a retry there.
            assert page.status_code == 200 and "Sent 3 personal mails" in page.text
            assert sorted(m["To"] for m in box.messages) == ["ann@example.org", "cat@example.org"]
            assert rows(app) == (1, 3)
            with session_scope(app.extensions["candor_engine"]) as session:
                waiting = session.scalars(select(Effect).where(Effect.done_at.is_(None))).all()
                assert [e.last_error.split(":")[0] for e in waiting] == ["MailError"]
    finally:
        controller.stop()


def test_hostile_sends_change_nothing(mail_app, smtp):
    app = mail_app
    own_qid, answer_id = dana_answer(app)
    eligible = [asker(app, f"Asker{n} Test", f"Firewall VPN throughput question {n}")[0]
                for n in range(21)]
    no_news, _ = asker(app, "Nonews Person", "Firewall VPN throughput?", news=False)
    share = f"/staff/answers/{answer_id}/share"

    anonymous = app.test_client()
    response = anonymous.post(share, data={"note": "x", "recipient": [str(eligible[0])]})
    assert response.status_code in (302, 401)
    assert "/staff/login" in response.headers.get("Location", "/staff/login")
    sam, mia = staff_client(app, "sam@example.com"), staff_client(app, "mia@example.com")
    assert sam.get(share).status_code == 403  # not his answer
    assert mia.get(share).status_code == 403  # a marketer does not answer questions
    assert sam.post(share, data={"csrf_token": csrf(sam), "note": "x",
                                 "recipient": [str(eligible[0])]}).status_code == 403

    dana = staff_client(app)
    token = csrf(dana, share)
    assert offered(dana.get(share).text) == set(eligible)
    one = [str(eligible[0])]
    cases = [
        ({"note": "Hello", "recipient": one}, 400, "Your form expired"),  # no CSRF token
        ({"csrf_token": token, "note": "", "recipient": one}, 400, "Write a personal note"),
        ({"csrf_token": token, "note": " \n\t ", "recipient": one}, 400, "Write a personal note"),
        ({"csrf_token": token, "note": "x" * 5001, "recipient": one}, 413, "at most 5,000"),
        ({"csrf_token": token, "note": "Hello"}, 400, "Pick at least one person"),
        ({"csrf_token": token, "note": "Hello", "recipient": [str(e) for e in eligible]}, 400,
         "at most 20 people"),
        ({"csrf_token": token, "note": "Hello", "recipient": [str(no_news)]}, 400,
         "no longer be sent"),
        ({"csrf_token": token, "note": "Hello", "recipient": ["999999"]}, 400, "no longer"),
        ({"csrf_token": token, "note": "Hello", "recipient": [*one, "-1"]}, 400, "no longer"),
        ({"csrf_token": token, "note": "Hello", "recipient": [*one, "1e3"]}, 400, "no longer"),
        ({"csrf_token": token, "note": "Hello", "recipient": ["9" * 40]}, 400, "no longer"),
        ({"csrf_token": token, "note": "<script>alert(1)</script>", "recipient": ["abc"]}, 400,
         "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ]
    for data, status, message in cases:
        response = dana.post(share, data=data)
        assert response.status_code == status, data
        assert message in response.text, data
        assert "<script>alert(1)</script>" not in response.text
    with session_scope(engine(app)) as s:
        own_consent = NotificationEmail(question_id=own_qid, email="own@example.org",
                                        confirmed_at=utcnow(), topic_news=True)
        s.add(own_consent)
        s.flush()
        own_id = own_consent.id
    response = dana.post(share, data={"csrf_token": token, "note": "Hi",
                                      "recipient": [str(own_id)]})
    assert response.status_code == 400
    assert smtp.box.messages == [] and rows(app) == (0, 0)

    assert dana.get("/staff/answers/999999/share").status_code == 404
    assert dana.get("/staff/curated/no-such-pick/share").status_code == 404
    assert dana.get(f"/staff/curated/{'x' * 5000}/share").status_code == 404
    reader = app.test_client()
    for bad in ["nope", "x" * 3000, "MQ.forged", "%00"]:
        assert reader.get(f"/notify/news/{bad}").status_code == 404
        assert reader.post(f"/notify/news/{bad}").status_code == 404


def test_the_topic_news_consent_on_ask_manage_and_the_api(mail_app, smtp):
    app = mail_app
    client = app.test_client()
    refused = client.post("/ask", data={"display_name": "Pat", "title": "Firewall news?",
                                        "body": "Details.", "topic_news": "1"})
    assert refused.status_code == 400
    assert "Give an email address for news on this topic" in refused.text
    nothing = client.post("/ask", data={"display_name": "Pat", "title": "Firewall news?",
                                        "body": "Details!", "email": "pat@example.org",
                                        "notify_answers": "0"})
    assert nothing.status_code == 400 and "Tick what we may email you about" in nothing.text
    with session_scope(engine(app)) as s:
        assert s.scalar(select(func.count()).select_from(Question)) == 0
    assert 'name="topic_news"' in client.get("/ask").text

    # News only (the form sends the hidden "0" of the unticked answers box).
    token = ask(client, title="Firewall VPN speed?", topic="networking",
                email="pat@example.org", notify_answers="0", topic_news="1")
    with session_scope(engine(app)) as s:
        consent = s.scalar(select(NotificationEmail))
        assert (consent.active, consent.topic_news, consent.confirmed_at) == (False, True, None)
        consent_id = consent.id
    (mail,) = [m.get_body(("plain",)).get_content() for m in smtp.box.messages
               if m["To"] == "pat@example.org"]  # staff are mailed about the new question too
    assert "news on your question's topic" in mail and "when someone answers" not in mail
    confirm = re.search(r"http://hub\.test(/notify/confirm/\S+)", mail).group(1)
    assert client.post(confirm).status_code == 200

    _qid, answer_id = dana_answer(app)
    dana = staff_client(app)
    assert offered(dana.get(f"/staff/answers/{answer_id}/share").text) == {consent_id}
    manage = client.get(f"/manage/{token}").text
    assert "Stop news on this topic" in manage
    assert client.post(f"/manage/{token}/notifications",
                       data={"action": "news-off"}).status_code == 303
    assert offered(dana.get(f"/staff/answers/{answer_id}/share").text) == set()
    assert "Tell me about news on this topic" in client.get(f"/manage/{token}").text
    client.post(f"/manage/{token}/notifications", data={"action": "news-on"})
    assert offered(dana.get(f"/staff/answers/{answer_id}/share").text) == {consent_id}

    # An older client sending only an email keeps its meaning: answers, no news.
    ask(client, title="Do you ship to Oslo?", email="kim@example.org")
    api = client.post("/api/v1/questions", json={
        "display_name": "Lee", "title": "Firewall rack kit?", "body": "19 inch.",
        "email": "lee@example.org", "topic_news": True})
    assert api.status_code == 201
    for bad in [{"topic_news": True}, {"email": "x@example.org", "topic_news": "maybe"}]:
        response = client.post("/api/v1/questions", json={
            "display_name": "Lee", "title": "Another?", "body": "Text.", **bad})
        assert response.status_code == 422, bad
    with session_scope(engine(app)) as s:
        got = {c.email: (c.active, c.topic_news) for c in s.scalars(select(NotificationEmail))}
    assert got == {"pat@example.org": (False, True), "kim@example.org": (True, False),
                   "lee@example.org": (True, True)}
