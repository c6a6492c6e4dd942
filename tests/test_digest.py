"""The decision-maker's digest: page roles, sections, email (checked in Chromium), CLI, jobs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub_api.db import session_scope, set_clock
from hub_api.leads import digest
from hub_api.migrate import upgrade
from hub_api.models import ContactRequest, CuratedPick, Person, Question, SearchGap, Topic
from hub_api.staff.people import add_person, add_topic

from .conftest import PASSWORD, LiveServer, browser_login, login, make_test_app
from .test_responsiveness import NOW, add_question, expected, seed_figures

OWNER = "olga@example.com"
HOSTILE = ["abc", "-3d", "999999d", "", "0d", "367d", "7", "d", "7 d x", "7d<script>",
           "1" * 5000, "７d", "\x00", "3.5d"]


def seed_digest(app) -> dict:
    """The responsiveness data plus an owner, a quiet topic, a lead, gaps and picks."""
    data = seed_figures(app)
    with session_scope(app.extensions["candor_engine"]) as s:
        owner = add_person(s, name="Olga Berg", email=OWNER, password=PASSWORD,
                           job_title="Managing Director", roles="owner")
        storage = add_topic(s, "Storage", "storage")
        s.flush()
        storage.owner = owner
        sec = s.scalar(select(Topic).where(Topic.slug == "security"))
        sec.owner = owner
        # Wednesday 11:00 on a Mon-Fri 09-17 topic: due 15:00, not overdue at noon.
        add_question(s, "Fresh security question", NOW - timedelta(hours=1), topic=sec)
        answered = s.scalar(select(Question).where(Question.title == "s1"))
        sam = s.scalar(select(Person).where(Person.slug == "sam-lee"))
        s.add(ContactRequest(question_id=answered.id, person_id=sam.id, email="lead@acme.test",
                             company="Acme <b>GmbH</b>", job_role="CTO",
                             created_at=NOW - timedelta(days=1)))
        s.add(SearchGap(query="ipv6 multicast", misses=7, first_at=NOW - timedelta(days=20),
                        last_at=NOW - timedelta(days=2)))
        s.add(SearchGap(query="fax support", misses=2, first_at=NOW - timedelta(days=3),
                        last_at=NOW - timedelta(days=1)))
        s.add(SearchGap(query="stale gap", misses=50, first_at=NOW - timedelta(days=40),
                        last_at=NOW - timedelta(days=30)))
        for slug, market in (("rival-router", True), ("our-blog", False)):
            s.add(CuratedPick(slug=slug, title=f"Pick {slug}", note="Why it matters",
                              market=market, path=f"curated/{slug}.md", person_id=sam.id,
                              created_at=NOW - timedelta(days=2)))
    return data


@pytest.fixture
def hub(app):
    set_clock(lambda: NOW)
    seed_digest(app)
    yield app
    set_clock(None)


def new_titles(rows, days):
    """New questions the test expects: asked in the window, not removed (n7), plus the post
    held for moderation 3 days ago (rejected spam and the imported thread are left out)."""
    return {r[0] for r in rows if r[2] >= NOW - timedelta(days=days) and r[0] != "n7"} | \
        {"held"}


def test_digest_sections(app):
    set_clock(lambda: NOW)
    try:
        rows = seed_digest(app)["rows"]
        with session_scope(app.extensions["candor_engine"]) as s:
            d = digest.build(s, timedelta(days=7), NOW, app)
            titles = {q.title for q, _who in d.new_questions}
            assert titles == new_titles(rows, 7) | {"Fresh security question"}
            assert d.new_total == len(titles)
            holders = {q.title: who for q, who in d.new_questions}
            assert holders["n3"] == "Sam Lee"  # the assignee
            assert holders["Fresh security question"] == "Security staff (Sam Lee)"
            assert [(c.email, c.person.name) for c in d.contacts] == [("lead@acme.test", "Sam Lee")]
            waiting = [(w.question.title, w.holder, w.owner, w.overdue) for w in d.waiting]
            assert waiting == [("n3", "Sam Lee", "", True),
                               ("Fresh security question", "Security staff (Sam Lee)",
                                "Olga Berg", False)]
            assert d.waiting[1].due == NOW + timedelta(hours=3)
            assert d.waiting[0].due == NOW - timedelta(days=5) + timedelta(hours=4)
            # Most missed first; a gap last seen before the window is left out.
            assert [g.query for g in d.gaps] == ["ipv6 multicast", "fax support"]
            assert {o: [g.topic.name for g in gs] for o, gs in d.ghosts.items()} == \
                {"Olga Berg": ["Storage"]}
            assert [p.slug for p in d.market] == ["rival-router"]
            rows_7 = rows + [("Fresh", "Security", NOW - timedelta(hours=1), None, None, 1.0)]
            overall = d.figures.overall
            exp = expected(rows_7, 7)
            assert (overall.asked, overall.answered, overall.within) == \
                (exp["asked"], exp["answered"], exp["within"])
    finally:
        set_clock(None)


def test_digest_page_roles(hub, people_clients):
    owner, dana, sam, anonymous = people_clients
    page = owner.get("/staff/digest?since=7d")
    assert page.status_code == 200
    for text in ("New questions (7)", "Contact requests (1)", "lead@acme.test",
                 "Acme &lt;b&gt;GmbH&lt;/b&gt;", "Unanswered (2, 1 overdue)", "Overdue",
                 "no topic owner", "ipv6 multicast", "Olga Berg", "Storage", "never answered",
                 "Pick rival-router"):
        assert text in page.text, text
    assert "Pick our-blog" not in page.text and "stale gap" not in page.text
    assert "held for moderation" in page.text and "spam" not in page.text
    admin_page = dana.get("/staff/digest")  # an admin, not an owner: no addresses
    assert admin_page.status_code == 200 and "Contact requests (1)" in admin_page.text
    assert "lead@acme.test" not in admin_page.text and "Acme" not in admin_page.text
    assert "details for owners only" in admin_page.text
    assert sam.get("/staff/digest").status_code == 403  # staff only
    response = anonymous.get("/staff/digest")
    assert response.status_code in (302, 303) and "/staff/login" in response.headers["Location"]
    assert login(hub.test_client(), OWNER).headers["Location"] == "/staff/digest"


@pytest.fixture
def people_clients(hub):
    clients = []
    for email in (OWNER, "dana@example.com", "sam@example.com", None):
        client = hub.test_client()
        if email:
            assert login(client, email).status_code == 303
        clients.append(client)
    return clients


def test_hostile_since_on_the_page(hub, people_clients):
    for since in HOSTILE:
        response = people_clients[0].get("/staff/digest", query_string={"since": since})
        assert response.status_code == 400, since
        assert "<script>" not in response.text
        assert "write it like 7d" in response.text


def test_hostile_since_and_every_on_the_cli(hub):
    runner = hub.test_cli_runner()
    for since in HOSTILE:
        for option in ("--since", "--every"):
            result = runner.invoke(args=["digest", option, since])
            assert result.exit_code != 0, (option, since)
            assert result.output.strip().count("\n") == 0, result.output
            assert "write it like 7d" in result.output
    assert runner.invoke(args=["digest", "--email"]).output.strip() == \
        "Error: mail is off: set CANDOR_SMTP_URL to send the digest"


def test_cli_prints_the_digest(hub):
    result = hub.test_cli_runner().invoke(args=["digest", "--since", "2w"])
    assert result.exit_code == 0, result.output
    assert "digest: the last 14 days" in result.output
    assert "New questions (8)" in result.output  # the 7-day seven plus n1 (10 days ago)
    assert "lead@acme.test" in result.output and "OVERDUE n3" in result.output


@pytest.fixture
def mail_hub(tmp_path, database_url, smtp):
    set_clock(lambda: NOW)
    for app in make_test_app(tmp_path, database_url, SMTP_URL=smtp.url):
        seed_digest(app)
        yield app
    set_clock(None)


def test_email_goes_to_owners_and_admins_only_and_every_waits(mail_hub, smtp):
    result = mail_hub.test_cli_runner().invoke(args=["digest", "--email"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Digest sent to 2 owner(s)/admin(s)."
    assert sorted(m["To"] for m in smtp.box.messages) == ["dana@example.com", OWNER]
    bodies = {m["To"]: (m.get_body(("html",)).get_content(),
                        m.get_body(("plain",)).get_content()) for m in smtp.box.messages}
    html, text = bodies[OWNER]
    assert "New questions (7)" in text and "lead@acme.test" in html and "lead@acme.test" in text
    # The admin who is no owner learns that a prospect asked, not who (the privacy promise).
    assert not any("lead@acme.test" in part for part in bodies["dana@example.com"])
    assert "details for owners only" in bodies["dana@example.com"][1]
    assert "<style>" in html and "<img" not in html and "<link" not in html
    links = re.findall(r'(?:href|src|action)="([^"]*)"', html)
    # Only the hub itself, or a place in the email (the summary's links to its sections).
    assert links and all(link.startswith(("http://hub.test/", "#")) for link in links), links
    # --email recorded the send: the --every worker's next one is due 7 days later.
    assert digest.send_if_due(mail_hub, timedelta(days=7)) == 0
    set_clock(lambda: NOW + timedelta(days=7))
    assert digest.send_if_due(mail_hub, timedelta(days=7)) == 2
    assert digest.send_if_due(mail_hub, timedelta(days=7)) == 0
    assert len(smtp.box.messages) == 4


def test_quiet_topic_owner_told_once_per_spell(mail_hub, smtp):
    assert digest.flag_quiet_topics(mail_hub) == 1  # Storage (Olga); Security is answered
    (message,) = smtp.box.messages
    assert message["To"] == OWNER and "Storage" in message["Subject"]
    assert "has never had an answer" in message.get_body(("plain",)).get_content()
    assert digest.flag_quiet_topics(mail_hub) == 0  # same spell: told already
    with session_scope(mail_hub.extensions["candor_engine"]) as s:
        storage = s.scalar(select(Topic).where(Topic.slug == "storage"))
        dana = s.scalar(select(Person).where(Person.slug == "dana-ortiz"))
        add_question(s, "Storage q", NOW - timedelta(days=1), topic=storage, status="answered",
                     answers=[(dana, NOW - timedelta(hours=20))])
    assert digest.flag_quiet_topics(mail_hub) == 0  # answered: not quiet
    set_clock(lambda: NOW + timedelta(days=15))  # a new quiet spell
    assert digest.flag_quiet_topics(mail_hub) == 2  # Storage again, and Security now
    assert len(smtp.box.messages) == 3


@pytest.fixture
def sqlite_mail_hub(tmp_path, smtp):
    """One database is enough for the browser: the figures are checked on both above."""
    url = f"sqlite:///{tmp_path / 'instance' / 'candor.db'}"
    upgrade(url)
    set_clock(lambda: NOW)
    for app in make_test_app(tmp_path, url, SMTP_URL=smtp.url):
        seed_digest(app)
        yield app
    set_clock(None)


@pytest.mark.browser
def test_email_renders_in_chromium_without_any_request(sqlite_mail_hub, smtp, browser):
    assert digest.send_digest(sqlite_mail_hub, timedelta(days=7)) == 2
    html = smtp.box.messages[0].get_body(("html",)).get_content()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    context.route("**/*", lambda route: route.abort())  # nothing may leave, should it try
    page.set_content(html, wait_until="load")
    assert page.get_by_role("heading", name="New questions (7)").is_visible()
    # The theme's CSS applies from the inline block: the header has the brand colour.
    header = page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header == "rgb(11, 37, 64)"
    assert requests == []
    context.close()
    # The page itself, through the real login form.
    with LiveServer(sqlite_mail_hub) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        browser_login(page, server.url, OWNER, "/staff/digest")
        assert page.get_by_role("heading", name="Quiet topics").is_visible()
        context.close()


def test_jobs_registered(tmp_path, database_url, caplog):
    """Daily rebuild (fresh figures) with AUTO_BUILD; the digest job only when asked for."""
    from hub_api.effects.jobs import scheduler
    from hub_api.site.builder import get_builder

    for app in make_test_app(tmp_path, database_url, AUTO_BUILD=True, DIGEST_EVERY="7d"):
        jobs = scheduler(app).jobs
        assert {"refresh-responsiveness", "quiet-topics", "digest"} <= set(jobs)
        assert jobs["refresh-responsiveness"].every == 24 * 3600
        builder = get_builder(app)
        built = []
        builder._build = lambda config, built=built, **_: built.append(config)
        builder.debounce = 0
        jobs["refresh-responsiveness"].run(app)
        assert builder.wait_idle(10) and built == [app.config]
    for app in make_test_app(tmp_path, database_url, DIGEST_EVERY="abc"):
        assert "digest" not in scheduler(app).jobs and "refresh-responsiveness" not in \
            scheduler(app).jobs
    assert "CANDOR_DIGEST_EVERY ignored" in caplog.text
