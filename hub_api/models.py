"""The tables. The database is the source of truth; the site and index derive from it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from .db import Base, utcnow

ROLES = ("staff", "marketer", "moderator", "owner", "admin")

person_topics = Table(
    "person_topics",
    Base.metadata,
    Column("person_id", ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
)


class Topic(Base):
    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # The promise to askers: a first answer within this many working hours.
    response_target_hours: Mapped[int] = mapped_column(Integer, default=4)
    # e.g. "Mon-Fri 09:00-17:00 Europe/Berlin"; empty = the hub's default (working_hours.py).
    working_hours: Mapped[str] = mapped_column(String(120), default="")
    # No answer on this topic for this many days: flagged to its owner and in the digest.
    quiet_days: Mapped[int] = mapped_column(Integer, default=14)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL", name="fk_topics_owner"),
        default=None)

    people: Mapped[list[Person]] = relationship(
        secondary=person_topics, back_populates="topics", order_by="Person.name"
    )
    owner: Mapped[Person | None] = relationship(foreign_keys=[owner_id])


class Person(Base):
    """A named member of staff. There is no shared or brand account by design."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    job_title: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    photo: Mapped[str | None] = mapped_column(String(255), default=None)
    bio: Mapped[str] = mapped_column(Text, default="")
    roles: Mapped[str] = mapped_column(String(120), default="staff")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # A second factor (staff/totp.py): the shared secret, and the last time step used so a
    # code is accepted once.
    totp_secret: Mapped[str | None] = mapped_column(String(64), default=None)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, default=None)

    topics: Mapped[list[Topic]] = relationship(
        secondary=person_topics, back_populates="people", order_by="Topic.name"
    )

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.roles.split(",") if r)

    @property
    def initials(self) -> str:
        parts = [p for p in self.name.split() if p[:1].isalnum()]
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    @property
    def profile_url(self) -> str:
        return f"/people/{self.slug}/"

    @property
    def photo_url(self) -> str | None:
        """Photos live in the content folder and are published with the site."""
        return f"/{self.photo}" if self.photo else None

    # flask-login's user protocol, spelled out rather than mixed in.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class Question(Base):
    """A prospect's thread. Routed to ``person`` if named, else to ``topic``'s staff."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    display_name: Mapped[str] = mapped_column(String(80))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"))
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # open | answered; held | rejected | hidden (moderation); removed (erased by its asker)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    accepted_answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", use_alter=True, name="fk_questions_accepted_answer",
                   ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    # Why a post waits for a moderator (status "held"); empty otherwise. No personal data.
    hold_reason: Mapped[str] = mapped_column(String(200), default="")
    # Why a moderator hid it (status "hidden"), from moderation's fixed list; shown to its asker.
    hidden_reason: Mapped[str] = mapped_column(String(200), default="")
    # Who has it now: the person asked, or a colleague it was reassigned to; None = the
    # topic's staff (or the general queue). ``person_id`` keeps whom the asker named.
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL", name="fk_questions_assignee"),
        default=None, index=True)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)  # past target
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)  # twice it

    topic: Mapped[Topic | None] = relationship()
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
    assignee: Mapped[Person | None] = relationship(foreign_keys=[assignee_id])
    revisions: Mapped[list[QuestionRevision]] = relationship(
        order_by="QuestionRevision.id.desc()", cascade="all, delete-orphan"
    )
    answers: Mapped[list[Answer]] = relationship(
        back_populates="question", order_by="Answer.created_at", foreign_keys="Answer.question_id",
        cascade="all, delete-orphan",
    )
    follow_ups: Mapped[list[FollowUp]] = relationship(
        order_by="FollowUp.created_at", cascade="all, delete-orphan"
    )

    @property
    def url(self) -> str:
        from .text import slugify

        return f"/q/{self.id}/{slugify(self.title)}"

    @property
    def first_answer(self) -> Answer | None:
        return self.answers[0] if self.answers else None


class Answer(Base):
    """A staff member's answer, always signed by one person."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    # Set by a moderator (e.g. a leaked secret): readers see only this reason, never the text.
    hidden_reason: Mapped[str] = mapped_column(String(200), default="")

    question: Mapped[Question] = relationship(back_populates="answers", foreign_keys=[question_id])
    person: Mapped[Person] = relationship()
    revisions: Mapped[list[AnswerRevision]] = relationship(
        order_by="AnswerRevision.id.desc()", cascade="all, delete-orphan"
    )


class AnswerRevision(Base):
    """An earlier version of an answer; a staff answer's history is public."""

    __tablename__ = "answer_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(DateTime)


class FollowUp(Base):
    """The asker's reply in their own thread, posted through the manage link."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # published | held (waits for a moderator, seen only by its asker) | rejected
    status: Mapped[str] = mapped_column(String(16), default="published")
    hold_reason: Mapped[str] = mapped_column(String(200), default="")  # no personal data


class Setting(Base):
    """Small instance facts (e.g. that the demo data was loaded)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- api tokens ---


class ApiToken(Base):
    """A staff member's API token: acts as that person, never as a brand account."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"),
                                           index=True)
    label: Mapped[str] = mapped_column(String(80), default="")  # what it is for
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)

    person: Mapped[Person] = relationship()


# --- curation ---


class Feed(Base):
    """An RSS or Atom feed a marketer follows, with how its last fetch went, in words."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"))
    etag: Mapped[str | None] = mapped_column(String(300), default=None)
    last_modified: Mapped[str | None] = mapped_column(String(100), default=None)
    status: Mapped[str] = mapped_column(String(16), default="new")  # ok|unchanged|bozo|error
    message: Mapped[str] = mapped_column(Text, default="never fetched")
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)  # "fetch all" skips it

    topic: Mapped[Topic | None] = relationship()

    @property
    def name(self) -> str:
        return self.title or self.url


class Entry(Base):
    """One item from a feed, its HTML already sanitised. ``state``: new|picked|dismissed."""

    __tablename__ = "feed_entries"
    __table_args__ = (UniqueConstraint("feed_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(500))  # guid, else canonical link
    link: Mapped[str | None] = mapped_column(String(2000), index=True, default=None)
    title: Mapped[str] = mapped_column(String(300))
    author: Mapped[str] = mapped_column(String(200), default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    fetched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="new", index=True)

    feed: Mapped[Feed] = relationship()


class CuratedPick(Base):
    """A picked entry: who picked it, why, and the Markdown file it became."""

    __tablename__ = "curated_picks"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("feed_entries.id", ondelete="SET NULL"), unique=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    source_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    note: Mapped[str] = mapped_column(Text)
    topics: Mapped[str] = mapped_column(String(500), default="")  # comma list of slugs
    market: Mapped[bool] = mapped_column(Boolean, default=False)
    path: Mapped[str] = mapped_column(String(300))  # relative to the content folder
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # Set when its article was taken off the site (the file deleted); the record stays.
    unpublished_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)

    entry: Mapped[Entry | None] = relationship()
    person: Mapped[Person | None] = relationship()


# --- webhooks ---


class WebhookEndpoint(Base):
    """A receiver an admin registered, with how its last delivery went, in words."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(64))
    events: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_status: Mapped[str] = mapped_column(String(200), default="")
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)


class WebhookDelivery(Base):
    """One event for one endpoint, retried until delivered or a day has passed."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    # The question the event is about: erasing it erases its deliveries (title, URL slug).
    question_id: Mapped[int | None] = mapped_column(index=True, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    gave_up_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    last_status: Mapped[str] = mapped_column(String(200), default="")

    endpoint: Mapped[WebhookEndpoint] = relationship()


# --- privacy ---


class QuestionRevision(Base):
    """An earlier version of a question; shown to the asker and staff, never to readers."""

    __tablename__ = "question_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(DateTime)


class NotificationEmail(Base):
    """An asker's opt-in address for news of their own thread (double opt-in).

    Unconfirmed rows are purged after 48 hours; the address is never shown or published.
    """

    __tablename__ = "notification_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), unique=True
    )
    email: Mapped[str] = mapped_column(String(254))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # news of this thread
    # A separate consent: "tell me about news on this topic" (staff may send a personal note).
    topic_news: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class ModerationAction(Base):
    """One public moderation log line: what was done and why, never who asked or from where."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(16))  # held, approved, rejected, (un)hidden
    target: Mapped[str] = mapped_column(String(40))  # e.g. "question 12"
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


# --- search ---


class SearchOutbox(Base):
    """A change to searchable text, written in the same transaction as the change itself.

    The indexer marks each entry done after the index holds it; a high-watermark would skip
    entries that commit out of id order on PostgreSQL.
    """

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "thread" | "person" | "curated"
    ref: Mapped[str] = mapped_column(String(255))  # row id, or curated file name ("*" = all)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime, default=None, index=True)


class SearchSynonym(Base):
    """The hub's own vocabulary: ``term`` (e.g. "pcb") also finds ``expansion``."""

    __tablename__ = "search_synonyms"
    __table_args__ = (UniqueConstraint("term", "expansion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(120), index=True)
    expansion: Mapped[str] = mapped_column(String(200))


class SearchGap(Base):
    """A normalised query that found nothing, and how often: the query text only."""

    __tablename__ = "search_gaps"

    query: Mapped[str] = mapped_column(String(200), primary_key=True)
    misses: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# --- stackexchange import ---


class ImportedQuestion(Base):
    """Where an imported thread came from (and the key that makes re-imports add nothing)."""

    __tablename__ = "imported_questions"
    __table_args__ = (UniqueConstraint("site", "source_id"),)

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    site: Mapped[str] = mapped_column(String(120))
    source_id: Mapped[int] = mapped_column(Integer)
    source_url: Mapped[str] = mapped_column(String(255))


class ImportedAnswer(Base):
    """An answer imported with its thread, credited to its original author (CC BY-SA).

    Never an ``Answer``: those are signed by named staff, and imported text is not theirs.
    """

    __tablename__ = "imported_answers"
    __table_args__ = (UniqueConstraint("site", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    site: Mapped[str] = mapped_column(String(120))
    source_id: Mapped[int] = mapped_column(Integer)
    source_url: Mapped[str] = mapped_column(String(255))
    author: Mapped[str] = mapped_column(String(120))
    author_url: Mapped[str | None] = mapped_column(String(255), default=None)
    body_html: Mapped[str] = mapped_column(Text)
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    question: Mapped[Question] = relationship(backref=backref(
        "imported_answers", order_by="ImportedAnswer.created_at", cascade="all, delete-orphan",
        passive_deletes=True))


# --- lead flow ---


class ContactRequest(Base):
    """A prospect's consented request to be contacted by the person who answered: a lead.

    The address is shown only to that person and to owners in the digest, never publicly.
    """

    __tablename__ = "contact_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", ondelete="SET NULL"), default=None)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"),
                                           index=True)
    email: Mapped[str] = mapped_column(String(254))
    company: Mapped[str] = mapped_column(String(120), default="")
    job_role: Mapped[str] = mapped_column(String(120), default="")
    consented_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    handled_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)

    question: Mapped[Question] = relationship(backref=backref(
        "contact_requests", cascade="all, delete-orphan", passive_deletes=True))
    person: Mapped[Person] = relationship()


class Outreach(Base):
    """A personal note a staff member sent to earlier askers about an item: how many, not whom.

    Each recipient gets an individual mail; ``OutreachRecipient`` only stops a second send
    of the same item to the same consent and goes when the asker erases their question.
    """

    __tablename__ = "outreach"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"))
    item_kind: Mapped[str] = mapped_column(String(16))  # "curated" | "answer"
    item_ref: Mapped[str] = mapped_column(String(255))  # curated slug or answer id
    note: Mapped[str] = mapped_column(Text)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    sender: Mapped[Person | None] = relationship()


class OutreachRecipient(Base):
    __tablename__ = "outreach_recipients"

    outreach_id: Mapped[int] = mapped_column(
        ForeignKey("outreach.id", ondelete="CASCADE"), primary_key=True)
    consent_id: Mapped[int] = mapped_column(
        ForeignKey("notification_emails.id", ondelete="CASCADE"), primary_key=True)


# --- effects ---


class Effect(Base):
    """An after-write effect, written in the same transaction as the change that causes it.

    ``kind`` "event" is a signal for the leader to expand (into mails, webhook deliveries, a
    rebuild) in one transaction; "mail" is one message to send. ``key`` is the idempotency
    key: a mail's Message-ID is made from it, so a retry after a crash is recognisable as the
    same message. A mail's ``payload`` (it holds the address) is emptied once it is sent.
    """

    __tablename__ = "effects"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    done_at: Mapped[datetime | None] = mapped_column(DateTime, default=None, index=True)
    last_error: Mapped[str] = mapped_column(String(200), default="")


# The staff identity tables, in the same metadata.
from .staff.models import (  # noqa: E402,F401
    AccountLink,
    AuditEvent,
    Passkey,
    RecoveryCode,
    StaffSession,
)
