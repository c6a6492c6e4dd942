"""The staff journeys of #17 in Chromium at 1280 and 390 px, on the demo data: answer with
preview, hide and unhide, feed add and remove, pick edit and unpublish, caught mail. Each
journey leaves screenshots in CANDOR_SCREENSHOTS (default /tmp/candor-screenshots)."""

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from hub_api.db import session_scope
from hub_api.migrate import upgrade
from hub_api.models import CuratedPick, Question
from hub_api.site.builder import build_site

from .conftest import LiveServer, make_test_app
from .feedserver import FeedServer

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("CANDOR_SCREENSHOTS", "/tmp/candor-screenshots"))
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One demo hub for the module (SQLite), with feeds reachable on loopback."""
    root = tmp_path_factory.mktemp("staffui")
    url = f"sqlite:///{root / 'instance' / 'candor.db'}"
    (root / "instance").mkdir()
    upgrade(url)
    # Many logins from one address in a minute: the login limit is tested elsewhere.
    for app in make_test_app(root, url, ALLOW_PRIVATE_URLS=True, DEMO=True,
                             RATELIMIT_ENABLED=False):
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        build_site(app.config)  # the theme's stylesheet and scripts are served from the build
        with LiveServer(app) as server, FeedServer() as feeds:
            server.feeds = feeds
            yield server


def login(browser, live, email: str, width: int, next_path: str):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    page.goto(f"{live.url}/staff/login?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_path}")
    page.seen = seen
    return context, page


def shoot(page, name: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"staffui-{name}-{width}.png"), full_page=True)
    wide = page.evaluate("""w => [...document.querySelectorAll('body *')].filter(
        e => e.getBoundingClientRect().right > w + 1).map(e => e.tagName + '.' + e.className)""",
                         width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, wide[:5])
    assert all(u.startswith(("http://127.0.0.1", "data:", "about:")) for u in page.seen)


def question_id(live, title: str) -> int:
    with session_scope(live.app.extensions["candor_engine"]) as s:
        return s.scalar(select(Question.id).where(Question.title == title))


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_nav_fits(browser, live, width):
    context, page = login(browser, live, "dana@northwind.example", width, "/staff/queue")
    nav = page.locator(".staff-nav")
    links = page.locator(".staff-links a")
    assert links.count() >= 11
    shoot(page, "nav", width)
    if width == 1280:  # each group (the daily work, administration) on one line
        for group in (".staff-links:not(.staff-admin) a", ".staff-admin a"):
            found = page.locator(group)
            tops = {round(found.nth(i).bounding_box()["y"]) for i in range(found.count())}
            assert len(tops) == 1, (group, tops)
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box["height"] >= 44 and box["x"] + box["width"] <= width
    assert nav.bounding_box()["height"] < (190 if width == 1280 else 420)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_answer_with_preview(browser, live, width):
    title = ("Do you support 802.1X with certificates only?" if width == 1280
             else "Is there a rack kit for the NW-2200?")
    qid = question_id(live, title)
    context, page = login(browser, live, "sam@northwind.example" if width == 1280 else
                          "priya@northwind.example", width, f"/staff/q/{qid}")
    box = page.locator("#answer-preview")
    assert box.is_hidden()
    page.get_by_label("Your answer").fill("Yes: **EAP-TLS** only.\n\n- no passwords")
    page.wait_for_selector("#answer-preview strong")  # the live preview, from the server
    assert box.locator("li").inner_text() == "no passwords"
    shoot(page, "answer-live-preview", width)
    # The Preview button without JavaScript's help: the server renders it.
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    assert page.locator("#answer-preview strong").inner_text() == "EAP-TLS"
    assert "EAP-TLS" in page.get_by_label("Your answer").input_value()
    page.get_by_role("button", name="Publish answer").click()
    page.wait_for_url(f"**/staff/q/{qid}*")
    notice = page.locator(".flash")
    assert notice.inner_text().startswith("Published.")
    assert page.get_by_role("link", name="View the public page").is_visible()
    assert page.get_by_role("link", name="Edit your answer").is_visible()
    shoot(page, "answer-published", width)
    page.get_by_role("link", name="View the public page").click()
    page.wait_for_load_state()
    assert "EAP-TLS" in page.content()
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_hide_and_unhide(browser, live, width):
    title = "Can we do a proof of concept before buying?" if width == 1280 else \
        "Do you sell SD-WAN without managed services?"
    qid = question_id(live, title)
    context, page = login(browser, live, "tom@northwind.example", width, "/staff/moderation/")
    assert page.locator(".moderation-list form").count() == 0
    held = page.get_by_role("heading", name="Held for review (1)")
    recent = page.get_by_role("heading", name="Recently published")
    assert held.bounding_box()["y"] < recent.bounding_box()["y"]  # held posts first
    shoot(page, "moderation", width)
    page.locator(f'a[href="/staff/q/{qid}#moderate"]').click()
    page.wait_for_url(f"**/staff/q/{qid}#moderate")
    select = page.locator(f"#reason-hide-{qid}")
    assert select.input_value() == ""  # no default
    options = select.locator("option").all_inner_texts()
    assert "looks like a genuine question" not in options
    page.get_by_role("button", name="Hide question").click()  # no reason: the browser asks
    assert page.url.endswith("#moderate") and question_status(live, qid) != "hidden"
    select.select_option("off-topic")
    page.get_by_role("button", name="Hide question").click()
    page.wait_for_selector(".flash")
    assert "Question hidden (not a question for this hub)" in page.locator(".flash").inner_text()
    assert question_status(live, qid) == "hidden"
    shoot(page, "hidden", width)
    page.locator(f"#reason-unhide-{qid}").select_option("mistake")
    page.get_by_role("button", name="Unhide question").click()
    page.wait_for_selector(".flash")
    assert "Question unhidden" in page.locator(".flash").inner_text()
    assert question_status(live, qid) in ("open", "answered")
    context.close()


def question_status(live, qid: int) -> str:
    with session_scope(live.app.extensions["candor_engine"]) as s:
        return s.get(Question, qid).status


@pytest.mark.parametrize("width", WIDTHS)
def test_feed_add_and_remove(browser, live, width):
    context, page = login(browser, live, "priya@northwind.example", width, "/staff/curation")
    page.get_by_label("Feed address (RSS or Atom)").fill(live.feeds.url("/page.html"))
    page.get_by_role("button", name="Follow feed").click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    assert "Not a feed" in summary.inner_text()
    # Above the inbox (not ~1,400 px down the page), in view and focused.
    assert summary.bounding_box()["y"] < page.locator(".inbox").bounding_box()["y"]
    assert 0 <= summary.bounding_box()["y"] < 900  # focus scrolled it into view
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    shoot(page, "feed-error", width)
    name = "atom10.xml" if width == 1280 else "rss091.xml"
    page.get_by_label("Feed address (RSS or Atom)").fill(live.feeds.url(f"/feeds/{name}"))
    page.get_by_role("button", name="Follow feed").click()
    page.wait_for_selector(".flash")
    assert "It works:" in page.locator(".flash").inner_text()
    shoot(page, "feed-added", width)
    row = page.locator(".feed-table tr", has_text=live.feeds.url(f"/feeds/{name}"))
    row.locator("summary", has_text="Remove").click()
    row.get_by_role("button", name="Stop following").click()
    page.wait_for_selector(".flash")
    assert "Stopped following" in page.locator(".flash").inner_text()
    assert live.feeds.url(f"/feeds/{name}") not in page.content()
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_pick_edit_and_unpublish(browser, live, width):
    context, page = login(browser, live, "priya@northwind.example", width, "/staff/curation")
    page.locator(".inbox-item").first.get_by_role("link", name="Pick with a note").click()
    page.get_by_label("Why this matters").fill("First note.")
    page.get_by_role("button", name="Pick and publish").click()
    page.wait_for_url("**/staff/curation?picked=*")
    with session_scope(live.app.extensions["candor_engine"]) as s:
        record = s.scalars(select(CuratedPick).order_by(CuratedPick.id.desc())).first()
    page.goto(f"{live.url}/staff/curation/picks/{record.id}")
    page.get_by_label("Why this matters").fill("")
    page.get_by_role("button", name="Save and rebuild").click()
    page.wait_for_load_state()
    assert "write why this matters" in page.locator(".error-summary").inner_text()
    page.get_by_label("Why this matters").fill("A better note.")
    page.get_by_role("button", name="Save and rebuild").click()
    page.wait_for_selector(".flash")
    assert "Saved" in page.locator(".flash").inner_text()
    assert "A better note." in (Path(live.app.config["CONTENT"]) / record.path).read_text()
    shoot(page, "pick-saved", width)
    page.goto(f"{live.url}/staff/curation/picks/{record.id}")
    shoot(page, "pick-edit", width)
    page.get_by_role("button", name="Unpublish").click()
    page.wait_for_selector(".flash")
    assert "Unpublished" in page.locator(".flash").inner_text()
    assert not (Path(live.app.config["CONTENT"]) / record.path).exists()
    context.close()


def test_caught_mail_page(browser, live):
    from hub_api import demo_mail

    controller = demo_mail.start_catcher(live.app)
    try:
        context, page = login(browser, live, "dana@northwind.example", 390, "/staff/queue")
        page.goto(f"{live.url}/ask")
        page.locator("#display_name").fill("Pat")
        page.locator("#title").fill("Does the demo catch mail?")
        page.locator("#body").fill("Asking with an address.")
        page.locator("#email").fill("pat@example.org")
        page.get_by_role("button", name="Send my question").click()
        page.wait_for_url("**/manage/*")
        page.goto(f"{live.url}/staff/demo-mail/")
        assert page.locator("tbody tr").count() >= 1
        shoot(page, "caught-mail", 390)
        page.locator("tbody a").first.click()
        page.wait_for_load_state()
        assert page.locator(".mail-text").is_visible()
        shoot(page, "caught-mail-one", 390)
        context.close()
    finally:
        controller.stop()
