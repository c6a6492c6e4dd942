"""The digest's charts (#17 point 5): 12 weeks of questions, share within target, median first
answer and leads, as inline SVG with a title, a text alternative and the numbers in a table, in
the page and in the email; figures checked against the raw rows, the page in Chromium."""

import math
import os
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest

from hub_api.db import session_scope, set_clock
from hub_api.leads import charts, digest
from hub_api.migrate import upgrade
from hub_api.site.builder import build_site

from .conftest import LiveServer, browser_login, login, make_test_app
from .test_digest import OWNER, seed_digest
from .test_responsiveness import NOW

H = 3600
SHOTS = Path(os.environ.get("CANDOR_SCREENSHOTS", "/tmp/candor-screenshots"))


@pytest.fixture
def hub(app):
    set_clock(lambda: NOW)
    rows = seed_digest(app)["rows"]
    # seed_digest also asks one on a Mon-Fri 09-17 topic an hour ago: one working hour so far.
    rows.append(("Fresh security question", "Security", NOW - timedelta(hours=1), None, None,
                 1.0))
    yield app, rows
    set_clock(None)


def expected_weeks(rows):
    """Per week (oldest first): asked, within 4 h target, median (seconds, known), from rows."""
    start = NOW - timedelta(weeks=12)
    weeks = [[] for _ in range(12)]
    for row in rows:
        if row[2] >= start:
            weeks[min(int((row[2] - start) / timedelta(weeks=1)), 11)].append(row)
    out = []
    for picked in weeks:
        within = sum(1 for r in picked if r[3] and r[5] <= 4)
        finals = sorted(r[5] * H if r[3] else math.inf for r in picked)
        median = None
        if picked:
            rank = math.ceil(0.5 * len(picked)) - 1
            median = (finals[rank], True) if finals[rank] != math.inf else \
                (sorted(r[5] * H for r in picked)[rank], False)
        out.append((len(picked), within, median))
    return out


def test_weeks_match_the_raw_rows(hub):
    app, rows = hub
    with session_scope(app.extensions["candor_engine"]) as s:
        weeks = charts.weeks(s, NOW, app.config)
    assert len(weeks) == 12 and weeks[0].start == NOW - timedelta(weeks=12)
    got = [(w.asked, w.within, (w.median.seconds, w.median.known) if w.median else None)
           for w in weeks]
    assert got == expected_weeks(rows)
    assert [w.leads for w in weeks] == [0] * 11 + [1]  # the one contact request, a day ago


def test_chart_geometry_and_words():
    start = NOW - timedelta(weeks=3)
    weeks = [charts.Week(start + timedelta(weeks=i), asked, within, median, leads)
             for i, (asked, within, median, leads) in enumerate([
                 (0, 0, None, 0), (4, 3, charts.Wait(2 * H, True), 2),
                 (10, 0, charts.Wait(30 * H, False), 0)])]
    asked, within, median, leads = charts.charts(weeks)
    assert [round(m.height, 1) for m in asked.marks][0] == 0 and asked.top_label == "10"
    assert asked.marks[2].y == charts.TOP  # the tallest bar reaches the top
    assert within.top_label == "100%" and len(within.marks) == 2  # no point without questions
    assert within.marks[0].text.endswith("75% (3 of 4)")
    assert median.marks[1].hollow and not median.marks[0].hollow
    assert "still waiting" in median.summary and "30 h" in median.summary
    assert leads.summary.startswith("Leads (contact requests) per week, 3 weeks from")
    empty = charts.charts([charts.Week(start, 0, 0, None, 0)])
    assert "nothing to show yet" in empty[1].summary and empty[1].line == ""


def svgs_of(html: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in re.findall(r"<svg .*?</svg>", html, flags=re.S)]


def check_charts(html: str) -> None:
    found = svgs_of(html)
    assert len(found) == 4
    ns = "{http://www.w3.org/2000/svg}"
    for svg in found:
        assert svg.get("role") == "img"
        title, desc = svg.find(f"{ns}title"), svg.find(f"{ns}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert set(svg.get("aria-labelledby").split()) == {title.get("id"), desc.get("id")}
        for el in svg.iter():
            assert not any(k.startswith("on") or "href" in k for k in el.attrib), el.attrib
    assert "<script" not in html and 'src="http' not in html
    table = html.split('id="chart-numbers"', 1)[1].split("</table>", 1)[0]
    assert table.count('<th scope="row">') == 12


def test_charts_in_the_page_and_the_email(hub):
    app, _rows = hub
    owner = app.test_client()
    login(owner, OWNER)
    page = owner.get("/staff/digest?since=7d").text
    check_charts(page)
    # The summary comes first and reaches every long list.
    top = page.split('id="charts"', 1)[0]
    for anchor in ("#charts", "#new", "#contacts", "#waiting", "#gaps", "#quiet", "#market"):
        assert f'href="{anchor}"' in top
    with app.test_request_context(), session_scope(app.extensions["candor_engine"]) as s:
        d = digest.build(s, timedelta(days=7), NOW, app)
        email = digest.render_html(d, email=True, leads=True)
        text = digest.render_text(d, leads=True)
    check_charts(email)
    assert "The last 12 weeks" in text and "1 lead" in text


@pytest.fixture
def sqlite_hub(tmp_path):
    url = f"sqlite:///{tmp_path / 'instance' / 'candor.db'}"
    upgrade(url)
    set_clock(lambda: NOW)
    for app in make_test_app(tmp_path, url):
        seed_digest(app)
        build_site(app.config)  # the stylesheet is served from the build
        yield app
    set_clock(None)


@pytest.mark.browser
def test_digest_charts_in_chromium(sqlite_hub, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with LiveServer(sqlite_hub) as server:
        for width in (1280, 390):
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            requests: list[str] = []
            page.on("request", lambda r, seen=requests: seen.append(r.url))
            browser_login(page, server.url, OWNER, "/staff/digest")
            figure = page.locator("#chart-asked svg")
            assert figure.is_visible()
            box = figure.bounding_box()
            assert box["width"] <= width and box["height"] > 40
            assert page.get_by_role("img", name="Questions per week").count() == 1
            assert page.locator("#chart-numbers tbody tr").count() == 12
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, scroll  # nothing wider than the screen
            assert all(u.startswith(server.url) for u in requests), requests
            page.screenshot(path=str(SHOTS / f"digest-{width}.png"), full_page=False)
            page.locator("#charts").screenshot(path=str(SHOTS / f"digest-charts-{width}.png"))
            context.close()
