"""What gets indexed: one plain-text document per thread, person and curated item.

Builders read the database (or the content folder) at indexing time, so applying an outbox
entry twice, or late, always gives the current truth. A builder returning ``None`` means
"not searchable any more": the document is deleted.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..markup import render_markdown
from ..models import Answer, Person, Question
from ..questions.states import is_public
from ..text import slugify

KINDS = ("thread", "curated", "person")
# Private-use characters mark highlights between a backend and the page; text never has them.
MARK_START, MARK_END = "\ue000", "\ue001"
_TAG = re.compile(r"<[^>]+>")
_MARKS = re.compile(f"[{MARK_START}{MARK_END}]")


@dataclass
class Document:
    kind: str
    ref: str
    title: str
    body: str
    url: str
    meta: str = ""
    topics: list[str] = field(default_factory=list)
    answered: bool = False

    @property
    def doc_id(self) -> str:
        return f"{self.kind}:{self.ref}"


def plain(value: str) -> str:
    """HTML (or text) to indexable plain text."""
    return _MARKS.sub("", html.unescape(_TAG.sub(" ", value or "")))


def thread_document(session: Session, ref: str) -> Document | None:
    questions = _load_threads(session, [int(ref)])
    return _thread(questions[0]) if questions else None


def _public_threads(questions: list[Question]) -> list[Document]:
    return [doc for doc in map(_thread, questions) if doc is not None]


def _load_threads(session: Session, ids: list[int]) -> list[Question]:
    """Questions with everything their documents show, in a handful of queries."""
    return list(session.scalars(
        select(Question).where(Question.id.in_(ids)).order_by(Question.id).options(
            selectinload(Question.answers).selectinload(Answer.person),
            selectinload(Question.follow_ups), selectinload(Question.topic),
            selectinload(Question.imported_answers),
        )
    ))


def _thread(question: Question) -> Document | None:
    """The thread's document; ``None`` (not searchable) unless readers may see it."""
    if not is_public(question):  # held, rejected, hidden: never found by search
        return None
    answerers = list(dict.fromkeys(a.person.name for a in question.answers))
    parts = [question.topic.name if question.topic else "", question.body_html]
    parts += [f.body_html for f in question.follow_ups if f.status == "published"]
    # A hidden answer's text (e.g. a leaked secret) leaves the index; its author still shows.
    parts += [f"{a.person.name}: {'' if a.hidden_reason else a.body_html}"
              for a in question.answers]
    parts += [a.body_html for a in question.imported_answers]
    meta = f"Answered by {', '.join(answerers)}" if answerers else "Not answered yet"
    if not answerers and question.imported_answers:
        meta = f"Imported from {question.imported_answers[0].site}"
    return Document(
        kind="thread", ref=str(question.id), title=plain(question.title),
        body=plain("\n".join(parts)), url=question.url, meta=meta,
        answered=bool(question.answers or question.imported_answers),
        topics=[question.topic.slug] if question.topic else [],
    )


def person_document(session: Session, ref: str) -> Document | None:
    person = session.get(Person, int(ref))
    if person is None or not person.active or "staff" not in person.role_set:
        return None
    topics = person.topics
    body = " ".join([person.job_title, person.bio, *(t.name for t in topics)])
    return Document(
        kind="person", ref=ref, title=plain(person.name), body=plain(body),
        url=person.profile_url, meta=person.job_title, topics=[t.slug for t in topics],
    )


def read_curated(path: Path) -> Document | None:
    """A curated Markdown file: Pelican metadata lines (an indented line continues the one
    before, as a multi-line note does), a blank line, then the text. The note and the text
    are Markdown: they are indexed as the words a reader sees, without the markup."""
    try:
        head, _, text = path.read_text(encoding="utf-8").partition("\n\n")
    except (OSError, UnicodeDecodeError):
        return None
    meta: dict[str, str] = {}
    key = None
    for line in head.splitlines():
        if key and line[:1].isspace():
            meta[key] += "\n" + line.strip()
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower() if sep else None
        if key:
            meta[key] = value.strip()
    if "title" not in meta:
        return None
    slug = meta.get("slug") or slugify(path.stem)
    source = meta.get("source_name") or meta.get("source") or meta.get("source_url", "")
    body = " ".join(filter(None, [render_markdown(meta.get("note", "")),
                                  meta.get("summary", ""), render_markdown(text), source]))
    return Document(
        kind="curated", ref=path.name, title=plain(meta["title"]), body=plain(body),
        url=f"/curated/{slug}/", meta=source,
        topics=[slugify(t) for t in meta.get("topics", meta.get("tags", "")).split(",")
                if t.strip()],
    )


def curated_files(content: Path) -> list[Path]:
    folder = content / "curated"
    return sorted(folder.glob("*.md")) if folder.is_dir() else []


BUILDERS: dict[str, Callable[[Session, str], Document | None]] = {
    "thread": thread_document,
    "person": person_document,
}


READ_BATCH = 200


def all_documents(session: Session, content: Path) -> Iterator[Document]:
    """Every searchable document, for a full rebuild.

    Threads are read ``READ_BATCH`` at a time (a query per relation, not per thread), each
    batch in a short transaction, so on SQLite writers are not held up while a rebuild runs.
    """
    ids = list(session.scalars(select(Question.id).order_by(Question.id)))
    people = list(session.scalars(select(Person.id).order_by(Person.id)))
    session.rollback()
    for start in range(0, len(ids), READ_BATCH):
        batch = _public_threads(_load_threads(session, ids[start:start + READ_BATCH]))
        session.rollback()
        yield from batch
    for ref in people:
        doc = person_document(session, str(ref))
        if doc:
            yield doc
    session.rollback()
    for path in curated_files(content):
        doc = read_curated(path)
        if doc:
            yield doc


def count_documents(session: Session, content: Path) -> int:
    """An upper bound for the progress bar of a rebuild."""
    from sqlalchemy import func

    return (session.scalar(select(func.count(Question.id))) or 0) + \
        (session.scalar(select(func.count(Person.id))) or 0) + len(curated_files(content))
