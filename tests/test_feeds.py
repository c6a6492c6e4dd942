"""Feeds in: every feed format from a loopback server, cleaning, de-duplication, bad feeds."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from hub_api.db import session_scope
from hub_api.models import Entry, Feed

from .conftest import make_test_app, seed_people
from .feedserver import FeedServer

FILES = ["rss091.xml", "rss10.rdf", "rss20.xml", "atom03.xml", "atom10.xml", "bozo.xml",
         "hostile.xml", "billion-laughs.xml", "xxe.xml"]


@pytest.fixture(scope="module")
def server():
    with FeedServer() as s:
        yield s


@pytest.fixture
def app(tmp_path, database_url):
    yield from make_test_app(tmp_path, database_url, ALLOW_PRIVATE_URLS=True)


def add(runner, url, *extra):
    """Follow a feed without the fetch `feeds add` makes first (these tests fetch later)."""
    result = runner.invoke(args=["feeds", "add", "--unchecked", url, *extra])
    assert result.exit_code == 0, result.output
    return result


def entries(app, **where) -> list[Entry]:
    with session_scope(app.extensions["candor_engine"]) as s:
        query = select(Entry).join(Feed).filter_by(**where) if where else select(Entry)
        return list(s.scalars(query.order_by(Entry.id)))


def feed_by_url(app, url) -> Feed:
    with session_scope(app.extensions["candor_engine"]) as s:
        return s.scalar(select(Feed).where(Feed.url == url))


def test_fetch_all_reads_every_format_and_survives_bad_feeds(app, runner, server):
    seed_people(app)
    urls = {name: server.url(f"/feeds/{name}") for name in FILES}
    urls["huge"] = server.url("/huge.xml")
    urls["missing"] = server.url("/feeds/missing.xml")
    for name, url in urls.items():
        add(runner, url, *(["--topic", "networking"] if name == "rss20.xml" else []))
    started = time.monotonic()
    result = runner.invoke(args=["feeds", "fetch", "--all"])
    assert time.monotonic() - started < 30
    assert result.exit_code == 0, result.output
    assert "Fetching feeds" in result.output  # the progress bar
    status = {name: feed_by_url(app, url) for name, url in urls.items()}
    for name in ("rss091.xml", "rss10.rdf", "rss20.xml", "atom03.xml", "atom10.xml",
                 "hostile.xml"):
        assert status[name].status == "ok", (name, status[name].message)
    assert status["rss20.xml"].message == "3 new entries (3 in the feed)"
    assert status["rss20.xml"].title == "Network Engineering Digest"
    assert status["bozo.xml"].status == "bozo"
    assert "malformed" in status["bozo.xml"].message
    assert status["huge"].status == "error" and "larger than" in status["huge"].message
    assert status["missing"].message == "HTTP 404 Not Found"
    for name in ("billion-laughs.xml", "xxe.xml"):
        assert status[name].status == "error" and "entities" in status[name].message
    titles = {e.title for e in entries(app)}
    assert "Why forklifts and 5 GHz do not mix" in titles  # RSS 0.91
    assert "Copper-clad laminate goes on allocation" in titles  # RSS 1.0
    assert "Patch your VPN concentrators this week" in titles  # Atom 0.3
    assert "Switch prices & lead times, November" in titles  # Atom 1.0
    assert "Second item still readable" in titles  # bozo, ingested as far as possible
    assert not any("root:" in e.summary_html or "lol" in e.title for e in entries(app))

    listing = runner.invoke(args=["feeds", "list"]).output
    assert "HTTP 404 Not Found" in listing and "bozo" in listing and "networking" in listing


def test_entries_are_cleaned(app, runner, server):
    url = server.url("/feeds/hostile.xml")
    add(runner, url)
    assert runner.invoke(args=["feeds", "fetch", "1"]).exit_code == 0
    hostile, plain = entries(app)
    assert "\n" not in hostile.title and hostile.title.startswith("Innocent title Save_as:")
    html = hostile.summary_html.lower()
    for needle in ("<script", "onerror", "onclick", "onload", 'href="javascript:', "<iframe",
                   "<img", "<style", "<svg", "<object", 'src="https://tracker', "display:none"):
        assert needle not in html, needle
    # Markdown-looking text stays text here; the site build sanitises after Markdown too.
    assert "[md link](javascript:alert(6))" in html
    assert 'href="https://hostile.example/ok"' in html and "fine link" in html
    assert plain.summary_html == "Just text with <b>angle brackets</b>"  # RSS: escaped HTML
    assert plain.link is None  # a javascript: link is no source link
    assert feed_by_url(app, url).title == "Totally Normal News Save_as: ../../owned.html"


def test_plain_text_entries_are_escaped(app, runner, server):
    add(runner, server.url("/feeds/atom03.xml"))
    add(runner, server.url("/feeds/atom10.xml"))
    runner.invoke(args=["feeds", "fetch", "--all"])
    by_title = {e.title: e for e in entries(app)}
    assert by_title["Patch your VPN concentrators this week"].summary_html.startswith("<p>")
    bundled = by_title["A competitor bundles support with every router"].summary_html
    assert bundled == ("<p>Three years of next-business-day replacement, included.</p>"
                       "<p>Worth comparing with our own offer.</p>")


def test_refetch_adds_nothing_and_links_dedupe_across_feeds(app, runner, server):
    add(runner, server.url("/feeds/rss20.xml"))
    add(runner, server.url("/redirect?to=/feeds/rss20.xml"))  # same entries, another feed
    runner.invoke(args=["feeds", "fetch", "--all"])
    runner.invoke(args=["feeds", "fetch", "--all"])
    assert len(entries(app)) == 3
    links = [e.link for e in entries(app)]
    assert len(set(links)) == 3
    first = entries(app)[0]
    assert first.key == "netdigest-2026-0042"  # the guid
    assert entries(app)[2].key == "https://netdigest.example.com/zero-trust-steps"  # no guid


def test_tracking_parameters_are_dropped_from_links(app, runner, server):
    add(runner, server.url("/feeds/rss091.xml"))
    runner.invoke(args=["feeds", "fetch", "1"])
    assert "https://radio.example.org/notes/cafe-wifi" in [e.link for e in entries(app)]


def test_unchanged_feed_costs_a_304(app, runner, server):
    url = server.url("/etag/rss20.xml")
    add(runner, url)
    runner.invoke(args=["feeds", "fetch", "1"])
    assert feed_by_url(app, url).etag == '"v1-candor-test"'
    result = runner.invoke(args=["feeds", "fetch", "1"])
    assert "not modified since the last fetch" in result.output
    assert feed_by_url(app, url).status == "unchanged"
    assert server.requests[-1][1].get("If-None-Match") == '"v1-candor-test"'
    assert len(entries(app)) == 3


def test_private_addresses_refused_unless_allowed(tmp_path, database_url, server):
    for app in make_test_app(tmp_path, database_url):  # ALLOW_PRIVATE_URLS off
        runner = app.test_cli_runner()
        add(runner, server.url("/feeds/rss20.xml"))
        result = runner.invoke(args=["feeds", "fetch", "--all"])
        assert "127.0.0.1 is not a public internet address" in result.output
        assert entries(app) == []


@pytest.mark.parametrize("args, message", [
    (["feeds", "add", "file:///etc/passwd"], "starting with http:// or https://"),
    (["feeds", "add", "not a url"], "starting with http:// or https://"),
    (["feeds", "add", "https://example.com/feed", "--topic", "nope"], "no topic 'nope'"),
    (["feeds", "fetch"], "use --all"),
    (["feeds", "fetch", "99"], "no feed 99"),
])
def test_bad_cli_input_fails_clearly(app, runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
    with session_scope(app.extensions["candor_engine"]) as s:
        assert s.scalar(select(func.count()).select_from(Feed)) == 0


def test_adding_a_feed_fetches_it_once_and_says_whether_it_works(app, runner, server):
    works = runner.invoke(args=["feeds", "add", server.url("/feeds/rss20.xml")])
    assert works.exit_code == 0, works.output
    assert works.output.strip() == ("Following feed 1: Network Engineering Digest. "
                                    "It works: 3 new entries (3 in the feed).")
    assert len(entries(app)) == 3  # that fetch's entries are in the inbox already
    for path, words in (("/feeds/missing.xml", "this feed does not work: HTTP 404 Not Found"),
                        ("/page.html", "not a feed: the address gives a web page"),
                        ("/feeds/xxe.xml", "entities")):
        refused = runner.invoke(args=["feeds", "add", server.url(path)])
        assert refused.exit_code != 0 and words in refused.output, refused.output
        assert "nothing was added" in refused.output
    no_host = runner.invoke(args=["feeds", "add", "http://no-such-host.invalid/feed.xml"])
    assert no_host.exit_code != 0 and "no such host" in no_host.output, no_host.output
    with session_scope(app.extensions["candor_engine"]) as s:
        assert s.scalar(select(func.count()).select_from(Feed)) == 1


def test_adding_a_private_feed_is_refused_in_words(tmp_path, database_url, server):
    for app in make_test_app(tmp_path, database_url):  # ALLOW_PRIVATE_URLS off
        result = app.test_cli_runner().invoke(args=["feeds", "add",
                                                    server.url("/feeds/rss20.xml")])
        assert result.exit_code != 0
        assert "refused" in result.output and "not a public internet address" in result.output
        assert feed_by_url(app, server.url("/feeds/rss20.xml")) is None


def test_duplicate_feed_refused(app, runner):
    add(runner, "https://example.com/feed.xml")
    result = runner.invoke(args=["feeds", "add", "https://example.com/feed.xml"])
    assert result.exit_code != 0 and "followed already" in result.output
