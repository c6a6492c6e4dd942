"""Small things a reader notices: search words carried into a new question, what an empty
filter means, and hostile links that become plain text instead of invalid ``<a>`` tags."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hub_api.markup import render_markdown, sanitize_html

from .conftest import ask, csrf, login

HOSTILE = ("Try [this](javascript:alert(1)), [that](data:text/html,<b>x</b>), "
           "<a href=\"vbscript:x\" onclick=\"y\">raw</a>, <a name=\"anchor\">named</a> and "
           "[a real one](https://example.com/docs) or [local](/privacy/).")


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs))


def links(page: str) -> list[dict]:
    parser = Links()
    parser.feed(page)
    return parser.links


def test_unsafe_links_become_plain_text():
    out = render_markdown(HOSTILE)
    assert [a["href"] for a in links(out)] == ["https://example.com/docs", "/privacy/"]
    for words in ("this", "that", "raw", "named"):
        assert words in out  # the words stay, as text
    assert "javascript" not in out and "onclick" not in out and "vbscript" not in out
    tricky = sanitize_html('<a title="a &gt; b" href="javascript:x">t</a><a title=">">u</a>')
    assert tricky == "tu"


def test_hostile_thread_pages_have_only_real_links(app, people):
    client, dana = app.test_client(), app.test_client()
    token = ask(client, title="Links everywhere", body=HOSTILE)  # held: links, new asker
    login(dana, people["dana"])
    moderation = csrf(dana, "/staff/moderation/")
    question_id = int(re.search(r"/staff/moderation/(\d+)/approve", dana.get(
        "/staff/moderation/").text).group(1))
    assert dana.post(f"/staff/moderation/{question_id}/approve",
                     data={"csrf_token": moderation, "reason": "fine"}).status_code == 303
    assert dana.post(f"/staff/q/{question_id}/answer", data={
        "csrf_token": csrf(dana), "body": HOSTILE}).status_code == 303
    for who, path in ((client, f"/q/{question_id}"), (client, f"/manage/{token}"),
                      (dana, f"/staff/q/{question_id}")):
        page = who.get(path, follow_redirects=True)
        assert page.status_code == 200 and "real one" in page.text, path
        assert all(a.get("href") for a in links(page.text)), path


def test_search_words_go_into_a_new_question_and_no_box_means_all(client, people):
    page = client.get("/search", query_string={"q": "zebra racks & cables"})
    assert "in all of questions, articles and people" in html.unescape(page.text) or \
        "Nothing found" in page.text
    assert "(none ticked: all)" in page.text
    ask = [a["href"] for a in links(page.text) if a.get("href", "").startswith("/ask?")]
    assert ask == ["/ask?title=zebra%20racks%20%26%20cables"]
    form = client.get(ask[0]).text
    assert 'id="title" name="title"' in form and 'value="zebra racks &amp; cables"' in form
    kinds = client.get("/search", query_string={"q": "Dana", "kind": "person"}).text
    assert "in people" in kinds


def test_one_way_to_say_a_duration_and_a_share():
    from datetime import timedelta

    from hub_api.text import duration, share

    assert [duration(s) for s in (0, 59, 60, 2 * 3600 + 1800, 10.5 * 3600, 50 * 3600)] == \
        ["under a minute", "under a minute", "1 min", "2 h 30 min", "10 h", "2 days"]
    assert duration(timedelta(hours=50), working=True) == "50 h of working hours"
    assert [share(2, 3), share(1, 3), share(199, 200), share(1, 300), share(0, 4),
            share(4, 4), share(0, 0)] == ["2 of 3 (67%)", "1 of 3 (33%)", "199 of 200 (99%)",
                                          "1 of 300 (1%)", "0 of 4 (0%)", "4 of 4 (100%)",
                                          "none asked"]
