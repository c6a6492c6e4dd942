"""A real-browser journey in Debian's Chromium: ask, answer, publish — no cookie, no third party."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from hub_api.site.builder import build_site, get_builder

from .conftest import LiveServer, browser_login, make_test_app, seed_people

pytestmark = pytest.mark.browser

SCREENSHOTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def live(tmp_path, database_url):
    for app in make_test_app(tmp_path, database_url, AUTO_BUILD=True, BUILD_DEBOUNCE=0.2):
        seed_people(app)
        build_site(app.config)
        with LiveServer(app) as server:
            yield server


def test_prospect_asks_staff_answers_site_publishes(live, browser, tmp_path):
    prospect = browser.new_context(viewport=SCREENSHOTS["desktop"])
    requests: list[str] = []
    prospect.on("request", lambda r: requests.append(r.url))
    page = prospect.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(live.url + "/")
    assert page.locator("h1, .brand").first.is_visible()
    page.get_by_role("link", name="Ask a question").first.click()
    page.get_by_label("Your name, as shown with the question").fill("Pat from Acme")
    page.get_by_label("Your question in one line").fill("Can your switches run EVPN-VXLAN?")
    page.get_by_label("Details").fill("We plan a **small** data-centre fabric.")
    page.get_by_role("combobox", name="Topic").select_option("networking")
    page.get_by_role("button", name="Send my question").click()
    page.wait_for_url("**/manage/**")
    assert "Save this link: it is how you follow up, edit or delete." in page.content()
    manage_url = page.url
    page.get_by_role("link", name="/q/").first.click()
    expect(page.locator("body")).to_contain_text("Open · with the Networking team")
    page.screenshot(path=str(tmp_path / "thread-open.png"), full_page=True)

    staff = browser.new_context(viewport=SCREENSHOTS["phone"])
    desk = staff.new_page()
    browser_login(desk, live.url, "dana@example.com", "/staff/queue")
    desk.get_by_role("link", name="Can your switches run EVPN-VXLAN?").click()
    desk.get_by_label("Your answer").fill("Yes — EVPN-VXLAN is in every NW-4800 licence.")
    desk.get_by_role("button", name="Publish answer").click()
    desk.wait_for_url("**/q/**")
    assert "Dana Ortiz" in desk.content()
    staff.close()

    page.goto(manage_url)
    assert "EVPN-VXLAN is in every NW-4800 licence" in page.content()
    assert "Dana Ortiz" in page.content()

    assert get_builder(live.app).wait_idle(60), "the background build did not finish"
    assert get_builder(live.app).last_error is None
    page.goto(live.url + "/")
    assert "Can your switches run EVPN-VXLAN?" in page.content()
    page.screenshot(path=str(tmp_path / "front.png"), full_page=True)

    assert prospect.cookies() == []
    origins = {urlsplit(u).netloc for u in requests}
    assert origins == {urlsplit(live.url).netloc}, origins
    assert not [e for e in errors if "Content Security Policy" in e], errors
    prospect.close()
