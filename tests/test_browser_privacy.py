"""A real-browser crawl of every public route and static page, plus the asker's manage journey:
0 cookies, 0 localStorage, 100% same-origin requests."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from hub_api.site.builder import build_site

from .conftest import LiveServer, browser_login, make_test_app, seed_people, site_files

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SHOTS = Path(os.environ.get("CANDOR_SCREENSHOTS", "/tmp/candor-screenshots"))


@pytest.fixture
def live(tmp_path, database_url, smtp):
    # Mail set up: the ask form offers email only when the hub can send it.
    for app in make_test_app(tmp_path, database_url, FORM_TOKEN_REQUIRED=True,
                             FORM_MIN_SECONDS=0.5, SMTP_URL=smtp.url):
        seed_people(app)
        with LiveServer(app) as server:
            yield server


def storage_is_empty(page) -> bool:
    return page.evaluate("() => localStorage.length + sessionStorage.length") == 0


def shoot(context_page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context_page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_crawl_and_manage_journey_leave_no_trace(live, browser):
    origin = urlsplit(live.url).netloc
    context = browser.new_context(viewport=VIEWPORTS["desktop"], accept_downloads=True)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text)
            if "Content Security Policy" in m.text else None)

    # Ask through the form, with the signed form token and the hidden honeypot.
    page.goto(live.url + "/ask")
    page.get_by_label("Your name, as shown with the question").fill("Pat")
    page.get_by_label("Your question in one line").fill("Do you ship to Norway?")
    page.get_by_label("Details").fill("We need ten units.")
    page.get_by_label("Your email").fill("pat@example.org")
    page.wait_for_timeout(600)  # people take longer than the minimum fill time
    page.get_by_role("button", name="Send my question").click()
    page.wait_for_url("**/manage/**")
    manage_url = page.url
    assert storage_is_empty(page)
    shoot(page, "manage-desktop")

    page.get_by_role("link", name="Edit my question").click()
    page.get_by_label("Your question in one line").fill("Do you ship to Norway and Iceland?")
    shoot(page, "manage-edit-desktop")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(manage_url)
    assert "Earlier versions of the question (1" in page.content()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything I gave (JSON)").click()
    assert "Do you ship to Norway and Iceland?" in Path(download.value.path()).read_text()

    # Staff answer, then the site is built, so static pages hold a thread.
    staff = browser.new_context(viewport=VIEWPORTS["desktop"])
    desk = staff.new_page()
    browser_login(desk, live.url, "dana@example.com", "/staff/queue", fill_seconds=0.6)
    desk.get_by_role("link", name="Do you ship to Norway and Iceland?").click()
    desk.get_by_label("Your answer").fill("Yes, both.")
    desk.get_by_role("button", name="Publish answer").click()
    desk.wait_for_url("**/q/**")
    desk.goto(live.url + "/staff/moderation/")
    shoot(desk, "moderation-desktop")
    (cookie,) = [c for c in staff.cookies() if c["name"] == "candor_staff"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"  # staff only: readers have none
    staff.close()
    build_site(live.app.config)

    # Crawl every static page and public route reachable from the front page.
    site = Path(live.app.config["SITE"])
    static = {"/" + str(p.relative_to(site)).replace("index.html", "")
              for p in site_files(site, ".html")}
    todo = sorted(static | {"/", "/ask", "/privacy/", "/transparency/", "/staff/login",
                            "/q/1/feed.atom", "/feeds/all.atom"})
    seen: set[str] = set()
    while todo:
        path = todo.pop()
        if path in seen or len(seen) > 120:
            continue
        seen.add(path)
        response = page.goto(live.url + path)
        assert response.status in (200, 304), path
        assert storage_is_empty(page), path
        if "html" not in response.headers.get("content-type", ""):
            continue
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            if parts.netloc == origin and not parts.path.startswith(("/manage/", "/staff/q")):
                todo.append(parts.path)
    assert {"/privacy/", "/transparency/", "/q/1/do-you-ship-to-norway-and-iceland"} <= seen
    for name in ["privacy", "transparency"]:
        for viewport, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            page.goto(f"{live.url}/{name}/")
            shoot(page, f"{name}-{viewport}")
    page.set_viewport_size(VIEWPORTS["phone"])
    page.goto(manage_url)
    shoot(page, "manage-phone")

    # Delete everything through the manage link.
    page.get_by_role("link", name="Delete my question").click()
    shoot(page, "manage-delete-phone")
    page.get_by_role("button", name="Delete everything").click()
    expect(page.locator("body")).to_contain_text("Your question is deleted")

    assert context.cookies() == []
    assert {urlsplit(u).netloc for u in requests} == {origin}
    assert csp_errors == []
    context.close()
