"""``candor demo``: a believable small company so a fresh install shows a living hub."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from . import signals
from .curation.feeds import add_feed, parse_feed, store_entries
from .db import get_session, utcnow
from .effects.outbox import emit
from .identity import set_identity
from .markup import render_markdown
from .models import Answer, ContactRequest, FollowUp, Person, Question, Setting, Topic
from .privacy import abuse
from .questions.ask import new_token
from .questions.states import Event, Status, move
from .staff.people import add_person, add_topic, configure_topic

DEMO_PASSWORD = "demo"  # noqa: S105 — documented demo login, refused on real instances

# (slug, name, description, target in working hours, working hours, owner)
TOPICS = [
    ("networking", "Networking", "Switching, Wi-Fi, SD-WAN and campus design.", 4, "",
     "dana@northwind.example"),
    ("security", "Security", "Zero trust, firewalls, compliance and audits.", 8, "",
     "sam@northwind.example"),
    ("hardware", "Hardware", "Our appliances, PCBs, lead times and RMAs.", 8,
     "Mon-Thu 08:00-16:00", "priya@northwind.example"),
    ("support", "Support & contracts", "SLAs, onboarding, pricing and renewals.", 2,
     "Mon-Fri 08:00-18:00", "alex@northwind.example"),
]

# Open questions a colleague took over: (title, email of whoever has it now).
HANDED_ON = [
    ("What does onboarding look like for 50 sites?", "tom@northwind.example"),
    ("Do your switches support EVPN-VXLAN?", "tom@northwind.example"),
]

STAFF = [
    ("Dana Ortiz", "dana@northwind.example", "Network Engineer", "staff,admin", "networking",
     "Designs campus and warehouse networks. Ten years of Wi-Fi surveys behind her."),
    ("Sam Lee", "sam@northwind.example", "Security Architect", "staff", "security",
     "Helps customers move from VPNs to zero trust without a big-bang migration."),
    ("Priya Raman", "priya@northwind.example", "Hardware Product Manager", "staff,marketer",
     "hardware", "Owns the NW-series appliances, from PCB supply to end of life."),
    ("Tom Becker", "tom@northwind.example", "Customer Success Lead", "staff,moderator",
     "support,networking", "Onboards new customers and keeps SLAs honest."),
    ("Alex Morgan", "alex@northwind.example", "CEO", "staff,owner", "support",
     "Co-founded Northwind. Reads every digest and answers the hard commercial questions."),
]

# (hours ago, asker, topic, person slug or None, title, body, [(hours after, staff email, answer)])
QUESTIONS = [
    (400, "Maria K.", "networking", None, "Can your APs handle 300 handheld scanners in one aisle?",
     "We run a cold-storage warehouse with dense shelving. Today's Wi-Fi drops scanners in the "
     "freezer zone. Would Wi-Fi 7 help, or is it an antenna problem?",
     [(3, "dana@northwind.example", "Most likely antennas and placement, not the standard. "
       "Metal racking and freezer doors reflect heavily. We'd start with a **predictive survey** "
       "and directional antennas along the aisles; Wi-Fi 7 helps capacity, not reflections.")]),
    (380, "J. Okafor", "security", None, "Do you support SAML single sign-on for the admin portal?",
     "Our auditors want every admin login behind our IdP (Entra ID).",
     [(2, "sam@northwind.example", "Yes: SAML 2.0 and OIDC, with SCIM for deprovisioning. "
       "Local admin accounts can be disabled once SSO is verified.")]),
    (360, "Lena", "hardware", None, "What is the current lead time for NW-4800 switches?",
     "We need 40 units for a Q2 rollout.",
     [(5, "priya@northwind.example", "Today it is **6–8 weeks** for 40 units. Our PCB "
       "supplier added a second fab line in March, so quotes are firm for 30 days.")]),
    (300, "Chris", "support", None, "Is 24/7 support included or an add-on?",
     "Comparing you with two other vendors for a hospital network.",
     [(1, "tom@northwind.example", "Business hours are included; 24/7 with a 1-hour response "
       "is the Critical plan. For hospitals we usually recommend it for the core only.")]),
    (260, "Ahmed", "networking", "dana-ortiz", "Dana, how do you handle roaming between buildings?",
     "Forklifts move between two halls 80 m apart and lose sessions.",
     [(4, "dana@northwind.example", "Point-to-point bridge plus 802.11r fast roaming on one SSID. "
       "Sessions survive because the controller keeps the client state across both halls.")]),
    (220, "Ingrid", "security", None, "Can the firewall log to our own SIEM?",
     "We use a self-hosted Wazuh.",
     [(6, "sam@northwind.example", "Yes, syslog over TLS or plain CEF. No cloud relay needed: "
       "logs go straight from the appliance to your collector.")]),
    (200, "P. Novak", "hardware", None, "Are your PCBs lead-free (RoHS 3)?",
     "Procurement needs a declaration.", [(2, "priya@northwind.example",
     "All NW-series boards are RoHS 3 and REACH compliant. I can send the signed declaration.")]),
    (150, "Grace", "support", "alex-morgan", "Alex, do you offer multi-year price locks?",
     "Budget cycles here are three years.", [(8, "alex@northwind.example",
     "Yes. Three-year agreements lock list prices; we publish the indexation rule in the "
     "contract rather than leaving it to renewal time.")]),
    (120, "Tobias", "networking", None, "Do you sell SD-WAN without managed services?",
     "We have our own NOC.", [(3, "tom@northwind.example", "Yes. Licences are self-managed by "
     "default; managed service is optional.")]),
    (96, "R. Silva", "security", None, "How do you publish vulnerability advisories?",
     "We want to subscribe.", [(20, "sam@northwind.example",
     "On our advisories page with an Atom feed, plus CVE IDs. We aim to publish within 72 h "
     "of a confirmed issue.")]),
    (80, "Mei", "hardware", None, "What is the MTBF of the NW-2200 power supply?",
     "Sizing spares for 200 sites.", [(30, "priya@northwind.example",
     "Rated 250,000 h at 25 °C. Field data over 3 years is better; for 200 sites, 4 spares "
     "has been plenty.")]),
    (60, "Oskar", "support", None, "Can we do a proof of concept before buying?",
     "Two sites, four weeks.", [(2, "tom@northwind.example",
     "Yes — we lend hardware for 30 days and a named engineer joins your kick-off.")]),
    # Open ones, some of them long past any reasonable target.
    (150, "Hannah", "security", None, "Is there an on-prem option for the management console?",
     "Our regulator does not allow cloud management for this network.", []),
    (72, "Viktor", "networking", None, "Do your switches support EVPN-VXLAN?",
     "Planning a small data-centre fabric.", []),
    (50, "Nora", "hardware", "priya-raman", "Can we get the NW-4800 in a fanless version?",
     "It sits in an office, noise matters.", []),
    (30, "Felix", "support", None, "What does onboarding look like for 50 sites?",
     "We'd like a rough timeline.", []),
    (20, "Yuki", None, None, "Do you have partners in Japan?", "Looking for a local integrator.",
     []),
    (6, "Ben", "networking", "dana-ortiz", "Dana, outdoor APs for a port terminal?",
     "Salt spray and wind. What rating do we need?", []),
    (3, "Sofia", "security", None, "Do you support 802.1X with certificates only?",
     "No passwords on the wired network.", []),
    (1, "Luca", "hardware", None, "Is there a rack kit for the NW-2200?", "Two per 1U shelf?", []),
]


# Sample feeds shipped with the demo: (file in demo_feeds/, topic slug or None).
FEED_FILES = [("industry-news.xml", "networking"), ("rival-news.atom", None)]
FEED_BASE = "https://feeds.northwind-demo.example/"  # not a real host: the feeds stay paused
# Consented contact requests: (question title, email, company, role, hours ago, handled)
CONTACTS = [
    ("Can your APs handle 300 handheld scanners in one aisle?", "maria@coldchain.example",
     "ColdChain Logistics", "Head of IT", 20, False),
    ("Is 24/7 support included or an add-on?", "chris@stmarys-hospital.example",
     "St Mary's Hospital", "Network Manager", 50, False),
    ("What is the current lead time for NW-4800 switches?", "lena@builder.example",
     "Builder & Sons", "Procurement", 300, True),
]
HELD = ("Best prices on network gear at https://cheap-switches.example",
        "Visit https://cheap-switches.example for 90% off all switches today.",
        "contains links from a new asker")
FOLLOW_UP = ("Is 24/7 support included or an add-on?",
             "Thanks. Does the Critical plan also cover the access switches on weekends?")


def init_app(app: Flask) -> None:
    from . import demo_mail

    app.cli.add_command(demo_command)
    demo_mail.init_app(app)


def has_real_data(session) -> bool:
    """True when people or questions exist that the demo did not create."""
    demo_emails = {s[1] for s in STAFF}
    emails = set(session.scalars(select(Person.email)))
    questions = session.scalar(select(func.count(Question.id)))
    loaded = session.get(Setting, "demo_loaded") is not None
    return bool(emails - demo_emails) or (questions > 0 and not loaded)


def load_demo(session) -> list[Person]:
    now = utcnow()
    for slug, name, description, *_promise in TOPICS:
        add_topic(session, name, slug, description)
    session.flush()
    people = {}
    for name, email, title, roles, topics, bio in STAFF:
        people[email] = add_person(session, name=name, email=email, password=DEMO_PASSWORD,
                                   job_title=title, roles=roles, bio=bio,
                                   topics=topics.split(","), weak_password_ok=True)
    session.flush()
    zone = current_app.config["TIMEZONE"]
    for slug, _name, _description, target, hours, owner in TOPICS:
        topic = session.scalar(select(Topic).where(Topic.slug == slug))
        configure_topic(session, topic, zone, target_hours=target, hours=hours, owner=owner)
    by_slug = {p.slug: p for p in people.values()}
    topics = {t.slug: t for t in session.scalars(select(Topic))}
    for hours, asker, topic, person, title, body, answers in QUESTIONS:
        asked = now - timedelta(hours=hours)
        question = Question(
            title=title, body=body, body_html=render_markdown(body), display_name=asker,
            topic=topics.get(topic), person=by_slug.get(person), assignee=by_slug.get(person),
            created_at=asked,
            manage_token_hash=new_token()[1], status=Status.ANSWERED if answers else Status.OPEN,
        )
        session.add(question)
        for after, email, text in answers:
            session.add(Answer(question=question, person=people[email], body=text,
                               body_html=render_markdown(text),
                               created_at=asked + timedelta(hours=after)))
    session.flush()
    for title, email in HANDED_ON:
        session.scalar(select(Question).where(Question.title == title)).assignee = people[email]
    thanks = session.scalar(select(Question).where(Question.display_name == "Maria K."))
    session.add(FollowUp(question_id=thanks.id, body="Thanks — the survey is booked.",
                         body_html=render_markdown("Thanks — the survey is booked."),
                         created_at=thanks.created_at + timedelta(hours=30)))
    thanks.accepted_answer_id = thanks.answers[0].id if thanks.answers else None
    move(thanks, Event.FOLLOW_UP)  # "Thanks" after the accepted answer: answered, and queued
    set_identity(session, name="Northwind Networks", accent="#0f4c5c",
                 description="Network hardware for warehouses, offices and branch sites",
                 home_url="https://northwind.example/", legal_url="https://northwind.example/legal/",
                 logo_data=(Path(__file__).parent / "demo_logo.svg").read_bytes())
    _load_showcase(session, people, topics, now)
    session.add(Setting(key="demo_loaded", value=now.isoformat()))
    return list(people.values())


def _load_showcase(session, people: dict[str, Person], topics: dict[str, Topic], now) -> None:
    """What a newcomer should meet on every staff page: feed entries in the curation inbox
    (read from the shipped files by the same feedparser path as a fetch), leads for the
    digest, a held question for moderation and an asker's follow-up waiting in the queue."""
    folder = Path(__file__).resolve().parent / "demo_feeds"
    for name, topic in FEED_FILES:
        feed = add_feed(session, FEED_BASE + name, topic)
        session.flush()
        parsed = parse_feed((folder / name).read_bytes(), feed.url)
        new = store_entries(session, feed, parsed.entries)
        feed.title, feed.paused, feed.status, feed.fetched_at = parsed.title, True, "ok", now
        feed.message = (f"{new} entries from the sample file shipped with the demo; paused, "
                        "because its address is not a real host")
    by_title = {q.title: q for q in session.scalars(select(Question))}
    for title, email, company, role, hours, handled in CONTACTS:
        question = by_title[title]
        answer = question.answers[0]
        session.add(ContactRequest(
            question_id=question.id, answer_id=answer.id, person_id=answer.person_id,
            email=email, company=company, job_role=role,
            consented_at=now - timedelta(hours=hours), created_at=now - timedelta(hours=hours),
            handled_at=now - timedelta(hours=hours - 4) if handled else None))
    title, body, reason = HELD
    held = Question(title=title, body=body, body_html=render_markdown(body),
                    display_name="Deals4U", created_at=now - timedelta(hours=2),
                    manage_token_hash=new_token()[1], status=Status.HELD, hold_reason=reason)
    session.add(held)
    session.flush()
    abuse.log_action(session, "held", held.id, reason)
    title, text = FOLLOW_UP
    waiting = by_title[title]
    session.add(FollowUp(question_id=waiting.id, body=text, body_html=render_markdown(text),
                         created_at=now - timedelta(hours=5)))
    move(waiting, Event.FOLLOW_UP)  # back in the queue of whoever answered


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo data (Northwind Networks); refuses an instance holding real data."""
    session = get_session()
    if has_real_data(session):
        raise click.ClickException("this instance holds data that is not demo data; "
                                   "use a fresh CANDOR_INSTANCE for the demo")
    if session.get(Setting, "demo_loaded") is not None:
        click.echo("Demo data is already loaded.")
    else:
        load_demo(session)
        emit(session, signals.people_changed, id=None)
        session.commit()
        # Searchable at once, not at a server's next sweep of the outbox.
        current_app.extensions["candor_search"].apply_pending(wait=True)
        click.echo(f"Loaded {len(STAFF)} staff, {len(TOPICS)} topics, "
                   f"{len(QUESTIONS) + 1} questions (one held for moderation), "
                   f"{len(FEED_FILES)} sample feeds, {len(CONTACTS)} contact requests.")
    click.echo(f"Staff logins (password: {DEMO_PASSWORD}) at /staff/login:")
    for name, email, title, roles, _topics, _bio in STAFF:
        click.echo(f"  {email:<28} {name} — {title} [{roles}]")
