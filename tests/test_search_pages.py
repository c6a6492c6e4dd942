"""Search in the product: similar questions on /ask, the vocabulary page, content gaps."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hub_api.db import session_scope
from hub_api.models import SearchGap, SearchSynonym
from tests.conftest import ask, csrf, login
from tests.test_search import add_thread


def gaps(app) -> dict[str, int]:
    with session_scope(app.extensions["candor_engine"]) as session:
        return {g.query: g.misses for g in session.scalars(select(SearchGap))}


def test_check_for_similar_questions_without_javascript(app, client, people):
    add_thread(app, "Firewall throughput with VPN", "How fast?", "900 Mbit/s.")
    form = client.get("/ask").text
    assert 'formaction="/ask/similar"' in form
    assert re.search(r'<script src="/theme/similar[.\w]*\.js"', form)  # a versioned asset
    page = client.post("/ask/similar", data={"display_name": "Kim", "title": "VPN firewall speed",
                                             "body": "Kept as typed"})
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    assert "Firewall throughput with VPN" in page.text and "Kept as typed" in page.text
    none = client.post("/ask/similar", data={"title": "zzzz qqqq"})
    assert "No similar answered questions yet" in none.text
    assert client.post("/ask/similar", data={}).status_code == 200


def test_content_gaps_count_query_text_only(app, client, people):
    for q in ["Quantum  Routers", "quantum routers", "QUANTUM ROUTERS"]:
        client.get("/search", query_string={"q": q})
    client.get("/api/v1/similar?q=nothing+like+this")  # keystrokes are not gaps
    client.get("/search?q=quantum+routers&page=2")  # only a first page counts
    assert gaps(app) == {"quantum routers": 3}
    ask(client, title="Do you sell teleporters?", body="Two, please.")
    assert gaps(app)["do you sell teleporters?"] == 1
    add_thread(app, "Teleporters for sale", "Yes", "We sell teleporters.")
    ask(client, title="Teleporters price?", body="How much?")
    assert "teleporters price?" not in gaps(app)


def test_staff_manage_synonyms(app, client, people):
    assert client.get("/staff/search").status_code in (302, 401)
    sam = app.test_client()
    login(sam, people["sam"])
    assert sam.get("/staff/search").status_code == 403  # staff, not admin
    dana = app.test_client()
    login(dana, people["dana"])
    token = csrf(dana, "/staff/search")
    added = dana.post("/staff/search", data={"csrf_token": token, "term": "PCB",
                                             "expansion": "printed circuit board"})
    assert added.status_code == 303
    for bad in [{"term": "", "expansion": "x y"},
                {"term": "pcb", "expansion": "printed circuit board"},
                {"term": "the", "expansion": "of"}, {"term": "x" * 300, "expansion": "long one"}]:
        response = dana.post("/staff/search", data={"csrf_token": token, **bad})
        assert response.status_code == 400 and "There is a problem" in response.text
    assert dana.post("/staff/search", data={"term": "a", "expansion": "b"}).status_code == 400
    page = dana.get("/staff/search").text
    assert "printed circuit board" in page
    removal = {"csrf_token": token, "action": "remove", "term": "pcb",
               "expansion": "printed circuit board"}
    assert dana.post("/staff/search", data=removal).status_code == 303
    with session_scope(app.extensions["candor_engine"]) as session:
        assert session.scalar(select(SearchSynonym)) is None


@pytest.mark.browser
def test_similar_questions_while_typing(browser, tmp_path, people, app):
    from hub_api.site.builder import build_site
    from tests.conftest import LiveServer

    add_thread(app, "Firewall throughput with VPN", "How fast?", "900 Mbit/s.")
    build_site(app.config)  # the page's fingerprinted script lives in the built site
    with LiveServer(app) as server:
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            requests = []
            page.on("request", lambda r, out=requests: out.append(r.url))
            page.goto(server.url + "/ask")
            page.fill("#title", "firewall vpn")
            page.wait_for_selector("#similar:not([hidden]) li")
            assert "Firewall throughput with VPN" in page.inner_text("#similar")
            page.screenshot(path=str(tmp_path / f"ask-similar-{width}.png"), full_page=True)
            page.goto(server.url + "/search?q=firewall")
            assert page.context.cookies() == []
            page.screenshot(path=str(tmp_path / f"search-{width}.png"), full_page=True)
            assert all(u.startswith(server.url) for u in requests)
            assert re.search(r"<mark>", page.content())
            page.goto(server.url + "/search?q=firewal+throughput")  # misspelt: still found
            assert "Firewall throughput with VPN" in page.inner_text(".search-results")
            page.screenshot(path=str(tmp_path / f"search-did-you-mean-{width}.png"),
                            full_page=True)
            page.click(".search-suggestion a")  # "Did you mean": a plain link
            assert page.url.endswith("/search?q=firewall+throughput")
            assert "Did you mean" not in page.content()
            page.close()
