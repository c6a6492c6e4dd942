"""Moderation beyond questions: askers' follow-ups follow the same hold rules, and a
moderator can hide a staff answer (a leaked secret) from readers, the API, feeds and search."""

import pytest
from sqlalchemy import select

from hub_api.db import session_scope
from hub_api.models import FollowUp, ModerationAction, NotificationEmail, Question
from hub_api.site.builder import build_site
from hub_api.staff.people import add_person

from .conftest import PASSWORD, ask, csrf, login


def engine(app):
    return app.extensions["candor_engine"]


@pytest.fixture
def mod(app, people):
    """A client logged in as Mo, staff and moderator."""
    with session_scope(engine(app)) as s:
        add_person(s, name="Mo Dekker", email="mo@example.com", password=PASSWORD,
                   job_title="Community", roles="staff,moderator", topics=[])
    client = app.test_client()
    assert login(client, "mo@example.com").status_code == 303
    return client


def answered(app, staff, **fields) -> tuple[Question, str, int]:
    token = ask(app.test_client(), **fields)
    with session_scope(engine(app)) as s:
        question = s.scalars(select(Question).order_by(Question.id.desc())).first()
    posted = staff.post(f"/staff/q/{question.id}/answer",
                        data={"csrf_token": csrf(staff), "body": fields.get(
                            "answer", "The admin password is hunter2-SECRET.")})
    assert posted.status_code == 303
    return question, token, int(posted.headers["Location"].rsplit("answer-", 1)[1])


def follow_ups(app) -> list[FollowUp]:
    with session_scope(engine(app)) as s:
        return list(s.scalars(select(FollowUp).order_by(FollowUp.id)))


def status_of(app, question_id: int) -> str:
    with session_scope(engine(app)) as s:
        return s.get(Question, question_id).status


def log_lines(app) -> list[tuple[str, str, str]]:
    with session_scope(engine(app)) as s:
        return [(a.action, a.target, a.reason) for a in
                s.scalars(select(ModerationAction).order_by(ModerationAction.id))]


def test_follow_up_with_links_is_held_until_approved(app, client, staff, mod, people):
    question, token, _ = answered(app, staff, title="Do you ship to Norway?",
                                  answer="Yes, we do.")
    reply = client.post(f"/manage/{token}/reply",
                        data={"body": "Cheaper at https://spam.example/deal"})
    assert reply.status_code == 303
    (held,) = follow_ups(app)
    assert (held.status, held.hold_reason) == ("held", "contains links from a new asker")
    assert status_of(app, question.id) == "answered"  # not back in the queue yet
    manage = client.get(f"/manage/{token}").text
    assert "spam.example/deal" in manage and "Waiting for a moderator" in manage
    for path in (question.url, f"/q/{question.id}/feed.atom", f"/api/v1/questions/{question.id}"):
        assert "spam.example" not in client.get(path).text, path
    assert "spam.example" not in staff.get(f"/staff/q/{question.id}").text
    assert log_lines(app)[-1] == ("held", f"follow-up {held.id}",
                                  "contains links from a new asker")

    page = mod.get("/staff/moderation/").text
    assert "Held follow-ups (1)" in page and "spam.example/deal" in page
    token_csrf = csrf(mod, "/staff/moderation/")
    url = f"/staff/moderation/follow-ups/{held.id}"
    assert mod.post(f"{url}/approve", data={"reason": "fine"}).status_code == 400  # no CSRF
    assert mod.post(f"{url}/approve", data={"csrf_token": token_csrf,
                                            "reason": "free text"}).status_code == 400
    assert mod.post(f"{url}/publish", data={"csrf_token": token_csrf,
                                            "reason": "fine"}).status_code == 404
    assert mod.post("/staff/moderation/follow-ups/999/approve",
                    data={"csrf_token": token_csrf, "reason": "fine"}).status_code == 404
    sam = app.test_client()
    login(sam, people["sam"])
    assert sam.post(f"{url}/approve", data={"csrf_token": csrf(sam),
                                            "reason": "fine"}).status_code == 403
    assert mod.post(f"{url}/approve", data={"csrf_token": token_csrf,
                                            "reason": "fine"}).status_code == 303
    assert mod.post(f"{url}/reject", data={"csrf_token": token_csrf,
                                           "reason": "spam"}).status_code == 409
    assert follow_ups(app)[0].status == "published"
    assert status_of(app, question.id) == "follow_up"  # the asker's reply reaches the queue
    assert "spam.example/deal" in client.get(question.url).text
    assert log_lines(app)[-1] == ("approved", f"follow-up {held.id}",
                                  "looks like a genuine question")


def test_rejected_follow_up_stays_with_its_asker(app, client, staff, mod):
    question, token, _ = answered(app, staff, answer="Yes.")
    client.post(f"/manage/{token}/reply", data={"body": "Win at the casino tonight"})
    (held,) = follow_ups(app)
    assert held.hold_reason == "contains a word on the hold list"
    assert mod.post(f"/staff/moderation/follow-ups/{held.id}/reject",
                    data={"csrf_token": csrf(mod, "/staff/moderation/"),
                          "reason": "spam"}).status_code == 303
    assert follow_ups(app)[0].status == "rejected"
    assert "A moderator did not approve this reply" in client.get(f"/manage/{token}").text
    assert "casino" not in client.get(question.url).text
    assert status_of(app, question.id) == "answered"


def test_plain_follow_up_and_known_askers_links_go_straight_through(app, client, staff):
    question, token, _ = answered(app, staff, answer="Yes.", email="pat@example.org")
    client.post(f"/manage/{token}/reply", data={"body": "Thanks, and for Sweden?"})
    assert [f.status for f in follow_ups(app)] == ["published"]
    assert status_of(app, question.id) == "follow_up"
    with session_scope(engine(app)) as s:  # a confirmed address with a published question
        s.scalars(select(NotificationEmail)).one().confirmed_at = question.created_at
    client.post(f"/manage/{token}/reply", data={"body": "Docs: https://example.com/specs"})
    assert [f.status for f in follow_ups(app)] == ["published", "published"]
    assert "example.com/specs" in client.get(question.url).text


def test_moderator_hides_an_answer(app, client, staff, mod, people):
    question, token, answer_id = answered(app, staff, title="How do I log in?")
    assert "hunter2-SECRET" in client.get(question.url).text
    page = mod.get("/staff/moderation/").text
    assert "Recent staff answers" in page
    assert f'href="/staff/q/{question.id}#moderate-answer-{answer_id}"' in page
    assert 'action="/staff/moderation/answers/' not in page  # no destructive form in the list
    assert f'action="/staff/moderation/answers/{answer_id}/hide"' in \
        mod.get(f"/staff/q/{question.id}").text
    token_csrf = csrf(mod, "/staff/moderation/")
    url = f"/staff/moderation/answers/{answer_id}/hide"
    assert mod.post(url, data={"reason": "confidential"}).status_code == 400  # no CSRF
    for hostile in ("<b>Dana leaked it</b>", "", "fine", "mistake", "x" * 100_000):
        assert mod.post(url, data={"csrf_token": token_csrf,
                                   "reason": hostile}).status_code in (400, 413), hostile
    assert mod.post("/staff/moderation/answers/99999/hide",
                    data={"csrf_token": token_csrf, "reason": "confidential"}).status_code == 404
    sam = app.test_client()
    login(sam, people["sam"])
    assert sam.post(url, data={"csrf_token": csrf(sam),
                               "reason": "confidential"}).status_code == 403
    assert mod.post(url, data={"csrf_token": token_csrf,
                               "reason": "confidential"}).status_code == 303
    assert mod.post(url, data={"csrf_token": token_csrf,
                               "reason": "confidential"}).status_code == 409

    public = client.get(question.url).text
    assert "Answer hidden by a moderator: contained confidential information" in public
    assert "Dana Ortiz" in public  # who answered stays: answers are signed
    for path in (question.url, f"/manage/{token}", f"/q/{question.id}/feed.atom",
                 f"/api/v1/questions/{question.id}"):
        assert "hunter2" not in client.get(path).text, path
    api = client.get(f"/api/v1/questions/{question.id}").json["answers"][0]
    assert (api["body_html"], api["hidden_reason"]) == ("", "contained confidential information")
    assert "Answer hidden by a moderator" in client.get(f"/q/{question.id}/feed.atom").text
    app.extensions["candor_search"].apply_pending(wait=True)
    assert client.get("/api/v1/search?q=hunter2").json["total"] == 0
    assert client.get("/api/v1/search?q=log").json["total"] == 1  # the thread stays findable

    assert "hunter2-SECRET" in staff.get(f"/staff/q/{question.id}").text  # Dana, its author
    assert "hunter2" not in sam.get(f"/staff/q/{question.id}").text
    assert "hunter2" not in mod.get("/staff/moderation/").text  # it left "recent answers"
    assert log_lines(app)[-1] == ("hidden", f"answer {answer_id}",
                                  "contained confidential information")
    build_site(app.config)
    html = (app.config["SITE"] / "transparency" / "index.html").read_text()
    assert f"answer {answer_id}" in html and "contained confidential information" in html
    assert "Dana" not in html.split('id="moderation-log"', 1)[1]

    # Unhiding is as deliberate as hiding (a reason that fits) and logged the same way.
    back = f"/staff/moderation/answers/{answer_id}/unhide"
    assert mod.post(back, data={"csrf_token": token_csrf,
                                "reason": "confidential"}).status_code == 400
    response = mod.post(back, data={"csrf_token": token_csrf, "reason": "fixed",
                                    "next": f"/staff/q/{question.id}#moderate"})
    assert response.headers["Location"] == f"/staff/q/{question.id}#moderate"
    assert "Answer unhidden (the problem was fixed)" in mod.get(f"/staff/q/{question.id}").text
    assert "hunter2-SECRET" in client.get(question.url).text
    assert mod.post(back, data={"csrf_token": token_csrf, "reason": "fixed"}).status_code == 409
    assert log_lines(app)[-1] == ("unhidden", f"answer {answer_id}", "the problem was fixed")
