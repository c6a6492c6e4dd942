"""One-line confirmations after a staff action ("Published", "Hidden", "Feed added").

They ride in the staff session (``flask.flash``), which only staff routes touch: reader pages
stay cookie-free. ``staff/_nav.html``, on every staff page, shows them once.
"""

from __future__ import annotations

from flask import flash

CATEGORIES = ("done", "problem")


def notify(text: str, *links: tuple[str, str], category: str = "done") -> None:
    """Show ``text`` (and ``(label, url)`` links) on the next staff page this person sees."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown notice category {category!r}")
    flash({"text": text, "links": [list(link) for link in links]}, category)
