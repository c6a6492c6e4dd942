"""Real browser: a marketer picks from the inbox; curated pages and feeds stay private."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from hub_api.site.builder import build_site

from .conftest import LiveServer, browser_login, make_test_app, seed_people
from .test_browser import SCREENSHOTS
from .test_curation import load_feed

pytestmark = pytest.mark.browser

VIEWPORTS = SCREENSHOTS


@pytest.fixture
def live(tmp_path, database_url):
    for app in make_test_app(tmp_path, database_url):
        seed_people(app)
        load_feed(app, "rss20.xml", "networking")
        load_feed(app, "hostile.xml")
        with LiveServer(app) as server:
            yield server


def test_marketer_picks_and_the_pages_stay_private(live, browser, tmp_path):
    shots = tmp_path / "screenshots"
    desk = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = desk.new_page()
    browser_login(page, live.url, "mia@example.com", "/staff/curation")
    for name, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(shots / f"inbox-{name}.png"), full_page=True)
    page.get_by_role("link", name="Innocent title").first.click()
    page.get_by_label("Why this matters").fill("Hostile feeds happen.\n\n- nothing runs\n- "
                                               "[x](javascript:alert(1)) stays dead")
    page.get_by_label("Networking").check()
    for name, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(shots / f"entry-{name}.png"), full_page=True)
    page.get_by_role("button", name="Pick and publish").click()
    page.wait_for_url("**/staff/curation?picked=*")
    assert "appears at" in page.content()
    page.get_by_role("link", name="Wi-Fi 7 in practice").first.click()
    page.get_by_label("Why this matters").fill("Our NW-7 access points do **exactly** this.")
    page.get_by_role("button", name="Pick and publish").click()
    page.wait_for_url("**/staff/curation?picked=*")
    desk.close()

    build = build_site(live.app.config)
    paths = ["/", "/topics/networking/", "/feeds/all.atom", "/feeds/networking.atom"]
    paths += [f"/curated/{p.parent.name}/" for p in (build / "curated").glob("*/index.html")]
    assert len(paths) >= 9  # the three demo articles, the two picks, the evil one's title

    prospect = browser.new_context(viewport=VIEWPORTS["phone"])
    requests: list[str] = []
    prospect.on("request", lambda r: requests.append(r.url))
    reader = prospect.new_page()
    dialogs: list[str] = []
    reader.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in paths:
        response = reader.goto(live.url + path)
        assert response.status == 200, path
    reader.goto(live.url + "/curated/wi-fi-7-in-practice-multi-link-operation-measured/")
    assert "exactly" in reader.content()
    for name, size in VIEWPORTS.items():
        reader.set_viewport_size(size)
        reader.screenshot(path=str(shots / f"curated-{name}.png"), full_page=True)
    assert prospect.cookies() == []
    assert {urlsplit(u).netloc for u in requests} == {urlsplit(live.url).netloc}
    assert dialogs == []
    prospect.close()
