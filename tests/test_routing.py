"""Routing with a promise: queues, routing mail, reminders, escalation, reassignment.

Expected recipients and times are written out by hand from the seeded people and the
topics' targets (never computed with the code under test), against a real SMTP server
and a controlled clock.
"""

from __future__ import annotations

import html
import re
import statistics
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from hub_api.db import session_scope, set_clock
from hub_api.effects.jobs import scheduler
from hub_api.models import Person, Question, Topic
from hub_api.questions import routing
from hub_api.staff.people import add_person, add_topic, configure_topic

from .conftest import PASSWORD, ask, csrf, login, make_test_app

MONDAY_10 = datetime(2026, 11, 23, 10, 0)  # a Monday; TIMEZONE is UTC in these tests
STAFF = {  # key: (name, roles, topics)
    "dana": ("Dana Ortiz", "staff,admin", ["networking"]),
    "ana": ("Ana Ruiz", "staff", ["networking"]),
    "sam": ("Sam Lee", "staff", ["security"]),
    "olga": ("Olga Berg", "staff,owner", []),
    "rita": ("Rita Moss", "staff", []),
    "mia": ("Mia Chen", "marketer", []),
    "zed": ("Zed Kahn", "staff", ["security"]),  # disabled below
}
ACTIVE_STAFF = {"dana", "ana", "sam", "olga", "rita"}


def email(key: str) -> str:
    return f"{key}@example.com"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    now = Clock(MONDAY_10)
    set_clock(now)
    yield now
    set_clock(None)


@pytest.fixture
def hub(tmp_path, database_url, smtp, clock):
    """Topics with targets (networking 4 h, owner Olga; security 2 h, no owner; hardware
    4 h, nobody on it), the default target 3 h for questions without a topic, and STAFF."""
    for app in make_test_app(tmp_path, database_url, SMTP_URL=smtp.url,
                             RATELIMIT_ENABLED=False, RESPONSE_TARGET_HOURS=3, TIMEZONE="UTC",
                             # the test clock jumps days: staff sessions must outlive it
                             SESSION_IDLE_MINUTES=10**7, SESSION_MAX_HOURS=10**6,
                             # the promise follows other threads' answers: a stored thread
                             # page would show it up to a minute late (site/thread_pages.py)
                             THREAD_PAGE_SECONDS=0.001):
        with app.app_context(), session_scope(app.extensions["candor_engine"]) as session:
            for slug in ("networking", "security", "hardware"):
                add_topic(session, slug.capitalize(), slug)
            session.flush()
            for key, (name, roles, topics) in STAFF.items():
                add_person(session, name=name, email=email(key), password=PASSWORD,
                           job_title=f"{name.split()[0]}'s role", roles=roles, topics=topics)
            session.flush()
            session.scalar(select(Person).where(Person.email == email("zed"))).active = False
            topics = {t.slug: t for t in session.scalars(select(Topic))}
            configure_topic(session, topics["networking"], "UTC", target_hours=4,
                            owner=email("olga"))
            configure_topic(session, topics["security"], "UTC", target_hours=2)
            configure_topic(session, topics["hardware"], "UTC", target_hours=4)
        yield app


def queue_ids(app, key: str) -> list[int]:
    client = app.test_client()
    assert login(client, email(key)).status_code == 303
    page = client.get("/staff/queue")
    assert page.status_code == 200
    return [int(i) for i in re.findall(r'class="queue-title" href="/staff/q/(\d+)"', page.text)]


def mails(smtp, start: int = 0) -> list[tuple[str, str]]:
    """(subject, recipient) of each message received since ``start``."""
    return [(m["Subject"], m["To"]) for m in smtp.box.messages[start:]]


def ids_by_title(app) -> dict[str, int]:
    with session_scope(app.extensions["candor_engine"]) as session:
        return dict(session.execute(select(Question.title, Question.id)).all())


# 30 questions: every topic (and none) crossed with asking nobody or a named person.
TOPICS = ["networking", "security", "hardware", None]
NAMED = [None, None, "ana", "sam", "rita"]
QUESTIONS = [(f"Question {i:02d} about {TOPICS[i % 4] or 'anything'}", TOPICS[i % 4],
              NAMED[i % 5]) for i in range(30)]
TEAM = {"networking": {"dana", "ana"}, "security": {"sam"}}  # active staff per topic
DUE = {  # asked Monday 10:00 UTC, Mon–Fri 09:00–17:00: (due, twice the target)
    "security": (datetime(2026, 11, 23, 12), datetime(2026, 11, 23, 14)),  # 2 h
    None: (datetime(2026, 11, 23, 13), datetime(2026, 11, 23, 16)),  # hub default 3 h
    "networking": (datetime(2026, 11, 23, 14), datetime(2026, 11, 24, 10)),  # 4 h
    "hardware": (datetime(2026, 11, 23, 14), datetime(2026, 11, 24, 10)),
}
OWNER = {"networking": {"olga"}}  # elsewhere: the admins (Dana)


def holders(topic: str | None, named: str | None) -> set[str]:
    """Whose queue a question is in: the named person, the topic's team, else everyone."""
    return {named} if named else TEAM.get(topic) or ACTIVE_STAFF


def told(topic: str | None, named: str | None) -> set[str]:
    """Who is mailed when it is routed or overdue: as above, but the general queue → admins."""
    return {named} if named else TEAM.get(topic) or {"dana"}


def digest_holder(topic: str | None, named: str | None) -> str:
    """How the digest names who has a question: a person, a topic's team, or nobody."""
    if named:
        return STAFF[named][0]
    if topic in TEAM:
        names = ", ".join(sorted(STAFF[k][0] for k in TEAM[topic]))
        return f"{topic.capitalize()} staff ({names})"
    return "the general queue (nobody covers it)"


def test_thirty_questions_route_remind_and_escalate(hub, smtp, clock):
    app = hub
    asker = app.test_client()
    for title, topic, named in QUESTIONS:
        ask(asker, title=title, topic=topic or "",
            person=dict(ana="ana-ruiz", sam="sam-lee", rita="rita-moss").get(named, ""),
            email="asker@example.org" if title.startswith("Question 07") else "")
    ids = ids_by_title(app)

    # Each question is in exactly the queues of the people it is routed to.
    for key in ACTIVE_STAFF:
        expected = {ids[t] for t, topic, named in QUESTIONS if key in holders(topic, named)}
        assert set(queue_ids(app, key)) == expected, key
    marketer = app.test_client()
    login(marketer, email("mia"))
    assert marketer.get("/staff/queue").status_code == 403

    # Routing mail went at once to exactly those people, naming the question and its page.
    routing_mail = Counter(m for m in mails(smtp) if m[0].startswith("New question"))
    assert routing_mail == Counter(
        (f"New question: {t}", email(k)) for t, topic, named in QUESTIONS
        for k in told(topic, named))
    for message in smtp.box.messages:
        if message["Subject"].startswith("New question"):
            text = message.get_body(("plain",)).get_content()
            title = message["Subject"].removeprefix("New question: ")
            assert f"http://hub.test/staff/q/{ids[title]}" in text
            assert "asker@example.org" not in text

    # One question is answered before its target: it is never reminded.
    answered = QUESTIONS[0][0]
    clock.now = MONDAY_10 + timedelta(minutes=30)
    dana = app.test_client()
    login(dana, email("dana"))
    assert dana.post(f"/staff/q/{ids[answered]}/answer",
                     data={"csrf_token": csrf(dana), "body": "Yes."}).status_code == 303

    # Step the clock: each reminder and escalation goes once, to the right people, in time.
    steps = [datetime(2026, 11, 23, h, m) for h, m in
             ((11, 59), (12, 1), (12, 59), (13, 1), (13, 59), (14, 1), (15, 59), (16, 1),
              (17, 30), (23, 0))] + [datetime(2026, 11, 24, 9, 59), datetime(2026, 11, 24, 10, 1),
                                     datetime(2026, 11, 25, 12, 0)]
    previous = MONDAY_10
    runner = app.test_cli_runner()
    for i, now in enumerate(steps):
        clock.now = now
        start = len(smtp.box.messages)
        expected = Counter()
        for title, topic, named in QUESTIONS:
            if title == answered:
                continue
            due, twice = DUE[topic]
            if previous <= due < now:
                expected.update((f"Overdue: {title}", email(k)) for k in told(topic, named))
            if previous <= twice < now:
                expected.update((f"Still unanswered at twice the target: {title}", email(k))
                                for k in OWNER.get(topic, {"dana"}))
        if i % 3 == 0:  # the CLI, the background job and the function are one and the same
            result = runner.invoke(args=["remind"])
            assert result.exit_code == 0 and "@" not in result.output
            assert re.fullmatch(r"Sent \d+ reminder\(s\) and \d+ escalation\(s\) in "
                                rf"{sum(expected.values())} email\(s\)\.\n", result.output)
        elif i % 3 == 1:
            scheduler(app).jobs["remind"].run(app)
        else:
            routing.remind(app)
        assert Counter(mails(smtp, start)) == expected, now
        previous = now
    assert any(s.startswith("Overdue") for s, _ in mails(smtp))
    assert any(s.startswith("Still unanswered") for s, _ in mails(smtp))

    # The queue shows overdue first, most overdue first, in words.
    page = dana.get("/staff/queue").text
    assert "overdue by" in page.lower()
    # Networking questions (4 h, due Mon 14:00) are later than none-topic ones (due 13:00).
    order = [int(i) for i in re.findall(r'class="queue-title" href="/staff/q/(\d+)"', page)]
    overdue_since = {ids[t]: DUE[topic][0] for t, topic, named in QUESTIONS
                     if ids[t] in order}
    assert [overdue_since[i] for i in order] == sorted(overdue_since[i] for i in order)

    # The decision-maker's digest has all 30 as new questions, and the 29 unanswered ones as
    # overdue, each with whoever has it.
    olga = app.test_client()
    login(olga, email("olga"))
    digest = html.unescape(olga.get("/staff/digest?since=7d").text)
    assert "New questions (30)" in digest and "Unanswered (29, 29 overdue)" in digest
    waiting = digest[digest.index('id="waiting"'):]
    waiting = waiting[:waiting.index("</section>")]
    rows = dict(re.findall(r'<a href="[^"]*/staff/q/\d+">([^<]+)</a>\s*<div class="meta">With '
                           r'([^·]+) ·', waiting))
    assert set(rows) == {t for t, _topic, _named in QUESTIONS if t != answered}
    for title, topic, named in QUESTIONS:
        assert title in digest
        if title != answered:
            assert rows[title].strip() == digest_holder(topic, named), title


def test_friday_evening_question_is_not_late_on_saturday(hub, smtp, clock):
    app = hub
    clock.now = datetime(2026, 11, 27, 16, 30)  # Friday
    ask(app.test_client(), title="Late on a Friday", topic="networking")
    start = len(smtp.box.messages)
    clock.now = datetime(2026, 11, 28, 12, 0)  # Saturday noon
    assert routing.remind(app).mails == 0
    page = app.test_client()
    login(page, email("ana"))
    queue = page.get("/staff/queue").text
    # 30 min worked on Friday of 4 h: 3.5 working hours left.
    assert "Due in 3 h 30 min of working hours" in queue
    assert "Overdue by" not in queue and "due-overdue" not in queue
    qid = ids_by_title(app)["Late on a Friday"]
    public = app.test_client().get(f"/q/{qid}/late-on-a-friday").text
    assert "This question is 19 h old (30 min of working hours so far)." in public
    assert "We aim to answer within 4 working hours" in public
    clock.now = datetime(2026, 11, 30, 12, 29)  # Monday: due at 12:30
    assert routing.remind(app).mails == 0
    clock.now = datetime(2026, 11, 30, 12, 31)
    assert routing.remind(app).reminders == 1
    assert sorted(mails(smtp, start)) == [("Overdue: Late on a Friday", email("ana")),
                                          ("Overdue: Late on a Friday", email("dana"))]


def test_concurrent_runs_send_each_reminder_once(hub, smtp, clock):
    app = hub
    ask(app.test_client(), title="Raced", topic="security")  # Sam; 2 h → due Mon 12:00
    start = len(smtp.box.messages)
    clock.now = datetime(2026, 11, 23, 12, 5)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: routing.remind(app), range(4)))
    assert sum(r.reminders for r in results) == 1
    assert mails(smtp, start) == [("Overdue: Raced", email("sam"))]


def test_reassigning_moves_queues_mails_and_shows_publicly(hub, smtp, clock):
    app = hub
    ask(app.test_client(), title="Who handles VLANs?", topic="networking")
    qid = ids_by_title(app)["Who handles VLANs?"]
    with session_scope(app.extensions["candor_engine"]) as session:
        sam_id = session.scalar(select(Person.id).where(Person.email == email("sam")))
        session.get(Question, qid).reminded_at = MONDAY_10  # reminders start afresh
    dana = app.test_client()
    login(dana, email("dana"))
    start = len(smtp.box.messages)
    moved = dana.post(f"/staff/q/{qid}/assign",
                      data={"csrf_token": csrf(dana, f"/staff/q/{qid}"), "person": str(sam_id)})
    assert moved.status_code == 303
    assert qid in queue_ids(app, "sam")
    assert qid not in queue_ids(app, "dana") and qid not in queue_ids(app, "ana")
    assert mails(smtp, start) == [("Handed to you: Who handles VLANs?", email("sam"))]
    text = smtp.box.messages[-1].get_body(("plain",)).get_content()
    assert "Dana Ortiz (Dana's role) handed you a question." in text
    public = app.test_client().get(f"/q/{qid}/who-handles-vlans").text
    assert "Sam Lee (Sam&#39;s role) has this question." in public
    with session_scope(app.extensions["candor_engine"]) as session:
        assert session.get(Question, qid).reminded_at is None
    staff_page = dana.get(f"/staff/q/{qid}").text
    assert re.search(rf'<option value="{sam_id}" selected>Sam Lee', staff_page)


def test_reassigning_refuses_bad_input(hub, smtp, clock):
    app = hub
    ask(app.test_client(), title="Hostile input", topic="networking")
    qid = ids_by_title(app)["Hostile input"]
    with session_scope(app.extensions["candor_engine"]) as session:
        ids = dict(session.execute(select(Person.email, Person.id)).all())
    dana = app.test_client()
    login(dana, email("dana"))
    token = csrf(dana, f"/staff/q/{qid}")
    start = len(smtp.box.messages)
    for person in ["", "abc", "²", "1e3", " 3", "-1", "99999", "9" * 40, str(ids[email("zed")]),
                   str(ids[email("mia")])]:
        response = dana.post(f"/staff/q/{qid}/assign", data={"csrf_token": token,
                                                             "person": person})
        assert response.status_code == 400, person
    assert dana.post(f"/staff/q/{qid}/assign",
                     data={"person": str(ids[email("sam")])}).status_code == 400  # no CSRF
    assert dana.post(f"/staff/q/{qid}x/assign",
                     data={"csrf_token": token}).status_code in (404, 405)
    assert dana.post("/staff/q/99999/assign", data={
        "csrf_token": token, "person": str(ids[email("sam")])}).status_code == 404
    marketer = app.test_client()
    login(marketer, email("mia"))
    assert marketer.post(f"/staff/q/{qid}/assign", data={
        "csrf_token": csrf(marketer, "/staff/curation"), "person": str(ids[email("sam")])}
    ).status_code == 403
    assert app.test_client().post(f"/staff/q/{qid}/assign", data={
        "person": str(ids[email("sam")])}).status_code in (302, 400, 401, 403)
    with session_scope(app.extensions["candor_engine"]) as session:
        assert session.get(Question, qid).assignee_id is None
    assert mails(smtp, start) == []
    assert set(queue_ids(app, "dana")) == {qid}


def test_promise_uses_the_real_median_once_there_is_history(hub, clock):
    app = hub
    staff = app.test_client()
    login(staff, email("dana"))
    spans = [1, 2, 3, 6, 9]  # working hours to the first answer, asked Monday 09:00 each week
    for week, hours in enumerate(spans[:4]):
        _ask_and_answer(app, staff, clock, week, hours)
    clock.now = datetime(2026, 12, 28, 9, 30)  # a Monday, 30 working minutes after asking
    ask(app.test_client(), title="Still waiting", topic="networking")
    qid = ids_by_title(app)["Still waiting"]
    clock.now = datetime(2026, 12, 28, 11, 0)
    page = app.test_client().get(f"/q/{qid}/still-waiting").text
    assert "We aim to answer within 4 working hours (too few answered" in page  # 4 < 5
    _ask_and_answer(app, staff, clock, 4, spans[4])
    clock.now = datetime(2026, 12, 28, 11, 0)
    page = app.test_client().get(f"/q/{qid}/still-waiting").text
    median = int(statistics.median(spans))
    assert (f"Usually answered within {median} h of working hours (the median over the last 5 "
            "answered questions, 90 days).") in page
    assert "This question is 1 h 30 min old (1 h 30 min of working hours so far)." in page
    assert "The Networking team has this question." in page


def _ask_and_answer(app, staff, clock, week: int, hours: int) -> None:
    asked = datetime(2026, 11, 23, 9, 0) + timedelta(weeks=week)  # Mondays 09:00
    title = f"History {week}"
    clock.now = asked
    ask(app.test_client(), title=title, topic="networking")
    qid = ids_by_title(app)[title]
    clock.now = asked + timedelta(hours=hours)  # within Monday's 09:00–17:00 window
    assert staff.post(f"/staff/q/{qid}/answer", data={
        "csrf_token": csrf(staff), "body": f"Answer {week}"}).status_code == 303


def test_topic_cli_sets_the_promise_and_refuses_bad_input(tmp_path, database_url):
    for app in make_test_app(tmp_path, database_url):
        runner = app.test_cli_runner()
        with app.app_context(), session_scope(app.extensions["candor_engine"]) as session:
            add_person(session, name="Olga Berg", email="olga@example.com", password=PASSWORD,
                       job_title="COO", roles="staff,owner")
        added = runner.invoke(args=["topic", "add", "Billing", "--target-hours", "6", "--hours",
                                    "Mon-Thu 08:00-16:00 Europe/Berlin", "--owner",
                                    "OLGA@example.com", "--quiet-days", "7"])
        assert added.exit_code == 0, added.output
        assert "within 6 working hours" in added.output and "Olga Berg" in added.output
        for args, message in [
            (["--hours", "weekdays 9 to 5"], "write them like"),
            (["--hours", "Mon-Fri 09:00-17:00 Mars/Olympus"], "unknown time zone"),
            (["--hours", "Mon-Fri 17:00-09:00"], "end after it starts"),
            (["--owner", "nobody@example.com"], "no active staff member"),
            (["--target-hours", "0"], "0"),
            (["--target-hours", "four"], "four"),
            (["--hours", "x" * 500], "at most 120"),
        ]:
            result = runner.invoke(args=["topic", "set", "billing", "--target-hours", "9",
                                         *args])
            assert result.exit_code != 0 and message in result.output, (args, result.output)
            assert "Traceback" not in result.output
        assert runner.invoke(args=["topic", "set", "nope", "--target-hours", "2"]).exit_code != 0
        bad_add = runner.invoke(args=["topic", "add", "Bad", "--hours", "nonsense"])
        assert bad_add.exit_code != 0
        cleared = runner.invoke(args=["topic", "set", "billing", "--owner", "", "--hours", ""])
        assert cleared.exit_code == 0, cleared.output
        with session_scope(app.extensions["candor_engine"]) as session:
            topics = {t.slug: t for t in session.scalars(select(Topic))}
            assert set(topics) == {"billing"}  # the refused add left nothing behind
            billing = topics["billing"]
            assert (billing.response_target_hours, billing.working_hours, billing.owner_id,
                    billing.quiet_days) == (6, "", None, 7)


def test_remind_runs_as_a_job_and_demo_has_owners_and_handovers(app, runner):
    assert "remind" in scheduler(app).jobs
    assert runner.invoke(args=["demo"]).exit_code == 0
    with session_scope(app.extensions["candor_engine"]) as session:
        topics = session.scalars(select(Topic)).all()
        assert all(t.owner_id for t in topics)
        assert len({t.response_target_hours for t in topics}) > 1
        questions = session.scalars(select(Question).where(Question.status == "open")).all()
        assert any(q.assignee_id and q.assignee_id != q.person_id for q in questions)
        with app.test_request_context():
            assert any(routing.deadline(q).overdue for q in questions)


def test_held_questions_are_routed_when_approved_and_disabling_hands_back(hub, smtp):
    app = hub
    ask(app.test_client(), title="Held for a link", topic="networking", person="ana-ruiz",
        body="See https://example.com/spec for what we need.")
    assert mails(smtp) == []  # held: nobody is asked to answer it yet
    qid = ids_by_title(app)["Held for a link"]
    assert qid not in queue_ids(app, "ana")
    dana = app.test_client()
    login(dana, email("dana"))
    assert dana.post(f"/staff/moderation/{qid}/approve", data={
        "csrf_token": csrf(dana), "reason": "fine"}).status_code == 303
    assert mails(smtp) == [("New question: Held for a link", email("ana"))]
    assert qid in queue_ids(app, "ana") and qid not in queue_ids(app, "dana")

    # Ana leaves: the question goes back to the networking team, and to its page.
    result = app.test_cli_runner().invoke(args=["staff", "disable", email("ana")])
    assert result.exit_code == 0 and "1 open question(s)" in result.output
    assert qid in queue_ids(app, "dana")
    page = app.test_client().get(f"/q/{qid}/held-for-a-link").text
    assert "The Networking team has this question." in page and "Ana Ruiz" not in page
