"""The guarded fetcher against a loopback server: schemes, addresses, redirects, limits."""

from __future__ import annotations

import pytest

from hub_api.curation import fetch as fetch_module
from hub_api.curation.fetch import FetchError, check_address, fetch

from .feedserver import ETAG, FeedServer


@pytest.fixture(scope="module")
def server():
    with FeedServer(slow_seconds=2.0) as s:
        yield s


@pytest.mark.parametrize("address", [
    "127.0.0.1", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "10.1.2.3", "172.16.0.1",
    "192.168.1.1", "100.64.0.1", "100.127.255.254", "169.254.169.254", "0.0.0.0", "::",
    "fe80::1", "fc00::1", "224.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
])
def test_non_global_addresses_are_refused(address):
    with pytest.raises(FetchError, match="not a public internet address"):
        check_address(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
                                     "100.128.0.1", "::ffff:93.184.215.14"])
def test_global_addresses_pass(address):
    check_address(address)


@pytest.mark.parametrize("url, reason", [
    ("file:///etc/passwd", "only http and https"),
    ("ftp://example.com/feed", "only http and https"),
    ("gopher://127.0.0.1:70/", "only http and https"),
    ("javascript:alert(1)", "only http and https"),
    ("http://user:pw@example.com/", "user name or password"),
    ("http:///nohost", "names no host"),
    ("http://example.com:99999/", "not a valid URL"),
])
def test_bad_urls_are_refused_before_any_request(url, reason):
    with pytest.raises(FetchError, match=reason):
        fetch(url, allow_private=True)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
def test_loopback_is_refused_by_default(server, host):
    before = len(server.requests)
    with pytest.raises(FetchError, match="not a public internet address"):
        fetch(server.url("/feeds/rss20.xml", host=host))
    assert len(server.requests) == before  # refused before connecting


def test_allow_private_lifts_the_address_rule(server):
    response = fetch(server.url("/feeds/rss20.xml"), allow_private=True)
    assert response.status == 200
    assert b"Network Engineering Digest" in response.body


def _pretend_public(monkeypatch, server):
    """``feeds.test`` resolves to the loopback server and counts as public; nothing else."""
    real = fetch_module.resolve

    def resolve(host, port, allow_private):
        if host == "feeds.test":
            return ["127.0.0.1"]
        return real(host, port, allow_private)

    monkeypatch.setattr(fetch_module, "resolve", resolve)


def test_connects_to_the_checked_address_not_a_fresh_lookup(server, monkeypatch):
    # feeds.test exists in no DNS: the fetch can only work by using the checked address.
    _pretend_public(monkeypatch, server)
    response = fetch(server.url("/feeds/atom10.xml", host="feeds.test"))
    assert response.status == 200
    assert server.requests[-1][1]["Host"] == f"feeds.test:{server.port}"


def test_every_redirect_is_checked_again(server, monkeypatch):
    _pretend_public(monkeypatch, server)
    target = server.url("/feeds/rss20.xml")  # 127.0.0.1: not public
    with pytest.raises(FetchError, match="127.0.0.1 is not a public internet address"):
        fetch(server.url(f"/redirect?to={target}", host="feeds.test"))
    with pytest.raises(FetchError, match="only http and https"):
        fetch(server.url("/redirect?to=file:///etc/passwd", host="feeds.test"))
    ok = fetch(server.url("/redirect?to=/feeds/rss20.xml", host="feeds.test"))
    assert ok.url.endswith("/feeds/rss20.xml") and ok.status == 200


def test_redirect_limit(server):
    with pytest.raises(FetchError, match="too many redirects"):
        fetch(server.url("/loop"), allow_private=True)


def test_conditional_get_costs_a_304(server):
    first = fetch(server.url("/etag/rss20.xml"), allow_private=True)
    assert first.status == 200 and first.headers["etag"] == ETAG
    second = fetch(server.url("/etag/rss20.xml"), etag=first.headers["etag"],
                   last_modified=first.headers["last-modified"], allow_private=True)
    assert second.not_modified and second.body == b""
    assert server.requests[-1][1]["If-None-Match"] == ETAG


def test_size_cap(server):
    with pytest.raises(FetchError, match="larger than"):
        fetch(server.url("/huge.xml"), allow_private=True)
    with pytest.raises(FetchError, match="larger than"):
        fetch(server.url("/gzip-bomb.xml"), allow_private=True)


def test_timeout(server):
    with pytest.raises(FetchError, match="timed out"):
        fetch(server.url("/slow.xml"), allow_private=True, timeout=0.3)


def test_http_errors_in_words(server):
    with pytest.raises(FetchError, match="HTTP 404 Not Found"):
        fetch(server.url("/feeds/missing.xml"), allow_private=True)


def test_unresolvable_host():
    with pytest.raises(FetchError, match="cannot resolve"):
        fetch("http://no-such-host.invalid/feed.xml")
