"""Personal data in Candor, declared once: every column that holds it, why, and for how long.

The privacy page (``/privacy/``, built by Pelican), an asker's JSON export and the erase
behind "delete everything" (``privacy.py``) all read this one list, and a test fails when a
model gains a personal-looking column without an entry — so the promise cannot drift from
the code. Kept free of Flask so the site build can read it cheaply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import MetaData

from ..db import Base


@dataclass(frozen=True)
class Field:
    """One personal column: what it is, why it is kept and until when."""

    column: str
    label: str
    purpose: str
    retention: str
    exported: bool = True  # part of the asker's export (False: a hash or a staff secret)


@dataclass(frozen=True)
class Record:
    """A table holding personal data about ``subject`` ("asker" or "staff").

    ``owner`` is the column tying an asker's row to their question; export and erase use it.
    A record with no ``owner`` is tied to no question (mails on their way): an erase drops
    what it holds for the asker's addresses instead.
    """

    table: str
    title: str
    subject: str
    fields: tuple[Field, ...]
    owner: str = "question_id"
    kept: tuple[str, ...] = ("created_at",)  # non-personal columns an export adds for context
    # Rows any reader may add to a thread: the asker's export holds only those under the
    # asker's own notification address, never another reader's.
    askers_address_only: bool = False


UNTIL_DELETED = "until you delete your question through your private link"
# Any reader may ask for contact, not only the asker: erased on request by address too.
UNTIL_ASKED = "until you ask us to delete it (by your address), or the question is deleted"

REGISTRY: tuple[Record, ...] = (
    Record("questions", "Your question", "asker", owner="id", kept=("id", "created_at",
           "edited_at", "status"), fields=(
        Field("display_name", "Display name", "shown with your question so staff can address "
              "you", UNTIL_DELETED),
        Field("title", "Question title", "your question, answered in public", UNTIL_DELETED),
        Field("body", "Question details", "your question, answered in public", UNTIL_DELETED),
        Field("manage_token_hash", "Hash of your private link", "recognises your private "
              "link without storing it", UNTIL_DELETED, exported=False),
    )),
    Record("question_revisions", "Earlier versions of your question", "asker",
           kept=("written_at",), fields=(
        Field("title", "Earlier title", "shows you and staff what you changed", UNTIL_DELETED),
        Field("body", "Earlier details", "shows you and staff what you changed", UNTIL_DELETED),
    )),
    Record("follow_ups", "Your follow-ups", "asker", fields=(
        Field("body", "Follow-up text", "your replies in your thread", UNTIL_DELETED),
    )),
    Record("notification_emails", "Your notification email (only if you gave one)", "asker",
           kept=("created_at", "confirmed_at", "active", "topic_news"), fields=(
        Field("email", "Email address", "tells you, and only you, about answers in your "
              "thread and, only if you ticked that separate box, lets a member of staff send "
              "you a personal note about news on your question's topic (never a bulk mail; "
              "staff see your display name and question, never the address); never shown or "
              "published", "unconfirmed: deleted after 48 hours; "
              "confirmed: until you unsubscribe or delete your question"),
    )),
    Record("contact_requests", "Your requests to be contacted (only if you made one)", "asker",
           kept=("created_at", "consented_at", "handled_at"), askers_address_only=True, fields=(
        Field("email", "Email address", "lets the staff member you asked contact you about "
              "this question; shown only to them and to the company's owners", UNTIL_ASKED),
        Field("company", "Company", "context for the person contacting you", UNTIL_ASKED),
        Field("job_role", "Your role", "context for the person contacting you", UNTIL_ASKED),
    )),
    Record("effects", "Emails on their way to you (only while they wait to be sent)", "asker",
           owner="", kept=(), fields=(
        Field("payload", "The email: your address, its subject and text", "sends an email "
              "(a confirmation, an answer to your question) after the change that causes it "
              "is saved, and again if the mail server was away", "until it is sent, then "
              "emptied at once; emptied unsent after a day of failures, or when you delete "
              "your question or your address", exported=False),
    )),
    Record("webhook_deliveries", "Your question as sent to the company’s own systems (only "
           "if it set up webhooks)", "asker", kept=("event", "created_at", "delivered_at"),
           fields=(
        Field("payload", "The question’s title and address", "tells the company’s own tools "
              "(a CRM, a chat channel) about a new question or answer", UNTIL_DELETED,
              exported=False),
    )),
    Record("persons", "Staff members", "staff", owner="id", fields=(
        Field("name", "Name", "signs every answer: there is no brand account", "while employed "
              "and as long as their answers stay published"),
        Field("email", "Work email", "staff login", "while the account exists", exported=False),
        Field("password_hash", "Password hash (scrypt)", "staff login", "while the account "
              "exists", exported=False),
        Field("photo", "Photo", "shown with answers, self-hosted", "while employed"),
        Field("bio", "Short biography", "the public profile page", "while employed"),
        Field("totp_secret", "Authenticator-app secret", "the second sign-in step, if the "
              "person turned it on", "until switched off or the account is deleted",
              exported=False),
    )),
    Record("staff_sessions", "Staff sign-in sessions", "staff", owner="person_id", fields=(
        Field("device", "Browser and system (such as Firefox on Linux), never an IP address",
              "lets staff recognise and end their own sessions", "until the account is "
              "deleted; a session stops working when it ends or expires"),
    )),
    Record("audit_events", "Audit log of staff actions", "staff", owner="actor_id", fields=(
        Field("actor", "Name of the staff member who acted", "accountability: who changed "
              "what and when (never from where)", "CANDOR_AUDIT_RETENTION_DAYS (default 365 "
              "days), then deleted"),
    )),
    Record("passkeys", "Staff passkeys", "staff", owner="person_id", fields=(
        Field("public_key", "Passkey public key", "passkey sign-in", "until the passkey is "
              "removed", exported=False),
        Field("label", "Passkey name", "tells the person's passkeys apart", "until the passkey "
              "is removed"),
    )),
)

# Columns whose names look personal but are not about a person.
NOT_PERSONAL = {("topics", "name"): "a topic's name",
                ("api_tokens", "name"): "a staff member's label for one of their API tokens"}

# Names that suggest personal data; a test checks every model column against them.
PERSONAL_WORDS = ("name", "email", "mail", "address", "phone", "ip", "agent", "birth")


def declared() -> set[tuple[str, str]]:
    """Every (table, column) the registry covers."""
    return {(r.table, f.column) for r in REGISTRY for f in r.fields}


def undeclared_personal_columns(metadata: MetaData = Base.metadata) -> list[str]:
    """``table.column`` names that look personal but have no registry entry."""
    found = []
    known = declared() | set(NOT_PERSONAL)
    for table in metadata.sorted_tables:
        for column in table.columns:
            words = re.split(r"[_\W]+", column.name.lower())
            if any(w in PERSONAL_WORDS for w in words) and (table.name, column.name) not in known:
                found.append(f"{table.name}.{column.name}")
    return found


def asker_records() -> list[Record]:
    """The askers' records tied to their question (what an export holds, an erase deletes)."""
    return [r for r in REGISTRY if r.subject == "asker" and r.owner]
