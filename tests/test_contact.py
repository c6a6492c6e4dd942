"""“Talk to this person”: a consented contact request reaches the employee who answered, and
only them (and owners): real SMTP, the queue, the API, a webhook, export and erase."""

import json
import re

import pytest
from sqlalchemy import func, select

from hub_api.db import session_scope
from hub_api.effects.webhooks import deliver_due
from hub_api.models import ContactRequest, Person, Question
from hub_api.staff.people import add_person, disable_person

from .conftest import PASSWORD, ask, csrf, login, make_test_app, seed_people
from .test_webhooks import Receiver, add_hook

LEAD = {"email": "buyer@acme.example", "company": "Acme Ltd", "job_role": "IT manager",
        "consent": "yes"}


def engine(app):
    return app.extensions["candor_engine"]


def rows(app) -> list[ContactRequest]:
    with session_scope(engine(app)) as s:
        return list(s.scalars(select(ContactRequest).order_by(ContactRequest.id)))


def answered(app, title="Do you ship to Norway?", **fields) -> tuple[int, int, str]:
    """A question answered by Dana: (question id, answer id, manage token)."""
    client = app.test_client()
    token = ask(client, title=title, **fields)
    dana = app.test_client()
    assert login(dana, "dana@example.com").status_code == 303
    with session_scope(engine(app)) as s:
        question_id = s.scalar(select(Question.id).where(Question.title == title))
    posted = dana.post(f"/staff/q/{question_id}/answer",
                       data={"csrf_token": csrf(dana), "body": "Yes, in two weeks."})
    assert posted.status_code == 303
    answer_id = int(posted.headers["Location"].rsplit("answer-", 1)[1])
    return question_id, answer_id, token


def leads(smtp) -> list:
    """Contact-request mail (staff are also mailed when a question is routed to them)."""
    return [m for m in smtp.box.messages if m["Subject"].startswith("Contact request")]


def no_cookie(response) -> None:
    assert "Set-Cookie" not in response.headers


def test_request_reaches_the_employee_by_mail_and_queue(mail_app, smtp):
    question_id, answer_id, _ = answered(mail_app)
    reader = mail_app.test_client()
    page = reader.get(f"/q/{question_id}/do-you-ship-to-norway")
    assert "Ask Dana Ortiz to contact you" in page.text
    assert "shows my address only to Dana Ortiz and the company's owners" in page.text
    no_cookie(page)

    sent = reader.post(f"/q/{question_id}/contact/{answer_id}", data=LEAD)
    assert sent.status_code == 303
    no_cookie(sent)
    assert "buyer" not in sent.headers["Location"] and "@" not in sent.headers["Location"]
    thanks = reader.get(sent.headers["Location"])
    assert thanks.status_code == 200 and "Your request is with Dana Ortiz" in thanks.text
    assert "buyer@acme.example" not in thanks.text
    no_cookie(thanks)

    (mail,) = leads(smtp)
    assert mail["To"] == "dana@example.com" and mail["Reply-To"] == "buyer@acme.example"
    assert mail["Subject"] == "Contact request: Do you ship to Norway?"
    text = mail.get_body(("plain",)).get_content()
    for expected in ("buyer@acme.example", "Acme Ltd", "IT manager",
                     f"http://hub.test/staff/q/{question_id}"):
        assert expected in text
    (row,) = rows(mail_app)
    assert (row.question_id, row.answer_id, row.email, row.company, row.job_role) == (
        question_id, answer_id, "buyer@acme.example", "Acme Ltd", "IT manager")
    assert row.consented_at is not None and row.handled_at is None

    # The same address again the same day: the same thank-you, no second row, no second mail.
    again = reader.post(f"/q/{question_id}/contact/{answer_id}",
                        data={**LEAD, "email": "Buyer@ACME.example"})
    assert again.status_code == 303 and again.headers["Location"] == sent.headers["Location"]
    assert len(rows(mail_app)) == 1 and len(leads(smtp)) == 1

    dana, sam = mail_app.test_client(), mail_app.test_client()
    login(dana, "dana@example.com")
    login(sam, "sam@example.com")
    queue = dana.get("/staff/queue")
    assert "Contact requests (1)" in queue.text and "buyer@acme.example" in queue.text
    assert "buyer@acme.example" not in sam.get("/staff/queue").text
    handled = f"/staff/contact-requests/{row.id}/handled"
    assert sam.post(handled, data={"csrf_token": csrf(sam)}).status_code == 404
    assert dana.post(handled).status_code == 400  # no CSRF token
    assert dana.post(handled, data={"csrf_token": csrf(dana)}).status_code == 303
    assert rows(mail_app)[0].handled_at is not None
    assert "Contact requests (0)" in dana.get("/staff/queue").text


def test_newest_requests_first_in_the_queue(app, people):
    question_id, answer_id, _ = answered(app)
    other_q, other_a, _ = answered(app, title="Is there an SLA?")
    reader = app.test_client()
    reader.post(f"/q/{question_id}/contact/{answer_id}", data={**LEAD, "email": "a@x.example"})
    reader.post(f"/q/{other_q}/contact/{other_a}", data={**LEAD, "email": "b@x.example"})
    dana = app.test_client()
    login(dana, people["dana"])
    text = dana.get("/staff/queue").text
    assert "Contact requests (2)" in text and text.index("b@x.example") < text.index("a@x.example")


HOSTILE = [
    ("no consent", {**LEAD, "consent": ""}, "Tick the box"),
    ("no email", {**LEAD, "email": " "}, "Enter your email address"),
    ("bad email", {**LEAD, "email": "buyer@"}, "Enter an email address like"),
    ("header injection", {**LEAD, "email": "a@b.example\nBcc: c@d.example"}, "Enter an email"),
    ("huge email", {**LEAD, "email": "a" * 300 + "@x.example"}, "Enter an email address like"),
    ("huge company", {**LEAD, "company": "C" * 5000}, "Keep this to 120 characters (it has 5,000)"),
    ("honeypot", {**LEAD, "website": "http://spam.example"}, "Leave the last field empty"),
]


@pytest.mark.parametrize("case, data, message", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_form_input_is_refused_and_kept(app, people, smtp, case, data, message):
    app.config["SMTP_URL"] = smtp.url
    question_id, answer_id, _ = answered(app)
    reader = app.test_client()
    response = reader.post(f"/q/{question_id}/contact/{answer_id}",
                           data={**data, "company": data["company"] + "<script>alert(1)</script>"}
                           if case == "no consent" else data)
    assert response.status_code == 400 and message in response.text
    no_cookie(response)
    assert rows(app) == [] and leads(smtp) == []
    assert f'id="contact-{answer_id}" open' in response.text  # the form stays open, values kept
    if case == "no consent":
        assert "<script>alert(1)</script>" not in response.text
        assert 'value="Acme Ltd&lt;script&gt;alert(1)&lt;/script&gt;"' in response.text


def test_wrong_targets_are_not_found(app, people, smtp):
    app.config["SMTP_URL"] = smtp.url
    app.extensions["candor_limiter"].enabled = False  # more tries than a minute allows
    question_id, answer_id, _ = answered(app)
    other_q, other_a, _ = answered(app, title="Is there an SLA?")
    held_q = ask_held(app)
    reader = app.test_client()
    for path in (f"/q/{question_id}/contact/{other_a}",  # an answer of another question
                 f"/q/{other_q}/contact/{answer_id}",
                 f"/q/{question_id}/contact/abc", f"/q/x/contact/{answer_id}",
                 f"/q/{question_id}/contact/99999999999999999999",
                 f"/q/{held_q}/contact/{answer_id}", f"/q/{question_id}/contact/0"):
        response = reader.post(path, data=LEAD)
        # A path no route matches falls through to the static site's GET-only catch-all.
        assert response.status_code in ((404, 405) if "x" in path or "abc" in path
                                        else (404,)), path
        no_cookie(response)
    assert reader.get(f"/q/{question_id}/contact/{answer_id}").status_code in (404, 405)
    with session_scope(engine(app)) as s:
        disable_person(s, s.scalars(select(Person).filter_by(email=people["dana"])).one())
    assert reader.post(f"/q/{question_id}/contact/{answer_id}", data=LEAD).status_code == 404
    assert "to contact you" not in reader.get(f"/q/{question_id}/x", follow_redirects=True).text
    assert rows(app) == [] and leads(smtp) == []


def test_the_form_is_rate_limited(app, people):
    question_id, answer_id, _ = answered(app)
    reader = app.test_client()
    statuses = [reader.post(f"/q/{question_id}/contact/{answer_id}",
                            data={**LEAD, "email": f"n{n}@x.example"}).status_code
                for n in range(6)]
    assert statuses == [303] * 5 + [429]
    assert len(rows(app)) == 5


def ask_held(app) -> int:
    ask(app.test_client(), title="Cheap licences", body="See https://spam.example/offer")
    with session_scope(engine(app)) as s:
        return s.scalar(select(Question.id).where(Question.status == "held"))


def test_the_form_token_guards_the_form(tmp_path, database_url):
    for app in make_test_app(tmp_path, database_url, FORM_TOKEN_REQUIRED=True,
                             FORM_MIN_SECONDS=0):
        seed_people(app)
        app.config["FORM_TOKEN_REQUIRED"] = False
        question_id, answer_id, _ = answered(app)
        app.config["FORM_TOKEN_REQUIRED"] = True
        reader = app.test_client()
        path = f"/q/{question_id}/contact/{answer_id}"
        forged = reader.post(path, data={**LEAD, "form_token": "x.y.z"})
        assert forged.status_code == 400 and "could not be checked" in forged.text
        page = reader.get(f"/q/{question_id}/do-you-ship-to-norway").text
        token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
        assert reader.post(path, data={**LEAD, "form_token": token}).status_code == 303
        assert len(rows(app)) == 1


def test_the_address_is_never_public(app, people):
    question_id, answer_id, _ = answered(app)
    reader = app.test_client()
    assert reader.post(f"/q/{question_id}/contact/{answer_id}", data=LEAD).status_code == 303
    for path in (f"/q/{question_id}/do-you-ship-to-norway", f"/q/{question_id}/feed.atom",
                 f"/api/v1/questions/{question_id}", "/api/v1/questions",
                 "/api/v1/search?q=Acme", "/api/v1/search?q=buyer"):
        response = reader.get(path)
        assert response.status_code == 200, path
        assert "buyer@acme.example" not in response.text and "Acme Ltd" not in response.text


def token_for(app, email: str) -> str:
    result = app.test_cli_runner().invoke(args=["staff", "token", email])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_api_shows_a_request_to_the_person_asked_and_owners(app, people):
    question_id, answer_id, _ = answered(app)
    app.test_client().post(f"/q/{question_id}/contact/{answer_id}", data=LEAD)
    (row,) = rows(app)
    with session_scope(engine(app)) as s:
        add_person(s, name="Olga Owner", email="olga@example.com", password=PASSWORD,
                   job_title="CEO", roles="owner", topics=[])
    api = app.test_client()
    path = f"/api/v1/contact-requests/{row.id}"

    def get(email=None, url=path):
        headers = {"Authorization": f"Bearer {token_for(app, email)}"} if email else {}
        return api.get(url, headers=headers)

    mine = get(people["dana"])
    assert mine.status_code == 200
    assert mine.json["email"] == "buyer@acme.example" and mine.json["person"] == "dana-ortiz"
    assert mine.json["question_url"] == f"http://hub.test/q/{question_id}/do-you-ship-to-norway"
    assert mine.json["handled_at"] is None
    assert get("olga@example.com").json["company"] == "Acme Ltd"  # owners see every lead
    assert get(people["sam"]).status_code == 404  # a colleague's lead is not theirs to see
    assert get(people["mia"]).status_code == 403  # a marketer holds no lead role
    assert get().status_code == 401
    assert get(people["dana"], f"/api/v1/contact-requests/{row.id + 1}").status_code == 404
    assert get(people["dana"], "/api/v1/contact-requests/x").status_code == 404
    ops = app.test_client().get("/api/openapi.json").json["paths"]
    assert "get" in ops["/api/v1/contact-requests/{request_id}"]


def test_webhook_carries_only_the_id(app, people):
    app.config["ALLOW_PRIVATE_URLS"] = True
    receiver = Receiver()
    add_hook(app.test_cli_runner(), receiver.url, "contact.requested")
    question_id, answer_id, _ = answered(app)
    app.test_client().post(f"/q/{question_id}/contact/{answer_id}", data=LEAD)
    (row,) = rows(app)
    assert deliver_due(app) == 1
    ((headers, body),) = receiver.delivered()
    event = json.loads(body)
    assert headers["Candor-Event"] == "contact.requested" and event["data"] == {"id": row.id}
    assert b"@" not in body and b"Acme" not in body


def test_export_holds_the_askers_own_requests_and_erase_removes_them(app, people):
    question_id, answer_id, token = answered(app, email="pat@example.org")
    reader = app.test_client()
    reader.post(f"/q/{question_id}/contact/{answer_id}",
                data={**LEAD, "email": "Pat@Example.org", "company": "Pat's shop"})
    reader.post(f"/q/{question_id}/contact/{answer_id}", data=LEAD)  # another reader
    assert len(rows(app)) == 2
    export = json.loads(reader.get(f"/manage/{token}/export.json").text)
    (own,) = export["records"]["contact_requests"]
    assert (own["email"], own["company"]) == ("Pat@Example.org", "Pat's shop")
    assert own["consented_at"]
    assert "buyer@acme.example" not in json.dumps(export)  # another reader's address stays out
    assert reader.post(f"/manage/{token}/delete").status_code == 200
    with session_scope(engine(app)) as s:
        assert s.scalar(select(func.count()).select_from(ContactRequest)) == 0


def test_cli_export_and_erase_by_a_readers_address(app, people):
    question_id, answer_id, _ = answered(app, email="pat@example.org")
    other_q, other_a, _ = answered(app, title="Is there an SLA?")
    reader = app.test_client()
    reader.post(f"/q/{question_id}/contact/{answer_id}", data=LEAD)
    reader.post(f"/q/{other_q}/contact/{other_a}", data={**LEAD, "company": "Acme GmbH"})
    reader.post(f"/q/{other_q}/contact/{other_a}", data={**LEAD, "email": "else@x.example"})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export", "BUYER@acme.example"])
    assert result.exit_code == 0, result.output
    (export,) = json.loads(result.output)  # the reader asked no question of their own
    assert [r["company"] for r in export["records"]["contact_requests"]] == [
        "Acme Ltd", "Acme GmbH"]
    result = runner.invoke(args=["erase", "buyer@acme.example", "--yes"])
    assert result.exit_code == 0 and "Erased 0 question(s) and 2 contact request(s)." in \
        result.output
    assert [r.email for r in rows(app)] == ["else@x.example"]
    assert runner.invoke(args=["erase", "buyer@acme.example", "--yes"]).exit_code == 1


def test_markup_in_company_and_role_stays_text(app, people):
    question_id, answer_id, _ = answered(app)
    payload = '<img src=x onerror=alert(1)>"><script>alert(2)</script>'
    sent = app.test_client().post(f"/q/{question_id}/contact/{answer_id}",
                                  data={**LEAD, "company": payload[:120], "job_role": payload})
    assert sent.status_code == 303
    dana = app.test_client()
    login(dana, people["dana"])
    queue = dana.get("/staff/queue").text
    assert "<script>alert(2)" not in queue and "<img src=x" not in queue
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in queue
