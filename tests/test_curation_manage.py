"""Curation a team can manage (#17 point 3): adding a feed fetches it once and says in words
whether it works; feeds pause and go (picks stay); picks are edited and unpublished on the web
and with `candor curate edit|unpublish`; a dismissal can be undone; admins curate too."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub_api.db import session_scope
from hub_api.models import CuratedPick, Entry, Feed

from .conftest import csrf, login, make_test_app, seed_people
from .feedserver import FeedServer


@pytest.fixture(scope="module")
def server():
    with FeedServer() as s:
        yield s


@pytest.fixture
def app(tmp_path, database_url):
    yield from make_test_app(tmp_path, database_url, ALLOW_PRIVATE_URLS=True)


@pytest.fixture
def people(app):
    return seed_people(app)


@pytest.fixture
def admin(app, people):
    """Dana: staff and admin, no marketer role."""
    c = app.test_client()
    assert login(c, people["dana"]).status_code == 303
    return c


def rows(app, model, **where) -> list:
    with session_scope(app.extensions["candor_engine"]) as s:
        return list(s.scalars(select(model).filter_by(**where).order_by(model.id)))


def count(app, model) -> int:
    with session_scope(app.extensions["candor_engine"]) as s:
        return s.scalar(select(func.count()).select_from(model))


def add(client, url: str, token: str, **extra):
    return client.post("/staff/curation/feeds", data={"csrf_token": token, "url": url, **extra})


def test_adding_a_feed_fetches_it_once_and_says_whether_it_works(app, admin, server):
    token = csrf(admin, "/staff/curation")  # an admin may curate
    for url, words in [
        ("http://feeds.invalid/rss.xml", "This feed does not work: "),
        (server.url("/page.html"), "Not a feed: the address gives a web page, not RSS or Atom"),
        (server.url("/feeds/missing.xml"), "This feed does not work: HTTP 404"),
        ("", "starting with http:// or https://"),
        ("javascript:alert(1)", "starting with http:// or https://"),
        ("http://" + "a" * 3000 + ".example/", "starting with http:// or https://"),
        ("http://x.example/\u0000feed", "does not work"),
    ]:
        response = add(admin, url, token)
        assert response.status_code == 400, url
        assert words in response.text, (url, response.text[:300])
        head = response.text.split('class="inbox', 1)[0]
        assert 'class="error-summary"' in head  # at the top, before the inbox
    assert "no such host" in add(admin, "http://feeds.invalid/rss.xml", token).text or \
        "name server" in add(admin, "http://feeds.invalid/rss.xml", token).text
    assert count(app, Feed) == 0 and count(app, Entry) == 0
    assert add(admin, server.url("/feeds/rss20.xml"), token, topic="nope").status_code == 400

    done = add(admin, server.url("/feeds/rss20.xml"), token, topic="networking")
    assert done.status_code == 303
    page = admin.get("/staff/curation").text
    assert "It works: 3 new entries (3 in the feed)." in page
    assert len(rows(app, Entry)) == 3
    again = add(admin, server.url("/feeds/rss20.xml"), token)
    assert again.status_code == 400 and "followed already" in again.text


def test_loopback_refused_in_words_without_the_setting(tmp_path, database_url, server):
    for app in make_test_app(tmp_path, database_url):
        seed_people(app)
        client = app.test_client()
        login(client, "mia@example.com")
        response = add(client, server.url("/feeds/rss20.xml"), csrf(client, "/staff/curation"))
        assert response.status_code == 400
        assert "Refused: a private address" in response.text
        assert count(app, Feed) == 0


def test_pause_remove_feed_picks_stay_and_dismiss_undo(app, admin, server, runner):
    token = csrf(admin, "/staff/curation")
    assert add(admin, server.url("/feeds/rss20.xml"), token, topic="networking").status_code == 303
    (feed,) = rows(app, Feed)
    first, second, third = (e.id for e in rows(app, Entry))
    # Pause: "fetch all" skips it.
    page = admin.post(f"/staff/curation/feeds/{feed.id}/pause", data={"csrf_token": token},
                      follow_redirects=True).text
    assert "Paused" in page and rows(app, Feed)[0].paused
    before = len(server.requests)
    admin.post("/staff/curation/fetch", data={"csrf_token": token})
    assert len(server.requests) == before
    admin.post(f"/staff/curation/feeds/{feed.id}/resume", data={"csrf_token": token})
    assert not rows(app, Feed)[0].paused
    assert admin.post(f"/staff/curation/feeds/{feed.id}/explode",
                      data={"csrf_token": token}).status_code == 404
    assert admin.post("/staff/curation/feeds/999/pause",
                      data={"csrf_token": token}).status_code == 404
    assert admin.post(f"/staff/curation/feeds/{feed.id}/remove", data={}).status_code == 400

    # Dismiss, then undo from the notice.
    dismissed = admin.post(f"/staff/curation/entries/{second}/dismiss",
                           data={"csrf_token": token}, follow_redirects=True).text
    assert f'action="/staff/curation/entries/{second}/restore"' in dismissed and "Undo" in dismissed
    back = admin.post(f"/staff/curation/entries/{second}/restore", data={"csrf_token": token},
                      follow_redirects=True).text
    assert "is back in the inbox" in back
    assert rows(app, Entry, id=second)[0].state == "new"
    assert admin.post(f"/staff/curation/entries/{second}/restore",
                      data={"csrf_token": token}).status_code == 409

    # Pick one (as admin), then remove the feed: the pick and its file stay.
    assert admin.post(f"/staff/curation/entries/{first}/pick",
                      data={"csrf_token": token, "note": "Worth reading."}).status_code == 303
    (record,) = rows(app, CuratedPick)
    path = Path(app.config["CONTENT"]) / record.path
    assert path.is_file()
    page = admin.post(f"/staff/curation/feeds/{feed.id}/remove", data={"csrf_token": token},
                      follow_redirects=True).text
    assert "Stopped following" in page and "Its picks stay on the site." in page
    assert rows(app, Feed) == [] and rows(app, Entry) == []
    assert rows(app, CuratedPick)[0].entry_id is None and path.is_file()
    assert third  # (all three entries went with the feed)


def test_edit_and_unpublish_a_pick_on_the_web(app, admin, server):
    token = csrf(admin, "/staff/curation")
    add(admin, server.url("/feeds/rss20.xml"), token, topic="networking")
    eid = rows(app, Entry)[0].id
    admin.post(f"/staff/curation/entries/{eid}/pick",
               data={"csrf_token": token, "note": "First note.", "topics": ["networking"]})
    (record,) = rows(app, CuratedPick)
    path = Path(app.config["CONTENT"]) / record.path
    original_body = path.read_text().split("\n\n", 1)[1]
    url = f"/staff/curation/picks/{record.id}"
    assert "First note." in admin.get(url).text
    for data, status, words in [
        ({"note": ""}, 400, "write why this matters"),
        ({"note": "x" * 6000}, 400, "at most 5,000 characters"),
        ({"note": "ok", "topics": ["nope"]}, 400, "nope"),
        ({"note": "ok", "topics": ["t"] * 60}, 400, "at most 50 topics"),
    ]:
        response = admin.post(url, data={"csrf_token": token, **data})
        assert response.status_code == status and words in response.text, data
    assert "First note." in path.read_text()
    saved = admin.post(url, data={"csrf_token": token,
                                  "note": "Second note.\nSave_as: evil.html",
                                  "topics": ["security"], "market": "1"}, follow_redirects=True)
    assert "Saved" in saved.text
    text = path.read_text()
    head = text.split("\n\n", 1)[0]
    assert "Note: Second note.\n    Save_as: evil.html" in head
    assert "Topics: security" in head and "Market: yes" in head
    assert "\nSave_as" not in head.replace("\n    Save_as", "")
    assert text.split("\n\n", 1)[1] == original_body  # the body is kept as it was
    assert rows(app, CuratedPick)[0].topics == "security"

    gone = admin.post(f"{url}/unpublish", data={"csrf_token": token}, follow_redirects=True)
    assert "Unpublished" in gone.text and not path.exists()
    assert rows(app, CuratedPick)[0].unpublished_at is not None
    assert admin.get(url).status_code == 404
    assert admin.post(f"{url}/unpublish", data={"csrf_token": token}).status_code == 404


def test_staff_without_curation_roles_are_refused(app, people, server):
    sam = app.test_client()
    login(sam, people["sam"])
    assert sam.get("/staff/curation").status_code == 403
    assert sam.post("/staff/curation/feeds", data={"url": "x"}).status_code == 403


def test_cli_edit_and_unpublish_rebuild(app, people, runner, server):
    client = app.test_client()
    login(client, people["mia"])
    token = csrf(client, "/staff/curation")
    add(client, server.url("/feeds/rss20.xml"), token, topic="networking")
    eid = rows(app, Entry)[0].id
    client.post(f"/staff/curation/entries/{eid}/pick", data={"csrf_token": token, "note": "A."})
    (record,) = rows(app, CuratedPick)
    for args, words in [
        (["curate", "edit", str(record.id), "--as", "nobody@example.com", "--note", "x"],
         "no active staff member"),
        (["curate", "edit", str(record.id), "--as", people["sam"], "--note", "x"],
         "neither the marketer nor the admin role"),
        (["curate", "edit", "999", "--as", people["mia"], "--note", "x"], "no pick 999"),
        (["curate", "edit", str(record.id), "--as", people["mia"], "--note", " "],
         "write why this matters"),
        (["curate", "edit", str(record.id), "--as", people["mia"], "--note", "x" * 6000],
         "at most 5,000"),
        (["curate", "edit", str(record.id), "--as", people["mia"], "--topic", "nope"], "nope"),
        (["curate", "unpublish", "abc", "--as", people["mia"]], "not a valid integer"),
    ]:
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and words in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert "Note: A." in (Path(app.config["CONTENT"]) / record.path).read_text()

    result = runner.invoke(args=["curate", "edit", str(record.id), "--as", people["mia"],
                                 "--note", "Better note.", "--market"])
    assert result.exit_code == 0, result.output
    assert "Site rebuilt." in result.output
    page = (Path(app.config["SITE"]) / "curated" / record.slug / "index.html").read_text()
    assert "Better note." in page
    result = runner.invoke(args=["curate", "unpublish", str(record.id), "--as", people["mia"]])
    assert result.exit_code == 0 and "Site rebuilt." in result.output, result.output
    assert not (Path(app.config["SITE"]) / "curated" / record.slug / "index.html").exists()
    again = runner.invoke(args=["curate", "unpublish", str(record.id), "--as", people["mia"]])
    assert again.exit_code != 0 and "unpublished already" in again.output
