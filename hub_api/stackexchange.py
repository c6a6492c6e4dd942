"""``candor import stackexchange Posts.xml``: real Q&A from a Stack Exchange data dump.

Questions become threads; answers become ``ImportedAnswer`` rows credited to their original
author with links to the source post, as CC BY-SA requires — never to staff, so every staff
answer on the hub is still written by the named person shown. Imported threads get the status
``imported``: they never enter the staff queue. Importing the same file twice adds nothing.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET  # noqa: S405 — expat refuses entity expansion bombs
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import Engine, select

from .db import session_scope
from .markup import sanitize_html
from .models import ImportedAnswer, ImportedQuestion, Question
from .questions.ask import new_token
from .questions.states import Status
from .search.documents import plain
from .text import clean_text

import_cli = AppGroup("import", help="Import content from elsewhere.")
BATCH = 100
_SITE = re.compile(r"^([a-z0-9-]+)-posts\.xml$", re.I)


class StackExchangeError(ValueError):
    """A file that cannot be imported, in words."""


def init_app(app: Flask) -> None:
    app.cli.add_command(import_cli)


@dataclass
class Counts:
    questions: int = 0
    answers: int = 0


def _rows(path: Path) -> Iterator[dict[str, str]]:
    try:
        for _event, elem in ET.iterparse(path, events=("end",)):  # noqa: S314
            if elem.tag == "row":
                yield dict(elem.attrib)
            elem.clear()
    except ET.ParseError as exc:
        raise StackExchangeError(f"{path.name} is not a Stack Exchange Posts.xml file: {exc}"
                                 ) from exc


def _when(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def site_from_name(path: Path) -> str:
    """``beer-Posts.xml`` -> ``beer.stackexchange.com``."""
    match = _SITE.match(path.name)
    if not match:
        raise StackExchangeError("cannot tell the site from the file name; pass --site, e.g. "
                           "--site beer.stackexchange.com")
    return f"{match.group(1).lower()}.stackexchange.com"


def _author(row: dict[str, str], site: str) -> tuple[str, str | None]:
    user = row.get("OwnerUserId")
    name = clean_text(row.get("OwnerDisplayName")) or (f"user {user}" if user else "anonymous")
    return name[:120], f"https://{site}/users/{user}" if user else None


def import_posts(engine: Engine, path: Path, site: str, limit: int | None = None,
                 progress: Callable[[int], None] | None = None) -> Counts:
    """Import the first ``limit`` questions of ``path`` and their answers."""
    questions: dict[int, dict[str, str]] = {}
    answers: dict[int, list[dict[str, str]]] = {}
    for row in _rows(path):
        if row.get("PostTypeId") == "1" and (limit is None or len(questions) < limit):
            if row.get("Id", "").isdigit() and clean_text(row.get("Title")):
                questions[int(row["Id"])] = row
        elif row.get("PostTypeId") == "2" and row.get("ParentId", "").isdigit():
            answers.setdefault(int(row["ParentId"]), []).append(row)
    if not questions:
        raise StackExchangeError(f"{path.name} holds no questions")
    counts = Counts()
    ids = sorted(questions)
    for start in range(0, len(ids), BATCH):
        with session_scope(engine) as session:
            batch = ids[start:start + BATCH]
            done = set(session.scalars(select(ImportedQuestion.source_id).where(
                ImportedQuestion.site == site, ImportedQuestion.source_id.in_(batch))))
            for source_id in batch:
                if source_id not in done:
                    _add_thread(session, site, questions[source_id], answers.get(source_id, []),
                                counts)
                if progress:
                    progress(1)
    return counts


def _add_thread(session, site: str, row: dict[str, str], answer_rows: list[dict[str, str]],
                counts: Counts) -> None:
    html = sanitize_html(row.get("Body", ""))
    name, _ = _author(row, site)
    question = Question(
        title=clean_text(row["Title"])[:200], body=plain(html).strip(), body_html=html,
        display_name=name[:80], manage_token_hash=new_token()[1], status=Status.IMPORTED,
        created_at=_when(row.get("CreationDate")),
    )
    session.add(question)
    session.flush()
    session.add(ImportedQuestion(question_id=question.id, site=site, source_id=int(row["Id"]),
                                 source_url=f"https://{site}/q/{row['Id']}"))
    counts.questions += 1
    for answer in answer_rows:
        if not answer.get("Id", "").isdigit():
            continue
        author, author_url = _author(answer, site)
        session.add(ImportedAnswer(
            question_id=question.id, site=site, source_id=int(answer["Id"]),
            source_url=f"https://{site}/a/{answer['Id']}", author=author, author_url=author_url,
            body_html=sanitize_html(answer.get("Body", "")),
            accepted=answer["Id"] == row.get("AcceptedAnswerId"),
            created_at=_when(answer.get("CreationDate")),
        ))
        counts.answers += 1


@import_cli.command("stackexchange")
@click.argument("posts", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--limit", type=click.IntRange(min=1), help="Import only the first N questions.")
@click.option("--site", help="The source site, e.g. beer.stackexchange.com (default: from "
                             "the file name).")
@with_appcontext
def stackexchange_command(posts: Path, limit: int | None, site: str | None) -> None:
    """Import questions and answers from a Stack Exchange Posts.xml (CC BY-SA, credited)."""
    engine = current_app.extensions["candor_engine"]
    try:
        site = clean_text(site).lower() if site else site_from_name(posts)
        if not re.fullmatch(r"[a-z0-9.-]+\.[a-z]+", site):
            raise StackExchangeError(f"'{site}' is not a site name like beer.stackexchange.com")
        total = limit or sum(1 for r in _rows(posts) if r.get("PostTypeId") == "1")
        with click.progressbar(length=total, label="Importing", file=sys.stderr) as bar:
            counts = import_posts(engine, posts, site, limit, bar.update)
    except StackExchangeError as exc:
        raise click.ClickException(str(exc)) from exc
    indexed = current_app.extensions["candor_search"].apply_pending(wait=True)
    click.echo(f"Imported {counts.questions:,} questions and {counts.answers:,} answers from "
               f"{site} ({indexed:,} index updates).")
