"""One test suite for every search backend: Whoosh (on SQLite and PostgreSQL) and PostgreSQL FTS.

The corpus is small and fixed, so each check says exactly which document must come first.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hub_api.db import session_scope
from hub_api.models import Answer, Person, Question, SearchOutbox
from hub_api.search import synonyms
from hub_api.search.query import parse
from tests.conftest import seed_people

CRASHERS = ['"unbalanced', "NOT OR foo", "(field:", "x" * 10_000, "\x00\x01\x1b[31m", "*", "?",
            "title:", "a AND", "OR", "((((", "field:[a TO", "~2", "^3", "'", "\\", "-", '""',
            "topic:", "topic:../../etc", "<script>alert(1)</script>", "🙂" * 300, "-\"x y\""]


def add_thread(app, title: str, body: str, answer: str | None = None, topic: str | None = None,
               by: str = "dana@example.com") -> int:
    """A question (and optionally Dana's answer) written straight to the database."""
    from hub_api.models import Topic

    with session_scope(app.extensions["candor_engine"]) as session:
        q = Question(title=title, body=body, body_html=f"<p>{body}</p>", display_name="Pat",
                     manage_token_hash=f"{title}-{len(body)}-{id(body)}"[:64],
                     topic=session.scalar(select(Topic).where(Topic.slug == topic)) if topic
                     else None)
        session.add(q)
        if answer:
            person = session.scalar(select(Person).where(Person.email == by))
            q.answers.append(Answer(person=person, body=answer, body_html=f"<p>{answer}</p>"))
            q.status = "answered"
        session.flush()
        return q.id


@pytest.fixture
def corpus(search_app):
    app = search_app
    seed_people(app)
    ids = {
        "pcb": add_thread(app, "Printed circuit board assembly for small runs",
                          "Can you build twenty boards with mixed parts?",
                          "Yes: we assemble printed circuit boards from one unit.", "networking"),
        "bank": add_thread(app, "Paying through Pacific Coast Bank",
                           "Our bank is PCB, Pacific Coast Bank. Can we wire the invoice?",
                           "Yes, wire transfers are fine."),
        "ship": add_thread(app, "Do you ship to Norway?", "We need ten units shipped to Oslo.",
                           "We shipped to Norway last week, customs included.", "security"),
        "body_only": add_thread(app, "A question about invoices",
                                "Does the firewall come with an invoice in euros?"),
        "firewall": add_thread(app, "Firewall throughput on the small model",
                               "How fast is it with VPN on?", "About 900 Mbit/s."),
        "open": add_thread(app, "Is there a firewall rack kit?", "Looking for 19 inch mounting."),
    }
    return ids


def found(app, q: str, kinds=(), page: int = 1) -> list[str]:
    service = app.extensions["candor_search"]
    return [h.doc_id for h in service.search(service.parse(q), kinds, page).hits]


def test_words_stemming_and_highlights(search_app, corpus):
    app = search_app
    assert found(app, "shipping")[0] == f"thread:{corpus['ship']}"  # ship, shipped, shipping
    service = app.extensions["candor_search"]
    hit = service.search(service.parse("norway"), (), 1).hits[0]
    assert "<mark>Norway</mark>" in hit.title
    assert "<mark>" in hit.snippet or "Oslo" in hit.snippet


def test_title_matches_rank_above_body_matches(search_app, corpus):
    results = found(search_app, "firewall")
    assert set(results) == {f"thread:{corpus[k]}" for k in ("firewall", "open", "body_only")}
    assert results[-1] == f"thread:{corpus['body_only']}"


def test_unanswered_threads_are_not_hidden(search_app, corpus):
    assert f"thread:{corpus['open']}" in found(search_app, "rack")


def test_phrases_exclusions_and_topics(search_app, corpus):
    app = search_app
    assert found(app, '"coast bank"') == [f"thread:{corpus['bank']}"]
    assert found(app, '"bank coast"') == []
    assert f"thread:{corpus['open']}" not in found(app, "firewall -rack")
    assert found(app, "firewall -rack")
    assert found(app, "yes topic:networking") == [f"thread:{corpus['pcb']}"]
    assert f"thread:{corpus['ship']}" in found(app, "topic:security")


def test_people_are_searchable_by_kind(search_app, corpus):
    assert found(search_app, "dana", kinds=["person"]) == ["person:1"]
    answered_by_dana = {f"thread:{corpus[k]}" for k in ("pcb", "bank", "ship", "firewall")}
    assert set(found(search_app, "dana", kinds=["thread"])) == answered_by_dana
    assert "person:3" not in found(search_app, "mia")  # a marketer, not an answering member


def test_synonyms_find_the_hub_vocabulary_first(search_app, corpus):
    app = search_app
    assert found(app, "pcb")[0] == f"thread:{corpus['bank']}"  # no vocabulary yet
    with session_scope(app.extensions["candor_engine"]) as session:
        synonyms.add(session, "PCB", "printed circuit board")
    assert found(app, "pcb")[0] == f"thread:{corpus['pcb']}"
    assert f"thread:{corpus['bank']}" in found(app, '"printed circuit board"')


def test_a_renamed_answerer_is_found_under_the_new_name(search_app, corpus):
    app = search_app
    with session_scope(app.extensions["candor_engine"]) as session:
        session.scalar(select(Person).where(Person.email == "dana@example.com")).name = "Dana Moss"
    assert found(app, "moss", kinds=["thread"])
    assert found(app, "ortiz") == []


def test_edits_and_deletes_reach_the_index(search_app, corpus):
    app = search_app
    with session_scope(app.extensions["candor_engine"]) as session:
        answer = session.scalar(select(Answer).where(Answer.question_id == corpus["ship"]))
        answer.body_html = "<p>Sweden only for now.</p>"
        session.delete(session.get(Question, corpus["firewall"]))
    assert found(app, "sweden") == [f"thread:{corpus['ship']}"]
    assert found(app, "customs") == []
    assert f"thread:{corpus['firewall']}" not in found(app, "firewall")
    with session_scope(app.extensions["candor_engine"]) as session:
        assert session.scalar(select(SearchOutbox).where(SearchOutbox.done_at.is_(None))) is None


def test_paging(search_app):
    app = search_app
    seed_people(app)
    for n in range(23):
        add_thread(app, f"Widget question number {n}", "About widgets.")
    service = app.extensions["candor_search"]
    pages = [service.search(service.parse("widget"), (), p) for p in (1, 2, 3, 4)]
    assert [len(p.hits) for p in pages] == [10, 10, 3, 0]
    assert {p.total for p in pages} == {23} and pages[0].pages == 3
    assert len({h.doc_id for p in pages for h in p.hits}) == 23
    page2 = app.test_client().get("/search?q=widget&kind=thread&page=2").text
    assert 'href="/search?q=widget&amp;kind=thread&amp;page=3"' in page2
    assert 'href="/search?q=widget&amp;kind=thread&amp;page=1"' in page2


def test_similar_shows_answered_threads_only(search_app, corpus):
    service = search_app.extensions["candor_search"]
    ids = [h.doc_id for h in service.similar("Which firewall is fastest with VPN on?")]
    assert ids == [f"thread:{corpus['firewall']}"]  # not the unanswered firewall questions


def test_search_page_and_api(search_app, corpus):
    client = search_app.test_client()
    page = client.get("/search?q=norway")
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    assert page.headers["X-Robots-Tag"].startswith("noindex") and 'content="noindex"' in page.text
    assert "<mark>Norway</mark>" in page.text and "<script" not in page.text
    api = client.get("/api/v1/search?q=firewall&kind=thread").json
    assert api["total"] == 3 and all(r["kind"] == "thread" for r in api["results"])
    for bad in ["/api/v1/search", "/api/v1/search?q=x&page=0", "/api/v1/search?q=x&page=a",
                "/api/v1/search?q=x&kind=bank", "/api/v1/similar"]:
        response = client.get(bad)
        assert response.status_code == 422, bad
        assert set(response.json) == {"error", "detail"}
    assert client.get("/search?q=x&page=-1").status_code == 400
    assert client.get("/api/v1/similar?q=firewall vpn").json["results"][0]["answered"]


def test_known_crashers_never_fail(search_app, corpus):
    client = search_app.test_client()
    for q in CRASHERS:
        for path in ("/search", "/api/v1/search", "/api/v1/similar"):
            response = client.get(path, query_string={"q": q})
            assert response.status_code in (200, 400, 422), (path, q)
            if path == "/search":
                assert re.search(r'class="search-message"|class="search-hit', response.text), q


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=200) | st.lists(st.sampled_from(
    ['"', "-", "topic:", "(", ")", "NOT", "OR", "AND", "*", ":", "firewall", "bank", "\\",
     "^", "~", "[", "TO", "]", "x"])).map(" ".join))
def test_fuzzed_queries_never_500(search_app, q):
    response = search_app.test_client().get("/api/v1/search", query_string={"q": q})
    assert response.status_code in (200, 422)


def test_parser_is_forgiving_and_applies_synonyms():
    q = parse('Firewall "rack kit -x" -cloud topic:Net-Working "open', {"pcb": ["printed board"]})
    assert [c.alternatives for c in q.must] == [(("firewall",),), (("rack", "kit"),),
                                                 (("open",),)]
    assert q.must_not == (("cloud",),) and q.topics == ("net-working",)
    assert parse("PCB", {"pcb": ["printed board"]}).must[0].alternatives == \
        (("pcb",), ("printed", "board"))
    assert parse("the of a").empty and parse("-only").empty and parse("\x00").text == ""


def test_curated_items_are_indexed_as_the_words_a_reader_sees(tmp_path):
    from hub_api.search.documents import read_curated

    item = tmp_path / "pcb.md"
    item.write_text(
        "Title: Why PCB lead times grow\nDate: 2025-03-04 14:00\nSource_name: EE Times\n"
        "Topics: hardware, Supply Chain\n"
        "Note: This is **why** some SKUs slip.\n    Order the *long-lead* items first.\n\n"
        "1. **High-layer boards** take capacity.\n\n| a | b |\n|---|---|\n| laminate | glass |\n"
        "<div class=\"excerpt\"><p>Fab &amp; assembly</p></div>\n")
    doc = read_curated(item)
    assert doc.title == "Why PCB lead times grow" and doc.url == "/curated/pcb/"
    assert doc.topics == ["hardware", "supply-chain"] and doc.meta == "EE Times"
    words = doc.body.split()
    assert "Order" in words and "long-lead" in words  # the note's second line counts too
    for seen in ("why", "High-layer", "laminate", "glass", "Fab", "&", "assembly", "EE"):
        assert seen in words, seen
    assert not any(mark in doc.body for mark in ("**", "|", "<", "&amp;"))


def test_a_misspelt_word_finds_the_thread_and_offers_the_correction(search_app, corpus):
    app = search_app
    assert found(app, "norwya")[0] == f"thread:{corpus['ship']}"
    page = app.test_client().get("/search?q=shipping+to+norwya&kind=thread")
    assert "Did you mean <a href=\"/search?q=shipping+to+norway&amp;kind=thread\">" \
           "shipping to norway</a>?" in page.text
    assert "Did you mean" not in app.test_client().get("/search?q=norway").text
    api = app.test_client().get("/api/v1/search?q=norwya").json
    assert api["suggestion"] == "norway" and api["total"] == 1


def test_several_words_find_documents_missing_one(search_app, corpus):
    """All-word matches first, then those holding most of the words."""
    ids = found(search_app, "firewall throughput vpn rack")
    assert ids[0] == f"thread:{corpus['firewall']}"  # three of four words, two in the title
    assert f"thread:{corpus['open']}" in ids  # firewall and rack
    assert f"thread:{corpus['body_only']}" not in ids  # one word of four


def test_similar_questions_share_meaning_not_a_number(search_app, corpus):
    app = search_app
    poe = add_thread(app, "Which switches support PoE++ for access points?",
                     "We plan Wi-Fi 7 access points.", "The 24-port model gives 90 W PoE++.")
    add_thread(app, "Is 24/7 support included or an add-on?", "For the firewall.",
               "Support is included for the first year.")
    add_thread(app, "Do your switches stack?", "Two units.", "Yes, up to eight.")
    service = app.extensions["candor_search"]
    hits = service.similar("Do your switches support PoE++ for Wi-Fi 7 APs?")
    assert [h.doc_id for h in hits] == [f"thread:{poe}"]
