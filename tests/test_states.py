"""A question's states in one place: every transition, and every page agreeing on the state.

The walk goes through the real views (form, manage link, staff pages, JSON API with a
token, moderation) and after each step asks everyone that shows questions — the built front
page, person and topic pages, ``/transparency/``, the staff queue, the digest, the API and
search — whether the thread is there, and how.
"""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from hub_api.db import session_scope
from hub_api.models import Question
from hub_api.questions.states import (
    KEEPS,
    TRANSITIONS,
    Event,
    StateError,
    Status,
    can,
    move,
)
from hub_api.site.builder import build_site

from .conftest import PASSWORD, ask, csrf, login

TITLE = "Can the X200 run two VLANs on one port?"


# --- the table itself ----------------------------------------------------------------------


def fake(status, answers=(), follow_ups=(), accepted=None):
    return SimpleNamespace(status=status, answers=list(answers), follow_ups=list(follow_ups),
                           accepted_answer_id=accepted, id=1)


@pytest.mark.parametrize("event", list(Event))
@pytest.mark.parametrize("status", list(Status))
def test_every_transition_follows_the_table(event, status):
    allowed, target = TRANSITIONS[event]
    answer = SimpleNamespace(created_at=1, person_id=1, person=None)
    question = fake(str(status), answers=[answer])
    if status in allowed:
        new = move(question, event)
        assert new == (target or Status.ANSWERED) and question.status == new
    elif event in KEEPS:
        assert move(question, event) == status  # e.g. a reply to a held question waits with it
    else:
        with pytest.raises(StateError):
            move(question, event)
        assert question.status == status  # a refused transition changes nothing


def test_settled_states_come_from_the_thread():
    answer = SimpleNamespace(created_at=5, person_id=1, person=None)
    later = SimpleNamespace(created_at=6, status="published")
    held_reply = SimpleNamespace(created_at=7, status="held")
    assert move(fake("held"), Event.APPROVE) == Status.OPEN
    assert move(fake("held", [answer]), Event.APPROVE) == Status.ANSWERED
    assert move(fake("held", [answer], accepted=1), Event.APPROVE) == Status.ACCEPTED
    assert move(fake("held", [answer], [later]), Event.APPROVE) == Status.FOLLOW_UP
    assert move(fake("held", [answer], [held_reply]), Event.APPROVE) == Status.ANSWERED
    # Accepting while a follow-up waits keeps it waiting; the next answer settles it.
    assert move(fake("follow_up", [answer], [later], accepted=1), Event.ACCEPT) == \
        Status.FOLLOW_UP
    new = fake(None)
    assert can(new, Event.ASK) and not can(new, Event.ANSWER)
    assert move(new, Event.ASK) == Status.OPEN


# --- the walk through every view -----------------------------------------------------------


@pytest.fixture
def hub(app, people, runner):
    result = runner.invoke(args=["staff", "token", people["dana"], "--name", "crm"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    dana, sam = app.test_client(), app.test_client()
    assert login(dana, people["dana"]).status_code == 303
    assert login(sam, people["sam"], PASSWORD).status_code == 303
    return SimpleNamespace(app=app, client=app.test_client(), dana=dana, sam=sam,
                           auth={"Authorization": f"Bearer {token}"})


def seen(hub, question_id: int) -> dict[str, object]:
    """Where the thread shows, and how, on every surface."""
    app, client = hub.app, hub.client
    build_site(app.config)
    site = app.config["SITE"]

    def page(path: str) -> str:
        return html.unescape((site / path / "index.html").read_text())

    api = client.get(f"/api/v1/questions/{question_id}")
    listed = {q["id"]: q["status"] for q in client.get("/api/v1/questions").json["items"]}
    found = client.get("/api/v1/search", query_string={"q": "VLANs"}).json["results"]
    search_page = html.unescape(client.get("/search", query_string={"q": "VLANs"}).text)
    thread = client.get(f"/q/{question_id}", follow_redirects=True)
    digest = html.unescape(hub.dana.get("/staff/digest?since=7d").text)
    waiting = digest[digest.index('id="waiting"'):]
    waiting = waiting[:waiting.index("</section>")]
    dana_queue = html.unescape(hub.dana.get("/staff/queue").text)
    return {
        "front": TITLE in page(""),
        "person": TITLE in page("people/dana-ortiz"),
        "topic": TITLE in page("topics/networking"),
        "api": api.json["status"] if api.status_code == 200 else api.status_code,
        "api_list": listed.get(question_id),
        "search": [r["answered"] for r in found if r["url"].endswith(f"/q/{question_id}")
                   or f"/q/{question_id}/" in r["url"]],
        "search_page": f"/q/{question_id}/" in search_page,
        "thread": thread.status_code,
        "digest_unanswered": TITLE in waiting,
        "dana_queue": TITLE in dana_queue,
        "sam_queue": TITLE in html.unescape(hub.sam.get("/staff/queue").text),
        "follow_up_tag": bool(re.search(r"follow-up waiting", dana_queue)),
    }


def status(app, question_id: int) -> str:
    with session_scope(app.extensions["candor_engine"]) as session:
        return session.scalar(select(Question.status).where(Question.id == question_id))


def the_question(app) -> int:
    with session_scope(app.extensions["candor_engine"]) as session:
        return session.scalar(select(Question.id).where(Question.title == TITLE))


def test_every_surface_agrees_through_the_whole_life_of_a_thread(hub):
    app, client, dana = hub.app, hub.client, hub.dana
    token = ask(client, title=TITLE, topic="networking",
                body="Two tagged VLANs on one trunk port, both with DHCP.")
    qid = the_question(app)
    assert status(app, qid) == "open"
    assert seen(hub, qid) == {
        "front": False, "person": False, "topic": False, "api": "open", "api_list": "open",
        "search": [False], "search_page": True, "thread": 200, "digest_unanswered": True,
        "dana_queue": True, "sam_queue": False, "follow_up_tag": False}

    # Answered through the API with a staff token.
    answer = client.post(f"/api/v1/questions/{qid}/answers", headers=hub.auth,
                         json={"body": "Yes: tag both on the trunk, one DHCP scope each."})
    assert answer.status_code == 201
    answered = {"front": True, "person": True, "topic": True, "api": "answered",
                "api_list": "answered", "search": [True], "search_page": True, "thread": 200,
                "digest_unanswered": False, "dana_queue": False, "sam_queue": False,
                "follow_up_tag": False}
    assert status(app, qid) == "answered" and seen(hub, qid) == answered

    # The asker's "Thanks": still answered for readers, a follow-up in Dana's queue only.
    assert client.post(f"/manage/{token}/reply", data={"body": "Thanks, that works."}) \
        .status_code == 303
    assert status(app, qid) == "follow_up"
    assert seen(hub, qid) == {**answered, "dana_queue": True, "follow_up_tag": True}
    public = html.unescape(client.get(f"/q/{qid}", follow_redirects=True).text)
    assert "Answered" in public and "Open ·" not in public and "follow-up waiting" not in public
    staff_view = html.unescape(dana.get(f"/staff/q/{qid}").text)
    assert "follow-up waiting" in staff_view

    # Accepting keeps the follow-up waiting; Dana's reply settles the thread as accepted.
    answer_id = answer.json["id"]
    assert client.post(f"/manage/{token}/accept/{answer_id}").status_code == 303
    assert status(app, qid) == "follow_up"
    assert dana.post(f"/staff/q/{qid}/answer", data={"csrf_token": csrf(dana),
                                                      "body": "Glad it works."}).status_code == 303
    assert status(app, qid) == "accepted" and seen(hub, qid) == answered

    # The asker edits the answered question into spam with a link: held, gone everywhere.
    edit = client.post(f"/manage/{token}/edit", data={
        "title": TITLE, "body": "Cheap VLANs at https://spam.example/ casino night"})
    assert edit.status_code == 303 and status(app, qid) == "held"
    gone = {"front": False, "person": False, "topic": False, "api": 404, "api_list": None,
            "search": [], "search_page": False, "thread": 404, "digest_unanswered": False,
            "dana_queue": False, "sam_queue": False, "follow_up_tag": False}
    assert seen(hub, qid) == gone
    # Nobody answers a held question: not the web form, not a staff token.
    late = client.post(f"/api/v1/questions/{qid}/answers", headers=hub.auth,
                       json={"body": "Published by the back door?"})
    assert late.status_code == 409
    assert dana.post(f"/staff/q/{qid}/answer", data={"csrf_token": csrf(dana),
                                                      "body": "Or this way?"}).status_code == 409

    # A moderator approves it: back as it was, accepted, and not re-routed as new.
    mod_csrf = csrf(dana, "/staff/moderation/")
    assert dana.post(f"/staff/moderation/{qid}/approve",
                     data={"csrf_token": mod_csrf, "reason": "fine"}).status_code == 303
    assert status(app, qid) == "accepted" and seen(hub, qid) == answered

    # Hidden by a moderator: gone everywhere, and the public log says so without names.
    assert dana.post(f"/staff/moderation/{qid}/hide",
                     data={"csrf_token": mod_csrf, "reason": "off-topic"}).status_code == 303
    assert status(app, qid) == "hidden" and seen(hub, qid) == {**gone, "api": 410}  # and why
    log = (app.config["SITE"] / "transparency" / "index.html").read_text()
    assert f"question {qid}" in log and "hidden" in log and "Pat" not in log


def test_a_held_question_is_nowhere_until_approved(hub):
    app, client = hub.app, hub.client
    ask(client, title=TITLE, topic="networking", body="casino night: VLANs for everyone")
    qid = the_question(app)
    assert status(app, qid) == "held"
    held = seen(hub, qid)
    assert held["api"] == 404 and held["search"] == [] and not held["search_page"]
    assert not (held["front"] or held["dana_queue"] or held["digest_unanswered"])
    answer = client.post(f"/api/v1/questions/{qid}/answers", headers=hub.auth,
                         json={"body": "Published by the back door?"})
    assert answer.status_code == 409 and status(app, qid) == "held"
    assert not seen(hub, qid)["front"]
    dana = hub.dana
    assert dana.post(f"/staff/moderation/{qid}/approve",
                     data={"csrf_token": csrf(dana, "/staff/moderation/"),
                           "reason": "fine"}).status_code == 303
    approved = seen(hub, qid)
    assert approved["api"] == "open" and approved["search"] == [False]
    assert approved["dana_queue"] and approved["digest_unanswered"]
