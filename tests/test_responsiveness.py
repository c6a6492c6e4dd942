"""Responsiveness figures against figures computed here from the raw timestamps."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from hub_api.db import session_scope, set_clock, utcnow
from hub_api.leads import responsiveness
from hub_api.migrate import upgrade
from hub_api.models import Answer, ImportedAnswer, Person, Question, Topic
from hub_api.site.builder import build_site

from .conftest import make_test_app, seed_people

NOW = datetime(2026, 11, 18, 12, 0)  # a Wednesday
H = 3600.0
CONFIG = {"TIMEZONE": "UTC", "RESPONSE_TARGET_HOURS": 4}


@pytest.fixture
def clock():
    set_clock(lambda: NOW)
    yield NOW
    set_clock(None)


def add_question(session, title, asked, *, topic=None, status="open", answers=(),
                 assignee=None, person=None) -> Question:
    """A question asked at ``asked`` with staff answers ``[(person, at), …]``."""
    q = Question(title=title, body="b", body_html="<p>b</p>", display_name="Pat", topic=topic,
                 status=status, created_at=asked, manage_token_hash=uuid.uuid4().hex,
                 assignee=assignee, person=person)
    session.add(q)
    session.flush()
    for who, at in answers:
        session.add(Answer(question_id=q.id, person_id=who.id, body="a", body_html="<p>a</p>",
                           created_at=at))
    return q


# Each counted question: (title, topic, asked, first answer or None, answerer or holder,
# expected working hours to the first answer, or waited so far when unanswered).
def seed_figures(app) -> dict:
    """Networking runs 24/7 (wall clock = working time); Security Mon-Fri 09-17 UTC."""
    seed_people(app)
    with session_scope(app.extensions["candor_engine"]) as s:
        net = s.scalar(select(Topic).where(Topic.slug == "networking"))
        sec = s.scalar(select(Topic).where(Topic.slug == "security"))
        net.working_hours, net.response_target_hours = "24/7", 4
        sec.working_hours, sec.response_target_hours = "Mon-Fri 09:00-17:00", 4
        dana = s.scalar(select(Person).where(Person.slug == "dana-ortiz"))
        sam = s.scalar(select(Person).where(Person.slug == "sam-lee"))
        d = timedelta(days=1)
        rows = [
            ("n1", net, NOW - 10 * d, NOW - 10 * d + timedelta(hours=2), dana, 2.0),
            ("n2", net, NOW - 20 * d, NOW - 20 * d + timedelta(hours=6), sam, 6.0),
            ("n3", net, NOW - 5 * d, None, sam, 120.0),  # assigned to Sam, never answered
            ("n4", net, NOW - 60 * d, NOW - 60 * d + timedelta(hours=1), dana, 1.0),
            # Friday 16:00 → Monday 10:00: one working hour each side of the weekend.
            ("s1", sec, datetime(2026, 11, 13, 16), datetime(2026, 11, 16, 10), sam, 2.0),
            # Saturday → Monday 14:00: the clock starts Monday 09:00.
            ("s2", sec, datetime(2026, 11, 14, 10), datetime(2026, 11, 16, 14), sam, 5.0),
            # Before opening time → 09:30: half an hour.
            ("s3", sec, datetime(2026, 11, 17, 8), datetime(2026, 11, 17, 9, 30), dana, 0.5),
            # No topic: the hub default Mon-Fri 09-17 and target 4 h.
            ("t1", None, datetime(2026, 11, 16, 12), datetime(2026, 11, 16, 15), dana, 3.0),
        ]
        for title, topic, asked, answered, who, _hours in rows:
            q = add_question(s, title, asked, topic=topic,
                             status="answered" if answered else "open",
                             answers=[(who, answered), (dana, answered + d)] if answered else (),
                             assignee=None if answered else who)
            if title == "n3":  # an imported answer is never a staff answer
                s.add(ImportedAnswer(question_id=q.id, site="x", source_id=1, source_url="u",
                                     author="a", body_html="i", created_at=asked + d))
        # Removed by its asker, never answered: still counts (96 h so far), against no person.
        add_question(s, "n7", NOW - 4 * d, topic=net, status="removed")
        rows.append(("n7", net, NOW - 4 * d, None, None, 96.0))
        # Not counted: rejected spam, a held post, an imported thread, too old, the future.
        add_question(s, "spam", NOW - 3 * d, topic=net, status="rejected")
        add_question(s, "held", NOW - 3 * d, topic=net, status="held")
        add_question(s, "imp", NOW - 3 * d, topic=net, status="imported")
        add_question(s, "old", NOW - 100 * d, topic=net, status="answered",
                     answers=[(dana, NOW - 99 * d)])
        return {"rows": [(t, tp.name if tp else "No topic", a, ans, who.name if who else None,
                          hours) for t, tp, a, ans, who, hours in rows]}


def expected(rows, days, key=None, value=None):
    """The figures, computed from the rows: nearest-rank percentiles, unanswered = infinite."""
    picked = [r for r in rows if r[2] >= NOW - timedelta(days=days)
              and (key is None or r[key] == value)]
    n = len(picked)
    finals = sorted(r[5] * H if r[3] else math.inf for r in picked)
    so_far = sorted(r[5] * H for r in picked)

    def pct(p):
        rank = math.ceil(p * n) - 1
        return (finals[rank], True) if finals[rank] != math.inf else (so_far[rank], False)

    answered = sum(1 for r in picked if r[3])
    within = sum(1 for r in picked if r[3] and r[5] <= 4)
    return {"asked": n, "answered": answered, "within": within,
            "median": pct(0.5), "p90": pct(0.9)}


def observed(figures):
    return {"asked": figures.asked, "answered": figures.answered, "within": figures.within,
            "median": (figures.median.seconds, figures.median.known),
            "p90": (figures.p90.seconds, figures.p90.known)}


def test_figures_match_the_raw_timestamps(app, clock):
    data = seed_figures(app)
    rows = data["rows"]
    with session_scope(app.extensions["candor_engine"]) as s:
        windows = responsiveness.report(s, utcnow(), CONFIG)
    month, quarter = windows
    assert [w.label for w in windows] == ["Last 30 days", "Last 90 days"]
    assert observed(month.overall) == expected(rows, 30)
    assert observed(quarter.overall) == expected(rows, 90)
    # The 30-day median is a known 3 h; its 90th percentile lands on a question still waiting.
    assert str(month.overall.median) == "3 h of working hours"
    assert str(month.overall.p90) == "still waiting (120 h of working hours so far)"
    assert month.overall.answered_share == "6 of 8 (75%)"
    assert month.overall.within_share == "4 of 8 (50%)"
    for window, days in ((month, 30), (quarter, 90)):
        assert [f.label for f in window.topics] == ["Networking", "No topic", "Security"]
        for f in window.topics:
            assert observed(f) == expected(rows, days, 1, f.label), (days, f.label)
        # Per person: first answerer, or whoever holds an unanswered question; n7 is nobody's.
        assert [f.label for f in window.people] == ["Dana Ortiz", "Sam Lee"]
        for f in window.people:
            assert observed(f) == expected(rows, days, 4, f.label), (days, f.label)
    assert str(responsiveness.Wait(30, False)) == \
        "still waiting (under a minute of working hours so far)"
    sam = month.people[1]
    assert (sam.asked, sam.answered, sam.waiting) == (4, 3, 1)


def test_empty_hub_shows_zeros_not_an_error(app, clock):
    seed_people(app)
    with session_scope(app.extensions["candor_engine"]) as s:
        windows = responsiveness.report(s, NOW, CONFIG)
    for w in windows:
        assert (w.overall.asked, w.overall.answered, w.topics, w.people) == (0, 0, [], [])
        assert w.overall.median is None and w.overall.answered_share == "none asked"
    with app.test_request_context():
        html = app.jinja_env.from_string(
            '{% from "_responsiveness.html" import figures_table %}{{ figures_table(w) }}'
        ).render(w=windows[0])
    assert "No questions were asked in this period" in html


def test_freshness_and_quiet(app, clock):
    seed_figures(app)
    with session_scope(app.extensions["candor_engine"]) as s:
        by_topic, by_person = responsiveness.last_answers(s)
        net = s.scalar(select(Topic).where(Topic.slug == "networking"))
        sec = s.scalar(select(Topic).where(Topic.slug == "security"))
        # Networking's latest answer: n1's second answer, 8 days 22 h ago.
        assert by_topic[net.id] == NOW - timedelta(days=8, hours=22)
        assert responsiveness.since_text(by_topic[net.id], NOW) == "Last answered 8 days ago"
        assert not responsiveness.is_quiet(net, by_topic[net.id], NOW)
        net.quiet_days = 7
        assert responsiveness.is_quiet(net, by_topic[net.id], NOW)
        assert responsiveness.is_quiet(sec, None, NOW)
        assert responsiveness.since_text(None, NOW) == "No answer yet"
        assert responsiveness.since_text(NOW - timedelta(hours=3), NOW) == "Last answered today"
        assert len(by_person) == 2


@pytest.fixture
def site_app(tmp_path):
    url = f"sqlite:///{tmp_path / 'instance' / 'candor.db'}"
    upgrade(url)
    yield from make_test_app(tmp_path, url)


def test_transparency_front_topic_and_person_pages(site_app):
    """The built site (real clock: the build runs in its own process) shows the figures."""
    now = utcnow()
    seed_people(site_app)
    with session_scope(site_app.extensions["candor_engine"]) as s:
        net = s.scalar(select(Topic).where(Topic.slug == "networking"))
        net.working_hours, net.quiet_days = "24/7", 14
        sec = s.scalar(select(Topic).where(Topic.slug == "security"))
        sec.working_hours = "24/7"
        dana = s.scalar(select(Person).where(Person.slug == "dana-ortiz"))
        asked = now - timedelta(days=3)
        add_question(s, "Answered fast", asked, topic=net, status="answered",
                     answers=[(dana, asked + timedelta(minutes=90))])
        add_question(s, "Still waiting", now - timedelta(days=2), topic=sec)
    build_site(site_app.config)
    site = site_app.config["SITE"]
    page = (site / "transparency" / "index.html").read_text()
    assert "How quickly we answer" in page and "Moderation log" in page
    assert "Last 30 days" in page and "Last 90 days" in page
    # Two asked, one answered in 1 h 30 min; the median lands on the answered one, the 90th
    # percentile on the question still waiting (2 days = 48 h of 24/7 working time so far).
    assert "1 of 2 (50%)" in page and "1 h 30 min" in page
    assert "still waiting (48 h of working hours so far)" in page
    assert "working hours" in page
    front = (site / "index.html").read_text()
    assert "Last 30 days: 2 questions asked, 1 of 2 (50%) answered" in front
    assert 'href="/transparency/#responsiveness"' in front
    topic = (site / "topics" / "networking" / "index.html").read_text()
    assert "Last answered 2 days ago" in topic and "Quiet" not in topic
    quiet = (site / "topics" / "security" / "index.html").read_text()
    assert "Quiet: no answer in the last 14 days" in quiet and "No answer yet" in quiet
    person = (site / "people" / "dana-ortiz" / "index.html").read_text()
    assert "Last answered 2 days ago" in person
    assert "No answer yet" in (site / "people" / "sam-lee" / "index.html").read_text()
