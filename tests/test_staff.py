"""Staff: login, the routed queue, answering under one's own name, edits and history."""

import pytest
from sqlalchemy import select

from hub_api.db import session_scope
from hub_api.models import Answer, Person, Question
from hub_api.staff.auth import safe_next
from hub_api.staff.people import disable_person

from .conftest import PASSWORD, ask, csrf, login


def one(app, model, **where):
    with session_scope(app.extensions["candor_engine"]) as s:
        return s.scalars(select(model).filter_by(**where)).one()


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
    "http:/evil.example", "/\x00/x", "", "staff/queue",
])
def test_login_never_redirects_off_site(client, people, target):
    response = client.post("/staff/login", data={"email": people["dana"], "password": PASSWORD,
                                                  "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/queue"


def test_login_follows_same_origin_next(client, people):
    response = client.post("/staff/login", data={"email": people["dana"], "password": PASSWORD,
                                                  "next": "/staff/q/3?x=1"})
    assert response.headers["Location"] == "/staff/q/3?x=1"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_bad_login(client, people):
    for email, password in [(people["dana"], "wrong"), ("nobody@example.com", PASSWORD),
                            ("", ""), ("x" * 10_000, "y" * 10_000)]:
        response = login(client, email, password)
        assert response.status_code == 401
        assert "do not match an active staff account" in response.text
    assert safe_next("/ok", "/d") == "/ok"


def test_queue_requires_login_and_role(client, people):
    response = client.get("/staff/queue")
    assert response.status_code == 302 and "/staff/login?next=%2Fstaff%2Fqueue" in \
        response.headers["Location"]
    login(client, people["mia"])  # marketer only: may not answer
    assert client.get("/staff/queue").status_code == 403


def test_routing_named_person_topic_and_general(app, client, people):
    ask(client, title="For Dana by name", person="dana-ortiz", topic="security")
    ask(client, title="Networking topic", topic="networking")
    ask(client, title="Security topic", topic="security")
    ask(client, title="No topic at all")
    dana, sam = app.test_client(), app.test_client()
    login(dana, people["dana"])
    login(sam, people["sam"])
    dana_queue, sam_queue = dana.get("/staff/queue").text, sam.get("/staff/queue").text
    assert "For Dana by name" in dana_queue and "For Dana by name" not in sam_queue
    assert "Networking topic" in dana_queue and "Networking topic" not in sam_queue
    assert "Security topic" in sam_queue and "Security topic" not in dana_queue
    assert "No topic at all" in dana_queue and "No topic at all" in sam_queue
    # Oldest first.
    assert dana_queue.index("For Dana by name") < dana_queue.index("Networking topic")
    assert "Security topic" in dana.get("/staff/queue?all=1").text


def test_answer_is_signed_by_the_person(app, client, staff, people):
    ask(client, title="Ship to Norway?")
    question = one(app, Question)
    page = staff.get(f"/staff/q/{question.id}")
    assert "Answer as Dana Ortiz, Engineer" in page.text
    # A forged author field is ignored: the logged-in person signs.
    sam = one(app, Person, email=people["sam"])
    response = staff.post(f"/staff/q/{question.id}/answer", data={
        "csrf_token": csrf(staff), "body": "Yes, **weekly**.", "person_id": sam.id})
    assert response.status_code == 303
    answer = one(app, Answer)
    assert answer.person_id == one(app, Person, email=people["dana"]).id
    # Staff stay on the staff view of the thread, told it is published, with both links.
    assert response.headers["Location"] == f"/staff/q/{question.id}#answer-{answer.id}"
    landing = staff.get(f"/staff/q/{question.id}").text
    assert "Published." in landing
    assert f'href="{question.url}#answer-{answer.id}">View the public page' in landing
    assert f'href="/staff/answers/{answer.id}/edit">Edit your answer' in landing
    assert "Published." not in staff.get(f"/staff/q/{question.id}").text  # shown once
    thread = client.get(question.url)
    assert not thread.headers.getlist("Set-Cookie")
    assert "Dana Ortiz" in thread.text and "/people/dana-ortiz/" in thread.text
    assert "<strong>weekly</strong>" in thread.text
    assert one(app, Question).status == "answered"
    assert "Ship to Norway?" not in staff.get("/staff/queue").text


def test_answer_needs_csrf_and_content(app, client, staff, people):
    ask(client)
    question = one(app, Question)
    assert staff.post(f"/staff/q/{question.id}/answer", data={"body": "x"}).status_code == 400
    response = staff.post(f"/staff/q/{question.id}/answer",
                          data={"csrf_token": csrf(staff), "body": "  "})
    assert response.status_code == 400 and "Enter your answer." in response.text
    response = staff.post(f"/staff/q/{question.id}/answer",
                          data={"csrf_token": csrf(staff), "body": "a" * 20_001})
    assert response.status_code == 413
    assert staff.post("/staff/q/424242/answer",
                      data={"csrf_token": csrf(staff), "body": "x"}).status_code == 404
    with session_scope(app.extensions["candor_engine"]) as s:
        assert s.scalars(select(Answer)).all() == []


def test_edit_keeps_public_history(app, client, staff, people):
    ask(client)
    question = one(app, Question)
    token = csrf(staff)
    staff.post(f"/staff/q/{question.id}/answer", data={"csrf_token": token, "body": "First."})
    answer = one(app, Answer)
    assert "First." in staff.get(f"/staff/answers/{answer.id}/edit").text
    response = staff.post(f"/staff/answers/{answer.id}/edit",
                          data={"csrf_token": token, "body": "Second, corrected."})
    assert response.status_code == 303
    page = client.get(question.url).text
    assert "Second, corrected." in page and "edited" in page
    assert "Earlier versions (1)" in page and "First." in page
    # Only the author may edit.
    sam = app.test_client()
    login(sam, people["sam"])
    assert sam.get(f"/staff/answers/{answer.id}/edit").status_code == 403
    assert staff.get("/staff/answers/99999/edit").status_code == 404


def test_staff_accepts_answer(app, client, staff, people):
    ask(client)
    question = one(app, Question)
    token = csrf(staff)
    staff.post(f"/staff/q/{question.id}/answer", data={"csrf_token": token, "body": "A."})
    answer = one(app, Answer)
    response = staff.post(f"/staff/q/{question.id}/accept/{answer.id}",
                          data={"csrf_token": token})
    assert response.status_code == 303
    assert one(app, Question).accepted_answer_id == answer.id


def test_disabling_moves_open_questions_back_and_blocks_login(app, client, people):
    ask(client, title="Asked of Dana", person="dana-ortiz", topic="networking")
    dana_client = app.test_client()
    login(dana_client, people["dana"])
    with session_scope(app.extensions["candor_engine"]) as s:
        moved = disable_person(s, s.scalars(select(Person).filter_by(email=people["dana"])).one())
    assert moved == 1
    assert one(app, Question).person_id is None
    page = client.get(one(app, Question).url).text
    assert "Open · with the Networking team" in page
    assert "No answer yet. The Networking team has this question." in page
    # A disabled person's session stops working and they cannot log in again.
    assert dana_client.get("/staff/queue").status_code == 302
    assert login(app.test_client(), people["dana"]).status_code == 401


def test_logout(app, staff):
    response = staff.post("/staff/logout", data={"csrf_token": csrf(staff)})
    assert response.status_code == 303
    assert staff.get("/staff/queue").status_code == 302


def test_login_lands_on_the_first_page_a_role_opens(client, people):
    response = login(client, people["mia"])  # a marketer, not staff
    assert response.headers["Location"] == "/staff/curation"
    page = client.get("/staff/curation")
    assert page.status_code == 200 and "My queue" not in page.text
