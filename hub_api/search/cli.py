"""``candor reindex`` and ``candor search synonyms add|list|remove``."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.orm import Session

from . import synonyms

search_cli = AppGroup("search", help="Search vocabulary and index.")
synonyms_cli = AppGroup("synonyms", help="Synonyms and acronyms the search understands.")
search_cli.add_command(synonyms_cli)


def init_app(app: Flask) -> None:
    app.cli.add_command(search_cli)
    app.cli.add_command(reindex_command)


def _service():
    return current_app.extensions["candor_search"]


@click.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from the database and content folder, then swap it in."""
    _reindex()


def create_index() -> None:
    """For ``candor init``: build the index from the database unless it exists already."""
    if not _service().backend.has_index():
        _reindex()


def _reindex() -> None:
    service = _service()
    with click.progressbar(length=service.expected_total(), label="Indexing",
                           file=sys.stderr) as bar:
        count = service.reindex(progress=bar.update)
    click.echo(f"Indexed {count:,} documents.")


def _session() -> Session:
    return Session(_service().engine)


def _change(action: Callable[[Session], str]) -> None:
    """Run one vocabulary change in a transaction; a refusal is one line and exit status 1."""
    with _session() as session:
        try:
            message = action(session)
            session.commit()
        except synonyms.SynonymError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(message)


@synonyms_cli.command("add")
@click.argument("term")
@click.argument("expansion")
@with_appcontext
def add_command(term: str, expansion: str) -> None:
    """Make TERM also find EXPANSION (and the other way round), e.g. PCB "printed circuit board"."""

    def add(session: Session) -> str:
        synonym = synonyms.add(session, term, expansion)
        return f"'{synonym.term}' now also finds '{synonym.expansion}'."

    _change(add)


@synonyms_cli.command("list")
@with_appcontext
def list_command() -> None:
    """List the synonyms, one per line: term <TAB> expansion."""
    with _session() as session:
        for synonym in synonyms.listing(session):
            click.echo(f"{synonym.term}\t{synonym.expansion}")


@synonyms_cli.command("remove")
@click.argument("term")
@click.argument("expansion", required=False)
@with_appcontext
def remove_command(term: str, expansion: str | None) -> None:
    """Remove TERM's expansions (only EXPANSION when given)."""

    def remove(session: Session) -> str:
        removed = synonyms.remove(session, term, expansion)
        return f"Removed {removed} synonym{'s' if removed != 1 else ''}."

    _change(remove)
