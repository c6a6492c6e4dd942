"""The staff side says what happened (#17): notices after actions, Markdown preview with and
without JavaScript, and question hiding that is deliberate, reversible and told truthfully."""

from sqlalchemy import func, select

from hub_api.db import session_scope
from hub_api.models import Answer, ModerationAction, Question

from .conftest import ask, csrf


def one(app, model):
    with session_scope(app.extensions["candor_engine"]) as s:
        return s.scalars(select(model)).one()


def count(app, model) -> int:
    with session_scope(app.extensions["candor_engine"]) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_preview_renders_without_publishing(app, client, staff):
    ask(client, title="Preview me")
    question = one(app, Question)
    token = csrf(staff)
    url = f"/staff/q/{question.id}/answer"
    page = staff.post(url, data={"csrf_token": token, "body": "Yes, **bold** <script>x()</script>",
                                 "action": "preview"})
    assert page.status_code == 200
    assert "<strong>bold</strong>" in page.text and "<script>x()" not in page.text
    assert "Yes, **bold**" in page.text  # the text stays in the form
    assert count(app, Answer) == 0
    # The live preview's endpoint: same rendering, CSRF-checked, bounded, nothing written.
    live = staff.post("/staff/preview", data={"csrf_token": token, "body": "*hi*"})
    assert live.json == {"html": "<p><em>hi</em></p>", "error": ""}
    assert staff.post("/staff/preview", data={"body": "*hi*"}).status_code == 400
    assert staff.post("/staff/preview", data={"csrf_token": token, "body": ""}).json["html"] == ""
    assert staff.post("/staff/preview", data={"csrf_token": token,
                                              "body": "a" * 20_001}).status_code == 413
    assert client.post("/staff/preview", data={"body": "x"}).status_code in (302, 400)
    assert count(app, Answer) == 0
    # Then publishing lands on the staff view with the notice.
    done = staff.post(url, data={"csrf_token": token, "body": "Final.", "action": "publish"},
                      follow_redirects=True)
    assert "Published." in done.text and "Answer as Dana Ortiz" in done.text


def test_edit_preview_and_notice(app, client, staff):
    ask(client)
    question = one(app, Question)
    token = csrf(staff)
    staff.post(f"/staff/q/{question.id}/answer", data={"csrf_token": token, "body": "First."})
    answer = one(app, Answer)
    url = f"/staff/answers/{answer.id}/edit"
    page = staff.post(url, data={"csrf_token": token, "body": "- Second", "action": "preview"})
    assert "<li>Second</li>" in page.text and one(app, Answer).body == "First."
    done = staff.post(url, data={"csrf_token": token, "body": "Second."}, follow_redirects=True)
    assert "Saved." in done.text and one(app, Answer).body == "Second."
    same = staff.post(url, data={"csrf_token": token, "body": "Second."}, follow_redirects=True)
    assert "Nothing changed" in same.text


def test_hand_over_and_accept_say_so(app, client, staff, people):
    ask(client)
    question = one(app, Question)
    token = csrf(staff)
    with session_scope(app.extensions["candor_engine"]) as s:
        from hub_api.models import Person
        sam_id = s.scalar(select(Person.id).where(Person.email == people["sam"]))
    page = staff.post(f"/staff/q/{question.id}/assign",
                      data={"csrf_token": token, "person": sam_id}, follow_redirects=True)
    assert "Handed to Sam Lee." in page.text
    staff.post(f"/staff/q/{question.id}/answer", data={"csrf_token": token, "body": "A."})
    answer = one(app, Answer)
    page = staff.post(f"/staff/q/{question.id}/accept/{answer.id}", data={"csrf_token": token},
                      follow_redirects=True)
    assert "Marked as the accepted answer." in page.text


def test_hiding_a_question_is_deliberate_reversible_and_truthful(app, client, staff):
    token_link = ask(client, title="Cheap watches here")
    question = one(app, Question)
    token = csrf(staff)  # Dana is staff and admin
    moderation = staff.get("/staff/moderation/").text
    assert f'href="/staff/q/{question.id}#moderate"' in moderation
    assert f'/staff/moderation/{question.id}/hide' not in moderation  # no inline hide form
    panel = staff.get(f"/staff/q/{question.id}").text
    form = panel.split(f'action="/staff/moderation/{question.id}/hide"', 1)[1].split("</form>")[0]
    assert '<option value="" selected disabled>Choose a reason</option>' in form
    assert "looks like a genuine question" not in form and "spam or advertising" in form

    url = f"/staff/moderation/{question.id}/hide"
    for hostile in ("", "fine", "mistake", "spam\n", "x" * 70_000, "<b>"):
        response = staff.post(url, data={"csrf_token": token, "reason": hostile})
        assert response.status_code in (400, 413), hostile
    assert one(app, Question).status == "open" and count(app, ModerationAction) == 0
    # A next that leaves the site is ignored.
    response = staff.post(url, data={"csrf_token": token, "reason": "spam",
                                     "next": "https://evil.example/"})
    assert response.headers["Location"] == "/staff/moderation/"
    assert (one(app, Question).status, one(app, Question).hidden_reason) == \
        ("hidden", "spam or advertising")

    manage = client.get(f"/manage/{token_link}").text
    assert "A moderator hid your question" in manage and "spam or advertising" in manage
    assert "has this question" not in manage and f'href="{question.url}"' not in manage
    api = client.get(f"/api/v1/questions/{question.id}")
    assert api.status_code == 410
    assert api.json["detail"] == {"reason": "spam or advertising"}
    assert client.get(question.url).status_code == 404
    assert "Hidden (1)" in staff.get("/staff/moderation/").text

    back = f"/staff/moderation/{question.id}/unhide"
    assert staff.post(back, data={"csrf_token": token, "reason": "spam"}).status_code == 400
    page = staff.post(back, data={"csrf_token": token, "reason": "mistake",
                                  "next": f"/staff/q/{question.id}#moderate"},
                      follow_redirects=True)
    assert "Question unhidden (hidden by mistake)." in page.text
    assert (one(app, Question).status, one(app, Question).hidden_reason) == ("open", "")
    assert client.get(question.url).status_code == 200
    assert client.get(f"/api/v1/questions/{question.id}").status_code == 200
    assert staff.post(back, data={"csrf_token": token, "reason": "mistake"}).status_code == 409
    with session_scope(app.extensions["candor_engine"]) as s:
        log = [(a.action, a.reason) for a in s.scalars(select(ModerationAction))]
    assert log == [("hidden", "spam or advertising"), ("unhidden", "hidden by mistake")]


def test_staff_pages_show_notices_reader_pages_stay_cookie_free(app, client, staff):
    ask(client)
    question = one(app, Question)
    staff.post(f"/staff/q/{question.id}/answer", data={"csrf_token": csrf(staff), "body": "A."})
    reader = app.test_client()
    for path in ("/", question.url, "/ask", "/search?q=a"):
        response = reader.get(path)
        assert not response.headers.getlist("Set-Cookie"), path
        assert "Published." not in response.text
