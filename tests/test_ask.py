"""Asking without an account, and following up through the private manage link."""

from sqlalchemy import select

from hub_api.db import session_scope
from hub_api.models import FollowUp, Question

from .conftest import ask, csrf


def questions(app):
    with session_scope(app.extensions["candor_engine"]) as s:
        return s.scalars(select(Question)).all()


def test_ask_form_sets_no_cookie(client, people):
    response = client.get("/ask?topic=networking")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert '<option value="networking" selected>' in response.text
    assert "Dana Ortiz" in response.text  # people can be asked by name
    assert "Mia Chen" not in response.text  # a marketer without the staff role cannot


def test_ask_redirects_to_private_manage_page(client, people):
    response = client.post("/ask", data={
        "display_name": "Pat", "title": "Do you ship to Norway?", "body": "Ten *units*.",
        "topic": "networking"})
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers
    location = response.headers["Location"]
    assert location.startswith("/manage/") and len(location.rsplit("/", 1)[1]) >= 43
    page = client.get(location)
    assert page.status_code == 200
    assert "Save this link: it is how you follow up, edit or delete." in page.text
    assert "http://hub.test" + location in page.text  # absolute link from CANDOR_PUBLIC_URL
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert "noindex" in page.text
    assert "Set-Cookie" not in page.headers
    (question,) = questions(client.application)
    assert question.body_html == "<p>Ten <em>units</em>.</p>"
    # Only a hash of the token is stored.
    assert location.rsplit("/", 1)[1] not in question.manage_token_hash


def test_public_thread_page_and_canonical_redirect(client, people):
    ask(client, title="Wi-Fi in a freezer warehouse?")
    (question,) = questions(client.application)
    response = client.get(f"/q/{question.id}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/q/{question.id}/wi-fi-in-a-freezer-warehouse"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "Wi-Fi in a freezer warehouse?" in page.text
    assert "Open · with the team" in page.text
    assert "Set-Cookie" not in page.headers
    assert client.get("/q/999999").status_code == 404


def test_validation_messages_not_500(client, people):
    response = client.post("/ask", data={"display_name": "", "title": "   ", "body": ""})
    assert response.status_code == 400
    for message in ["Enter a name to show with your question.",
                    "Enter your question in one line.", "Enter the details of your question."]:
        assert message in response.text
    response = client.post("/ask", data={"display_name": "x" * 81, "title": "t" * 201,
                                         "body": "b", "topic": "nope", "person": "nobody"})
    assert response.status_code == 400
    assert "at most 80 characters" in response.text and "at most 200 characters" in response.text
    assert "Choose a topic from the list." in response.text
    assert "Choose a person from the list." in response.text
    assert questions(client.application) == []


def test_body_over_cap_is_413_and_nothing_saved(client, people):
    response = client.post("/ask", data={"display_name": "P", "title": "T", "body": "b" * 20_001})
    assert response.status_code == 413
    assert "at most 20,000 characters" in response.text
    response = client.post("/ask", data={"display_name": "P", "title": "T", "body": "b" * 70_000})
    assert response.status_code == 413
    assert questions(client.application) == []


def test_hostile_input_is_cleaned(client, people):
    token = ask(client, display_name="Eve\x00\r\nSet-Cookie: x", title="Null\x00 byte\x1b[31m",
                body="\x00" + "x" * 10)
    (question,) = questions(client.application)
    assert question.display_name == "Eve Set-Cookie: x"
    assert question.title == "Null byte[31m"
    assert "\x00" not in question.body
    assert client.get(f"/manage/{token}").status_code == 200
    # Non-UTF-8 bytes and odd content types never crash.
    response = client.post("/ask", data=b"display_name=%ff%fe&title=\xff&body=\xfe",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (303, 400)
    response = client.post("/ask", data="{}", content_type="application/json")
    assert response.status_code == 400


def test_manage_unknown_token_is_404(client, people):
    assert client.get("/manage/not-a-token").status_code == 404
    assert client.get("/manage/" + "a" * 5000).status_code == 404
    assert client.post("/manage/nope/reply", data={"body": "hi"}).status_code == 404


def test_follow_up_keeps_the_thread_answered(client, staff, people):
    token = ask(client)
    (question,) = questions(client.application)

    staff.post(f"/staff/q/{question.id}/answer",
               data={"csrf_token": csrf(staff), "body": "Yes, we do."})
    assert questions(client.application)[0].status == "answered"
    response = client.post(f"/manage/{token}/reply", data={"body": "Great, and to *Iceland*?"})
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers
    (question,) = questions(client.application)
    assert question.status == "follow_up"  # answered for readers, queued for staff
    page = client.get(f"/manage/{token}")
    # The conversation reads in order: answer, then the asker's follow-up.
    assert page.text.index("Yes, we do.") < page.text.index("and to <em>Iceland</em>?")
    empty = client.post(f"/manage/{token}/reply", data={"body": " "})
    assert empty.status_code == 400 and "Enter your reply." in empty.text
    with session_scope(client.application.extensions["candor_engine"]) as s:
        assert len(s.scalars(select(FollowUp)).all()) == 1


def test_asker_accepts_an_answer(client, staff, people):
    token = ask(client)
    (question,) = questions(client.application)
    staff.post(f"/staff/q/{question.id}/answer", data={"csrf_token": csrf(staff), "body": "Yes."})
    with session_scope(client.application.extensions["candor_engine"]) as s:
        answer_id = s.get(Question, question.id).answers[0].id
    response = client.post(f"/manage/{token}/accept/{answer_id}")
    assert response.status_code == 303
    assert questions(client.application)[0].accepted_answer_id == answer_id
    assert "Accepted answer" in client.get(question.url).text
    assert client.post(f"/manage/{token}/accept/99999").status_code == 404


def test_cross_site_post_is_refused(client, people):
    response = client.post("/ask", data={"display_name": "P", "title": "T", "body": "B"},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    response = client.post("/ask", data={"display_name": "P", "title": "T", "body": "B"},
                           headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert questions(client.application) == []
