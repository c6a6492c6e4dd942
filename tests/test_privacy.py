"""The asker's control through the manage link, and the registry export and erase walk."""

import json
from datetime import timedelta

from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from hub_api import signals
from hub_api.db import session_scope, utcnow
from hub_api.effects.outbox import drain
from hub_api.models import Effect, FollowUp, NotificationEmail, Question, QuestionRevision
from hub_api.privacy.personal_data import REGISTRY, declared, undeclared_personal_columns

from .conftest import ask, csrf, free_port, make_test_app, seed_people, site_files


def count(app, model) -> int:
    with session_scope(app.extensions["candor_engine"]) as s:
        return s.scalar(select(func.count()).select_from(model))


def only_question(app) -> Question:
    with session_scope(app.extensions["candor_engine"]) as s:
        (question,) = s.scalars(select(Question)).all()
        return question


def test_every_personal_looking_column_is_registered():
    assert undeclared_personal_columns() == []
    # The check can fail: a new table with an address-like column and no entry is caught.
    extra = MetaData()
    Table("questions", extra, Column("id", Integer, primary_key=True),
          Column("display_name", String), Column("asker_ip", String))
    Table("visits", extra, Column("id", Integer, primary_key=True),
          Column("user_agent", String), Column("phone", String))
    assert sorted(undeclared_personal_columns(extra)) == [
        "questions.asker_ip", "visits.phone", "visits.user_agent"]
    assert {r.subject for r in REGISTRY} == {"asker", "staff"}


def test_mails_in_the_outbox_are_kept_only_as_the_registry_says(tmp_path, database_url, smtp):
    """The outbox holds a mail's address, name and text: the registry lists it, a sent mail is
    emptied, and one still waiting for the asker (the mail server is away) is emptied unsent
    when they delete their question."""
    assert ("effects", "payload") in declared()
    away = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    for app in make_test_app(tmp_path, database_url, SMTP_URL=away):
        seed_people(app)
        client = app.test_client()
        token = ask(client, title="Ship to Oslo?", email="pat@example.org")

        def waiting(app=app) -> list[str]:
            with session_scope(app.extensions["candor_engine"]) as s:
                return sorted(json.loads(e.payload)["to"] for e in s.scalars(select(Effect).where(
                    Effect.kind == "mail", Effect.done_at.is_(None))))
        assert waiting() == ["dana@example.com", "pat@example.org"]  # routing, confirmation
        assert client.post(f"/manage/{token}/delete").status_code == 200
        assert waiting() == ["dana@example.com"]
        app.config["SMTP_URL"] = smtp.url  # the mail server is back
        with app.app_context():
            drain(app, now=utcnow() + timedelta(hours=1))
        assert [m["To"] for m in smtp.box.messages] == ["dana@example.com"]
        with session_scope(app.extensions["candor_engine"]) as s:
            mails = s.scalars(select(Effect).where(Effect.kind == "mail")).all()
            assert len(mails) == 2 and all(m.done_at and m.payload == "" for m in mails)


def test_edit_keeps_versions_for_asker_and_staff_only(client, staff, people):
    token = ask(client, title="Do you ship to Norway?", body="First version.")
    page = client.post(f"/manage/{token}/edit",
                       data={"title": "Do you ship to Iceland?", "body": "Second *version*."})
    assert page.status_code == 303
    question = only_question(client.application)
    assert question.title == "Do you ship to Iceland?" and question.edited_at is not None
    public = client.get(question.url).text
    assert "edited" in public and "Second <em>version</em>." in public
    assert "First version." not in public and "Do you ship to Norway?" not in public
    mine = client.get(f"/manage/{token}").text
    assert "First version." in mine and "Earlier versions of the question (1" in mine
    assert "First version." in staff.get(f"/staff/q/{question.id}").text
    # Saving the same text adds no version; bad input is a 400 with the form kept.
    client.post(f"/manage/{token}/edit",
                data={"title": "Do you ship to Iceland?", "body": "Second *version*."})
    assert count(client.application, QuestionRevision) == 1
    bad = client.post(f"/manage/{token}/edit", data={"title": " ", "body": "x", "status": "x"})
    assert bad.status_code == 400 and "Enter your question in one line." in bad.text
    assert bad.headers["Cache-Control"] == "no-store"
    assert only_question(client.application).title == "Do you ship to Iceland?"


def test_export_is_what_was_stored_and_delete_removes_it(app, client, staff, people):
    deleted, edited = [], []
    signals.question_deleted.connect(lambda s, id: deleted.append(id), sender=app, weak=False)
    signals.question_edited.connect(lambda s, id: edited.append(id), sender=app, weak=False)
    token = ask(client, display_name="Pat Q.", title="Ship to Norway?", body="Ten units.",
                email="pat@example.org")
    client.post(f"/manage/{token}/edit", data={"title": "Ship to Oslo?", "body": "Ten units."})
    client.post(f"/manage/{token}/reply", data={"body": "Also *Bergen*."})
    question = only_question(app)
    staff.post(f"/staff/q/{question.id}/answer", data={"csrf_token": csrf(staff),
                                                       "body": "Yes, both."})
    response = client.get(f"/manage/{token}/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "attachment" in response.headers["Content-Disposition"]
    records = json.loads(response.text)["records"]
    (q,) = records["questions"]
    assert (q["display_name"], q["title"], q["body"]) == ("Pat Q.", "Ship to Oslo?", "Ten units.")
    assert "manage_token_hash" not in q
    assert [r["title"] for r in records["question_revisions"]] == ["Ship to Norway?"]
    assert [f["body"] for f in records["follow_ups"]] == ["Also *Bergen*."]
    assert records["notification_emails"][0]["email"] == "pat@example.org"
    assert "Yes, both." not in response.text  # staff words are not the asker's data
    assert edited == [question.id]

    confirm = client.get(f"/manage/{token}/delete")
    assert confirm.status_code == 200 and "Delete everything" in confirm.text
    assert count(app, FollowUp) == 1  # a GET deletes nothing
    done = client.post(f"/manage/{token}/delete")
    assert done.status_code == 200 and "Your question is deleted" in done.text
    assert deleted == [question.id]
    for model in (FollowUp, QuestionRevision, NotificationEmail):
        assert count(app, model) == 0
    tomb = only_question(app)
    assert (tomb.title, tomb.display_name, tomb.body, tomb.status) == (
        "Question removed by the asker", "", "", "removed")
    page = client.get(tomb.url)
    assert "Yes, both." in page.text and "Pat Q." not in page.text
    assert "The asker removed their question; the answers stay" in page.text
    assert client.get(f"/manage/{token}").status_code == 404  # the old link opens nothing


def test_delete_without_answers_removes_the_row(client, people):
    token = ask(client)
    assert client.post(f"/manage/{token}/delete").status_code == 200
    assert count(client.application, Question) == 0


def test_notification_settings_on_the_manage_page(client, people, smtp):
    client.application.config["SMTP_URL"] = smtp.url  # pages offer mail only when it is sent
    token = ask(client)
    page = client.get(f"/manage/{token}")
    assert "/feed.atom" in page.text and "Send the confirmation link" in page.text
    bad = client.post(f"/manage/{token}/notifications", data={"action": "add", "email": "nope"})
    assert bad.status_code == 400 and "Enter an email address like" in bad.text
    odd = client.post(f"/manage/{token}/notifications", data={"action": "on"})
    assert odd.status_code == 400  # nothing confirmed to switch on
    ok = client.post(f"/manage/{token}/notifications",
                     data={"action": "add", "email": "pat@example.org"})
    assert ok.status_code == 303
    assert "We sent a confirmation link" in client.get(f"/manage/{token}").text
    with session_scope(client.application.extensions["candor_engine"]) as s:
        row = s.scalars(select(NotificationEmail)).one()
        row.confirmed_at = row.created_at
    client.post(f"/manage/{token}/notifications", data={"action": "off"})
    with session_scope(client.application.extensions["candor_engine"]) as s:
        assert s.scalars(select(NotificationEmail)).one().active is False
    assert "Turn email notifications on" in client.get(f"/manage/{token}").text


def test_manage_pages_are_private_and_noindex(client, people):
    token = ask(client)
    for path in ["", "/edit", "/delete"]:
        page = client.get(f"/manage/{token}{path}")
        assert page.status_code == 200
        assert 'name="robots" content="noindex' in page.text
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert page.headers["Cache-Control"] == "no-store"
        assert "Set-Cookie" not in page.headers
    for path in ["/edit", "/delete", "/notifications"]:
        assert client.post(f"/manage/wrong-token{path}").status_code == 404
    assert client.get("/manage/wrong-token/export.json").status_code == 404


def test_mass_assignment_fields_are_ignored(client, people):
    response = client.post("/ask", data={
        "display_name": "Pat", "title": "Sneaky", "body": "Hello", "is_staff": "1",
        "status": "answered", "author_id": "1", "accepted": "1", "accepted_answer_id": "1",
        "hold_reason": "x", "manage_token_hash": "0" * 64, "id": "999"})
    assert response.status_code == 303
    question = only_question(client.application)
    assert (question.status, question.accepted_answer_id, question.hold_reason) == (
        "open", None, "")
    assert question.id != 999 and question.manage_token_hash != "0" * 64
    token = response.headers["Location"].rsplit("/", 1)[1]
    client.post(f"/manage/{token}/edit", data={"title": "T2", "body": "B2", "status": "hidden",
                                               "display_name": "Mallory"})
    question = only_question(client.application)
    assert (question.status, question.display_name) == ("open", "Pat")


def test_login_next_never_leaves_the_site(client, people):
    from .conftest import PASSWORD

    for i, target in enumerate(["//evil.com", "/\\evil.com", "////evil.com", "https:evil.com",
                   "%2F%2Fevil.com", "javascript:alert(1)", "https://evil.com/", "/%09/evil.com",
                   "\\\\evil.com", " //evil.com"]):
        # Each from its own address: logins are limited to 6 a minute per client.
        c = client.application.test_client()
        c.environ_base["REMOTE_ADDR"] = f"192.0.2.{i}"
        response = c.post(f"/staff/login?next={target}",
                          data={"email": people["dana"], "password": PASSWORD, "next": target})
        assert response.status_code == 303, target
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
        assert "evil" not in location, (target, location)


def test_cli_export_and_erase(app, client, people):
    token = ask(client, email="pat@example.org", title="CLI question")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export", "pat@example.org"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["records"]["questions"][0]["title"] == "CLI question"
    assert runner.invoke(args=["export", "nobody@example.org"]).exit_code == 1
    result = runner.invoke(args=["erase", f"http://hub.test/manage/{token}", "--yes"])
    assert result.exit_code == 0 and "Erased 1 question(s)." in result.output
    assert count(app, Question) == 0 and count(app, NotificationEmail) == 0


def test_deleted_question_leaves_the_built_site(app, client, staff, people):
    from hub_api.site.builder import build_site

    token = ask(client, title="Erase me from the site", body="Soon gone.")
    question = only_question(app)
    staff.post(f"/staff/q/{question.id}/answer", data={"csrf_token": csrf(staff),
                                                       "body": "Staff words stay."})
    build_site(app.config)
    site = app.config["SITE"]
    assert "Erase me from the site" in (site / "index.html").read_text()
    client.post(f"/manage/{token}/delete")
    build_site(app.config)
    built = "".join(p.read_text() for p in site_files(site, ".html"))
    assert "Erase me from the site" not in built and "Soon gone." not in built
