"""The curation inbox and picks: web and CLI, the Markdown file, safe slugs, the built page."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hub_api.curation.feeds import add_feed, parse_feed, store_entries
from hub_api.curation.picks import unique_slug
from hub_api.db import session_scope
from hub_api.models import CuratedPick, Entry
from hub_api.signals import curated_picked
from hub_api.site.builder import build_site, get_builder

from .conftest import csrf, login, make_test_app, seed_people, site_files
from .feedserver import FEEDS

SAFE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def load_feed(app, name: str, topic: str | None = None) -> None:
    """Store a feed file's entries as a fetch would (fetching itself is tested elsewhere)."""
    with session_scope(app.extensions["candor_engine"]) as s:
        feed = add_feed(s, f"https://feeds.example/{name}", topic)
        s.flush()
        parsed = parse_feed((FEEDS / name).read_bytes(), feed.url)
        feed.title = parsed.title
        store_entries(s, feed, parsed.entries)


def inbox_of(client) -> str:
    """The inbox list of /staff/curation (picks and dismissals are listed further down)."""
    text = client.get("/staff/curation").text
    return text.split('<ol class="inbox">', 1)[1].split("</ol>", 1)[0] if \
        '<ol class="inbox">' in text else ""


def entry_id(app, title_start: str) -> int:
    with session_scope(app.extensions["candor_engine"]) as s:
        return s.scalar(select(Entry.id).where(Entry.title.startswith(title_start)))


def state(app, eid: int) -> str:
    with session_scope(app.extensions["candor_engine"]) as s:
        return s.get(Entry, eid).state


def picks(app) -> list[CuratedPick]:
    with session_scope(app.extensions["candor_engine"]) as s:
        return list(s.scalars(select(CuratedPick).order_by(CuratedPick.id)))


def curated_files(app) -> set[str]:
    return {p.name for p in (Path(app.config["CONTENT"]) / "curated").iterdir()}


@pytest.fixture
def marketer(app, people):
    load_feed(app, "rss20.xml", "networking")
    load_feed(app, "hostile.xml")
    load_feed(app, "atom10.xml")
    c = app.test_client()
    assert login(c, people["mia"]).status_code == 303
    return c


def test_only_marketers_and_admins_see_the_inbox(app, client, staff, marketer, people):
    assert client.get("/staff/curation").status_code == 302  # to the login page
    assert staff.get("/staff/curation").status_code == 200  # Dana: admin, not marketer
    sam = app.test_client()
    login(sam, people["sam"])
    assert sam.get("/staff/curation").status_code == 403  # staff only
    page = marketer.get("/staff/curation")
    assert page.status_code == 200
    text = page.text
    assert "Wi-Fi 7 in practice" in text and "Network Engineering Digest" in text
    # Newest first: 21 Nov before 20 Nov before 19 Nov.
    order = [text.index(t) for t in ("Wi-Fi 7 in practice", "EVPN-VXLAN for mid-sized",
                                     "Zero trust without")]
    assert order == sorted(order)
    assert "<script>alert" not in text


def test_inbox_filters_by_feed_and_topic(app, marketer):
    by_topic = marketer.get("/staff/curation?topic=networking").text
    assert "Wi-Fi 7 in practice" in by_topic and "Switch prices" not in by_topic
    by_feed = marketer.get("/staff/curation?feed=3").text
    assert "Switch prices" in by_feed and "Wi-Fi 7 in practice" not in by_feed
    assert marketer.get("/staff/curation?feed=abc&topic=%00").status_code == 200


def test_pick_writes_one_markdown_file_and_records_it(app, marketer):
    sent = []
    curated_picked.connect(lambda sender, **kw: sent.append(kw["id"]), sender=app, weak=False)
    eid = entry_id(app, "Wi-Fi 7 in practice")
    before = curated_files(app)
    token = csrf(marketer, f"/staff/curation/entries/{eid}")
    response = marketer.post(f"/staff/curation/entries/{eid}/pick", data={
        "csrf_token": token, "note": "Our **NW-7** access points do this.\n\nAsk Dana.",
        "topics": ["networking", "security"], "market": "1"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/staff/curation?picked=")
    [record] = picks(app)
    assert sent == [record.id]
    assert record.slug == "wi-fi-7-in-practice-multi-link-operation-measured"
    assert record.market and record.topics == "networking,security"
    assert curated_files(app) - before == {f"{record.slug}.md"}
    text = (Path(app.config["CONTENT"]) / record.path).read_text()
    head, body = text.split("\n\n", 1)
    assert head.splitlines() == [
        "Title: Wi-Fi 7 in practice: multi-link operation measured",
        f"Date: {record.created_at:%Y-%m-%d %H:%M:%S}+00:00",
        f"Slug: {record.slug}",
        "Source_url: https://netdigest.example.com/wifi-7-mlo",
        "Source_name: Network Engineering Digest",
        "Topics: networking, security",
        "Curator: Mia Chen",
        "Market: yes",
        "Note: Our **NW-7** access points do this.",
        "    Ask Dana.",
    ]
    assert body.startswith('<div class="excerpt">\n<p>Multi-link operation cut')
    assert state(app, eid) == "picked"
    assert "Wi-Fi 7 in practice" not in inbox_of(marketer)
    assert f"/curated/{record.slug}/" in marketer.get(response.headers["Location"]).text


def test_hostile_titles_cannot_inject_metadata(app, marketer):
    eid = entry_id(app, "Innocent title")
    token = csrf(marketer, f"/staff/curation/entries/{eid}")
    note = "Line one\nSave_as: ../../x.html\r\nTemplate: evil\x00\x1b[31m\u2028Status: draft"
    assert marketer.post(f"/staff/curation/entries/{eid}/pick", data={
        "csrf_token": token, "note": note}).status_code == 303
    [record] = picks(app)
    text = (Path(app.config["CONTENT"]) / record.path).read_text()
    head = text.split("\n\n", 1)[0]
    keys = [line.split(":", 1)[0] for line in head.splitlines() if not line.startswith("    ")]
    assert keys == ["Title", "Date", "Slug", "Source_url", "Source_name", "Curator", "Market",
                    "Note"]
    assert all(line.startswith("    ") for line in head.splitlines()[len(keys):])
    assert "\x00" not in text and "\x1b" not in text and "\u2028" not in text
    assert "{filename}" not in text and "|static|" not in text


@pytest.mark.parametrize("data, status, message", [
    ({"note": "   "}, 400, "write why this matters"),
    ({"note": "x" * 5001}, 400, "at most 5,000 characters"),
    ({"note": "ok", "topics": ["no-such-topic"]}, 400, "no topic"),
])
def test_bad_picks_change_nothing(app, marketer, data, status, message):
    eid = entry_id(app, "EVPN-VXLAN")
    before = curated_files(app)
    token = csrf(marketer, f"/staff/curation/entries/{eid}")
    response = marketer.post(f"/staff/curation/entries/{eid}/pick",
                             data={"csrf_token": token, **data})
    assert response.status_code == status
    assert message in response.text
    assert curated_files(app) == before and picks(app) == [] and state(app, eid) == "new"


def test_pick_needs_the_form_token_and_a_real_entry(app, marketer):
    eid = entry_id(app, "EVPN-VXLAN")
    assert marketer.post(f"/staff/curation/entries/{eid}/pick",
                         data={"note": "x"}).status_code == 400
    token = csrf(marketer, "/staff/curation")
    assert marketer.post("/staff/curation/entries/999/pick",
                         data={"csrf_token": token, "note": "x"}).status_code == 404
    assert picks(app) == []


def test_picking_twice_is_refused(app, marketer):
    eid = entry_id(app, "EVPN-VXLAN")
    token = csrf(marketer, f"/staff/curation/entries/{eid}")
    data = {"csrf_token": token, "note": "Worth it."}
    assert marketer.post(f"/staff/curation/entries/{eid}/pick", data=data).status_code == 303
    again = marketer.post(f"/staff/curation/entries/{eid}/pick", data=data)
    assert again.status_code == 409 and "picked already" in again.text
    assert len(picks(app)) == 1


def test_dismissed_entries_stay_dismissed(app, marketer):
    eid = entry_id(app, "Zero trust without")
    token = csrf(marketer, "/staff/curation")
    assert marketer.post(f"/staff/curation/entries/{eid}/dismiss",
                         data={"csrf_token": token}).status_code == 303
    assert "Zero trust without" not in inbox_of(marketer)
    load_feed_again = FEEDS / "rss20.xml"
    with session_scope(app.extensions["candor_engine"]) as s:
        entry = s.get(Entry, eid)
        store_entries(s, entry.feed, parse_feed(load_feed_again.read_bytes(), "x").entries)
    assert state(app, eid) == "dismissed"
    assert "Zero trust without" not in inbox_of(marketer)


def test_add_and_fetch_feeds_from_the_page(app, marketer):
    token = csrf(marketer, "/staff/curation")
    bad = marketer.post("/staff/curation/feeds", data={"csrf_token": token, "url": "ftp://x"})
    assert bad.status_code == 400 and "starting with http://" in bad.text
    refused = marketer.post("/staff/curation/feeds", data={
        "csrf_token": token, "url": "http://127.0.0.1:9/feed.xml", "topic": "security"})
    assert refused.status_code == 400
    assert "Refused: a private address (127.0.0.1 is not a public internet address)" in \
        refused.text
    # The error sits above the inbox, at the top of the page, and takes focus.
    assert refused.text.index('class="error-summary"') < refused.text.index('class="inbox"')
    assert 'tabindex="-1" autofocus' in refused.text
    fetched = marketer.post("/staff/curation/fetch", data={"csrf_token": token, "feed": "1"})
    assert fetched.status_code == 303
    assert marketer.post("/staff/curation/fetch",
                         data={"csrf_token": token, "feed": "77"}).status_code == 404


def test_cli_inbox_pick_dismiss(app, people, runner):
    load_feed(app, "rss20.xml", "networking")
    listing = json.loads(runner.invoke(args=["curate", "inbox", "--json"]).output)
    assert [e["title"][:10] for e in listing] == ["Wi-Fi 7 in", "EVPN-VXLAN", "Zero trust"]
    assert listing[0]["topic"] == "networking"
    first, second, third = (e["id"] for e in listing)
    result = runner.invoke(args=["curate", "pick", str(first), "--note", "Read this.",
                                 "--as", people["mia"]])
    assert result.exit_code == 0, result.output
    [record] = picks(app)
    assert record.topics == "networking"  # the feed's topic by default
    for args, message in [
        (["curate", "pick", str(first), "--note", "x", "--as", people["mia"]], "picked already"),
        (["curate", "pick", str(second), "--note", "x", "--as", people["sam"]], "admin role"),
        (["curate", "pick", str(second), "--note", "x", "--as", "who@x"], "no active staff"),
        (["curate", "pick", "99", "--note", "x", "--as", people["mia"]], "no entry 99"),
        (["curate", "pick", str(second), "--note", " ", "--as", people["mia"]], "why this"),
        (["curate", "dismiss", "99"], "no entry 99"),
    ]:
        bad = runner.invoke(args=args)
        assert bad.exit_code != 0 and message in bad.output, (args, bad.output)
    assert len(picks(app)) == 1
    assert runner.invoke(args=["curate", "dismiss", str(third)]).exit_code == 0
    text = runner.invoke(args=["curate", "inbox"]).output
    assert "EVPN-VXLAN" in text and "Zero trust" not in text and "Wi-Fi 7" not in text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=80)
                | st.lists(st.sampled_from(["../../x", "..", "/", "", "🙂", "日本語", "—",
                                            "Ελληνικά", "CON", ".", "%2e%2e"]) ),
                min_size=1, max_size=12))
def test_slugs_are_unique_safe_and_stay_inside(titles):
    output = Path("/srv/site/curated")
    taken: set[str] = set()
    for title in (t if isinstance(t, str) else "".join(t) for t in titles):
        slug = unique_slug(title, taken.__contains__)
        assert SAFE.fullmatch(slug) and len(slug) <= 80
        assert set(slug) <= set(string.ascii_lowercase + string.digits + "-")
        assert (output / slug).resolve().parent == output
        assert slug not in taken
        taken.add(slug)


def test_picked_article_on_the_built_site(app, marketer):
    seed = {"Wi-Fi 7 in practice": ["networking"], "Innocent title": ["networking"]}
    for title, topics in seed.items():
        eid = entry_id(app, title)
        token = csrf(marketer, f"/staff/curation/entries/{eid}")
        assert marketer.post(f"/staff/curation/entries/{eid}/pick", data={
            "csrf_token": token, "topics": topics,
            "note": "Why: [docs](javascript:alert(1)) ![x](https://tracker.example/p.gif)\n"
                    "- one\n- two"}).status_code == 303
    build = build_site(app.config)
    good, evil = picks(app)
    page = (build / "curated" / good.slug / "index.html").read_text()
    why, rest = page.index('class="why"'), page.index('class="prose"')
    assert why < rest < page.index("Read the original at Network Engineering Digest")
    assert "<li>one</li>" in page and "Multi-link operation cut" in page
    index = (build / "index.html").read_text()
    assert f"/curated/{good.slug}/" in index and f"/curated/{evil.slug}/" in index
    topic = (build / "topics" / "networking" / "index.html").read_text()
    assert f"/curated/{good.slug}/" in topic
    assert good.slug in (build / "feeds" / "networking.atom").read_text()
    assert good.slug in (build / "feeds" / "all.atom").read_text()
    assert not list(build.parent.parent.rglob("owned.html"))
    for path in [*site_files(build, ".html"), *site_files(build, ".atom")]:
        # JSON-LD is data for search engines, not a script (tests/test_find_pages.py parses it)
        text = re.sub(r'<script type="application/ld\+json">[^<]*</script>', "",
                      path.read_text().lower())
        for needle in ("<script", "onerror", "onload", "onclick", 'href="javascript:', "<iframe",
                       'src="https://', "src=\"http://", "<style", "<svg"):
            assert needle not in text, (needle, path)



def test_a_pick_requests_one_site_build(tmp_path, database_url):
    calls = []
    for app in make_test_app(tmp_path, database_url, AUTO_BUILD=True, BUILD_DEBOUNCE=3):
        people = seed_people(app)
        load_feed(app, "rss20.xml")
        builder = get_builder(app)
        builder._build = lambda config, **_: calls.append(config) or Path("/nowhere")
        runner = app.test_cli_runner()
        for eid in (1, 2):  # two quick picks coalesce into one build
            result = runner.invoke(args=["curate", "pick", str(eid), "--note", "Read this.",
                                         "--as", people["mia"]])
            assert result.exit_code == 0, result.output
        assert builder.wait_idle(30)
        assert len(calls) == 1


def test_the_inbox_shows_what_readers_did_not_find(app, client, marketer):
    for q in ["Quantum routers", "quantum  ROUTERS", "<b>solar</b> switches"]:
        client.get("/search", query_string={"q": q})
    page = marketer.get("/staff/curation").text
    panel = page[page.index('id="gaps"'):]
    panel = panel[:panel.index("</section>")]
    assert re.search(r"<td>quantum routers</td><td>2</td>", panel)
    assert "&lt;b&gt;solar&lt;/b&gt; switches" in panel or "solar switches" in panel
    assert "<b>solar</b>" not in panel


def test_the_inbox_names_curated_files_the_build_could_not_read(app, marketer):
    broken = Path(app.config["CONTENT"]) / "curated" / "broken-by-hand.md"
    broken.parent.mkdir(exist_ok=True)
    broken.write_text("Date: 2026-11-20\n\nA hand edit in git lost the title line.\n")
    build_site(app.config)
    page = marketer.get("/staff/curation").text
    assert "1 file could not be read" in page and "curated/broken-by-hand.md" in page
    broken.unlink()
    build_site(app.config)
    assert "could not be read" not in marketer.get("/staff/curation").text
