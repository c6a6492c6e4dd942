"""Security headers on every response, static files included; charsets; JSON-only writes."""

import re

from flask import Flask

from hub_api import security
from hub_api.privacy.personal_data import REGISTRY
from hub_api.site.builder import build_site

from .conftest import ask, site_files

# JSON-LD (``type="application/ld+json"``) is a data block, never run: not an inline script.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))[^>]*>",
                           re.IGNORECASE)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle=", re.IGNORECASE)
EVENT_ATTR = re.compile(r"<[^>]+\son[a-z]+=", re.IGNORECASE)


def check_headers(response, path):
    csp = response.headers["Content-Security-Policy"]
    for directive in ["object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]:
        assert directive in csp, path
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff", path
    content_type = response.headers.get("Content-Type", "")
    if content_type.startswith("text/") or "json" in content_type or "xml" in content_type:
        assert "charset=utf-8" in content_type.lower(), (path, content_type)
    assert "Set-Cookie" not in response.headers, path


def test_every_kind_of_response_carries_the_headers(app, client, people):
    token = ask(client)
    build_site(app.config)
    site = app.config["SITE"]
    static = sorted("/" + str(p.relative_to(site)).replace("index.html", "")
                    for p in site_files(site))
    assert "/privacy/" in static and "/transparency/" in static and "/theme/candor.css" in static
    dynamic = ["/ask", "/healthz", f"/manage/{token}", f"/manage/{token}/export.json",
               "/q/1/feed.atom", "/staff/login", "/no-such-page", "/q/999"]
    for path in static + dynamic:
        response = client.get(path, follow_redirects=True)
        assert response.status_code in (200, 404), path
        check_headers(response, path)
        if response.mimetype == "text/html":
            for pattern in (INLINE_SCRIPT, STYLE_ATTR, EVENT_ATTR):
                assert not pattern.search(response.text), (path, pattern.pattern)
    css = client.get("/theme/candor.css")
    assert css.headers["Content-Type"] == "text/css; charset=utf-8"


def test_privacy_page_is_generated_from_the_registry(app, people):
    build_site(app.config)
    html = (app.config["SITE"] / "privacy" / "index.html").read_text()
    for record in REGISTRY:
        assert record.title in html
        for field in record.fields:
            assert field.label in html and field.retention in html
    assert "No IP addresses" in html and "6 per minute" in html


def test_json_only_decorator():
    app = Flask("json_only_test")
    app.post("/api/thing")(security.json_only(lambda: {"ok": True}))
    client = app.test_client()
    assert client.post("/api/thing", data="a=1").status_code == 415
    assert client.post("/api/thing", data="{}", content_type="text/plain").status_code == 415
    assert client.post("/api/thing", json={}).status_code == 200


def test_private_and_search_paths_carry_noindex(client, people):
    token = ask(client)
    for path in [f"/manage/{token}", "/search?q=x", "/staff/login", "/notify/confirm/x"]:
        assert client.get(path).headers["X-Robots-Tag"] == "noindex, nofollow", path
    assert "X-Robots-Tag" not in client.get("/ask").headers
