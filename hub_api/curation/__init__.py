"""Curation: guarded feed fetching, feeds, the marketer's inbox and the picks it publishes."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feed and pick commands and the staff curation views."""
    from . import feeds, inbox, picks

    feeds.init_app(app)
    picks.init_app(app)
    inbox.init_app(app)
