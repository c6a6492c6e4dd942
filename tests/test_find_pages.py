"""Find everything and be found: /questions/ (paginated, filtered), /people/, /topics/,
sitemaps with lastmod, robots.txt, meta description + canonical + Open Graph on every page,
and JSON-LD (QAPage on threads, Person on profiles) parsed as search engines parse it."""

from __future__ import annotations

import re
import secrets
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import extruct
import pytest
from sqlalchemy import select

from hub_api.db import session_scope
from hub_api.models import Answer, Person, Question, Topic
from hub_api.site.builder import build_site, builds_dir
from hub_api.site.index_pages import MIN_PER_PAGE, PER_PAGE, QuestionRow, archive

from .conftest import site_files

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PUBLIC = "http://hub.test"
START = datetime(2026, 1, 1, 9, 0)


def add_questions(app, count: int) -> dict[str, list[int]]:
    """``count`` questions: every third waiting, one held, the rest answered (every fifth
    accepted), spread over the two topics; returned by status."""
    made: dict[str, list[int]] = {"answered": [], "open": [], "held": []}
    with session_scope(app.extensions["candor_engine"]) as s:
        topics = list(s.scalars(select(Topic).order_by(Topic.slug)))
        dana = s.scalars(select(Person).filter_by(email="dana@example.com")).one()
        for n in range(count):
            status = "held" if n == 7 else "open" if n % 3 == 0 else "answered"
            q = Question(title=f"Question number {n}?", body=f"Body {n} <b>bold</b>",
                         body_html=f"<p>Body {n} &amp; more</p>", display_name=f"Reader {n}",
                         topic_id=topics[n % 2].id, manage_token_hash=secrets.token_hex(32),
                         status=status, created_at=START + timedelta(hours=n))
            s.add(q)
            s.flush()
            if status == "answered":
                a = Answer(question_id=q.id, person_id=dana.id, body=f"Answer {n}",
                           body_html=f"<p>Answer {n}</p>",
                           created_at=q.created_at + timedelta(hours=2))
                s.add(a)
                s.flush()
                if n % 5 == 0:
                    q.accepted_answer_id = a.id
            made[status].append(q.id)
    return made


@pytest.fixture
def site(app, people):
    made = add_questions(app, 230)
    build = build_site(app.config)
    return app, build, made


def items(html: str) -> list[str]:
    return re.findall(r'<a class="thread-title" href="(/q/\d+/[^"]+)"', html)


def ids_of(html: str) -> list[int]:
    return [int(url.split("/")[2]) for url in items(html)]


def walk(client, path: str) -> list:
    """A list's pages, from its first page along the "Older" links."""
    pages = [client.get(path)]
    while (older := re.search(r'href="([^"]+)" rel="next"', pages[-1].text)):
        assert f'href="{path if len(pages) == 1 else pages[-1].request.path}" rel="prev"' \
            in client.get(older[1]).text  # "Newer" leads back
        pages.append(client.get(older[1]))
    assert all(p.status_code == 200 for p in pages), path
    return pages


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_questions_paginate_newest_first_with_filters(site):
    app, build, made = site
    client = app.test_client()
    public = len(made["answered"]) + len(made["open"])
    pages = walk(client, "/questions/")
    # The first page holds the newest; the others are numbered from the oldest.
    assert [p.request.path for p in pages] == ["/questions/", "/questions/page/2/",
                                               "/questions/page/1/"]
    sizes = [len(items(p.text)) for p in pages]
    assert sum(sizes) == public and max(sizes) <= PER_PAGE
    assert min(sizes[1:]) >= MIN_PER_PAGE
    ids = [i for p in pages for i in ids_of(p.text)]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == public
    assert made["held"][0] not in ids
    assert client.get("/questions/page/3/").status_code == 404
    assert not any(re.search(r"Page \d+ of \d+", p.text) for p in pages)

    answered = [i for p in walk(client, "/questions/answered/") for i in ids_of(p.text)]
    assert answered == sorted(made["answered"], reverse=True)
    waiting = ids_of(client.get("/questions/waiting/").text)
    assert sorted(waiting) == sorted(made["open"])
    topic_page = client.get("/questions/topic/security/waiting/").text
    assert 'aria-current="page">Security</a>' in topic_page
    assert 'aria-current="page">Waiting for an answer</a>' in topic_page
    security = [i for p in walk(client, "/questions/topic/security/") for i in ids_of(p.text)]
    assert security == [i for i in ids if i in set(made["answered"] + made["open"])
                        and (i - 1) % 2 == 1]
    for path in ("/people/", "/topics/"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert f'href="{path}"' in client.get("/").text  # linked from the header
    assert "Dana Ortiz" in client.get("/people/").text
    assert "Networking" in client.get("/topics/").text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_thread_a_person_answered_is_listed_from_their_page(site):
    app, _build, made = site
    client = app.test_client()
    profile = client.get("/people/dana-ortiz/").text
    assert len(items(profile)) == 30
    link = f'<a href="/people/dana-ortiz/answered/">All {len(made["answered"])} questions'
    assert link in profile
    pages = walk(client, "/people/dana-ortiz/answered/")
    assert len(pages) == 2 and all(len(items(p.text)) <= PER_PAGE for p in pages)
    listed = [i for p in pages for i in ids_of(p.text)]
    assert listed == sorted(made["answered"], reverse=True)  # most recently answered first
    assert listed[:30] == ids_of(profile)
    assert "Questions Dana Ortiz answered" in pages[0].text
    # Sam answered nothing: his page lists everything, there is no list to link.
    assert "/answered/" not in client.get("/people/sam-lee/").text
    assert client.get("/people/sam-lee/answered/").status_code == 404
    sitemap = "".join(client.get(f"/sitemaps/pages-{n}.xml").text for n in (1,))
    assert f"<loc>{PUBLIC}/people/dana-ortiz/answered/</loc>" in sitemap


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sitemaps_robots_and_meta_on_every_page(site):
    app, build, made = site
    client = app.test_client()
    robots = client.get("/robots.txt").text
    for private in ("/manage/", "/staff/", "/api/", "/search", "/notify/"):
        assert f"Disallow: {private}" in robots
    assert f"Sitemap: {PUBLIC}/sitemap.xml" in robots

    index = ET.fromstring(client.get("/sitemap.xml").data)
    locs = {}
    for sitemap in index.iter(f"{SITEMAP}sitemap"):
        path = sitemap.find(f"{SITEMAP}loc").text.removeprefix(PUBLIC)
        for url in ET.fromstring(client.get(path).data).iter(f"{SITEMAP}url"):
            locs[url.find(f"{SITEMAP}loc").text] = url.find(f"{SITEMAP}lastmod").text
    for status in ("answered", "open"):
        for qid in made[status]:
            assert any(loc.startswith(f"{PUBLIC}/q/{qid}/") for loc in locs), qid
    assert not any(loc.startswith(f"{PUBLIC}/q/{made['held'][0]}/") for loc in locs)
    for page in ("/", "/people/dana-ortiz/", "/topics/networking/", "/about/", "/privacy/"):
        assert PUBLIC + page in locs, page
    answered_at = (START + timedelta(hours=made["answered"][0] - 1 + 2))
    first = next(loc for loc in locs if loc.startswith(f"{PUBLIC}/q/{made['answered'][0]}/"))
    assert locs[first] == answered_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", v) for v in locs.values())

    pages = ["/" + str(p.relative_to(build)).removesuffix("index.html")
             for p in site_files(build, ".html")]
    pages += [f"/q/{made['answered'][0]}", "/ask", "/search?q=x"]
    for path in pages:
        response = client.get(path, follow_redirects=True)
        html = response.text
        assert response.status_code == 200, path
        assert re.search(r'<meta name="description" content="[^"]{10,}">', html), path
        canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html)[1]
        assert canonical.startswith(PUBLIC + "/"), path
        for prop in ("og:title", "og:description", "og:url", "og:site_name"):
            assert f'<meta property="{prop}" content="' in html, (path, prop)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_json_ld_on_every_thread_and_profile(site):
    app, _build, made = site
    client = app.test_client()
    checked = 0
    for qid in made["answered"] + made["open"]:
        page = client.get(f"/q/{qid}", follow_redirects=True)
        data = extruct.extract(page.text, base_url=PUBLIC, syntaxes=["json-ld"])["json-ld"]
        if qid in made["open"]:
            assert data == []  # no answer yet: search engines require one
            continue
        (qa,) = data
        assert qa["@type"] == "QAPage"
        question = qa["mainEntity"]
        assert question["@type"] == "Question" and question["name"].startswith("Question number")
        assert question["text"].startswith("Body") and "&amp;" not in question["text"]
        assert question["answerCount"] == 1 and question["author"]["name"].startswith("Reader")
        assert question["dateCreated"].endswith("Z")
        answers = ([question["acceptedAnswer"]] if "acceptedAnswer" in question
                   else question["suggestedAnswer"])
        assert len(answers) == 1
        for answer in answers:
            assert answer["@type"] == "Answer" and answer["text"].startswith("Answer")
            assert answer["author"] == {
                "@type": "Person", "name": "Dana Ortiz", "jobTitle": "Engineer",
                "url": f"{PUBLIC}/people/dana-ortiz/",
                "worksFor": {"@type": "Organization", "name": app.config["SITENAME"],
                             "url": f"{PUBLIC}/"}}
            assert answer["url"].startswith(f"{PUBLIC}/q/{qid}/") and answer["dateCreated"]
        checked += 1
    assert checked == len(made["answered"])
    accepted = [qid for qid in made["answered"] if (qid - 1) % 5 == 0]
    page = client.get(f"/q/{accepted[0]}", follow_redirects=True).text
    qa = extruct.extract(page, syntaxes=["json-ld"])["json-ld"][0]
    assert "acceptedAnswer" in qa["mainEntity"]

    profile = client.get("/people/dana-ortiz/").text
    (person,) = extruct.extract(profile, syntaxes=["json-ld"])["json-ld"]
    assert person["@type"] == "Person" and person["jobTitle"] == "Engineer"
    assert person["worksFor"]["@type"] == "Organization"


def test_hostile_titles_cannot_end_the_json_ld(app, client, people):
    from .conftest import ask

    ask(client, title="</script><script>alert(1)</script>", body="</script> & <!--")
    with session_scope(app.extensions["candor_engine"]) as s:
        q = s.scalars(select(Question)).one()
        dana = s.scalars(select(Person).filter_by(email="dana@example.com")).one()
        s.add(Answer(question_id=q.id, person_id=dana.id, body="x", body_html="<p>x</p>"))
        q.status = "answered"
        url = q.url
    html = client.get(url).text
    head = html.split("</head>")[0]
    assert head.count("<script") == 1  # only the JSON-LD block: "</script>" became \u003c
    (qa,) = extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
    assert qa["mainEntity"]["name"] == "</script><script>alert(1)</script>"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_publish_links_unchanged_list_pages_and_renders_changed_ones(site):
    app, first, made = site

    def page(build, path):
        return build / path / "index.html"

    with session_scope(app.extensions["candor_engine"]) as s:
        oldest_open = s.get(Question, made["open"][0])
        oldest_open.title = "Renamed oldest waiting question?"
    renamed_away = page(first, "questions/page/1").resolve()  # in the page store
    second = build_site(app.config)
    sitemaps = [((path := build / "sitemaps" / "questions-0.xml").stat().st_ino,
                 path.read_text()) for build in (first, second)]  # before they are pruned
    assert page(first, "questions").stat().st_ino == page(second, "questions").stat().st_ino
    oldest = page(first, "questions/page/1"), page(second, "questions/page/1")
    assert oldest[0].stat().st_ino != oldest[1].stat().st_ino
    assert "Renamed oldest waiting question?" in oldest[1].read_text()
    assert "Renamed oldest" not in oldest[0].read_text()

    # A new question changes the first page of the lists it is on; full pages stay as they
    # were, so a publish renders a few pages however many questions the hub holds.
    with session_scope(app.extensions["candor_engine"]) as s:
        dana = s.scalars(select(Person).filter_by(email="dana@example.com")).one()
        networking = s.scalars(select(Topic).filter_by(slug="networking")).one()
        newest = Question(title="The newest question?", body="b", body_html="<p>b</p>",
                          display_name="Kim", topic_id=networking.id, status="answered",
                          manage_token_hash=secrets.token_hex(32),
                          created_at=START + timedelta(days=30))
        newest.answers.append(Answer(person_id=dana.id, body="a", body_html="<p>a</p>",
                                     created_at=START + timedelta(days=30, hours=1)))
        s.add(newest)
    third = build_site(app.config)
    full = ["questions/page/1", "questions/page/2", "questions/waiting",
            "questions/topic/networking/page/1", "people/dana-ortiz/answered/page/1"]
    for path in full:
        assert page(second, path).stat().st_ino == page(third, path).stat().st_ino, path
    for path in ("questions", "questions/topic/networking", "people/dana-ortiz/answered",
                 "people/dana-ortiz", "topics/networking"):
        assert page(second, path).stat().st_ino != page(third, path).stat().st_ino, path
        assert "The newest question?" in page(third, path).read_text()
    # The people and topics the answer is not about keep their pages.
    for path in ("people/sam-lee", "topics/security"):
        assert page(second, path).stat().st_ino == page(third, path).stat().st_ino, path
    with session_scope(app.extensions["candor_engine"]) as s:
        sam = s.scalars(select(Person).filter_by(email="sam@example.com")).one()
        sam.bio = "Sam **now** has a bio."
    fourth = build_site(app.config)
    assert "<strong>now</strong> has a bio" in page(fourth, "people/sam-lee").read_text()
    # The threads' sitemap is rewritten when a thread changed, and linked while none did.
    assert sitemaps[0][0] != sitemaps[1][0] and "/renamed-oldest" not in sitemaps[0][1]
    assert "/renamed-oldest-waiting-question</loc>" in sitemaps[1][1]
    threads = [build / "sitemaps" / "questions-0.xml" for build in (third, fourth)]
    assert threads[0].stat().st_ino == threads[1].stat().st_ino
    # So is the pages' sitemap (articles first, then the pages gathering them).
    pages = [build / "sitemaps" / "pages-1.xml" for build in (third, fourth)]
    assert pages[0].stat().st_ino == pages[1].stat().st_ino
    assert pages[1].read_text().index("/curated/") < pages[1].read_text().index("/topics/")
    # Numbered pages are stored once and linked by list: the store holds exactly the pages
    # the remaining builds (the live one and the one before) link, nothing a pruned one did.
    linked = {entry.resolve() for build in (third, fourth)
              for folder in build.glob("**/page") if folder.is_symlink()
              for entry in folder.iterdir()}
    assert (fourth / "questions" / "page").is_symlink() and linked
    assert not renamed_away.exists()
    assert set((builds_dir(app.config["SITE"]) / "pages").iterdir()) == linked


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sitemap_dates_follow_edited_pages(site):
    app, first, _made = site

    def lastmods(build) -> dict[str, str]:
        found = {}
        for part in sorted((build / "sitemaps").glob("*.xml")):
            for url in ET.fromstring(part.read_bytes()).iter(f"{SITEMAP}url"):
                found[url.find(f"{SITEMAP}loc").text] = url.find(f"{SITEMAP}lastmod").text
        return found

    second = build_site(app.config)
    assert lastmods(second) == lastmods(first)  # addresses known from the last build
    about = app.config["CONTENT"] / "pages" / "about.md"
    about.write_text(about.read_text().replace("Slug: about\n",
                                               "Slug: about\nModified: 2031-02-03 04:05\n"))
    third = build_site(app.config)
    assert lastmods(third)[f"{PUBLIC}/about/"].startswith("2031-02-0")


def test_a_change_anywhere_in_a_long_list_changes_a_page_or_two():
    """Answering the oldest waiting question takes it off the waiting list and puts it deep
    in the answered one: pages cut where their items say (not every hundred) keep every other
    page as it was, so a publish at 100,000 questions renders a few list pages."""
    def rows(ids):
        return [QuestionRow(i, f"Question {i}?", "open", START + timedelta(minutes=i), START,
                            None, None) for i in sorted(ids, reverse=True)]

    def shown(ids) -> dict[str, tuple[int, ...]]:
        return {page.url: tuple(r.id for r in page.items) for page in archive(rows(ids), "/l/")}

    ids = set(range(1, 20_001, 3))
    before = shown(ids)
    assert [i for page in before.values() for i in page] == sorted(ids, reverse=True)
    assert all(MIN_PER_PAGE <= len(page) <= PER_PAGE for url, page in before.items()
               if url != "/l/")
    changed = []
    for n, victim in enumerate(sorted(ids)[::97]):
        after = shown(ids - {victim})  # taken off the list
        changed.append(sum(before.get(url) != page for url, page in after.items()))
        after = shown(ids | {victim + 1 + n % 2})  # a question joins the list in the middle
        changed.append(sum(before.get(url) != page for url, page in after.items()))
    assert len(before) > 50 and sorted(changed)[len(changed) // 2] == 1
    assert sorted(changed)[int(len(changed) * 0.9)] <= 3, sorted(changed)
