"""The company's identity: set once (CLI or staff page), carried by every page, mail and feed."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from hub_api.site.builder import build_site

from .conftest import LiveServer, csrf, login, make_test_app, seed_people

LOGO = (Path(__file__).parent.parent / "hub_api" / "demo_logo.svg").read_bytes()
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00" \
      b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N" \
      b"\x00\x00\x00\x00IEND\xaeB`\x82"
HOSTILE = {
    "script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "handler": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
    "outside link": b'<svg xmlns="http://www.w3.org/2000/svg" '
                    b'xmlns:x="http://www.w3.org/1999/xlink"><use x:href="https://evil.example/a.svg#x"/>'
                    b'</svg>',
    "foreign": b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p>'
               b'</foreignObject></svg>',
    "remote style": b'<svg xmlns="http://www.w3.org/2000/svg"><style>'
                    b'@import url(//e.example/x.css);'
                    b'</style></svg>',
    "entity": b'<!DOCTYPE svg [<!ENTITY a "aaaaaaaa">]><svg xmlns="http://www.w3.org/2000/svg">'
              b'<text>&a;</text></svg>',
    "not an image": b"GIF89a....",
    "no namespace": b"<svg><rect/></svg>",
    "huge": b'<svg xmlns="http://www.w3.org/2000/svg">' + b" " * 300_000 + b"</svg>",
}


@pytest.fixture
def hub(tmp_path, database_url):
    for app in make_test_app(tmp_path, database_url):
        seed_people(app)
        yield app


def set_site(runner, tmp_path, *extra, logo=LOGO):
    path = tmp_path / "logo.bin"
    path.write_bytes(logo)
    return runner.invoke(args=["site", "set", "--name", "Northwind Networks", "--description",
                               "Network hardware for warehouses", "--logo", str(path),
                               "--accent", "#0f4c5c", "--home", "https://northwind.example/",
                               "--legal", "https://northwind.example/legal/", *extra])


def test_cli_sets_and_shows_the_identity_and_refuses_bad_values_in_one_line(hub, tmp_path):
    runner = hub.test_cli_runner()
    assert "Candor" in runner.invoke(args=["site", "show"]).output  # before it is set
    result = set_site(runner, tmp_path)
    assert result.exit_code == 0, result.output
    shown = runner.invoke(args=["site", "show"]).output
    for value in ("Northwind Networks", "image/svg+xml", "#0f4c5c", "https://northwind.example/"):
        assert value in shown
    for args, message in [
        (["--accent", "teal"], "must look like #1f6f8b"),
        (["--accent", "#ffee99"], "too light"),
        (["--home", "javascript:alert(1)"], "http(s) address"),
        (["--name", "  "], "cannot be empty"),
        (["--description", "x" * 300], "at most 200"),
        (["--logo", str(tmp_path / "missing.svg")], "cannot read the logo"),
    ]:
        result = runner.invoke(args=["site", "set", *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    for name, data in HOSTILE.items():
        result = set_site(runner, tmp_path, logo=data)
        assert result.exit_code != 0 and "logo" in result.output, name
    # Nothing half-written: the good logo is still the one served.
    client = hub.test_client()
    logo = client.get(re.search(r'src="(/brand/logo[^"]*)"', client.get("/ask").text).group(1))
    assert logo.data == LOGO and logo.mimetype == "image/svg+xml"
    assert "default-src 'none'" in logo.headers["Content-Security-Policy"]
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    assert set_site(runner, tmp_path, logo=PNG).exit_code == 0
    logo = client.get(re.search(r'src="(/brand/logo[^"]*)"', client.get("/ask").text).group(1))
    assert logo.data == PNG and logo.mimetype == "image/png"
    assert client.get("/brand/accent.css").text.strip() == ":root { --brand: #0f4c5c; }"


def test_every_page_mail_feed_and_the_api_carry_the_company_name(hub, tmp_path):
    assert set_site(hub.test_cli_runner(), tmp_path).exit_code == 0
    build_site(hub.config)
    client = hub.test_client()
    pages = ["/", "/about/", "/privacy/", "/transparency/", "/people/dana-ortiz/",
             "/topics/networking/", "/ask", "/search?q=vlan", "/api/", "/staff/login"]
    for path in pages:
        page = client.get(path, follow_redirects=True)
        assert page.status_code == 200, path
        text = page.text
        assert "<title>" in text and "Northwind Networks</title>" in text, path
        assert '<a href="https://northwind.example/legal/">Legal notice</a>' in text, path
        assert 'href="/about/">About</a>' in text, path  # /about/ is in the header
        body = text[text.index("<body"):]
        if path != "/about/":  # the company's own about page may explain what it runs on
            outside_footer = body.replace('Runs on <a href="/about/">Candor</a>', "")
            assert "Candor" not in outside_footer, path
    assert client.get("/api/openapi.json").json["info"]["title"] == "Northwind Networks API"
    feed = (Path(hub.config["SITE"]) / "feeds" / "all.atom").read_text()
    assert "<title>Northwind Networks</title>" in feed


def test_a_change_is_published_through_the_outbox_once(hub, tmp_path):
    """The change and its effects commit together: one ``site-changed`` event per change (the
    leader's builder rebuilds from it), none for a refused one; the writer's pages show it at
    once."""
    from sqlalchemy import select

    from hub_api import signals
    from hub_api.db import session_scope
    from hub_api.effects.outbox import on
    from hub_api.models import Effect

    rebuilds = []  # what the leader's builder is asked (the builder is off in tests)
    on(hub, signals.site_changed, lambda _app, _session, **_kw: rebuilds.append(1))
    runner = hub.test_cli_runner()
    client = hub.test_client()
    assert "Candor" in client.get("/ask").text  # cached before the change
    assert set_site(runner, tmp_path).exit_code == 0
    assert set_site(runner, tmp_path, logo=HOSTILE["script"]).exit_code != 0  # refused
    with session_scope(hub.extensions["candor_engine"]) as session:
        events = [e.payload for e in session.scalars(select(Effect).where(Effect.kind == "event"))
                  if "site-changed" in e.payload]
    assert len(events) == 1 and rebuilds == [1]
    assert "Northwind Networks" in client.get("/ask").text


def test_admins_edit_it_on_a_staff_page(hub, tmp_path):
    dana, sam = hub.test_client(), hub.test_client()
    login(dana, "dana@example.com")
    login(sam, "sam@example.com")
    assert sam.get("/staff/site").status_code == 403  # staff, not admin
    token = csrf(dana, "/staff/site")
    fields = {"csrf_token": token, "name": "Northwind Networks", "description": "Routers",
              "accent": "#123456", "home_url": "", "legal_url": "https://northwind.example/l"}
    bad = dana.post("/staff/site", data={**fields, "logo": (io.BytesIO(HOSTILE["script"]),
                                                            "x.svg")},
                    content_type="multipart/form-data")
    assert bad.status_code == 400 and "may not contain &lt;script&gt;" in bad.text
    assert "Northwind" not in hub.test_client().get("/ask").text  # nothing saved
    assert dana.post("/staff/site", data={**fields, "csrf_token": "nope"}).status_code in (400, 403)
    ok = dana.post("/staff/site", data=fields)
    assert ok.status_code == 200 and "Saved" in ok.text
    ask = hub.test_client().get("/ask").text
    assert "<title>Ask a question · Northwind Networks</title>" in ask
    assert "Legal notice" in ask and "website</a>" not in ask  # no home link given


@pytest.mark.browser
def test_header_logo_and_footer_at_both_widths(tmp_path, database_url, browser):
    for app in make_test_app(tmp_path, database_url):
        seed_people(app)
        assert set_site(app.test_cli_runner(), tmp_path).exit_code == 0
        build_site(app.config)
        with LiveServer(app) as server:
            for width in (1280, 390):
                context = browser.new_context(viewport={"width": width, "height": 900})
                requests: list[str] = []
                context.on("request", lambda r, seen=requests: seen.append(r.url))
                page = context.new_page()
                for path in ("/", "/ask"):
                    page.goto(server.url + path)
                    logo = page.locator(".brand-logo")
                    assert logo.evaluate("img => img.naturalWidth") > 0  # it loaded, as an image
                    header = page.locator(".site-header").bounding_box()
                    assert header["width"] <= width
                    colour = page.locator(".site-header").evaluate(
                        "h => getComputedStyle(h).backgroundColor")
                    assert colour == "rgb(15, 76, 92)"  # the accent, from /brand/accent.css
                    page.screenshot(path=str(tmp_path / f"identity-{path.strip('/') or 'front'}"
                                                         f"-{width}.png"), full_page=True)
                assert context.cookies() == []
                assert {urlsplit(u).netloc for u in requests} == {urlsplit(server.url).netloc}
                context.close()
